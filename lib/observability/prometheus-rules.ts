/**
 * Renders the catalog into a Prometheus rule file (pure): one group per component for the app's
 * signals, the SLO's recording and multi-window multi-burn-rate alerting rules, and an
 * always-firing watchdog so that a silent Prometheus is noticed downstream.
 */

import { stringify } from 'yaml';
import { thresholdInWords } from './cloudwatch-alarms';
import { resolveTiers, runbookAnchor, runbookUrl, type CatalogSettings, type ResolvedTier } from './settings';
import { BURN_RATE_POLICY, SLO_FOR_MINUTES, SLO_SIGNAL, TSDB_OLDEST_SAMPLE, burnThreshold, sloWindows, windowLabel } from './slo';
import { SIGNALS, apiErrorRatio } from './signals';
import { isMinimumKey } from './thresholds';

/** A Prometheus alerting rule. */
export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** A Prometheus recording rule. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

/** One rule group. */
export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly (AlertingRule | RecordingRule)[];
}

/** A whole rule file, as Prometheus' `rule_files` reads it. */
export interface RuleFile {
  readonly groups: readonly RuleGroup[];
}

/** Rendering options. */
export interface PrometheusRuleOptions {
  /**
   * Replace every `for` with this many seconds. Only for end-to-end tests that must see an alert
   * fire within seconds; deployed rules always use the configured durations.
   * @default - `for` from the environment's thresholds
   */
  readonly forOverrideSeconds?: number;
}

/** The alert name of a catalog signal: its id in PascalCase (`appErrorRatio` → `AppErrorRatio`). */
export function alertNameOf(signalId: string): string {
  return signalId.charAt(0).toUpperCase() + signalId.slice(1);
}

/** The Watchdog's alert name and labels; Alertmanager routes it to its own receiver. */
export const WATCHDOG = {
  alert: 'Watchdog',
  signal: 'watchdog',
  component: 'platform',
  severity: 'none',
} as const;

/** Name of the SLO recording rule for one window. */
export function sloRecordName(windowMinutes: number): string {
  return `slo:api_error_ratio:rate${windowLabel(windowMinutes)}`;
}

function forOf(minutes: number, options: PrometheusRuleOptions): string {
  return options.forOverrideSeconds !== undefined ? `${options.forOverrideSeconds}s` : `${minutes}m`;
}

function alertingRule(envName: string, tier: ResolvedTier, options: PrometheusRuleOptions): AlertingRule {
  const source = tier.definition.source;
  if (source.engine !== 'prometheus') throw new Error(`signal ${tier.signalId} is not a Prometheus signal`);
  const comparison = isMinimumKey(tier.thresholdKey) ? '<' : '>';
  return {
    alert: alertNameOf(tier.signalId),
    expr: `(${source.expr}) ${comparison} ${tier.threshold}`,
    for: forOf(tier.forMinutes, options),
    labels: { severity: tier.severity, env: envName, component: tier.definition.component, signal: tier.signalId },
    annotations: {
      summary: `${tier.definition.title} ${thresholdInWords(tier)} in ${envName}`,
      description: `${tier.definition.meaning} Fires after ${tier.forMinutes} min ${thresholdInWords(tier)}.`,
      runbook_url: tier.runbookUrl,
    },
  };
}

function sloGroup(envName: string, settings: CatalogSettings, options: PrometheusRuleOptions): RuleGroup {
  const recording: RecordingRule[] = sloWindows().map((minutes) => {
    const w = windowLabel(minutes);
    return {
      record: sloRecordName(minutes),
      expr: apiErrorRatio(w),
    };
  });
  const url = runbookUrl(settings.runbookBaseUrl, runbookAnchor(SLO_SIGNAL));
  const objective = settings.sloAvailabilityObjectivePercent;
  const alerting: AlertingRule[] = (['critical', 'warning'] as const).map((severity) => {
    const pairs = BURN_RATE_POLICY.filter((pair) => pair.severity === severity);
    const expr = pairs
      .map((pair) => {
        const threshold = burnThreshold(pair, objective);
        const history = `on() (time() - ${TSDB_OLDEST_SAMPLE} >= ${pair.longWindowMinutes * 60})`;
        return `(${sloRecordName(pair.longWindowMinutes)} > ${threshold} and ${sloRecordName(pair.shortWindowMinutes)} > ${threshold} and ${history})`;
      })
      .join(' or ');
    const windows = pairs.map((p) => `${p.burnRate}x over ${windowLabel(p.longWindowMinutes)} and ${windowLabel(p.shortWindowMinutes)}`).join(', or ');
    return {
      alert: alertNameOf(SLO_SIGNAL.signalId),
      expr,
      for: forOf(SLO_FOR_MINUTES[severity], options),
      labels: { severity, env: envName, component: SLO_SIGNAL.component, signal: SLO_SIGNAL.signalId },
      annotations: {
        summary: `API burns its ${objective} % availability error budget too fast in ${envName}`,
        description: `The 5xx ratio exceeds the budget at ${windows}. A pair alerts once this Prometheus holds its long window (a new task starts empty); the CloudWatch SLO alarms cover the time before.`,
        runbook_url: url,
      },
    };
  });
  return { name: 'slo', rules: [...recording, ...alerting] };
}

/**
 * How long a failure in the alerting pipeline keeps the Watchdog quiet: longer than the heartbeat
 * alarm needs to page on silence (3 periods of 5 minutes), so one failure is always noticed.
 */
export const WATCHDOG_SILENCE_MINUTES = 30;

/**
 * Counters of the alerting pipeline's own failures: a notification Alertmanager could not deliver
 * (any receiver), a rule that failed to evaluate. Each alone would leave alerts unseen while the
 * Watchdog still reached its topic. (`prometheus_notifications_dropped_total` is not one: Prometheus
 * drops the alerts of its first evaluation when it has not discovered Alertmanager yet, so it
 * rises on most starts; an Alertmanager that stays unreachable stops the Watchdog anyway.)
 */
export const ALERTING_FAILURE_COUNTERS = [
  'alertmanager_notifications_failed_total',
  'prometheus_rule_evaluation_failures_total',
] as const;

/**
 * The Watchdog's expression: always 1, except after a failure of the alerting pipeline itself.
 * Its heartbeat stops then and the CloudWatch heartbeat alarm pages, through CloudWatch's own
 * path to SNS rather than Alertmanager's.
 */
function watchdogExpr(): string {
  const failed = ALERTING_FAILURE_COUNTERS.map((name) => `sum(increase(${name}[${WATCHDOG_SILENCE_MINUTES}m])) > 0`).join(' or ');
  return `vector(1) unless on() (${failed})`;
}

function watchdogRule(envName: string, settings: CatalogSettings): AlertingRule {
  return {
    alert: WATCHDOG.alert,
    expr: watchdogExpr(),
    labels: { severity: WATCHDOG.severity, env: envName, component: WATCHDOG.component, signal: WATCHDOG.signal },
    annotations: {
      summary: `Prometheus in ${envName} is evaluating rules`,
      description: `Firing while alerting works. It stops arriving when Prometheus or Alertmanager is down, and for ${WATCHDOG_SILENCE_MINUTES} minutes after Alertmanager failed to deliver a notification or a rule failed to evaluate.`,
      // The heartbeat signal watches where this alert is delivered; both share its runbook section.
      runbook_url: runbookUrl(settings.runbookBaseUrl, runbookAnchor(SIGNALS.prometheusWatchdog)),
    },
  };
}

/** The rule file for one environment, as data. Validates `settings` first. */
export function renderPrometheusRules(envName: string, settings: CatalogSettings, options: PrometheusRuleOptions = {}): RuleFile {
  const byComponent = new Map<string, AlertingRule[]>();
  for (const tier of resolveTiers(envName, settings)) {
    if (tier.definition.source.engine !== 'prometheus') continue;
    const rules = byComponent.get(tier.definition.component) ?? [];
    rules.push(alertingRule(envName, tier, options));
    byComponent.set(tier.definition.component, rules);
  }
  // The Watchdog joins its component's group: a rule file may hold each group name once.
  byComponent.set(WATCHDOG.component, [...(byComponent.get(WATCHDOG.component) ?? []), watchdogRule(envName, settings)]);
  const groups: RuleGroup[] = [...byComponent].map(([name, rules]) => ({ name, rules }));
  groups.push(sloGroup(envName, settings, options));
  return { groups };
}

/** The rule file for one environment as YAML, ready for `rule_files`. */
export function renderPrometheusRulesYaml(envName: string, settings: CatalogSettings, options: PrometheusRuleOptions = {}): string {
  return `# Generated from lib/observability (the signal catalog); edit thresholds in lib/config, not here.\n${stringify(
    renderPrometheusRules(envName, settings, options),
    { lineWidth: 0 },
  )}`;
}

/** Every alerting rule of a rule file. */
export function alertingRules(file: RuleFile): AlertingRule[] {
  return file.groups.flatMap((group) => group.rules.filter((rule): rule is AlertingRule => 'alert' in rule));
}
