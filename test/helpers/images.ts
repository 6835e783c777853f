// The images integration tests use: what scripts/prereqs.ts chose (upstream where present or
// pullable, the obsdeck-local builds otherwise), passed down in the environment.
import type Docker from 'dockerode';

export const testImages = {
  prometheus: process.env.PROMETHEUS_IMAGE ?? 'obsdeck-local/prometheus:latest',
  alertmanager: process.env.ALERTMANAGER_IMAGE ?? 'obsdeck-local/alertmanager:latest',
  node: process.env.NODE_IMAGE ?? 'obsdeck-local/node:latest',
  /** Built by scripts/prereqs.ts (or `npm run api:image`) before the integration tests. */
  api: process.env.API_IMAGE ?? 'obsdeck/poc3-api:dev',
};

/** Fails with what to run when an image the tests need is not there. */
export async function requireImages(docker: Docker, tags: string[]): Promise<void> {
  for (const tag of tags) {
    await docker.getImage(tag).inspect().catch(() => {
      throw new Error(`image ${tag} is missing: run the integration tests through \`npm test\` (or \`npm run images:local && npm run api:image\`)`);
    });
  }
}
