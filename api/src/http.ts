// What every route of the API shares: a 4xx with a message safe to show the client, and request
// parts parsed with a zod schema into that error.
import type { z } from 'zod';

/** A 4xx with a message safe to show the client. */
export class HttpError extends Error {
  constructor(readonly statusCode: number, readonly error: string, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

export function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const at = issue.path.length ? `${where}.${issue.path.join('.')}` : where;
  const message = issue.code === 'unrecognized_keys'
    ? `${at} has unknown field(s): ${issue.keys.join(', ')}`
    : `${at}: ${issue.message}`;
  throw new HttpError(400, 'bad_request', message);
}
