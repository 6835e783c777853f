// The packaged app's resources (electron-builder.yml) hold what the stack needs, laid out so
// the same compose file resolves its build context there as it does in the repository.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadCompose } from '../main/stack/compose.js';

interface Builder { files: string[]; extraResources: { from: string; to: string; filter?: string[] }[]; linux: { target: string[] }; mac: { target: string[] }; win: { target: string[] } }
const builder = parse(fs.readFileSync('electron-builder.yml', 'utf8')) as Builder;

describe('the packaged app', () => {
  it('makes AppImage, deb, dmg and nsis installers of the built app', () => {
    expect([...builder.linux.target, ...builder.mac.target, ...builder.win.target]).toEqual(['AppImage', 'deb', 'dmg', 'nsis']);
    expect(builder.files).toContain('dist/**');
    expect((JSON.parse(fs.readFileSync('package.json', 'utf8')) as { main: string }).main).toBe('dist/electron/main.mjs');
  });

  it('carries observability/ and the API\'s build context side by side, as the compose file expects', () => {
    const res = Object.fromEntries(builder.extraResources.map((r) => [r.from, r]));
    expect(res.observability?.to).toBe('observability');
    expect(res.api?.to).toBe('api');
    expect(res.api?.filter).toEqual(expect.arrayContaining(['Dockerfile', '.image/**']));
    const resources = '/opt/Obsdeck/resources';
    const spec = loadCompose(fs.readFileSync(path.join('observability', 'docker-compose.yml'), 'utf8'), { file: path.join(resources, 'observability', 'docker-compose.yml'), project: 'obsdeck', env: {} });
    expect(spec.services.find((s) => s.name === 'api_poc3')?.build?.context).toBe(path.join(resources, 'api'));
  });

  it('carries the stack\'s image tarball when built with OBSDECK_BUNDLE_IMAGES=1, where the app looks for it on first start', () => {
    const res = Object.fromEntries(builder.extraResources.map((r) => [r.from, r]));
    expect(res['build/images']?.to).toBe('images');
    expect(fs.readFileSync('main/electron/main.ts', 'utf8')).toContain("path.join(process.resourcesPath, 'images', 'obsdeck-images.tar')");
    expect(fs.readFileSync('scripts/bundle-images.ts', 'utf8')).toContain("BUNDLE_NAME = 'obsdeck-images.tar'");
    expect((JSON.parse(fs.readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts.dist).toMatch(/bundle-images\.ts && npx --yes electron-builder/);
  });
});
