// Injected faults (API_FAULTS=on): counted and timed like any route, so the SLI panels and
// HighErrorRate / HighLatency see them as they would see a real failure. Only for an admin:
// anything on the machine reaches the published port, and a slow route is a lever.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HttpError, parse } from '../http.js';
import type { ApiContext } from './context.js';

const SlowQuery = z.object({ ms: z.string().regex(/^\d{1,4}$/, 'must be a whole number of milliseconds').transform(Number).refine((n) => n <= 5000, 'at most 5000').optional() });

export async function debugRoutes(app: FastifyInstance, { security, authenticate }: ApiContext): Promise<void> {
  const admin = async (request: FastifyRequest): Promise<void> => {
    await authenticate(request);
    if (request.principal!.role !== 'admin') {
      security('forbidden');
      throw new HttpError(403, 'forbidden', 'fault injection is for an admin');
    }
  };
  app.get('/debug/error', { preHandler: admin }, async () => {
    throw new HttpError(500, 'injected_fault', 'an injected failure (API_FAULTS=on)');
  });
  app.get('/debug/slow', { preHandler: admin }, async (request) => {
    const { ms = 1500 } = parse(SlowQuery, request.query, 'query');
    await new Promise((r) => setTimeout(r, ms));
    return { slept_ms: ms };
  });
}
