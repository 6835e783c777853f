// Obsdeck on an engine that has never been restarted, as a freshly installed machine has it: a
// second dockerd in a network namespace of its own (fresh data root, exec root and socket, no
// --bip, no docker0 there yet), so `docker network inspect bridge` names no Gateway. The app runs
// in that namespace on that engine's socket: Start → NoActiveTokens fires → the notification
// reaches the app, with Alertmanager's failed webhook counter at 0 → the path test passes hop by
// hop → Prometheus scrapes the app's vitals through the same host-gateway. Skipped, saying why,
// where a second dockerd cannot be started (not root).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NoticesState, PathTestResult } from '../../main/contract.js';
import { testImages } from '../helpers/images.js';
import { cannotMakeNetnsEngine, makeNetnsEngine, type NetnsEngine } from '../helpers/netns-engine.js';
import { stackEnv } from '../helpers/stack.js';

const why = cannotMakeNetnsEngine();
if (why) console.log(`skipped: the fresh-engine test (${why})`);
let engine: NetnsEngine | undefined;
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-fresh-'));

beforeAll(async () => {
  if (why) return;
  engine = await makeNetnsEngine('obsdeck-fresh', [testImages.api, testImages.prometheus, testImages.alertmanager]);
}, 240_000);

afterAll(async () => {
  await engine?.stop();
  fs.rmSync(home, { recursive: true, force: true });
}, 120_000);

describe.skipIf(why !== undefined)('a freshly started engine (no bridge Gateway)', () => {
  it('Start → NoActiveTokens reaches the app as a notification, no webhook failure → the path test passes', async () => {
    const e = engine!;
    const env = { ...(await stackEnv(`obsdeck-fresh-${process.pid}`, home)), DOCKER_HOST: `unix://${e.socket}`, NO_COLOR: '1' };
    const { stdout } = await promisify(execFile)('nsenter', [`--net=/var/run/netns/${e.ns}`, process.execPath, '--import', 'tsx', path.resolve('test', 'helpers', 'fresh-engine-app.ts')], { env, maxBuffer: 1 << 24, timeout: 420_000 });
    const seen = JSON.parse(stdout.trim().split('\n').pop()!) as {
      bridgeIpam: { Subnet?: string; Gateway?: string }[]; receiver: NoticesState; notices: string[]; error?: string;
      delivery: { sent: number; failed: number }; pathTest: PathTestResult; deliveryAfter: { sent: number; failed: number }; vitalsUp: unknown;
    };
    expect(seen.error).toBeUndefined();
    // The engine is as a first start leaves it: a subnet, no Gateway.
    expect(seen.bridgeIpam).toEqual([{ Subnet: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+\/\d+$/) as unknown }]);
    // The app listens where the engine sends host.docker.internal, proven from the stack's network.
    // (Before: the receiver fell back to 127.0.0.1, where no container reaches it.)
    expect(seen.receiver.listening).toMatch(/^http:\/\/\d+\.\d+\.\d+\.1:5001\/alertmanager$/);
    expect(seen.receiver.listening).not.toContain('127.0.0.1');
    expect(seen.receiver.path).toMatchObject({ reached: true });
    expect(seen.notices).toContain('NoActiveTokens firing');
    expect(seen.delivery.sent).toBeGreaterThan(0);
    expect(seen.delivery.failed).toBe(0);
    expect(seen.pathTest.hops.map((h) => `${h.hop} ${h.ok}`)).toEqual(['routes checked true', 'accepted true', 'routed true', 'delivered true', 'resolved true']);
    expect(seen.deliveryAfter.failed).toBe(0);
    // Prometheus reaches the app's vitals there too (the same host-gateway, the same listener).
    expect(seen.vitalsUp).toEqual(['1']);
    console.log(`fresh engine: bridge ${JSON.stringify(seen.bridgeIpam)}, receiver ${seen.receiver.listening}; Alertmanager's webhook notifications: sent ${seen.deliveryAfter.sent}, failed ${seen.deliveryAfter.failed}; path test ${seen.pathTest.hops.map((h) => `${h.hop} +${(h.afterMs / 1000).toFixed(1)} s`).join(', ')}`);
  }, 480_000);
});
