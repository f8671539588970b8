/**
 * Turns the CloudWatch alarms of a synthesized CloudFormation template into what DescribeAlarms
 * would return once the template is deployed, so `compareAlarms` can be run against the code's
 * own output. Intrinsics are resolved the way CloudFormation would where the value is knowable
 * (pseudo parameters, topic and alarm ARNs from literal names, joins) and to a visible
 * placeholder where it is not (ids of other resources, which verify does not compare).
 */
import type { CompositeAlarm, MetricAlarm, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { DeployedAlarms } from '../../lib/verify/compare';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, Json>;
}
/** The parts of a CloudFormation template this converter reads. */
export interface CfnTemplate {
  readonly Resources?: Record<string, Resource>;
}

/** Where the template is deployed; stands in for the pseudo parameters. */
export interface DeployTarget {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

/** DescribeAlarms' view of every AWS::CloudWatch::Alarm and CompositeAlarm in `templates`. */
export function alarmsOfTemplates(templates: readonly CfnTemplate[], target: DeployTarget): DeployedAlarms {
  const resources: Record<string, Resource> = Object.assign({}, ...templates.map((t) => t.Resources ?? {}));
  const resolver = new Resolver(resources, target);
  const metricAlarms: MetricAlarm[] = [];
  const compositeAlarms: CompositeAlarm[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    const p = resource.Properties ?? {};
    if (resource.Type === 'AWS::CloudWatch::Alarm') metricAlarms.push(resolver.metricAlarm(logicalId, p));
    if (resource.Type === 'AWS::CloudWatch::CompositeAlarm') compositeAlarms.push(resolver.compositeAlarm(logicalId, p));
  }
  return { metricAlarms, compositeAlarms };
}

class Resolver {
  constructor(
    private readonly resources: Record<string, Resource>,
    private readonly target: DeployTarget,
  ) {}

  metricAlarm(logicalId: string, p: Record<string, Json>): MetricAlarm {
    const name = this.alarmName(logicalId);
    const metrics = p.Metrics as Record<string, Json>[] | undefined;
    return {
      ...this.common(name, p),
      Threshold: this.number(p.Threshold),
      ComparisonOperator: this.string(p.ComparisonOperator) as MetricAlarm['ComparisonOperator'],
      EvaluationPeriods: this.number(p.EvaluationPeriods),
      DatapointsToAlarm: p.DatapointsToAlarm === undefined ? undefined : this.number(p.DatapointsToAlarm),
      TreatMissingData: p.TreatMissingData === undefined ? undefined : this.string(p.TreatMissingData),
      Namespace: p.Namespace === undefined ? undefined : this.string(p.Namespace),
      MetricName: p.MetricName === undefined ? undefined : this.string(p.MetricName),
      Statistic: p.Statistic === undefined ? undefined : (this.string(p.Statistic) as MetricAlarm['Statistic']),
      ExtendedStatistic: p.ExtendedStatistic === undefined ? undefined : this.string(p.ExtendedStatistic),
      Period: p.Period === undefined ? undefined : this.number(p.Period),
      Dimensions: this.dimensions(p.Dimensions),
      Metrics: metrics?.map((q) => this.query(q)),
      StateValue: 'INSUFFICIENT_DATA',
    };
  }

  compositeAlarm(logicalId: string, p: Record<string, Json>): CompositeAlarm {
    const name = this.alarmName(logicalId);
    return { ...this.common(name, p), AlarmRule: this.string(p.AlarmRule), StateValue: 'INSUFFICIENT_DATA' };
  }

  private common(name: string, p: Record<string, Json>) {
    return {
      AlarmName: name,
      AlarmArn: this.alarmArn(name),
      AlarmDescription: p.AlarmDescription === undefined ? undefined : this.string(p.AlarmDescription),
      // CloudFormation's default, like the API's.
      ActionsEnabled: p.ActionsEnabled === undefined ? true : Boolean(this.value(p.ActionsEnabled)),
      AlarmActions: this.strings(p.AlarmActions),
      OKActions: this.strings(p.OKActions),
      InsufficientDataActions: this.strings(p.InsufficientDataActions),
    };
  }

  private query(q: Record<string, Json>): MetricDataQuery {
    const stat = q.MetricStat as Record<string, Json> | undefined;
    const metric = stat?.Metric as Record<string, Json> | undefined;
    return {
      Id: this.string(q.Id),
      Expression: q.Expression === undefined ? undefined : this.string(q.Expression),
      Label: q.Label === undefined ? undefined : this.string(q.Label),
      ReturnData: q.ReturnData === undefined ? undefined : Boolean(q.ReturnData),
      Period: q.Period === undefined ? undefined : this.number(q.Period),
      MetricStat:
        stat && metric
          ? {
              Metric: { Namespace: this.string(metric.Namespace), MetricName: this.string(metric.MetricName), Dimensions: this.dimensions(metric.Dimensions) },
              Period: this.number(stat.Period),
              Stat: this.string(stat.Stat),
            }
          : undefined,
    };
  }

  private dimensions(value: Json | undefined) {
    const list = (value ?? []) as Record<string, Json>[];
    return list.map((d) => ({ Name: this.string(d.Name), Value: this.string(d.Value) }));
  }

  /** An alarm without AlarmName would get a generated one; the catalog always names its alarms. */
  private alarmName(logicalId: string): string {
    const name = this.resources[logicalId]?.Properties?.AlarmName;
    return name === undefined ? `<generated name of ${logicalId}>` : this.string(name);
  }

  private alarmArn(name: string): string {
    const { partition, region, accountId } = this.target;
    return `arn:${partition}:cloudwatch:${region}:${accountId}:alarm:${name}`;
  }

  private strings(value: Json | undefined): string[] {
    return ((value ?? []) as Json[]).map((v) => this.string(v));
  }

  private number(value: Json | undefined): number {
    return Number(this.value(value));
  }

  private string(value: Json | undefined): string {
    return String(this.value(value));
  }

  /** Resolves one value: literals as they are, intrinsics as CloudFormation would. */
  private value(value: Json | undefined): Json {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value ?? null;
    const [fn, arg] = Object.entries(value)[0] ?? [];
    switch (fn) {
      case 'Ref':
        return this.ref(String(arg));
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, Json[]];
        return parts.map((part) => this.string(part)).join(separator);
      }
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = (typeof arg === 'string' ? arg.split('.') : arg) as [string, string];
        const resource = this.resources[logicalId];
        if (attribute === 'Arn' && resource?.Type.startsWith('AWS::CloudWatch::')) return this.alarmArn(this.alarmName(logicalId));
        if (attribute === 'TopicName' && resource?.Type === 'AWS::SNS::Topic' && resource.Properties?.TopicName !== undefined) {
          return this.string(resource.Properties.TopicName);
        }
        return `<${logicalId}.${attribute}>`;
      }
      default:
        return `<${fn} ${JSON.stringify(arg)}>`;
    }
  }

  private ref(name: string): string {
    const { partition, region, accountId } = this.target;
    const pseudo: Record<string, string> = {
      'AWS::Partition': partition,
      'AWS::Region': region,
      'AWS::AccountId': accountId,
      'AWS::URLSuffix': 'amazonaws.com',
    };
    if (pseudo[name]) return pseudo[name];
    const resource = this.resources[name];
    if (resource?.Type === 'AWS::SNS::Topic') {
      // Ref of a topic is its ARN; CloudFormation generates the name when the template gives none.
      const topicName = resource.Properties?.TopicName;
      return `arn:${partition}:sns:${region}:${accountId}:${topicName === undefined ? `<generated name of ${name}>` : this.string(topicName)}`;
    }
    if (resource?.Type.startsWith('AWS::CloudWatch::')) return this.alarmName(name);
    return `<${name}>`;
  }
}
