// A "remote" Docker host made on this machine for the remote-engine test, reached only through
// addresses this helper assigns: a network namespace of its own, a veth pair (10.213.N.1 here,
// 10.213.N.2 there), a second dockerd inside it (its own data root, exec root and socket), and
// an sshd inside it that takes only a key generated here and sets DOCKER_HOST for the session (so
// `docker system dial-stdio` reaches that dockerd). The images are copied into it with the
// Engine API's save and load (netns-engine.ts). stop() removes all of it. Needs root, iproute2, sshd and dockerd.
import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { cannotMakeNetnsEngine, makeNetnsEngine, run } from './netns-engine.js';

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
  return cannotMakeNetnsEngine(['/usr/sbin/sshd', '/usr/bin/ssh-keygen', '/usr/bin/docker']);
}

export async function makeRemoteHost(images: string[]): Promise<RemoteHost> {
  const n = 100 + (process.pid % 150);
  const [here, there] = [`obh${process.pid % 100000}`, `obr${process.pid % 100000}`];
  const address = `10.213.${n}.2`;
  const engine = await makeNetnsEngine('obsdeck-rh', images, { bip: '172.31.250.1/24' });
  const { ns, dir, socket, docker, undo, stop } = engine;
  try {
    run('ip', ['link', 'add', here, 'type', 'veth', 'peer', 'name', there]);
    undo.push(() => run('ip', ['link', 'del', here]));
    run('ip', ['link', 'set', there, 'netns', ns]);
    run('ip', ['addr', 'add', `10.213.${n}.1/30`, 'dev', here]);
    run('ip', ['link', 'set', here, 'up']);
    run('ip', ['netns', 'exec', ns, 'ip', 'addr', 'add', `${address}/30`, 'dev', there]);
    run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', there, 'up']);

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

    return { address, endpoint: `ssh://root@${address}`, keyFile: path.join(dir, 'id'), knownHosts, docker, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
