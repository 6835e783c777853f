// The Node side of the contract, whatever carries it (Electron IPC or `obsdeck serve`'s
// WebSocket): the runtime, the router over every domain's handlers, and one session per
// connection that receives the broadcast events and is disposed with its connection.
import type { EventName, Events } from '../contract.js';
import { alertsHandlers } from './handlers/alerts.js';
import { configHandlers } from './handlers/config.js';
import { imagesHandlers } from './handlers/images.js';
import { logsHandlers } from './handlers/logs.js';
import { promHandlers } from './handlers/prom.js';
import { rulesHandlers } from './handlers/rules.js';
import { routesHandlers } from './handlers/routes.js';
import { sloHandlers } from './handlers/slo.js';
import { stackHandlers } from './handlers/stack.js';
import { trafficHandlers } from './handlers/traffic.js';
import { createRouter, type Handlers, type Router } from './router.js';
import { Runtime, type RuntimeOptions } from './runtime.js';
import { Session } from './session.js';

export function handlersFor(rt: Runtime): Handlers {
  return {
    ...stackHandlers(rt),
    ...logsHandlers(rt),
    ...alertsHandlers(rt),
    ...promHandlers(rt),
    ...configHandlers(rt),
    ...sloHandlers(rt),
    ...trafficHandlers(rt),
    ...imagesHandlers(rt),
    ...rulesHandlers(rt),
    ...routesHandlers(rt),
  };
}

export class Host {
  readonly runtime: Runtime;
  readonly handle: Router;
  /** The open sessions (one per connection), for diagnostics and tests. */
  readonly sessions = new Set<Session>();

  constructor(opts: RuntimeOptions = {}) {
    this.runtime = new Runtime(opts);
    this.handle = createRouter(handlersFor(this.runtime));
  }

  start(): Promise<void> {
    return this.runtime.start();
  }

  close(): void {
    this.runtime.close();
  }

  /**
   * A session for one connection: `send` delivers its events (broadcasts and its own, such as
   * followed log lines); dispose() unsubscribes it and stops everything it follows.
   */
  connect(send: <E extends EventName>(event: E, payload: Events[E]) => void): Session {
    const session = new Session(send);
    this.sessions.add(session);
    const unsubscribe = this.runtime.subscribe(send);
    session.onDispose(() => {
      unsubscribe();
      this.sessions.delete(session);
    });
    return session;
  }
}

export type { RuntimeOptions as HostOptions } from './runtime.js';
export { Session } from './session.js';
