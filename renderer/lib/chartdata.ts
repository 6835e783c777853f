// Range results to uPlot's aligned data: one shared time axis, a column per series, null where
// a series has no point (a gap, not a zero).
import type { RangeResult } from '../../main/contract';

export interface ChartSeries { label: string; values: (number | null)[] }
export interface ChartData {
  times: number[];
  series: ChartSeries[];
  /** The time range asked for (unix seconds): the x axis spans it even where data is sparse. */
  window?: [number, number];
}

/** A legend label from a legend template ("{{endpoint}}") or, without one, the labels that differ. */
export function seriesLabel(labels: Record<string, string>, template?: string): string {
  if (template) return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => labels[k] ?? '');
  const { __name__: name, ...rest } = labels;
  const parts = Object.entries(rest).map(([k, v]) => `${k}="${v}"`);
  return parts.length ? `${name ?? ''}{${parts.join(', ')}}` : (name ?? 'value');
}

export function align(results: { result: RangeResult; legend?: string }[], window?: [number, number]): ChartData {
  const times = [...new Set(results.flatMap(({ result }) => result.series.flatMap((s) => s.points.map(([t]) => t))))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const series = results.flatMap(({ result, legend }) => result.series.map((s) => {
    const values = new Array<number | null>(times.length).fill(null);
    for (const [t, v] of s.points) values[index.get(t)!] = Number.isFinite(v) ? v : null;
    return { label: seriesLabel(s.labels, legend), values };
  }));
  return { times, series, ...(window ? { window } : {}) };
}
