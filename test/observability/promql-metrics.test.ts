import { exposedFamilies, isExposed, metricNamesIn } from '../../lib/observability/promql-metrics';

describe('metricNamesIn', () => {
  test('finds metric names and skips functions, label values, grouping labels, ranges and numbers', () => {
    expect(
      metricNamesIn('histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket{route!="x"}[5m]))) * 1e3'),
    ).toEqual(['http_request_duration_seconds_bucket']);
  });

  test('finds every metric of a binary expression once, and recording-rule names too', () => {
    expect(metricNamesIn('sum(rate(cache_hits_total[5m])) / (sum(rate(cache_hits_total[5m])) + sum(rate(cache_misses_total[5m]))) and on() slo:x:rate5m > bool 1')).toEqual([
      'cache_hits_total',
      'cache_misses_total',
      'slo:x:rate5m',
    ]);
  });

  test('a bare vector() has no metric', () => {
    expect(metricNamesIn('vector(1)')).toEqual([]);
  });
});

describe('exposedFamilies / isExposed', () => {
  const families = exposedFamilies('# HELP a_seconds x\n# TYPE a_seconds histogram\n# TYPE b_total counter\nb_total 1\n');
  test('a declared family counts even without samples, and histogram sample suffixes resolve to it', () => {
    expect(isExposed('a_seconds_bucket', families)).toBe(true);
    expect(isExposed('b_total', families)).toBe(true);
    expect(isExposed('b_total_bucket', families)).toBe(false);
    expect(isExposed('c', families)).toBe(false);
  });
});
