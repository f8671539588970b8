/**
 * The one metrics registry of the service. Names and labels are a contract: the signal catalog's
 * PromQL (lib/observability) and the Grafana dashboards use exactly these, and a test checks the
 * catalog against a live scrape.
 *
 * Hot-path rule: the metrics recorded per request or per dependency call are series-metrics.ts
 * counters and histograms, resolved once per label combination: the request hooks keep the
 * request series of each route's last answer, a dependency call finds its one-label series with
 * one Map read, and recording is then a few additions. The rest are ordinary prom-client metrics.
 */
import { getHeapStatistics } from 'node:v8';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { SeriesCounter, SeriesHistogram, type CounterSeries, type HistogramSeries } from './series-metrics';

/** Labels of the two HTTP request metrics. */
export const HTTP_LABELS = ['method', 'route', 'status_code'] as const;
/** The `route` label of requests that match no route: 404s never create new series. */
export const UNMATCHED_ROUTE = 'unmatched';
/** Pool states exported by `pg_pool_connections`. */
export const POOL_STATES = ['total', 'idle', 'waiting'] as const;
/** `circuit_breaker_state` values. */
export const BREAKER_STATE = { closed: 0, halfOpen: 1, open: 2 } as const;

/** PostgreSQL operations timed by `pg_query_duration_seconds` (bounded label values). */
export type PgOperation = 'select_item' | 'list_items' | 'insert_item' | 'update_item' | 'delete_item' | 'ping' | 'migrate';
/** Redis commands timed by `redis_command_duration_seconds`. */
export type RedisCommand = 'get' | 'set' | 'ping';
/** Cache operations counted by `cache_errors_total`; each series exists from the first scrape. */
const CACHE_OPERATIONS = ['read', 'write', 'invalidate'] as const;
/** A `cache_errors_total` operation. */
export type CacheOperation = (typeof CACHE_OPERATIONS)[number];
/** Error kinds counted by `app_errors_total`; each series exists from the first scrape. */
const ERROR_KINDS = ['internal', 'dependency_unavailable', 'unhandled_rejection', 'uncaught_exception'] as const;
/** An `app_errors_total` kind. */
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** The 5xx statuses the service answers with (errors.ts: 500 internal, 503 dependency unavailable). */
const PREPARED_STATUS_CODES = [500, 503] as const;

/** Methods kept as label values; anything else is exported as `other` (bounded cardinality). */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The `method` label value of an HTTP method. */
function methodLabel(method: string): string {
  return KNOWN_METHODS.has(method) ? method : 'other';
}

/** Buckets for dependency calls: most PostgreSQL and Redis calls take well under 10 ms. */
const DEPENDENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/**
 * Buckets for whole requests; the lowest ones matter for the cached read route. Latency alert
 * thresholds must be one of them (the catalog refuses others: histogram_quantile interpolates
 * inside a bucket), so 2 and 3 s are here for the environments' 2000 and 3000 ms thresholds.
 */
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 2.5, 3, 5, 10];

type HttpLabel = (typeof HTTP_LABELS)[number];

/** The two request series of one (method, route, status code). */
export interface RequestSeries {
  readonly count: CounterSeries;
  readonly duration: HistogramSeries;
}

/** Pool counters read at scrape time. */
export interface PoolStats {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
}

/** What {@link createMetrics} needs. */
export interface MetricsOptions {
  /** `version` label of `app_build_info`. */
  readonly version: string;
  /** `commit` label of `app_build_info`. */
  readonly commit: string;
  /** Collect prom-client's default process and Node.js metrics. @default true */
  readonly defaultMetrics?: boolean;
}

/** Every metric of the service plus the cheap recording helpers the hot path uses. */
export class AppMetrics {
  /** The registry `/metrics` serializes. */
  readonly registry = new Registry();
  readonly httpRequests: SeriesCounter<HttpLabel>;
  readonly httpDuration: SeriesHistogram<HttpLabel>;
  readonly inFlight: Gauge;
  readonly pgQueryDuration: SeriesHistogram<'operation'>;
  readonly pgPoolConnections: Gauge<'state'>;
  readonly redisCommandDuration: SeriesHistogram<'command'>;
  readonly cacheHits: Counter;
  readonly cacheMisses: Counter;
  readonly cacheErrors: Counter<'operation'>;
  readonly appErrors: Counter<'kind'>;
  readonly breakerState: Gauge<'breaker'>;
  readonly buildInfo: Gauge<'version' | 'commit' | 'node_version'>;
  readonly heapSizeLimit: Gauge;

  /** Requests being served; the request hooks move it, `http_requests_in_flight` reports it. */
  inFlightRequests = 0;

  private poolStats: (() => PoolStats) | undefined;

  constructor(options: MetricsOptions) {
    const registers = [this.registry];
    this.httpRequests = new SeriesCounter({
      name: 'http_requests_total',
      help: 'HTTP requests completed, by method, route template and status code.',
      labelNames: HTTP_LABELS,
      registers,
    });
    this.httpDuration = new SeriesHistogram({
      name: 'http_request_duration_seconds',
      help: 'Time from receiving an HTTP request to finishing its response, in seconds.',
      labelNames: HTTP_LABELS,
      buckets: HTTP_BUCKETS,
      registers,
    });
    const metrics = this;
    this.inFlight = new Gauge({
      name: 'http_requests_in_flight',
      help: 'HTTP requests being served right now.',
      registers,
      // Read at scrape time: the hot path only moves a plain number.
      collect() {
        this.set(metrics.inFlightRequests);
      },
    });
    this.pgQueryDuration = new SeriesHistogram({
      name: 'pg_query_duration_seconds',
      help: 'PostgreSQL query duration by operation, in seconds (failed queries included).',
      labelNames: ['operation'] as const,
      buckets: DEPENDENCY_BUCKETS,
      registers,
    });
    this.pgPoolConnections = new Gauge({
      name: 'pg_pool_connections',
      help: 'PostgreSQL pool connections: total open, idle, and requests waiting for one.',
      labelNames: ['state'] as const,
      registers,
      collect() {
        const stats = metrics.poolStats?.();
        if (!stats) return;
        for (const state of POOL_STATES) this.labels(state).set(stats[state]);
      },
    });
    this.redisCommandDuration = new SeriesHistogram({
      name: 'redis_command_duration_seconds',
      help: 'Redis command duration by command, in seconds (failed commands included).',
      labelNames: ['command'] as const,
      buckets: DEPENDENCY_BUCKETS,
      registers,
    });
    this.cacheHits = new Counter({ name: 'cache_hits_total', help: 'Item reads answered from Redis.', registers });
    this.cacheMisses = new Counter({ name: 'cache_misses_total', help: 'Item reads not found in Redis.', registers });
    this.cacheErrors = new Counter({
      name: 'cache_errors_total',
      help: 'Redis cache operations that failed; the request went on without the cache.',
      labelNames: ['operation'] as const,
      registers,
    });
    this.appErrors = new Counter({
      name: 'app_errors_total',
      help: 'Errors by kind: internal (5xx), dependency_unavailable (503), unhandled_rejection, uncaught_exception.',
      labelNames: ['kind'] as const,
      registers,
    });
    this.breakerState = new Gauge({
      name: 'circuit_breaker_state',
      help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open.',
      labelNames: ['breaker'] as const,
      registers,
    });
    this.buildInfo = new Gauge({
      name: 'app_build_info',
      help: 'Always 1; labels carry the running build.',
      labelNames: ['version', 'commit', 'node_version'] as const,
      registers,
    });
    this.buildInfo.labels(options.version, options.commit, process.version).set(1);
    // prom-client reports the heap used but not the limit V8 stops at. Node sizes that limit from
    // the container's memory (cgroup), not the host's: measured here with Node 24 in a cgroup of
    // 512 MiB it is 259 MiB, of 2048 MiB 1120 MiB. So the heap alarm is a share of this limit,
    // which stays right when a task's memory changes.
    this.heapSizeLimit = new Gauge({
      name: 'nodejs_heap_size_limit_bytes',
      help: 'Largest size V8 lets the JavaScript heap reach (heap_size_limit); past it the process dies of heap exhaustion.',
      registers,
    });
    this.heapSizeLimit.set(getHeapStatistics().heap_size_limit);
    // Series that must exist from the first scrape (rate() and absent() need them before the first event).
    for (const operation of CACHE_OPERATIONS) this.cacheErrors.labels(operation).inc(0);
    for (const kind of ERROR_KINDS) this.appErrors.labels(kind).inc(0);
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /**
   * The request series of one (method, route, status code), created on first use; `route` is the
   * template or {@link UNMATCHED_ROUTE}. Each call joins a key: the request hooks keep the result.
   */
  requestSeries(method: string, route: string, statusCode: number): RequestSeries {
    const values = [methodLabel(method), route, String(statusCode)];
    return { count: this.httpRequests.series(...values), duration: this.httpDuration.series(...values) };
  }

  /** Records one finished HTTP request (tests, the benchmark's synthetic routes); see {@link requestSeries}. */
  recordRequest(method: string, route: string, statusCode: number, seconds: number): void {
    const series = this.requestSeries(method, route, statusCode);
    series.count.inc();
    series.duration.observe(seconds);
  }

  /**
   * Creates a route's 5xx request counters at 0 (call it once per route and method, as the route
   * is added). `rate()` and `increase()` measure a counter from its previous sample, so a series
   * whose first sample is already 1 adds nothing in its first window: without this, the first
   * 500 or 503 of every route after every deploy was left out of the error ratio and the SLO
   * burn alerts. Only the counter: a histogram series would add 18 lines (15 buckets, +Inf, sum,
   * count) per status.
   */
  prepareRoute(method: string, route: string): void {
    for (const statusCode of PREPARED_STATUS_CODES) this.httpRequests.series(methodLabel(method), route, String(statusCode));
  }

  /** Counts one error of `kind` (only the kinds whose series exist from the first scrape). */
  recordError(kind: ErrorKind): void {
    this.appErrors.labels(kind).inc();
  }

  /** Records one PostgreSQL query's duration. */
  recordPgQuery(operation: PgOperation, seconds: number): void {
    this.pgQueryDuration.series(operation).observe(seconds);
  }

  /** Records one Redis command's duration. */
  recordRedisCommand(command: RedisCommand, seconds: number): void {
    this.redisCommandDuration.series(command).observe(seconds);
  }

  /** Sets the function `pg_pool_connections` reads at scrape time. */
  watchPool(stats: () => PoolStats): void {
    this.poolStats = stats;
  }
}

