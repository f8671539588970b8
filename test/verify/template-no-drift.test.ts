/**
 * The comparison run against the code's own output: synthesize an environment, read its
 * CloudWatch alarms from the templates as DescribeAlarms would return them once deployed, and
 * compare with the catalog exactly as `vigil verify` does. No drift means the stacks deploy what
 * verify expects (names, numbers, metrics, rules, topic ARNs, descriptions), so a clean deploy
 * verifies clean; any drift here is a bug in one of the two.
 */
import { Stack } from 'aws-cdk-lib';
import { newApp } from '../support/app';
import { Template } from 'aws-cdk-lib/assertions';
import { configFor, ENVIRONMENT_NAMES } from '../../lib/config';
import { compareAlarms, hasDrift } from '../../lib/verify/compare';
import { catalogFor, topicArnFor } from '../../lib/verify/deps';
import { VigilStage } from '../../lib/vigil-stage';
import { alarmsOfTemplates } from './template-alarms';

const ACCOUNT = '123456789012';

describe.each(ENVIRONMENT_NAMES)('%s as synthesized', (env) => {
  const config = configFor(env);
  const app = newApp();
  const stage = new VigilStage(app, 'Stage', { config, env: { account: ACCOUNT, region: config.region } });
  const templates = stage.node.children.filter(Stack.isStack).map((stack) => Template.fromStack(stack).toJSON());
  const deployed = alarmsOfTemplates(templates, { partition: 'aws', region: config.region, accountId: ACCOUNT });

  test('the templates hold CloudWatch alarms, metric and composite', () => {
    expect(deployed.metricAlarms.length).toBeGreaterThan(20);
    expect(deployed.compositeAlarms.length).toBeGreaterThan(0);
  });

  test('verify finds no drift between the templates and the catalog', () => {
    const report = compareAlarms(catalogFor(env), deployed, topicArnFor(env));
    // The whole report on failure says which alarm and field disagree.
    expect({ missing: report.missing, unexpected: report.unexpected, changed: report.changed }).toEqual({ missing: [], unexpected: [], changed: [] });
    expect(hasDrift(report)).toBe(false);
    expect(report.expectedCount).toBe(deployed.metricAlarms.length + deployed.compositeAlarms.length);
  });

  test('a number edited in the template is caught, so the clean result above is not vacuous', () => {
    // GIVEN the first alarm's threshold raised by one in a copy of the templates
    const edited = structuredClone(templates);
    const monitoring = edited.find((t) => Object.values(t.Resources ?? {}).some((r) => (r as { Type: string }).Type === 'AWS::CloudWatch::Alarm'))!;
    const alarm = Object.values(monitoring.Resources as Record<string, { Type: string; Properties: { AlarmName: string; Threshold: number } }>).find(
      (r) => r.Type === 'AWS::CloudWatch::Alarm',
    )!;
    alarm.Properties.Threshold += 1;
    // WHEN compared  THEN exactly that alarm's threshold is reported
    const report = compareAlarms(catalogFor(env), alarmsOfTemplates(edited, { partition: 'aws', region: config.region, accountId: ACCOUNT }), topicArnFor(env));
    expect(report.changed).toEqual([
      { alarmName: alarm.Properties.AlarmName, field: 'threshold', expected: String(alarm.Properties.Threshold - 1), actual: String(alarm.Properties.Threshold) },
    ]);
  });

  test('an alarm pointed at another database instance in the template is caught (literal dimension values are compared)', () => {
    const edited = structuredClone(templates);
    type Dim = { Name: string; Value: unknown };
    const rdsAlarms = edited
      .flatMap((t) => Object.values((t.Resources ?? {}) as Record<string, { Type: string; Properties: { AlarmName: string; Dimensions?: Dim[] } }>))
      .filter((r) => r.Type === 'AWS::CloudWatch::Alarm' && (r.Properties.Dimensions ?? []).some((d) => d.Name === 'DBInstanceIdentifier'));
    expect(rdsAlarms.length).toBeGreaterThan(0);
    const alarm = rdsAlarms[0]!;
    const dimension = alarm.Properties.Dimensions!.find((d) => d.Name === 'DBInstanceIdentifier')!;
    const original = String(dimension.Value);
    dimension.Value = 'some-other-db';
    const report = compareAlarms(catalogFor(env), alarmsOfTemplates(edited, { partition: 'aws', region: config.region, accountId: ACCOUNT }), topicArnFor(env));
    expect(report.changed).toEqual([
      { alarmName: alarm.Properties.AlarmName, field: 'dimensions', expected: `DBInstanceIdentifier=${original}`, actual: 'DBInstanceIdentifier=some-other-db' },
    ]);
  });
});
