// `obsdeck targets` and `obsdeck query`: asking the stack's Prometheus.
import { PrometheusClient } from '../prom/client.js';
import { serviceBase } from '../stack/compose.js';
import { requireRunning } from './context.js';
import { dim, green, out, red, yellow } from './output.js';
import { UsageError, type Command } from './table.js';

async function prometheus(): Promise<PrometheusClient> {
  const stack = await requireRunning('prometheus', 'Prometheus');
  const service = stack.spec.services.find((s) => s.name === 'prometheus');
  const base = service && serviceBase(service);
  if (!base) throw new Error('the stack has no published Prometheus port');
  return new PrometheusClient(base);
}


export const promCommands: Command[] = [
  {
    name: 'targets', section: 'Prometheus',
    help: 'the scrape targets and their health',
    run: async () => {
      const { activeTargets } = await (await prometheus()).targets('active');
      for (const t of activeTargets) {
        const last = t.lastScrape.startsWith('0001') ? 'not scraped yet' : `last scraped ${t.lastScrape.slice(11, 19)} in ${(t.lastScrapeDuration * 1000).toFixed(1)} ms`;
        const health = t.health === 'up' ? green('up     ') : t.health === 'down' ? red('down   ') : yellow('unknown');
        out(`${health}  ${t.labels.job ?? t.scrapePool}  ${t.scrapeUrl}  ${dim(last)}${t.lastError ? `  ${red(t.lastError)}` : ''}`);
      }
      return 0;
    },
  },
  {
    name: 'query', section: 'Prometheus', args: 'PROMQL',
    help: 'an instant query',
    run: async ({ positionals }) => {
      const expr = positionals.join(' ');
      if (!expr) throw new UsageError('query needs a PromQL expression');
      const data = await (await prometheus()).query(expr);
      if (data.resultType === 'vector') {
        if (!data.result.length) out(dim('(no series)'));
        for (const s of data.result) {
          const { __name__: name, ...labels } = s.metric;
          out(`${name ?? ''}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(', ')}} ${s.value[1]}`);
        }
      } else if (data.resultType === 'matrix') {
        for (const s of data.result) out(`${JSON.stringify(s.metric)} ${s.values.map((v) => v[1]).join(' ')}`);
      } else {
        out(data.result[1]);
      }
      return 0;
    },
  },
];
