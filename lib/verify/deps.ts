/**
 * The real wiring of `vigil verify`: the catalog renderer the stacks use, the environments'
 * configuration, the alert topic names, the SDK clients and the process streams.
 */
import { ENVIRONMENT_NAMES, configFor, type EnvironmentConfig } from '../config';
import { alertTopicName } from '../constructs/alert-topics';
import { heartbeatTopicName } from '../constructs/catalog-heartbeat';
import { memberClusterIds } from '../constructs/redis-replication-group';
import type { AlarmSpec } from '../observability/alarm-spec';
import { renderAlarmSpecs } from '../observability/cloudwatch-alarms';
import type { MonitoredResources } from '../observability/monitored-resources';
import { databaseInstanceIdentifier, redisReplicationGroupId } from '../stacks/data-stack';
import { openSearchDomainName } from '../stacks/logs-stack';
import { cloudWatchClientFor, stsClientFor } from './aws';
import { UNKNOWN_DIMENSION_VALUE as DEPLOY_TIME_ID, type TopicArnResolver } from './compare';
import type { VerifyDeps } from './cli';

/**
 * The resources the catalog renders against, as far as verify can know them without AWS.
 *
 * Names the stacks set literally come from the stacks' own naming functions: the Redis member ids
 * (they shape per-node alarm names and descriptions), the database instance, the OpenSearch domain
 * and the heartbeat topic, so those dimension values are compared too. Ids CloudFormation makes at
 * deploy time (load balancer, target group, cluster, services, log group) and the account are
 * {@link DEPLOY_TIME_ID}, which the comparison skips.
 */
export function verifyResources(config: EnvironmentConfig): MonitoredResources {
  const groupId = redisReplicationGroupId(config.envName);
  return {
    accountId: DEPLOY_TIME_ID,
    region: config.region,
    loadBalancerFullName: DEPLOY_TIME_ID,
    backendTargetGroupFullName: DEPLOY_TIME_ID,
    clusterName: DEPLOY_TIME_ID,
    backendServiceName: DEPLOY_TIME_ID,
    prometheusServiceName: DEPLOY_TIME_ID,
    grafanaServiceName: DEPLOY_TIME_ID,
    dbInstanceIdentifier: databaseInstanceIdentifier(config.envName),
    redisReplicationGroupId: groupId,
    redisCacheClusterIds: memberClusterIds(groupId, config.cache.nodeCount),
    openSearchDomainName: openSearchDomainName(config.envName),
    backendLogGroupName: DEPLOY_TIME_ID,
    heartbeatTopicName: heartbeatTopicName(config.envName),
  };
}

/** The alarms the catalog defines for `env`, rendered exactly as the Monitoring stack renders them. */
export function catalogFor(env: string): AlarmSpec[] {
  const config = configFor(env);
  return renderAlarmSpecs(env, config.alarms, verifyResources(config));
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
