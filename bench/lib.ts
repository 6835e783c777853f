// What the benchmarks share: alternating rounds (so drift in the machine affects both sides
// alike and neither always meets a warmer machine) and medians.

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Runs `ours` and `theirs` `rounds` times, alternating which goes first; reports each round. */
export async function alternate(rounds: number, ours: () => Promise<number>, theirs: () => Promise<number>, report: (round: number, a: number, b: number) => void): Promise<{ ours: number[]; theirs: number[] }> {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      a.push(await ours());
      b.push(await theirs());
    } else {
      b.push(await theirs());
      a.push(await ours());
    }
    report(i + 1, a.at(-1)!, b.at(-1)!);
  }
  return { ours: a, theirs: b };
}
