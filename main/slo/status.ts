// Where each objective stands now, read from the live Prometheus with the same expressions the
// generated rules record (so it holds even before the rules have history): the error ratio over
// the objective's window and the budget left, each burn rate's ratio on its long and short window
// against its threshold, the time to exhaustion at the current rate, and the sentence that says
// the arithmetic. The Objectives view and `obsdeck slo list` show it.
import type { SloBurn, SloStatus } from '../contract.js';
import type { PrometheusClient } from '../prom/client.js';
import { formatDuration } from '../rules/files.js';
import { BURN_ALERT, burnRatesOf, errorRatioExpr, spendSentence, thresholdOf } from './generate.js';
import type { Objective } from './spec.js';

const pct = (x: number) => `${Number((x * 100).toPrecision(4))}%`;

/** The budget left over the window, as a PromQL expression (for its chart). */
export function budgetExpr(o: Objective): string {
  return `1 - (${errorRatioExpr(o, o.windowMs)}) / ${Number((1 - o.target).toPrecision(12))}`;
}

/** How long the budget left lasts at a burn rate (`burn` × "used up exactly at the window's end"). */
export function exhaustionMs(remaining: number, burn: number, windowMs: number): number | undefined {
  if (!(burn > 0)) return undefined;
  return Math.max(0, remaining) * windowMs / burn;
}

/** "Budget left 80% of 30d: at the current 2.5× (last 1h) it lasts 9d14h." */
export function statusSentence(o: Objective, remaining: number | undefined, burn: number | undefined, over: number): string {
  const window = formatDuration(o.windowMs);
  if (remaining === undefined) return `No requests in the last ${window} yet: the budget is counted from the first one.`;
  const left = `${pct(Math.max(0, remaining))} of the ${window} budget is left (${pct(1 - o.target)} of requests may fail)`;
  if (remaining <= 0) return `The ${window} budget is spent: ${pct(-remaining)} over it.`;
  if (burn === undefined || burn <= 0) return `${left}; nothing failed in the last ${formatDuration(over)}.`;
  const lasts = exhaustionMs(remaining, burn, o.windowMs)!;
  return `${left}; at the last ${formatDuration(over)}'s ${Number(burn.toPrecision(3))}× it is spent in ${formatDuration(Math.round(lasts / 60_000) * 60_000 || 60_000)}.`;
}

async function ratioOf(prom: PrometheusClient, o: Objective, ms: number): Promise<number | undefined> {
  const v = await prom.value(errorRatioExpr(o, ms));
  return v === undefined || Number.isNaN(v) ? undefined : v;
}

/** Each objective's state now. `firing`: the ErrorBudgetBurn alerts Prometheus has firing, by their labels. */
export async function objectivesStatus(prom: PrometheusClient, objectives: Objective[], scrapeMs: number): Promise<SloStatus[]> {
  const alerts = await prom.alerts().then((a) => a.alerts.filter((x) => x.labels.alertname === BURN_ALERT && x.state === 'firing'), () => []);
  return Promise.all(objectives.map(async (o): Promise<SloStatus> => {
    const budget = 1 - o.target;
    const rates = burnRatesOf(o, scrapeMs);
    const windows = [...new Set(rates.flatMap((r) => [r.longMs, r.shortMs]).concat(o.windowMs))];
    const ratios = new Map(await Promise.all(windows.map(async (ms) => [ms, await ratioOf(prom, o, ms)] as const)));
    const overall = ratios.get(o.windowMs);
    const remaining = overall === undefined ? undefined : 1 - overall / budget;
    const burns = rates.map((r): SloBurn => {
      const long = ratios.get(r.longMs);
      const short = ratios.get(r.shortMs);
      const threshold = thresholdOf(o, r);
      return {
        severity: r.severity, long: formatDuration(r.longMs), short: formatDuration(r.shortMs), factor: r.factor, threshold,
        ...(long !== undefined ? { burnLong: long / budget } : {}), ...(short !== undefined ? { burnShort: short / budget } : {}),
        over: long !== undefined && short !== undefined && long > threshold && short > threshold,
        firing: alerts.some((a) => a.labels.slo === o.name && a.labels.long_window === formatDuration(r.longMs) && a.labels.short_window === formatDuration(r.shortMs)),
        spend: spendSentence(o, r),
      };
    });
    // The current rate: the shortest long window's (1h for 30 days).
    const fastest = [...rates].sort((a, b) => a.longMs - b.longMs)[0];
    const now = fastest ? ratios.get(fastest.longMs) : undefined;
    const burnNow = now === undefined ? undefined : now / budget;
    const lasts = remaining !== undefined && burnNow !== undefined ? exhaustionMs(remaining, burnNow, o.windowMs) : undefined;
    return {
      name: o.name, service: o.service, description: o.description, target: o.target, window: formatDuration(o.windowMs), windowMs: o.windowMs,
      sli: { kind: o.sli.kind, events: o.sli.events.text, total: o.sli.total.text },
      ...(overall !== undefined ? { errorRatio: overall } : {}), ...(remaining !== undefined ? { budgetRemaining: remaining } : {}),
      ...(burnNow !== undefined ? { burnNow } : {}), ...(lasts !== undefined ? { exhaustionMs: lasts } : {}),
      sentence: statusSentence(o, remaining, burnNow, fastest?.longMs ?? o.windowMs),
      burns, budgetExpr: budgetExpr(o),
    };
  }));
}
