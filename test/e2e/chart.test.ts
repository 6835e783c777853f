// The chart component in Chromium, on its own (the page bench/charts.ts times): its lines are on
// the canvas in each series' colour across the plot, a gap in a series is a gap in its line, the
// legend hides and shows a series, and a redraw with new data (setData) draws them again.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveBundle, type BundlePage } from '../../scripts/lib/bundle-page.js';
import { launchChromium } from '../../scripts/lib/chromium.js';

let page0: BundlePage;
let browser: Browser;

beforeAll(async () => {
  page0 = await serveBundle('renderer/bench/chartbench.tsx');
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  page0?.close();
});

/** The chart's colours (Chart.tsx): series 0, 1 and 2. */
const COLOURS = [[9, 105, 218], [207, 34, 46], [26, 127, 55]];

/** For each colour, which of the canvas' pixel columns hold it. A string: it runs in the page. */
const columns = (page: Page) => page.evaluate<boolean[][]>(`(() => {
  const c = document.querySelector('.chart canvas');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const colours = ${JSON.stringify(COLOURS)};
  const hit = colours.map(() => new Array(c.width).fill(false));
  for (let i = 0; i < d.length; i += 4) colours.forEach(([r, g, b], k) => {
    if (Math.abs(d[i] - r) < 24 && Math.abs(d[i + 1] - g) < 24 && Math.abs(d[i + 2] - b) < 24) hit[k][(i / 4) % c.width] = true;
  });
  return hit;
})()`);
const count = (cols: boolean[]) => cols.filter(Boolean).length;
/** The widest run of columns without the colour between its first and last column. */
const widestHole = (cols: boolean[]) => {
  const first = cols.indexOf(true);
  const last = cols.lastIndexOf(true);
  let run = 0;
  let widest = 0;
  for (let i = first; i <= last; i++) {
    run = cols[i] ? 0 : run + 1;
    widest = Math.max(widest, run);
  }
  return widest;
};

async function open(query: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 600 } });
  await page.goto(`${page0.url}/?${query}`);
  await page.waitForFunction('window.chartBench && window.chartBench.ready()');
  return page;
}

describe('a chart', () => {
  it('draws each series as a line across the plot, in its colour', async () => {
    const page = await open('series=3&points=200');
    const hit = await columns(page);
    for (const cols of hit) {
      expect(count(cols)).toBeGreaterThan(1000); // the plot is about 1100 px wide
      expect(widestHole(cols)).toBeLessThan(20); // one line (hidden for a few columns where another crosses it)
    }
    await page.close();
  });

  it('leaves a gap where a series has no points, and the legend hides and shows a series', async () => {
    const page = await open('series=3&points=200&gap=80-120');
    const before = await columns(page);
    // 41 of 200 points missing: a hole of about a fifth of the plot in series 0 alone.
    expect(widestHole(before[0]!)).toBeGreaterThan(150);
    expect(widestHole(before[1]!)).toBeLessThan(20);
    await page.locator('.u-legend .u-series').nth(2).click(); // series 1 (0 is the time)
    await expect.poll(async () => count((await columns(page))[1]!)).toBe(0);
    expect(count((await columns(page))[0]!)).toBeGreaterThan(800);
    await page.locator('.u-legend .u-series').nth(2).click();
    await expect.poll(async () => count((await columns(page))[1]!)).toBeGreaterThan(1000);
    await page.close();
  });

  it('draws the new data after a redraw with setData', async () => {
    const page = await open('series=3&points=200');
    for (let tick = 1; tick <= 3; tick++) await page.evaluate(`window.chartBench.redraw(${tick}, false)`);
    const hit = await columns(page);
    for (const cols of hit) expect(count(cols)).toBeGreaterThan(1000);
    await page.close();
  });
});
