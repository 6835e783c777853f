import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildElectron } from './build-electron.js';

describe('the Electron bundles', () => {
  it('build, with a CommonJS preload that exposes one object and nothing else', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-electron-'));
    try {
      const [main, preload] = await buildElectron(out);
      const pre = fs.readFileSync(preload!, 'utf8');
      expect(pre).toContain('require("electron")');
      expect(pre.match(/exposeInMainWorld\(/g)).toHaveLength(1);
      expect(pre).toMatch(/exposeInMainWorld\("obsdeck"/);
      expect(pre).not.toMatch(/\bimport\s/);
      const m = fs.readFileSync(main!, 'utf8');
      expect(m).toMatch(/from "electron"/);
      expect(m).toContain('setPermissionRequestHandler');
      expect(m).toContain('setWindowOpenHandler');
      expect(m).toContain('requestSingleInstanceLock');
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 30_000);
});
