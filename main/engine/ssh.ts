// A Docker engine on another machine over SSH (DOCKER_HOST=ssh://user@host, or a context naming
// one), as the docker CLI reaches it: the engine's API through `docker system dial-stdio` on the
// remote (docker-modem does that), authenticated by the SSH agent or a key file, and only when
// the host's key is the one in ~/.ssh/known_hosts (never trusted on first use: a machine in the
// middle would get the engine, which is root on that host). PortForwards then makes each port
// the stack publishes on the remote's 127.0.0.1 answer on this machine's 127.0.0.1 at the same
// number, through the same kind of SSH connection, as `ssh -L` does, so the probes, the
// Prometheus and Alertmanager clients, the traffic generator and the pages work unchanged.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, type ConnectConfig } from 'ssh2';

export interface SshEndpoint { host: string; port: number; username: string }

export function parseSsh(endpoint: string, env: NodeJS.ProcessEnv = process.env): SshEndpoint {
  const url = new URL(endpoint);
  if (url.protocol !== 'ssh:') throw new Error(`${endpoint} is not an ssh:// endpoint`);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : 22, username: decodeURIComponent(url.username) || env.USER || os.userInfo().username };
}

/** The name known_hosts files use for a host: the host, or [host]:port off port 22. */
const knownName = (ep: SshEndpoint) => (ep.port === 22 ? ep.host : `[${ep.host}]:${ep.port}`);

/** The keys known_hosts holds for this host (plain and hashed entries; @revoked ones are left out). */
export function knownKeys(text: string, ep: SshEndpoint): Buffer[] {
  const name = knownName(ep);
  const keys: Buffer[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('@revoked')) continue;
    const fields = line.replace(/^@cert-authority\s+/, '').split(/\s+/);
    if (fields.length < 3) continue;
    const [hosts, , key] = fields as [string, string, string];
    const matches = hosts.split(',').some((h) => {
      if (h.startsWith('|1|')) {
        const [, , salt, hash] = h.split('|');
        return !!salt && !!hash && crypto.createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
      }
      return h === name;
    });
    if (matches) keys.push(Buffer.from(key, 'base64'));
  }
  return keys;
}

export class HostKeyUnknown extends Error {}

/** How to log in to the host: the agent and a key file, and the host-key check against known_hosts. */
export function sshConfig(ep: SshEndpoint, env: NodeJS.ProcessEnv = process.env, home = os.homedir()): ConnectConfig & { failure: () => string | undefined } {
  const keyFile = env.OBSDECK_SSH_KEY ?? ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => path.join(home, '.ssh', f)).find((f) => fs.existsSync(f));
  const knownHosts = env.OBSDECK_SSH_KNOWN_HOSTS ?? path.join(home, '.ssh', 'known_hosts');
  let failure: string | undefined;
  return {
    host: ep.host,
    port: ep.port,
    username: ep.username,
    ...(env.SSH_AUTH_SOCK ? { agent: env.SSH_AUTH_SOCK } : {}),
    ...(keyFile && fs.existsSync(keyFile) ? { privateKey: fs.readFileSync(keyFile) } : {}),
    readyTimeout: 10_000,
    keepaliveInterval: 15_000,
    hostVerifier: (key: Buffer) => {
      const text = fs.existsSync(knownHosts) ? fs.readFileSync(knownHosts, 'utf8') : '';
      const known = knownKeys(text, ep);
      if (known.some((k) => k.equals(key))) return true;
      failure = known.length
        ? `the host key of ${knownName(ep)} is not the one in ${knownHosts}: someone may be in the middle, or the host was reinstalled; check it before you replace that line`
        : `the host key of ${knownName(ep)} is not in ${knownHosts}; check the key and add it (ssh-keyscan${ep.port === 22 ? '' : ` -p ${ep.port}`} ${ep.host} >> ${knownHosts})`;
      return false;
    },
    failure: () => failure,
  };
}

/** One SSH connection carrying local port forwards (ssh -L 127.0.0.1:P:127.0.0.1:P), reconnected when it drops. */
export class PortForwards {
  private client?: Promise<Client>;
  private readonly servers = new Map<number, net.Server>();
  private closed = false;

  constructor(private readonly config: ConnectConfig) {}

  private connection(): Promise<Client> {
    this.client ??= new Promise<Client>((resolve, reject) => {
      const c = new Client();
      c.once('ready', () => resolve(c));
      c.once('error', (err) => {
        this.client = undefined;
        reject(err);
      });
      c.once('close', () => {
        this.client = undefined;
      });
      c.connect(this.config);
    });
    return this.client;
  }

  /** The ports forwarded now. */
  get ports(): number[] {
    return [...this.servers.keys()];
  }

  /**
   * Listens on 127.0.0.1:`port` here and carries each connection to 127.0.0.1:`port` on the
   * remote. Fails, naming the port and `what`, when the port is taken here.
   */
  async forward(port: number, what: string): Promise<void> {
    if (this.closed || this.servers.has(port)) return;
    const server = net.createServer((socket) => {
      socket.on('error', () => socket.destroy());
      this.connection().then((c) => c.forwardOut('127.0.0.1', socket.remotePort ?? 0, '127.0.0.1', port, (err, channel) => {
        if (err) {
          socket.destroy(); // nothing listens there yet: the client sees a closed connection, as with a port not yet open
          return;
        }
        channel.on('error', () => socket.destroy());
        socket.pipe(channel).pipe(socket);
        socket.on('close', () => channel.close());
      }), () => socket.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE'
        ? new Error(`port ${port} on this machine is taken, so ${what} on the remote engine cannot be forwarded to it; free it, or publish ${what} on another port`)
        : err));
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.servers.set(port, server);
  }

  close(): void {
    this.closed = true;
    for (const s of this.servers.values()) s.close();
    this.servers.clear();
    void this.client?.then((c) => c.end(), () => undefined);
  }
}
