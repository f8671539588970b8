/**
 * First module server.ts loads: parses the configuration (a bad value ends the process with one
 * line) and starts Sentry when a DSN is set, before Fastify, pg and ioredis are required, as the
 * Sentry SDK needs to instrument them.
 */
import { ConfigError, loadConfig, type AppConfig } from './config';
import { initSentry } from './observability/sentry';

function loadOrExit(): AppConfig {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** The validated configuration of this process. */
export const config: AppConfig = loadOrExit();

initSentry({
  dsn: config.sentryDsn,
  environment: config.deployEnv,
  release: `${config.serviceName}@${config.appVersion}+${config.gitCommit}`,
});
