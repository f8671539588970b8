import type { EnvironmentConfig } from './types';

/**
 * Staging: the smallest footprint that still runs every moving part production runs, so a
 * deploy here exercises the same templates. Single-AZ data, one NAT gateway, no managed
 * Prometheus, snapshots on delete.
 */
export const staging: EnvironmentConfig = {
  envName: 'staging',
  region: 'eu-west-1',
  terminationProtection: false,
  network: {
    vpcCidr: '10.10.0.0/16',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    natGateways: 1,
    flowLogRetentionDays: 14,
    interfaceEndpointServices: [],
  },
  database: {
    engineVersion: '16.4',
    instanceType: 't4g.micro',
    allocatedStorageGiB: 20,
    maxAllocatedStorageGiB: 50,
    multiAz: false,
    backupRetentionDays: 3,
    deletionProtection: false,
    removalPolicy: 'snapshot',
    performanceInsightsRetentionDays: 7,
    enhancedMonitoringIntervalSeconds: 60,
    credentialRotationDays: 0,
    logRetentionDays: 14,
  },
  cache: {
    engineVersion: '7.1',
    nodeType: 'cache.t4g.micro',
    nodeCount: 1,
    multiAzWithAutomaticFailover: false,
    snapshotRetentionDays: 0,
    slowLogRetentionDays: 14,
    removalPolicy: 'snapshot',
  },
  search: {
    engineVersion: 'OpenSearch_2.17',
    dataNodeInstanceType: 't3.small.search',
    dataNodeCount: 1,
    dedicatedMasterCount: 0,
    dedicatedMasterInstanceType: 'm6g.large.search',
    zoneCount: 1,
    volumeSizeGiB: 10,
    logRetentionDays: 14,
    removalPolicy: 'destroy',
  },
  services: {
    containerInsights: false,
    albAccessLogRetentionDays: 30,
    containerLogRetentionDays: 14,
    backend: {
      cpuUnits: 256,
      memoryMiB: 512,
      desiredCount: 1,
      minCount: 1,
      maxCount: 2,
      targetCpuUtilizationPercent: 60,
      targetRequestsPerTargetPerMinute: 1000,
      deregistrationDelaySeconds: 20,
      logRouterImageTag: '2.32.4',
      logLevel: 'debug',
    },
    prometheus: {
      cpuUnits: 512,
      memoryMiB: 1024,
      prometheusImageTag: 'v2.55.1',
      alertmanagerImageTag: 'v0.28.1',
      retentionDays: 7,
      ephemeralStorageGiB: 21,
      scrapeIntervalSeconds: 15,
      remoteWriteToManagedPrometheus: false,
    },
    grafana: {
      cpuUnits: 256,
      memoryMiB: 512,
      imageTag: '11.6.1',
      openSearchPluginVersion: '2.24.0',
      routing: { kind: 'path', pathPrefix: '/grafana' },
    },
  },
  alerting: {},
};
