import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import { createMetricsServer } from '../../src/observability/metrics-server';
import { sampleValue, startStack, type Stack } from '../support/stack';

const run = promisify(execFile);

/** Every metric family the service defines itself (prom-client's defaults are listed apart). */
const OWN_METRICS = [
  'http_requests_total',
  'http_request_duration_seconds',
  'http_requests_in_flight',
  'pg_query_duration_seconds',
  'pg_pool_connections',
  'redis_command_duration_seconds',
  'cache_hits_total',
  'cache_misses_total',
  'cache_errors_total',
  'app_errors_total',
  'circuit_breaker_state',
  'app_build_info',
  'nodejs_heap_size_limit_bytes',
];

let stack: Stack;
let metricsUrl: string;
let closeMetrics: () => Promise<void>;

beforeAll(async () => {
  stack = await startStack({ APP_VERSION: '1.2.3', GIT_COMMIT: 'abcdef1' });
  const server = createMetricsServer(stack.app.vigil.metrics!.registry, stack.app.vigil.logger);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  metricsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  closeMetrics = () => new Promise((resolve) => server.close(() => resolve()));
});
afterAll(async () => {
  await closeMetrics?.();
  await stack?.stop();
});

async function liveScrape(): Promise<string> {
  const response = await fetch(metricsUrl);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

describe('metrics after known traffic', () => {
  let text: string;
  let itemId: string;

  beforeAll(async () => {
    const created = await stack.app.inject({ method: 'POST', url: '/v1/items', payload: { name: 'metered' } });
    itemId = created.json().id;
    // One route answering another status and method in between: each response is recorded under
    // its own (the hooks keep the last combination a route answered).
    await stack.app.inject({ method: 'GET', url: `/v1/items/${itemId}` });
    await stack.app.inject({ method: 'GET', url: '/v1/items/00000000-0000-4000-8000-000000000000' });
    await stack.app.inject({ method: 'GET', url: `/v1/items/${itemId}` });
    await stack.app.inject({ method: 'HEAD', url: `/v1/items/${itemId}` });
    await stack.app.inject({ method: 'GET', url: `/v1/items/${itemId}` });
    await stack.app.inject({ method: 'GET', url: '/no/such/route' });
    await stack.app.inject({ method: 'GET', url: '/another/missing/one' });
    await stack.app.inject({ method: 'POST', url: '/v1/items', payload: { nope: true } });
    // Answered by Fastify before routing (frameworkErrors): still counted, under route="unmatched".
    await stack.app.inject({ method: 'GET', url: '/v1/items/%zz' });
    await stack.app.inject({ method: 'GET', url: `/v1/items/${'a'.repeat(101)}` });
    text = await liveScrape();
  });

  test('http_requests_total counts by method, route template and status code', () => {
    expect(sampleValue(text, 'http_requests_total', { method: 'POST', route: '/v1/items', status_code: '201' })).toBe(1);
    expect(sampleValue(text, 'http_requests_total', { method: 'GET', route: '/v1/items/:id', status_code: '200' })).toBe(3);
    expect(sampleValue(text, 'http_requests_total', { method: 'GET', route: '/v1/items/:id', status_code: '404' })).toBe(1);
    expect(sampleValue(text, 'http_requests_total', { method: 'HEAD', route: '/v1/items/:id', status_code: '200' })).toBe(1);
    expect(sampleValue(text, 'http_requests_total', { method: 'POST', route: '/v1/items', status_code: '400' })).toBe(1);
  });

  test('every route and method has its 5xx counters at 0 before its first error, so rate() counts that error', () => {
    const routes = new Set<string>();
    for (const match of text.matchAll(/^http_requests_total\{method="([A-Z]+)",route="([^"]+)",status_code="500"\} 0$/gm)) routes.add(`${match[1]} ${match[2]}`);
    expect([...routes].sort()).toEqual(
      expect.arrayContaining(['DELETE /v1/items/:id', 'GET /healthz', 'GET /readyz', 'GET /v1/items', 'GET /v1/items/:id', 'PATCH /v1/items/:id', 'POST /v1/items']),
    );
    for (const route of routes) {
      const [method, template] = route.split(' ');
      expect(sampleValue(text, 'http_requests_total', { method, route: template, status_code: '503' })).toBe(0);
    }
    // No histogram series for them: only traffic creates those.
    expect(sampleValue(text, 'http_request_duration_seconds_count', { method: 'GET', route: '/v1/items/:id', status_code: '500' })).toBeUndefined();
    // 404s never get a route's series: unmatched requests have no prepared 5xx counters either.
    expect(sampleValue(text, 'http_requests_total', { route: 'unmatched', status_code: '500' })).toBeUndefined();
  });

  test('the raw URL never becomes a label: unmatched routes collapse into route="unmatched"', () => {
    expect(sampleValue(text, 'http_requests_total', { method: 'GET', route: 'unmatched', status_code: '404' })).toBe(2);
    expect(sampleValue(text, 'http_requests_total', { method: 'GET', route: 'unmatched', status_code: '400' })).toBe(1);
    expect(sampleValue(text, 'http_requests_total', { method: 'GET', route: 'unmatched', status_code: '414' })).toBe(1);
    expect(text).not.toContain('%zz');
    expect(text).not.toContain(itemId);
    expect(text).not.toContain('/no/such/route');
  });

  test('the duration histogram has one observation per request, in seconds', () => {
    const labels = { method: 'GET', route: '/v1/items/:id', status_code: '200' };
    expect(sampleValue(text, 'http_request_duration_seconds_count', labels)).toBe(3);
    const sum = sampleValue(text, 'http_request_duration_seconds_sum', labels)!;
    expect(sum).toBeGreaterThan(0);
    expect(sum).toBeLessThan(3 * 10); // seconds, not milliseconds
    expect(sampleValue(text, 'http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(3);
  });

  test('cache hits and misses match the read pattern (1 miss that fills, 3 hits (one a HEAD), 1 miss for the unknown id)', () => {
    expect(sampleValue(text, 'cache_misses_total')).toBe(2);
    expect(sampleValue(text, 'cache_hits_total')).toBe(3);
    expect(sampleValue(text, 'cache_errors_total', { operation: 'read' })).toBe(0);
  });

  test('PostgreSQL and Redis calls are timed by operation and command', () => {
    expect(sampleValue(text, 'pg_query_duration_seconds_count', { operation: 'insert_item' })).toBe(1);
    expect(sampleValue(text, 'pg_query_duration_seconds_count', { operation: 'select_item' })).toBe(2);
    expect(sampleValue(text, 'redis_command_duration_seconds_count', { command: 'get' })).toBe(5);
    expect(sampleValue(text, 'redis_command_duration_seconds_count', { command: 'set' })).toBe(1);
  });

  test('pool, breaker, in-flight and build info gauges are exported', () => {
    expect(sampleValue(text, 'pg_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(text, 'pg_pool_connections', { state: 'waiting' })).toBe(0);
    expect(sampleValue(text, 'pg_pool_connections', { state: 'idle' })).toBeGreaterThanOrEqual(0);
    expect(sampleValue(text, 'circuit_breaker_state', { breaker: 'postgres' })).toBe(0);
    expect(sampleValue(text, 'http_requests_in_flight')).toBe(0);
    expect(sampleValue(text, 'app_build_info', { version: '1.2.3', commit: 'abcdef1', node_version: process.version })).toBe(1);
  });

  test('the heap limit is V8\'s own heap_size_limit, above the heap used', () => {
    const limit = sampleValue(text, 'nodejs_heap_size_limit_bytes');
    expect(limit).toBe(getHeapStatistics().heap_size_limit);
    expect(limit).toBeGreaterThan(sampleValue(text, 'nodejs_heap_size_used_bytes')!);
  });

  test('prom-client default metrics the alert catalog relies on are present', () => {
    for (const name of ['nodejs_eventloop_lag_p99_seconds', 'nodejs_heap_size_used_bytes', 'process_cpu_seconds_total']) {
      expect(sampleValue(text, name)).toBeDefined();
    }
  });

  test('every metric of the contract is exported with the agreed name', () => {
    const families = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]));
    for (const name of OWN_METRICS) expect(families).toContain(name);
  });
});

describe('promtool check metrics on a live scrape', () => {
  /** Splits exposition text into metric families, keyed by name. */
  function families(text: string): Map<string, string> {
    const byName = new Map<string, string>();
    for (const block of text.split(/(?=^# HELP )/m)) {
      const name = /^# HELP (\S+)/.exec(block)?.[1];
      if (name) byName.set(name, block);
    }
    return byName;
  }

  async function promtool(input: string): Promise<{ code: number; output: string }> {
    return new Promise((resolve) => {
      const child = execFile('promtool', ['check', 'metrics'], (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` });
      });
      child.stdin?.end(input);
    });
  }

  test('our own metric families pass promtool without a single lint problem', async () => {
    await stack.app.inject({ method: 'GET', url: '/healthz' });
    const own = families(await liveScrape());
    const input = OWN_METRICS.map((name) => own.get(name) ?? '').join('');
    expect(input).toContain('# TYPE app_build_info gauge');
    const result = await promtool(input);
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  test('on the whole scrape promtool only objects to prom-client default names, never to ours', async () => {
    const result = await promtool(await liveScrape());
    const objections = result.output.split('\n').filter(Boolean);
    for (const line of objections) expect(line).toMatch(/^nodejs_|^process_/);
  });

  test('the metrics listener serves nothing but /metrics', async () => {
    const response = await fetch(metricsUrl.replace('/metrics', '/'));
    expect(response.status).toBe(404);
  });

  test('the public app does not expose /metrics', async () => {
    expect((await stack.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
  });
});

test('promtool is installed (the check above is real)', async () => {
  const { stdout, stderr } = await run('promtool', ['--version']);
  expect(`${stdout}${stderr}`).toMatch(/promtool, version/);
});

describe('requests whose client goes away', () => {
  test('an upload abandoned half-way does not stay in flight', async () => {
    // GIVEN the app on a real socket
    const address = await stack.app.listen({ port: 0, host: '127.0.0.1' });
    const socket = connect(Number(new URL(address).port), '127.0.0.1');
    await once(socket, 'connect');
    // WHEN a client sends half a body, then closes the connection
    socket.write('POST /v1/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":');
    await sleep(100);
    socket.destroy();
    // THEN the gauge returns to 0 once the server has seen the close
    let inFlight: number | undefined;
    for (let attempt = 0; attempt < 50; attempt++) {
      await sleep(20);
      inFlight = sampleValue(await liveScrape(), 'http_requests_in_flight');
      if (inFlight === 0) break;
    }
    expect(inFlight).toBe(0);
  });
});
