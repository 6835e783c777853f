// What the benchmarks share: alternating rounds (so drift in the machine affects both sides
// alike and neither always meets a warmer machine), at least seven of them, and a summary that
// shows the spread: min, median and max of each side and of the per-round ratio, and an A/A
// line (the baseline run twice in each round, against itself) so a reader sees how much of a
// ratio is noise. On a 2-core machine one run of three rounds gave 1.12 where another gave 0.94.

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Rounds unless ROUNDS says otherwise; never fewer than seven (fewer do not settle a figure here). */
export function roundsFromEnv(fallback = 7): number {
  const n = Number(process.env.ROUNDS ?? fallback);
  if (!Number.isInteger(n) || n < 1) throw new Error(`ROUNDS must be a whole number, got "${process.env.ROUNDS}"`);
  if (n < 7) console.warn(`ROUNDS=${n}: fewer than 7 rounds; the spread below says how far to trust it`);
  return n;
}

export interface Rounds<T> { ours: T[]; theirs: T[]; /** The baseline's second run in each round (the A/A side). */ again: T[] }

/**
 * Runs `ours` once and `theirs` twice per round, rotating the order each round (ours first,
 * then second, then last), and reports each round.
 */
export async function alternate<T>(rounds: number, ours: () => Promise<T>, theirs: () => Promise<T>, report: (round: number, a: T, b: T, b2: T) => void): Promise<Rounds<T>> {
  const out: Rounds<T> = { ours: [], theirs: [], again: [] };
  for (let i = 0; i < rounds; i++) {
    const steps: [keyof Rounds<T>, () => Promise<T>][] = [['ours', ours], ['theirs', theirs], ['again', theirs]];
    for (let k = 0; k < 3; k++) {
      const [side, run] = steps[(k + i) % 3]!;
      out[side].push(await run());
    }
    report(i + 1, out.ours.at(-1)!, out.theirs.at(-1)!, out.again.at(-1)!);
  }
  return out;
}

export interface Spread { min: number; median: number; max: number }
export const spread = (xs: number[]): Spread => ({ min: Math.min(...xs), median: median(xs), max: Math.max(...xs) });
const show = (s: Spread, f: (x: number) => string) => `min ${f(s.min)}  median ${f(s.median)}  max ${f(s.max)}`;

/**
 * Prints each side's spread, the per-round ratio ours/theirs and the A/A ratio theirs/again;
 * returns the median ratio and the A/A spread.
 */
export function summarize(label: { ours: string; theirs: string; unit: string }, a: number[], b: number[], b2: number[], f: (x: number) => string = (x) => x.toFixed(0)): { ratio: Spread; aa: Spread } {
  const ratio = spread(a.map((x, i) => x / b[i]!));
  const aa = spread(b.map((x, i) => x / b2[i]!));
  const width = Math.max(label.ours.length, label.theirs.length);
  console.log(`\n${a.length} alternating rounds (${label.unit}):`);
  console.log(`  ${label.ours.padEnd(width)}  ${show(spread(a), f)}`);
  console.log(`  ${label.theirs.padEnd(width)}  ${show(spread([...b, ...b2]), f)}`);
  console.log(`  ratio ${label.ours} / ${label.theirs}, per round: ${show(ratio, (x) => x.toFixed(2))}`);
  console.log(`  A/A ${label.theirs} / itself, per round:   ${show(aa, (x) => x.toFixed(2))}  (the noise: a ratio inside this spread is no difference)`);
  return { ratio, aa };
}
