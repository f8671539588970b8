/**
 * `/v1/items`: create, read, list (cursor pagination), update, delete. PostgreSQL is the source of
 * truth; single-item reads are served cache-aside through Redis and writes invalidate the entry.
 * Bodies, params and query strings are validated by JSON schema: unknown fields, wrong types and
 * malformed ids are 400s before a handler runs.
 */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../data/postgres';
import type { Cache } from '../data/redis';
import { ClientError } from '../errors';

/** An item as the API returns it. */
export interface Item {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly quantity: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

interface ItemRow {
  id: string;
  seq: string;
  name: string;
  description: string;
  quantity: number;
  created_at: Date;
  updated_at: Date;
}

/** Largest page `GET /v1/items?limit=` accepts. */
export const MAX_PAGE_SIZE = 100;
const DEFAULT_PAGE_SIZE = 20;
const COLUMNS = 'id, seq, name, description, quantity, created_at, updated_at';

const idParams = {
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'string', pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' },
  },
} as const;

/**
 * Text fields hold no NUL character: PostgreSQL's text cannot store U+0000 and rejects the whole
 * statement (a 500 before this check). app.ts words this pattern's failure as its own message.
 */
export const WITHOUT_NUL = '^[^\\u0000]*$';

const fields = {
  name: { type: 'string', minLength: 1, maxLength: 200, pattern: WITHOUT_NUL },
  description: { type: 'string', maxLength: 2000, pattern: WITHOUT_NUL },
  quantity: { type: 'integer', minimum: 0, maximum: 1_000_000_000 },
} as const;

const createBody = { type: 'object', additionalProperties: false, required: ['name'], properties: fields } as const;
const updateBody = { type: 'object', additionalProperties: false, minProperties: 1, properties: fields } as const;
const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'string', pattern: `^([1-9]|[1-9][0-9]|100)$` },
    cursor: { type: 'string', maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' },
  },
} as const;

interface ItemFields {
  name?: string;
  description?: string;
  quantity?: number;
}

function toItem(row: ItemRow): Item {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    quantity: row.quantity,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Opaque cursor: the last row's sequence number, base64url-encoded with a version tag. */
export function encodeCursor(seq: string): string {
  return Buffer.from(`v1:${seq}`).toString('base64url');
}

/** Decodes a cursor from {@link encodeCursor}; anything else is a 400 naming the parameter. */
export function decodeCursor(cursor: string): string {
  const match = /^v1:(\d{1,18})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new ClientError(400, "querystring/cursor is not a cursor returned by this API: pass 'nextCursor' from the previous page");
  return match[1];
}

function notFound(id: string): ClientError {
  return new ClientError(404, `item ${id} does not exist`);
}

/** Registers the item routes. */
export function registerItemRoutes(app: FastifyInstance, db: Database, cache: Cache): void {
  app.post<{ Body: ItemFields & { name: string } }>('/v1/items', { schema: { body: createBody } }, async (request, reply) => {
    const { name, description = '', quantity = 0 } = request.body;
    const { rows } = await db.query<ItemRow>(
      'insert_item',
      `INSERT INTO items (name, description, quantity) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
      [name, description, quantity],
    );
    const item = toItem(rows[0]);
    return reply.code(201).header('location', `/v1/items/${item.id}`).send(item);
  });

  app.get<{ Params: { id: string } }>('/v1/items/:id', { schema: { params: idParams } }, async (request, reply) => {
    const { id } = request.params;
    reply.type('application/json; charset=utf-8');
    const cached = await cache.getItem(id);
    if (cached !== undefined) return cached;
    const { rows } = await db.query<ItemRow>('select_item', `SELECT ${COLUMNS} FROM items WHERE id = $1`, [id]);
    if (rows.length === 0) throw notFound(id);
    const json = JSON.stringify(toItem(rows[0]));
    await cache.setItem(id, json);
    return json;
  });

  app.get<{ Querystring: { limit?: string; cursor?: string } }>('/v1/items', { schema: { querystring: listQuery } }, async (request) => {
    const limit = request.query.limit === undefined ? DEFAULT_PAGE_SIZE : Number(request.query.limit);
    const after = request.query.cursor === undefined ? '0' : decodeCursor(request.query.cursor);
    const { rows } = await db.query<ItemRow>(
      'list_items',
      `SELECT ${COLUMNS} FROM items WHERE seq > $1 ORDER BY seq LIMIT $2`,
      [after, limit + 1],
    );
    const page = rows.slice(0, limit);
    const nextCursor = rows.length > limit ? encodeCursor(page[page.length - 1].seq) : null;
    return { items: page.map(toItem), nextCursor };
  });

  app.patch<{ Params: { id: string }; Body: ItemFields }>(
    '/v1/items/:id',
    { schema: { params: idParams, body: updateBody } },
    async (request) => {
      const { id } = request.params;
      const { name, description, quantity } = request.body;
      const { rows } = await db.query<ItemRow>(
        'update_item',
        `UPDATE items SET name = COALESCE($2, name), description = COALESCE($3, description),
           quantity = COALESCE($4, quantity), updated_at = now()
         WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, name ?? null, description ?? null, quantity ?? null],
      );
      if (rows.length === 0) throw notFound(id);
      await cache.invalidate(id);
      return toItem(rows[0]);
    },
  );

  app.delete<{ Params: { id: string } }>('/v1/items/:id', { schema: { params: idParams } }, async (request, reply) => {
    const { id } = request.params;
    const { rowCount } = await db.query('delete_item', 'DELETE FROM items WHERE id = $1', [id]);
    if (rowCount === 0) throw notFound(id);
    await cache.invalidate(id);
    return reply.code(204).send();
  });
}
