import { compareAlarms, hasDrift, locationOfAlarmArn, summarizeStates, type DeployedAlarms } from '../../lib/verify/compare';
import {
  ACCOUNT,
  REGION,
  apiErrorRate,
  deployedComposite,
  deployedFrom,
  deployedMetric,
  fixtureCatalog,
  fixtureTopicArn,
  rdsCpu,
  sloBurn,
  withMetric,
} from './fixtures';

const ENV = 'production';
const catalog = fixtureCatalog(ENV);
const topics = fixtureTopicArn(ENV);
const inSync = deployedFrom(catalog);
const compare = (deployed: DeployedAlarms) => compareAlarms(catalog, deployed, topics);

describe('compareAlarms', () => {
  test('an account holding exactly the catalog has no drift', () => {
    // GIVEN the alarms CDK would create from the catalog  WHEN compared
    const report = compare(inSync);
    // THEN nothing is missing, unexpected or changed
    expect(report).toEqual({ missing: [], unexpected: [], changed: [], expectedCount: 6, deployedCount: 6 });
    expect(hasDrift(report)).toBe(false);
  });

  test('a catalog alarm absent from the account is missing, with its kind, signal and severity', () => {
    const deployed = { ...inSync, compositeAlarms: [] };
    const report = compare(deployed);
    expect(report.missing).toEqual([
      { alarmName: 'production-api-slo-burn-critical', kind: 'composite', signalId: 'api-slo-burn', severity: 'critical' },
    ]);
    expect(report.changed).toEqual([]);
    expect(hasDrift(report)).toBe(true);
  });

  test('an alarm under the prefix that the catalog does not define is unexpected, with its state', () => {
    const stray = { ...deployedMetric(rdsCpu(ENV, 'warning', 70), 'ALARM'), AlarmName: 'production-legacy-cpu-warning' };
    const report = compare({ ...inSync, metricAlarms: [...inSync.metricAlarms, stray] });
    expect(report.unexpected).toEqual([{ alarmName: 'production-legacy-cpu-warning', kind: 'metric', state: 'ALARM' }]);
    expect(report.deployedCount).toBe(7);
  });

  test.each([
    ['threshold', { Threshold: 80 }, '90', '80'],
    ['comparisonOperator', { ComparisonOperator: 'GreaterThanOrEqualToThreshold' }, 'GreaterThanThreshold', 'GreaterThanOrEqualToThreshold'],
    ['evaluationPeriods', { EvaluationPeriods: 10 }, '5', '10'],
    ['datapointsToAlarm', { DatapointsToAlarm: 5 }, '3', '5'],
    ['treatMissingData', { TreatMissingData: 'breaching' }, 'missing', 'breaching'],
    ['actionsEnabled', { ActionsEnabled: false }, 'true', 'false'],
    ['description', { AlarmDescription: 'edited in the console' }, rdsCpu(ENV, 'critical', 90).description, 'edited in the console'],
  ] as const)('a changed %s is reported with the catalog and account values', (field, patch, expected, actual) => {
    // GIVEN one field of the critical RDS CPU alarm edited in the account
    const deployed = withMetric(inSync, 'production-rds-cpu-critical', (a) => ({ ...a, ...patch }) as typeof a);
    // WHEN compared  THEN exactly that field is reported
    expect(compare(deployed).changed).toEqual([{ alarmName: 'production-rds-cpu-critical', field, expected, actual }]);
  });

  test('alarm and OK actions are compared as topic ARNs in the alarm account and region', () => {
    const warningTopic = `arn:aws:sns:${REGION}:${ACCOUNT}:production-alerts-warning`;
    const criticalTopic = `arn:aws:sns:${REGION}:${ACCOUNT}:production-alerts-critical`;
    const deployed = withMetric(inSync, 'production-rds-cpu-critical', (a) => ({ ...a, AlarmActions: [warningTopic], OKActions: [] }));
    expect(compare(deployed).changed).toEqual([
      { alarmName: 'production-rds-cpu-critical', field: 'alarmActions', expected: criticalTopic, actual: warningTopic },
      { alarmName: 'production-rds-cpu-critical', field: 'okActions', expected: criticalTopic, actual: '(none)' },
    ]);
  });

  test('an INSUFFICIENT_DATA action added by hand is drift', () => {
    const deployed = withMetric(inSync, 'production-rds-cpu-warning', (a) => ({ ...a, InsufficientDataActions: ['arn:aws:sns:eu-west-1:1:x'] }));
    expect(compare(deployed).changed).toEqual([
      { alarmName: 'production-rds-cpu-warning', field: 'insufficientDataActions', expected: '(none)', actual: 'arn:aws:sns:eu-west-1:1:x' },
    ]);
  });

  test('action order and duplicates are not drift', () => {
    const t = `arn:aws:sns:${REGION}:${ACCOUNT}:production-alerts-warning`;
    const specs = [{ ...rdsCpu(ENV, 'warning', 70), alarmTopics: ['warning', 'critical'] as const }];
    const deployed = { metricAlarms: [{ ...deployedMetric(specs[0]!), AlarmActions: [t.replace('warning', 'critical'), t, t] }], compositeAlarms: [] };
    expect(compareAlarms(specs, deployed, topics).changed).toEqual([]);
  });

  test('CloudWatch defaults count as the values they stand for (no DatapointsToAlarm, no TreatMissingData)', () => {
    // GIVEN an alarm whose datapoints equal its periods and that treats missing data as `missing`
    const spec = { ...rdsCpu(ENV, 'warning', 70), datapointsToAlarm: 5, treatMissingData: 'missing' as const };
    const alarm = { ...deployedMetric(spec), DatapointsToAlarm: undefined, TreatMissingData: undefined };
    // WHEN CloudWatch omits both fields  THEN nothing is reported
    expect(compareAlarms([spec], { metricAlarms: [alarm], compositeAlarms: [] }, topics).changed).toEqual([]);
  });

  test('dimension values verify cannot know (deploy-time ids) are skipped; dimension names are compared', () => {
    const otherLoadBalancer = withMetric(inSync, 'production-api-latency-p99-warning', (a) => ({ ...a, Dimensions: [{ Name: 'LoadBalancer', Value: 'app/other/123' }] }));
    expect(compare(otherLoadBalancer).changed).toEqual([]);

    const renamedDimension = withMetric(inSync, 'production-rds-cpu-warning', (a) => ({ ...a, Dimensions: [{ Name: 'DBClusterIdentifier', Value: 'production-vigil-postgres' }] }));
    expect(compare(renamedDimension).changed).toEqual([
      {
        alarmName: 'production-rds-cpu-warning',
        field: 'metric',
        expected: 'AWS/RDS/CPUUtilization Average 60s [DBInstanceIdentifier]',
        actual: 'AWS/RDS/CPUUtilization Average 60s [DBClusterIdentifier]',
      },
      { alarmName: 'production-rds-cpu-warning', field: 'dimensions', expected: 'DBInstanceIdentifier=production-vigil-postgres', actual: 'DBInstanceIdentifier=(none)' },
    ]);
  });

  test('a dimension value the catalog knows (a literal name) is compared: the alarm watches the wrong instance', () => {
    const otherInstance = withMetric(inSync, 'production-rds-cpu-critical', (a) => ({ ...a, Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'staging-vigil-postgres' }] }));
    expect(compare(otherInstance).changed).toEqual([
      { alarmName: 'production-rds-cpu-critical', field: 'dimensions', expected: 'DBInstanceIdentifier=production-vigil-postgres', actual: 'DBInstanceIdentifier=staging-vigil-postgres' },
    ]);
  });

  test('inside metric math, known dimension values are compared per input metric id', () => {
    const spec = apiErrorRate(ENV, 'critical', 5);
    const known = {
      ...spec,
      expression: { ...spec.expression!, usingMetrics: { ...spec.expression!.usingMetrics, errors: { ...spec.expression!.usingMetrics.errors!, dimensions: { LoadBalancer: 'app/production-vigil/abc' } } } },
    };
    const deployed = deployedMetric(known);
    expect(compareAlarms([known], { metricAlarms: [deployed], compositeAlarms: [] }, topics).changed).toEqual([]);
    const moved = {
      ...deployed,
      Metrics: deployed.Metrics!.map((q) => (q.Id === 'errors' ? { ...q, MetricStat: { ...q.MetricStat!, Metric: { ...q.MetricStat!.Metric!, Dimensions: [{ Name: 'LoadBalancer', Value: 'app/x/1' }] } } } : q)),
    };
    expect(compareAlarms([known], { metricAlarms: [moved], compositeAlarms: [] }, topics).changed).toEqual([
      { alarmName: spec.alarmName, field: 'dimensions', expected: 'errors.LoadBalancer=app/production-vigil/abc', actual: 'errors.LoadBalancer=app/x/1' },
    ]);
  });

  test('a changed statistic, period or metric name is a metric change; extended statistics are read too', () => {
    const p90 = withMetric(inSync, 'production-api-latency-p99-warning', (a) => ({ ...a, ExtendedStatistic: 'p90' }));
    expect(compare(p90).changed).toEqual([
      expect.objectContaining({ field: 'metric', expected: 'AWS/ApplicationELB/TargetResponseTime p99 60s [LoadBalancer]', actual: 'AWS/ApplicationELB/TargetResponseTime p90 60s [LoadBalancer]' }),
    ]);
    const period = withMetric(inSync, 'production-rds-cpu-warning', (a) => ({ ...a, Period: 300 }));
    expect(compare(period).changed.map((c) => c.actual)).toEqual(['AWS/RDS/CPUUtilization Average 300s [DBInstanceIdentifier]']);
  });

  test('a metric-math alarm compares its expression and every input metric', () => {
    const expected =
      '100 * errors / MAX([errors, requests]) where errors=AWS/ApplicationELB/HTTPCode_Target_5XX_Count Sum 60s [LoadBalancer]; ' +
      'requests=AWS/ApplicationELB/RequestCount Sum 60s [LoadBalancer]';
    const editedExpression = withMetric(inSync, 'production-api-error-rate-critical', (a) => ({
      ...a,
      Metrics: a.Metrics!.map((q) => (q.Expression ? { ...q, Expression: '100 * errors / requests' } : q)),
    }));
    expect(compare(editedExpression).changed).toEqual([
      { alarmName: 'production-api-error-rate-critical', field: 'metric', expected, actual: expected.replace('MAX([errors, requests])', 'requests') },
    ]);

    const editedInput = withMetric(inSync, 'production-api-error-rate-critical', (a) => ({
      ...a,
      Metrics: a.Metrics!.map((q) => (q.Id === 'requests' ? { ...q, MetricStat: { ...q.MetricStat!, Stat: 'Average' } } : q)),
    }));
    expect(compare(editedInput).changed[0]?.actual).toContain('requests=AWS/ApplicationELB/RequestCount Average 60s');
  });

  test('a composite alarm compares its rule (whitespace and name-or-ARN aside) and its actions', () => {
    const spec = sloBurn(ENV);
    const reflowed = { ...deployedComposite(spec), AlarmRule: spec.alarmRule.replace(' AND ', '\n  AND   ') };
    expect(compare({ ...inSync, compositeAlarms: [reflowed] }).changed).toEqual([]);

    const byArn = { ...deployedComposite(spec), AlarmRule: spec.alarmRule.replace(/ALARM\("/g, `ALARM("arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:`) };
    expect(byArn.AlarmRule).toContain(`ALARM("arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:production-api-error-rate-critical")`);
    expect(compare({ ...inSync, compositeAlarms: [byArn] }).changed).toEqual([]);

    const loosened = { ...deployedComposite(spec), AlarmRule: spec.alarmRule.replace(' AND ', ' OR '), AlarmActions: [] };
    expect(compare({ ...inSync, compositeAlarms: [loosened] }).changed).toEqual([
      { alarmName: spec.alarmName, field: 'alarmRule', expected: spec.alarmRule, actual: spec.alarmRule.replace(' AND ', ' OR ') },
      { alarmName: spec.alarmName, field: 'alarmActions', expected: `arn:aws:sns:${REGION}:${ACCOUNT}:production-alerts-critical`, actual: '(none)' },
    ]);
  });

  test('an alarm deployed as the other kind is one "kind" change, not a field-by-field list', () => {
    const spec = sloBurn(ENV);
    const asMetric = { ...deployedMetric(rdsCpu(ENV, 'critical', 90)), AlarmName: spec.alarmName };
    const report = compare({ metricAlarms: [...inSync.metricAlarms, asMetric], compositeAlarms: [] });
    expect(report.changed).toEqual([{ alarmName: spec.alarmName, field: 'kind', expected: 'composite', actual: 'metric' }]);
  });

  test('an alarm ARN it cannot read shows the expected actions as topic roles', () => {
    const deployed = withMetric(inSync, 'production-rds-cpu-warning', (a) => ({ ...a, AlarmArn: undefined }));
    expect(compare(deployed).changed).toEqual([
      expect.objectContaining({ field: 'alarmActions', expected: '<warning topic>' }),
      expect.objectContaining({ field: 'okActions', expected: '<warning topic>' }),
    ]);
  });
});

describe('locationOfAlarmArn', () => {
  test('reads partition, region and account of an alarm ARN and rejects anything else', () => {
    expect(locationOfAlarmArn('arn:aws-cn:cloudwatch:cn-north-1:111122223333:alarm:a:b')).toEqual({ partition: 'aws-cn', region: 'cn-north-1', accountId: '111122223333' });
    expect(locationOfAlarmArn('arn:aws:sns:eu-west-1:111122223333:topic')).toBeUndefined();
    expect(locationOfAlarmArn(undefined)).toBeUndefined();
  });
});

describe('summarizeStates', () => {
  test('counts every state and lists ALARM before INSUFFICIENT_DATA, each by name', () => {
    const [a, b, c, d] = catalog as [never, never, never, never];
    const deployed = {
      metricAlarms: [deployedMetric(a, 'INSUFFICIENT_DATA'), deployedMetric(b, 'ALARM'), deployedMetric(c, 'OK'), deployedMetric(d, 'ALARM')],
      compositeAlarms: [deployedComposite(sloBurn(ENV), 'OK')],
    };
    const summary = summarizeStates(deployed);
    expect(summary.counts).toEqual({ ALARM: 2, INSUFFICIENT_DATA: 1, OK: 2 });
    expect(summary.notOk.map((s) => [s.state, s.alarmName])).toEqual([
      ['ALARM', 'production-api-error-rate-critical'],
      ['ALARM', 'production-rds-cpu-critical'],
      ['INSUFFICIENT_DATA', 'production-rds-cpu-warning'],
    ]);
    expect(summary.notOk[0]).toEqual({
      alarmName: 'production-api-error-rate-critical',
      state: 'ALARM',
      since: '2026-11-25T06:00:00.000Z',
      reason: 'Threshold Crossed: fixture state ALARM',
    });
  });
});
