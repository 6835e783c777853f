// The environment a test stack runs with: the test images, free ports on 127.0.0.1, its own
// project and data directory; and the tear-down that leaves nothing behind.
import fs from 'node:fs';
import type { Stack } from '../../main/stack/stack.js';
import { testImages } from './images.js';
import { freePort } from './net.js';

export async function stackEnv(project: string, home: string, extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  return {
    ...process.env,
    OBSDECK_HOME: home,
    OBSDECK_PROJECT: project,
    PROMETHEUS_IMAGE: testImages.prometheus,
    ALERTMANAGER_IMAGE: testImages.alertmanager,
    API_IMAGE: testImages.api,
    API_PORT: String(await freePort()),
    PROMETHEUS_PORT: String(await freePort()),
    ALERTMANAGER_PORT: String(await freePort()),
    GRAFANA_PORT: String(await freePort()),
    ...extra,
  };
}

/** Down with volumes, and the data directory removed; a failure is reported, not thrown. */
export async function removeStack(stack: Stack | undefined, home: string): Promise<void> {
  await stack?.down(undefined, { volumes: true }).catch((err: unknown) => console.error(err));
  fs.rmSync(home, { recursive: true, force: true });
}
