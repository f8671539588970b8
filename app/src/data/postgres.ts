/**
 * PostgreSQL access: one pg pool, every query timed (`pg_query_duration_seconds`) and run through
 * an opossum circuit breaker so an outage turns into fast 503s instead of piles of waiting
 * requests. Readiness pings bypass the breaker: they must see the database come back. They also
 * bypass the pool, on a connection of their own: a ping queued behind a busy pool timed out, so a
 * task that was only busy answered 503 and the ALB took it out, moving its load onto the others
 * (the cascade a readiness check must not start). Each task therefore opens up to
 * `PG_POOL_MAX` + 1 connections.
 */
import { performance } from 'node:perf_hooks';
import CircuitBreaker from 'opossum';
import { Pool, type QueryResult, type QueryResultRow } from 'pg';
import type { AppConfig } from '../config';
import { BREAKER_OPEN, DependencyUnavailableError, isUnavailable, withTimeout } from '../errors';
import type { Logger } from '../observability/logger';
import { BREAKER_STATE, type AppMetrics, type PgOperation } from '../observability/metrics';
import { INVALID_PASSWORD, SecretPassword } from './pg-password';

/** Breaker and timeout settings; the reset timeout bounds recovery after an outage (< 5 s). */
export const POSTGRES_TIMEOUTS = {
  /** Waiting for a new connection. */
  connectMs: 1000,
  /** Server-side `statement_timeout`. */
  statementMs: 2000,
  /** Client-side limit on one query, slightly above the server's. */
  queryMs: 2500,
  /** How long the breaker stays open before letting one trial call through. */
  breakerResetMs: 2000,
  /**
   * Deadline of one Secrets Manager read of the password. Longer than `connectMs` on purpose: a
   * connection attempt may give up first, but the read goes on and the next attempt reuses it.
   */
  secretFetchMs: 3000,
} as const;

/** What {@link Database} needs. */
export interface DatabaseOptions {
  readonly config: AppConfig['postgres'];
  readonly applicationName: string;
  readonly logger: Logger;
  /** `undefined` turns timing off (benchmark baseline only). */
  readonly metrics?: AppMetrics;
}

type QueryArgs = [text: string, values: readonly unknown[] | undefined];

/** The service's PostgreSQL gateway. */
export class Database {
  /** The pool; exposed for migrations and tests. */
  readonly pool: Pool;
  /** One connection for readiness pings only (see the module comment). */
  private readonly pingPool: Pool;
  private readonly breaker: CircuitBreaker<QueryArgs, QueryResult>;
  private readonly metrics: AppMetrics | undefined;
  /** Set when the password comes from Secrets Manager (`PG_PASSWORD_SECRET_ARN`). */
  private readonly secretPassword: SecretPassword | undefined;

  constructor(options: DatabaseOptions) {
    const { config, logger, metrics } = options;
    this.metrics = metrics;
    this.secretPassword = config.passwordSecretArn
      ? new SecretPassword({ secretArn: config.passwordSecretArn, timeoutMs: POSTGRES_TIMEOUTS.secretFetchMs, logger })
      : undefined;
    const secretPassword = this.secretPassword;
    const connection = {
      host: config.host,
      port: config.port,
      database: config.database,
      user: config.user,
      // pg calls a function here for every new connection that the server asks a password of.
      password: secretPassword ? () => secretPassword.get() : config.password,
      ssl: config.sslMode === 'disable' ? false : { rejectUnauthorized: config.sslMode === 'verify-full' },
      application_name: options.applicationName,
      connectionTimeoutMillis: POSTGRES_TIMEOUTS.connectMs,
      statement_timeout: POSTGRES_TIMEOUTS.statementMs,
      query_timeout: POSTGRES_TIMEOUTS.queryMs,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
    };
    this.pool = new Pool({ ...connection, max: config.poolMax });
    this.pingPool = new Pool({ ...connection, max: 1 });
    // An idle client losing its connection (database restart) must not crash the process;
    // the pool drops that client by itself.
    for (const pool of [this.pool, this.pingPool]) pool.on('error', (error) => logger.warn('idle PostgreSQL connection failed', { err: error }));
    metrics?.watchPool(() => ({ total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount }));

    this.breaker = new CircuitBreaker((text: string, values: readonly unknown[] | undefined) => this.poolQuery(this.pool, text, values), {
      name: 'postgres',
      timeout: POSTGRES_TIMEOUTS.queryMs + POSTGRES_TIMEOUTS.connectMs,
      resetTimeout: POSTGRES_TIMEOUTS.breakerResetMs,
      errorThresholdPercentage: 50,
      volumeThreshold: 3,
      rollingCountTimeout: 10_000,
      // Query errors (constraint, bad input) say nothing about availability: do not count them.
      errorFilter: (error: Error) => !isUnavailable(error),
    });
    const breakerGauge = metrics?.breakerState.labels('postgres');
    breakerGauge?.set(BREAKER_STATE.closed);
    this.breaker.on('open', () => {
      breakerGauge?.set(BREAKER_STATE.open);
      logger.warn('circuit breaker opened', { breaker: 'postgres' });
    });
    this.breaker.on('halfOpen', () => breakerGauge?.set(BREAKER_STATE.halfOpen));
    this.breaker.on('close', () => {
      breakerGauge?.set(BREAKER_STATE.closed);
      logger.info('circuit breaker closed', { breaker: 'postgres' });
    });
  }

  /**
   * Runs one query through the breaker. Unavailability (refused, lost, timed out, breaker open)
   * becomes {@link DependencyUnavailableError}; other errors pass through unchanged.
   */
  async query<R extends QueryResultRow>(operation: PgOperation, text: string, values?: readonly unknown[]): Promise<QueryResult<R>> {
    const started = performance.now();
    try {
      const result = (await this.breaker.fire(text, values)) as QueryResult<R>;
      this.metrics?.recordPgQuery(operation, (performance.now() - started) / 1000);
      return result;
    } catch (error) {
      const breakerOpen = (error as { code?: unknown }).code === BREAKER_OPEN;
      // A call the open breaker refused never reached PostgreSQL: it is not a query duration.
      if (!breakerOpen) this.metrics?.recordPgQuery(operation, (performance.now() - started) / 1000);
      if (isUnavailable(error)) {
        throw new DependencyUnavailableError('postgres', breakerOpen, Math.ceil(POSTGRES_TIMEOUTS.breakerResetMs / 1000), { cause: error });
      }
      throw error;
    }
  }

  /**
   * `SELECT 1` with a deadline, outside the breaker and the pool (readiness). Rejects when
   * PostgreSQL is away, not when the pool is merely busy.
   */
  async ping(timeoutMs: number): Promise<void> {
    const started = performance.now();
    try {
      await withTimeout(this.poolQuery(this.pingPool, 'SELECT 1', undefined), timeoutMs, 'PostgreSQL ping');
    } finally {
      this.metrics?.recordPgQuery('ping', (performance.now() - started) / 1000);
    }
  }

  /**
   * `pool.query`, except that a connection refused for its password (the master password was
   * rotated) drops the cached secret and is tried once more with a freshly read one, so the
   * request that discovers the rotation still succeeds. Without a secret there is nothing to
   * re-read: the error passes through.
   */
  private async poolQuery(pool: Pool, text: string, values: readonly unknown[] | undefined): Promise<QueryResult> {
    try {
      return await pool.query(text, values as unknown[]);
    } catch (error) {
      if (!this.secretPassword || (error as { code?: unknown }).code !== INVALID_PASSWORD) throw error;
      this.secretPassword.invalidate();
      return pool.query(text, values as unknown[]);
    }
  }

  /** Stops the breaker's timers and closes every connection. */
  async close(): Promise<void> {
    this.breaker.shutdown();
    await Promise.all([this.pool.end(), this.pingPool.end()]);
    this.secretPassword?.close();
  }
}
