// The charts' lines, drawn straight onto uPlot's canvas. uPlot builds a Path2D per series on each
// redraw, and in Chromium a Path2D of a thousand points costs more to create and collect than to
// draw: for the Metrics view's 20 series × 1000 points, half of a redraw. Here each series is one
// beginPath … stroke on the context, the x positions (shared by every series) computed once, and
// a null (a gap) lifts the pen, as uPlot's own builder does with spanGaps off.
import uPlot from 'uplot';

/** A series' `paths` that builds nothing: the lines come from drawLines instead. */
export const noPaths = (): null => null;

/**
 * Draws every shown series of `u` (its `stroke` colour, `width` in CSS pixels, `ratio` device
 * pixels to one) inside the plot area.
 */
export function drawLines(u: uPlot, ratio: number = uPlot.pxRatio): void {
  const xs = u.data[0];
  const n = xs.length;
  const x = u.scales.x!;
  if (!n || x.min == null || x.max == null || x.max === x.min) return;
  const { ctx } = u;
  const { left, top, width, height } = u.bbox;
  const kx = width / (x.max - x.min);
  const px = new Float64Array(n);
  for (let i = 0; i < n; i++) px[i] = Math.round(left + (xs[i]! - x.min) * kx);
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  for (let s = 1; s < u.series.length; s++) {
    const series = u.series[s]!;
    const ys = u.data[s];
    const y = u.scales[series.scale ?? 'y'];
    if (!series.show || !ys || !y || y.min == null || y.max == null) continue;
    const lineWidth = Math.round((series.width ?? 1) * ratio);
    // A 1 px line on a pixel's centre, not across two (as uPlot aligns it).
    const offset = (lineWidth % 2) / 2;
    const ky = y.max === y.min ? 0 : height / (y.max - y.min);
    const bottom = top + height;
    ctx.beginPath();
    let pen = false;
    for (let i = 0; i < n; i++) {
      const v = ys[i];
      if (v == null) {
        pen = false;
        continue;
      }
      const py = Math.round(bottom - (v - y.min) * ky) + offset;
      if (pen) ctx.lineTo(px[i]! + offset, py);
      else ctx.moveTo(px[i]! + offset, py);
      pen = true;
    }
    ctx.strokeStyle = typeof series.stroke === 'function' ? series.stroke(u, s) : (series.stroke as string);
    ctx.lineWidth = lineWidth;
    ctx.lineJoin = 'round';
    ctx.stroke();
  }
  ctx.restore();
}
