// Logs: the last lines, or a live follow that belongs to the asking session (a new follow
// replaces its old one; `logs:stop` and the session's end stop it).
import { followLogs, tailLogs } from '../../stack/follow.js';
import type { Handlers } from '../router.js';
import type { Runtime } from '../runtime.js';

export function logsHandlers(rt: Runtime) {
  return {
    'logs:tail': ({ services, tail }) => tailLogs(rt.stack(), services, tail ?? 200),
    'logs:follow': async (args, session) => {
      session.unfollow('logs');
      const { following, stop } = await followLogs(rt.stack(), args, (lines) => session.emit('logs:lines', lines));
      session.follow('logs', stop);
      return { following };
    },
    'logs:stop': (_args, session) => {
      session.unfollow('logs');
      return { following: [] };
    },
  } satisfies Partial<Handlers>;
}
