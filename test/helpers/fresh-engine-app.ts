// The app on a freshly started engine, run by test/integration/fresh-engine.test.ts inside that
// engine's network namespace (where its docker0 and published ports are) with DOCKER_HOST on its
// socket: Start, then wait for NoActiveTokens to reach the app's receiver as a notification,
// then the path test, then whether Prometheus scrapes the app's vitals. Prints one JSON line of what it saw; the test asserts on it.
import Docker from 'dockerode';
import { Host } from '../../main/host/host.js';
import { deliveryHealth } from '../../main/host/alert-path.js';
import type { AlertNotice } from '../../main/contract.js';

const docker = new Docker({ socketPath: process.env.DOCKER_HOST!.replace('unix://', '') });
const bridge = (await docker.getNetwork('bridge').inspect()) as { IPAM: { Config: unknown } };
const host = new Host({ env: process.env, data: process.env.OBSDECK_HOME! });
const notices: AlertNotice[] = [];
const out: Record<string, unknown> = { bridgeIpam: bridge.IPAM.Config };
try {
  await host.start();
  const session = host.connect((event, payload) => {
    if (event === 'alerts:notice') notices.push(payload as AlertNotice);
  });
  await host.handle('stack:up', { services: ['api_poc3', 'prometheus', 'alertmanager'] }, session);
  out.receiver = host.runtime.receiver.state();
  const deadline = Date.now() + 240_000;
  while (!notices.some((n) => n.alertname === 'NoActiveTokens' && n.status === 'firing') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1000));
  out.notices = notices.map((n) => `${n.alertname} ${n.status}`);
  out.delivery = await deliveryHealth(host.runtime);
  out.pathTest = (await host.handle('alerts:test', {}, session));
  out.deliveryAfter = await deliveryHealth(host.runtime);
  // The vitals reach Prometheus the same way (host.docker.internal, where the receiver listens).
  const vitals = await host.runtime.prometheus().query('up{job="obsdeck-vitals"}').catch((err: unknown) => ({ error: String(err) }));
  out.vitalsUp = 'result' in vitals && vitals.resultType === 'vector' ? vitals.result.map((r) => r.value[1]) : vitals;
} catch (err) {
  out.error = err instanceof Error ? err.stack : String(err);
} finally {
  await host.handle('stack:down', { volumes: true }, host.connect(() => undefined)).catch(() => undefined);
  host.close();
}
process.stdout.write(`${JSON.stringify(out)}\n`);
process.exit(0);
