/** Shared inputs for the catalog tests: resources shaped like the stacks' and settings per environment. */

import { configFor } from '../../lib/config';
import type { MonitoredResources } from '../../lib/observability/monitored-resources';
import type { CatalogSettings } from '../../lib/observability/settings';

/** Resource identifiers as a deployed production stage would have them, with two Redis nodes. */
export const RESOURCES: MonitoredResources = {
  accountId: '123456789012',
  region: 'eu-west-1',
  loadBalancerFullName: 'app/production-vigil/0123456789abcdef',
  backendTargetGroupFullName: 'targetgroup/backend/0123456789abcdef',
  clusterName: 'production-vigil',
  backendServiceName: 'backend',
  prometheusServiceName: 'prometheus',
  grafanaServiceName: 'grafana',
  dbInstanceIdentifier: 'production-vigil-db',
  redisReplicationGroupId: 'production-vigil',
  redisCacheClusterIds: ['production-vigil-001', 'production-vigil-002'],
  openSearchDomainName: 'production-vigil-logs',
  backendLogGroupName: '/vigil/production/backend',
  heartbeatTopicName: 'production-vigil-heartbeat',
};

/** The catalog settings of the committed environments (lib/config/staging.ts, production.ts). */
export const SETTINGS: Readonly<Record<'staging' | 'production', CatalogSettings>> = {
  production: configFor('production').alarms,
  staging: configFor('staging').alarms,
};

/** Where the committed config says the runbooks are. */
export const RUNBOOK_BASE_URL = SETTINGS.production.runbookBaseUrl;

/** Production settings with some thresholds replaced (the rest unchanged). */
export function productionWith(thresholds: Record<string, unknown>): CatalogSettings {
  return { ...SETTINGS.production, thresholds: { ...SETTINGS.production.thresholds, ...thresholds } as CatalogSettings['thresholds'] };
}
