// What the vitals cost: the CPU of this process (the app's side: the one-shot stats reads and
// their sums) and of the engine (dockerd, containerd and the containers' shims, which answer
// them), over a window with vitals on (4 services read every 5 s, as the app does) against the
// same window with them off; target: at most 1 % of one core more. Windows alternate (on, off,
// off again for the A/A line), at least seven rounds; each figure is the CPU used in the window
// as a percentage of one core. The keeper reads as the app does on this machine's own engine (the
// containers' cgroups); READER=api reads the Engine API's one-shot stats instead, as it does for
// an engine elsewhere (first measured here: 1.50 % of a core, 1.10 of it the engine's).
// Run: npm run bench:vitals  (ROUNDS, WINDOW_S, INTERVAL_MS, READER; NODE_IMAGE as for npm test.)
import fs from 'node:fs';
import Docker from 'dockerode';
import { VitalsKeeper } from '../main/stack/vitals.js';
import { alternate, roundsFromEnv, spread, summarize } from './lib.js';

const ROUNDS = roundsFromEnv();
const WINDOW_S = Number(process.env.WINDOW_S ?? 20);
const INTERVAL_MS = Number(process.env.INTERVAL_MS ?? 5000);
const SERVICES = 4;
const IMAGE = process.env.NODE_IMAGE ?? 'obsdeck-local/node:latest';
const READER = process.env.READER === 'api' ? 'api' : 'cgroup';
const docker = new Docker();
const TICK_MS = 1000 / 100; // USER_HZ: /proc counts CPU time in hundredths of a second

/** CPU milliseconds used so far by the engine's processes (dockerd, containerd, every shim). */
function engineCpuMs(): number {
  let ticks = 0;
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      if (!/^(dockerd|containerd|containerd-shim.*)$/.test(comm)) continue;
      // Fields after the command's closing parenthesis: utime is the 12th, stime the 13th.
      const rest = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(rest[11]) + Number(rest[12]);
    } catch {
      // gone between the listing and the read
    }
  }
  return ticks * TICK_MS;
}

const ownCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

interface Window { app: number; engine: number; total: number }

/** One window of WINDOW_S seconds, with the keeper sampling or not: CPU as % of one core. */
async function window(keeper: VitalsKeeper | undefined): Promise<Window> {
  const a0 = ownCpuMs();
  const e0 = engineCpuMs();
  keeper?.start();
  await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
  keeper?.stop();
  // A round still reading finishes inside the window it began in.
  await new Promise((r) => setTimeout(r, 200));
  const app = ((ownCpuMs() - a0) / (WINDOW_S * 1000)) * 100;
  const engine = ((engineCpuMs() - e0) / (WINDOW_S * 1000)) * 100;
  return { app, engine, total: app + engine };
}

const ids = new Map<string, string>();
try {
  await docker.getImage(IMAGE).inspect().catch(() => {
    throw new Error(`${IMAGE} is not on this engine: run \`npm test\` once (it builds the local images), or set NODE_IMAGE`);
  });
  for (let i = 0; i < SERVICES; i++) {
    const name = `obsdeck-bench-vitals-${i}`;
    await docker.getContainer(name).remove({ force: true }).catch(() => undefined);
    // An idle service, like the stack's between scrapes: a timer and some memory.
    const c = await docker.createContainer({ name, Image: IMAGE, Cmd: ['-e', 'const keep = Buffer.alloc(8 << 20, 1); setInterval(() => keep[0]++, 1000)'], HostConfig: { NetworkMode: 'none' }, Labels: { 'org.obsdeck.bench': 'vitals' } });
    await c.start();
    ids.set(`service${i}`, c.id);
  }
  const keeper = new VitalsKeeper({ docker: () => docker, running: async () => ids, sampled: () => undefined, local: () => READER === 'cgroup' }, INTERVAL_MS);
  await keeper.sample(); // the first read of each container (connections, the engine's caches) is not the steady cost
  console.log(`${SERVICES} services, vitals every ${INTERVAL_MS / 1000} s read from ${READER === 'api' ? 'the Engine API' : 'their cgroups'}, windows of ${WINDOW_S} s; CPU in % of one core (app + dockerd/containerd/shims)`);
  const parts: { on: Window[]; off: Window[]; again: Window[] } = { on: [], off: [], again: [] };
  const r = await alternate(ROUNDS,
    async () => { const w = await window(keeper); parts.on.push(w); return w.total; },
    async () => { const w = await window(undefined); (parts.off.length > parts.again.length ? parts.again : parts.off).push(w); return w.total; },
    (n, on, off, off2) => console.log(`round ${n}: on ${on.toFixed(2)} %, off ${off.toFixed(2)} % / ${off2.toFixed(2)} %`));
  summarize({ ours: 'vitals on', theirs: 'vitals off', unit: '% of one core over a window, lower is better' }, r.ours, r.theirs, r.again, (x) => `${x.toFixed(2)} %`);
  const extra = spread(r.ours.map((x, i) => x - r.theirs[i]!));
  const noise = spread(r.theirs.map((x, i) => x - r.again[i]!));
  const f = (s: { min: number; median: number; max: number }) => `min ${s.min.toFixed(2)}  median ${s.median.toFixed(2)}  max ${s.max.toFixed(2)}`;
  console.log(`\nthe vitals' cost, on − off per round (% of one core): ${f(extra)}   target: ≤ 1.00`);
  console.log(`  of which the app:    ${f(spread(parts.on.map((w, i) => w.app - parts.off[i]!.app)))}`);
  console.log(`  of which the engine: ${f(spread(parts.on.map((w, i) => w.engine - parts.off[i]!.engine)))}`);
  console.log(`A/A off − off again per round:                      ${f(noise)}   (the noise)`);
  console.log(extra.median <= 1 ? 'within the target' : 'OVER the target of 1 % of one core');
} finally {
  for (const id of ids.values()) await docker.getContainer(id).remove({ force: true }).catch(() => undefined);
}
