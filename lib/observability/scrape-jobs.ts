/**
 * Prometheus job names of the scrape configuration (deploy/prometheus-config.ts), for the rules
 * and queries that select by `job`: one spelling, so renaming a job cannot leave a rule reading
 * series that no longer exist. (The log router's job is `LOG_ROUTER_JOB` in log-router.ts, beside its port.)
 */

/** Every backend task's own `/metrics` (found through Cloud Map DNS). */
export const BACKEND_JOB = 'backend';
/** Prometheus scraping itself. */
export const PROMETHEUS_JOB = 'prometheus';
/** The Alertmanager beside Prometheus. */
export const ALERTMANAGER_JOB = 'alertmanager';
