/**
 * Counter and histogram for the per-request hot path, registered in a prom-client Registry.
 *
 * prom-client's own children re-validate and re-hash their labels on every `inc()`/`observe()`
 * (a sort, a string join and a map lookup per call). Here a series is resolved once per label
 * combination and recording is plain arithmetic on it; the exposition text is still produced by
 * prom-client's Registry (these objects implement the `get()` it reads), so names, types and
 * formatting are identical and `promtool check metrics` applies unchanged.
 */
import type { Registry } from 'prom-client';

type LabelValues = Readonly<Record<string, string>>;

interface SampleValue {
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
  readonly metricName?: string;
}

/** One counter series. */
export class CounterSeries {
  /** Current value. */
  value = 0;

  constructor(readonly labels: LabelValues) {}

  /** Adds `amount` (default 1). */
  inc(amount = 1): void {
    this.value += amount;
  }
}

/** One histogram series: per-bucket counts (non-cumulative), sum and count. */
export class HistogramSeries {
  /** `counts[i]` = observations in (bounds[i-1], bounds[i]]; the last slot is above every bound. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  /** Label sets of the `_bucket` samples, built once (the scrape reuses them). */
  readonly bucketLabels: ReadonlyArray<Readonly<Record<string, string | number>>>;

  constructor(
    readonly labels: LabelValues,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
    this.bucketLabels = [...bounds, '+Inf'].map((le) => ({ ...labels, le }));
  }

  /** Records one observation. */
  observe(value: number): void {
    const bounds = this.bounds;
    let index = 0;
    while (index < bounds.length && value > bounds[index]) index++;
    this.counts[index]++;
    this.sum += value;
    this.count++;
  }
}

/** What both metric kinds are built from. */
export interface SeriesMetricOptions<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  readonly registers: readonly Registry[];
}

abstract class SeriesMetric<L extends string, S> {
  /** How prom-client's cluster aggregator would combine workers (kept for interface parity). */
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  abstract readonly type: 'counter' | 'histogram';
  protected readonly all = new Map<string, S>();
  private readonly labelNames: readonly L[];

  constructor(options: SeriesMetricOptions<L>) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames;
    for (const registry of options.registers) registry.registerMetric(this as never);
  }

  /**
   * The series for these label values, in `labelNames` order; created on first use. Callers on a
   * hot path keep the returned object instead of calling this per event.
   */
  series(...values: string[]): S {
    if (values.length !== this.labelNames.length) {
      throw new Error(`${this.name} takes ${this.labelNames.length} label values (${this.labelNames.join(', ')}), got ${values.length}`);
    }
    const key = values.join('\u0000');
    let series = this.all.get(key);
    if (series === undefined) {
      const labels: Record<string, string> = {};
      this.labelNames.forEach((name, index) => (labels[name] = values[index]));
      series = this.create(labels);
      this.all.set(key, series);
    }
    return series;
  }

  /** Drops every series. */
  reset(): void {
    this.all.clear();
  }

  protected abstract create(labels: LabelValues): S;
}

/** A counter with cached series. */
export class SeriesCounter<L extends string> extends SeriesMetric<L, CounterSeries> {
  readonly type = 'counter';

  protected create(labels: LabelValues): CounterSeries {
    return new CounterSeries(labels);
  }

  /** The samples prom-client's Registry serializes. */
  async get(): Promise<{ name: string; help: string; type: 'counter'; aggregator: string; values: SampleValue[] }> {
    const values = [...this.all.values()].map((series) => ({ labels: series.labels, value: series.value }));
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

/** A histogram with cached series and fixed buckets. */
export class SeriesHistogram<L extends string> extends SeriesMetric<L, HistogramSeries> {
  readonly type = 'histogram';
  private readonly bounds: readonly number[];

  constructor(options: SeriesMetricOptions<L> & { readonly buckets: readonly number[] }) {
    super(options);
    this.bounds = [...options.buckets].sort((a, b) => a - b);
  }

  protected create(labels: LabelValues): HistogramSeries {
    return new HistogramSeries(labels, this.bounds);
  }

  /** The samples prom-client's Registry serializes: cumulative buckets, then sum and count. */
  async get(): Promise<{ name: string; help: string; type: 'histogram'; aggregator: string; values: SampleValue[] }> {
    const values: SampleValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const series of this.all.values()) {
      let cumulative = 0;
      for (let index = 0; index < series.counts.length; index++) {
        cumulative += series.counts[index];
        values.push({ labels: series.bucketLabels[index], value: cumulative, metricName: bucket });
      }
      values.push({ labels: series.labels, value: series.sum, metricName: `${this.name}_sum` });
      values.push({ labels: series.labels, value: series.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
