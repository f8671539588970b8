/**
 * The app built in-process against a real throwaway PostgreSQL and Redis, with its log lines
 * captured. Most service tests use this; tests that need the real process (signals, Sentry,
 * configuration errors) use spawnServer from services.ts.
 */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app';
import { loadConfig, type AppConfig } from '../../src/config';
import { createLogger } from '../../src/observability/logger';
import { startPostgres, startRedis, type ControllableService, type PostgresService } from './services';

/** A running app with its dependencies. */
export interface Stack {
  readonly app: FastifyInstance;
  readonly config: AppConfig;
  readonly pg: PostgresService;
  readonly redis: ControllableService;
  /** Log lines written so far, parsed. */
  logs(): Array<Record<string, unknown>>;
  /** The raw text the logger wrote. */
  logText(): string;
  /** Closes the app, then stops Redis and PostgreSQL. */
  stop(): Promise<void>;
}

/** Options of {@link startStack}. */
export interface StackOptions {
  /** Runs once PostgreSQL is up, before the app is built and migrated (roles, authentication). */
  readonly beforeBuild?: (pg: PostgresService) => Promise<void>;
}

/** Starts PostgreSQL and Redis, then builds (and migrates) the app against them. */
export async function startStack(env: Record<string, string> = {}, options: StackOptions = {}): Promise<Stack> {
  const [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  let text = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  const config = loadConfig({ ...pg.env, ...redis.env, DEPLOY_ENV: 'test', LOG_LEVEL: 'debug', ...env });
  const logger = createLogger({ level: config.logLevel, service: config.serviceName, destination });
  let app: FastifyInstance;
  try {
    await options.beforeBuild?.(pg);
    app = await buildApp({ config, logger });
  } catch (error) {
    await Promise.all([pg.stop(), redis.stop()]);
    throw error;
  }
  return {
    app,
    config,
    pg,
    redis,
    logText: () => text,
    logs: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    async stop() {
      await app.close();
      await Promise.all([pg.stop(), redis.stop()]);
    },
  };
}

/**
 * Reads one sample from Prometheus text exposition: the value of `name` whose labels include all
 * of `labels`, or `undefined` when there is no such series.
 */
export function sampleValue(exposition: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of exposition.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found: Record<string, string> = {};
    for (const pair of (match[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) found[pair[1]] = pair[2];
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[4]);
  }
  return undefined;
}

/** The app's current `/metrics` text. */
export async function scrape(app: FastifyInstance): Promise<string> {
  return app.vigil.metrics!.registry.metrics();
}

/** Polls `probe` every 50 ms until it returns true; throws naming `what` after `timeoutMs`. */
export async function eventually(what: string, probe: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what}: still not true after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
