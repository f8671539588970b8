import { Aspects, Stack } from 'aws-cdk-lib';
import { newApp } from '../support/app';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AlarmActionsAndRunbookCheck } from '../../lib/constructs/catalog-alarm-check';
import { CatalogAlarms } from '../../lib/constructs/catalog-alarms';
import { renderAlarmSpecs } from '../../lib/observability/cloudwatch-alarms';
import type { CatalogSettings } from '../../lib/observability/settings';
import { RESOURCES, SETTINGS, productionWith } from './fixtures';

function build(settings: CatalogSettings = SETTINGS.production) {
  const app = newApp();
  const stack = new Stack(app, 'Monitoring', { env: { account: '123456789012', region: 'eu-west-1' } });
  const topics = { critical: new sns.Topic(stack, 'Critical'), warning: new sns.Topic(stack, 'Warning') };
  const specs = renderAlarmSpecs('production', settings, RESOURCES);
  new CatalogAlarms(stack, 'Alarms', { specs, topics });
  Aspects.of(app).add(new AlarmActionsAndRunbookCheck());
  return { stack, specs, template: Template.fromStack(stack) };
}

describe('CatalogAlarms', () => {
  const { stack, specs, template } = build();

  test('the template has exactly one CloudWatch alarm per metric spec and one composite per composite spec', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', specs.filter((s) => s.kind === 'metric').length);
    template.resourceCountIs('AWS::CloudWatch::CompositeAlarm', specs.filter((s) => s.kind === 'composite').length);
  });

  test('a metric alarm carries the spec: name, threshold, comparison, periods, missing data, and both actions', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'production-rds-cpu-critical',
      Threshold: 90,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
      Namespace: 'AWS/RDS',
      MetricName: 'CPUUtilization',
      Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'production-vigil-db' }],
      Period: 60,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Critical') }],
      OKActions: [{ Ref: Match.stringLikeRegexp('^Critical') }],
      AlarmDescription: Match.stringLikeRegexp('Runbook: https://github.com/vigil-dev/vigil/blob/main/docs/runbooks.md#rds-cpu$'),
    });
  });

  test('a math alarm renders its expression and metrics', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'production-api-5xx-rate-warning',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF((FILL(requests, 0) + FILL(elb5xx, 0)) > 0, 100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / (FILL(requests, 0) + FILL(elb5xx, 0)), 0)', ReturnData: true }),
        Match.objectLike({ Id: 'requests', MetricStat: Match.objectLike({ Stat: 'Sum', Period: 60 }), ReturnData: false }),
      ]),
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Warning') }],
    });
  });

  test('the SLO composite is created after its window alarms and pages', () => {
    const composites = template.findResources('AWS::CloudWatch::CompositeAlarm', { Properties: { AlarmName: 'production-slo-availability-critical' } });
    const [composite] = Object.values(composites) as { DependsOn?: string[]; Properties: { AlarmActions: unknown[] } }[];
    expect(composite?.DependsOn).toHaveLength(4);
    expect(composite?.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Critical/) }]);
  });

  test('the synth-time check passes on catalog alarms', () => {
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
  });

  test('changing a number in the config changes exactly that alarm in the template', () => {
    const changed = build(productionWith({ rdsReadLatency: { warning: { maxMilliseconds: 20 }, critical: { maxMilliseconds: 80 } } })).template;
    const before = template.findResources('AWS::CloudWatch::Alarm');
    const after = changed.findResources('AWS::CloudWatch::Alarm');
    const differing = Object.keys(after).filter((id) => JSON.stringify(after[id]) !== JSON.stringify(before[id]));
    expect(differing.map((id) => (after[id] as { Properties: { AlarmName: string } }).Properties.AlarmName)).toEqual(['production-rds-read-latency-critical']);
    expect((after[differing[0] ?? ''] as { Properties: { Threshold: number } }).Properties.Threshold).toBe(0.08);
  });
});

describe('AlarmActionsAndRunbookCheck', () => {
  /** Synthesizes a stack built by `add` under the check; returns what synth threw ('' if nothing). */
  function synthError(add: (stack: Stack, topic: sns.Topic) => void): string {
    const app = newApp();
    const stack = new Stack(app, 'S');
    add(stack, new sns.Topic(stack, 'T'));
    Aspects.of(app).add(new AlarmActionsAndRunbookCheck());
    try {
      app.synth();
      return '';
    } catch (error) {
      return String(error);
    }
  }
  const metric = new cloudwatch.Metric({ namespace: 'N', metricName: 'M' });

  test('an alarm without an action fails synth', () => {
    const error = synthError((s) => {
      new cloudwatch.Alarm(s, 'A', { alarmName: 'a', metric, threshold: 1, evaluationPeriods: 1, alarmDescription: 'x. Runbook: https://x/r.md#a' });
    });
    expect(error).toMatch(/Alarm 'a' has no alarm action[^\n]*\n\s+S\/A\/Resource/);
  });

  test('an alarm without a runbook link fails synth', () => {
    const error = synthError((s, topic) => {
      const alarm = new cloudwatch.Alarm(s, 'A', { alarmName: 'a', metric, threshold: 1, evaluationPeriods: 1, alarmDescription: 'CPU is high' });
      alarm.addAlarmAction({ bind: () => ({ alarmActionArn: topic.topicArn }) });
    });
    expect(error).toMatch(/Alarm 'a' has no runbook link/);
    expect(error).not.toMatch(/no alarm action/);
  });

  test('an alarm with an action and a runbook link passes', () => {
    const error = synthError((s, topic) => {
      const alarm = new cloudwatch.Alarm(s, 'A', { alarmName: 'a', metric, threshold: 1, evaluationPeriods: 1, alarmDescription: 'x. Runbook: https://x/r.md#a' });
      alarm.addAlarmAction({ bind: () => ({ alarmActionArn: topic.topicArn }) });
    });
    expect(error).toBe('');
  });

  test('an input of a composite alarm needs no action of its own, but the composite does', () => {
    const error = synthError((s) => {
      const input = new cloudwatch.Alarm(s, 'In', { alarmName: 'in', metric, threshold: 1, evaluationPeriods: 1, alarmDescription: 'x. Runbook: https://x/r.md#a' });
      new cloudwatch.CompositeAlarm(s, 'C', { compositeAlarmName: 'c', alarmRule: cloudwatch.AlarmRule.fromAlarm(input, cloudwatch.AlarmState.ALARM), alarmDescription: 'y. Runbook: https://x/r.md#b' });
    });
    expect(error).toMatch(/Composite alarm 'c' has no alarm action/);
    expect(error).not.toMatch(/Alarm 'in'/);
  });
});
