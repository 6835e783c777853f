// GET /health (the store answers) and GET /metrics (Prometheus' exposition), neither timed.
import type { FastifyInstance } from 'fastify';
import { renderRegistry } from '../fast-metrics.js';
import type { ApiContext } from './context.js';

export async function healthRoutes(app: FastifyInstance, { store, metrics }: ApiContext): Promise<void> {
  app.get('/health', { config: { timed: false } }, async () => {
    store.ping();
    return { status: 'ok' };
  });

  app.get('/metrics', { config: { timed: false } }, async (_request, reply) => {
    if (!metrics) return reply.code(404).send({ error: 'not_found', message: 'metrics are turned off (API_METRICS=off)' });
    return reply.type(metrics.registry.contentType).send(await renderRegistry(metrics.registry));
  });
}
