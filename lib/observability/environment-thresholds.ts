/**
 * Alarm numbers for staging and production.
 *
 * Staging alarms the same signals with looser numbers, so a broken change shows up there first
 * without paging anyone for the noise of a small, idle environment.
 */

import type { CatalogSettings, CatalogThresholds } from './settings';

/** Where docs/runbooks.md is read; alarms link its sections. */
export const RUNBOOK_BASE_URL = 'https://github.com/vigil-dev/vigil/blob/main/docs/runbooks.md';

/** Production numbers: what pages (critical) and what opens a ticket (warning). */
export const PRODUCTION_THRESHOLDS: CatalogThresholds = {
  apiErrorRate: { warning: { maxPercent: 1 }, critical: { maxPercent: 5 } },
  apiLatencyP99: { warning: { maxMilliseconds: 500 }, critical: { maxMilliseconds: 1500 } },
  apiUnhealthyHosts: { warning: { maxCount: 0 }, critical: { maxCount: 1 } },
  apiRejectedConnections: { warning: { maxCount: 0 }, critical: { maxCount: 100 } },
  backendCpu: { warning: { maxPercent: 70 }, critical: { maxPercent: 90 } },
  backendMemory: { warning: { maxPercent: 75 }, critical: { maxPercent: 90 } },
  backendMissingTasks: { warning: { maxCount: 0 }, critical: { maxCount: 1 } },
  appErrorRatio: { warning: { maxPercent: 1 }, critical: { maxPercent: 5 } },
  appLatencyP95: { warning: { maxMilliseconds: 250 }, critical: { maxMilliseconds: 1000 } },
  appLatencyP99: { warning: { maxMilliseconds: 500 }, critical: { maxMilliseconds: 2000 } },
  appEventLoopLag: { warning: { maxMilliseconds: 100 }, critical: { maxMilliseconds: 500 } },
  appHeapUsed: { warning: { maxMebibytes: 700 }, critical: { maxMebibytes: 900 } },
  appPgQueryP99: { warning: { maxMilliseconds: 100 }, critical: { maxMilliseconds: 500 } },
  appPgPoolWaiters: { warning: { maxCount: 2 }, critical: { maxCount: 10 } },
  appCacheHitRatio: { warning: { minPercent: 80 }, critical: { minPercent: 50, forMinutes: 15 } },
  appCacheErrors: { warning: { maxPerMinute: 1 }, critical: { maxPerMinute: 30 } },
  appCircuitBreakerOpen: { warning: { maxPercent: 0 }, critical: { maxPercent: 50, forMinutes: 2 } },
  appScrapeTargetDown: { warning: { maxPercent: 0 }, critical: { maxPercent: 50 } },
  rdsCpu: { warning: { maxPercent: 70 }, critical: { maxPercent: 90 } },
  rdsFreeStorage: { warning: { minGibibytes: 20 }, critical: { minGibibytes: 5 } },
  rdsFreeableMemory: { warning: { minMebibytes: 512 }, critical: { minMebibytes: 256 } },
  rdsConnections: { warning: { maxCount: 300 }, critical: { maxCount: 450 } },
  rdsReadLatency: { warning: { maxMilliseconds: 20 }, critical: { maxMilliseconds: 100 } },
  rdsWriteLatency: { warning: { maxMilliseconds: 20 }, critical: { maxMilliseconds: 100 } },
  redisEngineCpu: { warning: { maxPercent: 70 }, critical: { maxPercent: 90 } },
  redisMemory: { warning: { maxPercent: 75 }, critical: { maxPercent: 90 } },
  redisEvictions: { warning: { maxCount: 0 }, critical: { maxCount: 1000 } },
  redisConnections: { warning: { maxCount: 5000 }, critical: { maxCount: 50000 } },
  redisReplicationLag: { warning: { maxSeconds: 5 }, critical: { maxSeconds: 30 } },
  openSearchClusterRed: { warning: { disabled: 'a red cluster always pages' }, critical: { maxCount: 0 } },
  openSearchClusterYellow: { warning: { maxCount: 0 }, critical: { disabled: 'replicas missing is a ticket, not a page' } },
  openSearchFreeStorage: { warning: { minGibibytes: 25 }, critical: { minGibibytes: 10 } },
  openSearchJvmPressure: { warning: { maxPercent: 80 }, critical: { maxPercent: 92 } },
  openSearchCpu: { warning: { maxPercent: 80 }, critical: { maxPercent: 95 } },
  openSearchWritesBlocked: { warning: { disabled: 'blocked writes drop logs: always a page' }, critical: { maxCount: 0 } },
  openSearchSnapshotFailure: { warning: { maxCount: 0 }, critical: { disabled: 'a missed daily snapshot is a ticket' } },
  prometheusRunning: { warning: { disabled: 'one replica: missing is always a page' }, critical: { minCount: 1 } },
  grafanaRunning: { warning: { minCount: 1 }, critical: { disabled: 'dashboards down does not stop alerting' } },
  logRouterRunning: { warning: { disabled: 'no logs at all is always a page' }, critical: { minCount: 1 } },
};

/** Staging numbers: looser, and nothing that only makes sense with replicas. */
export const STAGING_THRESHOLDS: CatalogThresholds = {
  ...PRODUCTION_THRESHOLDS,
  apiErrorRate: { warning: { maxPercent: 5 }, critical: { maxPercent: 20 } },
  apiLatencyP99: { warning: { maxMilliseconds: 1000 }, critical: { maxMilliseconds: 3000 } },
  apiRejectedConnections: { warning: { maxCount: 10 }, critical: { maxCount: 100 } },
  backendCpu: { warning: { maxPercent: 80 }, critical: { maxPercent: 95 } },
  backendMemory: { warning: { maxPercent: 80 }, critical: { maxPercent: 95 } },
  appErrorRatio: { warning: { maxPercent: 5 }, critical: { maxPercent: 20 } },
  appLatencyP95: { warning: { maxMilliseconds: 500 }, critical: { maxMilliseconds: 2000 } },
  appLatencyP99: { warning: { maxMilliseconds: 1000 }, critical: { maxMilliseconds: 3000 } },
  appHeapUsed: { warning: { maxMebibytes: 350 }, critical: { maxMebibytes: 450 } },
  appCacheHitRatio: { disabled: 'staging traffic is too sparse for a meaningful hit ratio' },
  rdsFreeStorage: { warning: { minGibibytes: 5 }, critical: { minGibibytes: 2 } },
  rdsFreeableMemory: { warning: { minMebibytes: 256 }, critical: { minMebibytes: 128 } },
  rdsConnections: { warning: { maxCount: 60 }, critical: { maxCount: 80 } },
  redisConnections: { warning: { maxCount: 1000 }, critical: { maxCount: 5000 } },
  redisReplicationLag: { disabled: 'staging runs a single Redis node without replicas' },
  openSearchFreeStorage: { warning: { minGibibytes: 5 }, critical: { minGibibytes: 2 } },
};

/** The catalog settings per environment (thresholds, SLO objective, runbook location). */
export const CATALOG_SETTINGS: Readonly<Record<'staging' | 'production', CatalogSettings>> = {
  staging: { thresholds: STAGING_THRESHOLDS, sloAvailabilityObjectivePercent: 99.5, runbookBaseUrl: RUNBOOK_BASE_URL },
  production: { thresholds: PRODUCTION_THRESHOLDS, sloAvailabilityObjectivePercent: 99.9, runbookBaseUrl: RUNBOOK_BASE_URL },
};
