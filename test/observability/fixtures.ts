/** Shared inputs for the catalog tests: resources shaped like the stacks' and settings per environment. */

import { PRODUCTION_THRESHOLDS, STAGING_THRESHOLDS } from '../../lib/observability/environment-thresholds';
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
};

/** Settings per environment name. */
export const SETTINGS: Readonly<Record<'staging' | 'production', CatalogSettings>> = {
  production: { thresholds: PRODUCTION_THRESHOLDS, sloAvailabilityObjectivePercent: 99.9, runbookBaseUrl: 'https://example.com/vigil/docs/runbooks.md' },
  staging: { thresholds: STAGING_THRESHOLDS, sloAvailabilityObjectivePercent: 99.5, runbookBaseUrl: 'https://example.com/vigil/docs/runbooks.md' },
};

/** Production settings with some thresholds replaced (the rest unchanged). */
export function productionWith(thresholds: Record<string, unknown>): CatalogSettings {
  return { ...SETTINGS.production, thresholds: { ...SETTINGS.production.thresholds, ...thresholds } as CatalogSettings['thresholds'] };
}
