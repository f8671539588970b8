import { encodeCursor } from '../../src/routes/items';
import { INVALIDATED, INVALIDATION_HOLD_MS } from '../../src/data/redis';
import { sampleValue, scrape, startStack, type Stack } from '../support/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

async function create(body: Record<string, unknown>) {
  return stack.app.inject({ method: 'POST', url: '/v1/items', payload: body });
}

async function cacheCounts() {
  const text = await scrape(stack.app);
  return { hits: sampleValue(text, 'cache_hits_total') ?? 0, misses: sampleValue(text, 'cache_misses_total') ?? 0 };
}

describe('items CRUD', () => {
  test('GIVEN a valid body WHEN an item is created THEN it is returned with 201, an id and a Location header', async () => {
    const response = await create({ name: 'bolt', description: 'M6', quantity: 40 });
    expect(response.statusCode).toBe(201);
    const item = response.json();
    expect(item).toMatchObject({ name: 'bolt', description: 'M6', quantity: 40 });
    expect(item.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.location).toBe(`/v1/items/${item.id}`);
  });

  test('optional fields default to an empty description and a quantity of 0', async () => {
    const item = (await create({ name: 'washer' })).json();
    expect(item).toMatchObject({ name: 'washer', description: '', quantity: 0 });
  });

  test('an item reads back the same as it was created', async () => {
    const created = (await create({ name: 'nut', quantity: 3 })).json();
    const read = await stack.app.inject({ method: 'GET', url: `/v1/items/${created.id}` });
    expect(read.statusCode).toBe(200);
    expect(read.headers['content-type']).toMatch(/^application\/json/);
    expect(read.json()).toEqual(created);
  });

  test('PATCH changes only the given fields and DELETE removes the item (204, then 404)', async () => {
    const created = (await create({ name: 'gear', description: 'spur', quantity: 1 })).json();
    const patched = await stack.app.inject({ method: 'PATCH', url: `/v1/items/${created.id}`, payload: { quantity: 9 } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ name: 'gear', description: 'spur', quantity: 9 });
    const removed = await stack.app.inject({ method: 'DELETE', url: `/v1/items/${created.id}` });
    expect(removed.statusCode).toBe(204);
    const gone = await stack.app.inject({ method: 'GET', url: `/v1/items/${created.id}` });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().message).toBe(`item ${created.id} does not exist`);
  });

  test('updating or deleting an unknown item is a 404', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    expect((await stack.app.inject({ method: 'PATCH', url: `/v1/items/${id}`, payload: { name: 'x' } })).statusCode).toBe(404);
    expect((await stack.app.inject({ method: 'DELETE', url: `/v1/items/${id}` })).statusCode).toBe(404);
  });

  test('GIVEN 25 items WHEN listed 10 at a time THEN cursor pages return every item once, in creation order', async () => {
    await stack.pg.psql('DELETE FROM items');
    const names = Array.from({ length: 25 }, (_, index) => `page-item-${String(index).padStart(2, '0')}`);
    for (const name of names) await create({ name });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/v1/items?limit=10${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await stack.app.inject({ method: 'GET', url })).json();
      seen.push(...page.items.map((item: { name: string }) => item.name));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(names);
  });
});

describe('cache-aside reads', () => {
  test('GIVEN a new item WHEN read twice THEN the first read misses and fills Redis, the second is a hit', async () => {
    const created = (await create({ name: 'cached' })).json();
    const before = await cacheCounts();
    await stack.app.inject({ method: 'GET', url: `/v1/items/${created.id}` });
    expect(await stack.app.vigil.cache.client.exists(`item:v1:${created.id}`)).toBe(1);
    await stack.app.inject({ method: 'GET', url: `/v1/items/${created.id}` });
    const after = await cacheCounts();
    expect(after.misses - before.misses).toBe(1);
    expect(after.hits - before.hits).toBe(1);
  });

  test('a cached read is served from Redis, not PostgreSQL', async () => {
    const created = (await create({ name: 'from-cache', quantity: 1 })).json();
    await stack.app.inject({ method: 'GET', url: `/v1/items/${created.id}` });
    // Change the row behind the cache's back: a cached read must not see it.
    await stack.pg.psql(`UPDATE items SET quantity = 77 WHERE id = '${created.id}'`);
    const read = await stack.app.inject({ method: 'GET', url: `/v1/items/${created.id}` });
    expect(read.json().quantity).toBe(1);
  });

  test('GIVEN a cached item WHEN it is updated THEN the entry is invalidated and the next read returns the new value', async () => {
    const created = (await create({ name: 'stale?', quantity: 1 })).json();
    await stack.app.inject({ method: 'GET', url: `/v1/items/${created.id}` });
    await stack.app.inject({ method: 'PATCH', url: `/v1/items/${created.id}`, payload: { quantity: 2 } });
    const key = `item:v1:${created.id}`;
    expect(await stack.app.vigil.cache.client.get(key)).toBe(INVALIDATED);
    const hold = await stack.app.vigil.cache.client.pttl(key);
    expect(hold).toBeGreaterThan(0);
    expect(hold).toBeLessThanOrEqual(INVALIDATION_HOLD_MS);
    expect((await stack.app.inject({ method: 'GET', url: `/v1/items/${created.id}` })).json().quantity).toBe(2);
  });

  test('GIVEN a cached item WHEN it is deleted THEN reads answer 404, not the cached copy', async () => {
    const created = (await create({ name: 'doomed' })).json();
    await stack.app.inject({ method: 'GET', url: `/v1/items/${created.id}` });
    await stack.app.inject({ method: 'DELETE', url: `/v1/items/${created.id}` });
    expect((await stack.app.inject({ method: 'GET', url: `/v1/items/${created.id}` })).statusCode).toBe(404);
  });

  describe('a read that fetched the row before a write and fills the cache after it', () => {
    /** The JSON a read of the item got from PostgreSQL before the write (what it would cache). */
    async function readBeforeWrite(name: string): Promise<{ id: string; oldJson: string }> {
      const created = (await create({ name, quantity: 1 })).json();
      await stack.app.inject({ method: 'GET', url: `/v1/items/${created.id}` });
      const oldJson = (await stack.app.vigil.cache.client.get(`item:v1:${created.id}`))!;
      expect(JSON.parse(oldJson).quantity).toBe(1);
      return { id: created.id, oldJson };
    }

    test('GIVEN an update WHEN the late fill arrives THEN reads still return the new value', async () => {
      const { id, oldJson } = await readBeforeWrite('raced update');
      await stack.app.inject({ method: 'PATCH', url: `/v1/items/${id}`, payload: { quantity: 2 } });
      await stack.app.vigil.cache.setItem(id, oldJson);
      expect((await stack.app.inject({ method: 'GET', url: `/v1/items/${id}` })).json().quantity).toBe(2);
    });

    test('GIVEN a delete WHEN the late fill arrives THEN reads still answer 404', async () => {
      const { id, oldJson } = await readBeforeWrite('raced delete');
      await stack.app.inject({ method: 'DELETE', url: `/v1/items/${id}` });
      await stack.app.vigil.cache.setItem(id, oldJson);
      expect((await stack.app.inject({ method: 'GET', url: `/v1/items/${id}` })).statusCode).toBe(404);
    });

    test('GIVEN the hold has ended THEN the next read caches the current row again', async () => {
      const { id } = await readBeforeWrite('hold ends');
      await stack.app.inject({ method: 'PATCH', url: `/v1/items/${id}`, payload: { quantity: 3 } });
      // What the hold's expiry does, without waiting for it.
      await stack.app.vigil.cache.client.del(`item:v1:${id}`);
      await stack.app.inject({ method: 'GET', url: `/v1/items/${id}` });
      expect(JSON.parse((await stack.app.vigil.cache.client.get(`item:v1:${id}`))!).quantity).toBe(3);
    });
  });

  test('cached entries expire (TTL set)', async () => {
    const created = (await create({ name: 'ttl' })).json();
    await stack.app.inject({ method: 'GET', url: `/v1/items/${created.id}` });
    const ttl = await stack.app.vigil.cache.client.ttl(`item:v1:${created.id}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
  });
});

describe('bad input is a 4xx that says what was wrong, never a 5xx', () => {
  const json = { 'content-type': 'application/json' };
  const cases: Array<[string, { method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; url: string; payload?: string; headers?: Record<string, string> }, number, RegExp]> = [
    ['malformed JSON', { method: 'POST', url: '/v1/items', payload: '{"name": ', headers: json }, 400, /not valid JSON/],
    ['a wrong type', { method: 'POST', url: '/v1/items', payload: '{"name":"a","quantity":"5"}', headers: json }, 400, /body\/quantity must be integer/],
    ['a negative quantity', { method: 'POST', url: '/v1/items', payload: '{"name":"a","quantity":-1}', headers: json }, 400, /body\/quantity must be >= 0/],
    ['a missing name', { method: 'POST', url: '/v1/items', payload: '{"quantity":1}', headers: json }, 400, /body is missing required field 'name'/],
    ['a NUL character in a name', { method: 'POST', url: '/v1/items', payload: '{"name":"a\\u0000b"}', headers: json }, 400, /body\/name contains a NUL character \(\\u0000\), which PostgreSQL text cannot store: remove it/],
    ['a NUL character in an update', { method: 'PATCH', url: '/v1/items/00000000-0000-4000-8000-000000000000', payload: '{"description":"\\u0000"}', headers: json }, 400, /body\/description contains a NUL character/],
    ['an unknown field', { method: 'POST', url: '/v1/items', payload: '{"name":"a","colour":"red"}', headers: json }, 400, /body has unknown field 'colour'/],
    ['an empty update', { method: 'PATCH', url: '/v1/items/00000000-0000-4000-8000-000000000000', payload: '{}', headers: json }, 400, /body must NOT have fewer than 1 properties/],
    ['an oversized body', { method: 'POST', url: '/v1/items', payload: JSON.stringify({ name: 'a', description: 'x'.repeat(20_000) }), headers: json }, 413, /Request body is too large/],
    ['a non-JSON content type', { method: 'POST', url: '/v1/items', payload: 'name=a', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415, /Unsupported Media Type/],
    ['a prototype-poisoning body', { method: 'POST', url: '/v1/items', payload: '{"name":"a","__proto__":{"admin":true}}', headers: json }, 400, /not valid JSON/],
    ['a bad id', { method: 'GET', url: '/v1/items/not-a-uuid' }, 400, /params\/id must match pattern/],
    ['an SQL-looking id', { method: 'DELETE', url: "/v1/items/1'%20OR%20'1'='1" }, 400, /params\/id/],
    ['a bad cursor', { method: 'GET', url: '/v1/items?cursor=bm90LWEtY3Vyc29y' }, 400, /querystring\/cursor is not a cursor returned by this API/],
    ['a cursor with illegal characters', { method: 'GET', url: '/v1/items?cursor=%24%24' }, 400, /querystring\/cursor must match pattern/],
    ['a limit above the maximum', { method: 'GET', url: '/v1/items?limit=101' }, 400, /querystring\/limit must match pattern/],
    ['a non-numeric limit', { method: 'GET', url: '/v1/items?limit=ten' }, 400, /querystring\/limit/],
    ['an unknown query parameter', { method: 'GET', url: '/v1/items?sort=name' }, 400, /querystring has unknown field 'sort'/],
    ['an unknown route', { method: 'GET', url: '/v2/nothing?x=1' }, 404, /no route for GET \/v2\/nothing$/],
    ['an id that does not decode', { method: 'GET', url: '/v1/items/%zz' }, 400, /'\/v1\/items\/%zz' is not a valid url component/],
    ['an id over the parameter length limit', { method: 'GET', url: `/v1/items/${'a'.repeat(101)}` }, 414, /is exceeding the max param length/],
  ];

  test.each(cases)('%s', async (_name, request, status, message) => {
    const response = await stack.app.inject(request);
    expect(response.statusCode).toBe(status);
    expect(response.json().message).toMatch(message);
  });

  test('a well-formed cursor for a position past the end returns an empty page', async () => {
    const page = (await stack.app.inject({ method: 'GET', url: `/v1/items?cursor=${encodeCursor('999999999')}` })).json();
    expect(page).toEqual({ items: [], nextCursor: null });
  });

  test('after all the bad input the process counted no internal error', async () => {
    expect(sampleValue(await scrape(stack.app), 'app_errors_total', { kind: 'internal' })).toBe(0);
  });
});
