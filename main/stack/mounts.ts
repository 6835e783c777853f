// What a service's bind mounts hold, read from this machine: copied into a container, or made
// into Swarm configs.
import fs from 'node:fs';
import path from 'node:path';
import type { ServiceSpec } from './compose.js';

/**
 * The configuration files a service mounts, by their path in the container: a mounted file, or
 * each file under a mounted directory. `replace` gives some sources' content (by host path)
 * instead of what is on disk. Containers get them copied in; Swarm services as configs.
 */
export function mountedFiles(s: ServiceSpec, replace: Record<string, Buffer> = {}): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  for (const m of s.mounts) {
    if (m.type !== 'bind') continue;
    const given = replace[m.source];
    if (given) {
      files[m.target] = given;
      continue;
    }
    if (!fs.existsSync(m.source)) throw new Error(`${s.name} mounts ${m.source}, which does not exist`);
    if (fs.statSync(m.source).isDirectory()) {
      for (const e of fs.readdirSync(m.source, { recursive: true, withFileTypes: true })) {
        if (!e.isFile()) continue;
        const full = path.join(e.parentPath, e.name);
        files[path.posix.join(m.target, path.relative(m.source, full).split(path.sep).join('/'))] = fs.readFileSync(full);
      }
    } else {
      files[m.target] = fs.readFileSync(m.source);
    }
  }
  return files;
}
