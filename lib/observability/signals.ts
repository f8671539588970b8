/**
 * The signal catalog: every signal Vigil alarms on, defined once.
 *
 * A signal says what it watches (a CloudWatch metric or metric math over the deployed resources, or
 * PromQL over the app's own prom-client metrics), the unit and direction of its threshold (the
 * `thresholdKey`), how it is evaluated where it differs from {@link ALARM_DEFAULTS}, and its runbook
 * text. Environments only supply numbers (see `CatalogThresholds`). The renderers in this folder turn
 * the catalog into CloudWatch alarms and dashboards, Prometheus rules, Grafana dashboards, the review
 * table and docs/runbooks.md.
 */

import type { MetricSpec } from './alarm-spec';
import { LOG_ROUTER_JOB, LOG_ROUTER_OPENSEARCH_SELECTOR } from './log-router';
import { BACKEND_JOB } from './scrape-jobs';
import type { MonitoredResources } from './monitored-resources';
import type { AlarmDefaults, ThresholdKey } from './thresholds';

/** The component a signal belongs to; it names alarm groups, rule groups and dashboard sections. */
export type Component = 'api' | 'backend' | 'app' | 'rds' | 'redis' | 'opensearch' | 'platform' | 'slo';

/** A CloudWatch metric without its period (the period comes from the signal's evaluation). */
export type CloudWatchMetric = Omit<MetricSpec, 'periodSeconds'>;

/** What a CloudWatch signal alarms on: one metric, or metric math over named metrics. */
export type CloudWatchQuery =
  | { readonly metric: CloudWatchMetric }
  | { readonly expression: string; readonly label: string; readonly usingMetrics: Readonly<Record<string, CloudWatchMetric>> };

/** A signal evaluated by CloudWatch over the deployed AWS resources. */
export interface CloudWatchSource {
  readonly engine: 'cloudwatch';
  /**
   * Builds the query. `node` is the cache cluster id when `perRedisNode` is set (one alarm per
   * replication-group member), otherwise undefined.
   */
  readonly query: (resources: MonitoredResources, node: string | undefined) => CloudWatchQuery;
  /** One alarm per member of the Redis replication group. */
  readonly perRedisNode?: boolean;
  /** Multiplier from the config's unit to the metric's unit (ms → s is 0.001, GiB → bytes 2^30). */
  readonly toMetricUnit: number;
}

/**
 * One input series of a generated `promtool test rules` case: a value that starts at `start` and
 * grows by `perMinute` each minute (counters), or stays at `start` (gauges). The generator decides
 * how many minutes the series lasts, so it always outlasts the longest `for`.
 */
export interface PromTestSeries {
  readonly series: string;
  readonly start: number;
  readonly perMinute?: number;
}

/** A signal evaluated by Prometheus over the app's metrics. */
export interface PrometheusSource {
  readonly engine: 'prometheus';
  /** PromQL whose value is in the threshold key's unit; the renderer appends the comparison. */
  readonly expr: string;
  /**
   * For a quantile of a histogram: the metric and its bucket bounds (`le`, in seconds), as the app
   * defines them (app/src/observability/metrics.ts; the live-app test compares a scrape).
   * histogram_quantile interpolates linearly inside a bucket, so a threshold between two bounds
   * reads anything between them: a 1.1 s tail in the 1-2.5 s bucket read 2.1 s and crossed 2000 ms.
   * Thresholds must be bounds (settings.ts refuses others).
   */
  readonly histogram?: { readonly metric: string; readonly bucketsSeconds: readonly number[] };
  /**
   * Inputs for the generated `promtool test rules`: `firing` must breach every enabled tier of
   * every environment, `quiet` none of them. `firingLabels` are the labels the expression keeps.
   */
  readonly test: {
    readonly firing: readonly PromTestSeries[];
    readonly quiet: readonly PromTestSeries[];
    readonly firingLabels?: Readonly<Record<string, string>>;
  };
}

/** One signal of the catalog; `K` is its threshold key, which fixes the config's shape for it. */
export interface SignalDefinition<K extends ThresholdKey = ThresholdKey> {
  readonly component: Component;
  /** Kebab-case name inside the component; alarm names are `<env>-<component>-<slug>-<severity>`. */
  readonly slug: string;
  /** Short title for dashboards and the review table. */
  readonly title: string;
  /** What the signal means when it fires, for runbooks and alarm descriptions. */
  readonly meaning: string;
  /** The first three things an on-call engineer checks. */
  readonly checks: readonly [string, string, string];
  /** The dashboard to open first. */
  readonly dashboard: string;
  readonly thresholdKey: K;
  readonly source: CloudWatchSource | PrometheusSource;
  /** Evaluation that differs from ALARM_DEFAULTS for this signal. */
  readonly evaluation?: Partial<AlarmDefaults>;
}

/** Keeps the literal threshold key of each definition, so config types can be derived from it. */
function signal<K extends ThresholdKey>(definition: SignalDefinition<K>): SignalDefinition<K> {
  return definition;
}

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

/**
 * The share of the backend's requests the ALB answered with a 5xx, as CloudWatch metric math over
 * `requests` (RequestCount), `target5xx` and `elb5xx` (all Sum, with `extra` such as a period),
 * times `scale` (100 for percent): the catalog's 5xx signal and the SLO alarms use the same one.
 *
 * RequestCount and HTTPCode_Target_5XX_Count are the backend target group's: the ALB's listener
 * also routes Grafana's requests (`/grafana`) to Grafana's own target group, and at the load
 * balancer's level those count too, so a busy dashboard diluted the ratio and Grafana's own 5xx
 * (a failing datasource query answers 502) fired the API's alarm. HTTPCode_ELB_5XX_Count exists
 * only per load balancer (AWS, CloudWatch metrics for your Application Load Balancer: dimensions
 * LoadBalancer, and AvailabilityZone with LoadBalancer), so the ALB's own 5xx stay load-balancer
 * wide; Grafana's share of them is a 503 while Grafana has no healthy task (which its own running
 * signal reports) or a 502 or 504 from it.
 *
 * RequestCount "is only incremented for requests where the load balancer node was able to choose
 * a target" (same page), so the ALB's own 503s when no target is registered are not in it:
 * dividing by it alone gave 0 % (no requests) in a total outage. Those 5xx are added to the
 * denominator, so that case reads 100 %; a 502 or 504 after a target was chosen is then counted
 * twice below the line, which only lowers the ratio slightly while targets still answer.
 */
export function albFiveXxRatio<M extends CloudWatchMetric>(
  scale: 1 | 100,
  resources: MonitoredResources,
  extra: Omit<M, keyof CloudWatchMetric>,
): { expression: string; usingMetrics: { requests: M; target5xx: M; elb5xx: M } } {
  const metric = (metricName: string, dimensions: Record<string, string>) =>
    ({ namespace: 'AWS/ApplicationELB', metricName, dimensions, statistic: 'Sum', ...extra }) as M;
  const all = '(FILL(requests, 0) + FILL(elb5xx, 0))';
  return {
    expression: `IF(${all} > 0, ${scale === 100 ? '100 * ' : ''}(FILL(target5xx, 0) + FILL(elb5xx, 0)) / ${all}, 0)`,
    usingMetrics: {
      requests: metric('RequestCount', targetGroupDimensions(resources)),
      target5xx: metric('HTTPCode_Target_5XX_Count', targetGroupDimensions(resources)),
      elb5xx: metric('HTTPCode_ELB_5XX_Count', albDimensions(resources)),
    },
  };
}

function albDimensions(r: MonitoredResources): Record<string, string> {
  return { LoadBalancer: r.loadBalancerFullName };
}
function targetGroupDimensions(r: MonitoredResources): Record<string, string> {
  return { LoadBalancer: r.loadBalancerFullName, TargetGroup: r.backendTargetGroupFullName };
}
function ecsMetric(r: MonitoredResources, metricName: string, serviceName: string, statistic = 'Average'): CloudWatchMetric {
  return { namespace: 'AWS/ECS', metricName, dimensions: { ClusterName: r.clusterName, ServiceName: serviceName }, statistic };
}
function containerInsights(r: MonitoredResources, metricName: string, serviceName: string): CloudWatchMetric {
  return {
    namespace: 'ECS/ContainerInsights',
    metricName,
    dimensions: { ClusterName: r.clusterName, ServiceName: serviceName },
    statistic: 'Average',
  };
}
function rdsMetric(r: MonitoredResources, metricName: string, statistic = 'Average'): CloudWatchMetric {
  return { namespace: 'AWS/RDS', metricName, dimensions: { DBInstanceIdentifier: r.dbInstanceIdentifier }, statistic };
}
function redisMetric(node: string | undefined, metricName: string, statistic = 'Average'): CloudWatchMetric {
  if (node === undefined) throw new Error(`Redis metric ${metricName} needs a cache cluster id (perRedisNode)`);
  return { namespace: 'AWS/ElastiCache', metricName, dimensions: { CacheClusterId: node, CacheNodeId: '0001' }, statistic };
}
function openSearchMetric(r: MonitoredResources, metricName: string, statistic = 'Maximum'): CloudWatchMetric {
  return {
    namespace: 'AWS/ES',
    metricName,
    dimensions: { DomainName: r.openSearchDomainName, ClientId: r.accountId },
    statistic,
  };
}

/** Histogram series in promtool notation: `slowCount` per minute above 0.05 s, `fastCount` below. */
function histogramSeries(metric: string, labels: string, fastPerMinute: number, slowPerMinute: number): PromTestSeries[] {
  const sep = labels === '' ? '' : ',';
  const all = fastPerMinute + slowPerMinute;
  return [
    { series: `${metric}_bucket{${labels}${sep}le="0.05"}`, start: 0, perMinute: fastPerMinute },
    { series: `${metric}_bucket{${labels}${sep}le="5"}`, start: 0, perMinute: all },
    { series: `${metric}_bucket{${labels}${sep}le="+Inf"}`, start: 0, perMinute: all },
  ];
}

const ROUTE_LABELS = 'method="GET",route="/v1/items",status_code="200"';

/** `le` bounds of `http_request_duration_seconds` (app/src/observability/metrics.ts, HTTP_BUCKETS). */
export const HTTP_DURATION_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 2.5, 3, 5, 10] as const;
/** `le` bounds of `pg_query_duration_seconds` (metrics.ts, DEPENDENCY_BUCKETS). */
export const PG_QUERY_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as const;

/** The app's health-check routes (app/src/routes/health.ts; the live-app test finds them in a scrape). */
export const HEALTH_CHECK_ROUTES = ['/healthz', '/readyz'] as const;
/**
 * Label matcher for the requests the API serves, without the load balancer's health checks: the
 * ALB probes `/readyz` on every task from each of its nodes, dozens of times a minute, and it
 * answers 503 while Redis is down although reads still succeed from PostgreSQL. Counted, those
 * probes alone put the 5xx ratio over its thresholds and burned the SLO.
 */
export const API_REQUESTS = `route!~"${HEALTH_CHECK_ROUTES.join('|')}"`;

/**
 * PromQL: the API requests' 5xx share (0..1) over `window`, as the error-rate signal, the SLO
 * windows and the 30-day dashboard panel read it. A window without any 5xx has no 5xx series: it
 * counts as zero errors, not as no data.
 */
export function apiErrorRatio(window: string): string {
  return `(sum(rate(http_requests_total{${API_REQUESTS},status_code=~"5.."}[${window}])) or vector(0)) / sum(rate(http_requests_total{${API_REQUESTS}}[${window}]))`;
}

/** Test inputs for a gauge held at `firing` (breaching) or at `quiet` (healthy). */
function gaugeTest(series: string, firing: number, quiet: number): PrometheusSource['test'] {
  return { firing: [{ series, start: firing }], quiet: [{ series, start: quiet }] };
}

/** Test inputs for a counter growing by `firingPerMinute` (breaching) or `quietPerMinute` (healthy). */
function counterTest(series: string, firingPerMinute: number, quietPerMinute: number): PrometheusSource['test'] {
  return {
    firing: [{ series, start: 0, perMinute: firingPerMinute }],
    quiet: [{ series, start: 0, perMinute: quietPerMinute }],
  };
}

/**
 * Test inputs for a 5xx ratio over `http_requests_total`: half the requests fail, or none do. The
 * app's error-ratio signal and the SLO burn-rate alerts read the same series.
 */
export const ERROR_RATIO_TEST: PrometheusSource['test'] = {
  firing: [
    { series: 'http_requests_total{method="GET",route="/v1/items",status_code="500"}', start: 0, perMinute: 60 },
    { series: `http_requests_total{${ROUTE_LABELS}}`, start: 0, perMinute: 60 },
  ],
  quiet: [
    { series: 'http_requests_total{method="GET",route="/v1/items",status_code="500"}', start: 0, perMinute: 0 },
    { series: `http_requests_total{${ROUTE_LABELS}}`, start: 0, perMinute: 60 },
  ],
};

/** The app's request latency at one percentile, per route (p95 and p99 differ only in the number). */
function appLatencySignal(percentile: 95 | 99): SignalDefinition<'maxMilliseconds'> {
  return {
    component: 'app',
    slug: `latency-p${percentile}`,
    title: `App latency p${percentile} by route`,
    meaning: `On one route, the slowest ${100 - percentile} % of requests take longer than the threshold inside the app.`,
    checks: [
      'Is it one route or all of them (Grafana: Vigil service, latency by route)?',
      'Is PostgreSQL (query p99, pool waiters) or Redis (command duration) the slow part?',
      'Is the event loop blocked (event-loop lag) or the CPU saturated?',
    ],
    dashboard: 'Grafana: Vigil service',
    thresholdKey: 'maxMilliseconds',
    source: {
      engine: 'prometheus',
      expr: `histogram_quantile(${percentile / 100}, sum by (le, route) (rate(http_request_duration_seconds_bucket{${API_REQUESTS}}[5m]))) * 1000`,
      histogram: { metric: 'http_request_duration_seconds', bucketsSeconds: HTTP_DURATION_BUCKETS_SECONDS },
      test: {
        firing: histogramSeries('http_request_duration_seconds', ROUTE_LABELS, 0, 60),
        quiet: histogramSeries('http_request_duration_seconds', ROUTE_LABELS, 60, 0),
        firingLabels: { route: '/v1/items' },
      },
    },
  };
}

/**
 * The catalog. Keys are signal ids, used as config keys (`thresholds.apiErrorRate`) and as the
 * `signal` label / `signalId` of everything rendered.
 */
export const SIGNALS = {
  // ---------------------------------------------------------------- API (ALB)
  apiErrorRate: signal({
    component: 'api',
    slug: '5xx-rate',
    title: 'ALB 5xx rate',
    meaning: "A share of the backend's requests through the load balancer ends in a 5xx, from the backend's tasks or from the load balancer itself; of Grafana's requests, only the load balancer's own 5xx count.",
    checks: [
      'Is the backend failing (app error ratio alert, its logs in OpenSearch) or is the ALB returning 502/503 because no target is healthy?',
      'Did a deployment just start? The ECS deployment circuit breaker rolls back failed deployments; check the service events.',
      'Are PostgreSQL or Redis degraded (their alarms, the circuit breaker state)?',
    ],
    dashboard: 'CloudWatch: <env>-vigil, section api',
    thresholdKey: 'maxPercent',
    source: {
      engine: 'cloudwatch',
      toMetricUnit: 1,
      query: (r) => ({ ...albFiveXxRatio(100, r, {}), label: '5xx rate (%)' }),
    },
  }),
  apiLatencyP99: signal({
    component: 'api',
    slug: 'target-latency-p99',
    title: 'Target response time p99',
    meaning: 'The slowest 1 % of requests take longer than the threshold to get a response from the backend.',
    checks: [
      'Which routes are slow (Grafana: Vigil service, latency by route)?',
      'Is PostgreSQL slow (query p99, pool waiters, RDS CPU and latency) or is Redis slow?',
      'Is the backend saturated (ECS CPU, event-loop lag)? Autoscaling may be at its maximum.',
    ],
    dashboard: 'Grafana: Vigil service',
    thresholdKey: 'maxMilliseconds',
    source: {
      engine: 'cloudwatch',
      toMetricUnit: 0.001,
      query: (r) => ({ metric: { namespace: 'AWS/ApplicationELB', metricName: 'TargetResponseTime', dimensions: targetGroupDimensions(r), statistic: 'p99' } }),
    },
  }),
  apiUnhealthyHosts: signal({
    component: 'api',
    slug: 'unhealthy-hosts',
    title: 'Unhealthy targets',
    meaning: 'Backend tasks fail the ALB readiness check (`/readyz`), so the ALB stops sending them traffic.',
    checks: [
      'Does `/readyz` fail because PostgreSQL or Redis is unreachable (their alarms)?',
      'Are tasks crash-looping (ECS service events, stopped task reasons)?',
      'Did a security group or subnet change cut the ALB off from the tasks?',
    ],
    dashboard: 'CloudWatch: <env>-vigil, section api',
    thresholdKey: 'maxCount',
    source: {
      engine: 'cloudwatch',
      toMetricUnit: 1,
      query: (r) => ({ metric: { namespace: 'AWS/ApplicationELB', metricName: 'UnHealthyHostCount', dimensions: targetGroupDimensions(r), statistic: 'Maximum' } }),
    },
  }),
  apiHealthyHosts: signal({
    component: 'api',
    slug: 'healthy-hosts',
    title: 'Healthy targets',
    meaning:
      'Fewer backend tasks pass the ALB readiness check (`/readyz`) than the threshold; below one, the ALB has nowhere to send a request and answers every API call with a 503. ' +
      'Tasks that stopped are deregistered and no longer count as unhealthy, so this catches the outage the unhealthy-targets signal misses.',
    checks: [
      'Are tasks running at all (ECS service events, stopped task reasons: image pull, secrets, OOM, failed health checks)?',
      'Does `/readyz` fail on the tasks that run because PostgreSQL or Redis is unreachable (their alarms, the circuit breaker state)?',
      'Is a deployment rolling back, or did a security group change cut the ALB off from the tasks?',
    ],
    dashboard: 'CloudWatch: <env>-vigil, section api',
    thresholdKey: 'minCount',
    // Reported every minute while health checks run, traffic or not: no data means no target group to check.
    evaluation: { evaluationPeriods: 3, datapointsToAlarm: 3, treatMissingData: 'breaching' },
    source: {
      engine: 'cloudwatch',
      toMetricUnit: 1,
      query: (r) => ({ metric: { namespace: 'AWS/ApplicationELB', metricName: 'HealthyHostCount', dimensions: targetGroupDimensions(r), statistic: 'Minimum' } }),
    },
  }),
  apiRejectedConnections: signal({
    component: 'api',
    slug: 'rejected-connections',
    title: 'ALB rejected connections',
    meaning: 'The load balancer refused connections because it reached its connection limit.',
    checks: [
      'Is there a traffic spike or an attack (RequestCount, WAF if present)?',
      'Are responses slow, so connections pile up (target p99 latency)?',
      'Are clients opening a connection per request instead of keeping them alive?',
    ],
    dashboard: 'CloudWatch: <env>-vigil, section api',
    thresholdKey: 'maxCount',
    source: {
      engine: 'cloudwatch',
      toMetricUnit: 1,
      query: (r) => ({ metric: { namespace: 'AWS/ApplicationELB', metricName: 'RejectedConnectionCount', dimensions: albDimensions(r), statistic: 'Sum' } }),
    },
  }),

  // ---------------------------------------------------------------- backend (ECS)
  backendCpu: signal({
    component: 'backend',
    slug: 'cpu',
    title: 'Backend CPU',
    meaning: 'The backend service uses most of its reserved CPU; requests queue and latency grows.',
    checks: [
      'Is autoscaling at its maximum task count? Raise it in config if traffic is legitimate.',
      'Did a deployment make a route more expensive (latency by route, event-loop lag)?',
      'Is the heap close to its limit, so garbage collection burns CPU?',
    ],
    dashboard: 'Grafana: Vigil Node runtime',
    thresholdKey: 'maxPercent',
    source: { engine: 'cloudwatch', toMetricUnit: 1, query: (r) => ({ metric: ecsMetric(r, 'CPUUtilization', r.backendServiceName) }) },
  }),
  backendMemory: signal({
    component: 'backend',
    slug: 'memory',
    title: 'Backend memory',
    meaning: 'The fullest backend task uses most of its reserved memory; it is close to being OOM-killed.',
    checks: [
      'Does the heap grow without bound (Grafana: Node runtime, heap used)? That is a leak.',
      'Are tasks being stopped with OutOfMemory (ECS stopped task reasons)?',
      'Did traffic or payload sizes change?',
    ],
    dashboard: 'Grafana: Vigil Node runtime',
    thresholdKey: 'maxPercent',
    source: {
      engine: 'cloudwatch',
      toMetricUnit: 1,
      // Maximum is "the utilization of the task with the highest resource usage in the service"
      // (AWS, ECS service utilization metrics); the Average of one leaking task at 100 % beside two
      // at 40 % is 60 %, and tasks are OOM-killed one at a time.
      query: (r) => ({ metric: ecsMetric(r, 'MemoryUtilization', r.backendServiceName, 'Maximum') }),
    },
  }),
  backendMissingTasks: signal({
    component: 'backend',
    slug: 'running-below-desired',
    title: 'Backend tasks missing',
    meaning: 'Fewer backend tasks run than ECS wants; capacity is reduced.',
    checks: [
      'Why do tasks stop (ECS stopped task reasons: image pull, secrets, health check, OOM)?',
      'Is a deployment stuck or rolling back (service events)?',
      'Is Fargate capacity or the account task quota exhausted?',
    ],
    dashboard: 'CloudWatch: <env>-vigil, section backend',
    thresholdKey: 'maxCount',
    evaluation: { evaluationPeriods: 5, datapointsToAlarm: 5 },
    source: {
      engine: 'cloudwatch',
      toMetricUnit: 1,
      query: (r) => ({
        // A minute without a running count (no task reported) is no task running; a gap in the
        // desired count keeps the last one. Plain `desired - running` had no value in either case.
        expression: 'FILL(desired, REPEAT) - FILL(running, 0)',
        label: 'tasks below desired',
        usingMetrics: {
          desired: containerInsights(r, 'DesiredTaskCount', r.backendServiceName),
          running: containerInsights(r, 'RunningTaskCount', r.backendServiceName),
        },
      }),
    },
  }),

  // ---------------------------------------------------------------- the app (Prometheus)
  appErrorRatio: signal({
    component: 'app',
    slug: 'error-ratio',
    title: 'App 5xx ratio',
    meaning: 'A share of the requests the app itself served ended in a 5xx.',
    checks: [
      'Which routes fail and with what (Grafana: Vigil service; OpenSearch logs at level error)?',
      'Is the PostgreSQL circuit breaker open, or do cache errors rise?',
      'Did a deployment just go out (app_build_info version)?',
    ],
    dashboard: 'Grafana: Vigil service',
    thresholdKey: 'maxPercent',
    source: {
      engine: 'prometheus',
      expr: `${apiErrorRatio('5m')} * 100`,
      test: ERROR_RATIO_TEST,
    },
  }),
  appLatencyP95: appLatencySignal(95),
  appLatencyP99: appLatencySignal(99),
  appEventLoopLag: signal({
    component: 'app',
    slug: 'event-loop-lag',
    title: 'Event-loop lag p99',
    meaning: 'JavaScript on the event loop runs so long that callbacks wait; every request on that task is delayed.',
    checks: [
      'Is a CPU-heavy route or a large JSON payload blocking the loop (latency by route)?',
      'Is garbage collection heavy (heap used near its limit)?',
      'Is the task CPU-starved (backend CPU)?',
    ],
    dashboard: 'Grafana: Vigil Node runtime',
    thresholdKey: 'maxMilliseconds',
    source: {
      engine: 'prometheus',
      expr: 'max(nodejs_eventloop_lag_p99_seconds) * 1000',
      test: gaugeTest('nodejs_eventloop_lag_p99_seconds{instance="a"}', 2, 0.001),
    },
  }),
  appHeapUsed: signal({
    component: 'app',
    slug: 'heap-used',
    title: 'Heap used',
    meaning:
      "A backend task's JavaScript heap is near the limit V8 stops at (Node sizes it from the task's memory: 259 MiB in a 512 MiB task); garbage collection then burns the CPU, and past it the process dies of heap exhaustion.",
    checks: [
      'Does the heap grow steadily across hours (a leak) or jump with traffic?',
      'Is the event-loop lag or CPU rising with it (garbage collection)?',
      'Did a deployment change caching or payload handling? Does the task need more memory?',
    ],
    dashboard: 'Grafana: Vigil Node runtime',
    thresholdKey: 'maxPercent',
    source: {
      engine: 'prometheus',
      // A share of each task's own limit, not MiB: the limit follows the task's memory, so a
      // threshold in MiB that fits one task size never fires in a smaller one.
      expr: 'max(nodejs_heap_size_used_bytes / nodejs_heap_size_limit_bytes) * 100',
      test: {
        firing: [
          { series: 'nodejs_heap_size_used_bytes{instance="a"}', start: 250_000_000 },
          { series: 'nodejs_heap_size_limit_bytes{instance="a"}', start: 260_000_000 },
        ],
        quiet: [
          { series: 'nodejs_heap_size_used_bytes{instance="a"}', start: 30_000_000 },
          { series: 'nodejs_heap_size_limit_bytes{instance="a"}', start: 260_000_000 },
        ],
      },
    },
  }),
  appPgQueryP99: signal({
    component: 'app',
    slug: 'pg-query-p99',
    title: 'PostgreSQL query p99 (app view)',
    meaning: 'The slowest 1 % of PostgreSQL queries, timed by the app, exceed the threshold.',
    checks: [
      'Is RDS busy (RDS CPU, read/write latency, connections)?',
      'Which operation is slow (Grafana: PostgreSQL and Redis, by operation)? Check for a missing index.',
      'Do pool waiters rise, so queries wait for a connection rather than run slowly?',
    ],
    dashboard: 'Grafana: Vigil PostgreSQL and Redis',
    thresholdKey: 'maxMilliseconds',
    source: {
      engine: 'prometheus',
      expr: 'histogram_quantile(0.99, sum by (le) (rate(pg_query_duration_seconds_bucket[5m]))) * 1000',
      histogram: { metric: 'pg_query_duration_seconds', bucketsSeconds: PG_QUERY_BUCKETS_SECONDS },
      test: {
        firing: histogramSeries('pg_query_duration_seconds', 'operation="select"', 0, 60),
        quiet: histogramSeries('pg_query_duration_seconds', 'operation="select"', 60, 0),
      },
    },
  }),
  appPgPoolWaiters: signal({
    component: 'app',
    slug: 'pg-pool-waiters',
    title: 'PostgreSQL pool waiters',
    meaning: 'Requests wait for a free PostgreSQL connection from the pool.',
    checks: [
      'Are queries slow, holding connections longer (query p99)?',
      'Is the pool too small for the traffic per task, or RDS at its connection limit?',
      'Is a code path leaking connections (total stays at max while traffic is low)?',
    ],
    dashboard: 'Grafana: Vigil PostgreSQL and Redis',
    thresholdKey: 'maxCount',
    source: {
      engine: 'prometheus',
      expr: 'max(pg_pool_connections{state="waiting"})',
      test: gaugeTest('pg_pool_connections{instance="a",state="waiting"}', 1000, 0),
    },
  }),
  appCacheHitRatio: signal({
    component: 'app',
    slug: 'cache-hit-ratio',
    title: 'Cache hit ratio',
    meaning: 'Fewer reads than expected are served from Redis, so PostgreSQL takes the load.',
    checks: [
      'Was Redis restarted or flushed, or does it evict keys (Redis evictions, memory %)?',
      'Do cache errors rise (the app then falls back to PostgreSQL)?',
      'Did a deployment change cache keys or TTLs?',
    ],
    dashboard: 'Grafana: Vigil PostgreSQL and Redis',
    thresholdKey: 'minPercent',
    source: {
      engine: 'prometheus',
      expr: 'sum(rate(cache_hits_total[5m])) / (sum(rate(cache_hits_total[5m])) + sum(rate(cache_misses_total[5m]))) * 100',
      test: {
        firing: [
          { series: 'cache_hits_total{instance="a"}', start: 0, perMinute: 0 },
          { series: 'cache_misses_total{instance="a"}', start: 0, perMinute: 60 },
        ],
        quiet: [
          { series: 'cache_hits_total{instance="a"}', start: 0, perMinute: 60 },
          { series: 'cache_misses_total{instance="a"}', start: 0, perMinute: 0 },
        ],
      },
    },
  }),
  appCacheErrors: signal({
    component: 'app',
    slug: 'cache-errors',
    title: 'Cache errors',
    meaning: 'Redis commands from the app fail; the app serves from PostgreSQL instead, at higher latency.',
    checks: [
      'Is Redis reachable (Redis alarms, connections, security group)?',
      'Did the AUTH token rotate without the tasks being restarted?',
      'Which operation fails (Grafana: PostgreSQL and Redis, cache errors by operation)?',
    ],
    dashboard: 'Grafana: Vigil PostgreSQL and Redis',
    thresholdKey: 'maxPerMinute',
    source: {
      engine: 'prometheus',
      expr: 'sum(rate(cache_errors_total[5m])) * 60',
      test: counterTest('cache_errors_total{instance="a",operation="get"}', 600, 0),
    },
  }),
  appCircuitBreakerOpen: signal({
    component: 'app',
    slug: 'circuit-breaker-open',
    title: 'Circuit breaker open',
    meaning: 'The app stopped calling a dependency (PostgreSQL) for part of the window because calls kept failing.',
    checks: [
      'Is PostgreSQL up and reachable (RDS alarms, failover events)? If it looks healthy, do requests wait for a pool connection (`pg_pool_connections{state="waiting"}` above 0)? A pool checkout that times out opens the breaker too: add tasks, or raise `services.backend.pgPoolMax` (`PG_POOL_MAX`, 10 per task) within RDS max_connections (synth checks the peak of the backend against the `rdsConnections` thresholds).',
      'Do the app logs show the failure that opened the breaker (timeouts, auth, TLS)?',
      'Does the breaker close again on its own (half-open probes succeeding)?',
    ],
    dashboard: 'Grafana: Vigil PostgreSQL and Redis',
    thresholdKey: 'maxPercent',
    source: {
      engine: 'prometheus',
      // 0 closed, 1 half-open, 2 open: the value is the share of the last 5 minutes not closed
      // (open, or half-open waiting on its trial call). In an outage the breaker
      // reopens every 2 s and spends much of each cycle half-open (idle: until the next request),
      // so counting open alone read 50 % or less through a whole outage. The subquery samples
      // at the evaluation interval ([5m:]) rather than once a minute.
      expr: 'max by (breaker) (avg_over_time((circuit_breaker_state > bool 0)[5m:])) * 100',
      test: { ...gaugeTest('circuit_breaker_state{instance="a",breaker="postgres"}', 2, 0), firingLabels: { breaker: 'postgres' } },
    },
  }),
  appScrapeTargetDown: signal({
    component: 'app',
    slug: 'scrape-target-down',
    title: 'Backend scrape targets down',
    meaning:
      "Prometheus cannot scrape a share of the backend tasks (or finds none), so app alerts are blind for them; the `job` label says whether it is the app's metrics (backend) or its log router's (log-router: the log-delivery alert is blind).",
    checks: [
      'Are the tasks running (backend tasks missing alarm)?',
      "Does Cloud Map list the tasks, and does the backend's security group admit Prometheus on the port (9464 app, 2020 log router)?",
      'Does `/metrics` (or Fluent Bit\'s `/api/v1/metrics/prometheus`) answer inside the task (Prometheus targets page)?',
    ],
    dashboard: 'Grafana: Vigil Node runtime',
    thresholdKey: 'maxPercent',
    source: {
      engine: 'prometheus',
      // No target at all counts as 100 % down: an empty service discovery must not read as healthy.
      // Per job: the app's own metrics and its log router's (the log-delivery signal reads those).
      // `on()`: the 100 stands in only when no job has a target at all.
      expr: `(max by (job) ((1 - avg by (job) (up{job=~"${BACKEND_JOB}|${LOG_ROUTER_JOB}"})) * 100) or on() vector(100))`,
      test: { ...gaugeTest(`up{job="${BACKEND_JOB}",instance="a"}`, 0, 1), firingLabels: { job: BACKEND_JOB } },
    },
  }),

  // ---------------------------------------------------------------- RDS
  rdsCpu: signal({
    component: 'rds',
    slug: 'cpu',
    title: 'RDS CPU',
    meaning: 'The PostgreSQL instance is CPU-bound; queries slow down.',
    checks: [
      'Which queries cost most (Performance Insights top SQL)?',
      'Did a deployment add a query without an index?',
      'Is the cache hit ratio down, sending reads to PostgreSQL?',
    ],
    dashboard: 'CloudWatch: <env>-vigil, section rds',
    thresholdKey: 'maxPercent',
    source: { engine: 'cloudwatch', toMetricUnit: 1, query: (r) => ({ metric: rdsMetric(r, 'CPUUtilization') }) },
  }),
  rdsFreeStorage: signal({
    component: 'rds',
    slug: 'free-storage',
    title: 'RDS free storage',
    meaning:
      'The database is running out of disk; when it is full, writes fail. Storage autoscaling grows the volume once free space is at most 10 % of it, ' +
      'so the thresholds sit below that: this fires when autoscaling did not keep up (at most one step per six hours) or reached its maximum.',
    checks: [
      'Is storage autoscaling on and below its maximum (config)?',
      'Which tables or WAL grow (pg_total_relation_size, replication slots holding WAL)?',
      'Are old rows or logs kept longer than needed?',
    ],
    dashboard: 'CloudWatch: <env>-vigil, section rds',
    thresholdKey: 'minGibibytes',
    evaluation: { periodSeconds: 300, evaluationPeriods: 1, datapointsToAlarm: 1 },
    source: { engine: 'cloudwatch', toMetricUnit: GIB, query: (r) => ({ metric: rdsMetric(r, 'FreeStorageSpace', 'Minimum') }) },
  }),
  rdsFreeableMemory: signal({
    component: 'rds',
    slug: 'freeable-memory',
    title: 'RDS freeable memory',
    meaning: 'The database instance is short of memory; it swaps and its caches shrink.',
    checks: [
      'Do connections rise (each PostgreSQL backend costs memory)?',
      'Are work_mem-heavy queries running (sorts, hashes; Performance Insights)?',
      'Is the instance class too small for the data set?',
    ],
    dashboard: 'CloudWatch: <env>-vigil, section rds',
    thresholdKey: 'minMebibytes',
    source: { engine: 'cloudwatch', toMetricUnit: MIB, query: (r) => ({ metric: rdsMetric(r, 'FreeableMemory', 'Minimum') }) },
  }),
  rdsConnections: signal({
    component: 'rds',
    slug: 'connections',
    title: 'RDS connections',
    meaning: 'Many client connections are open; near max_connections new ones are refused.',
    checks: [
      'Did the backend scale out or deploy (up to 2 × maxCount tasks, each with pgPoolMax + 1 connections)?',
      'Are connections leaking (pool total at max while traffic is low)?',
      'Is something other than the backend connecting (pg_stat_activity by application)?',
    ],
    dashboard: 'CloudWatch: <env>-vigil, section rds',
    thresholdKey: 'maxCount',
    source: { engine: 'cloudwatch', toMetricUnit: 1, query: (r) => ({ metric: rdsMetric(r, 'DatabaseConnections', 'Maximum') }) },
  }),
  rdsReadLatency: signal({
    component: 'rds',
    slug: 'read-latency',
    title: 'RDS read latency',
    meaning: 'Disk reads on the database take long; queries that miss the buffer cache slow down.',
    checks: [
      'Is the storage out of IOPS or throughput (ReadIOPS, DiskQueueDepth)?',
      'Is freeable memory low, so fewer pages stay cached?',
      'Did a full table scan start (Performance Insights)?',
    ],
    dashboard: 'CloudWatch: <env>-vigil, section rds',
    thresholdKey: 'maxMilliseconds',
    source: { engine: 'cloudwatch', toMetricUnit: 0.001, query: (r) => ({ metric: rdsMetric(r, 'ReadLatency') }) },
  }),
  rdsWriteLatency: signal({
    component: 'rds',
    slug: 'write-latency',
    title: 'RDS write latency',
    meaning: 'Disk writes on the database take long; commits slow down.',
    checks: [
      'Is the storage out of IOPS or throughput (WriteIOPS, DiskQueueDepth)?',
      'Is a bulk write or vacuum running?',
      'In multi-AZ, is the standby slow (writes are synchronous)?',
    ],
    dashboard: 'CloudWatch: <env>-vigil, section rds',
    thresholdKey: 'maxMilliseconds',
    source: { engine: 'cloudwatch', toMetricUnit: 0.001, query: (r) => ({ metric: rdsMetric(r, 'WriteLatency') }) },
  }),

  // ---------------------------------------------------------------- Redis, per node
  redisEngineCpu: signal({
    component: 'redis',
    slug: 'engine-cpu',
    title: 'Redis engine CPU',
    meaning: 'The Redis engine thread of one node is busy; commands queue.',
    checks: [
      'Are expensive commands running (SLOWLOG in the slow-log group)?',
      'Did traffic grow (CurrConnections, command rates)?',
      'Is the node type too small?',
    ],
    dashboard: 'CloudWatch: <env>-vigil, section redis',
    thresholdKey: 'maxPercent',
    source: { engine: 'cloudwatch', perRedisNode: true, toMetricUnit: 1, query: (_r, node) => ({ metric: redisMetric(node, 'EngineCPUUtilization') }) },
  }),
  redisHostCpu: signal({
    component: 'redis',
    slug: 'host-cpu',
    title: 'Redis host CPU',
    meaning:
      "One node's host CPU is busy. On nodes of two vCPUs or fewer (both environments' node types) AWS watches this metric rather than the engine's: " +
      'Redis runs one command thread, so about half of the host (45 % on two vCPUs) is that thread fully busy.',
    checks: [
      'Is the engine thread the busy part (engine CPU) or the host (snapshots, replication, many connections)?',
      'Are expensive commands running (SLOWLOG in the slow-log group)?',
      'Is the node type too small for the traffic (CurrConnections, command rates)?',
    ],
    dashboard: 'CloudWatch: <env>-vigil, section redis',
    thresholdKey: 'maxPercent',
    source: { engine: 'cloudwatch', perRedisNode: true, toMetricUnit: 1, query: (_r, node) => ({ metric: redisMetric(node, 'CPUUtilization') }) },
  }),
  redisMemory: signal({
    component: 'redis',
    slug: 'memory',
    title: 'Redis memory used',
    meaning: 'One node uses most of its maxmemory; it starts to evict keys.',
    checks: [
      'Which keys are large or have no TTL (redis-cli --bigkeys on a replica)?',
      'Do evictions rise, and does the cache hit ratio fall?',
      'Is the node type too small for the working set?',
    ],
    dashboard: 'CloudWatch: <env>-vigil, section redis',
    thresholdKey: 'maxPercent',
    source: { engine: 'cloudwatch', perRedisNode: true, toMetricUnit: 1, query: (_r, node) => ({ metric: redisMetric(node, 'DatabaseMemoryUsagePercentage') }) },
  }),
  redisEvictions: signal({
    component: 'redis',
    slug: 'evictions',
    title: 'Redis evictions',
    meaning: 'One node removes keys to make room; cached data disappears early.',
    checks: [
      'Is memory used near 100 % (Redis memory alarm)?',
      'Do keys lack TTLs, or did a deployment cache much more?',
      'Does the cache hit ratio fall as a result?',
    ],
    dashboard: 'CloudWatch: <env>-vigil, section redis',
    thresholdKey: 'maxCount',
    source: { engine: 'cloudwatch', perRedisNode: true, toMetricUnit: 1, query: (_r, node) => ({ metric: redisMetric(node, 'Evictions', 'Sum') }) },
  }),
  redisConnections: signal({
    component: 'redis',
    slug: 'connections',
    title: 'Redis connections',
    meaning: 'Many clients are connected to one node; near maxclients new connections fail.',
    checks: [
      'Did the backend scale out, or does each task open too many connections?',
      'Are connections leaking (count grows while traffic is flat)?',
      'Is something other than the backend connecting?',
    ],
    dashboard: 'CloudWatch: <env>-vigil, section redis',
    thresholdKey: 'maxCount',
    source: { engine: 'cloudwatch', perRedisNode: true, toMetricUnit: 1, query: (_r, node) => ({ metric: redisMetric(node, 'CurrConnections', 'Maximum') }) },
  }),
  redisReplicationLag: signal({
    component: 'redis',
    slug: 'replication-lag',
    title: 'Redis replication lag',
    meaning: 'A replica is behind its primary; after a failover recent writes may be lost, and reads from it are stale.',
    checks: [
      'Is the primary overloaded (engine CPU, network)?',
      'Is a large write burst or a big key being replicated?',
      'Is the replica in another AZ with network trouble (AWS Health)?',
    ],
    dashboard: 'CloudWatch: <env>-vigil, section redis',
    thresholdKey: 'maxSeconds',
    // Only replicas publish ReplicationLag; the primary's missing data is fine.
    evaluation: { treatMissingData: 'notBreaching' },
    source: { engine: 'cloudwatch', perRedisNode: true, toMetricUnit: 1, query: (_r, node) => ({ metric: redisMetric(node, 'ReplicationLag', 'Maximum') }) },
  }),

  // ---------------------------------------------------------------- OpenSearch
  openSearchClusterRed: signal({
    component: 'opensearch',
    slug: 'cluster-red',
    title: 'OpenSearch cluster red',
    meaning: 'At least one primary shard is unassigned; some logs cannot be written or searched.',
    checks: [
      'Which indices are red (GET _cluster/health?level=indices)?',
      'Did a data node fail or run out of disk (free storage)?',
      'Is there an automated snapshot to restore the index from?',
    ],
    dashboard: 'CloudWatch: <env>-vigil, section opensearch',
    thresholdKey: 'maxCount',
    evaluation: { evaluationPeriods: 1, datapointsToAlarm: 1 },
    source: { engine: 'cloudwatch', toMetricUnit: 1, query: (r) => ({ metric: openSearchMetric(r, 'ClusterStatus.red') }) },
  }),
  openSearchClusterYellow: signal({
    component: 'opensearch',
    slug: 'cluster-yellow',
    title: 'OpenSearch cluster yellow',
    meaning: 'At least one replica shard is unassigned; one more node failure could lose data.',
    checks: [
      'Is a node missing or restarting (Nodes metric, blue/green update in progress)?',
      'Do indices ask for more replicas than there are data nodes?',
      'Is a node low on disk, so shards cannot be allocated?',
    ],
    dashboard: 'CloudWatch: <env>-vigil, section opensearch',
    thresholdKey: 'maxCount',
    evaluation: { evaluationPeriods: 5, datapointsToAlarm: 5 },
    source: { engine: 'cloudwatch', toMetricUnit: 1, query: (r) => ({ metric: openSearchMetric(r, 'ClusterStatus.yellow') }) },
  }),
  openSearchFreeStorage: signal({
    component: 'opensearch',
    slug: 'free-storage',
    title: 'OpenSearch free storage',
    meaning: 'A data node is running out of disk; OpenSearch blocks writes when it is nearly full.',
    checks: [
      'Are old log indices deleted? `GET _plugins/_ism/explain/<env>-backend-*` should show each managed by `<env>-backend-retention`, none failed. If writes are blocked already, `DELETE` the oldest indices first: a deploy cannot change the policy then.',
      'Did log volume jump (a noisy log line after a deployment)?',
      'Should search.logIndexRetentionDays shrink, or search.volumeSizeGiB or the data node count grow (config)?',
    ],
    dashboard: 'CloudWatch: <env>-vigil, section opensearch',
    thresholdKey: 'minGibibytes',
    evaluation: { periodSeconds: 300, evaluationPeriods: 1, datapointsToAlarm: 1 },
    // AWS/ES FreeStorageSpace is in megabytes (MiB).
    source: { engine: 'cloudwatch', toMetricUnit: 1024, query: (r) => ({ metric: openSearchMetric(r, 'FreeStorageSpace', 'Minimum') }) },
  }),
  openSearchJvmPressure: signal({
    component: 'opensearch',
    slug: 'jvm-pressure',
    title: 'OpenSearch JVM memory pressure',
    meaning: 'The JVM heap of a node is nearly full; garbage collection stalls it and it may crash.',
    checks: [
      'Are expensive queries or aggregations running (Grafana dashboards over wide time ranges)?',
      'Are there too many shards for the heap size?',
      'Does the instance type need more memory?',
    ],
    dashboard: 'CloudWatch: <env>-vigil, section opensearch',
    thresholdKey: 'maxPercent',
    source: { engine: 'cloudwatch', toMetricUnit: 1, query: (r) => ({ metric: openSearchMetric(r, 'JVMMemoryPressure') }) },
  }),
  openSearchCpu: signal({
    component: 'opensearch',
    slug: 'cpu',
    title: 'OpenSearch CPU',
    meaning: 'The data nodes are CPU-bound; indexing and searches slow down and log shipping backs up.',
    checks: [
      'Did log volume jump (indexing rate)?',
      'Are heavy searches running?',
      'Does the data node count or type need to grow?',
    ],
    dashboard: 'CloudWatch: <env>-vigil, section opensearch',
    thresholdKey: 'maxPercent',
    // AWS's recommended alarm: maximum >= 80 % for 15 minutes, 3 consecutive times (OpenSearch
    // Service developer guide, recommended CloudWatch alarms); merges and snapshots peak for minutes.
    evaluation: { periodSeconds: 900, evaluationPeriods: 3, datapointsToAlarm: 3 },
    source: { engine: 'cloudwatch', toMetricUnit: 1, query: (r) => ({ metric: openSearchMetric(r, 'CPUUtilization') }) },
  }),
  openSearchWritesBlocked: signal({
    component: 'opensearch',
    slug: 'index-writes-blocked',
    title: 'OpenSearch index writes blocked',
    meaning: 'The cluster rejects writes (disk watermark or memory pressure); new logs are being dropped.',
    checks: [
      'Is free storage below the flood-stage watermark?',
      'Is JVM memory pressure high?',
      'After freeing space, is the read_only_allow_delete block cleared?',
    ],
    dashboard: 'CloudWatch: <env>-vigil, section opensearch',
    thresholdKey: 'maxCount',
    evaluation: { evaluationPeriods: 1, datapointsToAlarm: 1 },
    source: { engine: 'cloudwatch', toMetricUnit: 1, query: (r) => ({ metric: openSearchMetric(r, 'ClusterIndexWritesBlocked') }) },
  }),
  openSearchSnapshotFailure: signal({
    component: 'opensearch',
    slug: 'snapshot-failure',
    title: 'OpenSearch automated snapshot failed',
    meaning: 'The daily automated snapshot failed; there is no recent backup of the log indices.',
    checks: [
      'Is the cluster red (snapshots fail then)?',
      'Is the domain in the middle of a configuration change?',
      'Does the next automated snapshot succeed?',
    ],
    dashboard: 'CloudWatch: <env>-vigil, section opensearch',
    thresholdKey: 'maxCount',
    evaluation: { periodSeconds: 300, evaluationPeriods: 1, datapointsToAlarm: 1 },
    source: { engine: 'cloudwatch', toMetricUnit: 1, query: (r) => ({ metric: openSearchMetric(r, 'AutomatedSnapshotFailure') }) },
  }),

  // ---------------------------------------------------------------- the monitoring platform itself
  prometheusRunning: signal({
    component: 'platform',
    slug: 'prometheus-running',
    title: 'Prometheus running',
    meaning: 'Fewer Prometheus tasks run than required; app alerts, the watchdog and Grafana panels go silent.',
    checks: [
      'Why did the task stop (ECS stopped task reason: OOM, ephemeral storage full, bad config)?',
      'Does `promtool check config` pass on the deployed config?',
      'Is the TSDB on ephemeral storage full (raise its size or lower retention in config)?',
    ],
    dashboard: 'CloudWatch: <env>-vigil, section platform',
    thresholdKey: 'minCount',
    evaluation: { evaluationPeriods: 3, datapointsToAlarm: 3, treatMissingData: 'breaching' },
    source: { engine: 'cloudwatch', toMetricUnit: 1, query: (r) => ({ metric: containerInsights(r, 'RunningTaskCount', r.prometheusServiceName) }) },
  }),
  grafanaRunning: signal({
    component: 'platform',
    slug: 'grafana-running',
    title: 'Grafana running',
    meaning: 'Grafana has no running task; dashboards are unavailable (alerting is not affected).',
    checks: [
      'Why did the task stop (ECS stopped task reason)?',
      'Can the task read the admin password secret?',
      'Does the ALB health check on Grafana pass?',
    ],
    dashboard: 'CloudWatch: <env>-vigil, section platform',
    thresholdKey: 'minCount',
    evaluation: { evaluationPeriods: 3, datapointsToAlarm: 3, treatMissingData: 'breaching' },
    source: { engine: 'cloudwatch', toMetricUnit: 1, query: (r) => ({ metric: containerInsights(r, 'RunningTaskCount', r.grafanaServiceName) }) },
  }),
  logRouterRunning: signal({
    component: 'platform',
    slug: 'log-router-running',
    title: 'Log router shipping',
    meaning:
      "The FireLens log router of the backend delivers no log events to CloudWatch Logs, its second output; logs are being lost. (Its OpenSearch output's failures are the log-delivery signal's.)",
    checks: [
      'Is the log_router container of the backend tasks running (task details)?',
      'Can it reach OpenSearch and CloudWatch Logs (its own log stream, security groups, task role)?',
      'Is the backend itself running (tasks missing alarm)?',
    ],
    dashboard: 'CloudWatch: <env>-vigil, section platform',
    thresholdKey: 'minCount',
    evaluation: { periodSeconds: 300, evaluationPeriods: 3, datapointsToAlarm: 3, treatMissingData: 'breaching' },
    source: {
      engine: 'cloudwatch',
      toMetricUnit: 1,
      query: (r) => ({
        metric: {
          namespace: 'AWS/Logs',
          metricName: 'IncomingLogEvents',
          dimensions: { LogGroupName: required(r, 'backendLogGroupName', 'logRouterRunning') },
          statistic: 'Sum',
        },
      }),
    },
  }),
  logDeliveryFailures: signal({
    component: 'platform',
    slug: 'log-delivery-failures',
    title: 'Logs lost on the way to OpenSearch',
    meaning:
      "A backend task's log router gave up on batches of log lines for OpenSearch after its retries (Retry_Limit): those lines are not searchable. " +
      'The copy in CloudWatch Logs (the log group of the log-router signal) still has them.',
    checks: [
      "What does the log router's own log stream say (403: the log writer's role mapping; 429 or 5xx: the domain is overloaded or blocks writes)?",
      'Is the OpenSearch domain red, out of disk or blocking writes (its alarms)?',
      'Can the task reach the domain (security groups, the VPC endpoint, TLS)?',
    ],
    dashboard: 'Grafana: Vigil service',
    thresholdKey: 'maxPerMinute',
    source: {
      engine: 'prometheus',
      // Batches abandoned per minute: each is one flush of up to thousands of lines.
      expr: `sum(rate(fluentbit_output_retries_failed_total{${LOG_ROUTER_OPENSEARCH_SELECTOR}}[5m])) * 60 or vector(0)`,
      test: counterTest(`fluentbit_output_retries_failed_total{${LOG_ROUTER_OPENSEARCH_SELECTOR},instance="a"}`, 30, 0),
    },
  }),
  prometheusWatchdog: signal({
    component: 'platform',
    slug: 'watchdog',
    title: 'Prometheus watchdog heartbeat',
    meaning:
      'Prometheus always fires the Watchdog alert and Alertmanager forwards it every minute to the heartbeat topic. ' +
      'When those messages stop, rule evaluation or alert delivery is broken, so every app alert would go unnoticed. ' +
      'Prometheus also holds the Watchdog back for 30 minutes after Alertmanager failed to deliver any notification (to any topic) or a rule failed to evaluate.',
    checks: [
      'Is the Prometheus task running (Prometheus running alarm, ECS stopped task reason), and is Watchdog firing on its /alerts page?',
      'Does Alertmanager in the same task reach SNS (its CloudWatch log stream: "Notify for alerts failed", sigv4 or KMS errors, task role publish permission)?',
      'Do the rules load and evaluate (`promtool check rules` on the deployed files, Prometheus /rules page, prometheus_rule_evaluation_failures_total)?',
    ],
    dashboard: 'CloudWatch: <env>-vigil, section platform',
    thresholdKey: 'minCount',
    evaluation: { periodSeconds: 300, evaluationPeriods: 3, datapointsToAlarm: 3, treatMissingData: 'breaching' },
    source: {
      engine: 'cloudwatch',
      toMetricUnit: 1,
      query: (r) => ({
        metric: { namespace: 'AWS/SNS', metricName: 'NumberOfMessagesPublished', dimensions: { TopicName: required(r, 'heartbeatTopicName', 'prometheusWatchdog') }, statistic: 'Sum' },
      }),
    },
  }),
} as const;

/** An optional resource id that a signal needs; names the field and the signal when it is missing. */
function required(r: MonitoredResources, field: 'backendLogGroupName' | 'heartbeatTopicName', signalId: string): string {
  const value = r[field];
  if (value === undefined || value === '') {
    throw new Error(`MonitoredResources.${field} is required for signal '${signalId}': pass it from the stacks, or disable the signal`);
  }
  return value;
}

/** Every signal id of the catalog. */
export type SignalId = keyof typeof SIGNALS;

/** The threshold key a signal's config entry must use. */
export type ThresholdKeyOf<S extends SignalId> = (typeof SIGNALS)[S]['thresholdKey'];

/** The signal ids in catalog order. */
export const SIGNAL_IDS = Object.keys(SIGNALS) as SignalId[];
