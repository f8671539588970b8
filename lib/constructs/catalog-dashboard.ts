import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { SEVERITY_COLORS, type CloudWatchDashboardModel } from '../observability/cloudwatch-dashboard';
import { alarmMetricOf } from './catalog-alarms';

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
              left: graph.series.map((series) => alarmMetricOf(series.query, series.label)),
              leftAnnotations: graph.lines.map((line) => ({ value: line.value, label: line.label, color: SEVERITY_COLORS[line.severity] })),
            }),
        ),
      );
    }
  }
}
