/**
 * Boots the service: configuration and Sentry (instrument.ts, first), the app, the public and
 * metrics listeners, and graceful shutdown.
 *
 * Shutdown on SIGTERM (ECS gives 30 s before SIGKILL):
 * 1. readiness answers 503 and every response carries `Connection: close`, so keep-alive
 *    clients leave after their current request instead of racing a closing socket;
 * 2. after `SHUTDOWN_DRAIN_MS` the listener stops accepting, idle connections close and
 *    in-flight requests finish (`app.close()`), then the PostgreSQL and Redis pools close;
 * 3. Sentry is flushed and the process exits 0. A second signal, or 25 s passing, forces exit 1.
 */
import { config } from './instrument';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildApp } from './app';
import { createLogger } from './observability/logger';
import { createMetricsServer } from './observability/metrics-server';
import { flushSentry } from './observability/sentry';

/** Hard limit for a graceful shutdown, well inside ECS's 30 s stopTimeout. */
const SHUTDOWN_DEADLINE_MS = 25_000;

async function main(): Promise<void> {
  const logger = createLogger({ level: config.logLevel, service: config.serviceName });

  process.on('unhandledRejection', (reason) => {
    app?.vigil.metrics?.appErrors.labels('unhandled_rejection').inc();
    logger.error('unhandled promise rejection', { err: reason });
  });
  process.on('uncaughtException', (error) => {
    app?.vigil.metrics?.appErrors.labels('uncaught_exception').inc();
    logger.error('uncaught exception; exiting', { err: error });
    void flushSentry(2000).finally(() => process.exit(1));
  });

  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  app = await buildApp({ config, logger });
  const { lifecycle, metrics } = app.vigil;

  // Runs before Fastify's own listener: once draining, responses say `Connection: close`.
  app.server.prependListener('request', (_request, response) => {
    if (lifecycle.draining) response.shouldKeepAlive = false;
  });

  const metricsServer = createMetricsServer(metrics!.registry, logger);
  metricsServer.listen(config.metricsPort, config.host);
  await once(metricsServer, 'listening');
  await app.listen({ port: config.port, host: config.host });

  logger.info('listening', {
    port: (app.server.address() as AddressInfo).port,
    metricsPort: (metricsServer.address() as AddressInfo).port,
    deployEnv: config.deployEnv,
    version: config.appVersion,
    commit: config.gitCommit,
  });

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) {
      logger.warn('second signal during shutdown; exiting now', { signal });
      process.exit(1);
    }
    stopping = true;
    lifecycle.draining = true;
    logger.info('shutdown started', { signal, drainMs: config.shutdownDrainMs });
    setTimeout(() => {
      logger.error('shutdown deadline passed; exiting', { deadlineMs: SHUTDOWN_DEADLINE_MS });
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    await sleep(config.shutdownDrainMs);
    await app!.close();
    metricsServer.closeAllConnections();
    await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
    await flushSentry(2000);
    logger.info('shutdown complete');
    process.exit(0);
  };
  process.on('SIGTERM', (signal) => void shutdown(signal));
  process.on('SIGINT', (signal) => void shutdown(signal));
}

main().catch((error: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'error', message: 'start-up failed', error: String(error) })}\n`);
  process.exit(1);
});
