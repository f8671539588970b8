/**
 * Counter and histogram for the per-request hot path, registered in a prom-client Registry.
 *
 * prom-client's own children re-validate and re-hash their labels on every `inc()`/`observe()`
 * (a sort, a string join and a map lookup per call). Here a series is resolved once per label
 * combination and recording is plain arithmetic on it; the exposition text is still produced by
 * prom-client's Registry (these objects implement the `get()` it reads), so names, types and
 * formatting are identical and `promtool check metrics` applies unchanged. The scrape itself
 * ({@link exposition}) writes these metrics' lines as bytes from preformatted parts.
 */
import { Registry, validateMetricName, type RegistryContentType } from 'prom-client';
import { LogBuffer, utf8Bytes } from './log-buffer';

type LabelValues = Readonly<Record<string, string>>;

/** Prometheus label names (https://prometheus.io/docs/concepts/data_model/). */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

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

/**
 * Appends a sample value as {@link valueText} writes it: counts (non-negative integers) digit by
 * digit, anything else through its string.
 */
function appendValue(out: LogBuffer, value: number): void {
  if (value >= 0 && Number.isSafeInteger(value)) out.appendUint(value);
  else out.appendAscii(valueText(value));
}

/** HELP text and metric names as prom-client escapes them (backslash and newline). */
function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** One counter series. */
export class CounterSeries {
  /** Current value. */
  value = 0;
  /** `\nname{labels} `: its exposition line up to the value, with the newline before it. */
  readonly linePrefix: Uint8Array;

  constructor(
    readonly labels: LabelValues,
    name: string,
  ) {
    this.linePrefix = utf8Bytes(`\n${name}${labelText(labels)} `);
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
  /**
   * Its exposition lines up to the value, each with the newline before it: one per bucket, then
   * `_sum` and `_count`.
   */
  readonly linePrefixes: readonly Uint8Array[];

  constructor(
    readonly labels: LabelValues,
    private readonly bounds: readonly number[],
    name: string,
  ) {
    this.counts = new Float64Array(bounds.length + 1);
    this.bucketLabels = [...bounds, '+Inf'].map((le) => ({ ...labels, le }));
    const ownLabels = labelText(labels);
    this.linePrefixes = [
      ...this.bucketLabels.map((bucketLabels) => `\n${name}_bucket${labelText(bucketLabels)} `),
      `\n${name}_sum${ownLabels} `,
      `\n${name}_count${ownLabels} `,
    ].map(utf8Bytes);
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
  /** `# HELP` and `# TYPE` lines (without the last newline), made at the first scrape. */
  private header: Uint8Array | undefined;

  constructor(options: SeriesMetricOptions<L>) {
    // As prom-client checks its own metrics, so the preformatted lines never need escaping.
    if (!validateMetricName(options.name)) {
      throw new Error(`metric name '${options.name}' is not a Prometheus metric name: use letters, digits, '_' and ':', not starting with a digit`);
    }
    for (const label of options.labelNames) {
      if (!LABEL_NAME.test(label)) throw new Error(`${options.name}: label name '${label}' is not a Prometheus label name: use letters, digits and '_', not starting with a digit`);
    }
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
   * Appends this metric's block of the exposition text, exactly as prom-client's Registry writes
   * it from `get()` (without the last newline), from lines whose labels were formatted when each
   * series was created.
   */
  write(out: LogBuffer): void {
    if (this.header === undefined) {
      const name = escapeText(this.name);
      this.header = utf8Bytes(`# HELP ${name} ${escapeText(this.help)}\n# TYPE ${name} ${this.type}`);
    }
    out.appendBytes(this.header);
    for (const series of this.all.values()) this.writeSeries(series, out);
  }

  protected abstract create(labels: LabelValues): S;
  protected abstract zero(series: S): void;
  /** Appends the lines of one series, each preceded by a newline. */
  protected abstract writeSeries(series: S, out: LogBuffer): void;
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

  protected writeSeries(series: CounterSeries, out: LogBuffer): void {
    out.appendBytes(series.linePrefix);
    appendValue(out, series.value);
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
    if (options.labelNames.includes('le' as L)) throw new Error(`${options.name}: 'le' is the bucket label of every histogram and cannot be one of its labels`);
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

  protected writeSeries(series: HistogramSeries, out: LogBuffer): void {
    const prefixes = series.linePrefixes;
    const counts = series.counts;
    let cumulative = 0;
    for (let index = 0; index < counts.length; index++) {
      cumulative += counts[index];
      out.appendBytes(prefixes[index]);
      appendValue(out, cumulative);
    }
    out.appendBytes(prefixes[counts.length]);
    appendValue(out, series.sum);
    out.appendBytes(prefixes[counts.length + 1]);
    appendValue(out, series.count);
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

const NEWLINE = 0x0a;
/** Between two metrics' blocks. */
const BLANK_LINE = utf8Bytes('\n\n');
/** Each registry's last scrape size, plus a margin: the next scrape's buffer starts that large, so it rarely grows. */
const scrapeBytes = new WeakMap<Registry<RegistryContentType>, number>();

/**
 * The registry's exposition text (Prometheus format) as UTF-8 bytes, the same text as
 * `registry.metrics()`: series metrics append their blocks from preformatted lines, every other
 * metric is written by prom-client. With ~5k series this is what keeps a scrape fast
 * (`npm run bench:app` prints it): writing bytes leaves no string of ~550 KiB built from ~16k
 * pieces to flatten and then encode again for the socket, which took about a third of a scrape's
 * CPU (a CPU profile of 300 scrapes of the benchmark's registry). The registry must have no
 * default labels (the service sets none: Prometheus adds `job` and `instance` itself), because
 * the series metrics' lines do not carry them.
 */
export async function exposition(registry: Registry<RegistryContentType>): Promise<Buffer> {
  // The preformatted lines are Prometheus text; OpenMetrics renames counters and ends with # EOF.
  if (registry.contentType !== Registry.PROMETHEUS_CONTENT_TYPE) return Buffer.from(await registry.metrics(), 'utf8');
  const metrics = registry.getMetricsAsArray() as unknown[];
  // prom-client's own metrics may collect asynchronously; the series metrics are written after.
  const blocks = await Promise.all(
    metrics.map((metric) => (metric instanceof SeriesMetric ? undefined : registry.getSingleMetricAsString((metric as { name: string }).name))),
  );
  const out = new LogBuffer(scrapeBytes.get(registry) ?? 64 * 1024);
  metrics.forEach((metric, index) => {
    if (index > 0) out.appendBytes(BLANK_LINE);
    const block = blocks[index];
    if (block === undefined) (metric as SeriesMetric<string, unknown>).write(out);
    else out.appendUtf8(block);
  });
  out.appendByte(NEWLINE);
  // A little room to spare, for series added since.
  scrapeBytes.set(registry, out.length + (out.length >> 4));
  return out.written();
}
