// Is a host port free, and if not, who holds it: a container (asked of the engine) or, on
// Linux, a process (found through /proc). Used by the pre-flight check before anything is created.
import fs from 'node:fs';
import net from 'node:net';
import type Docker from 'dockerode';

export async function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** The first free port after `port` (for the suggestion in an error). */
export async function nextFreePort(port: number, host = '127.0.0.1', tries = 50): Promise<number | undefined> {
  for (let p = port + 1; p < Math.min(port + tries, 65536); p++) if (await portFree(p, host)) return p;
  return undefined;
}

/** Linux: the process listening on a TCP port, as "name (pid N)", when /proc tells. */
export function processHolding(port: number): string | undefined {
  if (process.platform !== 'linux') return undefined;
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is HEXIP:HEXPORT; state 0A is LISTEN; the inode is column 10.
      if (cols.length > 9 && cols[3] === '0A' && parseInt(cols[1]?.split(':')[1] ?? '', 16) === port) inodes.add(cols[9]!);
    }
  }
  if (!inodes.size) return undefined;
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m && inodes.has(m[1]!)) {
        let name = '?';
        try {
          name = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        } catch { /* gone meanwhile */ }
        return `${name} (pid ${pid})`;
      }
    }
  }
  return undefined;
}

/** A container of the engine that publishes `port`, by name. */
export async function containerHolding(docker: Docker, port: number): Promise<string | undefined> {
  const containers = await docker.listContainers().catch(() => []);
  const c = containers.find((x) => x.Ports.some((p) => p.PublicPort === port));
  return c ? `container ${c.Names[0]?.replace(/^\//, '') ?? c.Id.slice(0, 12)}` : undefined;
}
