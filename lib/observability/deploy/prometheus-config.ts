import { LOG_ROUTER_JOB, LOG_ROUTER_METRICS_PATH, LOG_ROUTER_METRICS_PORT } from '../log-router';
import { ALERTMANAGER_JOB, BACKEND_JOB, PROMETHEUS_JOB } from '../scrape-jobs';
import { toYaml } from './yaml-text';

/** Inputs of the deployed `prometheus.yml`; strings may be CDK tokens. */
export interface PrometheusConfigInput {
  /** Added to every series and alert as the `env` label. */
  readonly envName: string;
  readonly scrapeIntervalSeconds: number;
  /** Cloud Map DNS name whose A records are the backend tasks, e.g. `backend.staging.vigil.internal`. */
  readonly backendDnsName: string;
  /** The backend's metrics port (`METRICS_PORT`). */
  readonly backendMetricsPort: number;
  /** Port Prometheus listens on (self-scrape target). */
  readonly prometheusPort: number;
  /** Alertmanager in the same task (awsvpc: shares localhost). */
  readonly alertmanagerPort: number;
  /** Glob of rule files, relative to the config file's directory. */
  readonly ruleFilesGlob: string;
  /** Remote-write target (Amazon Managed Service for Prometheus); absent = local TSDB only. */
  readonly remoteWrite?: { readonly url: string; readonly region: string };
}

/**
 * Renders `prometheus.yml`: the backend found through DNS service discovery, Prometheus itself,
 * alerts to the Alertmanager beside it, the catalog's rule files, and SigV4 remote_write when
 * configured. Retention is a command-line flag, not part of this file.
 */
export function renderPrometheusConfig(input: PrometheusConfigInput): string {
  const interval = `${input.scrapeIntervalSeconds}s`;
  const config: Record<string, unknown> = {
    global: {
      scrape_interval: interval,
      evaluation_interval: interval,
      external_labels: { env: input.envName },
    },
    alerting: {
      alertmanagers: [{ static_configs: [{ targets: [`localhost:${input.alertmanagerPort}`] }] }],
    },
    rule_files: [input.ruleFilesGlob],
    scrape_configs: [
      {
        job_name: BACKEND_JOB,
        // One A record per running task; re-resolved every refresh, so scaling needs no reload.
        dns_sd_configs: [{ names: [input.backendDnsName], type: 'A', port: input.backendMetricsPort, refresh_interval: '30s' }],
        metrics_path: '/metrics',
      },
      {
        // The log router beside each backend task (same A records, its own port): its OpenSearch
        // output's abandoned retries are logs lost (signals.ts, logDeliveryFailures).
        job_name: LOG_ROUTER_JOB,
        dns_sd_configs: [{ names: [input.backendDnsName], type: 'A', port: LOG_ROUTER_METRICS_PORT, refresh_interval: '30s' }],
        metrics_path: LOG_ROUTER_METRICS_PATH,
      },
      {
        job_name: PROMETHEUS_JOB,
        static_configs: [{ targets: [`localhost:${input.prometheusPort}`] }],
      },
      {
        // Its notification failures silence the Watchdog (prometheus-rules.ts).
        job_name: ALERTMANAGER_JOB,
        static_configs: [{ targets: [`localhost:${input.alertmanagerPort}`] }],
      },
    ],
  };
  if (input.remoteWrite) {
    config.remote_write = [{
      url: input.remoteWrite.url,
      sigv4: { region: input.remoteWrite.region },
      queue_config: { max_samples_per_send: 1000, max_shards: 200, capacity: 2500 },
    }];
  }
  return toYaml(config);
}
