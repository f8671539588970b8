import { production } from './production';
import { staging } from './staging';
import type { EnvironmentConfig, EnvironmentName, TaskSizeConfig } from './types';
import { catalogSettingsProblems } from '../observability/settings';
import { enabledTiers, isDisabled } from '../observability/thresholds';
import type { SignalId } from '../observability/signals';

/** Catalog signals that read ECS/ContainerInsights metrics, which exist only with Container Insights on. */
const CONTAINER_INSIGHTS_SIGNALS: readonly SignalId[] = ['backendMissingTasks', 'prometheusRunning', 'grafanaRunning'];

export * from './types';

/** Every environment Vigil knows, by name. */
export const ENVIRONMENTS: Readonly<Record<EnvironmentName, EnvironmentConfig>> = { staging, production };

/** The environment names, in deploy order. */
export const ENVIRONMENT_NAMES: readonly EnvironmentName[] = ['staging', 'production'];

/**
 * Seconds ECS waits after SIGTERM before SIGKILL on every Vigil container (the brief's contract:
 * the service exits well inside it). The ALB deregistration delay must be shorter.
 */
export const CONTAINER_STOP_TIMEOUT_SECONDS = 30;

/**
 * Backend tasks Prometheus can see at once: it discovers them by a Cloud Map A-record lookup, and
 * Cloud Map's multivalue answers hold at most eight healthy records (AWS Cloud Map API reference,
 * DnsConfig RoutingPolicy MULTIVALUE).
 */
export const MAX_DISCOVERABLE_TASKS = 8;

/**
 * The most backend tasks a deployment runs, in percent of the desired count: ECS starts the new
 * tasks before it stops the old ones (the service's `maxHealthyPercent`).
 */
export const BACKEND_DEPLOYMENT_MAX_PERCENT = 200;

/** PostgreSQL connections a backend task opens beyond its pool: the readiness check's own (app/src/data/postgres.ts). */
const PG_CONNECTIONS_BEYOND_POOL = 1;

/**
 * The most PostgreSQL connections the backend can hold at once: `maxCount` tasks, doubled while a
 * deployment runs old and new tasks side by side, each with a full pool and its readiness connection.
 */
function backendPeakPgConnections(backend: { readonly maxCount: number; readonly pgPoolMax: number }): number {
  return Math.ceil((backend.maxCount * BACKEND_DEPLOYMENT_MAX_PERCENT) / 100) * (backend.pgPoolMax + PG_CONNECTIONS_BEYOND_POOL);
}

/** An ACM certificate ARN in `region` (a regular expression, unanchored). */
export function certificateArnPattern(region: string): string {
  return `arn:aws[a-z-]*:acm:${region}:\\d{12}:certificate/[0-9a-f-]+`;
}

/** The retention values CloudWatch Logs accepts, in days. */
const LOG_RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** Interface endpoint services a task may need; a typo here would fail only at deploy. */
const KNOWN_INTERFACE_ENDPOINT_SERVICES: readonly string[] = [
  'ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'kms', 'sts', 'sns', 'aps-workspaces', 'ssm', 'monitoring', 'ecs', 'es',
];

/** Fargate's valid memory sizes (MiB) per CPU setting. */
const FARGATE_MEMORY_MIB: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};

function range(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let v = from; v <= to; v += step) values.push(v);
  return values;
}

/**
 * The validated configuration of one environment.
 *
 * @param name the environment name, as given on the command line (`-c env=staging`)
 * @throws when the name is unknown or the environment's values break a rule
 */
export function configFor(name: string): EnvironmentConfig {
  if (!(ENVIRONMENT_NAMES as readonly string[]).includes(name)) {
    throw new Error(`unknown environment '${name}', expected ${ENVIRONMENT_NAMES.join('|')}`);
  }
  return validate(ENVIRONMENTS[name as EnvironmentName]);
}

/** Values that come from the command line at deploy time rather than from the environment file. */
export interface DeployInputs {
  /** ACM certificate ARN for the ALB. @default - the file's `services.certificateArn` */
  readonly certificateArn?: string;
  /** Address subscribed to the alert topics. @default - the file's `alerting.email` */
  readonly alertEmail?: string;
}

/**
 * `config` with the deploy-time inputs applied, validated again.
 *
 * @throws when an input breaks a rule (for example a certificate from another region)
 */
export function withDeployInputs(config: EnvironmentConfig, inputs: DeployInputs): EnvironmentConfig {
  return validate({
    ...config,
    services: { ...config.services, certificateArn: inputs.certificateArn ?? config.services.certificateArn },
    alerting: { ...config.alerting, email: inputs.alertEmail ?? config.alerting.email },
  });
}

/**
 * Checks every rule an environment must satisfy and returns it unchanged.
 * Runs at synth, so a bad value fails `cdk synth` instead of a deploy half an hour later.
 *
 * @throws one error listing every broken rule; each line names the field, the value and the fix
 */
export function validate(config: EnvironmentConfig): EnvironmentConfig {
  const problems: string[] = [];
  const check = (ok: boolean, field: string, value: unknown, fix: string) => {
    if (!ok) problems.push(`${config.envName}: ${field} is ${JSON.stringify(value)}; ${fix}`);
  };
  const isInt = (n: number) => Number.isInteger(n);
  const checkRetention = (field: string, days: number) =>
    check(LOG_RETENTION_DAYS.includes(days), field, days, `use a CloudWatch Logs retention: ${LOG_RETENTION_DAYS.join(', ')}`);
  const checkTaskSize = (field: string, size: TaskSizeConfig) => {
    const memory = FARGATE_MEMORY_MIB[size.cpuUnits];
    check(memory !== undefined, `${field}.cpuUnits`, size.cpuUnits, `use a Fargate CPU value: ${Object.keys(FARGATE_MEMORY_MIB).join(', ')}`);
    if (memory) {
      check(memory.includes(size.memoryMiB), `${field}.memoryMiB`, size.memoryMiB,
        `with ${size.cpuUnits} CPU units Fargate accepts ${memory[0]}..${memory[memory.length - 1]} MiB in the listed steps (${memory.join(', ')})`);
    }
  };

  // --- environment -------------------------------------------------------------------------
  check((ENVIRONMENT_NAMES as readonly string[]).includes(config.envName), 'envName', config.envName, `use one of ${ENVIRONMENT_NAMES.join('|')}`);
  check(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/.test(config.region), 'region', config.region, "use a region name such as 'eu-west-1'");

  // --- network -----------------------------------------------------------------------------
  const net = config.network;
  const azs = net.availabilityZones;
  check(/^(\d{1,3}\.){3}\d{1,3}\/(1[6-9]|2[0-2])$/.test(net.vpcCidr), 'network.vpcCidr', net.vpcCidr, "use an IPv4 CIDR with a /16../22 prefix, e.g. '10.0.0.0/16'");
  check(azs.length >= 2 && azs.length <= 6, 'network.availabilityZones', azs, 'list 2 to 6 zones (RDS and the ALB need at least 2)');
  for (const az of azs) {
    check(new RegExp(`^${config.region}[a-z]$`).test(az), 'network.availabilityZones', az, `list zones of region ${config.region}, e.g. '${config.region}a'`);
  }
  check(new Set(azs).size === azs.length, 'network.availabilityZones', azs, 'list each zone once');
  check(isInt(net.natGateways) && net.natGateways >= 1 && net.natGateways <= azs.length, 'network.natGateways', net.natGateways,
    `use 1 (shared) to ${azs.length} (one per zone): private subnets need a route out`);
  checkRetention('network.flowLogRetentionDays', net.flowLogRetentionDays);
  for (const service of net.interfaceEndpointServices) {
    check(KNOWN_INTERFACE_ENDPOINT_SERVICES.includes(service), 'network.interfaceEndpointServices', service,
      `use one of ${KNOWN_INTERFACE_ENDPOINT_SERVICES.join(', ')} (or add the service to KNOWN_INTERFACE_ENDPOINT_SERVICES)`);
  }

  // --- database ----------------------------------------------------------------------------
  const db = config.database;
  check(/^\d+\.\d+$/.test(db.engineVersion), 'database.engineVersion', db.engineVersion, "pin a full PostgreSQL version such as '16.13'");
  check(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(db.instanceType), 'database.instanceType', db.instanceType, "write the class without the 'db.' prefix, e.g. 't4g.micro'");
  check(isInt(db.allocatedStorageGiB) && db.allocatedStorageGiB >= 20, 'database.allocatedStorageGiB', db.allocatedStorageGiB, 'use at least 20 GiB (the gp3 minimum)');
  check(db.maxAllocatedStorageGiB > db.allocatedStorageGiB, 'database.maxAllocatedStorageGiB', db.maxAllocatedStorageGiB,
    `raise it above allocatedStorageGiB (${db.allocatedStorageGiB}) so storage can autoscale`);
  check(isInt(db.backupRetentionDays) && db.backupRetentionDays >= 1 && db.backupRetentionDays <= 35, 'database.backupRetentionDays', db.backupRetentionDays,
    'use 1..35 days (0 would turn off point-in-time recovery)');
  check(db.performanceInsightsRetentionDays === 0 || db.performanceInsightsRetentionDays === 7
    || (db.performanceInsightsRetentionDays % 31 === 0 && db.performanceInsightsRetentionDays <= 731),
  'database.performanceInsightsRetentionDays', db.performanceInsightsRetentionDays, 'use 0 (off), 7, or a multiple of 31 up to 731');
  check([0, 1, 5, 10, 15, 30, 60].includes(db.enhancedMonitoringIntervalSeconds), 'database.enhancedMonitoringIntervalSeconds',
    db.enhancedMonitoringIntervalSeconds, 'use 0 (off), 1, 5, 10, 15, 30 or 60');
  check(isInt(db.credentialRotationDays) && db.credentialRotationDays >= 0 && db.credentialRotationDays <= 365, 'database.credentialRotationDays',
    db.credentialRotationDays, 'use 0 (no rotation) or 1..365 days');
  checkRetention('database.logRetentionDays', db.logRetentionDays);

  // --- cache -------------------------------------------------------------------------------
  const cache = config.cache;
  check(/^\d+\.\d+$/.test(cache.engineVersion), 'cache.engineVersion', cache.engineVersion, "pin a Redis version such as '7.1'");
  check(cache.nodeType.startsWith('cache.'), 'cache.nodeType', cache.nodeType, "use an ElastiCache node type such as 'cache.t4g.micro'");
  check(isInt(cache.nodeCount) && cache.nodeCount >= 1 && cache.nodeCount <= 6, 'cache.nodeCount', cache.nodeCount, 'use 1 to 6 nodes (a primary and up to 5 replicas)');
  check(!cache.multiAzWithAutomaticFailover || cache.nodeCount >= 2, 'cache.multiAzWithAutomaticFailover', cache.multiAzWithAutomaticFailover,
    `set cache.nodeCount to at least 2 (it is ${cache.nodeCount}): failover needs a replica`);
  check(isInt(cache.snapshotRetentionDays) && cache.snapshotRetentionDays >= 0 && cache.snapshotRetentionDays <= 35, 'cache.snapshotRetentionDays',
    cache.snapshotRetentionDays, 'use 0 (none) to 35 days');
  checkRetention('cache.slowLogRetentionDays', cache.slowLogRetentionDays);

  // --- search ------------------------------------------------------------------------------
  const search = config.search;
  check(/^(OpenSearch|Elasticsearch)_\d+\.\d+$/.test(search.engineVersion), 'search.engineVersion', search.engineVersion, "use the service's spelling, e.g. 'OpenSearch_2.17'");
  check([1, 2, 3].includes(search.zoneCount) && search.zoneCount <= azs.length, 'search.zoneCount', search.zoneCount,
    `use 1, 2 or 3, at most the ${azs.length} zones in network.availabilityZones`);
  check(isInt(search.dataNodeCount) && search.dataNodeCount >= 1 && search.dataNodeCount % search.zoneCount === 0, 'search.dataNodeCount',
    search.dataNodeCount, `use a positive multiple of search.zoneCount (${search.zoneCount}) so every zone holds the same share`);
  check([0, 3, 5].includes(search.dedicatedMasterCount), 'search.dedicatedMasterCount', search.dedicatedMasterCount, 'use 0 (none), 3 or 5 (an odd quorum)');
  for (const field of ['dataNodeInstanceType', 'dedicatedMasterInstanceType'] as const) {
    check(search[field].endsWith('.search'), `search.${field}`, search[field], "use an OpenSearch instance type ending in '.search'");
  }
  check(isInt(search.volumeSizeGiB) && search.volumeSizeGiB >= 10, 'search.volumeSizeGiB', search.volumeSizeGiB, 'use at least 10 GiB');
  checkRetention('search.logRetentionDays', search.logRetentionDays);
  check(isInt(search.logIndexRetentionDays) && search.logIndexRetentionDays >= 1 && search.logIndexRetentionDays <= 3650, 'search.logIndexRetentionDays',
    search.logIndexRetentionDays, 'use a whole number of days from 1 to 3650 (each daily log index is deleted that long after it was created)');

  // --- services ----------------------------------------------------------------------------
  const svc = config.services;
  const backend = svc.backend;
  checkRetention('services.containerLogRetentionDays', svc.containerLogRetentionDays);
  check(isInt(svc.albAccessLogRetentionDays) && svc.albAccessLogRetentionDays >= 1, 'services.albAccessLogRetentionDays', svc.albAccessLogRetentionDays, 'use at least 1 day');
  if (svc.certificateArn !== undefined) {
    check(new RegExp(`^${certificateArnPattern(config.region)}$`).test(svc.certificateArn), 'services.certificateArn',
      svc.certificateArn, `use an ACM certificate ARN in ${config.region} (the ALB's region), or leave it unset`);
  }
  check(typeof svc.requireHttps === 'boolean', 'services.requireHttps', svc.requireHttps, 'use true (HTTPS only; the certificate may come at deploy) or false (HTTP when no certificate is given)');
  checkTaskSize('services.backend', backend);
  checkTaskSize('services.prometheus', svc.prometheus);
  checkTaskSize('services.grafana', svc.grafana);
  check(isInt(backend.minCount) && backend.minCount >= 1, 'services.backend.minCount', backend.minCount, 'use at least 1');
  check(backend.maxCount >= backend.minCount, 'services.backend.maxCount', backend.maxCount, `use at least minCount (${backend.minCount})`);
  check(backend.maxCount <= MAX_DISCOVERABLE_TASKS, 'services.backend.maxCount', backend.maxCount,
    `use at most ${MAX_DISCOVERABLE_TASKS}: Prometheus finds the backend tasks through Cloud Map DNS, which answers with at most ${MAX_DISCOVERABLE_TASKS} addresses, so further tasks would drop in and out of the scrape at random`);
  check(backend.desiredCount >= backend.minCount && backend.desiredCount <= backend.maxCount, 'services.backend.desiredCount', backend.desiredCount,
    `use a count between minCount (${backend.minCount}) and maxCount (${backend.maxCount})`);
  check(backend.targetCpuUtilizationPercent >= 10 && backend.targetCpuUtilizationPercent <= 90, 'services.backend.targetCpuUtilizationPercent',
    backend.targetCpuUtilizationPercent, 'use 10..90 percent');
  check(backend.targetRequestsPerTargetPerMinute >= 1, 'services.backend.targetRequestsPerTargetPerMinute', backend.targetRequestsPerTargetPerMinute, 'use at least 1');
  check(isInt(backend.deregistrationDelaySeconds) && backend.deregistrationDelaySeconds >= 0 && backend.deregistrationDelaySeconds < CONTAINER_STOP_TIMEOUT_SECONDS,
    'services.backend.deregistrationDelaySeconds', backend.deregistrationDelaySeconds,
    `use 0..${CONTAINER_STOP_TIMEOUT_SECONDS - 1}: shorter than the ${CONTAINER_STOP_TIMEOUT_SECONDS} s stop timeout, so the ALB stops sending before SIGKILL`);
  check(isInt(backend.healthCheckGracePeriodSeconds) && backend.healthCheckGracePeriodSeconds >= 0 && backend.healthCheckGracePeriodSeconds <= 600,
    'services.backend.healthCheckGracePeriodSeconds', backend.healthCheckGracePeriodSeconds,
    'use 0..600 seconds: longer lets ECS keep a task the ALB already finds unhealthy for over ten minutes');
  if (backend.sentryDsnSecretName !== undefined) {
    check(/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(backend.sentryDsnSecretName), 'services.backend.sentryDsnSecretName', backend.sentryDsnSecretName,
      'use a Secrets Manager secret name (letters, digits, /_+=.@-)');
  }

  // The app's own bounds for PG_POOL_MAX (app/src/config.ts): anything else stops it at start-up.
  check(isInt(backend.pgPoolMax) && backend.pgPoolMax >= 1 && backend.pgPoolMax <= 100, 'services.backend.pgPoolMax', backend.pgPoolMax,
    'use 1..100 connections per task (the service refuses other values of PG_POOL_MAX at start-up)');

  check(/^\d+\.\d+\.\d+$/.test(backend.logRouterImageTag), 'services.backend.logRouterImageTag', backend.logRouterImageTag, "pin a release tag such as '2.32.4'");

  const prom = svc.prometheus;
  check(/^v\d+\.\d+\.\d+$/.test(prom.prometheusImageTag), 'services.prometheus.prometheusImageTag', prom.prometheusImageTag, "pin a release tag such as 'v2.55.1'");
  check(/^v\d+\.\d+\.\d+$/.test(prom.alertmanagerImageTag), 'services.prometheus.alertmanagerImageTag', prom.alertmanagerImageTag, "pin a release tag such as 'v0.28.1'");
  check(isInt(prom.retentionDays) && prom.retentionDays >= 1, 'services.prometheus.retentionDays', prom.retentionDays, 'use at least 1 day');
  check(isInt(prom.ephemeralStorageGiB) && prom.ephemeralStorageGiB >= 21 && prom.ephemeralStorageGiB <= 200, 'services.prometheus.ephemeralStorageGiB',
    prom.ephemeralStorageGiB, 'use 21..200 GiB (the Fargate ephemeral storage range)');
  check(isInt(prom.scrapeIntervalSeconds) && prom.scrapeIntervalSeconds >= 5 && prom.scrapeIntervalSeconds <= 300,
    'services.prometheus.scrapeIntervalSeconds', prom.scrapeIntervalSeconds, 'use 5..300 seconds');

  const grafana = svc.grafana;
  check(/^\d+\.\d+\.\d+$/.test(grafana.imageTag), 'services.grafana.imageTag', grafana.imageTag, "pin a release tag such as '11.6.1'");
  check(/^\d+\.\d+\.\d+$/.test(grafana.openSearchPluginVersion), 'services.grafana.openSearchPluginVersion', grafana.openSearchPluginVersion, "pin a plugin version such as '2.24.0'");
  if (grafana.routing.kind === 'path') {
    check(/^\/[a-z0-9][a-z0-9-]*$/.test(grafana.routing.pathPrefix), 'services.grafana.routing.pathPrefix', grafana.routing.pathPrefix,
      "use one path segment with a leading slash and no trailing slash, e.g. '/grafana'");
  } else {
    check(/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/.test(grafana.routing.hostName), 'services.grafana.routing.hostName', grafana.routing.hostName,
      "use a lower-case DNS name such as 'grafana.example.com'");
  }

  // --- alerting ----------------------------------------------------------------------------
  if (config.alerting.email !== undefined) {
    check(/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(config.alerting.email), 'alerting.email', config.alerting.email, 'use an e-mail address such as oncall@example.com');
  }

  // --- alarms (the signal catalog's own rules, then what they need from the rest) ------------
  const catalogProblems = catalogSettingsProblems(config.envName, config.alarms);
  problems.push(...catalogProblems.map((problem) => `${config.envName}: alarms.${problem}`));
  for (const signal of CONTAINER_INSIGHTS_SIGNALS) {
    check(svc.containerInsights || isDisabled(config.alarms.thresholds[signal]), `alarms.thresholds.${signal}`, config.alarms.thresholds[signal],
      "it reads ECS/ContainerInsights metrics: set services.containerInsights to true, or { disabled: '<reason>' } the signal");
  }

  // RDS storage autoscaling adds storage once free space is at most 10 % of the allocated storage
  // (AWS, RDS User Guide, managing capacity automatically with storage autoscaling). A free-storage
  // tier above that would fire ahead of every autoscaling step instead of when autoscaling fails.
  const autoscalingStartsGiB = db.allocatedStorageGiB / 10;
  // (Only once the thresholds' shape is valid; otherwise the lines above say what to fix.)
  for (const [severity, tier] of catalogProblems.length > 0 ? [] : enabledTiers(config.alarms.thresholds.rdsFreeStorage)) {
    check(tier.minGibibytes < autoscalingStartsGiB, `alarms.thresholds.rdsFreeStorage.${severity}.minGibibytes`, tier.minGibibytes,
      `keep it below ${autoscalingStartsGiB} GiB (10 % of database.allocatedStorageGiB, where storage autoscaling starts), or it fires before every autoscaling step`);
  }

  // DatabaseConnections reaches the backend's peak whenever its pools fill at full scale-out (a
  // deployment doubles the tasks for a while): a tier at or below it pages on healthy pools.
  const peakConnections = backendPeakPgConnections(backend);
  for (const [severity, tier] of catalogProblems.length > 0 ? [] : enabledTiers(config.alarms.thresholds.rdsConnections)) {
    check(tier.maxCount > peakConnections, `alarms.thresholds.rdsConnections.${severity}.maxCount`, tier.maxCount,
      `raise it above ${peakConnections}, the connections the backend alone can hold (services.backend.maxCount ${backend.maxCount} tasks, ` +
        `x${BACKEND_DEPLOYMENT_MAX_PERCENT / 100} during a deployment, x(pgPoolMax ${backend.pgPoolMax} + ${PG_CONNECTIONS_BEYOND_POOL} for readiness)) ` +
        'and below the instance\'s max_connections, or lower services.backend.maxCount or pgPoolMax');
  }

  // OpenSearch gives new indices one replica, which a single data node can never hold.
  check(search.dataNodeCount >= 2 || isDisabled(config.alarms.thresholds.openSearchClusterYellow), 'alarms.thresholds.openSearchClusterYellow',
    config.alarms.thresholds.openSearchClusterYellow,
    "with one data node (search.dataNodeCount) the cluster is yellow whenever an index has a replica, so this would never clear: use 2 or more data nodes, or { disabled: '<reason>' } the signal");

  if (problems.length > 0) {
    throw new Error(`invalid ${config.envName} configuration:\n  ${problems.join('\n  ')}`);
  }
  return config;
}
