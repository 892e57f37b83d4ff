// A minimal Prometheus registry: labelled counters, histograms and scrape-time gauges,
// rendered in the text exposition format (version 0.0.4).

type Value = number | bigint;

const escapeLabel = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function labelText(names: readonly string[], values: readonly string[], extra = ''): string {
  const parts = names.map((n, i) => `${n}="${escapeLabel(values[i] ?? '')}"`);
  if (extra) parts.push(extra);
  return parts.length ? `{${parts.join(',')}}` : '';
}

interface Metric {
  render(): string;
}

export class Counter implements Metric {
  private values = new Map<string, { labels: string[]; value: Value }>();
  constructor(readonly name: string, private readonly help: string, private readonly labelNames: readonly string[] = []) {}

  inc(labels: readonly string[] = [], by: Value = 1): void {
    const k = labels.join('\u0000');
    const e = this.values.get(k);
    if (!e) this.values.set(k, { labels: [...labels], value: by });
    else e.value = typeof e.value === 'bigint' || typeof by === 'bigint' ? BigInt(e.value) + BigInt(by) : e.value + by;
  }

  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} counter\n`;
    for (const e of this.values.values()) out += `${this.name}${labelText(this.labelNames, e.labels)} ${e.value}\n`;
    return out;
  }
}

export class Histogram implements Metric {
  private series = new Map<string, { labels: string[]; counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, private readonly help: string, private readonly buckets: readonly number[], private readonly labelNames: readonly string[] = []) {}

  observe(value: number, labels: readonly string[] = []): void {
    const k = labels.join('\u0000');
    let s = this.series.get(k);
    if (!s) this.series.set(k, (s = { labels: [...labels], counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) s.counts[i]!++;
    s.sum += value;
    s.count++;
  }

  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} histogram\n`;
    for (const s of this.series.values()) {
      this.buckets.forEach((b, i) => {
        out += `${this.name}_bucket${labelText(this.labelNames, s.labels, `le="${b}"`)} ${s.counts[i]}\n`;
      });
      out += `${this.name}_bucket${labelText(this.labelNames, s.labels, 'le="+Inf"')} ${s.count}\n`;
      out += `${this.name}_sum${labelText(this.labelNames, s.labels)} ${s.sum}\n`;
      out += `${this.name}_count${labelText(this.labelNames, s.labels)} ${s.count}\n`;
    }
    return out;
  }
}

/** A value read at scrape time (pool states, subscriber counts). */
export class Gauge implements Metric {
  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly labelNames: readonly string[],
    private readonly collect: () => Iterable<[labels: readonly string[], value: Value]>,
    private readonly type: 'gauge' | 'counter' = 'gauge',
  ) {}

  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} ${this.type}\n`;
    for (const [labels, value] of this.collect()) out += `${this.name}${labelText(this.labelNames, labels)} ${value}\n`;
    return out;
  }
}

export class Registry {
  private metrics: Metric[] = [];

  add<M extends Metric>(m: M): M {
    this.metrics.push(m);
    return m;
  }

  render(): string {
    return this.metrics.map((m) => m.render()).join('');
  }
}
