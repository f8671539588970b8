import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../src/config';
import { APP_DIR } from './support/services';

describe('configuration', () => {
  test('an empty environment gives the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      metricsPort: 9464,
      deployEnv: 'development',
      logLevel: 'info',
      serviceName: 'vigil-api',
      postgres: { host: 'localhost', port: 5432, sslMode: 'disable', poolMax: 10 },
      redis: { host: 'localhost', port: 6379, tls: false },
      shutdownDrainMs: 1000,
    });
    expect(config.sentryDsn).toBeUndefined();
  });

  test('AWS-style settings parse: TLS to Redis, PGSSLMODE=require, secrets kept out of the error path', () => {
    const config = loadConfig({
      DEPLOY_ENV: 'production',
      PGSSLMODE: 'require',
      REDIS_TLS: 'true',
      REDIS_AUTH_TOKEN: 'tok',
      PGPASSWORD: 'pw',
      SENTRY_DSN: 'https://abc123@o1.ingest.sentry.io/42',
    });
    expect(config).toMatchObject({ deployEnv: 'production', postgres: { sslMode: 'require', password: 'pw' }, redis: { tls: true, authToken: 'tok' } });
    expect(config.sentryDsn).toBe('https://abc123@o1.ingest.sentry.io/42');
  });

  const bad: Array<[Record<string, string>, string]> = [
    [{ PORT: '80a' }, 'invalid configuration: PORT="80a" - expected an integer from 0 to 65535'],
    [{ PORT: '70000' }, 'invalid configuration: PORT="70000" - expected an integer from 0 to 65535'],
    [{ PORT: '8080', METRICS_PORT: '8080' }, 'invalid configuration: METRICS_PORT="8080" - expected a port other than PORT (8080): metrics never share the public port'],
    [{ DEPLOY_ENV: 'prod' }, 'invalid configuration: DEPLOY_ENV="prod" - expected one of staging|production|development|test'],
    [{ LOG_LEVEL: 'loud' }, 'invalid configuration: LOG_LEVEL="loud" - expected one of error|warn|info|http|verbose|debug|silly'],
    [{ PGSSLMODE: 'prefer' }, 'invalid configuration: PGSSLMODE="prefer" - expected one of disable|require|verify-full'],
    [{ REDIS_TLS: 'yes' }, 'invalid configuration: REDIS_TLS="yes" - expected true or false'],
    [{ GIT_COMMIT: 'main' }, 'invalid configuration: GIT_COMMIT="main" - expected a git commit hash of 7 to 40 hex digits'],
    [{ SERVICE_NAME: 'Vigil API' }, 'invalid configuration: SERVICE_NAME="Vigil API" - expected lower-case letters, digits and dashes, starting with a letter'],
    [{ PG_POOL_MAX: '0' }, 'invalid configuration: PG_POOL_MAX="0" - expected an integer from 1 to 100'],
    [{ PG_PASSWORD_SECRET_ARN: 'vigil/production/db' }, 'invalid configuration: PG_PASSWORD_SECRET_ARN="vigil/production/db" - expected a Secrets Manager secret ARN like arn:aws:secretsmanager:<region>:<account id>:secret:<name>'],
    [{ PG_PASSWORD_SECRET_ARN: 'arn:aws:ssm:eu-west-1:123456789012:parameter/db' }, 'invalid configuration: PG_PASSWORD_SECRET_ARN="arn:aws:ssm:eu-west-1:123456789012:parameter/db" - expected a Secrets Manager secret ARN like arn:aws:secretsmanager:<region>:<account id>:secret:<name>'],
    [{ SENTRY_DSN: 'not a url with secret-part' }, 'invalid configuration: SENTRY_DSN=<hidden secret> - expected a Sentry DSN like https://<public key>@<host>/<project id>'],
  ];

  test.each(bad)('%j is rejected with one line naming variable, value and expectation', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  test('GIVEN PG_PASSWORD_SECRET_ARN WHEN loaded THEN the ARN is kept next to PGPASSWORD; unset, only PGPASSWORD is used', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vigil/production/db-AbCdEf';
    expect(loadConfig({ PGPASSWORD: 'pw', PG_PASSWORD_SECRET_ARN: arn }).postgres).toMatchObject({ password: 'pw', passwordSecretArn: arn });
    expect(loadConfig({ PGPASSWORD: 'pw', PG_PASSWORD_SECRET_ARN: '' }).postgres.passwordSecretArn).toBeUndefined();
  });

  test('empty strings count as unset', () => {
    expect(loadConfig({ PORT: '', SENTRY_DSN: '' })).toMatchObject({ port: 8080, sentryDsn: undefined });
  });
});

describe('the server process with a bad configuration', () => {
  function runServer(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['--require', join(APP_DIR, 'test/support/register-ts.js'), join(APP_DIR, 'src/server.ts')], {
        env: { PATH: process.env.PATH, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
  }

  test('GIVEN PORT=abc WHEN the server starts THEN it exits 1 after one line on stderr and nothing else', async () => {
    const result = await runServer({ PORT: 'abc' });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('invalid configuration: PORT="abc" - expected an integer from 0 to 65535\n');
    expect(result.stdout).toBe('');
  });

  test('a bad secret is named but its value is never printed', async () => {
    const result = await runServer({ SENTRY_DSN: 'leaky-secret-value' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('SENTRY_DSN=<hidden secret>');
    expect(result.stderr).not.toContain('leaky-secret-value');
  });
});
