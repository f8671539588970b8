/**
 * The RDS master-password rotation, end to end: a real PostgreSQL that requires a password from
 * the app's role, and a loopback HTTP server speaking Secrets Manager's JSON protocol to the real
 * AWS SDK client (pointed at it through AWS_ENDPOINT_URL_SECRETS_MANAGER).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually, startStack, type Stack } from '../support/stack';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vigil/production/db-AbCdEf';
const ROLE = 'vigil_app';
const FIRST = 'first-Pw-7f3a';
const SECOND = 'second-Pw-91c2';
const THIRD = 'third-Pw-0d5e';

/** What the fake endpoint does with the next GetSecretValue. */
type Mode = 'answer' | 'deny' | 'hang';

/** A stand-in for the Secrets Manager endpoint: answers GetSecretValue with the current password. */
interface FakeSecretsManager {
  readonly url: string;
  password: string;
  mode: Mode;
  /** Every request received: its X-Amz-Target header and JSON body. */
  readonly calls: Array<{ target: string | undefined; body: { SecretId?: string } }>;
  /** Requests left hanging (mode 'hang') whose client has given up and closed the connection. */
  abandoned: number;
  /** Connections open to it right now. */
  connections(): Promise<number>;
  close(): Promise<void>;
}

async function startFakeSecretsManager(password: string): Promise<FakeSecretsManager> {
  const fake = { password, mode: 'answer' as Mode, calls: [] as FakeSecretsManager['calls'], abandoned: 0 };
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk));
    request.on('end', () => {
      fake.calls.push({ target: request.headers['x-amz-target'] as string | undefined, body: JSON.parse(body || '{}') });
      const send = (status: number, payload: unknown) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(payload));
      };
      if (fake.mode === 'hang') {
        response.on('close', () => fake.abandoned++);
        return;
      }
      if (fake.mode === 'deny') {
        send(400, { __type: 'AccessDeniedException', message: 'not authorized to perform secretsmanager:GetSecretValue' });
        return;
      }
      send(200, {
        ARN: SECRET_ARN,
        Name: 'vigil/production/db',
        VersionId: `v-${fake.calls.length}`,
        SecretString: JSON.stringify({ engine: 'postgres', username: ROLE, password: fake.password, host: '127.0.0.1', port: 5432 }),
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return Object.assign(fake, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => new Promise<number>((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count)))),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

/** The SDK reads endpoint and credentials from the environment, as it does in ECS. */
const SDK_ENV = ['AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_EC2_METADATA_DISABLED'] as const;
const savedEnv = Object.fromEntries(SDK_ENV.map((name) => [name, process.env[name]]));

let secrets: FakeSecretsManager;
let stack: Stack;

/** Terminates every connection the app's role holds, as a rotation-era reconnect would find them. */
async function dropAppConnections(): Promise<void> {
  await stack.pg.psql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '${ROLE}'`);
  // The pool notices the lost idle clients and drops them; wait so the next query connects anew.
  await eventually('the pool has dropped its terminated connections', async () => stack.app.vigil.db.pool.totalCount === 0, 5_000);
}

beforeAll(async () => {
  secrets = await startFakeSecretsManager(FIRST);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'not-a-real-key',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  stack = await startStack(
    // PGPASSWORD is what ECS injected at task start; the secret ARN wins over it.
    { PGUSER: ROLE, PGPASSWORD: FIRST, PG_PASSWORD_SECRET_ARN: SECRET_ARN },
    {
      beforeBuild: async (pg) => {
        await pg.psql(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${FIRST}'; ALTER DATABASE ${pg.database} OWNER TO ${ROLE}; ALTER SCHEMA public OWNER TO ${ROLE}`);
        // The superuser keeps trust (psql above); the app's role must prove its password over TCP.
        const hbaFile = (await pg.psql('SHOW hba_file')).trim();
        const { writeFileSync } = await import('node:fs');
        writeFileSync(hbaFile, `local all all trust\nhost all ${ROLE} 127.0.0.1/32 scram-sha-256\nhost all all 127.0.0.1/32 trust\n`);
        await pg.psql('SELECT pg_reload_conf()');
      },
    },
  );
});

afterAll(async () => {
  await stack?.stop();
  await secrets?.close();
  for (const name of SDK_ENV) {
    if (savedEnv[name] === undefined) delete process.env[name];
    else process.env[name] = savedEnv[name];
  }
});

describe('GIVEN PG_PASSWORD_SECRET_ARN and a database that requires the password', () => {
  test('WHEN the app boots and serves requests THEN the password is read once, with GetSecretValue on that ARN', async () => {
    for (let i = 0; i < 5; i++) expect((await stack.app.inject({ method: 'GET', url: '/v1/items' })).statusCode).toBe(200);
    // Several connections at once still share the cached value.
    const concurrent = await Promise.all(Array.from({ length: 6 }, () => stack.app.inject({ method: 'GET', url: '/v1/items' })));
    expect(concurrent.map((response) => response.statusCode)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(stack.app.vigil.db.pool.totalCount).toBeGreaterThan(1);
    expect(secrets.calls).toEqual([{ target: 'secretsmanager.GetSecretValue', body: { SecretId: SECRET_ARN } }]);
  });

  test('WHEN the password is rotated THEN requests succeed again without a restart, and the secret is read again only after PostgreSQL said 28P01', async () => {
    secrets.password = SECOND;
    await stack.pg.psql(`ALTER ROLE ${ROLE} PASSWORD '${SECOND}'`);
    await dropAppConnections();
    expect(secrets.calls).toHaveLength(1);
    expect(stack.logText()).not.toContain('rejected the password');

    const afterRotation = await stack.app.inject({ method: 'POST', url: '/v1/items', payload: { name: 'after rotation' } });
    expect(afterRotation.statusCode).toBe(201);
    expect(secrets.calls).toHaveLength(2);
    expect(stack.logs().filter((line) => String(line.message).includes('PostgreSQL rejected the password'))).toHaveLength(1);

    // The new value is cached again: more requests and connections, no more reads.
    await dropAppConnections();
    for (let i = 0; i < 3; i++) expect((await stack.app.inject({ method: 'GET', url: '/v1/items' })).statusCode).toBe(200);
    expect(secrets.calls).toHaveLength(2);
  });

  test('the password never reaches the logs', () => {
    for (const password of [FIRST, SECOND, THIRD]) expect(stack.logText()).not.toContain(password);
  });
});

describe('GIVEN the secret cannot be read after a rotation', () => {
  afterEach(() => {
    secrets.mode = 'answer';
  });

  test('WHEN Secrets Manager denies the read THEN requests get 503 with Retry-After, and succeed once it answers again', async () => {
    secrets.mode = 'deny';
    secrets.password = THIRD;
    await stack.pg.psql(`ALTER ROLE ${ROLE} PASSWORD '${THIRD}'`);
    await dropAppConnections();

    const denied = await stack.app.inject({ method: 'GET', url: '/v1/items' });
    expect(denied.statusCode).toBe(503);
    expect(denied.headers['retry-after']).toBe('2');
    expect((await stack.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
    expect(stack.logs().some((line) => line.message === 'dependency unavailable' && JSON.stringify(line).includes('AccessDeniedException'))).toBe(true);

    secrets.mode = 'answer';
    await eventually('requests succeed once the secret can be read', async () => (await stack.app.inject({ method: 'GET', url: '/v1/items' })).statusCode === 200, 10_000);
    expect(stack.logText()).not.toContain(THIRD);
  });

  test('WHEN Secrets Manager does not answer THEN the read is abandoned at its deadline, requests get 503, and the process keeps serving', async () => {
    await stack.pg.psql(`ALTER ROLE ${ROLE} PASSWORD '${FIRST}'`);
    secrets.password = FIRST;
    secrets.mode = 'hang';
    await dropAppConnections();

    const hung = await stack.app.inject({ method: 'GET', url: '/v1/items' });
    expect(hung.statusCode).toBe(503);
    await eventually('the SDK request is aborted at the fetch deadline', async () => secrets.abandoned > 0, 10_000);
    // Nobody waits on the abandoned read any more; its failure is reported where the pool saw it.
    await eventually('the abandoned read is logged as timed out', async () => stack.logText().includes('failed: timed out after 3000 ms'), 5_000);

    secrets.mode = 'answer';
    await eventually('requests succeed once Secrets Manager answers', async () => (await stack.app.inject({ method: 'GET', url: '/v1/items' })).statusCode === 200, 10_000);
    expect((await stack.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });
});

describe('GIVEN a password read from Secrets Manager', () => {
  test('WHEN the database closes THEN the SDK connection it kept alive closes too', async () => {
    const { Database } = await import('../../src/data/postgres');
    const { loadConfig } = await import('../../src/config');
    const config = loadConfig({ ...process.env, DEPLOY_ENV: 'test', PGHOST: stack.pg.host, PGPORT: String(stack.pg.port), PGUSER: ROLE, PGDATABASE: stack.pg.database, PG_PASSWORD_SECRET_ARN: SECRET_ARN });
    const db = new Database({ config: config.postgres, applicationName: 'close-test', logger: stack.app.vigil.logger });
    const before = await secrets.connections();
    await db.query('ping', 'SELECT 1');
    expect(await secrets.connections()).toBe(before + 1);
    await db.close();
    await eventually('the SDK connection is closed', async () => (await secrets.connections()) === before, 5_000);
  });
});
