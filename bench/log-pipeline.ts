// Log throughput: a container prints LINES lines as fast as it can; then its whole log is read
// through Obsdeck's pipeline (demultiplex, split into lines, timestamps, a filter) and by
// `docker logs -f > /dev/null`, alternating rounds. Prints lines per second of each, the ratio
// (target ≥ 1.0: at least as fast as the docker CLI) and the peak memory (RSS) of this process while it reads.
// Run: npm run bench:logs  (LINES, ROUNDS and NODE_IMAGE override.)
import { spawn } from 'node:child_process';
import Docker from 'dockerode';
import { containerBatches } from '../main/stack/logs.js';
import { alternate, roundsFromEnv, summarize } from './lib.js';

const LINES = Number(process.env.LINES ?? 300_000);
const ROUNDS = roundsFromEnv();
const IMAGE = process.env.NODE_IMAGE ?? 'obsdeck-local/node:latest';
const docker = new Docker();

const container = await docker.createContainer({
  Image: IMAGE,
  Entrypoint: ['/usr/local/bin/node', '-e', `const line = 'level=info msg="a chatty container says something of moderate length" n=';
let buf = ''; for (let i = 0; i < ${LINES}; i++) { buf += line + i + '\\n'; if (buf.length > 65536) { process.stdout.write(buf); buf = ''; } } process.stdout.write(buf);`],
  Labels: { 'org.obsdeck.bench': 'true' },
});
try {
  await container.start();
  await container.wait();

  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const ours = async () => {
    const t = performance.now();
    let n = 0;
    for await (const batch of containerBatches(container, 'bench', { follow: true, grep: 'msg=' })) for (const l of batch) if (l.text) n++;
    if (n !== LINES) throw new Error(`read ${n} lines, expected ${LINES}`);
    return LINES / ((performance.now() - t) / 1000);
  };
  const theirs = () => new Promise<number>((resolve, reject) => {
    const t = performance.now();
    const p = spawn('docker', ['logs', '-f', container.id], { stdio: ['ignore', 'ignore', 'ignore'] });
    p.on('error', reject);
    p.on('exit', () => resolve(LINES / ((performance.now() - t) / 1000)));
  });
  const fmt = (x: number) => Math.round(x).toLocaleString('en');
  const { ours: a, theirs: b, again } = await alternate(ROUNDS, ours, theirs, (round, x, y, y2) =>
    console.log(`round ${round}: obsdeck ${fmt(x)} lines/s, docker logs -f ${fmt(y)} and ${fmt(y2)} lines/s`));
  clearInterval(sampler);
  const { ratio } = summarize({ ours: 'obsdeck', theirs: 'docker logs -f', unit: `lines/s over ${LINES.toLocaleString('en')} lines, higher is better` }, a, b, again, fmt);
  console.log(`median ratio obsdeck / docker logs: ${ratio.median.toFixed(2)} (target ≥ 1.00: ${ratio.median >= 1 ? 'met' : 'not met'})`);
  console.log(`peak RSS of this process while reading: ${(peak / 2 ** 20).toFixed(0)} MiB`);
} finally {
  await container.remove({ force: true });
}
