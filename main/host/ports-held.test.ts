// Which ports of a remote engine's stack this app forwards here, and the one line that stops a
// Start while one cannot be: the service would run there, unreachable here, or something else
// would answer in its place (and receive what the app sends it).
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../stack/compose.js';
import { forwardRefusal, unforwarded } from './ports-held.js';

const spec = (name: string, ...ports: number[]) => ({ name, ports: ports.map((hostPort) => ({ hostPort, containerPort: hostPort })) }) as unknown as ServiceSpec;
const specs = [spec('prometheus', 9090), spec('alertmanager', 9093), spec('api_poc3', 8083)];

describe('forwards of a remote engine\'s ports', () => {
  it('names the ports of the services to start that no forward holds here', () => {
    expect(unforwarded(specs, [], [9090, 9093, 8083])).toEqual([]);
    expect(unforwarded(specs, [], [9090, 8083])).toEqual(['alertmanager\'s port 9093']);
    expect(unforwarded(specs, ['prometheus'], [8083])).toEqual(['prometheus\'s port 9090']);
    expect(unforwarded(specs, ['api_poc3'], [8083])).toEqual([]);
  });

  it('refuses a Start in one line naming the port and that it is taken here', async () => {
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r));
    const port = (squatter.address() as AddressInfo).port;
    try {
      const line = forwardRefusal([spec('prometheus', port)], [], []);
      expect(line).toMatch(new RegExp(`^cannot forward prometheus's port ${port} \\(this machine's 127\\.0\\.0\\.1:${port} is taken( by .+)?\\) from the remote engine: free it here, or change the port in the compose file; nothing was started$`));
      expect(forwardRefusal([spec('prometheus', port)], [], [port])).toBeUndefined();
    } finally {
      squatter.close();
    }
  });
});
