// A service's image before Start: present, or built from its build context, or pulled, each
// step reported with its progress.
import type Docker from 'dockerode';
import type { StackEvent } from '../contract.js';
import { buildImage } from '../engine/build.js';
import { followProgress } from '../engine/deadline.js';
import type { ServiceSpec } from './compose.js';

type OnEvent = (e: StackEvent) => void;

export async function ensureImage(docker: Docker, s: ServiceSpec, on: OnEvent): Promise<void> {
  if (await docker.getImage(s.image).inspect().then(() => true, () => false)) {
    on({ step: 'image', service: s.name, state: 'skipped', message: `${s.image} is present` });
    return;
  }
  if (s.build) {
    on({ step: 'image', service: s.name, state: 'started', message: `building ${s.image} from ${s.build.context}` });
    let n = 0;
    await buildImage(docker, {
      tag: s.image, contextDir: s.build.context, dockerfile: s.build.dockerfile, buildargs: s.build.args,
      onLine: (line) => {
        const m = /^Step (\d+)\/(\d+)/.exec(line);
        if (m) n = Number(m[1]);
        on({ step: 'image', service: s.name, state: 'progress', message: line, ...(m ? { progress: { current: n, total: Number(m[2]) } } : {}) });
      },
    });
    on({ step: 'image', service: s.name, state: 'done', message: `built ${s.image}` });
    return;
  }
  on({ step: 'image', service: s.name, state: 'started', message: `pulling ${s.image}` });
  const stream = await docker.pull(s.image);
  const layers = new Map<string, { current: number; total: number }>();
  await followProgress<{ id?: string; status?: string; progressDetail?: { current?: number; total?: number } }>(docker, stream, `pulling ${s.image}`, (e) => {
    if (e.id && e.progressDetail?.total) layers.set(e.id, { current: e.progressDetail.current ?? 0, total: e.progressDetail.total });
    const current = [...layers.values()].reduce((a, l) => a + l.current, 0);
    const total = [...layers.values()].reduce((a, l) => a + l.total, 0);
    on({ step: 'image', service: s.name, state: 'progress', message: `${e.id ? `${e.id}: ` : ''}${e.status ?? ''}`, ...(total ? { progress: { current, total } } : {}) });
  });
  on({ step: 'image', service: s.name, state: 'done', message: `pulled ${s.image}` });
}
