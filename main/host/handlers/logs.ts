// Logs: the last lines, or a live follow that belongs to the asking session (a new follow
// replaces its old one; `logs:stop` and the session's end stop it).
import type { LogLine } from '../../contract.js';
import { followLogs, tailLogs } from '../../stack/follow.js';
import type { Handlers } from '../router.js';
import type { Runtime } from '../runtime.js';

export function logsHandlers(rt: Runtime) {
  // The target's sources: on Swarm each service's tasks, each line naming its task.
  const source = () => rt.target().logSources();
  return {
    'logs:tail': ({ services, tail }) => tailLogs(source(), services, tail ?? 200),
    'logs:follow': async (args, session) => {
      session.unfollow('logs');
      // The streams end when the engine does; when it is back they start again from the last
      // line delivered (lines at or before it are not sent twice), so a page keeps following.
      let last: string | undefined;
      const deliver = (lines: LogLine[]) => {
        const fresh = last === undefined ? lines : lines.filter((l) => l.time > last!);
        if (!fresh.length) return;
        last = fresh.reduce((t, l) => (l.time > t ? l.time : t), last ?? '');
        session.emit('logs:lines', fresh);
      };
      let current = await followLogs(source(), args, deliver);
      let stopped = false;
      const off = rt.onEngineBack(() => {
        current.stop();
        const resume = last === undefined ? args : { ...args, since: last, tail: undefined };
        void followLogs(source(), resume, deliver).then((again) => {
          if (stopped) again.stop();
          else current = again;
        }, () => undefined);
      });
      session.follow('logs', () => {
        stopped = true;
        off();
        current.stop();
      });
      return { following: current.following };
    },
    'logs:stop': (_args, session) => {
      session.unfollow('logs');
      return { following: [] };
    },
  } satisfies Partial<Handlers>;
}
