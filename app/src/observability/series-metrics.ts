/**
 * Counter and histogram for the per-request hot path, registered in a prom-client Registry.
 *
 * prom-client's own children re-validate and re-hash their labels on every `inc()`/`observe()`
 * (a sort, a string join and a map lookup per call). Here a series is resolved once per label
 * combination and recording is plain arithmetic on it; the exposition text is still produced by
 * prom-client's Registry (these objects implement the `get()` it reads), so names, types and
 * formatting are identical and `promtool check metrics` applies unchanged.
 */
import { Registry, type RegistryContentType } from 'prom-client';

type LabelValues = Readonly<Record<string, string>>;

interface SampleValue {
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
  readonly metricName?: string;
}

/** A label value as prom-client writes it: backslash, newline and double quote escaped. */
function escapeLabelValue(value: string | number): string {
  return typeof value === 'string' ? escapeText(value).replace(/"/g, '\\"') : String(value);
}

/** `{a="x",b="y"}` in the labels' own order, or '' without labels (prom-client's formatting). */
function labelText(labels: Readonly<Record<string, string | number>>): string {
  const parts = Object.entries(labels).map(([name, value]) => `${name}="${escapeLabelValue(value)}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/** A sample value as prom-client writes it (including its spelling `Nan`). */
function valueText(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return `${value}`;
}

/** HELP text and metric names as prom-client escapes them (backslash and newline). */
function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** One counter series. */
export class CounterSeries {
  /** Current value. */
  value = 0;
  /** `name{labels} `: the start of its exposition line. */
  readonly linePrefix: string;

  constructor(
    readonly labels: LabelValues,
    name: string,
  ) {
    this.linePrefix = `${name}${labelText(labels)} `;
  }

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
  /** The starts of its exposition lines: one per bucket, then `_sum` and `_count`. */
  readonly linePrefixes: readonly string[];

  constructor(
    readonly labels: LabelValues,
    private readonly bounds: readonly number[],
    name: string,
  ) {
    this.counts = new Float64Array(bounds.length + 1);
    this.bucketLabels = [...bounds, '+Inf'].map((le) => ({ ...labels, le }));
    const ownLabels = labelText(labels);
    this.linePrefixes = [
      ...this.bucketLabels.map((bucketLabels) => `${name}_bucket${labelText(bucketLabels)} `),
      `${name}_sum${ownLabels} `,
      `${name}_count${ownLabels} `,
    ];
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
  readonly registers: ReadonlyArray<Registry<RegistryContentType>>;
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
   * The series for these label values, in `labelNames` order; created on first use. With one
   * label the value itself is the key, so a repeat lookup is one Map read (~15 ns with the
   * observation); callers with several labels on a hot path keep the returned object.
   */
  series(...values: string[]): S {
    if (values.length !== this.labelNames.length) {
      throw new Error(`${this.name} takes ${this.labelNames.length} label values (${this.labelNames.join(', ')}), got ${values.length}`);
    }
    const key = values.length === 1 ? values[0] : values.join('\u0000');
    let series = this.all.get(key);
    if (series === undefined) {
      const labels: Record<string, string> = {};
      this.labelNames.forEach((name, index) => (labels[name] = values[index]));
      series = this.create(labels);
      this.all.set(key, series);
    }
    return series;
  }

  /**
   * Zeroes every series (prom-client's `registry.resetMetrics()` calls this). Series are kept, not
   * dropped, so a recorder that holds one keeps counting into what the scrape reads.
   */
  reset(): void {
    for (const series of this.all.values()) this.zero(series);
  }

  /**
   * This metric's block of the exposition text, exactly as prom-client's Registry writes it from
   * `get()`, from lines whose labels were formatted when each series was created.
   */
  text(): string {
    const name = escapeText(this.name);
    let text = `# HELP ${name} ${escapeText(this.help)}\n# TYPE ${name} ${this.type}`;
    for (const series of this.all.values()) text += this.seriesText(series);
    return text;
  }

  protected abstract create(labels: LabelValues): S;
  protected abstract zero(series: S): void;
  /** The lines of one series, each preceded by a newline. */
  protected abstract seriesText(series: S): string;
}

/** A counter with cached series. */
export class SeriesCounter<L extends string> extends SeriesMetric<L, CounterSeries> {
  readonly type = 'counter';

  protected create(labels: LabelValues): CounterSeries {
    return new CounterSeries(labels, this.name);
  }

  protected zero(series: CounterSeries): void {
    series.value = 0;
  }

  protected seriesText(series: CounterSeries): string {
    return `\n${series.linePrefix}${valueText(series.value)}`;
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
    return new HistogramSeries(labels, this.bounds, this.name);
  }

  protected zero(series: HistogramSeries): void {
    series.counts.fill(0);
    series.sum = 0;
    series.count = 0;
  }

  protected seriesText(series: HistogramSeries): string {
    const prefixes = series.linePrefixes;
    let text = '';
    let cumulative = 0;
    for (let index = 0; index < series.counts.length; index++) {
      cumulative += series.counts[index];
      text += `\n${prefixes[index]}${valueText(cumulative)}`;
    }
    return `${text}\n${prefixes[series.counts.length]}${valueText(series.sum)}\n${prefixes[series.counts.length + 1]}${valueText(series.count)}`;
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

/**
 * The registry's exposition text (Prometheus format), the same text as `registry.metrics()`:
 * series metrics write their own blocks from preformatted lines, every other metric is written
 * by prom-client. With ~5k series this is what keeps a scrape fast (`npm run bench:app` prints
 * it). The registry must have no default labels (the service sets none: Prometheus adds `job`
 * and `instance` itself), because the series metrics' lines do not carry them.
 */
export async function exposition(registry: Registry<RegistryContentType>): Promise<string> {
  // The preformatted lines are Prometheus text; OpenMetrics renames counters and ends with # EOF.
  if (registry.contentType !== Registry.PROMETHEUS_CONTENT_TYPE) return registry.metrics();
  const blocks = await Promise.all(
    registry.getMetricsAsArray().map((metric: unknown) =>
      metric instanceof SeriesMetric ? metric.text() : registry.getSingleMetricAsString((metric as { name: string }).name),
    ),
  );
  return `${blocks.join('\n\n')}\n`;
}
