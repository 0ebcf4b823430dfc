/**
 * A small Prometheus registry for `serve` (text exposition format 0.0.4): counters and gauges
 * with labels, and histograms for registry latency. Rendering is a pure function of the values.
 */

type Labels = Record<string, string>;

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  series: Map<string, { labels: Labels; value: number }>;
  buckets?: number[];
  hist?: Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>;
}

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

/** Escapes a label value as the exposition format requires (backslash, quote, newline). */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function renderLabels(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabelValue(labels[k])}"`);
  if (extra) pairs.push(`${extra[0]}="${escapeLabelValue(extra[1])}"`);
  return pairs.length ? `{${pairs.join(',')}}` : '';
}

function formatNumber(n: number): string {
  if (n === Infinity) return '+Inf';
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(12)));
}

/** Default latency buckets in seconds, from a loopback HEAD (~1 ms) to a slow remote registry. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** A set of metric families rendered together at /metrics. */
export class MetricsRegistry {
  private readonly families = new Map<string, Family>();

  private family(name: string, help: string, type: Family['type'], buckets?: number[]): Family {
    let f = this.families.get(name);
    if (!f) {
      f = { name, help, type, series: new Map(), ...(buckets ? { buckets, hist: new Map() } : {}) };
      this.families.set(name, f);
    }
    return f;
  }

  /** Declares a counter (so it renders with HELP/TYPE even before its first increment). */
  counter(name: string, help: string): (labels?: Labels, by?: number) => void {
    const f = this.family(name, help, 'counter');
    return (labels = {}, by = 1) => {
      const k = labelKey(labels);
      const s = f.series.get(k) ?? { labels, value: 0 };
      s.value += by;
      f.series.set(k, s);
    };
  }

  /** Declares a gauge whose value is read when /metrics is rendered. */
  gauge(name: string, help: string, read: () => number): void {
    const f = this.family(name, help, 'gauge');
    f.series.set('', { labels: {}, value: 0 });
    Object.defineProperty(f.series.get(''), 'value', { get: read });
  }

  /** Declares a histogram; returns an observer taking seconds. */
  histogram(name: string, help: string, buckets = LATENCY_BUCKETS): (seconds: number, labels?: Labels) => void {
    const f = this.family(
      name,
      help,
      'histogram',
      [...buckets].sort((a, b) => a - b),
    );
    return (seconds, labels = {}) => {
      const k = labelKey(labels);
      const h = f.hist!.get(k) ?? { labels, counts: f.buckets!.map(() => 0), sum: 0, count: 0 };
      f.buckets!.forEach((b, i) => {
        if (seconds <= b) h.counts[i]++;
      });
      h.sum += seconds;
      h.count++;
      f.hist!.set(k, h);
    };
  }

  /** The current value of a counter or gauge series (for tests and logs). */
  value(name: string, labels: Labels = {}): number {
    return this.families.get(name)?.series.get(labelKey(labels))?.value ?? 0;
  }

  /** Renders every family in the Prometheus text format. */
  render(): string {
    const out: string[] = [];
    for (const f of this.families.values()) {
      out.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${f.name} ${f.type}`);
      if (f.type !== 'histogram') {
        for (const s of f.series.values()) out.push(`${f.name}${renderLabels(s.labels)} ${formatNumber(s.value)}`);
        continue;
      }
      for (const h of f.hist!.values()) {
        f.buckets!.forEach((b, i) =>
          out.push(`${f.name}_bucket${renderLabels(h.labels, ['le', formatNumber(b)])} ${h.counts[i]}`),
        );
        out.push(`${f.name}_bucket${renderLabels(h.labels, ['le', '+Inf'])} ${h.count}`);
        out.push(`${f.name}_sum${renderLabels(h.labels)} ${formatNumber(h.sum)}`);
        out.push(`${f.name}_count${renderLabels(h.labels)} ${h.count}`);
      }
    }
    return `${out.join('\n')}\n`;
  }
}
