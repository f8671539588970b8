/**
 * The real wiring of `vigil verify`: the catalog renderer the stacks use, the environments'
 * configuration, the alert topic names, the SDK clients and the process streams.
 */
import { ENVIRONMENT_NAMES, configFor, type EnvironmentConfig } from '../config';
import { alertTopicName } from '../constructs/alert-topics';
import { memberClusterIds } from '../constructs/redis-replication-group';
import type { AlarmSpec } from '../observability/alarm-spec';
import { renderAlarmSpecs } from '../observability/cloudwatch-alarms';
import type { CatalogSettings } from '../observability/settings';
import type { MonitoredResources } from '../observability/monitored-resources';
import { redisReplicationGroupId } from '../stacks/data-stack';
import { cloudWatchClientFor, stsClientFor } from './aws';
import type { TopicArnResolver } from './compare';
import type { VerifyDeps } from './cli';

/** Shown where verify cannot know a deploy-time id; dimension values are not compared. */
const FROM_ACCOUNT = '(deploy-time id)';

/**
 * The resources the catalog renders against, as far as verify can know them without AWS.
 *
 * Only the Redis member ids shape alarm names and descriptions (one alarm per node), so they are
 * built from the configuration with the Data stack's own naming functions; everything else is a
 * deploy-time id that only appears in dimension values, which the comparison skips.
 */
export function verifyResources(config: EnvironmentConfig): MonitoredResources {
  const groupId = redisReplicationGroupId(config.envName);
  return {
    accountId: FROM_ACCOUNT,
    region: config.region,
    loadBalancerFullName: FROM_ACCOUNT,
    backendTargetGroupFullName: FROM_ACCOUNT,
    clusterName: FROM_ACCOUNT,
    backendServiceName: FROM_ACCOUNT,
    prometheusServiceName: FROM_ACCOUNT,
    grafanaServiceName: FROM_ACCOUNT,
    dbInstanceIdentifier: FROM_ACCOUNT,
    redisReplicationGroupId: groupId,
    redisCacheClusterIds: memberClusterIds(groupId, config.cache.nodeCount),
    openSearchDomainName: FROM_ACCOUNT,
    backendLogGroupName: FROM_ACCOUNT,
    heartbeatTopicName: FROM_ACCOUNT,
  };
}

/** The catalog's settings of an environment: `alarms` in lib/config/<env>.ts. */
function catalogSettings(config: EnvironmentConfig): CatalogSettings {
  return config.alarms;
}

/** The alarms the catalog defines for `env`, rendered exactly as the Monitoring stack renders them. */
export function catalogFor(env: string): AlarmSpec[] {
  const config = configFor(env);
  return renderAlarmSpecs(env, catalogSettings(config), verifyResources(config));
}

/**
 * Alert topic ARNs for `env`. Topic names are literal (`alertTopicName`), so the ARN follows from
 * the alarm's own partition, region and account — no SNS call, no stack output needed.
 */
export function topicArnFor(env: string): TopicArnResolver {
  return (role, where) => `arn:${where.partition}:sns:${where.region}:${where.accountId}:${alertTopicName(env, role)}`;
}

/** Real clients, the real catalog, the process streams and clock. */
export function defaultDeps(): VerifyDeps {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cloudWatch: cloudWatchClientFor,
    sts: stsClientFor,
    now: () => new Date(),
    environments: ENVIRONMENT_NAMES,
    defaultRegion: (env) => configFor(env).region,
    catalog: catalogFor,
    topicArn: topicArnFor,
  };
}
