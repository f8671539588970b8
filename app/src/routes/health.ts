/**
 * Health endpoints for the ALB and ECS. Liveness (`/healthz`) looks at the process only, so a
 * database outage never makes ECS kill healthy tasks. Readiness (`/readyz`) checks PostgreSQL and
 * Redis with short deadlines and turns 503 the moment shutdown starts.
 */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../data/postgres';
import type { Cache } from '../data/redis';

/** Deadline for each readiness check. */
export const READINESS_TIMEOUT_MS = 500;

/** Shared shutdown flag: server.ts sets it on SIGTERM. */
export interface Lifecycle {
  draining: boolean;
}

type CheckResult = 'ok' | { error: string };

async function check(probe: Promise<void>): Promise<CheckResult> {
  try {
    await probe;
    return 'ok';
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { error: typeof code === 'string' ? code : 'unreachable' };
  }
}

/** Registers `/healthz` and `/readyz`. */
export function registerHealthRoutes(app: FastifyInstance, db: Database, cache: Cache, lifecycle: Lifecycle): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    if (lifecycle.draining) return reply.code(503).send({ status: 'draining' });
    const [postgres, redis] = await Promise.all([check(db.ping(READINESS_TIMEOUT_MS)), check(cache.ping(READINESS_TIMEOUT_MS))]);
    const ready = postgres === 'ok' && redis === 'ok';
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks: { postgres, redis } });
  });
}
