/**
 * A tiny Prometheus registry: counters with labels and one histogram. Enough
 * for /metrics without a dependency; cheap enough for the redirect path (a
 * Map lookup and an increment).
 */
type Labels = Record<string, string | number>;

const escapeLabel = (v: string | number) => String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const labelText = (l: Labels) => {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
};

export function createMetrics() {
  // a counter's series are cells, so a hot path holding one (inc.with) bumps a number without a Map lookup
  const counters = new Map<string, { help: string; values: Map<string, { v: number }> }>();
  const gauges = new Map<string, { help: string; read: () => number }>();
  const histograms = new Map<string, { help: string; buckets: number[]; counts: number[]; sum: number; count: number }>();

  return {
    /** Registers a counter, or returns the one of that name (modules may share a series). */
    counter(name: string, help: string) {
      const c = counters.get(name) ?? { help, values: new Map<string, { v: number }>() };
      counters.set(name, c);
      const cell = (key: string) => {
        let v = c.values.get(key);
        if (!v) c.values.set(key, (v = { v: 0 }));
        return v;
      };
      const inc = (labels: Labels = {}, by = 1) => {
        cell(labelText(labels)).v += by;
      };
      /** Finds the series once: for hot paths that count the same labels on every request. */
      inc.with = (labels: Labels) => {
        const series = cell(labelText(labels));
        return (by = 1) => {
          series.v += by;
        };
      };
      return inc;
    },
    gauge(name: string, help: string, read: () => number) {
      gauges.set(name, { help, read });
    },
    histogram(name: string, help: string, buckets: number[]) {
      const h = { help, buckets, counts: new Array<number>(buckets.length).fill(0), sum: 0, count: 0 };
      histograms.set(name, h);
      return (value: number) => {
        h.sum += value;
        h.count++;
        for (let i = 0; i < buckets.length; i++) if (value <= buckets[i]!) h.counts[i]!++;
      };
    },
    render(): string {
      const out: string[] = [];
      for (const [name, c] of counters) {
        out.push(`# HELP ${name} ${c.help}`, `# TYPE ${name} counter`);
        for (const [labels, { v }] of c.values) out.push(`${name}${labels} ${v}`);
      }
      for (const [name, g] of gauges) out.push(`# HELP ${name} ${g.help}`, `# TYPE ${name} gauge`, `${name} ${g.read()}`);
      for (const [name, h] of histograms) {
        out.push(`# HELP ${name} ${h.help}`, `# TYPE ${name} histogram`);
        h.buckets.forEach((b, i) => out.push(`${name}_bucket{le="${b}"} ${h.counts[i]}`));
        out.push(`${name}_bucket{le="+Inf"} ${h.count}`, `${name}_sum ${h.sum}`, `${name}_count ${h.count}`);
      }
      return `${out.join('\n')}\n`;
    },
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
