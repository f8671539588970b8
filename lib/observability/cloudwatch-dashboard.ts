/**
 * The CloudWatch dashboard of one environment, as data (pure): a section per component, a graph
 * per CloudWatch signal, and on each graph one horizontal line per alarm severity, drawn from the
 * very thresholds the alarms use (the alarm specs themselves), so the picture and the pager agree.
 * A last section shows the SLO's burn-rate windows against their thresholds.
 */

import type { AlarmSpec, MetricAlarmSpec, Severity } from './alarm-spec';
import { renderAlarmSpecs } from './cloudwatch-alarms';
import type { MonitoredResources } from './monitored-resources';
import { alarmName, type CatalogSettings } from './settings';
import { BURN_RATE_POLICY, SLO_SIGNAL, burnThreshold, windowLabel } from './slo';
import { SIGNALS, type Component, type SignalId } from './signals';

/** A horizontal threshold line, in the metric's unit. */
export interface ThresholdLine {
  readonly severity: Severity;
  readonly value: number;
  readonly label: string;
}

/** One graph: the alarmed metric(s) of one signal and its threshold lines. */
export interface DashboardGraph {
  readonly signalId: SignalId | typeof SLO_SIGNAL.signalId;
  readonly title: string;
  /** One entry per alarmed resource (several for per-node Redis signals). */
  readonly series: readonly { readonly label?: string; readonly query: Pick<MetricAlarmSpec, 'alarmName' | 'metric' | 'expression'> }[];
  readonly lines: readonly ThresholdLine[];
}

/** The graphs of one component. */
export interface DashboardSection {
  readonly component: Component;
  readonly graphs: readonly DashboardGraph[];
}

/** The whole dashboard. */
export interface CloudWatchDashboardModel {
  readonly dashboardName: string;
  readonly sections: readonly DashboardSection[];
}

/** Line colours: red pages, orange opens a ticket. */
export const SEVERITY_COLORS: Readonly<Record<Severity, string>> = { critical: '#d62728', warning: '#ff7f0e' };

/**
 * The dashboard model for one environment, drawn from the alarm specs of the same settings. Pass
 * `allSpecs` when they are already rendered (the Monitoring stack does) so the catalog is
 * rendered and validated once; otherwise they are rendered here.
 */
export function renderCloudWatchDashboard(
  envName: string,
  settings: CatalogSettings,
  resources: MonitoredResources,
  allSpecs: readonly AlarmSpec[] = renderAlarmSpecs(envName, settings, resources),
): CloudWatchDashboardModel {
  const specs = allSpecs.filter((spec): spec is MetricAlarmSpec => spec.kind === 'metric' && spec.signalId in SIGNALS);
  const graphs = new Map<SignalId, { series: DashboardGraph['series'][number][]; lines: ThresholdLine[]; seenSeries: Set<string> }>();
  for (const spec of specs) {
    const signalId = spec.signalId as SignalId;
    const graph = graphs.get(signalId) ?? { series: [], lines: [], seenSeries: new Set<string>() };
    const key = JSON.stringify([spec.metric, spec.expression]);
    if (!graph.seenSeries.has(key)) {
      graph.seenSeries.add(key);
      graph.series.push({ label: spec.metric?.dimensions.CacheClusterId, query: spec });
    }
    if (!graph.lines.some((line) => line.severity === spec.severity)) {
      graph.lines.push({ severity: spec.severity, value: spec.threshold, label: `${spec.severity} ${spec.comparisonOperator === 'LessThanThreshold' ? '<' : '>'} ${spec.threshold}` });
    }
    graphs.set(signalId, graph);
  }
  const sections = new Map<Component, DashboardGraph[]>();
  for (const [signalId, graph] of graphs) {
    const component = SIGNALS[signalId].component;
    const list = sections.get(component) ?? [];
    list.push({ signalId, title: SIGNALS[signalId].title, series: graph.series, lines: graph.lines });
    sections.set(component, list);
  }
  sections.set('slo', sloGraphs(envName, settings, allSpecs));
  return { dashboardName: `${envName}-vigil`, sections: [...sections].map(([component, list]) => ({ component, graphs: list })) };
}

/** One graph per burn-rate pair: the long and short window error ratios and the line both must cross. */
function sloGraphs(envName: string, settings: CatalogSettings, specs: readonly AlarmSpec[]): DashboardGraph[] {
  const byName = new Map(specs.filter((s): s is MetricAlarmSpec => s.kind === 'metric').map((s) => [s.alarmName, s]));
  return BURN_RATE_POLICY.map((pair) => {
    const windows = [pair.longWindowMinutes, pair.shortWindowMinutes];
    const series = windows.map((minutes) => {
      const name = alarmName(envName, SLO_SIGNAL, pair.severity, `burn-${windowLabel(minutes)}`);
      const spec = byName.get(name);
      if (spec === undefined) throw new Error(`SLO window alarm ${name} was not rendered`);
      return { label: `error ratio ${windowLabel(minutes)}`, query: spec };
    });
    const value = burnThreshold(pair, settings.sloAvailabilityObjectivePercent);
    return {
      signalId: SLO_SIGNAL.signalId,
      title: `SLO burn ${pair.burnRate}x: ${windows.map(windowLabel).join(' and ')} (${pair.severity})`,
      series,
      lines: [{ severity: pair.severity, value, label: `${pair.severity} > ${value}` }],
    };
  });
}
