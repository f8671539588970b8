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
      if (cached === null) {
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

  /** Stores an item's JSON with {@link ITEM_TTL_SECONDS}; failures are counted, never thrown. */
  async setItem(id: string, json: string): Promise<void> {
    await this.attempt('write', 'set', () => this.client.set(itemKey(id), json, 'EX', ITEM_TTL_SECONDS));
  }

  /** Drops an item after a write; failures are counted (the TTL bounds the staleness). */
  async invalidate(id: string): Promise<void> {
    await this.attempt('invalidate', 'del', () => this.client.del(itemKey(id)));
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
