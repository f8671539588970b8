/**
 * Pure comparison of the catalog's rendered alarms with the alarms DescribeAlarms returns.
 *
 * Nothing here calls AWS: the AWS layer (`aws.ts`) fetches, this module decides what drifted,
 * and `render.ts` prints. That keeps every drift rule testable with plain objects.
 */
import type { CompositeAlarm, MetricAlarm, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { AlarmSpec, AlertTopic, CompositeAlarmSpec, MetricAlarmSpec, MetricSpec } from '../observability/alarm-spec';

/** The alarms of one environment as the account holds them (DescribeAlarms output, all pages). */
export interface DeployedAlarms {
  readonly metricAlarms: readonly MetricAlarm[];
  readonly compositeAlarms: readonly CompositeAlarm[];
}

/** Where an alarm lives, read from its ARN; topic ARNs are built in the same place. */
export interface AlarmLocation {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

/**
 * Turns a topic role into the ARN an alarm action must hold, for the account and region the
 * alarm itself lives in (read from the alarm's ARN, so no extra API call is needed).
 */
export type TopicArnResolver = (role: AlertTopic, where: AlarmLocation) => string;

/** The alarm fields `vigil verify` compares; each names a CloudWatch property an operator knows. */
export type ComparedField =
  | 'kind'
  | 'threshold'
  | 'comparisonOperator'
  | 'evaluationPeriods'
  | 'datapointsToAlarm'
  | 'treatMissingData'
  | 'metric'
  | 'dimensions'
  | 'alarmRule'
  | 'alarmActions'
  | 'okActions'
  | 'insufficientDataActions'
  | 'actionsEnabled'
  | 'description';

/** One field of one alarm that differs from the catalog. Values are printable strings. */
export interface FieldChange {
  readonly alarmName: string;
  readonly field: ComparedField;
  readonly expected: string;
  readonly actual: string;
}

/** An alarm the catalog defines that the account lacks. */
export interface MissingAlarm {
  readonly alarmName: string;
  readonly kind: AlarmSpec['kind'];
  readonly signalId: string;
  readonly severity: AlarmSpec['severity'];
}

/** An alarm with the environment's name prefix that the catalog does not define. */
export interface UnexpectedAlarm {
  readonly alarmName: string;
  readonly kind: AlarmSpec['kind'];
  readonly state: string;
}

/** Everything that differs between the catalog and the account, sorted by alarm name. */
export interface DriftReport {
  readonly missing: readonly MissingAlarm[];
  readonly unexpected: readonly UnexpectedAlarm[];
  readonly changed: readonly FieldChange[];
  /** How many alarms the catalog defines and how many the account holds under the prefix. */
  readonly expectedCount: number;
  readonly deployedCount: number;
}

/** The CloudWatch alarm states, as the API spells them. */
export const ALARM_STATES = ['ALARM', 'INSUFFICIENT_DATA', 'OK'] as const;
/** One CloudWatch alarm state. */
export type AlarmState = (typeof ALARM_STATES)[number];

/** One alarm that needs a look: in ALARM or without data. */
export interface AlarmInState {
  readonly alarmName: string;
  readonly state: AlarmState;
  /** ISO-8601 time of the last state change, when CloudWatch reports one. */
  readonly since?: string;
  readonly reason?: string;
}

/** How many deployed alarms sit in each state, and which are not OK. */
export interface StateSummary {
  readonly counts: Readonly<Record<AlarmState, number>>;
  /** Alarms in ALARM first, then INSUFFICIENT_DATA, each group by name. */
  readonly notOk: readonly AlarmInState[];
}

/**
 * Stands for a dimension value verify cannot know without AWS (a deploy-time id such as a load
 * balancer's full name). Dimensions holding it are skipped; every other value is compared.
 */
export const UNKNOWN_DIMENSION_VALUE = '(deploy-time id)';

/** True when the report holds any missing, unexpected or changed alarm. */
export function hasDrift(report: DriftReport): boolean {
  return report.missing.length + report.unexpected.length + report.changed.length > 0;
}

/**
 * Reads partition, region and account from an alarm ARN
 * (`arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>`).
 * Returns undefined for anything else, so a malformed ARN cannot produce a wrong topic ARN.
 */
export function locationOfAlarmArn(arn: string | undefined): AlarmLocation | undefined {
  const parts = arn?.split(':') ?? [];
  if (parts.length < 7 || parts[0] !== 'arn' || parts[2] !== 'cloudwatch' || parts[5] !== 'alarm') {
    return undefined;
  }
  const [, partition, , region, accountId] = parts;
  if (!partition || !region || !accountId) return undefined;
  return { partition, region, accountId };
}

/**
 * Compares the catalog with the account.
 *
 * Both sides are keyed by alarm name (the catalog's names are unique per environment). Dimension
 * names, namespace, metric, statistic, period and any metric-math expression are compared, and
 * dimension values where the catalog knows them (literal names such as the database instance);
 * values rendered as {@link UNKNOWN_DIMENSION_VALUE} are deploy-time ids and are skipped.
 */
export function compareAlarms(
  expected: readonly AlarmSpec[],
  deployed: DeployedAlarms,
  topicArn: TopicArnResolver,
): DriftReport {
  const deployedByName = new Map<string, { kind: 'metric'; alarm: MetricAlarm } | { kind: 'composite'; alarm: CompositeAlarm }>();
  for (const alarm of deployed.metricAlarms) deployedByName.set(alarm.AlarmName ?? '', { kind: 'metric', alarm });
  for (const alarm of deployed.compositeAlarms) deployedByName.set(alarm.AlarmName ?? '', { kind: 'composite', alarm });

  const expectedNames = new Set(expected.map((spec) => spec.alarmName));
  const missing: MissingAlarm[] = [];
  const changed: FieldChange[] = [];

  for (const spec of expected) {
    const found = deployedByName.get(spec.alarmName);
    if (!found) {
      missing.push({ alarmName: spec.alarmName, kind: spec.kind, signalId: spec.signalId, severity: spec.severity });
      continue;
    }
    if (found.kind !== spec.kind) {
      changed.push({ alarmName: spec.alarmName, field: 'kind', expected: spec.kind, actual: found.kind });
      continue;
    }
    const where = locationOfAlarmArn(found.alarm.AlarmArn);
    const fields =
      spec.kind === 'metric'
        ? metricAlarmFields(spec, found.alarm as MetricAlarm, where, topicArn)
        : compositeAlarmFields(spec, found.alarm as CompositeAlarm, where, topicArn);
    for (const [field, want, have] of fields) {
      if (want !== have) changed.push({ alarmName: spec.alarmName, field, expected: want, actual: have });
    }
  }

  const unexpected: UnexpectedAlarm[] = [];
  for (const [alarmName, found] of deployedByName) {
    if (!expectedNames.has(alarmName)) {
      unexpected.push({ alarmName, kind: found.kind, state: found.alarm.StateValue ?? 'unknown' });
    }
  }

  const byName = (a: { alarmName: string }, b: { alarmName: string }) => a.alarmName.localeCompare(b.alarmName);
  return {
    missing: missing.sort(byName),
    unexpected: unexpected.sort(byName),
    changed: changed.sort(byName),
    expectedCount: expected.length,
    deployedCount: deployedByName.size,
  };
}

/**
 * Counts deployed alarms by state and lists the ones that need a look.
 * An alarm without a state (never seen in practice) counts as INSUFFICIENT_DATA: it has no verdict.
 */
export function summarizeStates(deployed: DeployedAlarms): StateSummary {
  const counts: Record<AlarmState, number> = { ALARM: 0, INSUFFICIENT_DATA: 0, OK: 0 };
  const notOk: AlarmInState[] = [];
  for (const alarm of [...deployed.metricAlarms, ...deployed.compositeAlarms]) {
    const state: AlarmState = alarm.StateValue === 'ALARM' || alarm.StateValue === 'OK' ? alarm.StateValue : 'INSUFFICIENT_DATA';
    counts[state] += 1;
    if (state !== 'OK') {
      notOk.push({
        alarmName: alarm.AlarmName ?? '',
        state,
        since: alarm.StateUpdatedTimestamp?.toISOString(),
        reason: alarm.StateReason,
      });
    }
  }
  const rank = (s: AlarmState) => ALARM_STATES.indexOf(s);
  notOk.sort((a, b) => rank(a.state) - rank(b.state) || a.alarmName.localeCompare(b.alarmName));
  return { counts, notOk };
}

type FieldTriple = readonly [ComparedField, string, string];

function metricAlarmFields(
  spec: MetricAlarmSpec,
  alarm: MetricAlarm,
  where: AlarmLocation | undefined,
  topicArn: TopicArnResolver,
): FieldTriple[] {
  return [
    ['threshold', String(spec.threshold), String(alarm.Threshold)],
    ['comparisonOperator', spec.comparisonOperator, String(alarm.ComparisonOperator)],
    ['evaluationPeriods', String(spec.evaluationPeriods), String(alarm.EvaluationPeriods)],
    // CloudWatch omits DatapointsToAlarm when it equals EvaluationPeriods (its documented default).
    ['datapointsToAlarm', String(spec.datapointsToAlarm), String(alarm.DatapointsToAlarm ?? alarm.EvaluationPeriods)],
    // ...and TreatMissingData when it is the default, `missing`.
    ['treatMissingData', spec.treatMissingData, alarm.TreatMissingData ?? 'missing'],
    ['metric', describeExpectedMetric(spec), describeDeployedMetric(alarm)],
    ...dimensionValueFields(spec, alarm),
    ...commonFields(spec, alarm, where, topicArn),
  ];
}

function compositeAlarmFields(
  spec: CompositeAlarmSpec,
  alarm: CompositeAlarm,
  where: AlarmLocation | undefined,
  topicArn: TopicArnResolver,
): FieldTriple[] {
  return [['alarmRule', normalizeRule(spec.alarmRule), normalizeRule(alarm.AlarmRule ?? '')], ...commonFields(spec, alarm, where, topicArn)];
}

function commonFields(
  spec: AlarmSpec,
  alarm: MetricAlarm | CompositeAlarm,
  where: AlarmLocation | undefined,
  topicArn: TopicArnResolver,
): FieldTriple[] {
  const expectedActions = (roles: readonly AlertTopic[]) =>
    // Without a readable alarm ARN there is no account/region to build topic ARNs from; show roles.
    listText(where ? roles.map((role) => topicArn(role, where)) : roles.map((role) => `<${role} topic>`));
  return [
    ['alarmActions', expectedActions(spec.alarmTopics), listText(alarm.AlarmActions ?? [])],
    ['okActions', expectedActions(spec.okTopics), listText(alarm.OKActions ?? [])],
    // The catalog never routes INSUFFICIENT_DATA; an action added by hand is drift.
    ['insufficientDataActions', listText([]), listText(alarm.InsufficientDataActions ?? [])],
    // A console "disable actions" silences the page while the alarm still looks right.
    ['actionsEnabled', 'true', String(alarm.ActionsEnabled ?? true)],
    ['description', spec.description, alarm.AlarmDescription ?? ''],
  ];
}

/** Sorted and de-duplicated, so action order never counts as drift. */
function listText(items: readonly string[]): string {
  const sorted = [...new Set(items)].sort();
  return sorted.length === 0 ? '(none)' : sorted.join(', ');
}

/**
 * CloudWatch keeps a rule as written. Whitespace runs are insignificant, and a child named by
 * ARN is the same child as one named by name (CDK's `AlarmRule.fromAlarm` writes ARNs).
 */
function normalizeRule(rule: string): string {
  return rule
    .replace(/"arn:[^:"]+:cloudwatch:[^:"]*:[^:"]*:alarm:([^"]+)"/g, '"$1"')
    .replace(/\s+/g, ' ')
    .trim();
}

function metricText(m: { namespace?: string; metricName?: string; statistic?: string; periodSeconds?: number; dimensionNames: readonly string[] }): string {
  const dims = [...m.dimensionNames].sort().join(',');
  return `${m.namespace}/${m.metricName} ${m.statistic} ${m.periodSeconds}s [${dims}]`;
}

function specMetricText(m: MetricSpec): string {
  return metricText({ ...m, dimensionNames: Object.keys(m.dimensions) });
}

type Dimensions = Readonly<Record<string, string>>;

/** Dimensions per metric: `''` for a single-metric alarm, the query id inside metric math. */
function expectedDimensions(spec: MetricAlarmSpec): Map<string, Dimensions> {
  if (spec.expression) return new Map(Object.entries(spec.expression.usingMetrics).map(([id, m]) => [id, m.dimensions]));
  return new Map(spec.metric ? [['', spec.metric.dimensions]] : []);
}

function deployedDimensions(alarm: MetricAlarm): Map<string, Dimensions> {
  const asRecord = (list: readonly { Name?: string; Value?: string }[] | undefined): Dimensions =>
    Object.fromEntries((list ?? []).map((d) => [d.Name ?? '', d.Value ?? '']));
  if ((alarm.Metrics ?? []).length > 0) {
    return new Map((alarm.Metrics ?? []).filter((q) => q.MetricStat).map((q) => [q.Id ?? '', asRecord(q.MetricStat?.Metric?.Dimensions)]));
  }
  return new Map([['', asRecord(alarm.Dimensions)]]);
}

/**
 * The dimension values the catalog knows, against the account's: one `dimensions` field, or none
 * when every value is a deploy-time id. Names and metrics are the `metric` field's business.
 */
function dimensionValueFields(spec: MetricAlarmSpec, alarm: MetricAlarm): FieldTriple[] {
  const deployed = deployedDimensions(alarm);
  const expected: string[] = [];
  const actual: string[] = [];
  for (const [id, dimensions] of expectedDimensions(spec)) {
    for (const [name, value] of Object.entries(dimensions).sort(([a], [b]) => a.localeCompare(b))) {
      if (value.includes(UNKNOWN_DIMENSION_VALUE)) continue;
      const label = id === '' ? name : `${id}.${name}`;
      expected.push(`${label}=${value}`);
      actual.push(`${label}=${deployed.get(id)?.[name] ?? '(none)'}`);
    }
  }
  return expected.length === 0 ? [] : [['dimensions', expected.join(', '), actual.join(', ')]];
}

/** The catalog's metric (or math expression) in the same words as `describeDeployedMetric`. */
function describeExpectedMetric(spec: MetricAlarmSpec): string {
  if (spec.expression) {
    const terms = Object.entries(spec.expression.usingMetrics)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, m]) => `${id}=${specMetricText(m)}`);
    return `${spec.expression.expression} where ${terms.join('; ')}`;
  }
  return spec.metric ? specMetricText(spec.metric) : '(none)';
}

/** Describes a deployed alarm's metric: the single metric, or the expression and its inputs. */
function describeDeployedMetric(alarm: MetricAlarm): string {
  const queries: readonly MetricDataQuery[] = alarm.Metrics ?? [];
  if (queries.length > 0) {
    const expression = queries.find((q) => q.Expression !== undefined && q.ReturnData !== false);
    const terms = queries
      .filter((q) => q.MetricStat)
      .sort((a, b) => (a.Id ?? '').localeCompare(b.Id ?? ''))
      .map((q) => {
        const stat = q.MetricStat!;
        return `${q.Id}=${metricText({
          namespace: stat.Metric?.Namespace,
          metricName: stat.Metric?.MetricName,
          statistic: stat.Stat,
          periodSeconds: stat.Period,
          dimensionNames: (stat.Metric?.Dimensions ?? []).map((d) => d.Name ?? ''),
        })}`;
      });
    return `${expression?.Expression ?? '(no expression)'} where ${terms.join('; ')}`;
  }
  if (alarm.MetricName === undefined) return '(none)';
  return metricText({
    namespace: alarm.Namespace,
    metricName: alarm.MetricName,
    statistic: alarm.Statistic ?? alarm.ExtendedStatistic,
    periodSeconds: alarm.Period,
    dimensionNames: (alarm.Dimensions ?? []).map((d) => d.Name ?? ''),
  });
}
