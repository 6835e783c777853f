// The customers: list (a page), create, read, update, delete. A user sees and changes their own;
// an admin every one. Email and phone are stored encrypted (field-crypto.ts), each operation
// counted and timed on the encryption metrics.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { FieldCipher, FieldContext } from '../field-crypto.js';
import { HttpError, parse } from '../http.js';
import type { ApiMetrics, CryptoOperation, EncryptedField } from '../metrics.js';
import type { CustomerRow } from '../store.js';
import type { ApiContext } from './context.js';

export const MAX_PAGE = 100;

const CustomerInput = z.strictObject({
  name: z.string().trim().min(1).max(200),
  email: z.string().max(254).regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'must be an email address'),
  phone: z.string().regex(/^\+?[0-9][0-9 ()-]{3,30}$/, 'must be a phone number (digits, spaces, +, -, parentheses)'),
  owner: z.string().min(1).max(64).optional(),
});
const ListQuery = z.strictObject({
  limit: z.string().regex(/^\d{1,9}$/, 'must be a whole number').transform(Number)
    .pipe(z.number().int().min(1).max(MAX_PAGE, `must be at most ${MAX_PAGE}`)).optional(),
  offset: z.string().regex(/^\d{1,9}$/, 'must be a whole number').transform(Number).optional(),
});

function customerId(params: unknown): number {
  const raw = (params as { id?: string }).id ?? '';
  if (!/^[1-9]\d{0,14}$/.test(raw)) throw new HttpError(400, 'bad_request', `customer id must be a positive whole number, got "${raw.slice(0, 32)}"`);
  return Number(raw);
}

/**
 * A customer's contact fields sealed and opened with the field cipher (bound to the row and the
 * field), each operation counted and timed on the encryption metrics; `present` is a row as the
 * API answers it.
 */
function fieldCodec(cipher: FieldCipher, metrics: ApiMetrics | undefined) {
  const crypt = <T>(op: CryptoOperation, field: EncryptedField, run: () => T): T => {
    const started = process.hrtime.bigint();
    try {
      const value = run();
      metrics?.encryptionOps.labels(op, field).inc();
      return value;
    } catch (err) {
      metrics?.encryptionFailures.labels(op, field).inc();
      throw err;
    } finally {
      metrics?.encryptionDuration.labels(op, field).observe(Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
  const ctx = (id: number, field: EncryptedField): FieldContext => ({ table: 'customers', recordId: id, field });
  const present = (row: CustomerRow) => ({
    id: row.id,
    name: row.name,
    email: crypt('decrypt', 'email', () => cipher.decrypt(row.email_ct, ctx(row.id, 'email'))),
    phone: crypt('decrypt', 'phone', () => cipher.decrypt(row.phone_ct, ctx(row.id, 'phone'))),
    owner: row.owner,
    created_at: new Date(row.created_at * 1000).toISOString(),
    updated_at: new Date(row.updated_at * 1000).toISOString(),
  });
  const seal = (field: EncryptedField, value: string, id: number) => crypt('encrypt', field, () => cipher.encrypt(value, ctx(id, field)));
  return { present, seal };
}

export async function customerRoutes(app: FastifyInstance, { store, cipher, metrics, security, authenticate }: ApiContext): Promise<void> {
  const { present, seal } = fieldCodec(cipher, metrics);
  const loadOwned = (request: FastifyRequest): CustomerRow => {
    const id = customerId(request.params);
    const row = store.customer(id);
    if (!row) throw new HttpError(404, 'not_found', `customer ${id} does not exist`);
    const who = request.principal!;
    if (who.role !== 'admin' && row.owner_id !== who.userId) {
      security('forbidden');
      throw new HttpError(403, 'forbidden', `customer ${id} belongs to another user`);
    }
    return row;
  };
  const resolveOwner = (request: FastifyRequest, owner: string | undefined): number => {
    const who = request.principal!;
    if (owner === undefined || owner === who.username) return who.userId;
    if (who.role !== 'admin') {
      security('forbidden');
      throw new HttpError(403, 'forbidden', 'only an admin may set another owner');
    }
    const user = store.userByName(owner);
    if (!user) throw new HttpError(400, 'bad_request', `body.owner: no user named "${owner.slice(0, 64)}"`);
    return user.id;
  };

  app.get('/customers', { preHandler: authenticate }, async (request) => {
    const query = parse(ListQuery, request.query, 'query');
    const limit = query.limit ?? 20;
    const offset = query.offset ?? 0;
    const who = request.principal!;
    const { rows, total } = store.listCustomers(who.role === 'admin' ? null : who.userId, limit, offset);
    return { items: rows.map(present), total, limit, offset };
  });

  app.post('/customers', { preHandler: authenticate }, async (request, reply) => {
    const body = parse(CustomerInput, request.body, 'body');
    const ownerId = resolveOwner(request, body.owner);
    const row = store.createCustomer(ownerId, (id) => ({
      name: body.name,
      emailCt: seal('email', body.email, id),
      phoneCt: seal('phone', body.phone, id),
    }));
    return reply.code(201).header('location', `/customers/${row.id}`).send(present(row));
  });

  app.get('/customers/:id', { preHandler: authenticate }, async (request) => present(loadOwned(request)));

  app.put('/customers/:id', { preHandler: authenticate }, async (request) => {
    const row = loadOwned(request);
    const body = parse(CustomerInput, request.body, 'body');
    if (body.owner !== undefined && body.owner !== row.owner) {
      throw new HttpError(400, 'bad_request', 'body.owner: a customer cannot change owner');
    }
    const updated = store.updateCustomer(
      row.id,
      body.name,
      seal('email', body.email, row.id),
      seal('phone', body.phone, row.id),
    );
    return present(updated);
  });

  app.delete('/customers/:id', { preHandler: authenticate }, async (request, reply) => {
    const row = loadOwned(request);
    store.deleteCustomer(row.id);
    return reply.code(204).send();
  });
}
