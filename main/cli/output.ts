// How the CLI writes: colour only on a terminal (and never with NO_COLOR), one line per step of
// an up or down (pull and build progress at most every 10%).
import type { StackEvent } from '../contract.js';

const tty = process.stdout.isTTY && !process.env.NO_COLOR;
const ESC = String.fromCharCode(27);
export const visible = (s: string) => s.replaceAll(new RegExp(`${ESC}\\[\\d+m`, 'g'), '');
export const paint = (code: number) => (s: string) => (tty ? `${ESC}[${code}m${s}${ESC}[0m` : s);
export const green = paint(32);
export const red = paint(31);
export const yellow = paint(33);
export const dim = paint(2);

export function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function warn(line: string): void {
  process.stderr.write(`${yellow('warning')}: ${line}\n`);
}

/** One line per step; pull and build progress at most every 10%. */
export function printer(): (e: StackEvent) => void {
  const lastPct = new Map<string, number>();
  return (e) => {
    if (e.state === 'progress') {
      if (!e.progress) return;
      const pct = Math.floor((e.progress.current / Math.max(1, e.progress.total)) * 10) * 10;
      const key = `${e.step}:${e.service ?? ''}`;
      if ((lastPct.get(key) ?? -1) >= pct) return;
      lastPct.set(key, pct);
      out(dim(`  … ${e.service ?? ''} ${e.step} ${pct}%`));
      return;
    }
    const mark = { started: dim('…'), done: green('✓'), skipped: dim('·'), failed: red('✗') }[e.state];
    out(`${mark} ${e.message}`);
  };
}

/** Rows as aligned columns (colour codes do not count toward the width). */
export function columns(rows: string[][]): void {
  const width = (i: number) => Math.max(...rows.map((r) => visible(r[i] ?? '').length));
  for (const r of rows) out(r.map((c, i) => c + ' '.repeat(Math.max(0, width(i) - visible(c).length))).join('  ').trimEnd());
}
