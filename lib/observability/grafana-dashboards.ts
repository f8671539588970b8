/**
 * Grafana dashboards generated from the catalog (pure, typed code of ours rather than the
 * foundation SDK, whose subpath exports the repository's `node10` module resolution cannot load).
 *
 * Four dashboards: the service (RED by route, SLO and error budget), the Node runtime, PostgreSQL
 * and Redis as the app sees them, and the AWS resources through the CloudWatch datasource. A panel
 * that shows a catalog signal plots the signal's own expression and colours its thresholds with the
 * environment's numbers, so a line on a panel is exactly where the alert fires.
 */

import type { MetricAlarmSpec, MetricSpec, Severity } from './alarm-spec';
import { renderCloudWatchDashboard } from './cloudwatch-dashboard';
import { GRAFANA_DATASOURCE_UIDS } from './deploy/grafana-provisioning';
import { LOG_ROUTER_OPENSEARCH_SELECTOR } from './log-router';
import type { MonitoredResources } from './monitored-resources';
import { resolveTiers, type CatalogSettings, type ResolvedTier } from './settings';
import { SIGNALS, apiErrorRatio, type SignalId } from './signals';
import { BURN_RATE_POLICY, windowLabel } from './slo';
import { sloRecordName } from './prometheus-rules';
import { isMinimumKey, type ThresholdKey } from './thresholds';

/** The datasources panels read, by the UIDs Grafana is provisioned with. */
export const DATASOURCES = {
  prometheus: { type: 'prometheus', uid: GRAFANA_DATASOURCE_UIDS.prometheus },
  cloudwatch: { type: 'cloudwatch', uid: GRAFANA_DATASOURCE_UIDS.cloudwatch },
} as const;

/** A datasource reference. */
export type DatasourceRef = (typeof DATASOURCES)[keyof typeof DATASOURCES];

/** A PromQL query of a panel. */
export interface PrometheusTarget {
  readonly refId: string;
  readonly datasource: typeof DATASOURCES.prometheus;
  readonly expr: string;
  readonly legendFormat: string;
}

/** A CloudWatch query of a panel: one metric, or (with `expression`) metric math over hidden queries. */
export interface CloudWatchTarget {
  readonly refId: string;
  readonly datasource: typeof DATASOURCES.cloudwatch;
  readonly queryMode: 'Metrics';
  readonly region: 'default';
  readonly id: string;
  readonly hide: boolean;
  readonly metricQueryType: 0;
  readonly metricEditorMode: 0 | 1;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly statistic: string;
  readonly period: string;
  readonly matchExact: true;
  readonly expression: string;
  readonly label: string;
}

/** One threshold step: from `value` upwards the panel uses `color` (`null` is the base step). */
export interface ThresholdStep {
  readonly color: string;
  readonly value: number | null;
}

/** A panel. */
export interface Panel {
  readonly id: number;
  readonly type: 'timeseries' | 'stat' | 'row';
  readonly title: string;
  readonly description?: string;
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly datasource?: DatasourceRef;
  readonly targets?: readonly (PrometheusTarget | CloudWatchTarget)[];
  readonly fieldConfig?: {
    readonly defaults: {
      readonly unit: string;
      readonly thresholds: { readonly mode: 'absolute'; readonly steps: readonly ThresholdStep[] };
      readonly custom?: { readonly thresholdsStyle: { readonly mode: 'line' | 'off' } };
    };
    readonly overrides: readonly never[];
  };
  readonly collapsed?: boolean;
}

/** A dashboard template variable (CloudWatch dimension values). */
export interface DimensionVariable {
  readonly name: string;
  readonly type: 'query';
  readonly datasource: typeof DATASOURCES.cloudwatch;
  readonly query: {
    readonly queryType: 'DimensionValues';
    readonly region: 'default';
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensionKey: string;
    readonly refId: string;
  };
  readonly multi: boolean;
  readonly includeAll: boolean;
  readonly refresh: 1;
}

/** A dashboard as Grafana's file provisioning reads it. */
export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly tags: readonly string[];
  readonly schemaVersion: 39;
  readonly editable: false;
  readonly timezone: 'utc';
  readonly refresh: string;
  readonly time: { readonly from: string; readonly to: string };
  readonly templating: { readonly list: readonly DimensionVariable[] };
  readonly panels: readonly Panel[];
}

/** Grafana units for the catalog's threshold keys. */
const GRAFANA_UNITS: Readonly<Record<ThresholdKey, string>> = {
  maxPercent: 'percent',
  minPercent: 'percent',
  maxMilliseconds: 'ms',
  maxSeconds: 's',
  maxCount: 'short',
  minCount: 'short',
  maxPerMinute: 'short',
  maxMebibytes: 'mbytes',
  minMebibytes: 'mbytes',
  minGibibytes: 'gbytes',
};

const COLORS: Readonly<Record<Severity | 'ok', string>> = { ok: 'green', warning: 'orange', critical: 'red' };

/** Threshold steps from a signal's enabled tiers: above (max) or below (min) each number. */
export function thresholdSteps(tiers: readonly Pick<ResolvedTier, 'severity' | 'threshold' | 'thresholdKey'>[], scale = 1): ThresholdStep[] {
  if (tiers.length === 0) return [{ color: COLORS.ok, value: null }];
  const min = isMinimumKey(tiers[0]!.thresholdKey);
  const value = (severity: Severity) => {
    const tier = tiers.find((t) => t.severity === severity);
    return tier === undefined ? undefined : Number((tier.threshold * scale).toPrecision(12));
  };
  const warning = value('warning');
  const critical = value('critical');
  if (min) {
    // Colour the low end: red below critical, orange below warning, green above.
    const steps: ThresholdStep[] = [{ color: critical !== undefined ? COLORS.critical : COLORS.warning, value: null }];
    if (critical !== undefined && warning !== undefined) steps.push({ color: COLORS.warning, value: critical });
    steps.push({ color: COLORS.ok, value: warning ?? critical ?? null });
    return steps;
  }
  const steps: ThresholdStep[] = [{ color: COLORS.ok, value: null }];
  if (warning !== undefined) steps.push({ color: COLORS.warning, value: warning });
  if (critical !== undefined) steps.push({ color: COLORS.critical, value: critical });
  return steps;
}

/** Lays panels out two per row, 12 columns each, with full-width row headers. */
class Layout {
  private readonly panels: Panel[] = [];
  private y = 0;
  private x = 0;

  row(title: string): void {
    if (this.x !== 0) this.newLine();
    this.panels.push({ id: this.panels.length + 1, type: 'row', title, collapsed: false, gridPos: { x: 0, y: this.y, w: 24, h: 1 } });
    this.y += 1;
  }

  add(panel: Omit<Panel, 'id' | 'gridPos'>, width = 12): void {
    if (this.x + width > 24) this.newLine();
    this.panels.push({ ...panel, id: this.panels.length + 1, gridPos: { x: this.x, y: this.y, w: width, h: 8 } });
    this.x += width;
  }

  private newLine(): void {
    this.x = 0;
    this.y += 8;
  }

  build(): Panel[] {
    return this.panels;
  }
}

function promPanel(title: string, exprs: readonly (readonly [string, string])[], unit: string, steps: ThresholdStep[], type: 'timeseries' | 'stat' = 'timeseries', description?: string): Omit<Panel, 'id' | 'gridPos'> {
  return {
    type,
    title,
    description,
    datasource: DATASOURCES.prometheus,
    targets: exprs.map(([expr, legendFormat], i) => ({ refId: String.fromCharCode(65 + i), datasource: DATASOURCES.prometheus, expr, legendFormat })),
    fieldConfig: {
      defaults: { unit, thresholds: { mode: 'absolute', steps }, custom: type === 'timeseries' ? { thresholdsStyle: { mode: steps.length > 1 ? 'line' : 'off' } } : undefined },
      overrides: [],
    },
  };
}

/** A panel plotting a Prometheus signal's own expression with its thresholds. */
function signalPanel(tiers: readonly ResolvedTier[], signalId: SignalId, legend: string): Omit<Panel, 'id' | 'gridPos'> {
  const definition = SIGNALS[signalId];
  const source = definition.source;
  if (source.engine !== 'prometheus') throw new Error(`${signalId} is not a Prometheus signal`);
  const own = tiers.filter((t) => t.signalId === signalId);
  return promPanel(definition.title, [[source.expr, legend]], GRAFANA_UNITS[definition.thresholdKey], thresholdSteps(own), 'timeseries', definition.meaning);
}

function dashboard(envName: string, uid: string, title: string, panels: Panel[], variables: DimensionVariable[] = []): Dashboard {
  return {
    uid: `${uid}`,
    title: `${title} (${envName})`,
    tags: ['vigil', envName, 'generated'],
    schemaVersion: 39,
    editable: false,
    timezone: 'utc',
    refresh: '1m',
    time: { from: 'now-6h', to: 'now' },
    templating: { list: variables },
    panels,
  };
}

function serviceDashboard(envName: string, settings: CatalogSettings, tiers: readonly ResolvedTier[]): Dashboard {
  const layout = new Layout();
  layout.row('Requests, errors, duration by route');
  layout.add(promPanel('Requests by route', [['sum by (route) (rate(http_requests_total[5m]))', '{{route}}']], 'reqps', thresholdSteps([])));
  layout.add(promPanel('5xx by route', [['sum by (route) (rate(http_requests_total{status_code=~"5.."}[5m]))', '{{route}}']], 'reqps', thresholdSteps([])));
  layout.add(signalPanel(tiers, 'appErrorRatio', '5xx ratio'));
  layout.add(promPanel('In-flight requests', [['sum(http_requests_in_flight)', 'in flight']], 'short', thresholdSteps([])));
  layout.add(signalPanel(tiers, 'appLatencyP95', '{{route}}'));
  layout.add(signalPanel(tiers, 'appLatencyP99', '{{route}}'));

  const objective = settings.sloAvailabilityObjectivePercent;
  const budget = Number((1 - objective / 100).toPrecision(6));
  const ratio30d = apiErrorRatio('30d');
  layout.row(`SLO: ${objective} % of requests without a 5xx, 30 days`);
  layout.add(promPanel('Availability, 30 days', [[`(1 - ${ratio30d}) * 100`, 'availability']], 'percent', [{ color: COLORS.critical, value: null }, { color: COLORS.ok, value: objective }], 'stat'), 8);
  layout.add(
    promPanel('Error budget left, 30 days', [[`(1 - (${ratio30d}) / ${budget}) * 100`, 'budget left']], 'percent', [{ color: COLORS.critical, value: null }, { color: COLORS.warning, value: 0 }, { color: COLORS.ok, value: 25 }], 'stat'),
    8,
  );
  layout.add(promPanel('Objective', [[`vector(${objective})`, 'objective']], 'percent', thresholdSteps([]), 'stat'), 8);
  const burnTiers = (severity: Severity) => BURN_RATE_POLICY.filter((p) => p.severity === severity);
  for (const severity of ['critical', 'warning'] as const) {
    const pairs = burnTiers(severity);
    const windows = [...new Set(pairs.flatMap((p) => [p.longWindowMinutes, p.shortWindowMinutes]))];
    layout.add(
      promPanel(
        `Burn rate (${severity} windows)`,
        windows.map((m) => [`${sloRecordName(m)} / ${budget}`, windowLabel(m)] as const),
        'short',
        [{ color: COLORS.ok, value: null }, ...pairs.map((p) => ({ color: COLORS[severity], value: p.burnRate })).sort((a, b) => a.value - b.value)],
        'timeseries',
        `The ${severity} alert fires when both windows of a pair exceed its rate: ${pairs.map((p) => `${p.burnRate}x over ${windowLabel(p.longWindowMinutes)} and ${windowLabel(p.shortWindowMinutes)}`).join('; ')}.`,
      ),
    );
  }
  layout.row('Logs on the way to OpenSearch (the log router beside each task)');
  layout.add(signalPanel(tiers, 'logDeliveryFailures', 'batches lost/min'));
  layout.add(
    promPanel(
      'Log lines sent and flushes retried, per task',
      [
        [`rate(fluentbit_output_proc_records_total{${LOG_ROUTER_OPENSEARCH_SELECTOR}}[5m])`, 'sent {{instance}}'],
        [`rate(fluentbit_output_retries_total{${LOG_ROUTER_OPENSEARCH_SELECTOR}}[5m])`, 'retried {{instance}}'],
      ],
      'short',
      thresholdSteps([]),
    ),
  );
  return dashboard(envName, 'vigil-service', 'Vigil service', layout.build());
}

function runtimeDashboard(envName: string, tiers: readonly ResolvedTier[]): Dashboard {
  const layout = new Layout();
  layout.row('Node.js runtime');
  layout.add(signalPanel(tiers, 'appEventLoopLag', 'lag p99'));
  layout.add(signalPanel(tiers, 'appHeapUsed', 'heap used'));
  layout.add(promPanel('CPU seconds per second, per task', [['rate(process_cpu_seconds_total[5m])', '{{instance}}']], 'short', thresholdSteps([])));
  layout.add(
    promPanel(
      'Heap used and its limit, per task',
      [
        ['nodejs_heap_size_used_bytes', 'used {{instance}}'],
        ['nodejs_heap_size_limit_bytes', 'limit {{instance}}'],
      ],
      'bytes',
      thresholdSteps([]),
    ),
  );
  layout.row('Scraping and versions');
  layout.add(signalPanel(tiers, 'appScrapeTargetDown', 'down'));
  layout.add(promPanel('Tasks by version', [['count by (version) (app_build_info)', '{{version}}']], 'short', thresholdSteps([])));
  return dashboard(envName, 'vigil-runtime', 'Vigil Node runtime', layout.build());
}

function dataDashboard(envName: string, tiers: readonly ResolvedTier[]): Dashboard {
  const layout = new Layout();
  layout.row('PostgreSQL, as the app sees it');
  layout.add(signalPanel(tiers, 'appPgQueryP99', 'query p99'));
  layout.add(promPanel('Query p99 by operation', [['histogram_quantile(0.99, sum by (le, operation) (rate(pg_query_duration_seconds_bucket[5m]))) * 1000', '{{operation}}']], 'ms', thresholdSteps([])));
  layout.add(promPanel('Pool connections by state', [['sum by (state) (pg_pool_connections)', '{{state}}']], 'short', thresholdSteps([])));
  layout.add(signalPanel(tiers, 'appPgPoolWaiters', 'waiting'));
  layout.add(signalPanel(tiers, 'appCircuitBreakerOpen', '{{breaker}}'));
  layout.row('Redis, as the app sees it');
  layout.add(signalPanel(tiers, 'appCacheHitRatio', 'hit ratio'));
  layout.add(signalPanel(tiers, 'appCacheErrors', 'errors/min'));
  layout.add(promPanel('Command p99 by command', [['histogram_quantile(0.99, sum by (le, command) (rate(redis_command_duration_seconds_bucket[5m]))) * 1000', '{{command}}']], 'ms', thresholdSteps([])));
  layout.add(promPanel('Cache errors by operation', [['sum by (operation) (rate(cache_errors_total[5m])) * 60', '{{operation}}']], 'short', thresholdSteps([])));
  return dashboard(envName, 'vigil-data', 'Vigil PostgreSQL and Redis', layout.build());
}

/** Dashboard variables standing in for resource ids that are only known after deployment. */
const AWS_VARIABLES: readonly { readonly field: keyof MonitoredResources; readonly name: string; readonly namespace: string; readonly metricName: string; readonly dimensionKey: string; readonly multi?: boolean }[] = [
  { field: 'loadBalancerFullName', name: 'loadbalancer', namespace: 'AWS/ApplicationELB', metricName: 'RequestCount', dimensionKey: 'LoadBalancer' },
  { field: 'backendTargetGroupFullName', name: 'targetgroup', namespace: 'AWS/ApplicationELB', metricName: 'TargetResponseTime', dimensionKey: 'TargetGroup' },
  { field: 'clusterName', name: 'cluster', namespace: 'AWS/ECS', metricName: 'CPUUtilization', dimensionKey: 'ClusterName' },
  { field: 'backendServiceName', name: 'service', namespace: 'AWS/ECS', metricName: 'CPUUtilization', dimensionKey: 'ServiceName' },
  { field: 'prometheusServiceName', name: 'prometheus_service', namespace: 'ECS/ContainerInsights', metricName: 'RunningTaskCount', dimensionKey: 'ServiceName' },
  { field: 'grafanaServiceName', name: 'grafana_service', namespace: 'ECS/ContainerInsights', metricName: 'RunningTaskCount', dimensionKey: 'ServiceName' },
  { field: 'dbInstanceIdentifier', name: 'db', namespace: 'AWS/RDS', metricName: 'CPUUtilization', dimensionKey: 'DBInstanceIdentifier' },
  { field: 'redisCacheClusterIds', name: 'redis', namespace: 'AWS/ElastiCache', metricName: 'EngineCPUUtilization', dimensionKey: 'CacheClusterId', multi: true },
  { field: 'openSearchDomainName', name: 'domain', namespace: 'AWS/ES', metricName: 'CPUUtilization', dimensionKey: 'DomainName' },
  { field: 'accountId', name: 'client', namespace: 'AWS/ES', metricName: 'CPUUtilization', dimensionKey: 'ClientId' },
  { field: 'backendLogGroupName', name: 'loggroup', namespace: 'AWS/Logs', metricName: 'IncomingLogEvents', dimensionKey: 'LogGroupName' },
  { field: 'heartbeatTopicName', name: 'heartbeat', namespace: 'AWS/SNS', metricName: 'NumberOfMessagesPublished', dimensionKey: 'TopicName' },
];

/** MonitoredResources whose every id is a `$variable` of the AWS dashboard. */
function variableResources(region: string): MonitoredResources {
  const values = Object.fromEntries(AWS_VARIABLES.map((v) => [v.field, v.multi ? [`$${v.name}`] : `$${v.name}`]));
  return { ...values, region, redisReplicationGroupId: '$redis' } as unknown as MonitoredResources;
}

function cloudWatchTargets(query: Pick<MetricAlarmSpec, 'metric' | 'expression'>, refBase: number): CloudWatchTarget[] {
  const base = { datasource: DATASOURCES.cloudwatch, queryMode: 'Metrics', region: 'default', metricQueryType: 0, matchExact: true } as const;
  const metricTarget = (refId: string, id: string, metric: MetricSpec, hide: boolean): CloudWatchTarget => ({
    ...base,
    refId,
    id,
    hide,
    metricEditorMode: 0,
    namespace: metric.namespace,
    metricName: metric.metricName,
    dimensions: metric.dimensions,
    statistic: metric.statistic,
    period: String(metric.periodSeconds),
    expression: '',
    label: '',
  });
  if (query.metric) return [metricTarget(String.fromCharCode(65 + refBase), `m${refBase}`, query.metric, false)];
  const expression = query.expression!;
  const hidden = Object.entries(expression.usingMetrics).map(([id, metric], i) => metricTarget(String.fromCharCode(66 + refBase + i), id, metric, true));
  return [
    { ...base, refId: String.fromCharCode(65 + refBase), id: `e${refBase}`, hide: false, metricEditorMode: 1, namespace: '', metricName: '', dimensions: {}, statistic: '', period: String(expression.periodSeconds), expression: expression.expression, label: expression.label },
    ...hidden,
  ];
}

function awsDashboard(envName: string, settings: CatalogSettings, tiers: readonly ResolvedTier[], region: string): Dashboard {
  const model = renderCloudWatchDashboard(envName, settings, variableResources(region));
  const layout = new Layout();
  for (const section of model.sections) {
    // The SLO has its own row on the service dashboard, over Prometheus.
    if (section.component === 'slo') continue;
    layout.row(section.component);
    for (const graph of section.graphs) {
      if (!(graph.signalId in SIGNALS)) continue;
      const definition = SIGNALS[graph.signalId as SignalId];
      const source = definition.source;
      const scale = source.engine === 'cloudwatch' ? source.toMetricUnit : 1;
      layout.add({
        type: 'timeseries',
        title: graph.title,
        description: definition.meaning,
        datasource: DATASOURCES.cloudwatch,
        targets: graph.series.flatMap((series, i) => cloudWatchTargets(series.query, i * 4)),
        fieldConfig: {
          // The metric's own unit: thresholds are the alarm thresholds, converted like the alarms.
          defaults: { unit: 'short', thresholds: { mode: 'absolute', steps: thresholdSteps(tiers.filter((t) => t.signalId === graph.signalId), scale) }, custom: { thresholdsStyle: { mode: 'line' } } },
          overrides: [],
        },
      });
    }
  }
  const variables: DimensionVariable[] = AWS_VARIABLES.map((v) => ({
    name: v.name,
    type: 'query',
    datasource: DATASOURCES.cloudwatch,
    query: { queryType: 'DimensionValues', region: 'default', namespace: v.namespace, metricName: v.metricName, dimensionKey: v.dimensionKey, refId: v.name },
    multi: v.multi === true,
    includeAll: v.multi === true,
    refresh: 1,
  }));
  return dashboard(envName, 'vigil-aws', 'Vigil AWS resources', layout.build(), variables);
}

/** Every dashboard of one environment. Validates `settings` first. */
export function renderGrafanaDashboards(envName: string, settings: CatalogSettings, region: string): Dashboard[] {
  const tiers = resolveTiers(envName, settings);
  return [serviceDashboard(envName, settings, tiers), runtimeDashboard(envName, tiers), dataDashboard(envName, tiers), awsDashboard(envName, settings, tiers, region)];
}

/** The dashboards as provisioning files: `<uid>.json` → JSON text. */
export function renderGrafanaDashboardFiles(envName: string, settings: CatalogSettings, region: string): Record<string, string> {
  return Object.fromEntries(renderGrafanaDashboards(envName, settings, region).map((d) => [`${d.uid}.json`, `${JSON.stringify(d, null, 1)}\n`]));
}

/** Every PromQL expression of the dashboards (for the live metric-name check). */
export function dashboardPromQl(dashboards: readonly Dashboard[]): string[] {
  return dashboards.flatMap((d) => d.panels.flatMap((p) => (p.targets ?? []).flatMap((t) => ('expr' in t ? [t.expr] : []))));
}
