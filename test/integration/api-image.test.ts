// The API as users run it: the image built from api/Dockerfile, in a container on a real engine,
// with its data on a named volume.
import crypto from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool } from '../../main/engine/run-tool.js';
import { httpOk, waitFor } from '../helpers/http.js';
import { requireImages, testImages } from '../helpers/images.js';

const docker = new Docker();
const suffix = crypto.randomBytes(3).toString('hex');
const volume = `obsdeck-test-api-data-${suffix}`;
let image: string;
let container: Docker.Container | undefined;

async function startContainer(): Promise<{ base: string; container: Docker.Container }> {
  const c = await docker.createContainer({
    Image: image,
    name: `obsdeck-test-api-${suffix}`,
    Labels: { 'org.obsdeck.test': 'true' },
    ExposedPorts: { '8083/tcp': {} },
    HostConfig: {
      PortBindings: { '8083/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
      Binds: [`${volume}:/data`],
    },
  });
  await c.start();
  const info = await c.inspect();
  const binding = info.NetworkSettings.Ports['8083/tcp']?.[0];
  expect(binding?.HostIp).toBe('127.0.0.1');
  const base = `http://127.0.0.1:${binding!.HostPort}`;
  await waitFor('the API container to answer /health', () => httpOk(`${base}/health`), 30_000);
  return { base, container: c };
}

async function logsOf(c: Docker.Container): Promise<string> {
  const buf = await c.logs({ stdout: true, stderr: true });
  // Non-TTY logs are multiplexed: 8-byte frame headers before each chunk.
  let text = '';
  for (let i = 0; i + 8 <= buf.length;) {
    const size = buf.readUInt32BE(i + 4);
    text += buf.subarray(i + 8, i + 8 + size).toString('utf8');
    i += 8 + size;
  }
  return text;
}

async function login(base: string, password: string): Promise<string> {
  const res = await fetch(`${base}/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

beforeAll(async () => {
  image = testImages.api;
  await requireImages(docker, [image]);
  await docker.createVolume({ Name: volume, Labels: { 'org.obsdeck.test': 'true' } });
}, 180_000);

afterAll(async () => {
  await container?.remove({ force: true }).catch(() => undefined);
  await docker.getVolume(volume).remove().catch(() => undefined);
});

describe('the API image', () => {
  let base: string;
  let password: string;

  it('runs as a non-root user and prints generated passwords once on first start', async () => {
    ({ base, container } = await startContainer());
    const info = await container.inspect();
    expect(info.Config.User).toBe('10001:10001');
    const logs = await logsOf(container);
    const match = /created user "admin" \(role admin\) with generated password: (\S+)/.exec(logs);
    expect(match, logs).not.toBeNull();
    password = match![1]!;
    expect(logs).toMatch(/created user "user"/);
  });

  it('serves traffic and exposes metrics that promtool accepts', async () => {
    const token = await login(base, password);
    const created = await fetch(`${base}/customers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: 'Persisted', email: 'persisted@example.com', phone: '+1 555 0100' }),
    });
    expect(created.status).toBe(201);
    await fetch(`${base}/nope`);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/http_requests_total\{method="POST",endpoint="\/customers",status="201"\} 1/);
    const check = await runTool(docker, { image: testImages.prometheus, entrypoint: '/bin/promtool', args: ['check', 'metrics'], stdin: metrics });
    expect({ exitCode: check.exitCode, problems: (check.stdout + check.stderr).trim() }).toEqual({ exitCode: 0, problems: '' });
  });

  it('promtool does report problems when there are some (the check is real)', async () => {
    const bad = '# TYPE requests counter\nrequests{path="/a"} 1\n';
    const check = await runTool(docker, { image: testImages.prometheus, entrypoint: '/bin/promtool', args: ['check', 'metrics'], stdin: bad });
    expect(check.exitCode).not.toBe(0);
    expect(check.stdout + check.stderr).toMatch(/_total/);
  });

  it('keeps users, secrets and customers on its named volume across a new container', async () => {
    await container!.remove({ force: true });
    ({ base, container } = await startContainer());
    expect(await logsOf(container)).not.toMatch(/generated password/);
    const token = await login(base, password);
    const list = (await (await fetch(`${base}/customers`, { headers: { authorization: `Bearer ${token}` } })).json()) as { items: { name: string; email: string }[] };
    expect(list.items).toContainEqual(expect.objectContaining({ name: 'Persisted', email: 'persisted@example.com' }));
  });
});
