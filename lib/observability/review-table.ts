/**
 * The review table (`npm run alarms -- <env>`): one row per signal with its source, warning and
 * critical numbers, evaluation and runbook, so a reviewer can diff staging and production (or a
 * change to either) at a glance. Pure: settings in, text out.
 */

import { thresholdInWords } from './cloudwatch-alarms';
import type { MonitoredResources } from './monitored-resources';
import { metricNamesIn } from './promql-metrics';
import { disabledEntries, resolveTiers, runbookAnchor, type CatalogSettings, type ResolvedTier } from './settings';
import { SIGNALS, SIGNAL_IDS, type SignalDefinition, type SignalId } from './signals';
import { BURN_RATE_POLICY, SLO_SIGNAL, burnThreshold, windowLabel } from './slo';
import type { Severity } from './alarm-spec';

/** Where a signal's numbers come from, in a few words. */
export function sourceOf(definition: SignalDefinition): string {
  const source = definition.source;
  if (source.engine === 'prometheus') return `prometheus: ${metricNamesIn(source.expr).join(', ')}`;
  const example = source.query(PLACEHOLDER_RESOURCES, source.perRedisNode ? 'node' : undefined);
  const perNode = source.perRedisNode ? ' (per node)' : '';
  if ('metric' in example) return `cloudwatch: ${example.metric.namespace} ${example.metric.metricName} ${example.metric.statistic}${perNode}`;
  const metrics = Object.values(example.usingMetrics).map((m) => m.metricName);
  return `cloudwatch math: ${Object.values(example.usingMetrics)[0]?.namespace ?? ''} ${metrics.join(', ')} (${example.label})${perNode}`;
}

/** Resource names do not show in the table; the queries only need something to fill dimensions. */
const PLACEHOLDER_RESOURCES: MonitoredResources = {
  accountId: '-',
  region: '-',
  loadBalancerFullName: '-',
  backendTargetGroupFullName: '-',
  clusterName: '-',
  backendServiceName: '-',
  prometheusServiceName: '-',
  grafanaServiceName: '-',
  dbInstanceIdentifier: '-',
  redisReplicationGroupId: '-',
  redisCacheClusterIds: ['-'],
  openSearchDomainName: '-',
  backendLogGroupName: '-',
  heartbeatTopicName: '-',
};

function evaluationOf(tier: ResolvedTier): string {
  return tier.definition.source.engine === 'prometheus'
    ? `for ${tier.forMinutes}m`
    : `${tier.datapointsToAlarm}/${tier.evaluationPeriods} x ${tier.periodSeconds}s`;
}

function cell(tiers: readonly ResolvedTier[], off: ReadonlyMap<string, string>, signalId: SignalId, severity: Severity): string {
  const tier = tiers.find((t) => t.signalId === signalId && t.severity === severity);
  if (tier) return `${thresholdInWords(tier)} (${evaluationOf(tier)})`;
  return `off: ${off.get(`${signalId}/${severity}`) ?? off.get(`${signalId}/all`) ?? '?'}`;
}

/** Left-aligned columns separated by two spaces, trailing blanks trimmed; `rows[0]` sets the column count. */
export function formatColumns(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length))) ?? [];
  return rows.map((row) => row.map((c, col) => c.padEnd(widths[col] ?? 0)).join('  ').trimEnd()).join('\n');
}

/** The table for one environment, followed by a one-line count of alarms and rules. */
export function renderReviewTable(envName: string, settings: CatalogSettings): string {
  const tiers = resolveTiers(envName, settings);
  const off = new Map(disabledEntries(settings).map((d) => [`${d.signalId}/${d.severity}`, d.reason]));
  const rows: string[][] = [['SIGNAL', 'COMPONENT', 'SOURCE', 'WARNING', 'CRITICAL', 'RUNBOOK']];
  for (const signalId of SIGNAL_IDS) {
    const definition: SignalDefinition = SIGNALS[signalId];
    rows.push([
      signalId,
      definition.component,
      sourceOf(definition),
      cell(tiers, off, signalId, 'warning'),
      cell(tiers, off, signalId, 'critical'),
      `#${runbookAnchor(definition)}`,
    ]);
  }
  const slo = (severity: Severity) =>
    BURN_RATE_POLICY.filter((p) => p.severity === severity)
      .map((p) => `${windowLabel(p.longWindowMinutes)}&${windowLabel(p.shortWindowMinutes)} > ${burnThreshold(p, settings.sloAvailabilityObjectivePercent)}`)
      .join(' or ');
  rows.push([SLO_SIGNAL.signalId, SLO_SIGNAL.component, `both: error ratio, objective ${settings.sloAvailabilityObjectivePercent} %`, slo('warning'), slo('critical'), `#${runbookAnchor(SLO_SIGNAL)}`]);
  const cloudwatch = tiers.filter((t) => t.definition.source.engine === 'cloudwatch').length;
  const prometheus = tiers.length - cloudwatch;
  return `Vigil alarms for ${envName} (runbooks: ${settings.runbookBaseUrl})\n\n${formatColumns(rows)}\n\n${tiers.length} enabled signal x severity tiers: ${cloudwatch} CloudWatch, ${prometheus} Prometheus; plus the SLO burn-rate alerts in both engines and the Prometheus watchdog.\n`;
}
