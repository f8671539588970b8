/**
 * The service's configuration: read from environment variables once, at boot, and validated.
 * Nothing else in the service reads `process.env`. A bad value becomes a {@link ConfigError}
 * whose message is one line naming the variable, the value received and what is expected;
 * values of secret variables are never echoed.
 */

/** Deployment environments the service knows. */
export const DEPLOY_ENVS = ['staging', 'production', 'development', 'test'] as const;
/** A deployment environment. */
export type DeployEnv = (typeof DEPLOY_ENVS)[number];

/** winston's npm levels, most severe first. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;
/** A log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** libpq `sslmode` values the service supports (node-postgres has no `prefer` fallback). */
export const PG_SSL_MODES = ['disable', 'require', 'verify-full'] as const;
/** A PostgreSQL TLS mode. */
export type PgSslMode = (typeof PG_SSL_MODES)[number];

/** Every setting of the service, typed and validated. */
export interface AppConfig {
  /** Public HTTP port. `PORT`; 0 picks a free port (tests). @default 8080 */
  readonly port: number;
  /** Port of the separate metrics listener (`/metrics`). `METRICS_PORT`. @default 9464 */
  readonly metricsPort: number;
  /** Interface both listeners bind to. `HOST`. @default '0.0.0.0' */
  readonly host: string;
  /** `DEPLOY_ENV`. @default 'development' */
  readonly deployEnv: DeployEnv;
  /** `LOG_LEVEL`. @default 'info' */
  readonly logLevel: LogLevel;
  /** `SERVICE_NAME`, written on every log line. @default 'vigil-api' */
  readonly serviceName: string;
  /** `APP_VERSION`, exported in `app_build_info` and as Sentry's release. @default '0.0.0-dev' */
  readonly appVersion: string;
  /** `GIT_COMMIT`. @default 'unknown' */
  readonly gitCommit: string;
  /** PostgreSQL connection (libpq variable names). */
  readonly postgres: {
    readonly host: string;
    readonly port: number;
    readonly database: string;
    readonly user: string;
    /** `PGPASSWORD`; secret. @default - none (trust or peer authentication) */
    readonly password?: string;
    /**
     * `PG_PASSWORD_SECRET_ARN`: the RDS secret (JSON with `password`) to read the password from
     * for every new connection, so a rotated password is picked up without a restart. Wins over
     * `PGPASSWORD` when set. @default - none (`PGPASSWORD` is used)
     */
    readonly passwordSecretArn?: string;
    /** `PGSSLMODE`. @default 'disable' */
    readonly sslMode: PgSslMode;
    /** `PG_POOL_MAX`: connections per task. @default 10 */
    readonly poolMax: number;
  };
  /** Redis connection. */
  readonly redis: {
    readonly host: string;
    readonly port: number;
    /** `REDIS_TLS`: ElastiCache with in-transit encryption needs it. @default false */
    readonly tls: boolean;
    /** `REDIS_AUTH_TOKEN`; secret. @default - none */
    readonly authToken?: string;
  };
  /** `SENTRY_DSN`; secret. Sentry stays off (no network at all) when unset. @default - none */
  readonly sentryDsn?: string;
  /**
   * `SHUTDOWN_DRAIN_MS`: after SIGTERM, how long the server keeps answering (with
   * `Connection: close`) before it stops accepting, so keep-alive clients leave cleanly.
   * @default 1000
   */
  readonly shutdownDrainMs: number;
}

/** A configuration value that cannot be used; `message` is the single line printed at boot. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    shownValue: string,
    readonly expected: string,
  ) {
    super(`invalid configuration: ${variable}=${shownValue} - expected ${expected}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const SECRET_VARIABLES = new Set(['PGPASSWORD', 'REDIS_AUTH_TOKEN', 'SENTRY_DSN']);

function fail(variable: string, value: string, expected: string): never {
  const shown = SECRET_VARIABLES.has(variable) ? '<hidden secret>' : JSON.stringify(value);
  throw new ConfigError(variable, shown, expected);
}

/** Empty strings count as unset: ECS and shells often pass `VAR=` for "nothing". */
function raw(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    fail(name, value, `an integer from ${min} to ${max}`);
  }
  return Number(value);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) fail(name, value, `one of ${allowed.join('|')}`);
  return value as T;
}

function text(env: Env, name: string, fallback: string, pattern: RegExp, expected: string): string {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!pattern.test(value)) fail(name, value, expected);
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return fail(name, value, 'true or false');
}

function sentryDsn(env: Env): string | undefined {
  const value = raw(env, 'SENTRY_DSN');
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol) || !url.username || !/^\/(.*\/)?\d+$/.test(url.pathname)) {
    fail('SENTRY_DSN', value, 'a Sentry DSN like https://<public key>@<host>/<project id>');
  }
  return value;
}

const HOSTNAME = /^[A-Za-z0-9.:_-]{1,253}$/;
const LABEL_SAFE = /^[A-Za-z0-9._+-]{1,64}$/;
/** Partition, region and 12-digit account are checked; the name is whatever Secrets Manager allows. */
const SECRET_ARN = /^arn:aws(-[a-z]+)*:secretsmanager:[a-z]{2}(-[a-z]+)+-\d:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

/**
 * Parses and validates the environment. Throws {@link ConfigError} on the first bad value.
 * @param env the variables to read, usually `process.env`
 */
export function loadConfig(env: Env): AppConfig {
  const port = integer(env, 'PORT', 8080, 0, 65535);
  const metricsPort = integer(env, 'METRICS_PORT', 9464, 0, 65535);
  if (metricsPort === port && port !== 0) {
    fail('METRICS_PORT', String(metricsPort), `a port other than PORT (${port}): metrics never share the public port`);
  }
  return {
    port,
    metricsPort,
    host: text(env, 'HOST', '0.0.0.0', HOSTNAME, 'an interface address such as 0.0.0.0 or 127.0.0.1'),
    deployEnv: oneOf(env, 'DEPLOY_ENV', DEPLOY_ENVS, 'development'),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    serviceName: text(env, 'SERVICE_NAME', 'vigil-api', /^[a-z][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes, starting with a letter'),
    appVersion: text(env, 'APP_VERSION', '0.0.0-dev', LABEL_SAFE, 'a version of letters, digits and . _ + - (at most 64)'),
    gitCommit: text(env, 'GIT_COMMIT', 'unknown', /^([0-9a-f]{7,40}|unknown)$/, 'a git commit hash of 7 to 40 hex digits'),
    postgres: {
      host: text(env, 'PGHOST', 'localhost', /^[^\s]{1,253}$/, 'a host name, an IP address or a unix socket directory'),
      port: integer(env, 'PGPORT', 5432, 1, 65535),
      database: text(env, 'PGDATABASE', 'vigil', /^[^\s]{1,63}$/, 'a database name without spaces (at most 63 characters)'),
      user: text(env, 'PGUSER', 'vigil', /^[^\s]{1,63}$/, 'a role name without spaces (at most 63 characters)'),
      password: raw(env, 'PGPASSWORD'),
      passwordSecretArn: text(env, 'PG_PASSWORD_SECRET_ARN', '', SECRET_ARN, 'a Secrets Manager secret ARN like arn:aws:secretsmanager:<region>:<account id>:secret:<name>') || undefined,
      sslMode: oneOf(env, 'PGSSLMODE', PG_SSL_MODES, 'disable'),
      poolMax: integer(env, 'PG_POOL_MAX', 10, 1, 100),
    },
    redis: {
      host: text(env, 'REDIS_HOST', 'localhost', HOSTNAME, 'a host name or an IP address'),
      port: integer(env, 'REDIS_PORT', 6379, 1, 65535),
      tls: boolean(env, 'REDIS_TLS', false),
      authToken: raw(env, 'REDIS_AUTH_TOKEN'),
    },
    sentryDsn: sentryDsn(env),
    shutdownDrainMs: integer(env, 'SHUTDOWN_DRAIN_MS', 1000, 0, 20000),
  };
}
