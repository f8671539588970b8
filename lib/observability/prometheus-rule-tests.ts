/**
 * Generates `promtool test rules` cases from the catalog: for every Prometheus signal one case whose
 * input series must fire every enabled severity, and one whose input must fire none; the same for
 * the SLO burn-rate alerts, and a firing case for the always-on Watchdog. `ruleTestGaps` lists any
 * alerting rule that lacks either case, so a rule added without test inputs fails the suite.
 */

import { stringify } from 'yaml';
import {
  ALERTING_FAILURE_COUNTERS,
  WATCHDOG,
  WATCHDOG_SILENCE_MINUTES,
  alertNameOf,
  alertingRules,
  renderPrometheusRules,
  type AlertingRule,
  type RuleFile,
} from './prometheus-rules';
import type { CatalogSettings } from './settings';
import { ERROR_RATIO_TEST, SIGNALS, type PromTestSeries, type SignalId } from './signals';
import { BURN_RATE_POLICY, SLO_SIGNAL, TSDB_OLDEST_SAMPLE } from './slo';

/** One expected alert of a promtool case. */
export interface ExpectedAlert {
  readonly exp_labels: Readonly<Record<string, string>>;
  readonly exp_annotations: Readonly<Record<string, string>>;
}

/** One promtool test case. */
export interface PromtoolTestCase {
  readonly name: string;
  readonly interval: string;
  readonly input_series: readonly { readonly series: string; readonly values: string }[];
  readonly alert_rule_test: readonly { readonly eval_time: string; readonly alertname: string; readonly exp_alerts: readonly ExpectedAlert[] }[];
}

/** A promtool test file. */
export interface PromtoolTestFile {
  readonly rule_files: readonly string[];
  readonly evaluation_interval: string;
  readonly tests: readonly PromtoolTestCase[];
}

/** Alerts that fire by design and so have no quiet case. */
const ALWAYS_FIRING_ALERTS: readonly string[] = [WATCHDOG.alert];

function minutesOf(duration: string | undefined): number {
  if (duration === undefined) return 0;
  const match = /^(\d+)(s|m|h)$/.exec(duration);
  if (!match) throw new Error(`unexpected rule duration '${duration}'`);
  const value = Number(match[1]);
  return match[2] === 's' ? value / 60 : match[2] === 'h' ? value * 60 : value;
}

function expand(series: readonly PromTestSeries[], minutes: number): { series: string; values: string }[] {
  return series.map((s) => ({
    series: s.series,
    values: s.perMinute === undefined ? `${s.start}x${minutes}` : `${s.start}+${s.perMinute}x${minutes}`,
  }));
}

function expected(rules: readonly AlertingRule[], extraLabels: Readonly<Record<string, string>> = {}): ExpectedAlert[] {
  return rules.map((rule) => ({ exp_labels: { ...extraLabels, ...rule.labels }, exp_annotations: rule.annotations }));
}

function pairOfCases(
  alertname: string,
  rules: readonly AlertingRule[],
  test: { readonly firing: readonly PromTestSeries[]; readonly quiet: readonly PromTestSeries[]; readonly firingLabels?: Readonly<Record<string, string>> },
  minutes: number,
): PromtoolTestCase[] {
  const evalTime = `${minutes}m`;
  return [
    {
      name: `${alertname} fires on breaching input`,
      interval: '1m',
      input_series: expand(test.firing, minutes),
      alert_rule_test: [{ eval_time: evalTime, alertname, exp_alerts: expected(rules, test.firingLabels) }],
    },
    {
      name: `${alertname} stays quiet on healthy input`,
      interval: '1m',
      input_series: expand(test.quiet, minutes),
      alert_rule_test: [{ eval_time: evalTime, alertname, exp_alerts: [] }],
    },
  ];
}

/**
 * Test cases for the rules `renderPrometheusRules(envName, settings)` produces; `ruleFileName` is
 * the path promtool loads them from, relative to the test file.
 */
export function renderRuleTests(envName: string, settings: CatalogSettings, ruleFileName: string): PromtoolTestFile {
  const file = renderPrometheusRules(envName, settings);
  const rules = alertingRules(file);
  // Series outlast the longest `for` (plus the 5 m rate windows) so every firing case has fired.
  const minutes = Math.max(60, ...rules.map((rule) => minutesOf(rule.for) + 30));
  const tests: PromtoolTestCase[] = [];
  // The rules carry their signal id, so the catalog is read (and validated) once, by the renderer.
  for (const signalId of new Set(rules.map((rule) => rule.labels.signal))) {
    const source = signalId in SIGNALS ? SIGNALS[signalId as SignalId].source : undefined;
    if (source?.engine !== 'prometheus') continue;
    const alertname = alertNameOf(signalId);
    tests.push(...pairOfCases(alertname, rules.filter((rule) => rule.alert === alertname), source.test, minutes));
  }
  const sloAlert = alertNameOf(SLO_SIGNAL.signalId);
  // A Prometheus whose TSDB holds the longest window (3 days before the test starts).
  const history: PromTestSeries = { series: TSDB_OLDEST_SAMPLE, start: -Math.max(...BURN_RATE_POLICY.map((pair) => pair.longWindowMinutes)) * 60 };
  const sloTest = { firing: [...ERROR_RATIO_TEST.firing, history], quiet: [...ERROR_RATIO_TEST.quiet, history] };
  tests.push(...pairOfCases(sloAlert, rules.filter((rule) => rule.alert === sloAlert), sloTest, minutes));
  const watchdog = expected(rules.filter((rule) => rule.alert === WATCHDOG.alert));
  tests.push({
    name: `${WATCHDOG.alert} fires while alerting works`,
    interval: '1m',
    // The pipeline's counters present and flat, as a healthy Prometheus and Alertmanager expose them.
    input_series: ALERTING_FAILURE_COUNTERS.map((name) => ({ series: `${name}{instance="a"}`, values: `0x${WATCHDOG_SILENCE_MINUTES + 10}` })),
    alert_rule_test: [{ eval_time: '1m', alertname: WATCHDOG.alert, exp_alerts: watchdog }, { eval_time: `${WATCHDOG_SILENCE_MINUTES}m`, alertname: WATCHDOG.alert, exp_alerts: watchdog }],
  });
  for (const name of ALERTING_FAILURE_COUNTERS) {
    tests.push({
      name: `${WATCHDOG.alert} stops for ${WATCHDOG_SILENCE_MINUTES} minutes after one ${name} increment`,
      interval: '1m',
      // One failure at minute 5.
      input_series: [{ series: `${name}{instance="a"}`, values: `0x5 1x${WATCHDOG_SILENCE_MINUTES + 20}` }],
      alert_rule_test: [
        { eval_time: '4m', alertname: WATCHDOG.alert, exp_alerts: watchdog },
        { eval_time: '7m', alertname: WATCHDOG.alert, exp_alerts: [] },
        { eval_time: `${WATCHDOG_SILENCE_MINUTES}m`, alertname: WATCHDOG.alert, exp_alerts: [] },
        { eval_time: `${WATCHDOG_SILENCE_MINUTES + 10}m`, alertname: WATCHDOG.alert, exp_alerts: watchdog },
      ],
    });
  }
  return { rule_files: [ruleFileName], evaluation_interval: '1m', tests };
}

/** The promtool test file as YAML. */
export function renderRuleTestsYaml(envName: string, settings: CatalogSettings, ruleFileName: string): string {
  return stringify(renderRuleTests(envName, settings, ruleFileName), { lineWidth: 0 });
}

/**
 * Alerting rules of `rules` without a case in `tests` that expects them firing, or (except
 * always-firing alerts) without a case that expects their alert name quiet. Empty means complete.
 */
export function ruleTestGaps(rules: RuleFile, tests: PromtoolTestFile): string[] {
  const checks = tests.tests.flatMap((test) => test.alert_rule_test);
  const gaps: string[] = [];
  for (const rule of alertingRules(rules)) {
    const id = `${rule.alert}{severity="${rule.labels.severity}"}`;
    const fires = checks.some(
      (check) => check.alertname === rule.alert && check.exp_alerts.some((alert) => alert.exp_labels.severity === rule.labels.severity),
    );
    const quiet = checks.some((check) => check.alertname === rule.alert && check.exp_alerts.length === 0);
    if (!fires) gaps.push(`${id} has no case where it fires`);
    if (!quiet && !ALWAYS_FIRING_ALERTS.includes(rule.alert)) gaps.push(`${id} has no case where it stays quiet`);
  }
  return gaps;
}
