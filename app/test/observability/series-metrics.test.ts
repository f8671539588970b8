import { Counter, Gauge, Registry, type OpenMetricsContentType } from 'prom-client';
import { AppMetrics } from '../../src/observability/metrics';
import { SeriesCounter, SeriesHistogram, exposition } from '../../src/observability/series-metrics';
import { sampleValue } from '../support/stack';

describe('series metrics serialized by a prom-client Registry', () => {
  test('histogram buckets are cumulative and upper bounds are inclusive (le means <=)', async () => {
    const registry = new Registry();
    const histogram = new SeriesHistogram({ name: 'op_seconds', help: 'h', labelNames: ['op'] as const, buckets: [0.1, 0.5, 1], registers: [registry] });
    const series = histogram.series('read');
    for (const value of [0.05, 0.1, 0.3, 0.5, 2]) series.observe(value);
    const text = await registry.metrics();
    expect(text).toContain('# TYPE op_seconds histogram');
    expect(sampleValue(text, 'op_seconds_bucket', { op: 'read', le: '0.1' })).toBe(2);
    expect(sampleValue(text, 'op_seconds_bucket', { op: 'read', le: '0.5' })).toBe(4);
    expect(sampleValue(text, 'op_seconds_bucket', { op: 'read', le: '1' })).toBe(4);
    expect(sampleValue(text, 'op_seconds_bucket', { op: 'read', le: '+Inf' })).toBe(5);
    expect(sampleValue(text, 'op_seconds_sum', { op: 'read' })).toBeCloseTo(2.95);
    expect(sampleValue(text, 'op_seconds_count', { op: 'read' })).toBe(5);
  });

  test('the same label values always return the same series; counters add up', async () => {
    const registry = new Registry();
    const counter = new SeriesCounter({ name: 'hits_total', help: 'c', labelNames: ['a', 'b'] as const, registers: [registry] });
    expect(counter.series('x', 'y')).toBe(counter.series('x', 'y'));
    counter.series('x', 'y').inc();
    counter.series('x', 'y').inc(2);
    counter.series('x', 'z').inc();
    const text = await registry.metrics();
    expect(sampleValue(text, 'hits_total', { a: 'x', b: 'y' })).toBe(3);
    expect(sampleValue(text, 'hits_total', { a: 'x', b: 'z' })).toBe(1);
  });

  test('a wrong number of label values is rejected with the metric and label names', () => {
    const counter = new SeriesCounter({ name: 'c_total', help: 'c', labelNames: ['method', 'route'] as const, registers: [] });
    expect(() => counter.series('GET')).toThrow('c_total takes 2 label values (method, route), got 1');
  });

  test('metric and label names that Prometheus would reject are refused with the name and the rule', () => {
    expect(() => new SeriesCounter({ name: 'bad-name', help: 'c', labelNames: [], registers: [] })).toThrow(
      "metric name 'bad-name' is not a Prometheus metric name: use letters, digits, '_' and ':', not starting with a digit",
    );
    expect(() => new SeriesCounter({ name: 'ok_total', help: 'c', labelNames: ['a.b'] as const, registers: [] })).toThrow(
      "ok_total: label name 'a.b' is not a Prometheus label name",
    );
    expect(() => new SeriesHistogram({ name: 'h_seconds', help: 'h', labelNames: ['le'] as const, buckets: [1], registers: [] })).toThrow(
      "h_seconds: 'le' is the bucket label of every histogram and cannot be one of its labels",
    );
  });

  test('label values are escaped in the exposition text', async () => {
    const registry = new Registry();
    const counter = new SeriesCounter({ name: 'odd_total', help: 'c', labelNames: ['route'] as const, registers: [registry] });
    counter.series('/a"b\\c').inc();
    expect(await registry.metrics()).toContain('odd_total{route="/a\\"b\\\\c"} 1');
  });
});

describe('exposition: the scrape text written from preformatted lines', () => {
  test('is byte for byte what prom-client writes, for series metrics and ordinary ones alike', async () => {
    const registry = new Registry();
    const counter = new SeriesCounter({ name: 'odd_total', help: 'help with \\ and\na newline', labelNames: ['route', 'code'] as const, registers: [registry] });
    counter.series('/a"b\\c\nd', '200').inc(3);
    counter.series('/plain', '404').inc();
    const histogram = new SeriesHistogram({ name: 'op_seconds', help: 'h', labelNames: ['op'] as const, buckets: [0.5, 0.1, 1], registers: [registry] });
    for (const value of [0.05, 0.3, 7, Number.POSITIVE_INFINITY]) histogram.series('read').observe(value);
    histogram.series('write');
    new SeriesHistogram({ name: 'bare_seconds', help: 'no labels', labelNames: [], buckets: [1], registers: [registry] }).series().observe(0.25);
    new SeriesCounter({ name: 'empty_total', help: 'no series yet', labelNames: ['x'] as const, registers: [registry] });
    new Counter({ name: 'plain_total', help: 'prom-client counter', labelNames: ['kind'], registers: [registry] }).labels('a').inc(2);
    new Gauge({ name: 'plain_gauge', help: 'prom-client gauge', registers: [registry], collect() { this.set(4.5); } });
    const text = (await exposition(registry)).toString();
    expect(text).toBe(await registry.metrics());
    expect(text).toContain('op_seconds_bucket{op="read",le="0.1"} 1');
    expect(text).toContain('op_seconds_sum{op="read"} +Inf');
  });

  test('writes fractions, negative sums and non-ASCII labels, and grows past its last size', async () => {
    const registry = new Registry();
    const counter = new SeriesCounter({ name: 'part_total', help: 'fractions', labelNames: ['route'] as const, registers: [registry] });
    counter.series('/café').inc(0.5);
    counter.series('/big').inc(2 ** 53 + 2);
    const histogram = new SeriesHistogram({ name: 'delta_seconds', help: 'h', labelNames: ['route'] as const, buckets: [0, 1], registers: [registry] });
    histogram.series('/neg').observe(-1.25);
    for (let i = 0; i < 1000; i++) histogram.series(`/r/${i}`).observe(i / 7);
    expect((await exposition(registry)).toString()).toBe(await registry.metrics());
    // The first scrape grew past its 64 KiB start and set the next one's size; this one is larger again.
    for (let i = 1000; i < 3000; i++) histogram.series(`/r/${i}`).observe(i);
    const text = (await exposition(registry)).toString();
    expect(text).toBe(await registry.metrics());
    expect(text).toContain('part_total{route="/café"} 0.5');
    expect(text).toContain('delta_seconds_sum{route="/neg"} -1.25');
  });

  test("is the service registry's own text after traffic", async () => {
    const metrics = new AppMetrics({ version: '1.2.3', commit: 'abc', defaultMetrics: false });
    metrics.recordRequest('GET', '/v1/items/:id', 200, 0.004);
    metrics.recordRequest('BREW', 'unmatched', 404, 0.0001);
    metrics.recordPgQuery('select_item', 0.002);
    metrics.recordRedisCommand('get', 0.0003);
    metrics.inFlightRequests = 2;
    expect((await exposition(metrics.registry)).toString()).toBe(await metrics.registry.metrics());
  });

  test('an OpenMetrics registry gets prom-client\'s own text (counter names and # EOF differ)', async () => {
    // prom-client's types leave out the constructor's content-type argument.
    const OpenMetricsRegistry = Registry as unknown as new (contentType: string) => Registry<OpenMetricsContentType>;
    const registry = new OpenMetricsRegistry(Registry.OPENMETRICS_CONTENT_TYPE);
    new SeriesCounter({ name: 'hits_total', help: 'c', labelNames: ['a'] as const, registers: [registry] }).series('x').inc();
    const text = (await exposition(registry)).toString();
    expect(text).toBe(await registry.metrics());
    expect(text.endsWith('# EOF\n')).toBe(true);
  });

  test('a reset zeroes series in place, so recorders holding them keep counting', async () => {
    const metrics = new AppMetrics({ version: '1', commit: 'abc', defaultMetrics: false });
    metrics.recordRedisCommand('get', 0.0003);
    await metrics.registry.resetMetrics();
    metrics.recordRedisCommand('get', 0.0003);
    const text = (await exposition(metrics.registry)).toString();
    expect(sampleValue(text, 'redis_command_duration_seconds_count', { command: 'get' })).toBe(1);
    expect(sampleValue(text, 'redis_command_duration_seconds_bucket', { command: 'get', le: '0.0005' })).toBe(1);
  });
});
