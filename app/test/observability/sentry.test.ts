import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { REDACTED } from '../../src/observability/redact';
import { scrubEvent } from '../../src/observability/sentry';
import { APP_DIR, spawnServer, startPostgres, startRedis, type ControllableService, type PostgresService, type ServerProcess } from '../support/services';
import { eventually } from '../support/stack';

/** A loopback stand-in for Sentry's ingest: records every envelope POSTed to /api/<project>/envelope/. */
class FakeIngest {
  readonly envelopes: Array<{ path: string; raw: string; items: Array<{ header: Record<string, unknown>; payload: unknown }> }> = [];
  private server: Server | undefined;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        let body = Buffer.concat(chunks);
        if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        const raw = body.toString('utf8');
        const lines = raw.split('\n').filter(Boolean);
        const items: Array<{ header: Record<string, unknown>; payload: unknown }> = [];
        for (let i = 1; i + 1 < lines.length; i += 2) items.push({ header: JSON.parse(lines[i]), payload: JSON.parse(lines[i + 1]) });
        this.envelopes.push({ path: request.url ?? '', raw, items });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Error events received (envelope items of type `event`). */
  events(): Array<Record<string, any>> {
    return this.envelopes.flatMap((envelope) => envelope.items.filter((item) => item.header.type === 'event').map((item) => item.payload as Record<string, any>));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

describe('Sentry against a loopback ingest endpoint (real SDK and transport)', () => {
  let pg: PostgresService;
  let redis: ControllableService;
  let ingest: FakeIngest;
  let server: ServerProcess;
  const secrets = { token: 'sentry-bearer-secret-1', cookie: 'sentry-cookie-secret-2', apiKey: 'sentry-api-key-3' };

  beforeAll(async () => {
    ingest = new FakeIngest();
    [pg, redis] = await Promise.all([startPostgres(), startRedis(), ingest.start()]);
    server = await spawnServer({
      env: {
        ...pg.env,
        ...redis.env,
        SENTRY_DSN: `http://publickey@127.0.0.1:${ingest.port}/1`,
        DEPLOY_ENV: 'staging',
        APP_VERSION: '2.0.0',
        GIT_COMMIT: 'abc1234',
      },
    });
  });
  afterAll(async () => {
    await server?.stop();
    await Promise.all([pg?.stop(), redis?.stop(), ingest?.stop()]);
  });

  const headers = { authorization: `Bearer ${secrets.token}`, cookie: `session=${secrets.cookie}`, 'x-api-key': secrets.apiKey };

  test('GIVEN 4xx answers WHEN they are served THEN nothing is sent to Sentry', async () => {
    expect((await fetch(`${server.baseUrl}/no-such-route`, { headers })).status).toBe(404);
    expect((await fetch(`${server.baseUrl}/v1/items/not-an-id`, { headers })).status).toBe(400);
    expect((await fetch(`${server.baseUrl}/v1/items/00000000-0000-4000-8000-000000000000`, { headers })).status).toBe(404);
    // Give a wrongly captured event time to arrive, then make sure none did.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(ingest.events()).toEqual([]);
  });

  test('GIVEN a real internal error WHEN it is answered with 500 THEN one scrubbed event arrives with environment and release', async () => {
    await pg.psql('DROP TABLE items');
    const response = await fetch(`${server.baseUrl}/v1/items`, { headers });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: 'Internal Server Error', message: 'Internal Server Error' });

    await eventually('the event reaches the ingest endpoint', async () => ingest.events().length > 0, 10_000);
    const events = ingest.events();
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(ingest.envelopes[0].path).toMatch(/^\/api\/1\/envelope\//);
    expect(event.environment).toBe('staging');
    expect(event.release).toBe('vigil-api@2.0.0+abc1234');
    expect(event.exception.values[0].value).toMatch(/relation "items" does not exist/);
    expect(event.exception.values[0].mechanism).toMatchObject({ handled: true }); // reported by the app's error handler
    expect(event.contexts.vigil).toMatchObject({ method: 'GET', route: '/v1/items', requestId: expect.any(String) });
    for (const secret of Object.values(secrets)) {
      for (const envelope of ingest.envelopes) expect(envelope.raw).not.toContain(secret);
    }
    // The SDK attaches the request's headers; beforeSend must have scrubbed the secret ones.
    expect(event.request.headers).toMatchObject({ authorization: REDACTED, cookie: REDACTED, 'x-api-key': REDACTED, 'user-agent': 'node' });
  });
});

describe('scrubEvent (the beforeSend hook)', () => {
  test('removes credentials from request data, extra context and messages', () => {
    const event = {
      message: 'failed to reach postgres://vigil:pw-in-message@db/vigil',
      request: {
        url: 'https://api/v1/items/1?access_token=t-6',
        query_string: 'page=2&client_secret=t-7',
        headers: { Authorization: 'Bearer t-1', Cookie: 'c-2', 'User-Agent': 'curl' },
        cookies: { sid: 'c-3' },
      },
      extra: { password: 'p-4', requestId: 'r-1' },
      breadcrumbs: [{ message: 'GET with token=t-5' }],
    };
    const scrubbed = scrubEvent(event);
    const text = JSON.stringify(scrubbed);
    for (const secret of ['pw-in-message', 't-1', 'c-2', 'c-3', 'p-4', 't-5', 't-6', 't-7']) expect(text).not.toContain(secret);
    expect(scrubbed.request.headers['User-Agent']).toBe('curl');
    expect(scrubbed.request.query_string).toBe(`page=2&client_secret=${REDACTED}`);
    expect(scrubbed.extra.requestId).toBe('r-1');
  });
});

describe('without SENTRY_DSN', () => {
  test('the SDK is never even loaded, so it can make no network call', async () => {
    const script = `
      require('./src/instrument');
      require('./src/app');
      const loaded = Object.keys(require.cache).filter((path) => path.includes('@sentry'));
      process.stdout.write(JSON.stringify({ loaded, enabled: require('./src/observability/sentry').sentryEnabled() }));
    `;
    const output = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--require', './test/support/register-ts.js', '-e', script], { cwd: APP_DIR, env: { PATH: process.env.PATH } }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
    expect(JSON.parse(output)).toEqual({ loaded: [], enabled: false });
  });
});
