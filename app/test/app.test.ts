import { BODY_LIMIT_BYTES, HEADERS_TIMEOUT_MS, KEEP_ALIVE_TIMEOUT_MS } from '../src/app';
import { sampleValue, scrape, startStack, type Stack } from './support/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe('HTTP server settings behind an ALB', () => {
  test('keep-alive outlives the ALB idle timeout (60 s) and the headers timeout is above it', () => {
    expect(KEEP_ALIVE_TIMEOUT_MS).toBeGreaterThan(60_000);
    expect(stack.app.server.keepAliveTimeout).toBe(KEEP_ALIVE_TIMEOUT_MS);
    expect(stack.app.server.headersTimeout).toBe(HEADERS_TIMEOUT_MS);
    expect(HEADERS_TIMEOUT_MS).toBeGreaterThan(KEEP_ALIVE_TIMEOUT_MS);
    expect(stack.app.server.requestTimeout).toBeGreaterThan(HEADERS_TIMEOUT_MS);
  });

  test('the body limit is enforced at the configured size', async () => {
    const over = '{"name":"a","description":"' + 'x'.repeat(BODY_LIMIT_BYTES) + '"}';
    const response = await stack.app.inject({ method: 'POST', url: '/v1/items', payload: over, headers: { 'content-type': 'application/json' } });
    expect(response.statusCode).toBe(413);
  });
});

describe('health endpoints', () => {
  test('liveness answers 200 without touching dependencies', async () => {
    const response = await stack.app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  test('readiness answers 200 with each dependency checked', async () => {
    const response = await stack.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
  });

  test('readiness stays 200 while every pool connection is busy: a task that is only busy is not taken out of the ALB', async () => {
    const { pool } = stack.app.vigil.db;
    const held = await Promise.all(Array.from({ length: stack.config.postgres.poolMax }, () => pool.connect()));
    try {
      expect(pool.idleCount).toBe(0);
      const response = await stack.app.inject({ method: 'GET', url: '/readyz' });
      expect(response.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
      expect(response.statusCode).toBe(200);
    } finally {
      for (const client of held) client.release();
    }
  });

  test('readiness answers 503 "draining" as soon as shutdown starts, liveness stays 200', async () => {
    stack.app.vigil.lifecycle.draining = true;
    try {
      const response = await stack.app.inject({ method: 'GET', url: '/readyz' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({ status: 'draining' });
      expect((await stack.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      stack.app.vigil.lifecycle.draining = false;
    }
  });
});

describe('internal errors', () => {
  test('GIVEN a failure the client did not cause WHEN it is answered THEN the body says only "Internal Server Error", the log has the stack and the error is counted', async () => {
    await stack.pg.psql('ALTER TABLE items RENAME TO items_moved');
    try {
      const response = await stack.app.inject({ method: 'GET', url: '/v1/items', headers: { 'x-request-id': 'req-internal-error-1' } });
      expect(response.statusCode).toBe(500);
      expect(response.json()).toEqual({ error: 'Internal Server Error', message: 'Internal Server Error' });
      expect(response.body).not.toMatch(/items|relation|postgres/i);
      const logged = stack.logs().find((line) => line.message === 'request failed' && line.requestId === 'req-internal-error-1');
      expect(logged).toMatchObject({ level: 'error', route: '/v1/items', err: { message: 'relation "items" does not exist' } });
      expect((logged!.err as { stack: string }).stack).toMatch(/\n\s+at /);
      expect(sampleValue(await scrape(stack.app), 'app_errors_total', { kind: 'internal' })).toBe(1);
    } finally {
      await stack.pg.psql('ALTER TABLE items_moved RENAME TO items');
    }
  });

  test('a query error is not an outage: the circuit breaker stays closed', async () => {
    expect(sampleValue(await scrape(stack.app), 'circuit_breaker_state', { breaker: 'postgres' })).toBe(0);
  });
});

describe('migrations', () => {
  test('run once under an advisory lock: concurrent runs apply nothing twice', async () => {
    const { migrate } = await import('../src/data/migrations');
    const results = await Promise.all([migrate(stack.app.vigil.db.pool), migrate(stack.app.vigil.db.pool)]);
    expect(results).toEqual([[], []]);
    expect(await stack.pg.psql('SELECT id, name FROM schema_migrations ORDER BY id')).toBe('1|create_items\n');
  });

  /** Runs `work` with a second session on the test database, as another task or a long query would hold one. */
  async function withOtherSession(work: (session: import('pg').Client) => Promise<void>): Promise<void> {
    const { Client } = await import('pg');
    const session = new Client({ host: stack.pg.host, port: stack.pg.port, user: stack.pg.user, database: stack.pg.database });
    await session.connect();
    try {
      await work(session);
    } finally {
      // Ending the session also rolls back what it left open and releases its locks.
      await session.end();
    }
  }

  test('GIVEN another task holds the migration lock for longer than the 2 s request limit WHEN a task migrates THEN it waits and succeeds', async () => {
    const { migrate, MIGRATION_LOCK_KEY } = await import('../src/data/migrations');
    await withOtherSession(async (holder) => {
      await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      const started = Date.now();
      const migrating = migrate(stack.app.vigil.db.pool);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      await holder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
      expect(await migrating).toEqual([]);
      // It did wait for the lock (not a measure of speed).
      expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
    });
    // The pool's request limit is untouched: the migration's connection was not returned to it.
    const { rows } = await stack.app.vigil.db.pool.query('SHOW statement_timeout');
    expect(rows[0].statement_timeout).toBe('2s');
  });

  test('GIVEN a query holding a lock on the table WHEN a migration needs that table THEN it gives up at the lock timeout with a clear error, not at the statement limit', async () => {
    const { migrate } = await import('../src/data/migrations');
    await withOtherSession(async (reader) => {
      // A long read: ALTER TABLE needs an exclusive lock that waits for it.
      await reader.query('BEGIN; LOCK TABLE items IN ACCESS SHARE MODE');
      const altering = [{ id: 1_000_001, name: 'add_colour', up: 'ALTER TABLE items ADD COLUMN colour text' }];
      await expect(migrate(stack.app.vigil.db.pool, altering)).rejects.toThrow(
        /^migration 1000001 \(add_colour\) failed: canceling statement due to lock timeout \(waited over 5 s for a table lock that running queries hold/,
      );
    });
    // Rolled back: nothing recorded, nothing changed.
    expect(await stack.pg.psql('SELECT count(*) FROM schema_migrations WHERE id = 1000001')).toBe('0\n');
    expect(await stack.pg.psql("SELECT count(*) FROM information_schema.columns WHERE table_name = 'items' AND column_name = 'colour'")).toBe('0\n');
  });

  test('GIVEN a fresh database WHEN three instances migrate at once THEN each migration is applied exactly once', async () => {
    await stack.pg.psql('CREATE DATABASE fresh');
    const { Pool } = await import('pg');
    const pool = new Pool({ host: stack.pg.host, port: stack.pg.port, user: stack.pg.user, database: 'fresh', max: 4 });
    // A connection still closing when PostgreSQL stops after the suite must not fail the run.
    pool.on('error', () => undefined);
    try {
      const { migrate, MIGRATIONS } = await import('../src/data/migrations');
      const results = await Promise.all([migrate(pool), migrate(pool), migrate(pool)]);
      expect(results.flat()).toEqual(MIGRATIONS.map((migration) => migration.name));
      const { rows } = await pool.query('SELECT count(*)::int AS n FROM schema_migrations');
      expect(rows[0].n).toBe(MIGRATIONS.length);
    } finally {
      await pool.end();
    }
  });
});
