import { Registry } from 'prom-client';
import { SeriesCounter, SeriesHistogram } from '../../src/observability/series-metrics';
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

  test('label values are escaped in the exposition text', async () => {
    const registry = new Registry();
    const counter = new SeriesCounter({ name: 'odd_total', help: 'c', labelNames: ['route'] as const, registers: [registry] });
    counter.series('/a"b\\c').inc();
    expect(await registry.metrics()).toContain('odd_total{route="/a\\"b\\\\c"} 1');
  });
});
