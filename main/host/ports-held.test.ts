// Which ports of a remote engine's stack this app forwards here, where each is reached, and the
// one line that stops a Start while one cannot be forwarded at all: the service would run there,
// unreachable here. A port the user chose that something else holds here is never used: the
// forward goes to a port the system picks, and every URL and credential follows it.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PortForwards } from '../engine/ssh.js';
import { fetchWithin } from '../prom/fetch.js';
import { AUTH_LABEL, serviceBase, type ServiceSpec } from '../stack/compose.js';
import { forwardRefusal, reachThroughForward } from './ports-held.js';

const spec = (name: string, ...ports: number[]) => ({ name, labels: {}, ports: ports.map((hostPort) => ({ hostIp: '127.0.0.1', hostPort, containerPort: hostPort })) }) as unknown as ServiceSpec;
const specs = [spec('prometheus', 9090), spec('alertmanager', 9093), spec('api_poc3', 8083)];

const servers: net.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A process on this machine that took a port first, and what it was sent. */
async function squatter(): Promise<{ port: number; received: string[] }> {
  const received: string[] = [];
  const server = net.createServer((socket) => socket.on('data', (d) => {
    received.push(d.toString());
    socket.destroy();
  }));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, received };
}

describe('forwards of a remote engine\'s ports', () => {
  it('refuses a Start in one line naming each port no forward holds, and why', () => {
    expect(forwardRefusal(specs, [], [9090, 9093, 8083], new Map())).toBeUndefined();
    expect(forwardRefusal(specs, ['api_poc3'], [8083], new Map())).toBeUndefined();
    expect(forwardRefusal(specs, ['prometheus'], [8083], new Map([[9090, 'the SSH connection to the remote engine is closed']])))
      .toBe('cannot forward prometheus\'s port 9090 (the SSH connection to the remote engine is closed) from the remote engine to this machine; nothing was started');
    expect(forwardRefusal(specs, [], [9090], new Map())).toBe('cannot forward alertmanager\'s port 9093, api_poc3\'s port 8083 from the remote engine to this machine; nothing was started');
  });

  it('forwards to the same port when it is free here, and to one the system picks when it is taken', async () => {
    const forwards = new PortForwards({});
    try {
      const free = await squatter();
      servers.pop()!.close(); // now free
      await new Promise((r) => setTimeout(r, 10));
      expect(await forwards.forward(free.port)).toBe(free.port);
      const taken = await squatter();
      const local = await forwards.forward(taken.port);
      expect(local).not.toBe(taken.port);
      expect(forwards.local(taken.port)).toBe(local);
      expect(forwards.ports.sort()).toEqual([free.port, taken.port].sort());
      // Two callers at once (a Start while the stack is opened) share one listener.
      const third = await squatter();
      const [a, b] = await Promise.all([forwards.forward(third.port), forwards.forward(third.port)]);
      expect(a).toBe(b);
      expect(await forwards.forward(third.port)).toBe(a);
    } finally {
      forwards.close();
    }
  });

  it('sends the service\'s URL and credentials to the forward, and nothing to whoever holds the user\'s port', async () => {
    const taken = await squatter();
    const forwarded = await squatter(); // stands for the forward's listener: what it receives reaches the remote
    const prometheus = { ...spec('prometheus', taken.port), labels: { [AUTH_LABEL]: 'basic' } } as ServiceSpec;
    const line = reachThroughForward(prometheus, prometheus.ports[0]!, forwarded.port, 'Basic c3RhY2s6c2VjcmV0');
    expect(line).toMatch(new RegExp(`^this machine's 127\\.0\\.0\\.1:${taken.port} is taken( by .+)?, so prometheus's port ${taken.port} on the remote engine is forwarded to 127\\.0\\.0\\.1:${forwarded.port} here$`));
    expect(serviceBase(prometheus)).toBe(`http://127.0.0.1:${forwarded.port}`);
    await fetchWithin(`${serviceBase(prometheus)}/-/ready`, 2000).catch(() => undefined);
    expect(taken.received).toEqual([]);
    expect(forwarded.received.join('')).toMatch(/authorization: Basic c3RhY2s6c2VjcmV0/i);
    // Back at its own number (the port was free at the next open): said nothing, reached there.
    expect(reachThroughForward(prometheus, prometheus.ports[0]!, taken.port, 'Basic c3RhY2s6c2VjcmV0')).toBeUndefined();
    expect(serviceBase(prometheus)).toBe(`http://127.0.0.1:${taken.port}`);
  });
});
