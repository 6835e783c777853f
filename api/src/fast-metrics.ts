// Counters and histograms for the request hot path, registered in prom-client's Registry (which
// renders them with everything else). prom-client's own types hash and validate the label set on
// every inc()/observe(); measured by bench/api-overhead, that cost most of the 10% throughput the
// metrics took. Here a label set is resolved to its child once and then costs one Map lookup.
// A scrape renders them from label text formatted once per label set (renderRegistry), where
// prom-client formats and escapes every label of every sample at every scrape: at 10k series
// that was 60 ms a scrape.
import type { Registry } from 'prom-client';

type Labels = Record<string, string>;
interface Sample { metricName?: string; labels: Labels; value: number }

/** Prometheus' text format's escapes, as prom-client writes them (HELP: backslash, newline; label values: also the double quote). */
const escapeText = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const escapeLabel = (s: string) => escapeText(s).replace(/"/g, '\\"');
/** A sample's value as prom-client writes it. */
const valueText = (v: number) => (Number.isNaN(v) ? 'Nan' : !Number.isFinite(v) ? (v < 0 ? '-Inf' : '+Inf') : `${v}`);
/** `a="x",b="y"`: a label set's text, in the order given. */
const labelText = (labels: Labels) => Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',');

abstract class Labelled<Child> {
  /** Each label set's child, with its labels' text made once (every scrape writes it). */
  protected readonly children = new Map<string, { labels: Labels; text: string; child: Child }>();

  constructor(readonly name: string, readonly help: string, readonly labelNames: readonly string[], registry: Registry) {
    registry.registerMetric(this as never);
  }

  /** The child for these label values, in `labelNames` order; created on first use. */
  labels(...values: string[]): Child {
    const key = values.join('\u0000');
    let entry = this.children.get(key);
    if (!entry) {
      if (values.length !== this.labelNames.length) {
        throw new Error(`${this.name} takes ${this.labelNames.length} label values (${this.labelNames.join(', ')}), got ${values.length}`);
      }
      const labels: Labels = {};
      this.labelNames.forEach((n, i) => (labels[n] = values[i]!));
      entry = { labels, text: labelText(labels), child: this.create() };
      this.children.set(key, entry);
    }
    return entry.child;
  }

  protected abstract create(): Child;
  abstract get(): { name: string; help: string; type: string; aggregator: string; values: Sample[] };
  /** The sample lines of the text format (without HELP and TYPE). */
  protected abstract lines(out: string[]): void;
  abstract readonly type: string;

  /** This metric in the text format, exactly as prom-client's Registry writes it. */
  render(): string {
    const out = [`# HELP ${escapeText(this.name)} ${escapeText(this.help)}`, `# TYPE ${escapeText(this.name)} ${this.type}`];
    this.lines(out);
    return out.join('\n');
  }

  reset(): void {
    this.children.clear();
  }
}

class CounterChild {
  value = 0;
  inc(by = 1): void {
    if (!(by >= 0)) throw new Error(`a counter cannot go down or take ${by}`);
    this.value += by;
  }
}

export class FastCounter extends Labelled<CounterChild> {
  readonly type = 'counter';
  protected create(): CounterChild {
    return new CounterChild();
  }
  get() {
    const values = [...this.children.values()].map(({ labels, child }) => ({ labels, value: child.value }));
    return { name: this.name, help: this.help, type: this.type, aggregator: 'sum', values };
  }
  protected lines(out: string[]): void {
    for (const { text, child } of this.children.values()) out.push(`${this.name}${text ? `{${text}}` : ''} ${valueText(child.value)}`);
  }
}

class HistogramChild {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length);
  }
  observe(value: number): void {
    const b = this.bounds;
    for (let i = 0; i < b.length; i++) {
      if (value <= b[i]!) {
        this.counts[i]! += 1;
        break;
      }
    }
    this.sum += value;
    this.count += 1;
  }
}

export class FastHistogram extends Labelled<HistogramChild> {
  readonly type = 'histogram';
  private readonly bounds: readonly number[];
  /** Each bucket's `le="…"` label text, made once. */
  private readonly les: string[];

  constructor(name: string, help: string, labelNames: readonly string[], buckets: readonly number[], registry: Registry) {
    super(name, help, labelNames, registry);
    this.bounds = [...buckets].sort((a, b) => a - b);
    this.les = [...this.bounds.map((b) => `le="${String(b)}"`), 'le="+Inf"'];
  }
  protected create(): HistogramChild {
    return new HistogramChild(this.bounds);
  }
  get() {
    const values: Sample[] = [];
    for (const { labels, child } of this.children.values()) {
      let cumulative = 0;
      this.bounds.forEach((bound, i) => {
        cumulative += child.counts[i]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { le: String(bound), ...labels }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf', ...labels }, value: child.count });
      values.push({ metricName: `${this.name}_sum`, labels, value: child.sum });
      values.push({ metricName: `${this.name}_count`, labels, value: child.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: 'sum', values };
  }
  protected lines(out: string[]): void {
    const bucket = `${this.name}_bucket`;
    for (const { text, child } of this.children.values()) {
      const rest = text ? `,${text}` : '';
      let cumulative = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        cumulative += child.counts[i]!;
        out.push(`${bucket}{${this.les[i]!}${rest}} ${valueText(cumulative)}`);
      }
      out.push(`${bucket}{${this.les[this.bounds.length]!}${rest}} ${valueText(child.count)}`);
      const own = text ? `{${text}}` : '';
      out.push(`${this.name}_sum${own} ${valueText(child.sum)}`, `${this.name}_count${own} ${valueText(child.count)}`);
    }
  }
}

/**
 * The registry in the text format, as `registry.metrics()` writes it: the fast metrics render
 * themselves; the others (prom-client's own: the process metrics, gauges) as prom-client does.
 */
export async function renderRegistry(registry: Registry): Promise<string> {
  const parts = await Promise.all(registry.getMetricsAsArray().map(async (m: unknown) => (m instanceof Labelled ? m.render() : registry.getSingleMetricAsString((m as { name: string }).name))));
  return `${parts.join('\n\n')}\n`;
}
