import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { acknowledge } from '../constructs/acknowledge';
import { RedisReplicationGroup } from '../constructs/redis-replication-group';
import { VigilStack, type VigilStackProps } from './vigil-stack';

/** Props of {@link DataStack}. */
export interface DataStackProps extends VigilStackProps {
  readonly vpc: ec2.IVpc;
}

/** The literal Redis replication group id of an environment (alarms carry its member ids). */
export function redisReplicationGroupId(envName: string): string {
  return `${envName}-vigil-redis`;
}

/** The literal RDS instance identifier of an environment (alarms use it as a dimension). */
export function databaseInstanceIdentifier(envName: string): string {
  return `${envName}-vigil-postgres`;
}

/** PostgreSQL's port; the Services stack opens exactly this one from the backend. */
export const DATABASE_PORT = 5432;

/** Name of the application database inside the instance (`PGDATABASE`). */
export const DATABASE_NAME = 'vigil';

/**
 * The stateful data: RDS PostgreSQL and ElastiCache Redis in the isolated subnets, their
 * secrets, and the customer-managed KMS key that encrypts both at rest. Neither security group admits
 * anything here; the Services stack opens exactly the backend's path to each.
 */
export class DataStack extends VigilStack {
  public readonly encryptionKey: kms.Key;
  public readonly database: rds.DatabaseInstance;
  /** `{ username, password, host, port, dbname }`, generated; rotated when configured. */
  public readonly databaseSecret: secretsmanager.ISecret;
  public readonly databaseSecurityGroup: ec2.SecurityGroup;
  /** Literal instance identifier (alarms use it as the `DBInstanceIdentifier` dimension). */
  public readonly databaseInstanceIdentifier: string;
  public readonly cache: RedisReplicationGroup;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, { ...props, terminationProtection: props.config.terminationProtection });
    const { envName, database: db, cache } = props.config;
    const isolated: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };

    this.encryptionKey = new kms.Key(this, 'DataKey', {
      description: `${envName} Vigil data at rest: PostgreSQL storage and Performance Insights, Redis`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.databaseSecurityGroup = new ec2.SecurityGroup(this, 'DatabaseSecurityGroup', {
      vpc: props.vpc,
      description: `${envName} PostgreSQL: reachable only from what is granted explicitly`,
      allowAllOutbound: false,
    });

    // A literal identifier makes the log group names known up front, so the stack creates them
    // with a retention (instead of a custom-resource Lambda doing it) and alarms can name it.
    this.databaseInstanceIdentifier = databaseInstanceIdentifier(envName);
    const logTypes = ['postgresql', 'upgrade'];
    const logGroups = logTypes.map((type) => new logs.LogGroup(this, `DatabaseLog${type.charAt(0).toUpperCase()}${type.slice(1)}`, {
      logGroupName: `/aws/rds/instance/${this.databaseInstanceIdentifier}/${type}`,
      retention: db.logRetentionDays as logs.RetentionDays,
      // Literal names: a retained group would block re-creating a disposable environment.
      removalPolicy: db.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    }));

    const majorVersion = db.engineVersion.split('.')[0];
    const engine = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.of(db.engineVersion, majorVersion) });
    const parameters = new rds.ParameterGroup(this, 'DatabaseParameters', {
      engine,
      description: `${envName} Vigil PostgreSQL`,
      // TLS only (the service connects with PGSSLMODE=require); log statements slower than 1 s.
      parameters: { 'rds.force_ssl': '1', log_min_duration_statement: '1000' },
    });

    this.database = new rds.DatabaseInstance(this, 'Database', {
      instanceIdentifier: this.databaseInstanceIdentifier,
      engine,
      parameterGroup: parameters,
      instanceType: new ec2.InstanceType(db.instanceType),
      vpc: props.vpc,
      vpcSubnets: isolated,
      securityGroups: [this.databaseSecurityGroup],
      databaseName: DATABASE_NAME,
      port: DATABASE_PORT,
      // Secrets use Secrets Manager's AWS-managed key: a customer key here would need a key-policy
      // grant naming the Services stack's task roles, a reference back from this earlier stack.
      credentials: rds.Credentials.fromGeneratedSecret('vigil'),
      multiAz: db.multiAz,
      storageType: rds.StorageType.GP3,
      allocatedStorage: db.allocatedStorageGiB,
      maxAllocatedStorage: db.maxAllocatedStorageGiB,
      storageEncrypted: true,
      storageEncryptionKey: this.encryptionKey,
      backupRetention: Duration.days(db.backupRetentionDays),
      copyTagsToSnapshot: true,
      deletionProtection: db.deletionProtection,
      removalPolicy: db.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.SNAPSHOT,
      enablePerformanceInsights: db.performanceInsightsRetentionDays > 0,
      performanceInsightRetention: db.performanceInsightsRetentionDays > 0 ? db.performanceInsightsRetentionDays as rds.PerformanceInsightRetention : undefined,
      performanceInsightEncryptionKey: db.performanceInsightsRetentionDays > 0 ? this.encryptionKey : undefined,
      monitoringInterval: db.enhancedMonitoringIntervalSeconds > 0 ? Duration.seconds(db.enhancedMonitoringIntervalSeconds) : undefined,
      cloudwatchLogsExports: logTypes,
      autoMinorVersionUpgrade: false,
    });
    logGroups.forEach((group) => this.database.node.addDependency(group));
    this.databaseSecret = this.database.secret!;
    if (db.removalPolicy === 'retain') {
      // A retained instance without its credentials would need a password reset to be used.
      (this.database.node.findChild('Secret') as secretsmanager.Secret).applyRemovalPolicy(RemovalPolicy.RETAIN);
    }
    const instance = this.database.node.defaultChild!;
    acknowledge(instance, 'AwsSolutions-RDS11', 'The PostgreSQL port is no secret; only the backend security group (and the rotation Lambda) may connect.');
    if (!db.multiAz) acknowledge(instance, 'AwsSolutions-RDS3', `${envName} runs single-AZ by configuration (database.multiAz is false).`);
    if (!db.deletionProtection) acknowledge(instance, 'AwsSolutions-RDS10', `${envName} is disposable by configuration (database.deletionProtection is false); a final snapshot is still taken.`);
    if (db.enhancedMonitoringIntervalSeconds > 0) {
      acknowledge(this.database.node.findChild('MonitoringRole').node.defaultChild!, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
        'AWS maintains this narrow service-role policy for the RDS enhanced monitoring agent; nothing else assumes the role.');
    }
    if (db.credentialRotationDays === 0) {
      acknowledge(this.database.node.findChild('Secret').node.defaultChild!, 'AwsSolutions-SMG4', `${envName} does not rotate the master password by configuration (database.credentialRotationDays is 0).`);
    }

    if (db.credentialRotationDays > 0) {
      // The rotation Lambda runs in the private subnets (it calls Secrets Manager) and is the
      // only other client the database security group admits.
      this.database.addRotationSingleUser({
        automaticallyAfter: Duration.days(db.credentialRotationDays),
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      });
    }

    this.cache = new RedisReplicationGroup(this, 'Cache', {
      vpc: props.vpc,
      subnets: isolated,
      replicationGroupId: redisReplicationGroupId(envName),
      engineVersion: cache.engineVersion,
      nodeType: cache.nodeType,
      nodeCount: cache.nodeCount,
      multiAzWithAutomaticFailover: cache.multiAzWithAutomaticFailover,
      snapshotRetentionDays: cache.snapshotRetentionDays,
      encryptionKey: this.encryptionKey,
      slowLogRetention: cache.slowLogRetentionDays as logs.RetentionDays,
      removalPolicy: cache.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.SNAPSHOT,
    });
  }
}
