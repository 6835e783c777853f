// Export never replaces a file: not one that exists before it starts, nor one made while the
// engine is still sending the tarball, nor a symlink (dangling or not) at the name.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import type { StackSpec } from '../stack/compose.js';
import { exportImages } from './images.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-export-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const spec = { services: [{ name: 'api_poc3', image: 'obsdeck/poc3-api:dev' }] } as unknown as StackSpec;

/** An engine that has the image and sends its tarball in two pieces, running `meanwhile` between them. */
function engine(meanwhile: () => void = () => undefined): Docker {
  return {
    getImage: () => ({ inspect: async () => ({ Id: 'sha256:1' }) }),
    getImages: async () => {
      const out = new PassThrough();
      out.write('first half;');
      setTimeout(() => {
        meanwhile();
        out.end('second half');
      }, 50);
      return out;
    },
  } as unknown as Docker;
}

describe('Export', () => {
  it('writes the tarball whole, readable by its owner only, and leaves no partial file', async () => {
    const file = path.join(dir, 'a', 'stack.tar');
    const r = await exportImages(engine(), spec, file);
    expect(fs.readFileSync(file, 'utf8')).toBe('first half;second half');
    expect(r.bytes).toBe(22);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['stack.tar']);
  });

  it('refuses, and keeps the other file, when one appears under the name while the engine sends', async () => {
    const file = path.join(dir, 'b', 'stack.tar');
    const err = await exportImages(engine(() => fs.writeFileSync(file, 'the user\'s file')), spec, file).then(() => undefined, (e: unknown) => e);
    expect((err as Error).message).toBe(`${file} already exists; choose another name (Export never replaces a file)`);
    expect(fs.readFileSync(file, 'utf8')).toBe('the user\'s file');
    expect(fs.readdirSync(path.dirname(file))).toEqual(['stack.tar']);
  });

  it('refuses a symlink at the name, dangling or not, and writes nothing through it', async () => {
    fs.mkdirSync(path.join(dir, 'c'));
    const target = path.join(dir, 'c', 'elsewhere');
    const link = path.join(dir, 'c', 'stack.tar');
    fs.symlinkSync(target, link); // dangling
    await expect(exportImages(engine(), spec, link)).rejects.toThrow(/already exists/);
    expect(fs.existsSync(target)).toBe(false);
    const late = path.join(dir, 'c', 'late.tar');
    await expect(exportImages(engine(() => fs.symlinkSync(target, late)), spec, late)).rejects.toThrow(/already exists/);
    expect(fs.existsSync(target)).toBe(false);
    expect(fs.lstatSync(late).isSymbolicLink()).toBe(true);
  });
});
