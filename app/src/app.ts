/**
 * Builds the HTTP application: Fastify with its hooks, routes, one error handler and one 404
 * handler, wired to PostgreSQL and Redis. It never listens: server.ts does, and tests inject
 * requests or listen on port 0.
 */
import { STATUS_CODES } from 'node:http';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AppConfig } from './config';
import { migrate } from './data/migrations';
import { Database } from './data/postgres';
import { Cache } from './data/redis';
import { DependencyUnavailableError } from './errors';
import { createLogger, type Logger } from './observability/logger';
import { AppMetrics, UNMATCHED_ROUTE } from './observability/metrics';
import { registerRequestHooks, requestIdGenerator } from './observability/request-hooks';
import { captureError } from './observability/sentry';
import { registerHealthRoutes, type Lifecycle } from './routes/health';
import { WITHOUT_NUL, registerItemRoutes } from './routes/items';

/** Largest request body accepted (413 above it). Items are small. */
export const BODY_LIMIT_BYTES = 16 * 1024;
/** Longer than the ALB's 60 s idle timeout, so the ALB always closes first (no 502 on reuse). */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** Above the keep-alive timeout, as Node requires for the ALB pattern above. */
export const HEADERS_TIMEOUT_MS = 66_000;

/** What {@link buildApp} needs. */
export interface BuildAppOptions {
  readonly config: AppConfig;
  /** @default - a stdout logger at `config.logLevel` */
  readonly logger?: Logger;
  /**
   * Metrics, access log, dependency timings. Only the benchmark turns this off, to measure what
   * the instrumentation costs. @default true
   */
  readonly instrumentation?: boolean;
  /** Apply schema migrations before returning. @default true */
  readonly migrate?: boolean;
}

/** Everything the app holds, reachable from tests and server.ts as `app.vigil`. */
export interface AppContext {
  readonly config: AppConfig;
  readonly logger: Logger;
  /** `undefined` only when instrumentation is off. */
  readonly metrics: AppMetrics | undefined;
  readonly db: Database;
  readonly cache: Cache;
  /** Set `draining` to start shutdown: readiness answers 503 from then on. */
  readonly lifecycle: Lifecycle;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The service's context (config, logger, metrics, data access, lifecycle). */
    vigil: AppContext;
  }
}

interface SchemaError {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

/** One 400 message naming the field: `body/quantity must be integer`, `body has unknown field 'colour'`. */
function describeSchemaError(errors: SchemaError[], dataVar: string): Error {
  const [first] = errors;
  const where = `${dataVar}${first.instancePath}`;
  if (first.keyword === 'additionalProperties') return new Error(`${where} has unknown field '${String(first.params.additionalProperty)}'`);
  if (first.keyword === 'required') return new Error(`${where} is missing required field '${String(first.params.missingProperty)}'`);
  if (first.keyword === 'pattern' && first.params.pattern === WITHOUT_NUL) {
    return new Error(`${where} contains a NUL character (\\u0000), which PostgreSQL text cannot store: remove it`);
  }
  return new Error(`${where} ${first.message ?? 'is invalid'}`);
}

/**
 * Builds the app, connects to Redis and (unless disabled) migrates PostgreSQL. The caller owns
 * the result: `await app.close()` closes the pools.
 */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { config } = options;
  const instrumented = options.instrumentation !== false;
  const logger = options.logger ?? createLogger({ level: config.logLevel, service: config.serviceName });
  const metrics = instrumented ? new AppMetrics({ version: config.appVersion, commit: config.gitCommit }) : undefined;
  const db = new Database({ config: config.postgres, applicationName: config.serviceName, logger, metrics });
  const cache = new Cache({ config: config.redis, logger, metrics });
  const lifecycle: Lifecycle = { draining: false };

  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    requestTimeout: HEADERS_TIMEOUT_MS + 4_000,
    // Requests that reach us while closing are still served: the ALB has already stopped sending.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // One proxy hop (the ALB) in front: request.ip is the client it saw.
    trustProxy: (_address: string, hop: number) => hop === 0,
    genReqId: requestIdGenerator(instrumented),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    schemaErrorFormatter: describeSchemaError as never,
    // Fastify answers a few requests before routing: a path that does not decode (`/v1/items/%zz`,
    // 400) or a path parameter over its length limit (414). They have no route (and no
    // routeOptions), but go through the same error handling as every other request.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => handleError(error, request, reply, undefined),
  });
  app.server.headersTimeout = HEADERS_TIMEOUT_MS;
  app.decorate('vigil', { config, logger, metrics, db, cache, lifecycle });

  // Before any route is added: it instruments each route as it is added.
  const tracker = metrics ? registerRequestHooks(app, metrics, logger) : undefined;

  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    tracker?.track(request, reply, UNMATCHED_ROUTE);
    const path = request.url.split('?', 1)[0];
    reply.code(404).send({ error: 'Not Found', message: `no route for ${request.method} ${path}` });
  });

  /** The one error handler; `route` is the request's template, `undefined` before routing. */
  function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply, route: string | undefined): FastifyReply {
    // Errors before the handler (validation, body parsing) start the tracking here; errors
    // thrown by a handler are already tracked under its route.
    tracker?.track(request, reply, route ?? UNMATCHED_ROUTE);
    if (error instanceof DependencyUnavailableError) {
      metrics?.recordError('dependency_unavailable');
      // Fast-fails of an open breaker are the same outage again: log and report only real attempts.
      if (!error.breakerOpen) {
        logger.warn('dependency unavailable', { requestId: request.id, dependency: error.dependency, err: error.cause ?? error });
        captureError(error, { requestId: request.id, route });
      }
      return reply
        .code(503)
        .header('retry-after', String(error.retryAfterSeconds))
        .send({ error: 'Service Unavailable', message: `${error.dependency} is unavailable, retry after ${error.retryAfterSeconds} s` });
    }
    // ClientError and Fastify's own errors (bad JSON, body too large, validation) carry a 4xx.
    const statusCode = error.statusCode;
    if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
      return reply.code(statusCode).send({ error: STATUS_CODES[statusCode] ?? 'Bad Request', message: error.message });
    }
    metrics?.recordError('internal');
    logger.error('request failed', { requestId: request.id, method: request.method, route, err: error });
    captureError(error, { requestId: request.id, method: request.method, route });
    return reply.code(500).send({ error: 'Internal Server Error', message: 'Internal Server Error' });
  }
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => handleError(error, request, reply, request.routeOptions.url));

  registerHealthRoutes(app, db, cache, lifecycle);
  registerItemRoutes(app, db, cache);

  app.addHook('onClose', async () => {
    await Promise.allSettled([cache.close(), db.close()]);
  });

  try {
    await cache.connect();
    if (options.migrate !== false) {
      const applied = await migrate(db.pool);
      if (applied.length > 0) logger.info('migrations applied', { migrations: applied });
    }
    await app.ready();
  } catch (error) {
    await app.close();
    throw error;
  }
  return app;
}
