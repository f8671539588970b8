import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { SEVERITY_COLORS, type CloudWatchDashboardModel } from '../observability/cloudwatch-dashboard';
import type { MetricAlarmSpec } from '../observability/alarm-spec';
import { alarmMetricOf } from './catalog-alarms';

/**
 * A copy of a metric-math query whose metric ids carry a suffix. One graph may show the same
 * expression over several windows (the SLO pairs), and CloudWatch refuses two metrics sharing an id.
 */
function withDistinctIds(query: Pick<MetricAlarmSpec, 'alarmName' | 'metric' | 'expression'>, index: number): Pick<MetricAlarmSpec, 'alarmName' | 'metric' | 'expression'> {
  if (!query.expression) return query;
  let expression = query.expression.expression;
  const usingMetrics: Record<string, NonNullable<MetricAlarmSpec['metric']>> = {};
  for (const [id, metric] of Object.entries(query.expression.usingMetrics)) {
    const renamed = `${id}_${index}`;
    expression = expression.replace(new RegExp(`\\b${id}\\b`, 'g'), renamed);
    usingMetrics[renamed] = metric;
  }
  return { ...query, expression: { ...query.expression, expression, usingMetrics } };
}

/** Props of {@link CatalogDashboard}. */
export interface CatalogDashboardProps {
  /** Rendered by `renderCloudWatchDashboard` for this environment. */
  readonly model: CloudWatchDashboardModel;
}

/**
 * The environment's CloudWatch dashboard: a heading per component, then one graph per signal
 * with the alarm thresholds as horizontal annotations.
 */
export class CatalogDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: CatalogDashboardProps) {
    super(scope, id);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: props.model.dashboardName });
    for (const section of props.model.sections) {
      this.dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: `## ${section.component}`, width: 24, height: 1 }));
      this.dashboard.addWidgets(
        ...section.graphs.map(
          (graph) =>
            new cloudwatch.GraphWidget({
              title: graph.title,
              width: 8,
              height: 6,
              left: graph.series.map((series, i) => alarmMetricOf(i === 0 ? series.query : withDistinctIds(series.query, i), series.label)),
              leftAnnotations: graph.lines.map((line) => ({ value: line.value, label: line.label, color: SEVERITY_COLORS[line.severity] })),
            }),
        ),
      );
    }
  }
}
