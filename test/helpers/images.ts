// The images integration tests use: what scripts/prereqs.ts chose (upstream where present or
// pullable, the obsdeck-local builds otherwise), passed down in the environment.
export const testImages = {
  prometheus: process.env.PROMETHEUS_IMAGE ?? 'obsdeck-local/prometheus:latest',
  alertmanager: process.env.ALERTMANAGER_IMAGE ?? 'obsdeck-local/alertmanager:latest',
  node: process.env.NODE_IMAGE ?? 'obsdeck-local/node:latest',
};
