// `npm run electronegativity` (and a step of npm test): Doyensec's Electronegativity over the
// Electron layer — its sources, the bundles as built, and the page — failing on any finding of
// high severity or above. Offline-safe: the Electron version is given (it would otherwise be
// looked up online) and the online-only "available security fixes" check is left out.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildElectron } from './build-electron.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Issue { id: string; severity: { name: string }; confidence: { name: string }; file: string; location: { line: number; column: number }; description: string }
type Run = (options: Record<string, unknown>) => Promise<{ issues: Issue[]; errors: { file: string; message: string }[] }>;

/** Findings of HIGH or CRITICAL severity (the report file of its CLI is not reliable: its CSV header races the rows). */
export async function electronegativity(): Promise<{ findings: string[]; checked: number }> {
  const input = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-electronegativity-'));
  try {
    await buildElectron(input);
    for (const f of fs.readdirSync(path.join(root, 'main', 'electron'))) {
      if (f.endsWith('.ts') && !f.endsWith('.test.ts')) fs.copyFileSync(path.join(root, 'main', 'electron', f), path.join(input, f));
    }
    fs.copyFileSync(path.join(root, 'renderer', 'index.html'), path.join(input, 'index.html'));
    const require = createRequire(import.meta.url);
    const electronVersion = (require('electron/package.json') as { version: string }).version;
    const run = require('@doyensec/electronegativity') as Run;
    const result = await run({ input, electronVersionOverride: electronVersion, excludeFromScan: ['AvailableSecurityFixesGlobalCheck'], isRelative: true });
    const findings = result.issues
      .filter((i) => i.severity.name === 'HIGH' || i.severity.name === 'CRITICAL')
      .map((i) => `${i.id} (${i.severity.name}, ${i.confidence.name}) at ${path.basename(i.file)}:${i.location.line}: ${i.description}`);
    return { findings, checked: result.issues.length };
  } finally {
    fs.rmSync(input, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  electronegativity().then(({ findings }) => {
    if (findings.length) {
      console.log(`Electronegativity: ${findings.length} finding(s) of high severity or above:\n${findings.map((f) => `  ${f}`).join('\n')}`);
      process.exit(1);
    }
    console.log('Electronegativity: no finding of high severity or above');
  }, (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
