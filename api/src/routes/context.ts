// What the route plugins are given: the store, the token service, the field cipher, the metrics
// (undefined when API_METRICS=off), the login limiters, and the one authenticate pre-handler.
import type { FastifyRequest } from 'fastify';
import type { ApiConfig } from '../config.js';
import type { FieldCipher } from '../field-crypto.js';
import type { ApiMetrics, SecurityEvent } from '../metrics.js';
import type { WindowCounter } from '../rate-limit.js';
import type { Store } from '../store.js';
import type { TokenService } from '../tokens.js';

export interface ApiContext {
  config: ApiConfig;
  store: Store;
  tokens: TokenService;
  cipher: FieldCipher;
  metrics: ApiMetrics | undefined;
  limits: { perUser: WindowCounter; perClient: WindowCounter };
  /** Counts a security event (failed login, forbidden, …) on security_events_total. */
  security: (event: SecurityEvent) => void;
  /** Sets request.principal from a valid Bearer access token, or answers 401. */
  authenticate: (request: FastifyRequest) => Promise<void>;
}
