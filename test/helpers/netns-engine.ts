// A second Docker engine on this machine, in a network namespace of its own: its own data root,
// exec root and socket, and (without `bip`) a first start exactly as on a freshly installed
// machine — no docker0 in that namespace yet, so the default bridge's inspect names no Gateway.
// The images are copied in with the Engine API's save and load. Used by the remote-engine test
// (with an sshd in front) and the fresh-engine test. Needs root, iproute2, nsenter and dockerd.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';

export const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: 'pipe' }).toString();

/** Why this machine cannot make such an engine, or undefined when it can. */
export function cannotMakeNetnsEngine(extraBins: string[] = []): string | undefined {
  if (process.getuid?.() !== 0) return 'not root: network namespaces and a second dockerd need root';
  for (const bin of ['/usr/bin/nsenter', '/usr/sbin/ip', '/usr/sbin/dockerd', ...extraBins]) {
    if (!fs.existsSync(bin)) return `${bin} is missing (npm test installs iproute2, openssh-server and docker.io on Debian)`;
  }
  try {
    run('ip', ['netns', 'add', `obsdeck-probe-${process.pid}`]);
    run('ip', ['netns', 'del', `obsdeck-probe-${process.pid}`]);
  } catch (err) {
    return `network namespaces cannot be made here (${(err as { stderr?: Buffer }).stderr?.toString().trim() ?? String(err)})`;
  }
  return undefined;
}

export interface NetnsEngine {
  ns: string;
  /** A scratch directory of its own (removed by stop()). */
  dir: string;
  socket: string;
  docker: Docker;
  /** Runs something later undone by stop(), newest first. */
  undo: (() => void)[];
  stop: () => Promise<void>;
}

/**
 * `bip`: the default bridge's address (the remote test sets one so its subnet cannot meet this
 * machine's); leave it out for a first start as a fresh install has it.
 */
export async function makeNetnsEngine(name: string, images: string[], opts: { bip?: string } = {}): Promise<NetnsEngine> {
  const ns = `${name}-${process.pid}`;
  // Short: containerd's socket path under the exec root must stay under 108 bytes.
  const dir = fs.mkdtempSync('/tmp/obne-');
  const undo: (() => void)[] = [];
  let dockerd: ChildProcess | undefined;
  const stop = async () => {
    if (dockerd && dockerd.exitCode === null) {
      dockerd.kill('SIGTERM');
      await new Promise((r) => dockerd!.once('exit', r)).catch(() => undefined);
    }
    for (const u of undo.reverse()) {
      try {
        u();
      } catch { /* best effort: the rest still goes */ }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    run('ip', ['netns', 'add', ns]);
    undo.push(() => run('ip', ['netns', 'del', ns]));
    run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
    const socket = path.join(dir, 'docker.sock');
    const log = fs.openSync(path.join(dir, 'dockerd.log'), 'a');
    // nsenter, not `ip netns exec`: that one also remounts /sys for the namespace, and dockerd
    // then finds no cgroups ("Devices cgroup isn't mounted").
    dockerd = spawn('nsenter', [`--net=/var/run/netns/${ns}`, 'dockerd', '--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'x'), '-H', `unix://${socket}`,
      '--pidfile', path.join(dir, 'docker.pid'), ...(opts.bip ? ['--bip', opts.bip] : []), '--userland-proxy=true'], { stdio: ['ignore', log, log] });
    const docker = new Docker({ socketPath: socket });
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (await docker.ping().then(() => true, () => false)) break;
      if (dockerd.exitCode !== null || Date.now() > deadline) throw new Error(`the second dockerd did not start: ${fs.readFileSync(path.join(dir, 'dockerd.log'), 'utf8').slice(-1500)}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    const local = new Docker();
    for (const image of images) {
      const tar = await local.getImage(image).get();
      const loaded = await docker.loadImage(tar);
      await new Promise((resolve, reject) => docker.modem.followProgress(loaded, (err) => (err ? reject(err) : resolve(undefined))));
    }
    return { ns, dir, socket, docker, undo, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
