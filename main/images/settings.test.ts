import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IMAGE_REF } from '../contract.js';
import { chooseImages } from '../config/project.js';
import type { StackSpec } from '../stack/compose.js';
import { readSettings, SettingsDamaged, settingsFile, updateSettings } from './settings.js';
import { defaultExportFile, ImageError, tarballImages } from './images.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-settings-'));

describe('the app\'s settings', () => {
  it('start empty, and keep what was written', () => {
    const data = tmp();
    expect(readSettings(data)).toEqual({ images: {}, imported: {} });
    updateSettings(data, (s) => void (s.images.prometheus = 'prom/prometheus:v3.4.0'));
    expect(readSettings(data).images).toEqual({ prometheus: 'prom/prometheus:v3.4.0' });
    expect(fs.statSync(settingsFile(data)).mode & 0o777).toBe(0o600);
  });

  it('report a damaged file by name and never replace it', () => {
    const data = tmp();
    fs.writeFileSync(settingsFile(data), '{"images": {"prometheus": ');
    expect(() => readSettings(data)).toThrow(SettingsDamaged);
    expect(() => updateSettings(data, (s) => void (s.images.x = 'y'))).toThrow(new RegExp(settingsFile(data).replace(/[.]/g, '\\.')));
    expect(fs.readFileSync(settingsFile(data), 'utf8')).toBe('{"images": {"prometheus": ');
    fs.writeFileSync(settingsFile(data), '{"images": {"prometheus": 3}}');
    expect(() => readSettings(data)).toThrow(/"images" must map service names to image references/);
  });
});

describe('a chosen image', () => {
  const spec = (): StackSpec => ({
    project: 'p', file: 'f', networks: [], volumes: [], warnings: [],
    services: [
      { name: 'api', image: 'obsdeck/poc3-api:dev', build: { context: '/x', args: {} }, environment: {}, ports: [], mounts: [], dependsOn: [], restart: 'no', labels: {}, networks: [], stopGraceS: 10, extraHosts: [] },
      { name: 'prometheus', image: 'prom/prometheus:v3.5.0', environment: {}, ports: [], mounts: [], dependsOn: [], restart: 'no', labels: {}, networks: [], stopGraceS: 10, extraHosts: [] },
    ],
  });

  it('replaces the compose file\'s image, says which, and runs as it is (no build)', () => {
    const s = spec();
    chooseImages(s, { api: 'registry.example:5000/team/api:7', prometheus: 'prom/prometheus:v3.5.0' });
    expect(s.services[0]).toMatchObject({ image: 'registry.example:5000/team/api:7', chosenOver: 'obsdeck/poc3-api:dev' });
    expect(s.services[0]!.build).toBeUndefined();
    expect(s.services[1]!.chosenOver).toBeUndefined(); // the same image is no choice
  });

  it('must be an image reference', () => {
    for (const ok of ['prom/prometheus:v3.5.0', 'obsdeck-local/prometheus:latest', '127.0.0.1:5000/a/b:1', 'node', `x@sha256:${'a'.repeat(64)}`]) expect(IMAGE_REF.test(ok), ok).toBe(true);
    for (const bad of ['', 'Prom/Prometheus', 'a b', 'x:', '--rm', 'a/../b', 'x;rm -rf /']) expect(IMAGE_REF.test(bad), bad).toBe(false);
  });
});

describe('image tarballs', () => {
  it('name what is wrong with a file that is not one', async () => {
    const data = tmp();
    const file = path.join(data, 'x.tar');
    fs.writeFileSync(file, 'hello');
    await expect(tarballImages(file)).rejects.toThrow(ImageError);
    await expect(tarballImages(file)).rejects.toThrow(/x\.tar is not an image tarball/);
    await expect(tarballImages(path.join(data, 'none.tar'))).rejects.toThrow(/does not exist/);
    await expect(tarballImages(data)).rejects.toThrow(/is not a file/);
  });

  it('are exported, by default, to a new name each second in the data directory', () => {
    expect(defaultExportFile('/d', new Date('2026-11-25T13:14:15Z'))).toBe('/d/exports/obsdeck-images-20261125-131415.tar');
  });
});
