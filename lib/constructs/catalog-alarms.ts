import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { AlarmSpec, AlertTopic, CompositeAlarmSpec, MetricAlarmSpec, MetricSpec } from '../observability/alarm-spec';

/** A catalog metric as a CDK metric. */
function toCdkMetric(spec: MetricSpec, label?: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: spec.namespace,
    metricName: spec.metricName,
    dimensionsMap: { ...spec.dimensions },
    statistic: spec.statistic,
    period: Duration.seconds(spec.periodSeconds),
    label,
  });
}

/** The metric or metric-math expression of a metric alarm spec, as a CDK metric; `label` names a plain metric's line. */
export function alarmMetricOf(spec: Pick<MetricAlarmSpec, 'alarmName' | 'metric' | 'expression'>, label?: string): cloudwatch.IMetric {
  if (spec.metric) return toCdkMetric(spec.metric, label);
  if (spec.expression) {
    const usingMetrics: Record<string, cloudwatch.IMetric> = {};
    for (const [id, metric] of Object.entries(spec.expression.usingMetrics)) usingMetrics[id] = toCdkMetric(metric);
    return new cloudwatch.MathExpression({
      expression: spec.expression.expression,
      label: spec.expression.label,
      period: Duration.seconds(spec.expression.periodSeconds),
      usingMetrics,
    });
  }
  throw new Error(`alarm spec ${spec.alarmName} has neither a metric nor an expression`);
}

/** Props of {@link CatalogAlarms}. */
export interface CatalogAlarmsProps {
  /** Specs rendered by `renderAlarmSpecs` for this environment. */
  readonly specs: readonly AlarmSpec[];
  /** The SNS topic of each role; specs name roles, not topics. */
  readonly topics: Readonly<Record<AlertTopic, sns.ITopic>>;
}

/**
 * Turns the catalog's alarm specs into CloudWatch alarms: one `Alarm` per metric spec and one
 * `CompositeAlarm` per composite spec, with the spec's topics on ALARM and OK. Construct ids are
 * the alarm names without the environment prefix, so they stay stable across environments.
 */
export class CatalogAlarms extends Construct {
  /** Every alarm by its name. */
  public readonly alarms: ReadonlyMap<string, cloudwatch.AlarmBase>;

  constructor(scope: Construct, id: string, props: CatalogAlarmsProps) {
    super(scope, id);
    const alarms = new Map<string, cloudwatch.AlarmBase>();
    for (const spec of props.specs) if (spec.kind === 'metric') alarms.set(spec.alarmName, this.metricAlarm(spec, props.topics));
    for (const spec of props.specs) if (spec.kind === 'composite') alarms.set(spec.alarmName, this.compositeAlarm(spec, props.topics, alarms));
    this.alarms = alarms;
  }

  private metricAlarm(spec: MetricAlarmSpec, topics: CatalogAlarmsProps['topics']): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, constructIdOf(spec), {
      alarmName: spec.alarmName,
      alarmDescription: spec.description,
      metric: alarmMetricOf(spec),
      threshold: spec.threshold,
      comparisonOperator: spec.comparisonOperator as cloudwatch.ComparisonOperator,
      evaluationPeriods: spec.evaluationPeriods,
      datapointsToAlarm: spec.datapointsToAlarm,
      treatMissingData: spec.treatMissingData as cloudwatch.TreatMissingData,
    });
    addActions(alarm, spec, topics);
    return alarm;
  }

  private compositeAlarm(spec: CompositeAlarmSpec, topics: CatalogAlarmsProps['topics'], alarms: ReadonlyMap<string, cloudwatch.AlarmBase>): cloudwatch.CompositeAlarm {
    const composite = new cloudwatch.CompositeAlarm(this, constructIdOf(spec), {
      compositeAlarmName: spec.alarmName,
      alarmDescription: spec.description,
      alarmRule: cloudwatch.AlarmRule.fromString(spec.alarmRule),
    });
    // The rule names its inputs as strings, so CloudFormation must be told to create them first.
    for (const [name, alarm] of alarms) if (spec.alarmRule.includes(`ALARM("${name}")`)) composite.node.addDependency(alarm);
    addActions(composite, spec, topics);
    return composite;
  }
}

function constructIdOf(spec: AlarmSpec): string {
  return spec.alarmName.startsWith(`${spec.env}-`) ? spec.alarmName.slice(spec.env.length + 1) : spec.alarmName;
}

function addActions(alarm: cloudwatch.AlarmBase, spec: AlarmSpec, topics: CatalogAlarmsProps['topics']): void {
  for (const role of spec.alarmTopics) alarm.addAlarmAction(new actions.SnsAction(topics[role]));
  for (const role of spec.okTopics) alarm.addOkAction(new actions.SnsAction(topics[role]));
}
