/**
 * Schema migrations, applied at start-up under a PostgreSQL advisory lock so several tasks
 * starting at once apply each migration exactly once (the others wait on the lock, then find
 * nothing to do).
 *
 * Why not node-pg-migrate: its current major is ESM-only and loads migration files from a folder
 * at run time; the service is CommonJS and ships only `dist/`. The whole mechanism needed here is
 * a lock, a bookkeeping table and ordered transactions, which fits below.
 */
import type { Pool, QueryConfig } from 'pg';

/** One forward-only migration. `id`s are increasing and never reused. */
export interface Migration {
  readonly id: number;
  readonly name: string;
  /** SQL run inside one transaction. */
  readonly up: string;
}

/** Every migration, in order. Append only: applied ones are never edited. */
export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'create_items',
    up: `
      CREATE TABLE items (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
        description text NOT NULL DEFAULT '',
        quantity    integer NOT NULL DEFAULT 0 CHECK (quantity >= 0),
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`,
  },
];

/** Advisory lock key for migrations (any constant bigint unique to this service). */
export const MIGRATION_LOCK_KEY = 4_711_202_600_002;

/**
 * Longest any one statement of a migration run may take, waiting for the lock included. The
 * pool's 2 s limits are for requests: under them a task that waited for another task's migration,
 * or a migration building an index, failed its start-up. 45 s stays inside the backend's 60 s
 * health-check grace period; a migration that needs longer belongs in a one-off task.
 */
export const MIGRATION_STATEMENT_TIMEOUT_MS = 45_000;

/**
 * Longest a migration's statement waits for a table lock. A DDL statement queued behind running
 * queries blocks every query on that table behind itself, so it gives up after 5 s instead of
 * stalling the live service for up to the statement limit; the task then fails to start and ECS
 * starts another, which tries again.
 */
export const MIGRATION_LOCK_TIMEOUT_MS = 5_000;

/** A query under the migration limits: the server's (set for the session) and pg's own. */
function migrationQuery(text: string, values?: unknown[]): QueryConfig {
  return { text, values, query_timeout: MIGRATION_STATEMENT_TIMEOUT_MS + 5_000 } as QueryConfig;
}

/**
 * Applies pending migrations; returns the names applied by this call (empty when up to date).
 * @param pool where to run them; one connection is held for the duration
 * @param migrations the list to apply @default MIGRATIONS
 */
export async function migrate(pool: Pool, migrations: readonly Migration[] = MIGRATIONS): Promise<string[]> {
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    // SET, not SET LOCAL: for the whole session. The connection is closed afterwards (below),
    // so no request ever runs under these limits.
    await client.query(`SET statement_timeout = ${MIGRATION_STATEMENT_TIMEOUT_MS}`);
    try {
      await client.query(migrationQuery('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]));
    } catch (error) {
      // 57014: cancelled by statement_timeout; pg's own limit says "Query read timeout".
      const timedOut = (error as { code?: string }).code === '57014' || /timeout/i.test((error as Error).message);
      if (!timedOut) throw error;
      throw new Error(
        `migrations: waited over ${MIGRATION_STATEMENT_TIMEOUT_MS / 1000} s for the migration lock (advisory lock ${MIGRATION_LOCK_KEY}): ` +
          `another session holds it; find it in pg_locks (locktype 'advisory') and end it if it is stuck`,
        { cause: error },
      );
    }
    try {
      // After taking the advisory lock: lock_timeout bounds that wait too.
      await client.query(`SET lock_timeout = ${MIGRATION_LOCK_TIMEOUT_MS}`);
      await client.query(
        migrationQuery(`CREATE TABLE IF NOT EXISTS schema_migrations (
           id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`),
      );
      const done = new Set(
        (await client.query<{ id: number }>(migrationQuery('SELECT id FROM schema_migrations'))).rows.map((row) => row.id),
      );
      for (const migration of migrations) {
        if (done.has(migration.id)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migrationQuery(migration.up));
          await client.query(migrationQuery('INSERT INTO schema_migrations (id, name) VALUES ($1, $2)', [migration.id, migration.name]));
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          // 55P03: lock_not_available, the lock_timeout above.
          const hint = (error as { code?: string }).code === '55P03' ? ` (waited over ${MIGRATION_LOCK_TIMEOUT_MS / 1000} s for a table lock that running queries hold; the next start tries again, or run it when the table is quieter)` : '';
          throw new Error(`migration ${migration.id} (${migration.name}) failed: ${(error as Error).message}${hint}`, { cause: error });
        }
        applied.push(migration.name);
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    // Closed instead of returned to the pool, which would keep the session's migration limits.
    client.release(true);
  }
  return applied;
}
