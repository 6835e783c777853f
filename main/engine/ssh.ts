// A Docker engine on another machine over SSH (DOCKER_HOST=ssh://user@host, or a context naming
// one), as the docker CLI reaches it: the engine's API through `docker system dial-stdio` on the
// remote (docker-modem does that), authenticated by the SSH agent or a key file, and only when
// the host's key is the one in ~/.ssh/known_hosts (never trusted on first use: a machine in the
// middle would get the engine, which is root on that host). PortForwards then makes each port
// the stack publishes on the remote's 127.0.0.1 answer on this machine's 127.0.0.1 at the same
// number (or, where that port is taken here, at one the system picks, which every URL the app
// makes then follows), through the same kind of SSH connection, as `ssh -L` does, so the probes,
// the Prometheus and Alertmanager clients, the traffic generator and the pages work unchanged.
import crypto from 'node:crypto';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import ssh2, { Client, type ConnectConfig } from 'ssh2';

export interface SshEndpoint { host: string; port: number; username: string }

export function parseSsh(endpoint: string, env: NodeJS.ProcessEnv = process.env): SshEndpoint {
  const url = new URL(endpoint);
  if (url.protocol !== 'ssh:') throw new Error(`${endpoint} is not an ssh:// endpoint`);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : 22, username: decodeURIComponent(url.username) || env.USER || os.userInfo().username };
}

/**
 * The name known_hosts files use for a host: the host, or [host]:port off port 22; lower-cased,
 * as OpenSSH does before it compares (a host typed in capitals is the same host).
 */
const knownName = (ep: SshEndpoint) => (ep.port === 22 ? ep.host : `[${ep.host}]:${ep.port}`).toLowerCase();

/** Whether one known_hosts host pattern (plain with * and ?, or |1| hashed) names `name`. */
function patternMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    return !!salt && !!hash && crypto.createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  const glob = new RegExp(`^${pattern.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return glob.test(name);
}

/** Whether a known_hosts line's host list names `name` (a !negated pattern that matches rules it out). */
function listMatches(hosts: string, name: string): boolean {
  const patterns = hosts.split(',');
  if (patterns.some((p) => p.startsWith('!') && patternMatches(p.slice(1), name))) return false;
  return patterns.some((p) => !p.startsWith('!') && patternMatches(p, name));
}

/**
 * What known_hosts says of this host: the keys it may present, and the keys it must not
 * (@revoked). A @cert-authority line names a CA that signs host certificates, not a host key:
 * Obsdeck does not take host certificates, so such a line lets nothing on.
 */
export function hostKeys(text: string, ep: SshEndpoint): { keys: Buffer[]; revoked: Buffer[] } {
  const name = knownName(ep);
  const keys: Buffer[] = [];
  const revoked: Buffer[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const marker = /^@(\S+)\s+/.exec(line);
    const fields = line.slice(marker ? marker[0].length : 0).split(/\s+/);
    if (fields.length < 3) continue;
    const [hosts, , key] = fields as [string, string, string];
    if (!listMatches(hosts, name)) continue;
    if (marker?.[1] === 'revoked') revoked.push(Buffer.from(key, 'base64'));
    else if (!marker) keys.push(Buffer.from(key, 'base64'));
  }
  return { keys, revoked };
}

/** The keys known_hosts holds for this host (plain, wildcard and hashed entries; none that is revoked). */
export function knownKeys(text: string, ep: SshEndpoint): Buffer[] {
  const { keys, revoked } = hostKeys(text, ep);
  return keys.filter((k) => !revoked.some((r) => r.equals(k)));
}

export class HostKeyUnknown extends Error {}

/** How to log in to the host: the agent and a key file, and the host-key check against known_hosts. */
export function sshConfig(ep: SshEndpoint, env: NodeJS.ProcessEnv = process.env, home = os.homedir()): ConnectConfig & { failure: () => string | undefined } {
  const keyFile = env.OBSDECK_SSH_KEY ?? ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => path.join(home, '.ssh', f)).find((f) => fs.existsSync(f));
  const knownHosts = env.OBSDECK_SSH_KNOWN_HOSTS ?? path.join(home, '.ssh', 'known_hosts');
  // A key file protected by a passphrase cannot be used here (nothing asks for it), and handed to
  // the SSH client it fails every connection, also when the agent holds that key: it is left to
  // the agent, and said when there is none.
  const keyData = keyFile && fs.existsSync(keyFile) ? fs.readFileSync(keyFile) : undefined;
  const encrypted = keyData !== undefined && ssh2.utils.parseKey(keyData) instanceof Error;
  let failure: string | undefined = encrypted && !env.SSH_AUTH_SOCK
    ? `the key ${keyFile} is protected by a passphrase and no SSH agent runs: add it to an agent (\`eval $(ssh-agent) && ssh-add ${keyFile}\`) or set OBSDECK_SSH_KEY to a key without one`
    : undefined;
  return {
    host: ep.host,
    port: ep.port,
    username: ep.username,
    ...(env.SSH_AUTH_SOCK ? { agent: env.SSH_AUTH_SOCK } : {}),
    ...(keyData && !encrypted ? { privateKey: keyData } : {}),
    readyTimeout: 10_000,
    keepaliveInterval: 15_000,
    hostVerifier: (key: Buffer) => {
      const text = fs.existsSync(knownHosts) ? fs.readFileSync(knownHosts, 'utf8') : '';
      const { revoked } = hostKeys(text, ep);
      const known = knownKeys(text, ep);
      if (revoked.some((k) => k.equals(key))) {
        failure = `the host key of ${knownName(ep)} is marked @revoked in ${knownHosts}: refused`;
        return false;
      }
      if (known.some((k) => k.equals(key))) return true;
      failure = known.length
        ? `the host key of ${knownName(ep)} is not the one in ${knownHosts}: someone may be in the middle, or the host was reinstalled; check it before you replace that line`
        : `the host key of ${knownName(ep)} is not in ${knownHosts}; check the key and add it (ssh-keyscan${ep.port === 22 ? '' : ` -p ${ep.port}`} ${ep.host} >> ${knownHosts})`;
      return false;
    },
    failure: () => failure,
  };
}

/**
 * One SSH connection carrying local port forwards (ssh -L 127.0.0.1:L:127.0.0.1:P), reconnected
 * when it drops. L is P when that port is free here, else one the system chooses: the user's
 * fixed port is theirs to keep, and whoever holds it must never be handed the stack's traffic.
 */
export class PortForwards {
  private client?: Promise<Client>;
  private readonly servers = new Map<number, { server: net.Server; local: number }>();
  /** Forwards being set up, so that two callers at once share one listener. */
  private readonly opening = new Map<number, Promise<number>>();
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

  /** The remote ports forwarded now. */
  get ports(): number[] {
    return [...this.servers.keys()];
  }

  /** Where this machine reaches the remote's `port`, once it is forwarded. */
  local(port: number): number | undefined {
    return this.servers.get(port)?.local;
  }

  /**
   * Listens on 127.0.0.1 here — at `port` when it is free, else at a port the system chooses —
   * and carries each connection to 127.0.0.1:`port` on the remote. Resolves to the port it
   * listens on.
   */
  forward(port: number): Promise<number> {
    const known = this.servers.get(port);
    if (known) return Promise.resolve(known.local);
    let opening = this.opening.get(port);
    if (!opening) {
      opening = this.listenFor(port).finally(() => this.opening.delete(port));
      this.opening.set(port, opening);
    }
    return opening;
  }

  private async listenFor(port: number): Promise<number> {
    if (this.closed) throw new Error('the SSH connection to the remote engine is closed');
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
    const listen = (at: number) => new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(at, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    await listen(port).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      return listen(0); // the user's port is someone else's here: the system picks one
    });
    const local = (server.address() as net.AddressInfo).port;
    if (this.closed) {
      server.close();
      throw new Error('the SSH connection to the remote engine is closed');
    }
    this.servers.set(port, { server, local });
    return local;
  }

  close(): void {
    this.closed = true;
    for (const s of this.servers.values()) s.server.close();
    this.servers.clear();
    void this.client?.then((c) => c.end(), () => undefined);
  }
}

/** dial-stdio sessions a shared SSH connection carries before another is opened (sshd's MaxSessions is 10). */
const CHANNELS_PER_CONNECTION = 8;
/** Socket channels are not sessions (MaxSessions does not count them): one connection carries them all, within reason. */
const SOCKET_CHANNELS_PER_CONNECTION = 64;

/**
 * Where the remote's docker CLI would connect, asked once (`docker context inspect`, which
 * follows the session's DOCKER_HOST and the current context as dial-stdio does): a unix socket
 * path, or undefined when the engine is not on one (tcp://, another ssh://).
 */
export function socketOf(host: string): string | undefined {
  const m = /^unix:\/\/(\/\S+)$/.exec(host.trim());
  return m?.[1];
}

/**
 * The Engine API over SSH on shared connections, where docker-modem opens (and authenticates) a
 * new SSH connection for every request. Each HTTP connection is a channel straight to the
 * engine's socket (`direct-streamlocal@openssh.com`, as `ssh -L local:/var/run/docker.sock`),
 * found once with `docker context inspect`; where sshd refuses such channels
 * (AllowStreamLocalForwarding no) or the engine is not on a socket, a `docker system dial-stdio`
 * session, as the docker CLI does, of which a connection carries 8 at once (sshd's MaxSessions
 * is 10) before another is opened. A dropped connection is forgotten and the next request
 * connects again.
 */
export class SshDialer {
  private readonly connections: { client: Promise<Client>; open: number; dead: boolean }[] = [];
  /** The engine's socket on the remote: asked once; undefined after that means dial-stdio. */
  private socket?: Promise<string | undefined>;
  /** How requests reach the engine, once known. */
  private via?: 'socket' | 'dial-stdio';

  constructor(private readonly config: ConnectConfig) {}

  private perConnection(): number {
    return this.via === 'socket' ? SOCKET_CHANNELS_PER_CONNECTION : CHANNELS_PER_CONNECTION;
  }

  /** The remote engine's socket path, asked on the first connection (a session of its own). */
  private engineSocket(c: Client): Promise<string | undefined> {
    this.socket ??= new Promise<string | undefined>((resolve) => {
      c.exec('docker context inspect --format "{{.Endpoints.docker.Host}}"', (err, stream) => {
        if (err) return resolve(undefined);
        let out = '';
        stream.on('data', (d: Buffer) => (out += d.toString('utf8')));
        stream.stderr.resume();
        stream.once('close', (code: number | null) => resolve(code === 0 ? socketOf(out) : undefined));
      });
    });
    return this.socket;
  }

  /** A channel to the engine: its socket when sshd allows it, else dial-stdio from then on. */
  private async channel(c: Client): Promise<Duplex> {
    const socket = this.via === 'dial-stdio' ? undefined : await this.engineSocket(c);
    if (socket) {
      const direct = await new Promise<Duplex | Error>((resolve) => c.openssh_forwardOutStreamLocal(socket, (err, stream) => resolve(err ?? stream)));
      if (!(direct instanceof Error)) {
        this.via = 'socket';
        return direct;
      }
      // "administratively prohibited": this sshd takes no socket channels. A socket that is
      // there but refuses (the engine restarting) is another failure, and says so.
      if (this.via === 'socket' || !/prohibited/i.test(direct.message)) throw direct;
    }
    // The docker CLI's way: a dial-stdio session.
    this.via = 'dial-stdio';
    return new Promise<Duplex>((resolve, reject) => c.exec('docker system dial-stdio', (err, stream) => (err ? reject(err) : resolve(stream))));
  }

  private pick(): { client: Promise<Client>; open: number; dead: boolean } {
    const live = this.connections.find((c) => !c.dead && c.open < this.perConnection());
    if (live) return live;
    const entry = { client: undefined as unknown as Promise<Client>, open: 0, dead: false };
    entry.client = new Promise<Client>((resolve, reject) => {
      const c = new Client();
      const gone = () => {
        entry.dead = true;
        this.connections.splice(this.connections.indexOf(entry) >>> 0, 1);
      };
      c.once('ready', () => resolve(c));
      c.once('error', (err) => {
        gone();
        reject(err);
      });
      c.once('close', gone);
      c.connect(this.config);
    });
    this.connections.push(entry);
    return entry;
  }

  /** An http.Agent whose every connection is a dial-stdio channel on a shared SSH connection. */
  agent(): http.Agent {
    const agent = new http.Agent({ keepAlive: false });
    (agent as unknown as { createConnection: (o: unknown, cb: (err: Error | null, s?: Duplex) => void) => undefined }).createConnection = (_options, cb) => {
      const entry = this.pick();
      entry.open++;
      entry.client.then((c) => this.channel(c)).then((stream) => {
        stream.once('close', () => {
          entry.open--;
        });
        // What http asks of a socket that a channel does not have.
        const socketish = stream as unknown as Record<string, unknown>;
        for (const m of ['setKeepAlive', 'setNoDelay', 'ref', 'unref']) socketish[m] ??= () => stream;
        socketish.setTimeout ??= () => stream;
        cb(null, stream);
      }, (err: unknown) => {
        entry.open--;
        cb(err instanceof Error ? err : new Error(String(err)));
      });
      return undefined;
    };
    return agent;
  }

  close(): void {
    for (const c of this.connections.splice(0)) void c.client.then((x) => x.end(), () => undefined);
  }
}
