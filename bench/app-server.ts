/**
 * Child process of bench/app.ts: one instance of the service (instrumented or not) on a free
 * loopback port. Runs under the app's own Node binary with the app's dependencies, compiled on
 * the fly (app/test/support/register-ts.js); the app package is loaded by path at run time
 * because it is its own package, outside the root TypeScript project.
 *
 * argv[2]: `on` | `off` (instrumentation). Environment: the service's PG and Redis variables.
 * Reports `{ port, metricsPort }` over IPC, then serves until killed.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

interface ListeningApp {
  listen(options: { port: number; host: string }): Promise<string>;
  server: Server;
  vigil: { metrics?: { registry: unknown; recordRequest(method: string, route: string, status: number, seconds: number): void } };
}

const appDir = join(__dirname, '..', 'app', 'src');
/* eslint-disable @typescript-eslint/no-require-imports */
const { loadConfig } = require(join(appDir, 'config')) as { loadConfig(env: NodeJS.ProcessEnv): { logLevel: string } };
const { buildApp } = require(join(appDir, 'app')) as { buildApp(options: { config: unknown; instrumentation: boolean }): Promise<ListeningApp> };
const { createMetricsServer } = require(join(appDir, 'observability', 'metrics-server')) as {
  createMetricsServer(registry: unknown, logger: unknown): Server;
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** Synthetic route templates added before the scrape measurement, to reach ~5k series. */
export const SYNTHETIC_ROUTES = 300;

async function main(): Promise<void> {
  const instrumentation = process.argv[2] === 'on';
  const config = loadConfig(process.env);
  const app = await buildApp({ config, instrumentation });
  await app.listen({ port: 0, host: '127.0.0.1' });
  let metricsPort = 0;
  if (app.vigil.metrics) {
    const metricsServer = createMetricsServer(app.vigil.metrics.registry, undefined);
    metricsServer.listen(0, '127.0.0.1');
    await once(metricsServer, 'listening');
    metricsPort = (metricsServer.address() as AddressInfo).port;
  }
  process.on('message', (message: { fill?: boolean }) => {
    // Fill the registry the way a service with many routes would look: 300 route templates x
    // one method x one status, each a 16-series histogram plus a counter (~5.1k series).
    if (message.fill && app.vigil.metrics) {
      for (let i = 0; i < SYNTHETIC_ROUTES; i++) app.vigil.metrics.recordRequest('GET', `/v1/synthetic/${i}/:id`, 200, 0.001 * (i % 50));
      process.send?.({ filled: true });
    }
  });
  process.send?.({ port: (app.server.address() as AddressInfo).port, metricsPort });
}

main().catch((error: unknown) => {
  process.stderr.write(`bench server failed: ${String(error)}\n`);
  process.exit(1);
});
