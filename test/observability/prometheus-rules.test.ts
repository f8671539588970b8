import { parse, stringify } from 'yaml';
import {
  alertingRules,
  renderPrometheusRules,
  renderPrometheusRulesYaml,
  type RuleFile,
} from '../../lib/observability/prometheus-rules';
import { renderRuleTests, renderRuleTestsYaml, ruleTestGaps, type PromtoolTestFile } from '../../lib/observability/prometheus-rule-tests';
import { SETTINGS, productionWith } from './fixtures';
import { runTool, withFiles } from './tools';

const ENVS = ['staging', 'production'] as const;

describe('generated Prometheus rules', () => {
  test.each(ENVS)('%s rules pass promtool check rules', (env) => {
    const result = withFiles({ 'rules.yml': renderPrometheusRulesYaml(env, SETTINGS[env]) }, (dir) => runTool('promtool', ['check', 'rules', 'rules.yml'], dir));
    expect(result.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(result.status).toBe(0);
  });

  test.each(ENVS)('%s rules pass promtool test rules: every alert fires on breaching input and stays quiet on healthy input', (env) => {
    const result = withFiles(
      { 'rules.yml': renderPrometheusRulesYaml(env, SETTINGS[env]), 'tests.yml': renderRuleTestsYaml(env, SETTINGS[env], 'rules.yml') },
      (dir) => runTool('promtool', ['test', 'rules', 'tests.yml'], dir),
    );
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  test.each(ENVS)('every %s alerting rule has a firing case and a quiet case', (env) => {
    expect(ruleTestGaps(renderPrometheusRules(env, SETTINGS[env]), renderRuleTests(env, SETTINGS[env], 'rules.yml'))).toEqual([]);
  });

  test('a rule without test cases is reported as a gap', () => {
    // GIVEN the production tests with the error-ratio cases removed
    const rules = renderPrometheusRules('production', SETTINGS.production);
    const tests = renderRuleTests('production', SETTINGS.production, 'rules.yml');
    const trimmed: PromtoolTestFile = { ...tests, tests: tests.tests.filter((t) => !t.name.startsWith('AppErrorRatio ')) };
    // THEN both severities of that rule lack a firing and a quiet case
    expect(ruleTestGaps(rules, trimmed)).toEqual([
      'AppErrorRatio{severity="critical"} has no case where it fires',
      'AppErrorRatio{severity="critical"} has no case where it stays quiet',
      'AppErrorRatio{severity="warning"} has no case where it fires',
      'AppErrorRatio{severity="warning"} has no case where it stays quiet',
    ]);
  });

  test('promtool fails when a rule does not behave as its cases say (the check can fail)', () => {
    // GIVEN a rule file where the error-ratio critical threshold is above 100 %, so it can never fire
    const broken = parse(renderPrometheusRulesYaml('production', SETTINGS.production)) as RuleFile;
    const rules = alertingRules(broken) as { alert: string; expr: string; labels: Record<string, string> }[];
    const critical = rules.find((r) => r.alert === 'AppErrorRatio' && r.labels.severity === 'critical');
    if (!critical) throw new Error('no AppErrorRatio critical rule');
    critical.expr = critical.expr.replace(/> 5$/, '> 500');
    const result = withFiles(
      { 'rules.yml': stringify(broken), 'tests.yml': renderRuleTestsYaml('production', SETTINGS.production, 'rules.yml') },
      (dir) => runTool('promtool', ['test', 'rules', 'tests.yml'], dir),
    );
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('AppErrorRatio');
  });

  test('groups are per component and every alert carries severity, env, component and signal labels and the runbook', () => {
    const file = renderPrometheusRules('production', SETTINGS.production);
    expect(file.groups.map((g) => g.name)).toEqual(['app', 'platform', 'slo']);
    // One platform group (promtool refuses a repeated name): the log-delivery alerts and the Watchdog share it.
    const platform = file.groups.find((g) => g.name === 'platform')!.rules.map((rule) => ('alert' in rule ? rule.labels.signal : rule.record));
    expect(platform).toEqual(['logDeliveryFailures', 'logDeliveryFailures', 'watchdog']);
    for (const rule of alertingRules(file)) {
      expect(Object.keys(rule.labels).sort()).toEqual(['component', 'env', 'severity', 'signal']);
      expect(rule.labels.env).toBe('production');
      expect(rule.annotations.runbook_url).toMatch(/^https:\/\/github\.com\/vigil-dev\/vigil\/blob\/main\/docs\/runbooks\.md#[a-z0-9-]+$/);
      expect(Object.keys(rule.annotations).sort()).toEqual(['description', 'runbook_url', 'summary']);
    }
  });

  test('`for` comes from config, and tests can shorten it', () => {
    const forOf = (file: RuleFile, severity: string) =>
      alertingRules(file).find((r) => r.alert === 'AppCacheHitRatio' && r.labels.severity === severity)?.for;
    expect(forOf(renderPrometheusRules('production', SETTINGS.production), 'critical')).toBe('15m');
    expect(forOf(renderPrometheusRules('production', SETTINGS.production), 'warning')).toBe('5m');
    expect(forOf(renderPrometheusRules('production', SETTINGS.production, { forOverrideSeconds: 5 }), 'critical')).toBe('5s');
  });

  test('the threshold and its direction come from the key', () => {
    const rules = alertingRules(renderPrometheusRules('production', productionWith({ appCacheHitRatio: { warning: { minPercent: 85 }, critical: { minPercent: 40 } } })));
    const warning = rules.find((r) => r.alert === 'AppCacheHitRatio' && r.labels.severity === 'warning');
    expect(warning?.expr).toMatch(/\) < 85$/);
    expect(warning?.annotations.summary).toBe('Cache hit ratio below 85 % in production');
  });

  test('the SLO alerts pair a long and a short window per burn rate, over recording rules', () => {
    const file = renderPrometheusRules('production', SETTINGS.production);
    const slo = file.groups.find((g) => g.name === 'slo');
    const records = slo?.rules.filter((r) => 'record' in r).map((r) => ('record' in r ? r.record : ''));
    expect(records).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d'].map((w) => `slo:api_error_ratio:rate${w}`));
    const critical = alertingRules(file).find((r) => r.alert === 'ApiAvailability' && r.labels.severity === 'critical');
    expect(critical?.expr).toBe(
      '(slo:api_error_ratio:rate1h > 0.0144 and slo:api_error_ratio:rate5m > 0.0144 and on() (time() - prometheus_tsdb_lowest_timestamp_seconds{job="prometheus"} >= 3600)) or ' +
        '(slo:api_error_ratio:rate6h > 0.006 and slo:api_error_ratio:rate30m > 0.006 and on() (time() - prometheus_tsdb_lowest_timestamp_seconds{job="prometheus"} >= 21600))',
    );
  });

  test('the watchdog fires with severity none, unless the alerting pipeline failed lately (promtool cases above show both)', () => {
    const watchdog = alertingRules(renderPrometheusRules('staging', SETTINGS.staging)).find((r) => r.alert === 'Watchdog');
    expect(watchdog).toMatchObject({ labels: { severity: 'none', signal: 'watchdog' } });
    expect(watchdog!.expr).toMatch(/^vector\(1\) unless on\(\) \(/);
    for (const name of ['alertmanager_notifications_failed_total', 'prometheus_rule_evaluation_failures_total']) {
      expect(watchdog!.expr).toContain(`sum(increase(${name}[30m])) > 0`);
    }
  });

  test('disabled signals render no rule', () => {
    expect(alertingRules(renderPrometheusRules('staging', SETTINGS.staging)).some((r) => r.alert === 'AppCacheHitRatio')).toBe(false);
  });
});

/**
 * Production's rules against situations seen in a running system (input every 15 s, the
 * scrape interval), beyond the generated one-series cases: each names the alert it expects.
 */
describe('production alerts in realistic situations', () => {
  const file = renderPrometheusRules('production', SETTINGS.production);
  const alerts = alertingRules(file);
  /** What promtool should see for `alertname` at the given severities, with extra labels. */
  const firing = (alertname: string, severities: readonly string[], extra: Record<string, string> = {}) =>
    alerts
      .filter((rule) => rule.alert === alertname && severities.includes(rule.labels.severity))
      .map((rule) => ({ exp_labels: { ...extra, ...rule.labels }, exp_annotations: rule.annotations }));
  /** Runs one promtool case of `minutes` of input and returns its result. */
  const situation = (series: Record<string, string>, minutes: number, checks: { alertname: string; exp_alerts: unknown[] }[]) => {
    const tests = {
      rule_files: ['rules.yml'],
      evaluation_interval: '15s',
      tests: [{
        interval: '15s',
        input_series: Object.entries(series).map(([name, values]) => ({ series: name, values })),
        alert_rule_test: checks.map((check) => ({ eval_time: `${minutes}m`, ...check })),
      }],
    };
    return withFiles({ 'rules.yml': renderPrometheusRulesYaml('production', SETTINGS.production), 'tests.yml': stringify(tests) }, (dir) =>
      runTool('promtool', ['test', 'rules', 'tests.yml'], dir),
    );
  };
  const samples = (minutes: number) => minutes * 4;

  test('a breaker that reopens every few seconds and waits half-open in between pages: it is never closed', () => {
    // GIVEN 30 minutes of PostgreSQL down: the breaker open (2) a third of the time and half-open (1) the rest
    const states = Array.from({ length: samples(30) }, (_, i) => (i % 3 === 0 ? '2' : '1')).join(' ');
    const result = situation({ 'circuit_breaker_state{instance="a",breaker="postgres"}': states }, 30, [
      { alertname: 'AppCircuitBreakerOpen', exp_alerts: firing('AppCircuitBreakerOpen', ['critical', 'warning'], { breaker: 'postgres' }) },
    ]);
    expect(result.output).toContain('SUCCESS');
  });

  test('load balancer health checks answered 503 while Redis is down are no API errors: neither the 5xx ratio nor the SLO fires', () => {
    // GIVEN 10 user reads a second, all 200, and 36 probes a minute of /readyz, all 503, for 2 hours
    const result = situation(
      {
        'http_requests_total{method="GET",route="/v1/items/:id",status_code="200"}': `0+150x${samples(120)}`,
        'http_requests_total{method="GET",route="/readyz",status_code="503"}': `0+9x${samples(120)}`,
        'http_request_duration_seconds_bucket{method="GET",route="/readyz",status_code="503",le="+Inf"}': `0+9x${samples(120)}`,
      },
      120,
      [
        { alertname: 'AppErrorRatio', exp_alerts: [] },
        { alertname: 'ApiAvailability', exp_alerts: [] },
      ],
    );
    expect(result.output).toContain('SUCCESS');
  });

  test('a Prometheus that just started (an empty TSDB) pages on the SLO only once it holds the page pair\'s hour', () => {
    // GIVEN a new Prometheus task (its oldest sample at its start) and 2 % of user requests failing from then on
    const series = {
      'prometheus_tsdb_lowest_timestamp_seconds{job="prometheus"}': `0x${samples(80)}`,
      'http_requests_total{method="GET",route="/v1/items/:id",status_code="200"}': `0+147x${samples(80)}`,
      'http_requests_total{method="GET",route="/v1/items/:id",status_code="500"}': `0+3x${samples(80)}`,
    };
    // THEN after 40 minutes the 1-hour window covers only 40 minutes: no page yet (before, it paged)
    expect(situation(series, 40, [{ alertname: 'ApiAvailability', exp_alerts: [] }]).output).toContain('SUCCESS');
    // and after 70 minutes the hour is there and 2 % burns more than 14.4x a 99.9 % budget: the page fires
    expect(situation(series, 70, [{ alertname: 'ApiAvailability', exp_alerts: firing('ApiAvailability', ['critical']) }]).output).toContain('SUCCESS');
  });

  test('a log router Prometheus cannot scrape is reported, under its job', () => {
    const result = situation({ 'up{job="backend",instance="a"}': `1x${samples(20)}`, 'up{job="log-router",instance="a"}': `0x${samples(20)}` }, 20, [
      { alertname: 'AppScrapeTargetDown', exp_alerts: firing('AppScrapeTargetDown', ['critical', 'warning'], { job: 'log-router' }) },
    ]);
    expect(result.output).toContain('SUCCESS');
  });
});
