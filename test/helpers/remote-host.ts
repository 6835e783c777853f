// A "remote" Docker host made on this machine for the remote-engine test, reached only through
// addresses this helper assigns: a network namespace of its own, a veth pair (10.213.N.1 here,
// 10.213.N.2 there), a second dockerd inside it (its own data root, exec root and socket), and
// an sshd inside it that takes only a key generated here and sets DOCKER_HOST for the session (so
// `docker system dial-stdio` reaches that dockerd). The images are copied into it with the
// Engine API's save and load. stop() removes all of it. Needs root, iproute2, sshd and dockerd.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';

export interface RemoteHost {
  address: string;
  /** DOCKER_HOST for it: ssh://root@address */
  endpoint: string;
  /** The client key and a known_hosts file holding the host's key. */
  keyFile: string;
  knownHosts: string;
  /** The remote dockerd's own socket (for the test's checks; the app goes through SSH). */
  docker: Docker;
  stop(): Promise<void>;
}

/** Why this machine cannot make such a host, or undefined when it can. */
export function cannotMakeRemoteHost(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root: network namespaces and a second dockerd need root';
  for (const bin of ['/usr/bin/nsenter', '/usr/sbin/ip', '/usr/sbin/sshd', '/usr/bin/ssh-keygen', '/usr/sbin/dockerd', '/usr/bin/docker']) {
    if (!fs.existsSync(bin)) return `${bin} is missing (npm test installs iproute2, openssh-server and docker.io on Debian)`;
  }
  try {
    execFileSync('ip', ['netns', 'add', `obsdeck-probe-${process.pid}`], { stdio: 'pipe' });
    execFileSync('ip', ['netns', 'del', `obsdeck-probe-${process.pid}`], { stdio: 'pipe' });
  } catch (err) {
    return `network namespaces cannot be made here (${(err as { stderr?: Buffer }).stderr?.toString().trim() ?? String(err)})`;
  }
  return undefined;
}

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: 'pipe' }).toString();

export async function makeRemoteHost(images: string[]): Promise<RemoteHost> {
  const n = 100 + (process.pid % 150);
  const ns = `obsdeck-rh-${process.pid}`;
  const [here, there] = [`obh${process.pid % 100000}`, `obr${process.pid % 100000}`];
  const address = `10.213.${n}.2`;
  // Short: containerd's socket path under the exec root must stay under 108 bytes.
  const dir = fs.mkdtempSync('/tmp/obrh-');
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
    run('ip', ['link', 'add', here, 'type', 'veth', 'peer', 'name', there]);
    undo.push(() => run('ip', ['link', 'del', here]));
    run('ip', ['link', 'set', there, 'netns', ns]);
    run('ip', ['addr', 'add', `10.213.${n}.1/30`, 'dev', here]);
    run('ip', ['link', 'set', here, 'up']);
    run('ip', ['netns', 'exec', ns, 'ip', 'addr', 'add', `${address}/30`, 'dev', there]);
    run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', there, 'up']);
    run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);

    // The second engine.
    const socket = path.join(dir, 'docker.sock');
    const log = fs.openSync(path.join(dir, 'dockerd.log'), 'a');
    // nsenter, not `ip netns exec`: that one also remounts /sys for the namespace, and dockerd
    // then finds no cgroups ("Devices cgroup isn't mounted").
    dockerd = spawn('nsenter', [`--net=/var/run/netns/${ns}`, 'dockerd', '--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'x'), '-H', `unix://${socket}`,
      '--pidfile', path.join(dir, 'docker.pid'), '--bip', '172.31.250.1/24', '--userland-proxy=true'], { stdio: ['ignore', log, log] });
    const docker = new Docker({ socketPath: socket });
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (await docker.ping().then(() => true, () => false)) break;
      if (dockerd.exitCode !== null || Date.now() > deadline) throw new Error(`the remote dockerd did not start: ${fs.readFileSync(path.join(dir, 'dockerd.log'), 'utf8').slice(-1500)}`);
      await new Promise((r) => setTimeout(r, 300));
    }

    // sshd, with keys made here; the session's DOCKER_HOST is that engine's socket.
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'host_key')]);
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'id')]);
    fs.writeFileSync(path.join(dir, 'authorized_keys'), `environment="DOCKER_HOST=unix://${socket}" ${fs.readFileSync(path.join(dir, 'id.pub'), 'utf8')}`, { mode: 0o600 });
    fs.writeFileSync(path.join(dir, 'sshd_config'), [
      `ListenAddress ${address}:22`, `HostKey ${path.join(dir, 'host_key')}`, `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'UsePAM no', 'StrictModes no',
      'PermitUserEnvironment yes', 'AllowTcpForwarding local', 'X11Forwarding no', `PidFile ${path.join(dir, 'sshd.pid')}`,
    ].join('\n') + '\n');
    fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    run('nsenter', [`--net=/var/run/netns/${ns}`, '/usr/sbin/sshd', '-f', path.join(dir, 'sshd_config'), '-E', path.join(dir, 'sshd.log')]);
    undo.push(() => process.kill(Number(fs.readFileSync(path.join(dir, 'sshd.pid'), 'utf8').trim()), 'SIGTERM'));
    const knownHosts = path.join(dir, 'known_hosts');
    fs.writeFileSync(knownHosts, `${address} ${fs.readFileSync(path.join(dir, 'host_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ')}\n`);

    // The images, through the Engine API's save and load.
    const local = new Docker();
    for (const image of images) {
      const tar = await local.getImage(image).get();
      const loaded = await docker.loadImage(tar);
      await new Promise((resolve, reject) => docker.modem.followProgress(loaded, (err) => (err ? reject(err) : resolve(undefined))));
    }
    return { address, endpoint: `ssh://root@${address}`, keyFile: path.join(dir, 'id'), knownHosts, docker, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
