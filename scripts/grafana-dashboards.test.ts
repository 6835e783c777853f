import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_DIR, DATASOURCE, dashboards, render } from './grafana-dashboards.js';

const provisioning = path.resolve('observability', 'grafana', 'provisioning');

describe('Grafana dashboards', () => {
  it('the committed JSON is what `npm run dashboards` writes', () => {
    const files = fs.readdirSync(DASHBOARD_DIR).filter((f) => f.endsWith('.json')).sort();
    expect(files).toEqual(Object.keys(dashboards()).sort());
    for (const [file, d] of Object.entries(dashboards())) {
      expect(fs.readFileSync(path.join(DASHBOARD_DIR, file), 'utf8'), `${file} is stale: run npm run dashboards`).toBe(render(d));
    }
  });

  it('every panel and variable uses the provisioned data source, and uids and panel ids are unique', () => {
    const ds = (parse(fs.readFileSync(path.join(provisioning, 'datasources', 'prometheus.yml'), 'utf8')) as { datasources: { uid: string; type: string; isDefault: boolean }[] }).datasources;
    expect(ds).toEqual([expect.objectContaining({ uid: DATASOURCE.uid, type: DATASOURCE.type, isDefault: true })]);
    const all = Object.values(dashboards());
    expect(new Set(all.map((d) => d.uid)).size).toBe(all.length);
    for (const d of all) {
      expect(new Set(d.panels.map((p) => p.id)).size, d.title).toBe(d.panels.length);
      for (const p of d.panels) {
        expect(p.datasource, `${d.title} / ${p.title}`).toEqual(DATASOURCE);
        expect(p.gridPos.x + p.gridPos.w, `${d.title} / ${p.title} fits the 24-column grid`).toBeLessThanOrEqual(24);
      }
      for (const v of d.templating.list) expect(v.datasource).toEqual(DATASOURCE);
    }
  });

  it('has the seed\'s instance and endpoint variables, and the four dashboards the stack promises', () => {
    const d = dashboards();
    expect(Object.values(d).map((x) => x.title)).toEqual(['POC3 Overview', 'POC3 HTTP', 'POC3 Authentication', 'POC3 Encryption']);
    expect(d['http.json']?.templating.list.map((v) => v.name)).toEqual(['instance', 'endpoint']);
    for (const x of Object.values(d)) expect(x.templating.list[0]?.name).toBe('instance');
  });

  it('the provider serves the directory the compose file mounts the dashboards at', () => {
    const provider = parse(fs.readFileSync(path.join(provisioning, 'dashboards', 'poc3.yml'), 'utf8')) as { providers: { options: { path: string } }[] };
    const compose = fs.readFileSync(path.resolve('observability', 'docker-compose.yml'), 'utf8');
    const dir = provider.providers[0]?.options.path;
    expect(compose).toContain(`./grafana/dashboards:${dir}:ro`);
    expect(compose).toContain(`GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH: ${dir}/overview.json`);
  });
});
