import type { EnvironmentConfig } from './types';

/**
 * Production: three zones, a NAT gateway per zone, multi-AZ PostgreSQL and Redis with
 * failover, a three-zone OpenSearch domain with dedicated masters, managed Prometheus for
 * metrics that outlive a task, and nothing deleted with the stack.
 */
export const production: EnvironmentConfig = {
  envName: 'production',
  region: 'eu-west-1',
  terminationProtection: true,
  network: {
    vpcCidr: '10.20.0.0/16',
    availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
    natGateways: 3,
    flowLogRetentionDays: 90,
    // What the Fargate tasks call: image pulls (ECR + S3 gateway), logs, secrets, KMS for
    // decrypting them, STS for SigV4, SNS for Alertmanager, AMP for remote_write.
    interfaceEndpointServices: ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'kms', 'sts', 'sns', 'aps-workspaces'],
  },
  database: {
    engineVersion: '16.4',
    instanceType: 'r6g.large',
    allocatedStorageGiB: 100,
    maxAllocatedStorageGiB: 500,
    multiAz: true,
    backupRetentionDays: 14,
    deletionProtection: true,
    removalPolicy: 'retain',
    performanceInsightsRetentionDays: 7,
    enhancedMonitoringIntervalSeconds: 30,
    credentialRotationDays: 30,
    logRetentionDays: 90,
  },
  cache: {
    engineVersion: '7.1',
    nodeType: 'cache.r6g.large',
    nodeCount: 3,
    multiAzWithAutomaticFailover: true,
    snapshotRetentionDays: 7,
    slowLogRetentionDays: 90,
    removalPolicy: 'retain',
  },
  search: {
    engineVersion: 'OpenSearch_2.17',
    dataNodeInstanceType: 'r6g.large.search',
    dataNodeCount: 3,
    dedicatedMasterCount: 3,
    dedicatedMasterInstanceType: 'm6g.large.search',
    zoneCount: 3,
    volumeSizeGiB: 100,
    logRetentionDays: 90,
    removalPolicy: 'retain',
  },
  services: {
    containerInsights: true,
    albAccessLogRetentionDays: 365,
    containerLogRetentionDays: 90,
    backend: {
      cpuUnits: 1024,
      memoryMiB: 2048,
      desiredCount: 3,
      minCount: 3,
      maxCount: 12,
      targetCpuUtilizationPercent: 60,
      targetRequestsPerTargetPerMinute: 1000,
      deregistrationDelaySeconds: 20,
      logRouterImageTag: '2.32.4',
      logLevel: 'info',
    },
    prometheus: {
      cpuUnits: 1024,
      memoryMiB: 4096,
      prometheusImageTag: 'v2.55.1',
      alertmanagerImageTag: 'v0.28.1',
      retentionDays: 15,
      ephemeralStorageGiB: 100,
      scrapeIntervalSeconds: 15,
      remoteWriteToManagedPrometheus: true,
    },
    grafana: {
      cpuUnits: 512,
      memoryMiB: 1024,
      imageTag: '11.6.1',
      openSearchPluginVersion: '2.24.0',
      routing: { kind: 'path', pathPrefix: '/grafana' },
    },
  },
  alerting: {},
};
