/**
 * Renders the catalog into CloudWatch alarm specs for one environment (pure, no CDK).
 *
 * One metric alarm per CloudWatch signal × enabled severity (× Redis node for per-node signals),
 * plus the API availability SLO as metric alarms per burn-rate window joined by one composite alarm
 * per severity. The Monitoring stack, the review table and `vigil verify` all read these specs.
 */

import type { AlarmSpec, AlertTopic, ComparisonOperator, CompositeAlarmSpec, MetricAlarmSpec, MetricSpec, Severity } from './alarm-spec';
import type { MonitoredResources } from './monitored-resources';
import { alarmName, resolveTiers, runbookUrl, type CatalogSettings, type ResolvedTier } from './settings';
import { albFiveXxRatio, type CloudWatchMetric, type CloudWatchQuery, type CloudWatchSource } from './signals';
import { BURN_RATE_POLICY, SLO_SIGNAL, burnThreshold, windowLabel, type BurnRateWindowPair } from './slo';
import { THRESHOLD_UNITS, isMinimumKey } from './thresholds';

/** The SNS topic role a severity notifies: critical pages, warning opens a ticket. */
function topicFor(severity: Severity): AlertTopic {
  return severity;
}

/** The CloudWatch comparison a threshold key implies. */
function comparisonFor(tier: Pick<ResolvedTier, 'thresholdKey'>): ComparisonOperator {
  return isMinimumKey(tier.thresholdKey) ? 'LessThanThreshold' : 'GreaterThanThreshold';
}

/** The threshold in words, e.g. `above 5 %` or `below 20 GiB`. */
export function thresholdInWords(tier: Pick<ResolvedTier, 'thresholdKey' | 'threshold'>): string {
  const unit = THRESHOLD_UNITS[tier.thresholdKey];
  const direction = isMinimumKey(tier.thresholdKey) ? 'below' : 'above';
  return `${direction} ${tier.threshold}${unit === '' ? '' : ` ${unit}`}`;
}

function withPeriod(metric: CloudWatchMetric, periodSeconds: number): MetricSpec {
  return { ...metric, periodSeconds };
}

/** The query of a CloudWatch signal with the tier's period applied, in AlarmSpec form. */
function metricOf(query: CloudWatchQuery, periodSeconds: number): Pick<MetricAlarmSpec, 'metric' | 'expression'> {
  if ('metric' in query) return { metric: withPeriod(query.metric, periodSeconds) };
  const usingMetrics: Record<string, MetricSpec> = {};
  for (const [id, metric] of Object.entries(query.usingMetrics)) usingMetrics[id] = withPeriod(metric, periodSeconds);
  return { expression: { expression: query.expression, label: query.label, periodSeconds, usingMetrics } };
}

/** The member nodes a signal renders an alarm for: each Redis node, or one unqualified alarm. */
function targetsOf(source: CloudWatchSource, resources: MonitoredResources): { node?: string; qualifier?: string }[] {
  if (!source.perRedisNode) return [{}];
  if (resources.redisCacheClusterIds.length === 0) {
    throw new Error('MonitoredResources.redisCacheClusterIds is empty: list every member cache cluster of the replication group');
  }
  return resources.redisCacheClusterIds.map((node, index) => ({ node, qualifier: `node${index + 1}` }));
}

function describe(envName: string, tier: ResolvedTier, node: string | undefined): string {
  const where = node === undefined ? '' : ` on cache cluster ${node}`;
  return [
    `${tier.severity === 'critical' ? 'Critical (pages)' : 'Warning (ticket)'}: ${tier.definition.title}${where} in ${envName} is ${thresholdInWords(tier)}`,
    `in ${tier.datapointsToAlarm} of ${tier.evaluationPeriods} periods of ${tier.periodSeconds} s.`,
    tier.definition.meaning,
    `Runbook: ${tier.runbookUrl}`,
  ].join(' ');
}

function metricAlarms(envName: string, tier: ResolvedTier, resources: MonitoredResources): MetricAlarmSpec[] {
  const source = tier.definition.source;
  if (source.engine !== 'cloudwatch') return [];
  const topic = topicFor(tier.severity);
  return targetsOf(source, resources).map(({ node, qualifier }) => ({
    kind: 'metric',
    alarmName: alarmName(envName, tier.definition, tier.severity, qualifier),
    env: envName,
    component: tier.definition.component,
    signalId: tier.signalId,
    severity: tier.severity,
    description: describe(envName, tier, node),
    runbookUrl: tier.runbookUrl,
    ...metricOf(source.query(resources, node), tier.periodSeconds),
    threshold: Number((tier.threshold * source.toMetricUnit).toPrecision(12)),
    comparisonOperator: comparisonFor(tier),
    evaluationPeriods: tier.evaluationPeriods,
    datapointsToAlarm: tier.datapointsToAlarm,
    treatMissingData: tier.treatMissingData,
    alarmTopics: [topic],
    okTopics: [topic],
  }));
}

/** The ALB error ratio (a fraction) over one window, for the SLO alarms. */
function albErrorRatio(resources: MonitoredResources, periodSeconds: number): MetricAlarmSpec['expression'] {
  return {
    ...albFiveXxRatio<MetricSpec>(1, resources, { periodSeconds }),
    label: `error ratio over ${windowLabel(periodSeconds / 60)}`,
    periodSeconds,
  };
}

function sloWindowAlarm(envName: string, settings: CatalogSettings, resources: MonitoredResources, pair: BurnRateWindowPair, minutes: number, url: string): MetricAlarmSpec {
  const threshold = burnThreshold(pair, settings.sloAvailabilityObjectivePercent);
  return {
    kind: 'metric',
    alarmName: alarmName(envName, SLO_SIGNAL, pair.severity, `burn-${windowLabel(minutes)}`),
    env: envName,
    component: SLO_SIGNAL.component,
    signalId: SLO_SIGNAL.signalId,
    severity: pair.severity,
    description:
      `Input of ${alarmName(envName, SLO_SIGNAL, pair.severity)} (no actions of its own): the ALB error ratio over ${windowLabel(minutes)} ` +
      `is above ${threshold} (burn rate ${pair.burnRate} of a ${settings.sloAvailabilityObjectivePercent} % objective). Runbook: ${url}`,
    runbookUrl: url,
    expression: albErrorRatio(resources, minutes * 60),
    threshold,
    comparisonOperator: 'GreaterThanThreshold',
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: 'notBreaching',
    alarmTopics: [],
    okTopics: [],
  };
}

/** The SLO's window alarms and one composite per severity, `(long AND short) OR (long AND short)`. */
function renderSloAlarmSpecs(envName: string, settings: CatalogSettings, resources: MonitoredResources): AlarmSpec[] {
  const url = runbookUrl(settings.runbookBaseUrl, `${SLO_SIGNAL.component}-${SLO_SIGNAL.slug}`);
  const specs: AlarmSpec[] = [];
  for (const severity of ['critical', 'warning'] as const) {
    const pairs = BURN_RATE_POLICY.filter((pair) => pair.severity === severity);
    const clauses: string[] = [];
    for (const pair of pairs) {
      const long = sloWindowAlarm(envName, settings, resources, pair, pair.longWindowMinutes, url);
      const short = sloWindowAlarm(envName, settings, resources, pair, pair.shortWindowMinutes, url);
      specs.push(long, short);
      clauses.push(`(ALARM("${long.alarmName}") AND ALARM("${short.alarmName}"))`);
    }
    const topic = topicFor(severity);
    const composite: CompositeAlarmSpec = {
      kind: 'composite',
      alarmName: alarmName(envName, SLO_SIGNAL, severity),
      env: envName,
      component: SLO_SIGNAL.component,
      signalId: SLO_SIGNAL.signalId,
      severity,
      description:
        `${severity === 'critical' ? 'Critical (pages)' : 'Warning (ticket)'}: the API burns its ${settings.sloAvailabilityObjectivePercent} % availability ` +
        `error budget at ${pairs.map((p) => `${p.burnRate}x over ${windowLabel(p.longWindowMinutes)} and ${windowLabel(p.shortWindowMinutes)}`).join(', or ')}. Runbook: ${url}`,
      runbookUrl: url,
      alarmRule: clauses.join(' OR '),
      alarmTopics: [topic],
      okTopics: [topic],
    };
    specs.push(composite);
  }
  return specs;
}

/**
 * Every CloudWatch alarm of one environment: the catalog's CloudWatch signals, then the SLO alarms.
 * Validates `settings` first and throws on any problem (see `validateCatalogSettings`).
 */
export function renderAlarmSpecs(envName: string, settings: CatalogSettings, resources: MonitoredResources): AlarmSpec[] {
  const specs: AlarmSpec[] = resolveTiers(envName, settings).flatMap((tier) => metricAlarms(envName, tier, resources));
  specs.push(...renderSloAlarmSpecs(envName, settings, resources));
  const seen = new Set<string>();
  for (const spec of specs) {
    if (seen.has(spec.alarmName)) throw new Error(`Two alarms are named '${spec.alarmName}'; give the signals distinct slugs`);
    seen.add(spec.alarmName);
  }
  return specs;
}
