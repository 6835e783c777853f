// Builds a Docker image from a context directory through the Engine API (honouring the
// context's .dockerignore), and skips the build when an image built from the very same inputs
// is already there.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { followProgress } from './deadline.js';

export const HASH_LABEL = 'org.obsdeck.input-hash';

function listFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory() ? [rel + '/', ...listFiles(path.join(dir, e.name), rel)] : [rel];
  });
}

/**
 * The filter a .dockerignore describes: `*`, `**` and `?` patterns, `!` to bring back, the last
 * matching line wins; the Dockerfile and .dockerignore are always sent (as Docker does).
 */
export function dockerignoreFilter(text: string): (rel: string) => boolean {
  const rules = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => {
    const negate = l.startsWith('!');
    const pattern = (negate ? l.slice(1) : l).replace(/^\/+|\/+$/g, '');
    const re = pattern.split('/').map((part) => (part === '**' ? '.*' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]'))).join('/');
    // A pattern matches the path itself or anything below it.
    return { negate, re: new RegExp(`^${re}(/.*)?$`) };
  });
  return (rel) => {
    const p = rel.replace(/\/$/, '');
    if (p === 'Dockerfile' || p === '.dockerignore') return true;
    let included = true;
    for (const r of rules) if (r.re.test(p)) included = r.negate;
    // A directory is sent when anything below it may be.
    if (!included && rel.endsWith('/')) return rules.some((r) => r.negate && r.re.source.startsWith(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&')}`));
    return included;
  };
}

/** The filter of `dir`'s .dockerignore, or undefined when it has none. */
export function contextFilter(dir: string): ((rel: string) => boolean) | undefined {
  const file = path.join(dir, '.dockerignore');
  return fs.existsSync(file) ? dockerignoreFilter(fs.readFileSync(file, 'utf8')) : undefined;
}

/** The files of a build context: all of `dir`, or those `include` keeps (paths relative to it). */
function contextFiles(dir: string, include?: (rel: string) => boolean): string[] {
  return listFiles(dir).filter((rel) => include?.(rel) ?? true).sort();
}

/** A stable hash of every file (name, mode and bytes) in the context, plus extra inputs. */
export function contextHash(dir: string, extra: string[] = [], include?: (rel: string) => boolean): string {
  const h = crypto.createHash('sha256');
  for (const rel of contextFiles(dir, include)) {
    const full = path.join(dir, rel);
    h.update(rel);
    if (!rel.endsWith('/')) {
      h.update(String(fs.statSync(full).mode & 0o777));
      h.update(fs.readFileSync(full));
    }
  }
  for (const e of extra) h.update(e);
  return h.digest('hex').slice(0, 24);
}

export async function existingHash(docker: Docker, tag: string): Promise<string | undefined> {
  try {
    const info = await docker.getImage(tag).inspect();
    return info.Config.Labels?.[HASH_LABEL];
  } catch {
    return undefined;
  }
}

export interface BuildResult {
  tag: string;
  built: boolean;
}

/**
 * Builds `tag` from `contextDir` (which holds the Dockerfile, or names it with `dockerfile`).
 * Skipped when the image's input-hash label matches. Build output goes to `onLine`.
 */
export async function buildImage(
  docker: Docker,
  opts: {
    tag: string;
    contextDir: string;
    /** Which files of contextDir are sent; the context's .dockerignore when absent. */
    include?: (rel: string) => boolean;
    dockerfile?: string;
    buildargs?: Record<string, string>;
    onLine?: (line: string) => void;
  },
): Promise<BuildResult> {
  const include = opts.include ?? contextFilter(opts.contextDir);
  const hash = contextHash(opts.contextDir, [opts.dockerfile ?? '', JSON.stringify(opts.buildargs ?? {})], include);
  if ((await existingHash(docker, opts.tag)) === hash) return { tag: opts.tag, built: false };
  const stream = await docker.buildImage(
    { context: opts.contextDir, src: contextFiles(opts.contextDir, include).filter((f) => !f.endsWith('/')) },
    { t: opts.tag, dockerfile: opts.dockerfile ?? 'Dockerfile', buildargs: opts.buildargs ?? {}, labels: { [HASH_LABEL]: hash }, rm: true, forcerm: true },
  );
  const events = await followProgress<{ error?: string; stream?: string }>(docker, stream, `building ${opts.tag}`, (event) => {
    if (event.stream && opts.onLine) for (const l of event.stream.split('\n')) if (l.trim()) opts.onLine(l);
  });
  const failed = events.find((e) => e.error);
  if (failed) throw new Error(`building ${opts.tag} failed: ${failed.error}`);
  return { tag: opts.tag, built: true };
}
