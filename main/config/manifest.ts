// The config directory as a set that grows: one list of what belongs to it (fixed files, and
// folders of files by pattern) drives the history, the first copy-in, Validate and Restore. A file
// Obsdeck ships that an install made by an earlier version does not have is offered to the user
// (the Config view shows it as a new file to review and Apply), never copied in silently: the
// directory is the user's.
import fs from 'node:fs';
import path from 'node:path';
import { RULE_TEST_PATH, type CONFIG_FILE_NAMES } from '../contract.js';
import { writeAtomically } from '../files/atomic.js';

/** What a file of the set is: how it is validated, and whether a service reads it. */
export type SetKind = 'prometheus' | 'rules' | 'alertmanager' | 'rule-test' | 'slos' | 'generated-rules';

/** Kinds a running service reads: a change of one is delivered to it. */
const SERVICE_KINDS: readonly SetKind[] = ['prometheus', 'rules', 'alertmanager', 'generated-rules'];

/**
 * Files Obsdeck writes from another file of the set (never edited, never offered on their own:
 * they come with their source): the objectives' rules and their promtool test, from slos.yml.
 */
export const GENERATED: Readonly<Record<string, string>> = { 'slo_rules.yml': 'slos.yml', 'tests/slo_rules_test.yml': 'slos.yml' };

interface FixedFile { name: string; kind: SetKind }
interface FileFolder { dir: string; pattern: RegExp; kind: SetKind }

const FIXED: readonly FixedFile[] = [
  { name: 'prometheus.yml', kind: 'prometheus' },
  { name: 'prometheus_rules.yml', kind: 'rules' },
  { name: 'alertmanager.yml', kind: 'alertmanager' },
  // Service level objectives, and the rules Obsdeck generates from them (prometheus.yml loads them).
  { name: 'slos.yml', kind: 'slos' },
  { name: 'slo_rules.yml', kind: 'generated-rules' },
] satisfies { name: (typeof CONFIG_FILE_NAMES)[number] | 'slos.yml' | 'slo_rules.yml'; kind: SetKind }[];

const FOLDERS: readonly FileFolder[] = [
  // promtool's rule tests: the shipped ones, and those the user writes or records.
  { dir: 'tests', pattern: RULE_TEST_PATH, kind: 'rule-test' },
];

/** What `rel` (a path inside the config directory, with /) is in the set, or undefined when it is not of it. */
export function kindOf(rel: string): SetKind | undefined {
  const fixed = FIXED.find((f) => f.name === rel);
  if (fixed) return fixed.kind;
  return FOLDERS.find((f) => f.pattern.test(rel))?.kind;
}

/** Whether a running service reads the file (so a change of it is delivered). */
export const readByService = (rel: string) => SERVICE_KINDS.includes(kindOf(rel) ?? 'rule-test');

/** Refuses a path that is not of the set (so no request can name ../ or another file). */
export function setPath(rel: string): string {
  if (!kindOf(rel)) throw new Error(`${rel} is not one of the config directory's files (${describeSet()})`);
  return rel;
}

export function describeSet(): string {
  return [...FIXED.map((f) => f.name), ...FOLDERS.map((f) => `${f.dir}/*.yml`)].join(', ');
}

/** The set's files in `dir`, fixed ones first, then each folder's in name order. */
export function setFiles(dir: string): string[] {
  const fixed = FIXED.map((f) => f.name).filter((n) => fs.existsSync(path.join(dir, n)));
  const folders = FOLDERS.flatMap((f) => {
    const where = path.join(dir, f.dir);
    if (!fs.existsSync(where)) return [];
    // Plain files only: a symlink (dangling, or to a file outside the directory) is not of the set.
    const plain = (rel: string) => {
      try {
        return fs.lstatSync(path.join(dir, rel)).isFile();
      } catch {
        return false;
      }
    };
    return fs.readdirSync(where).map((n) => `${f.dir}/${n}`).filter((rel) => f.pattern.test(rel) && plain(rel)).sort();
  });
  return [...fixed, ...folders];
}

/** The set's files of `dir` and their texts. */
export function readSet(dir: string): Record<string, string> {
  return Object.fromEntries(setFiles(dir).map((rel) => [rel, fs.readFileSync(path.join(dir, rel), 'utf8')]));
}

/** Copies the shipped set (and what only the first copy-in takes, such as grafana/) into a new directory. */
export function copySet(shipped: string, into: string, also: readonly string[] = []): void {
  for (const rel of setFiles(shipped)) fs.cpSync(path.join(shipped, rel), path.join(into, rel));
  for (const rel of also) fs.cpSync(path.join(shipped, rel), path.join(into, rel), { recursive: true });
}

const DISMISSED = '.obsdeck-not-offered.json';

function dismissed(configDir: string): string[] {
  try {
    const list: unknown = JSON.parse(fs.readFileSync(path.join(configDir, DISMISSED), 'utf8'));
    return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * Files Obsdeck ships that this config directory lacks (an install made by an earlier version),
 * with their shipped text: offered for the user to review and Apply, unless dismissed.
 */
export function offeredFiles(configDir: string, shipped: string): { name: string; text: string }[] {
  const not = new Set(dismissed(configDir));
  return setFiles(shipped)
    .filter((rel) => !not.has(rel) && !(rel in GENERATED) && !fs.existsSync(path.join(configDir, rel)))
    .map((rel) => ({ name: rel, text: fs.readFileSync(path.join(shipped, rel), 'utf8') }));
}

/** The user said "not now" to a shipped file: it is offered no more (the list is the config directory's). */
export function dismissOffer(configDir: string, rel: string): void {
  const list = [...new Set([...dismissed(configDir), setPath(rel)])].sort();
  writeAtomically(path.join(configDir, DISMISSED), `${JSON.stringify(list, null, 2)}\n`, 0o644);
}
