import { toYaml } from './yaml-text';

/**
 * Fixed datasource UIDs. Dashboards (from the signal catalog) refer to datasources by these,
 * so the same dashboard JSON works against the Prometheus task (staging) and AMP (production).
 */
export const GRAFANA_DATASOURCE_UIDS = {
  prometheus: 'prometheus',
  opensearch: 'opensearch',
  cloudwatch: 'cloudwatch',
} as const;

/** Where Grafana's Prometheus datasource reads from. */
export type GrafanaPrometheusSource =
  /** The Prometheus task, plain HTTP inside the VPC. */
  | { readonly kind: 'prometheus'; readonly url: string }
  /** An Amazon Managed Service for Prometheus workspace endpoint, signed with SigV4. */
  | { readonly kind: 'managed'; readonly url: string };

/** Inputs of Grafana's datasource provisioning file; strings may be CDK tokens. */
export interface GrafanaDatasourcesInput {
  readonly region: string;
  readonly prometheus: GrafanaPrometheusSource;
  /** OpenSearch domain endpoint, without scheme. */
  readonly openSearchEndpoint: string;
  /** Index pattern the log router writes, e.g. `staging-backend-*`. */
  readonly openSearchIndexPattern: string;
  /** OpenSearch engine version, e.g. `2.17.0`. */
  readonly openSearchVersion: string;
}

/**
 * Renders `provisioning/datasources/vigil.yml`: Prometheus (or AMP), OpenSearch and CloudWatch,
 * all signed with the task role's credentials (SigV4) where AWS serves them. Nothing is editable
 * in the UI: Grafana's state is this file.
 */
export function renderGrafanaDatasources(input: GrafanaDatasourcesInput): string {
  const sigv4 = { sigV4Auth: true, sigV4AuthType: 'default', sigV4Region: input.region };
  const prometheus = input.prometheus.kind === 'managed'
    ? { jsonData: { ...sigv4, httpMethod: 'POST' } }
    : { jsonData: { httpMethod: 'POST' } };
  return toYaml({
    apiVersion: 1,
    datasources: [
      {
        name: 'Prometheus', uid: GRAFANA_DATASOURCE_UIDS.prometheus, type: 'prometheus', access: 'proxy',
        url: input.prometheus.url, isDefault: true, editable: false, ...prometheus,
      },
      {
        name: 'OpenSearch logs', uid: GRAFANA_DATASOURCE_UIDS.opensearch, type: 'grafana-opensearch-datasource', access: 'proxy',
        url: `https://${input.openSearchEndpoint}`, editable: false,
        jsonData: {
          ...sigv4, database: input.openSearchIndexPattern, timeField: '@timestamp', flavor: 'opensearch',
          version: input.openSearchVersion, pplEnabled: true, logMessageField: 'message', logLevelField: 'level',
        },
      },
      {
        name: 'CloudWatch', uid: GRAFANA_DATASOURCE_UIDS.cloudwatch, type: 'cloudwatch', access: 'proxy', editable: false,
        jsonData: { authType: 'default', defaultRegion: input.region },
      },
    ],
  });
}

/**
 * Renders `provisioning/dashboards/vigil.yml`: one file provider reading the dashboards folder,
 * with UI edits disabled so the catalog stays the source of truth.
 *
 * @param dashboardsPath absolute folder the dashboard JSON files are written to
 */
export function renderGrafanaDashboardProvider(dashboardsPath: string): string {
  return toYaml({
    apiVersion: 1,
    providers: [{
      name: 'vigil', folder: 'Vigil', type: 'file', disableDeletion: true, allowUiUpdates: false,
      updateIntervalSeconds: 60, options: { path: dashboardsPath },
    }],
  });
}
