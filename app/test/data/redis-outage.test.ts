import { eventually, sampleValue, scrape, startStack, type Stack } from '../support/stack';

let stack: Stack;
let itemId: string;

beforeAll(async () => {
  stack = await startStack();
  itemId = (await stack.app.inject({ method: 'POST', url: '/v1/items', payload: { name: 'survivor', quantity: 5 } })).json().id;
});
afterAll(async () => {
  await stack?.stop();
});

const metric = async (name: string, labels?: Record<string, string>) => sampleValue(await scrape(stack.app), name, labels) ?? 0;

describe('GIVEN Redis goes away', () => {
  beforeAll(async () => {
    await stack.app.inject({ method: 'GET', url: `/v1/items/${itemId}` }); // cached while Redis is up
    await stack.redis.halt();
  });

  test('WHEN an item is read THEN the request still succeeds from PostgreSQL and the cache error is counted', async () => {
    const errorsBefore = await metric('cache_errors_total', { operation: 'read' });
    const response = await stack.app.inject({ method: 'GET', url: `/v1/items/${itemId}` });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: itemId, name: 'survivor', quantity: 5 });
    expect(await metric('cache_errors_total', { operation: 'read' })).toBeGreaterThan(errorsBefore);
  });

  test('writes still succeed and the failed invalidation is counted', async () => {
    const before = await metric('cache_errors_total', { operation: 'invalidate' });
    const response = await stack.app.inject({ method: 'PATCH', url: `/v1/items/${itemId}`, payload: { quantity: 6 } });
    expect(response.statusCode).toBe(200);
    expect(await metric('cache_errors_total', { operation: 'invalidate' })).toBe(before + 1);
  });

  test('readiness answers 503 and names Redis as the failed dependency', async () => {
    const response = await stack.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ status: 'unavailable', checks: { postgres: 'ok', redis: { error: expect.any(String) } } });
  });

  test('liveness stays 200: a dependency outage is no reason to restart the process', async () => {
    expect((await stack.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  test('no request failed with a 5xx during the outage', async () => {
    expect(await metric('app_errors_total', { kind: 'internal' })).toBe(0);
  });
});

describe('WHEN Redis comes back', () => {
  beforeAll(async () => {
    await stack.redis.start();
    // The entry written before the outage may be stale (its invalidation failed): the test
    // starts from an empty cache, as an operator would after an outage (the TTL would also do it).
    await eventually('Redis reconnected', async () => stack.app.vigil.cache.client.status === 'ready');
    await stack.app.vigil.cache.client.flushall();
  });

  test('THEN caching resumes by itself: a read fills the cache and the next one is a hit', async () => {
    const hitsBefore = await metric('cache_hits_total');
    await eventually('cache filled again', async () => {
      await stack.app.inject({ method: 'GET', url: `/v1/items/${itemId}` });
      return (await stack.app.vigil.cache.client.exists(`item:v1:${itemId}`)) === 1;
    });
    const response = await stack.app.inject({ method: 'GET', url: `/v1/items/${itemId}` });
    expect(response.json().quantity).toBe(6);
    expect(await metric('cache_hits_total')).toBeGreaterThan(hitsBefore);
  });

  test('readiness is 200 again', async () => {
    const response = await stack.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
  });

  test('the outage and the recovery were each logged once, not once per failed reconnect', () => {
    const messages = stack.logs().map((line) => line.message);
    expect(messages.filter((m) => m === 'Redis unavailable; serving without cache')).toHaveLength(1);
    expect(messages.filter((m) => m === 'Redis available again; caching resumed')).toHaveLength(1);
  });
});
