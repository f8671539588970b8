import { onlyResource, synthesize, type SynthesizedEnvironment } from '../support/synth';

let staging: SynthesizedEnvironment;
let production: SynthesizedEnvironment;
beforeAll(() => {
  staging = synthesize('staging');
  production = synthesize('production');
});

/** Every IAM policy statement in the environment's templates that grants an OpenSearch HTTP action. */
function openSearchGrants(env: SynthesizedEnvironment): Array<{ policy: string; roles: string; actions: string[] }> {
  const grants: Array<{ policy: string; roles: string; actions: string[] }> = [];
  for (const template of [env.network, env.data, env.logs, env.services, env.monitoring]) {
    for (const [id, policy] of Object.entries(template.findResources('AWS::IAM::Policy'))) {
      for (const statement of (policy as any).Properties.PolicyDocument.Statement) {
        const actions = [statement.Action].flat().filter((a: string) => a.startsWith('es:'));
        if (actions.length > 0) grants.push({ policy: id, roles: JSON.stringify((policy as any).Properties.Roles), actions });
      }
    }
  }
  return grants;
}

describe.each(['staging', 'production'] as const)('%s Logs stack', (name) => {
  const env = () => (name === 'staging' ? staging : production);

  test('the domain keeps its logical ID, and so does its key', () => {
    expect(onlyResource(env().logs, 'AWS::OpenSearchService::Domain').id).toBe('Domain66AC69E0');
    expect(onlyResource(env().logs, 'AWS::KMS::Key').id).toBe('LogsKeyA6AB43B2');
  });

  test('the domain encrypts at rest with its key and between nodes, and serves HTTPS only with TLS 1.2 or later', () => {
    const { Properties } = onlyResource(env().logs, 'AWS::OpenSearchService::Domain').resource;
    expect(Properties.EncryptionAtRestOptions).toEqual({ Enabled: true, KmsKeyId: { Ref: 'LogsKeyA6AB43B2' } });
    expect(Properties.NodeToNodeEncryptionOptions).toEqual({ Enabled: true });
    expect(Properties.DomainEndpointOptions).toEqual({ EnforceHTTPS: true, TLSSecurityPolicy: 'Policy-Min-TLS-1-2-2019-07' });
  });

  test('the domain has fine-grained access control and admits only signed requests of this account (no anonymous principal)', () => {
    const { Properties } = onlyResource(env().logs, 'AWS::OpenSearchService::Domain').resource;
    // The master user is the role-mapping function's IAM role (test/constructs/opensearch-role-mapping.test.ts).
    expect(Properties.AdvancedSecurityOptions).toMatchObject({ Enabled: true, InternalUserDatabaseEnabled: false });
    expect(Properties.AdvancedSecurityOptions.MasterUserOptions).toEqual({ MasterUserARN: { 'Fn::GetAtt': [expect.stringMatching(/^RoleMappingProviderMasterRole/), 'Arn'] } });
    const statements = Properties.AccessPolicies.Statement;
    expect(statements).toHaveLength(1);
    expect(JSON.stringify(statements[0].Principal)).toContain(':root');
    expect(JSON.stringify(Properties.AccessPolicies)).not.toMatch(/"Principal":"\*"|"AWS":"\*"/);
  });

  test('the domain lives in the private subnets behind its own security group, sized and spread as configured', () => {
    const { config } = env();
    const { Properties } = onlyResource(env().logs, 'AWS::OpenSearchService::Domain').resource;
    expect(Properties.VPCOptions.SubnetIds).toHaveLength(config.search.zoneCount);
    expect(JSON.stringify(Properties.VPCOptions.SubnetIds)).toMatch(/PrivateSubnet/);
    expect(JSON.stringify(Properties.VPCOptions.SecurityGroupIds)).toContain('DomainSecurityGroup');
    expect(Properties.ClusterConfig).toMatchObject({ InstanceCount: config.search.dataNodeCount, InstanceType: config.search.dataNodeInstanceType });
    expect(Properties.EBSOptions).toEqual({ EBSEnabled: true, VolumeSize: config.search.volumeSizeGiB, VolumeType: 'gp3' });
    expect(Properties.EngineVersion).toBe(config.search.engineVersion);
  });

  test('slow search, slow index and error logs go to CloudWatch Logs, which the service may write', () => {
    const { logs, config } = env();
    const { Properties } = onlyResource(logs, 'AWS::OpenSearchService::Domain').resource;
    for (const type of ['SEARCH_SLOW_LOGS', 'INDEX_SLOW_LOGS', 'ES_APPLICATION_LOGS']) {
      expect(Properties.LogPublishingOptions[type].Enabled).toBe(true);
    }
    logs.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: config.search.logRetentionDays });
    const policy = onlyResource(logs, 'AWS::Logs::ResourcePolicy').resource.Properties.PolicyDocument;
    expect(JSON.stringify(policy)).toContain('es.amazonaws.com');
  });

  test('only the backend task role may write to the domain and only Grafana task role may read it', () => {
    const grants = openSearchGrants(env());
    const writers = grants.filter((g) => g.actions.some((a) => a === 'es:ESHttpPut' || a === 'es:ESHttp*'));
    expect(writers).toHaveLength(1);
    expect(writers[0].roles).toContain('BackendTaskDefTaskRole');
    const readers = grants.filter((g) => g.actions.includes('es:ESHttpGet'));
    expect(readers).toHaveLength(1);
    expect(readers[0].roles).toContain('GrafanaTaskDefTaskRole');
    expect(grants.map((g) => g.roles).sort()).toEqual([writers[0].roles, readers[0].roles].sort());
  });

  test('the logs stack has termination protection exactly when the configuration asks', () => {
    expect(env().stage.logs.terminationProtection).toBe(env().config.terminationProtection);
  });
});

describe('Logs differences the configuration asks for', () => {
  test('production has 3 dedicated masters and at least 3 data nodes spread over 3 zones on gp3, and is retained', () => {
    const { resource } = onlyResource(production.logs, 'AWS::OpenSearchService::Domain');
    expect(resource.Properties.ClusterConfig).toMatchObject({
      DedicatedMasterEnabled: true, DedicatedMasterCount: 3, ZoneAwarenessEnabled: true, ZoneAwarenessConfig: { AvailabilityZoneCount: 3 },
    });
    expect(resource.Properties.ClusterConfig.InstanceCount).toBeGreaterThanOrEqual(3);
    expect(resource.Properties.EBSOptions.VolumeType).toBe('gp3');
    expect(resource.DeletionPolicy).toBe('Retain');
  });

  test('staging is one small data node in one zone, without dedicated masters, deleted with its stack', () => {
    const { resource } = onlyResource(staging.logs, 'AWS::OpenSearchService::Domain');
    expect(resource.Properties.ClusterConfig).toMatchObject({ InstanceCount: 1, InstanceType: 't3.small.search', DedicatedMasterEnabled: false, ZoneAwarenessEnabled: false });
    expect(resource.DeletionPolicy).toBe('Delete');
  });
});
