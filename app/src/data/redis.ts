/**
 * Redis as a cache-aside layer. Redis is an optimisation, never a requirement: every cache call
 * has a short timeout, a failure is counted (`cache_errors_total{operation}`) and reported as "no
 * cache", and the client reconnects forever in the background so caching resumes by itself.
 */
import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import type { AppConfig } from '../config';
import { withTimeout } from '../errors';
import type { Logger } from '../observability/logger';
import type { AppMetrics, CacheOperation, RedisCommand } from '../observability/metrics';

/** Timeouts for Redis; cache calls must cost little even when Redis hangs. */
export const REDIS_TIMEOUTS = {
  connectMs: 1000,
  commandMs: 250,
  /** Longest pause between reconnection attempts. */
  maxReconnectDelayMs: 1000,
} as const;

/** How long a cached item lives; bounds staleness if an invalidation is lost during an outage. */
export const ITEM_TTL_SECONDS = 60;

/**
 * What an invalidation leaves in an item's key, for {@link INVALIDATION_HOLD_MS}: reads take it
 * as a miss, and fills (`SET … NX`) cannot replace it. A plain `DEL` let a read that fetched the
 * row just before a write cache that old row just after the write's `DEL`: the stale copy (or a
 * deleted item) was then served for the whole TTL. Cached values are JSON objects, so they never
 * equal it.
 */
export const INVALIDATED = 'invalidated';
/**
 * How long {@link INVALIDATED} holds a key: longer than a read's window from PostgreSQL to its
 * fill (a query runs at most the 2.5 s client-side limit, then the fill is sent on the same
 * connection), so no read that saw the old row can fill after the hold ends.
 */
export const INVALIDATION_HOLD_MS = 5000;

/** What {@link Cache} needs. */
export interface CacheOptions {
  readonly config: AppConfig['redis'];
  readonly logger: Logger;
  /** `undefined` turns timing and counting off (benchmark baseline only). */
  readonly metrics?: AppMetrics;
}

/** Item cache over one ioredis connection. */
export class Cache {
  /** The client; exposed for tests. */
  readonly client: Redis;
  private readonly logger: Logger;
  private readonly metrics: AppMetrics | undefined;
  private available = true;

  constructor(options: CacheOptions) {
    const { config, logger, metrics } = options;
    this.logger = logger;
    this.metrics = metrics;
    this.client = new Redis({
      host: config.host,
      port: config.port,
      password: config.authToken,
      tls: config.tls ? {} : undefined,
      connectTimeout: REDIS_TIMEOUTS.connectMs,
      commandTimeout: REDIS_TIMEOUTS.commandMs,
      // Fail at once while disconnected instead of queueing requests behind a dead connection.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt) => Math.min(attempt * 100, REDIS_TIMEOUTS.maxReconnectDelayMs),
      lazyConnect: true,
    });
    // ioredis emits 'error' on every failed reconnect: log the transition once, not each attempt.
    this.client.on('error', (error) => this.markUnavailable(error));
    this.client.on('ready', () => {
      if (this.available) return;
      this.available = true;
      logger.info('Redis available again; caching resumed');
    });
  }

  /** Opens the connection, waiting at most the connect timeout; the service starts either way. */
  async connect(): Promise<void> {
    try {
      await withTimeout(this.client.connect(), REDIS_TIMEOUTS.connectMs * 2, 'Redis connect');
    } catch (error) {
      // Reconnection goes on in the background (retryStrategy); readiness reports the outage.
      this.markUnavailable(error);
    }
  }

  /** The cached JSON of an item, or `undefined` on a miss or a cache failure. */
  async getItem(id: string): Promise<string | undefined> {
    const started = performance.now();
    try {
      const cached = await this.client.get(itemKey(id));
      this.record('get', started);
      if (cached === null || cached === INVALIDATED) {
        this.metrics?.cacheMisses.inc();
        return undefined;
      }
      this.metrics?.cacheHits.inc();
      return cached;
    } catch (error) {
      this.fail('read', 'get', started, error);
      return undefined;
    }
  }

  /**
   * Caches an item's JSON read from PostgreSQL, for {@link ITEM_TTL_SECONDS}, unless the key is
   * taken: by a fill that came first (the same row) or by a write's {@link INVALIDATED} mark
   * (this row may be older than that write). Failures are counted, never thrown.
   */
  async setItem(id: string, json: string): Promise<void> {
    await this.attempt('write', 'set', () => this.client.set(itemKey(id), json, 'EX', ITEM_TTL_SECONDS, 'NX'));
  }

  /**
   * Replaces an item's entry by {@link INVALIDATED} after a write; failures are counted (the TTL
   * bounds the staleness).
   */
  async invalidate(id: string): Promise<void> {
    await this.attempt('invalidate', 'set', () => this.client.set(itemKey(id), INVALIDATED, 'PX', INVALIDATION_HOLD_MS));
  }

  /** `PING` with a deadline (readiness). Rejects when Redis is away. */
  async ping(timeoutMs: number): Promise<void> {
    const started = performance.now();
    try {
      await withTimeout(this.client.ping(), timeoutMs, 'Redis ping');
    } finally {
      this.record('ping', started);
    }
  }

  /** Closes the connection and stops reconnecting. */
  async close(): Promise<void> {
    this.client.removeAllListeners('error');
    this.client.on('error', () => undefined);
    if (this.client.status === 'ready') {
      await this.client.quit().catch(() => this.client.disconnect());
    } else {
      this.client.disconnect();
    }
  }

  /** Runs a cache write; a failure is timed, counted and swallowed (the cache is optional). */
  private async attempt(operation: CacheOperation, command: RedisCommand, call: () => Promise<unknown>): Promise<void> {
    const started = performance.now();
    try {
      await call();
      this.record(command, started);
    } catch (error) {
      this.fail(operation, command, started, error);
    }
  }

  private record(command: RedisCommand, started: number): void {
    this.metrics?.recordRedisCommand(command, (performance.now() - started) / 1000);
  }

  private fail(operation: CacheOperation, command: RedisCommand, started: number, error: unknown): void {
    this.record(command, started);
    this.metrics?.cacheErrors.labels(operation).inc();
    this.logger.debug('cache operation failed', { operation, err: error });
    this.markUnavailable(error);
  }

  private markUnavailable(error: unknown): void {
    if (!this.available) return;
    this.available = false;
    this.logger.warn('Redis unavailable; serving without cache', { err: error });
  }
}

/** Redis key of an item; versioned so a change of the cached shape never reads old entries. */
export function itemKey(id: string): string {
  return `item:v1:${id}`;
}
