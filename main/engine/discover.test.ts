import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { candidateSockets, discoverEngine } from './discover.js';

describe('engine discovery', () => {
  it('lists the sockets of the common engines', () => {
    const list = candidateSockets({ XDG_RUNTIME_DIR: '/run/user/1000' }, '/home/ana');
    expect(list).toEqual(expect.arrayContaining([
      '/var/run/docker.sock',
      '/home/ana/.docker/run/docker.sock',
      '/home/ana/.colima/default/docker.sock',
      '/home/ana/.rd/docker.sock',
      '/run/user/1000/podman/podman.sock',
    ]));
  });

  it('says what it tried and what to do when nothing answers at DOCKER_HOST', async () => {
    // A socket that accepts connections and never answers: the probe must give up, not hang.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-sock-'));
    const sock = path.join(dir, 'silent.sock');
    const server = net.createServer(() => undefined).listen(sock);
    try {
      const { status } = await discoverEngine({ DOCKER_HOST: `unix://${sock}` }, 500);
      expect(status.reachable).toBe(false);
      if (status.reachable) return;
      expect(status.tried).toEqual([{ endpoint: `unix://${sock}`, error: 'no answer within 500 ms' }]);
      expect(status.hint).toMatch(/DOCKER_HOST/);
    } finally {
      server.close();
    }
  });
});
