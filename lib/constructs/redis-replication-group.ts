import { RemovalPolicy, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';

/**
 * The member cache cluster ids ElastiCache gives the nodes of a replication group: `<id>-001`,
 * `<id>-002`, ... Exported so `vigil verify` names per-node alarms without synthesizing.
 */
export function memberClusterIds(replicationGroupId: string, nodeCount: number): string[] {
  return Array.from({ length: nodeCount }, (_, i) => `${replicationGroupId}-${String(i + 1).padStart(3, '0')}`);
}

/** Props of {@link RedisReplicationGroup}. */
export interface RedisReplicationGroupProps {
  readonly vpc: ec2.IVpc;
  /** Subnets of the nodes (isolated: nothing in them needs the internet). */
  readonly subnets: ec2.SubnetSelection;
  /**
   * Literal replication group id (lower case, <= 40 characters). Literal so that alarms know the
   * member cluster ids `<id>-001`, `<id>-002`, ... at synth.
   */
  readonly replicationGroupId: string;
  /** Redis engine version, e.g. `7.1`. */
  readonly engineVersion: string;
  readonly nodeType: string;
  /** Nodes in the one shard, primary included. */
  readonly nodeCount: number;
  /** Multi-AZ with automatic failover; needs `nodeCount` >= 2. */
  readonly multiAzWithAutomaticFailover: boolean;
  /** Daily snapshots kept, in days; 0 takes none. */
  readonly snapshotRetentionDays: number;
  /** Key for at-rest encryption (the AUTH token secret uses Secrets Manager's own key). */
  readonly encryptionKey: kms.IKey;
  /** Retention of the slow-log group. */
  readonly slowLogRetention: logs.RetentionDays;
  /** What deleting the stack does to the group. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * An ElastiCache Redis replication group (cluster mode off: one shard, a primary and replicas)
 * with TLS in transit, KMS at rest, an AUTH token kept in Secrets Manager, its own security
 * group and slow-log delivery to CloudWatch Logs. L1 underneath: CDK has no L2 for it.
 */
export class RedisReplicationGroup extends Construct {
  /** The Redis port. */
  public static readonly PORT = 6379;
  public readonly replicationGroup: elasticache.CfnReplicationGroup;
  /** The group's own security group; nothing may connect until a rule is added. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The AUTH token, a generated secret string. */
  public readonly authToken: secretsmanager.Secret;
  /** Primary endpoint host name (writes and reads). */
  public readonly primaryEndpointAddress: string;
  /** The member cache cluster ids, `<id>-001` ... */
  public readonly memberClusterIds: readonly string[];

  constructor(scope: Construct, id: string, props: RedisReplicationGroupProps) {
    super(scope, id);
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(props.replicationGroupId) || props.replicationGroupId.endsWith('-') || props.replicationGroupId.includes('--')) {
      throw new Error(`'replicationGroupId' must be 1-40 lower-case letters, digits or single hyphens starting with a letter, got '${props.replicationGroupId}'`);
    }
    if (props.multiAzWithAutomaticFailover && props.nodeCount < 2) {
      throw new Error(`'multiAzWithAutomaticFailover' needs 'nodeCount' >= 2, got ${props.nodeCount}; add a replica or turn failover off`);
    }

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Redis ${props.replicationGroupId}: reachable only from what is granted explicitly`,
      allowAllOutbound: false,
    });
    const subnetGroup = new elasticache.CfnSubnetGroup(this, 'SubnetGroup', {
      description: `Subnets of ${props.replicationGroupId}`,
      subnetIds: props.vpc.selectSubnets(props.subnets).subnetIds,
    });
    this.authToken = new secretsmanager.Secret(this, 'AuthToken', {
      description: `AUTH token of Redis ${props.replicationGroupId}`,
      // ElastiCache accepts printable ASCII except a few symbols; letters and digits are safe.
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    const slowLog = new logs.LogGroup(this, 'SlowLog', {
      retention: props.slowLogRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const zones = props.vpc.selectSubnets(props.subnets).availabilityZones;
    this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'ReplicationGroup', {
      replicationGroupId: props.replicationGroupId,
      replicationGroupDescription: `Vigil cache ${props.replicationGroupId}`,
      engine: 'redis',
      engineVersion: props.engineVersion,
      cacheNodeType: props.nodeType,
      numCacheClusters: props.nodeCount,
      automaticFailoverEnabled: props.multiAzWithAutomaticFailover,
      multiAzEnabled: props.multiAzWithAutomaticFailover,
      // Spread nodes round-robin over the zones so a replica sits outside the primary's zone.
      preferredCacheClusterAZs: zones.every((az) => !Token.isUnresolved(az))
        ? Array.from({ length: props.nodeCount }, (_, i) => zones[i % zones.length])
        : undefined,
      cacheSubnetGroupName: subnetGroup.ref,
      securityGroupIds: [this.securityGroup.securityGroupId],
      port: RedisReplicationGroup.PORT,
      atRestEncryptionEnabled: true,
      kmsKeyId: props.encryptionKey.keyArn,
      transitEncryptionEnabled: true,
      authToken: this.authToken.secretValue.unsafeUnwrap(),
      snapshotRetentionLimit: props.snapshotRetentionDays,
      autoMinorVersionUpgrade: true,
      logDeliveryConfigurations: [{
        destinationType: 'cloudwatch-logs',
        destinationDetails: { cloudWatchLogsDetails: { logGroup: slowLog.logGroupName } },
        logFormat: 'json',
        logType: 'slow-log',
      }],
    });
    this.replicationGroup.applyRemovalPolicy(props.removalPolicy);
    // A retained group keeps requiring its AUTH token, so the token is retained with it.
    this.authToken.applyRemovalPolicy(props.removalPolicy === RemovalPolicy.RETAIN ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY);
    this.replicationGroup.node.addDependency(slowLog);
    this.primaryEndpointAddress = this.replicationGroup.attrPrimaryEndPointAddress;
    this.memberClusterIds = memberClusterIds(props.replicationGroupId, props.nodeCount);
    // The secret must exist before the group reads it through the dynamic reference.
    this.replicationGroup.node.addDependency(this.authToken);

    acknowledge(this.replicationGroup, 'AwsSolutions-AEC5', 'The Redis port is no secret; only granted security groups may connect, with TLS and an AUTH token.');
    if (!props.multiAzWithAutomaticFailover) {
      acknowledge(this.replicationGroup, 'AwsSolutions-AEC4', 'This environment runs one cache node by configuration (cache.multiAzWithAutomaticFailover is false); the cache holds nothing that PostgreSQL cannot rebuild.');
    }
    acknowledge(this.authToken.node.defaultChild!, 'AwsSolutions-SMG4',
      'Rotating the AUTH token needs a coordinated ModifyReplicationGroup (ROTATE then SET) and a backend restart; it is a runbook step, not a schedule.');
  }
}
