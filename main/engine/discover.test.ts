import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import { candidateSockets, currentContext, discoverEngine } from './discover.js';

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

  it('tries the current Docker context (docker context use) before the known sockets', async () => {
    const dockerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-docker-'));
    const sock = path.join(dockerDir, 'lab.sock');
    // An engine that answers /version, reachable only through the context.
    const server = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(req.url?.endsWith('/version') ? { Version: '99.0.0-lab', ApiVersion: '1.99', Os: 'linux', Arch: 'riscv64' } : {}));
    }).listen(sock);
    try {
      const id = crypto.createHash('sha256').update('lab').digest('hex');
      fs.mkdirSync(path.join(dockerDir, 'contexts', 'meta', id), { recursive: true });
      fs.writeFileSync(path.join(dockerDir, 'contexts', 'meta', id, 'meta.json'), JSON.stringify({ Name: 'lab', Endpoints: { docker: { Host: `unix://${sock}` } } }));
      fs.writeFileSync(path.join(dockerDir, 'config.json'), JSON.stringify({ currentContext: 'lab' }));
      expect(currentContext({ DOCKER_CONFIG: dockerDir })).toEqual({ name: 'lab', host: `unix://${sock}` });
      expect(currentContext({ DOCKER_CONFIG: dockerDir, DOCKER_CONTEXT: 'default' })).toBeUndefined();
      const { status } = await discoverEngine({ DOCKER_CONFIG: dockerDir }, 1000);
      expect(status).toMatchObject({ reachable: true, endpoint: `unix://${sock} (context lab)`, version: '99.0.0-lab', arch: 'riscv64' });
    } finally {
      server.close();
      fs.rmSync(dockerDir, { recursive: true, force: true });
    }
  });
});
