// A small line of the last minutes of one figure (a card's CPU), drawn as SVG: no axes, its
// latest value beside it in words for whoever cannot see the line.
export function Sparkline({ values, label, max, width = 120, height = 24 }: { values: number[]; label: string; max?: number; width?: number; height?: number }) {
  if (values.length < 2) return null;
  const top = Math.max(max ?? 0, ...values, 1e-9);
  const step = width / (values.length - 1);
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - (v / top) * (height - 2) - 1).toFixed(1)}`).join(' ');
  return (
    <svg className="sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}
