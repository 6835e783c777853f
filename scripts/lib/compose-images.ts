// The image defaults written in observability/docker-compose.yml (`${PROMETHEUS_IMAGE:-prom/...}`),
// so the test set-up pins exactly what the stack pins.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const composeFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'observability', 'docker-compose.yml');

export function composeImageDefaults(text = fs.readFileSync(composeFile, 'utf8')): Record<string, string> {
  return Object.fromEntries([...text.matchAll(/\$\{(\w+_IMAGE):-([^}]+)\}/g)].map((m) => [m[1]!, m[2]!]));
}
