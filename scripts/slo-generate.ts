// Writes observability/slo_rules.yml and observability/tests/slo_rules_test.yml from
// observability/slos.yml, as Obsdeck's Apply does in a config directory (`npm run slo:generate`;
// a unit test says when they are out of date).
import fs from 'node:fs';
import path from 'node:path';
import { sloOutputs } from '../main/slo/files.js';

const dir = path.resolve('observability');
const out = sloOutputs(fs.readFileSync(path.join(dir, 'slos.yml'), 'utf8'), fs.readFileSync(path.join(dir, 'prometheus.yml'), 'utf8'));
const errors = out.problems.filter((p) => p.severity === 'error');
if (errors.length) {
  for (const p of errors) process.stderr.write(`${p.file}:${p.line ?? 0}:${p.column ?? 0} ${p.message}\n`);
  process.exit(1);
}
for (const [rel, text] of Object.entries(out.files)) {
  fs.writeFileSync(path.join(dir, rel), text);
  process.stdout.write(`wrote observability/${rel}\n`);
}
