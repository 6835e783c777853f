// Prometheus' config as the Swarm target runs it: the API's static target becomes DNS discovery
// of every replica (tasks.<service>), since a service name resolves to one task at a time.
import { parseDocument } from 'yaml';
import type { ServiceSpec } from '../stack/compose.js';

/** Prometheus' config for Swarm: the API job discovers every replica (tasks.<service>) instead of one static target. */
export function prometheusForSwarm(text: string, services: ServiceSpec[]): string {
  const doc = parseDocument(text);
  const jobs = doc.get('scrape_configs');
  if (!jobs || typeof jobs !== 'object' || !('items' in jobs)) return text;
  for (const job of (jobs as { items: unknown[] }).items) {
    const j = job as { get(k: string): unknown; set(k: string, v: unknown): void; delete(k: string): void };
    const statics = j.get('static_configs') as { toJSON(): { targets?: string[] }[] } | undefined;
    if (!statics) continue;
    const targets = statics.toJSON().flatMap((sc) => sc.targets ?? []);
    const replicated = targets.map((t) => /^([\w.-]+):(\d+)$/.exec(t)).filter((m): m is RegExpExecArray => !!m && services.some((s) => s.name === m[1] && s.name.startsWith('api')));
    if (!replicated.length || replicated.length !== targets.length) continue;
    j.delete('static_configs');
    j.set('dns_sd_configs', replicated.map((m) => ({ names: [`tasks.${m[1]}`], type: 'A', port: Number(m[2]), refresh_interval: '5s' })));
  }
  return doc.toString();
}
