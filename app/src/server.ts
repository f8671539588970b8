/**
 * Boots the service: configuration and Sentry (instrument.ts, first), the app, the public and
 * metrics listeners, and graceful shutdown.
 *
 * Shutdown on SIGTERM (ECS gives 30 s before SIGKILL):
 * 1. readiness answers 503 at once; for `SHUTDOWN_DRAIN_MS` everything else is served as usual
 *    (the ALB is deregistering the task and may still send a few requests);
 * 2. the listener stops accepting, and from then on every response carries `Connection: close`,
 *    so each keep-alive client leaves after its current request instead of racing a socket we
 *    close under it; connections get up to 2 s to finish this way;
 * 3. `app.close()` closes any idle connection left, waits for in-flight requests and closes the
 *    PostgreSQL and Redis pools; Sentry is flushed and the process exits 0.
 * A second signal, or 25 s passing, forces exit 1.
 */
import { config } from './instrument';
import { Server as NetServer, type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildApp } from './app';
import { createLogger } from './observability/logger';
import { createMetricsServer } from './observability/metrics-server';
import { flushSentry } from './observability/sentry';

/** Hard limit for a graceful shutdown, well inside ECS's 30 s stopTimeout. */
const SHUTDOWN_DEADLINE_MS = 25_000;
/** After the listener stops, how long open connections get to finish on their own. */
const CONNECTION_GRACE_MS = 2_000;

/** Resolves when `server` has no open connection left, or after `timeoutMs`. */
async function connectionsClosed(server: NetServer, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<number>((resolve) => server.getConnections((error, count) => resolve(error ? 0 : count)));
    if (open === 0 || Date.now() > deadline) return;
    await sleep(25);
  }
}

async function main(): Promise<void> {
  const logger = createLogger({ level: config.logLevel, service: config.serviceName });
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;

  process.on('unhandledRejection', (reason) => {
    app?.vigil.metrics?.recordError('unhandled_rejection');
    logger.error('unhandled promise rejection', { err: reason });
  });
  process.on('uncaughtException', (error) => {
    app?.vigil.metrics?.recordError('uncaught_exception');
    logger.error('uncaught exception; exiting', { err: error });
    void flushSentry(2000).finally(() => process.exit(1));
  });

  app = await buildApp({ config, logger });
  const { lifecycle, metrics } = app.vigil;

  // Runs before Fastify's own listener: once the listener is closed, responses say `Connection: close`.
  let closing = false;
  app.server.prependListener('request', (_request, response) => {
    if (closing) response.shouldKeepAlive = false;
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
    // Stop accepting but leave open connections alone: http.Server#close would also reset idle
    // keep-alive ones at once, racing a client that is sending its next request right then.
    closing = true;
    NetServer.prototype.close.call(app!.server);
    await connectionsClosed(app!.server, CONNECTION_GRACE_MS);
    await app!.close();
    metricsServer.closeAllConnections();
    await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
    await flushSentry(2000);
    logger.info('shutdown complete');
    process.exit(0);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    shutdown(signal).catch((error: unknown) => {
      logger.error('shutdown failed', { err: error });
      process.exit(1);
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

main().catch((error: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'error', message: 'start-up failed', error: String(error) })}\n`);
  process.exit(1);
});
