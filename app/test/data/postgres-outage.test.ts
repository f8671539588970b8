import { eventually, sampleValue, scrape, startStack, type Stack } from '../support/stack';

let stack: Stack;
let cachedId: string;

beforeAll(async () => {
  stack = await startStack();
  cachedId = (await stack.app.inject({ method: 'POST', url: '/v1/items', payload: { name: 'in cache' } })).json().id;
  await stack.app.inject({ method: 'GET', url: `/v1/items/${cachedId}` });
});
afterAll(async () => {
  await stack?.stop();
});

const metric = async (name: string, labels?: Record<string, string>) => sampleValue(await scrape(stack.app), name, labels);

describe('GIVEN PostgreSQL goes away', () => {
  beforeAll(async () => {
    await stack.pg.halt();
  });

  test('WHEN a request needs it THEN it fails with 503 and Retry-After, not a 500', async () => {
    const response = await stack.app.inject({ method: 'GET', url: '/v1/items' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('2');
    expect(response.json()).toEqual({ error: 'Service Unavailable', message: 'postgres is unavailable, retry after 2 s' });
  });

  test('after a few failures the breaker opens and later calls fail without touching PostgreSQL', async () => {
    for (let i = 0; i < 5; i++) await stack.app.inject({ method: 'GET', url: '/v1/items' });
    expect(await metric('circuit_breaker_state', { breaker: 'postgres' })).toBe(2);
    const attemptsBefore = await metric('pg_query_duration_seconds_count', { operation: 'list_items' });
    const response = await stack.app.inject({ method: 'GET', url: '/v1/items' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('2');
    expect(await metric('pg_query_duration_seconds_count', { operation: 'list_items' })).toBe(attemptsBefore);
  });

  test('readiness answers 503 naming PostgreSQL', async () => {
    const response = await stack.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ status: 'unavailable', checks: { postgres: { error: expect.any(String) }, redis: 'ok' } });
  });

  test('cached items are still served from Redis', async () => {
    expect((await stack.app.inject({ method: 'GET', url: `/v1/items/${cachedId}` })).statusCode).toBe(200);
  });

  test('503s are counted as dependency_unavailable errors, none as internal', async () => {
    expect(await metric('app_errors_total', { kind: 'dependency_unavailable' })).toBeGreaterThanOrEqual(7);
    expect(await metric('app_errors_total', { kind: 'internal' })).toBe(0);
  });
});

describe('WHEN PostgreSQL comes back', () => {
  test('THEN the service recovers by itself within 5 s: requests succeed, the breaker closes, readiness is 200', async () => {
    await stack.pg.start();
    await eventually(
      'list succeeds after PostgreSQL restart',
      async () => (await stack.app.inject({ method: 'GET', url: '/v1/items' })).statusCode === 200,
      5_000,
    );
    expect(await metric('circuit_breaker_state', { breaker: 'postgres' })).toBe(0);
    expect((await stack.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const created = await stack.app.inject({ method: 'POST', url: '/v1/items', payload: { name: 'after' } });
    expect(created.statusCode).toBe(201);
  });
});
