// How the charts show values of each unit.
import { formatBytes } from './format.js';

export type Unit = 'percent' | 'seconds' | 'reqps' | 'ops' | 'short' | 'bytes';

export function formatValue(v: number | null | undefined, unit: Unit): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  switch (unit) {
    case 'percent': return `${(v * 100).toFixed(v >= 0.9995 || v === 0 ? 0 : 2)}%`;
    case 'seconds': return v >= 1 ? `${v.toFixed(2)} s` : v >= 0.001 ? `${(v * 1000).toFixed(1)} ms` : `${(v * 1e6).toFixed(0)} µs`;
    case 'reqps': return `${v.toFixed(v < 10 ? 2 : 0)}/s`;
    case 'ops': return `${v.toFixed(v < 10 ? 2 : 0)}/s`;
    case 'bytes': return formatBytes(Math.round(v));
    default: return v.toFixed(v < 10 ? 2 : 0);
  }
}
