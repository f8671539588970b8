/**
 * Schema migrations, applied at start-up under a PostgreSQL advisory lock so several tasks
 * starting at once apply each migration exactly once (the others wait on the lock, then find
 * nothing to do).
 *
 * Why not node-pg-migrate: its current major is ESM-only and loads migration files from a folder
 * at run time; the service is CommonJS and ships only `dist/`. The whole mechanism needed here is
 * a lock, a bookkeeping table and ordered transactions, which fits below.
 */
import type { Pool } from 'pg';

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
 * Applies pending migrations; returns the names applied by this call (empty when up to date).
 * @param pool where to run them; one connection is held for the duration
 * @param migrations the list to apply @default MIGRATIONS
 */
export async function migrate(pool: Pool, migrations: readonly Migration[] = MIGRATIONS): Promise<string[]> {
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const done = new Set(
        (await client.query<{ id: number }>('SELECT id FROM schema_migrations')).rows.map((row) => row.id),
      );
      for (const migration of migrations) {
        if (done.has(migration.id)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.up);
          await client.query('INSERT INTO schema_migrations (id, name) VALUES ($1, $2)', [migration.id, migration.name]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${migration.id} (${migration.name}) failed: ${(error as Error).message}`, { cause: error });
        }
        applied.push(migration.name);
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
  return applied;
}
