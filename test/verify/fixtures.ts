/**
 * Small hand-made catalogs and their "deployed" twins for the verify tests.
 *
 * `deployedFrom` turns a spec into what DescribeAlarms would return for an alarm CDK created from
 * it, so a test starts from "in sync" and changes one thing. The real catalog ↔ template check
 * lives in template-no-drift.test.ts; these fixtures exercise the comparison rules.
 */
import type { CompositeAlarm, MetricAlarm, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { AlarmSpec, CompositeAlarmSpec, MetricAlarmSpec, MetricSpec } from '../../lib/observability/alarm-spec';
import { UNKNOWN_DIMENSION_VALUE, type AlarmLocation, type DeployedAlarms, type TopicArnResolver } from '../../lib/verify/compare';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';

/** Topic ARNs for the fixtures: `<env>-alerts-<role>` in the alarm's account and region. */
export const fixtureTopicArn =
  (env: string): TopicArnResolver =>
  (role, where: AlarmLocation) =>
    `arn:${where.partition}:sns:${where.region}:${where.accountId}:${env}-alerts-${role}`;

const lb: MetricSpec = {
  namespace: 'AWS/ApplicationELB',
  metricName: 'HTTPCode_Target_5XX_Count',
  dimensions: { LoadBalancer: UNKNOWN_DIMENSION_VALUE },
  statistic: 'Sum',
  periodSeconds: 60,
};

/** A plain single-metric alarm. */
export function rdsCpu(env: string, severity: 'warning' | 'critical', threshold: number): MetricAlarmSpec {
  return {
    kind: 'metric',
    alarmName: `${env}-rds-cpu-${severity}`,
    env,
    component: 'rds',
    signalId: 'rds-cpu',
    severity,
    description: `RDS CPU above ${threshold} % for 3 of 5 minutes. Runbook: https://example.com/runbooks#rds-cpu`,
    runbookUrl: 'https://example.com/runbooks#rds-cpu',
    metric: {
      namespace: 'AWS/RDS',
      metricName: 'CPUUtilization',
      dimensions: { DBInstanceIdentifier: `${env}-vigil-postgres` },
      statistic: 'Average',
      periodSeconds: 60,
    },
    threshold,
    comparisonOperator: 'GreaterThanThreshold',
    evaluationPeriods: 5,
    datapointsToAlarm: 3,
    treatMissingData: 'missing',
    alarmTopics: [severity],
    okTopics: [severity],
  };
}

/** A metric-math alarm (5xx ratio) with a percentile-free pair of inputs. */
export function apiErrorRate(env: string, severity: 'warning' | 'critical', maxPercent: number): MetricAlarmSpec {
  return {
    kind: 'metric',
    alarmName: `${env}-api-error-rate-${severity}`,
    env,
    component: 'api',
    signalId: 'api-error-rate',
    severity,
    description: `ALB 5xx above ${maxPercent} % of requests. Runbook: https://example.com/runbooks#api-error-rate`,
    runbookUrl: 'https://example.com/runbooks#api-error-rate',
    expression: {
      expression: '100 * errors / MAX([errors, requests])',
      label: '5xx %',
      periodSeconds: 60,
      usingMetrics: { errors: lb, requests: { ...lb, metricName: 'RequestCount' } },
    },
    threshold: maxPercent,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    treatMissingData: 'notBreaching',
    alarmTopics: [severity],
    okTopics: [severity],
  };
}

/** A p99 latency alarm (an extended statistic). */
export function apiLatency(env: string): MetricAlarmSpec {
  return {
    ...rdsCpu(env, 'warning', 1),
    alarmName: `${env}-api-latency-p99-warning`,
    component: 'api',
    signalId: 'api-latency-p99',
    description: 'p99 latency above 1 s. Runbook: https://example.com/runbooks#api-latency-p99',
    runbookUrl: 'https://example.com/runbooks#api-latency-p99',
    metric: { ...lb, metricName: 'TargetResponseTime', statistic: 'p99' },
  };
}

/** A composite burn-rate alarm over the two error-rate alarms. */
export function sloBurn(env: string): CompositeAlarmSpec {
  return {
    kind: 'composite',
    alarmName: `${env}-api-slo-burn-critical`,
    env,
    component: 'api',
    signalId: 'api-slo-burn',
    severity: 'critical',
    description: 'Error budget burning 14x. Runbook: https://example.com/runbooks#api-slo-burn',
    runbookUrl: 'https://example.com/runbooks#api-slo-burn',
    alarmRule: `ALARM("${env}-api-error-rate-critical") AND ALARM("${env}-api-error-rate-warning")`,
    alarmTopics: ['critical'],
    okTopics: ['critical'],
  };
}

/** A small catalog with every alarm shape the comparator handles. */
export function fixtureCatalog(env: string): AlarmSpec[] {
  return [
    rdsCpu(env, 'warning', 70),
    rdsCpu(env, 'critical', 90),
    apiErrorRate(env, 'warning', 1),
    apiErrorRate(env, 'critical', 5),
    apiLatency(env),
    sloBurn(env),
  ];
}

const alarmArn = (name: string) => `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${name}`;
const WHERE: AlarmLocation = { partition: 'aws', region: REGION, accountId: ACCOUNT };
/** Known values as the catalog has them; deploy-time ids as some id the account made up. */
const dims = (m: MetricSpec) =>
  Object.entries(m.dimensions).map(([Name, value]) => ({ Name, Value: value === UNKNOWN_DIMENSION_VALUE ? `deployed-${Name}` : value }));
const STANDARD_STATS = new Set(['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum']);

/** The fields metric and composite alarms share, as CDK sets them from a spec. */
function commonDeployed(spec: AlarmSpec, state: string, topicArn: TopicArnResolver) {
  return {
    AlarmName: spec.alarmName,
    AlarmArn: alarmArn(spec.alarmName),
    AlarmDescription: spec.description,
    ActionsEnabled: true,
    AlarmActions: spec.alarmTopics.map((r) => topicArn(r, WHERE)),
    OKActions: spec.okTopics.map((r) => topicArn(r, WHERE)),
    InsufficientDataActions: [],
    StateValue: state as MetricAlarm['StateValue'],
    StateReason: `fixture state ${state}`,
    StateUpdatedTimestamp: new Date('2026-11-25T06:00:00.000Z'),
  };
}

/**
 * What DescribeAlarms returns for a metric alarm CDK created from `spec`, in state `state`;
 * actions name topics by `topicArn` (the fixtures' naming unless told otherwise).
 */
export function deployedMetric(spec: MetricAlarmSpec, state = 'OK', topicArn = fixtureTopicArn(spec.env)): MetricAlarm {
  const base: MetricAlarm = {
    ...commonDeployed(spec, state, topicArn),
    StateReason: `Threshold Crossed: fixture state ${state}`,
    Threshold: spec.threshold,
    ComparisonOperator: spec.comparisonOperator,
    EvaluationPeriods: spec.evaluationPeriods,
    DatapointsToAlarm: spec.datapointsToAlarm,
    TreatMissingData: spec.treatMissingData,
  };
  if (spec.expression) {
    const inputs: MetricDataQuery[] = Object.entries(spec.expression.usingMetrics).map(([Id, m]) => ({
      Id,
      MetricStat: { Metric: { Namespace: m.namespace, MetricName: m.metricName, Dimensions: dims(m) }, Period: m.periodSeconds, Stat: m.statistic },
      ReturnData: false,
    }));
    return { ...base, Metrics: [{ Id: 'expr_1', Expression: spec.expression.expression, Label: spec.expression.label, ReturnData: true }, ...inputs] };
  }
  const m = spec.metric!;
  const stat = STANDARD_STATS.has(m.statistic) ? { Statistic: m.statistic as MetricAlarm['Statistic'] } : { ExtendedStatistic: m.statistic };
  return { ...base, Namespace: m.namespace, MetricName: m.metricName, Dimensions: dims(m), Period: m.periodSeconds, ...stat };
}

/** What DescribeAlarms returns for a composite alarm CDK created from `spec`. */
export function deployedComposite(spec: CompositeAlarmSpec, state = 'OK', topicArn = fixtureTopicArn(spec.env)): CompositeAlarm {
  return { ...commonDeployed(spec, state, topicArn), AlarmRule: spec.alarmRule };
}

/** The account holding exactly `specs`, all OK. */
export function deployedFrom(
  specs: readonly AlarmSpec[],
  topicArn?: TopicArnResolver,
): { metricAlarms: MetricAlarm[]; compositeAlarms: CompositeAlarm[] } {
  return {
    metricAlarms: specs.filter((s): s is MetricAlarmSpec => s.kind === 'metric').map((s) => deployedMetric(s, 'OK', topicArn)),
    compositeAlarms: specs.filter((s): s is CompositeAlarmSpec => s.kind === 'composite').map((s) => deployedComposite(s, 'OK', topicArn)),
  };
}

/** Replaces the alarm named `name` in `deployed` with `change(alarm)`. */
export function withMetric(deployed: DeployedAlarms, name: string, change: (a: MetricAlarm) => MetricAlarm): DeployedAlarms {
  return { ...deployed, metricAlarms: deployed.metricAlarms.map((a) => (a.AlarmName === name ? change(a) : a)) };
}
