import { Match } from 'aws-cdk-lib/assertions';
import { onlyResource, synthesize, type SynthesizedEnvironment } from '../support/synth';

let staging: SynthesizedEnvironment;
let production: SynthesizedEnvironment;
beforeAll(() => {
  staging = synthesize('staging');
  production = synthesize('production');
});

/** Logical IDs of the stateful resources: renaming one replaces a database, so they are pinned. */
const PINNED_DATA_IDS = {
  'AWS::RDS::DBInstance': 'DatabaseB269D8BB',
  'AWS::ElastiCache::ReplicationGroup': 'CacheReplicationGroupBFE59FF3',
  'AWS::KMS::Key': 'DataKey17AFBB84',
  'AWS::RDS::DBSubnetGroup': 'DatabaseSubnetGroup7D60F180',
  'AWS::ElastiCache::SubnetGroup': 'CacheSubnetGroup355C216D',
};

describe.each(['staging', 'production'] as const)('%s Data stack', (name) => {
  const env = () => (name === 'staging' ? staging : production);

  test.each(Object.entries(PINNED_DATA_IDS))('the %s keeps its logical ID %s', (type, id) => {
    expect(onlyResource(env().data, type).id).toBe(id);
  });

  test('the database and cache secrets keep their logical IDs', () => {
    const secrets = Object.keys(env().data.findResources('AWS::SecretsManager::Secret')).sort();
    const stage = name === 'staging' ? 'Staging' : 'Production';
    expect(secrets).toEqual(['CacheAuthToken04672416', expect.stringMatching(new RegExp(`^${stage}DataDatabaseSecret[0-9A-F]{8}3fdaad7efa858a3daf9490cf0a702aeb$`))].sort());
  });

  test('PostgreSQL runs the pinned engine version in the isolated subnets, encrypted with the customer-managed key', () => {
    const { data, config } = env();
    const { resource } = onlyResource(data, 'AWS::RDS::DBInstance');
    expect(resource.Properties).toMatchObject({
      Engine: 'postgres',
      EngineVersion: config.database.engineVersion,
      DBInstanceClass: `db.${config.database.instanceType}`,
      DBInstanceIdentifier: `${name}-vigil-postgres`,
      StorageEncrypted: true,
      KmsKeyId: { 'Fn::GetAtt': ['DataKey17AFBB84', 'Arn'] },
      StorageType: 'gp3',
      AllocatedStorage: String(config.database.allocatedStorageGiB),
      MaxAllocatedStorage: config.database.maxAllocatedStorageGiB,
      MultiAZ: config.database.multiAz,
      BackupRetentionPeriod: config.database.backupRetentionDays,
      DeletionProtection: config.database.deletionProtection,
      EnablePerformanceInsights: true,
      PerformanceInsightsKMSKeyId: { 'Fn::GetAtt': ['DataKey17AFBB84', 'Arn'] },
      MonitoringInterval: config.database.enhancedMonitoringIntervalSeconds,
      EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
      PubliclyAccessible: false,
    });
    const subnetGroup = onlyResource(data, 'AWS::RDS::DBSubnetGroup').resource.Properties;
    expect(JSON.stringify(subnetGroup.SubnetIds)).toMatch(/IsolatedSubnet/);
    expect(JSON.stringify(subnetGroup.SubnetIds)).not.toMatch(/PrivateSubnet|PublicSubnet/);
  });

  test('PostgreSQL forces TLS and its credentials are generated into Secrets Manager', () => {
    const { data } = env();
    data.hasResourceProperties('AWS::RDS::DBParameterGroup', { Parameters: { 'rds.force_ssl': '1' } });
    data.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"vigil"}', GenerateStringKey: 'password' }),
    });
    const { resource } = onlyResource(data, 'AWS::RDS::DBInstance');
    expect(JSON.stringify(resource.Properties.MasterUserPassword)).toContain('resolve:secretsmanager');
  });

  test('the exported PostgreSQL logs land in log groups with the configured retention', () => {
    const { data, config } = env();
    for (const type of ['postgresql', 'upgrade']) {
      data.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: `/aws/rds/instance/${name}-vigil-postgres/${type}`,
        RetentionInDays: config.database.logRetentionDays,
      });
    }
  });

  test('the PostgreSQL log groups outlive the stack only where the database is retained (their names are literal)', () => {
    const { data, config } = env();
    const groups = Object.values(data.findResources('AWS::Logs::LogGroup'))
      .filter((group) => String(group.Properties.LogGroupName).startsWith(`/aws/rds/instance/${name}-vigil-postgres/`));
    expect(groups).toHaveLength(2);
    for (const group of groups) expect(group.DeletionPolicy).toBe(config.database.removalPolicy === 'retain' ? 'Retain' : 'Delete');
  });

  test('Redis encrypts in transit and at rest with the customer-managed key and requires an AUTH token from Secrets Manager', () => {
    const { data, config } = env();
    const { resource } = onlyResource(data, 'AWS::ElastiCache::ReplicationGroup');
    expect(resource.Properties).toMatchObject({
      ReplicationGroupId: `${name}-vigil-redis`,
      Engine: 'redis',
      EngineVersion: config.cache.engineVersion,
      CacheNodeType: config.cache.nodeType,
      NumCacheClusters: config.cache.nodeCount,
      TransitEncryptionEnabled: true,
      AtRestEncryptionEnabled: true,
      KmsKeyId: { 'Fn::GetAtt': ['DataKey17AFBB84', 'Arn'] },
      AutomaticFailoverEnabled: config.cache.multiAzWithAutomaticFailover,
      MultiAZEnabled: config.cache.multiAzWithAutomaticFailover,
      SnapshotRetentionLimit: config.cache.snapshotRetentionDays,
      CacheSubnetGroupName: { Ref: 'CacheSubnetGroup355C216D' },
      SecurityGroupIds: [{ 'Fn::GetAtt': ['CacheSecurityGroup79A9F160', 'GroupId'] }],
    });
    expect(JSON.stringify(resource.Properties.AuthToken)).toContain('{{resolve:secretsmanager:');
    expect(JSON.stringify(resource.Properties.AuthToken)).toContain('CacheAuthToken04672416');
    expect(resource.Properties.LogDeliveryConfigurations).toEqual([expect.objectContaining({ LogType: 'slow-log', DestinationType: 'cloudwatch-logs', LogFormat: 'json' })]);
    const subnetGroup = onlyResource(data, 'AWS::ElastiCache::SubnetGroup').resource.Properties;
    expect(JSON.stringify(subnetGroup.SubnetIds)).toMatch(/IsolatedSubnet/);
    expect(JSON.stringify(subnetGroup.SubnetIds)).not.toMatch(/PrivateSubnet|PublicSubnet/);
  });

  test('neither data security group admits anything from this stack except the rotation Lambda, and neither sends anything out', () => {
    const { data, config } = env();
    for (const id of ['DatabaseSecurityGroup7319C0F6', 'CacheSecurityGroup79A9F160']) {
      const sg = data.findResources('AWS::EC2::SecurityGroup')[id] as any;
      expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
      expect(sg.Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32' })]);
    }
    const ingress = Object.values(data.findResources('AWS::EC2::SecurityGroupIngress')).map((r: any) => r.Properties);
    expect(ingress).toHaveLength(config.database.credentialRotationDays > 0 ? 1 : 0);
    for (const rule of ingress) {
      expect(rule.SourceSecurityGroupId).toEqual({ 'Fn::GetAtt': ['DatabaseRotationSingleUserSecurityGroupAC6E0E73', 'GroupId'] });
    }
  });

  test('the data stack has termination protection exactly when the configuration asks', () => {
    expect(env().stage.data.terminationProtection).toBe(env().config.terminationProtection);
  });
});

describe('Data differences the configuration asks for', () => {
  test('production PostgreSQL is multi-AZ with 14 days of point-in-time recovery, deletion protection, and is retained with its secret', () => {
    const { resource } = onlyResource(production.data, 'AWS::RDS::DBInstance');
    expect(resource.Properties).toMatchObject({ MultiAZ: true, DeletionProtection: true });
    expect(resource.Properties.BackupRetentionPeriod).toBeGreaterThanOrEqual(14);
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(resource.UpdateReplacePolicy).toBe('Retain');
    const secretId = Object.keys(production.data.findResources('AWS::SecretsManager::Secret')).find((id) => id.includes('DatabaseSecret'))!;
    expect((production.data.findResources('AWS::SecretsManager::Secret')[secretId] as any).DeletionPolicy).toBe('Retain');
  });

  test('production rotates the database password on the configured schedule; staging does not', () => {
    production.data.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: { ScheduleExpression: `rate(${production.config.database.credentialRotationDays} days)` },
    });
    staging.data.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
  });

  test('staging PostgreSQL is smaller, single-AZ, keeps fewer backups and leaves a snapshot when deleted', () => {
    const { resource } = onlyResource(staging.data, 'AWS::RDS::DBInstance');
    expect(resource.Properties).toMatchObject({ MultiAZ: false, DeletionProtection: false, DBInstanceClass: 'db.t4g.micro' });
    expect(resource.Properties.BackupRetentionPeriod).toBeLessThan(production.config.database.backupRetentionDays);
    expect(resource.DeletionPolicy).toBe('Snapshot');
  });

  test('production Redis has a replica in another zone with automatic failover and keeps snapshots; it is retained', () => {
    const { resource } = onlyResource(production.data, 'AWS::ElastiCache::ReplicationGroup');
    expect(resource.Properties.NumCacheClusters).toBeGreaterThanOrEqual(2);
    expect(resource.Properties).toMatchObject({ AutomaticFailoverEnabled: true, MultiAZEnabled: true });
    expect(new Set(resource.Properties.PreferredCacheClusterAZs).size).toBeGreaterThanOrEqual(2);
    expect(resource.Properties.SnapshotRetentionLimit).toBeGreaterThan(0);
    expect(resource.DeletionPolicy).toBe('Retain');
  });

  test('production Data is termination-protected; staging is not', () => {
    expect(production.stage.data.terminationProtection).toBe(true);
    expect(staging.stage.data.terminationProtection).toBe(false);
  });
});
