/**
 * What the backend's log router (FireLens, Fluent Bit) exposes to Prometheus, shared by the task
 * definition that configures it (backend-service.ts), the scrape job that reads it
 * (deploy/prometheus-config.ts) and the signal that alarms on it (signals.ts).
 */

/** Port of Fluent Bit's own HTTP server in the backend task; only Prometheus may reach it. */
export const LOG_ROUTER_METRICS_PORT = 2020;

/** Fluent Bit's Prometheus-format metrics: its v1 API, in the 1.9 line the log router runs. */
export const LOG_ROUTER_METRICS_PATH = '/api/v1/metrics/prometheus';

/** Prometheus job that scrapes every backend task's log router. */
export const LOG_ROUTER_JOB = 'log-router';

/**
 * Alias of the log router's OpenSearch output. Fluent Bit labels an output's metrics with its
 * alias (`name="opensearch"`) instead of the positional `opensearch.0`, so a rule can name it.
 */
export const LOG_ROUTER_OPENSEARCH_OUTPUT = 'opensearch';

/** PromQL label matchers of the OpenSearch output's series, as the scrape job labels them. */
export const LOG_ROUTER_OPENSEARCH_SELECTOR = `job="${LOG_ROUTER_JOB}",name="${LOG_ROUTER_OPENSEARCH_OUTPUT}"`;
