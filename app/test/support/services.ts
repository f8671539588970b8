/**
 * Throwaway PostgreSQL and Redis servers on free loopback ports, and a way to run the real service
 * as a child process. Node built-ins only, so the repository's root end-to-end tests can import it
 * too: `import { startPostgres, startRedis, spawnServer } from '../app/test/support/services'`.
 *
 * Requirements: Debian's `postgresql` (initdb, pg_ctl under /usr/lib/postgresql/<major>/bin, or
 * `PG_BIN` pointing at such a folder) and `redis-server` on PATH. initdb refuses to run as root,
 * so as root every PostgreSQL command runs as the `postgres` user (`runuser -u postgres --`).
 *
 * Typical use:
 * ```ts
 * const pg = await startPostgres();
 * const redis = await startRedis();
 * const server = await spawnServer({ env: { ...pg.env, ...redis.env } });
 * await fetch(`${server.baseUrl}/readyz`);
 * await server.stop(); await redis.stop(); await pg.stop();
 * ```
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Asks the kernel for a free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Resolves once something accepts TCP connections on `port`, rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs = 15_000, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((done) => {
      const socket = createConnection({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        done(true);
      });
      socket.once('error', () => done(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** A dependency that can be taken away and brought back (outage tests). */
export interface ControllableService {
  /** Always 127.0.0.1. */
  readonly host: string;
  readonly port: number;
  /** Environment variables pointing the service at this instance. */
  readonly env: Record<string, string>;
  /** Stops the server, keeping its data; `start()` brings it back on the same port. */
  halt(): Promise<void>;
  /** Starts a halted server again. */
  start(): Promise<void>;
  /** Stops the server for good and deletes its files. */
  stop(): Promise<void>;
}

/** A running throwaway PostgreSQL. */
export interface PostgresService extends ControllableService {
  readonly database: string;
  readonly user: string;
  /** Runs SQL through psql as the superuser (set-up and assertions). */
  psql(sql: string): Promise<string>;
}

function postgresBinDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const major of majors) {
    const bin = join(root, major, 'bin');
    if (existsSync(join(bin, 'initdb'))) return bin;
  }
  throw new Error('PostgreSQL binaries not found: apt-get install -y postgresql, or set PG_BIN to the folder holding initdb');
}

const asRoot = userInfo().uid === 0;

/** Runs a PostgreSQL binary, as the `postgres` user when we are root (initdb refuses root). */
async function pgCommand(bin: string, args: string[], timeoutMs = 60_000): Promise<string> {
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  try {
    const { stdout } = await run(file, argv, { timeout: timeoutMs, cwd: '/' });
    return stdout;
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`${bin} ${args.join(' ')} failed: ${stderr || stdout || (error as Error).message}`);
  }
}

/**
 * Starts PostgreSQL in a fresh temporary data directory (trust authentication, loopback only,
 * fsync off: data is thrown away) with a database `vigil`.
 */
export async function startPostgres(options: { database?: string } = {}): Promise<PostgresService> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-pg-'));
  const data = join(dir, 'data');
  const port = await freePort();
  const database = options.database ?? 'vigil';
  const user = 'postgres';
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  await pgCommand(join(bin, 'initdb'), ['-D', data, '-U', user, '--auth=trust', '--encoding=UTF8', '--no-sync', '--no-instructions']);
  const serverOptions = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=50',
  ].join(' ');
  const start = async (): Promise<void> => {
    await pgCommand(join(bin, 'pg_ctl'), ['start', '-D', data, '-w', '-t', '30', '-l', join(dir, 'server.log'), '-o', serverOptions]);
  };
  const halt = async (): Promise<void> => {
    await pgCommand(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-w', '-t', '30']);
  };
  const psql = (sql: string): Promise<string> =>
    pgCommand(join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', database, '-v', 'ON_ERROR_STOP=1', '-At', '-c', sql]);
  await start();
  await pgCommand(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', user, database]);
  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    database,
    user,
    env: { PGHOST: '127.0.0.1', PGPORT: String(port), PGDATABASE: database, PGUSER: user, PGSSLMODE: 'disable' },
    halt,
    start,
    psql,
    async stop() {
      if (stopped) return;
      stopped = true;
      await halt().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A running throwaway Redis. */
export interface RedisService extends ControllableService {
  /** The redis-server process while it runs (the benchmark pins it to a CPU). */
  readonly pid: number | undefined;
}

/** Starts redis-server on a free port with persistence off. */
export async function startRedis(): Promise<RedisService> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    proc.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const failed = new Promise<never>((_, reject) => {
      proc.once('error', (error) => reject(new Error(`redis-server could not start: ${error.message} (apt-get install -y redis-server)`)));
      proc.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${stderr}`)));
    });
    failed.catch(() => undefined);
    await Promise.race([waitForPort(port), failed]);
    child = proc;
  };
  const halt = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((done) => proc.once('exit', done));
    proc.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    host: '127.0.0.1',
    port,
    env: { REDIS_HOST: '127.0.0.1', REDIS_PORT: String(port), REDIS_TLS: 'false' },
    get pid() {
      return child?.pid;
    },
    halt,
    start,
    stop: halt,
  };
}

/** The service running as a child process. */
export interface ServerProcess {
  readonly child: ChildProcess;
  /** Bound public port and metrics port, from the `listening` log line. */
  readonly port: number;
  readonly metricsPort: number;
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  /** `http://127.0.0.1:<metricsPort>/metrics` */
  readonly metricsUrl: string;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** stdout parsed as JSON lines (non-JSON lines are skipped). */
  logLines(): Array<Record<string, unknown>>;
  /** Resolves with the exit code and signal once the process ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves with the exit. */
  stop(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Where the service's package lives (this file is app/test/support/services.ts). */
export const APP_DIR = resolve(__dirname, '..', '..');

/** What {@link spawnServer} accepts. */
export interface SpawnServerOptions {
  /** Variables added to a minimal environment (PATH, HOME); `PORT`/`METRICS_PORT` default to 0. */
  readonly env?: Record<string, string>;
  /**
   * `source` runs app/src/server.ts through an @swc/core require hook (app devDependency);
   * `dist` runs app/dist/server.js (after `npm run build` in app/). @default 'source'
   */
  readonly entry?: 'source' | 'dist';
  /** Node binary. @default process.execPath */
  readonly node?: string;
  /** How long to wait for the `listening` line. @default 30000 */
  readonly startTimeoutMs?: number;
}

/**
 * Starts the real server (server.ts) in a child process and waits for its `listening` line.
 * Rejects with the process output if it exits first (e.g. a configuration error).
 */
export async function spawnServer(options: SpawnServerOptions = {}): Promise<ServerProcess> {
  const args =
    options.entry === 'dist'
      ? [join(APP_DIR, 'dist', 'server.js')]
      : ['--require', join(APP_DIR, 'test', 'support', 'register-ts.js'), join(APP_DIR, 'src', 'server.ts')];
  const child = spawn(options.node ?? process.execPath, args, {
    cwd: APP_DIR,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      PORT: '0',
      METRICS_PORT: '0',
      HOST: '127.0.0.1',
      DEPLOY_ENV: 'test',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  const logLines = (): Array<Record<string, unknown>> =>
    stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      });

  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  let listening: Record<string, unknown> | undefined;
  while (!listening) {
    listening = logLines().find((line) => line.message === 'listening');
    if (listening) break;
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`server exited before listening (code ${child.exitCode}):\n${stderr}\n${stdout}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start in time:\n${stderr}\n${stdout}`);
    }
    await sleep(25);
  }
  const port = Number(listening.port);
  const metricsPort = Number(listening.metricsPort);
  return {
    child,
    port,
    metricsPort,
    baseUrl: `http://127.0.0.1:${port}`,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    stdout: () => stdout,
    stderr: () => stderr,
    logLines,
    exited,
    async stop(timeoutMs = 30_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        const result = await exited;
        clearTimeout(timer);
        return result;
      }
      return exited;
    },
  };
}
