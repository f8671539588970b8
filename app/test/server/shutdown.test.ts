import { Agent, request } from 'node:http';
import { spawnServer, startPostgres, startRedis, type ControllableService, type PostgresService, type ServerProcess } from '../support/services';
import { eventually } from '../support/stack';

let pg: PostgresService;
let redis: ControllableService;

beforeAll(async () => {
  [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
});
afterAll(async () => {
  await Promise.all([pg?.stop(), redis?.stop()]);
});

interface Outcome {
  status?: number;
  error?: string;
}

function get(agent: Agent, port: number, path: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode }));
      response.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.setTimeout(10_000, () => req.destroy(new Error('client timeout')));
    req.end();
  });
}

/**
 * A bounded load generator: `workers` keep-alive clients each sending requests back to back until
 * the server refuses new connections (it has stopped listening: ECONNREFUSED never reached the
 * app) or `maxPerWorker` is reached. Everything else that is not a 200 is a failed request.
 */
function load(port: number, path: string, workers: number, maxPerWorker: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: workers });
  const stats = { ok: 0, okAfterSignal: 0, refused: 0, failures: [] as string[], signalled: false };
  const done = Promise.all(
    Array.from({ length: workers }, async () => {
      for (let i = 0; i < maxPerWorker; i++) {
        const outcome = await get(agent, port, path);
        if (outcome.status === 200) {
          stats.ok++;
          if (stats.signalled) stats.okAfterSignal++;
        } else if (outcome.error === 'ECONNREFUSED') {
          stats.refused++;
          return;
        } else {
          stats.failures.push(outcome.error ?? `HTTP ${outcome.status}`);
        }
      }
    }),
  ).finally(() => agent.destroy());
  return { stats, done };
}

describe('graceful shutdown on SIGTERM', () => {
  let server: ServerProcess;
  let itemPath: string;

  beforeAll(async () => {
    server = await spawnServer({ env: { ...pg.env, ...redis.env, SHUTDOWN_DRAIN_MS: '1000' } });
    const created = await fetch(`${server.baseUrl}/v1/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'under load' }),
    });
    itemPath = `/v1/items/${((await created.json()) as { id: string }).id}`;
  });
  afterAll(async () => {
    await server?.stop();
  });

  test('GIVEN a load generator running WHEN SIGTERM arrives THEN readiness turns 503, no request fails and the process exits 0', async () => {
    const run = load(server.port, itemPath, 16, 20_000);
    await eventually('load running', async () => run.stats.ok >= 300, 20_000);

    run.stats.signalled = true;
    server.child.kill('SIGTERM');
    const probe = new Agent({ keepAlive: false });
    await eventually('readiness reports draining', async () => (await get(probe, server.port, '/readyz')).status === 503, 5_000);

    const exit = await server.exited;
    await run.done;

    expect(exit).toEqual({ code: 0, signal: null });
    expect(run.stats.failures).toEqual([]);
    expect(run.stats.okAfterSignal).toBeGreaterThan(0);
    expect(run.stats.refused).toBeGreaterThan(0); // the load stopped because the server stopped listening
    const messages = server.logLines().map((line) => line.message);
    expect(messages).toContain('shutdown started');
    expect(messages[messages.length - 1]).toBe('shutdown complete');
  });
});

describe('a second signal during shutdown', () => {
  test('forces an immediate exit with code 1', async () => {
    const server = await spawnServer({ env: { ...pg.env, ...redis.env, SHUTDOWN_DRAIN_MS: '15000' } });
    try {
      server.child.kill('SIGTERM');
      await eventually('shutdown started', async () => server.logLines().some((line) => line.message === 'shutdown started'), 5_000);
      server.child.kill('SIGTERM');
      expect(await server.exited).toEqual({ code: 1, signal: null });
      expect(server.logLines().some((line) => line.message === 'second signal during shutdown; exiting now')).toBe(true);
    } finally {
      await server.stop(1_000);
    }
  });
});
