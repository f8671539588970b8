/**
 * Per-request instrumentation: the in-flight gauge, the two HTTP metrics and one access log line.
 *
 * Kept deliberately cheap because it runs on every request: the two hooks are plain named
 * functions (no closure allocated per request), the duration is Fastify's own `reply.elapsedTime`
 * (it stamps every request anyway), metric series are cached in {@link AppMetrics}, and the log
 * line goes through logger.ts's access-log writer (the logger's format and transport, no stream).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { accessLogWriter, type Logger } from './logger';
import { UNMATCHED_ROUTE, type AppMetrics } from './metrics';

/** Well-formed incoming request ids are kept (so a trace crosses the ALB); others are replaced. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{8,128}$/;

/** Registers the hooks on `app`. */
export function registerRequestHooks(app: FastifyInstance, metrics: AppMetrics, logger: Logger): void {
  const writeAccessLog = accessLogWriter(logger);

  function onRequest(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    metrics.inFlightRequests++;
    reply.header('x-request-id', request.id);
    done();
  }

  function onResponse(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    metrics.inFlightRequests--;
    const durationMs = reply.elapsedTime;
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    const statusCode = reply.statusCode;
    metrics.recordRequest(request.method, route, statusCode, durationMs / 1000);
    writeAccessLog?.({
      requestId: request.id,
      method: request.method,
      route,
      statusCode,
      durationMs: Math.round(durationMs * 1000) / 1000,
      remoteAddress: request.ip,
      userAgent: request.headers['user-agent'],
    });
    done();
  }

  app.addHook('onRequest', onRequest);
  app.addHook('onResponse', onResponse);
}
