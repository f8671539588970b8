/**
 * The metrics listener: `GET /metrics` on its own port (default 9464), so the public port and the
 * ALB never expose it; only Prometheus' security group reaches this one.
 */
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import type { Logger } from './logger';
import { exposition } from './series-metrics';

/** Creates (does not start) the metrics HTTP server for `registry`. */
export function createMetricsServer(registry: Registry, logger: Logger): Server {
  const server = createServer((request, response) => {
    const path = request.url?.split('?', 1)[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: metrics are at GET /metrics\n');
      return;
    }
    exposition(registry).then(
      (body) => {
        response.writeHead(200, { 'content-type': registry.contentType });
        response.end(request.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => {
        logger.error('metrics scrape failed', { err: error });
        response.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error\n');
      },
    );
  });
  server.keepAliveTimeout = 65_000;
  return server;
}
