// The PromQL shipped in observability/: every rule, dashboard panel and dashboard variable.
import fs from 'node:fs';
import path from 'node:path';
import { dashboardExpressions, ruleExpressions, type Expression } from '../../main/config/expressions.js';

const obs = path.resolve('observability');
const dashboardDir = path.join(obs, 'grafana', 'dashboards');
const read = (file: string) => fs.readFileSync(file, 'utf8');

export function shippedExpressions(): Expression[] {
  const rules = ruleExpressions('observability/prometheus_rules.yml', read(path.join(obs, 'prometheus_rules.yml')));
  const panels = fs.readdirSync(dashboardDir).filter((f) => f.endsWith('.json')).sort()
    .flatMap((f) => dashboardExpressions(`observability/grafana/dashboards/${f}`, read(path.join(dashboardDir, f))));
  return [...rules, ...panels];
}
