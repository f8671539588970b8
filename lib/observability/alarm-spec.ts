/**
 * The plain-data form of one CloudWatch alarm, rendered from the signal catalog without CDK.
 *
 * Three consumers read the same specs, so no alarm is defined twice:
 * the Monitoring stack turns each into a `cloudwatch.Alarm` / `CompositeAlarm`,
 * the review table (`npm run alarms`) prints them, and `vigil verify` compares them with
 * what DescribeAlarms returns from the account.
 */

/** CloudWatch comparison operators, as the API spells them. */
export type ComparisonOperator =
  | 'GreaterThanOrEqualToThreshold'
  | 'GreaterThanThreshold'
  | 'LessThanThreshold'
  | 'LessThanOrEqualToThreshold'
  | 'LessThanLowerOrGreaterThanUpperThreshold'
  | 'GreaterThanUpperThreshold'
  | 'LessThanLowerThreshold';

/** How an alarm treats missing data points, as the API spells it. */
export type TreatMissingData = 'breaching' | 'notBreaching' | 'ignore' | 'missing';

/** Alarm severity tiers; critical pages, warning opens a ticket. */
export type Severity = 'warning' | 'critical';

/** The SNS topics alarms notify, by role; resolved to ARNs per environment. */
export type AlertTopic = 'critical' | 'warning';

/** One metric in a metric alarm: a plain metric, or one term of metric math. */
export interface MetricSpec {
  readonly namespace: string;
  readonly metricName: string;
  /** Dimension name → value; values may be CDK tokens at synth, resolved strings when verified. */
  readonly dimensions: Readonly<Record<string, string>>;
  /** CloudWatch statistic (`Average`, `Sum`, `Maximum`, `p99`, ...). */
  readonly statistic: string;
  readonly periodSeconds: number;
}

/** A metric alarm over one metric or a metric-math expression. */
export interface MetricAlarmSpec {
  readonly kind: 'metric';
  /** `<env>-<component>-<signal>-<severity>`. */
  readonly alarmName: string;
  readonly env: string;
  readonly component: string;
  readonly signalId: string;
  readonly severity: Severity;
  /** Says the threshold in words and ends with the runbook link. */
  readonly description: string;
  readonly runbookUrl: string;
  /** Either one metric, or an expression over named metrics (`id` → metric). */
  readonly metric?: MetricSpec;
  readonly expression?: { readonly expression: string; readonly label: string; readonly periodSeconds: number; readonly usingMetrics: Readonly<Record<string, MetricSpec>> };
  readonly threshold: number;
  readonly comparisonOperator: ComparisonOperator;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: TreatMissingData;
  /** Topic roles notified on ALARM and on OK. */
  readonly alarmTopics: readonly AlertTopic[];
  readonly okTopics: readonly AlertTopic[];
}

/** A composite alarm (for example the SLO burn-rate pairs). */
export interface CompositeAlarmSpec {
  readonly kind: 'composite';
  readonly alarmName: string;
  readonly env: string;
  readonly component: string;
  readonly signalId: string;
  readonly severity: Severity;
  readonly description: string;
  readonly runbookUrl: string;
  /** CloudWatch alarm rule over other alarms' names, e.g. `ALARM("a") AND ALARM("b")`. */
  readonly alarmRule: string;
  readonly alarmTopics: readonly AlertTopic[];
  readonly okTopics: readonly AlertTopic[];
}

export type AlarmSpec = MetricAlarmSpec | CompositeAlarmSpec;
