// Offline, the upstream images cannot be pulled; `npm run images:local` (and `npm start` on a
// machine without a registry) builds stand-ins from Debian's packages. When a service's image is
// neither on the engine nor pullable and its stand-in is, the stack runs the stand-in, and the
// status says so ("offline: using stand-in …").
import type Docker from 'dockerode';
import type { StackSpec } from './compose.js';

/** The stand-in of each service that has one (scripts/images-local.ts builds them). */
export const STAND_INS: Record<string, string> = {
  prometheus: 'obsdeck-local/prometheus:latest',
  alertmanager: 'obsdeck-local/alertmanager:latest',
};

const present = (docker: Docker, tag: string) => docker.getImage(tag).inspect().then(() => true, () => false);
/** Whether the registry answers for `tag` (offline: a quick DNS failure). */
const pullable = (docker: Docker, tag: string) => docker.getImage(tag).distribution().then(() => true, () => false);

/** Puts the stand-ins in where the upstream images cannot be had; returns the services changed. */
export async function useStandIns(docker: Docker, spec: StackSpec): Promise<string[]> {
  const changed: string[] = [];
  for (const s of spec.services) {
    const standIn = STAND_INS[s.name];
    if (!standIn || s.image === standIn || (await present(docker, s.image))) continue;
    if (!(await present(docker, standIn)) || (await pullable(docker, s.image))) continue;
    s.standInFor = s.image;
    s.image = standIn;
    changed.push(s.name);
  }
  return changed;
}
