import { configFor, ENVIRONMENTS, validate, withDeployInputs, type EnvironmentConfig } from '../../lib/config';

/** A copy of `base` with `change` applied to one section (deep enough for every rule here). */
type Sections = Omit<EnvironmentConfig, 'envName' | 'region' | 'terminationProtection'>;
function variant<K extends keyof Sections>(base: EnvironmentConfig, section: K, change: Partial<Sections[K]>): EnvironmentConfig {
  return { ...base, [section]: { ...base[section], ...change } };
}
function servicesVariant<K extends 'backend' | 'prometheus' | 'grafana'>(base: EnvironmentConfig, part: K, change: Partial<EnvironmentConfig['services'][K]>): EnvironmentConfig {
  return { ...base, services: { ...base.services, [part]: { ...base.services[part], ...change } } };
}

describe('configFor', () => {
  test.each(['staging', 'production'])('GIVEN %s WHEN looked up THEN the committed values pass validation', (name) => {
    expect(configFor(name).envName).toBe(name);
  });

  test('GIVEN an unknown name WHEN looked up THEN the error names it and the valid choices', () => {
    expect(() => configFor('prod')).toThrow("unknown environment 'prod', expected staging|production");
  });
});

describe('the committed environments', () => {
  const { staging, production } = ENVIRONMENTS;

  test('staging spans two zones and production three, all in the configured region', () => {
    expect(staging.network.availabilityZones).toHaveLength(2);
    expect(production.network.availabilityZones).toHaveLength(3);
    for (const env of [staging, production]) {
      for (const az of env.network.availabilityZones) expect(az.startsWith(env.region)).toBe(true);
    }
  });

  test('staging shares one NAT gateway; production has one per zone', () => {
    expect(staging.network.natGateways).toBe(1);
    expect(production.network.natGateways).toBe(production.network.availabilityZones.length);
  });

  test('production keeps at least 14 days of backups, is multi-AZ and is never deleted with its stack', () => {
    expect(production.database.backupRetentionDays).toBeGreaterThanOrEqual(14);
    expect(production.database.multiAz).toBe(true);
    expect(production.database.deletionProtection).toBe(true);
    expect(production.database.removalPolicy).toBe('retain');
    expect(production.cache.nodeCount).toBeGreaterThanOrEqual(2);
    expect(production.cache.multiAzWithAutomaticFailover).toBe(true);
    expect(production.search.removalPolicy).toBe('retain');
    expect(production.terminationProtection).toBe(true);
  });

  test('production OpenSearch has 3 dedicated masters and at least 3 data nodes over 3 zones', () => {
    expect(production.search.dedicatedMasterCount).toBe(3);
    expect(production.search.zoneCount).toBe(3);
    expect(production.search.dataNodeCount).toBeGreaterThanOrEqual(3);
  });
});

describe('validate rejects bad values with the field, the value and the fix', () => {
  const base = ENVIRONMENTS.staging;
  const cases: Array<[string, EnvironmentConfig, RegExp]> = [
    ['an unknown envName', { ...base, envName: 'qa' as never }, /envName is "qa"; use one of staging\|production/],
    ['a malformed region', { ...base, region: 'Europe' }, /region is "Europe"; use a region name/],
    ['a bad VPC CIDR', variant(base, 'network', { vpcCidr: '10.0.0.0/8' }), /network\.vpcCidr is "10\.0\.0\.0\/8"; use an IPv4 CIDR/],
    ['a single zone', variant(base, 'network', { availabilityZones: ['eu-west-1a'], natGateways: 1 }), /network\.availabilityZones is \["eu-west-1a"\]; list 2 to 6 zones/],
    ['a zone of another region', variant(base, 'network', { availabilityZones: ['eu-west-1a', 'us-east-1b'] }), /network\.availabilityZones is "us-east-1b"; list zones of region eu-west-1/],
    ['a repeated zone', variant(base, 'network', { availabilityZones: ['eu-west-1a', 'eu-west-1a'] }), /list each zone once/],
    ['no NAT gateway', variant(base, 'network', { natGateways: 0 }), /network\.natGateways is 0; use 1 \(shared\) to 2/],
    ['more NAT gateways than zones', variant(base, 'network', { natGateways: 3 }), /network\.natGateways is 3/],
    ['a flow log retention CloudWatch does not offer', variant(base, 'network', { flowLogRetentionDays: 10 }), /network\.flowLogRetentionDays is 10; use a CloudWatch Logs retention/],
    ['an unknown interface endpoint', variant(base, 'network', { interfaceEndpointServices: ['ecr'] }), /network\.interfaceEndpointServices is "ecr"; use one of/],
    ['an unpinned engine version', variant(base, 'database', { engineVersion: '16' }), /database\.engineVersion is "16"; pin a full PostgreSQL version/],
    ['an instance class with the db. prefix', variant(base, 'database', { instanceType: 'db.t4g.micro' }), /database\.instanceType is "db\.t4g\.micro"; write the class without the 'db\.' prefix/],
    ['too little storage', variant(base, 'database', { allocatedStorageGiB: 10 }), /database\.allocatedStorageGiB is 10; use at least 20 GiB/],
    ['an autoscaling ceiling below the start', variant(base, 'database', { maxAllocatedStorageGiB: 20 }), /database\.maxAllocatedStorageGiB is 20; raise it above allocatedStorageGiB \(20\)/],
    ['backups off', variant(base, 'database', { backupRetentionDays: 0 }), /database\.backupRetentionDays is 0; use 1\.\.35 days/],
    ['a Performance Insights retention AWS refuses', variant(base, 'database', { performanceInsightsRetentionDays: 30 }), /database\.performanceInsightsRetentionDays is 30; use 0 \(off\), 7, or a multiple of 31/],
    ['an enhanced monitoring interval AWS refuses', variant(base, 'database', { enhancedMonitoringIntervalSeconds: 20 }), /database\.enhancedMonitoringIntervalSeconds is 20/],
    ['a rotation period over a year', variant(base, 'database', { credentialRotationDays: 400 }), /database\.credentialRotationDays is 400; use 0 \(no rotation\) or 1\.\.365 days/],
    ['a database log retention CloudWatch does not offer', variant(base, 'database', { logRetentionDays: 2 }), /database\.logRetentionDays is 2/],
    ['an unpinned Redis version', variant(base, 'cache', { engineVersion: '7' }), /cache\.engineVersion is "7"; pin a Redis version/],
    ['a node type without the cache. prefix', variant(base, 'cache', { nodeType: 't4g.micro' }), /cache\.nodeType is "t4g\.micro"/],
    ['seven cache nodes', variant(base, 'cache', { nodeCount: 7 }), /cache\.nodeCount is 7; use 1 to 6 nodes/],
    ['failover without a replica', variant(base, 'cache', { multiAzWithAutomaticFailover: true, nodeCount: 1 }), /cache\.multiAzWithAutomaticFailover is true; set cache\.nodeCount to at least 2 \(it is 1\)/],
    ['snapshots kept for 40 days', variant(base, 'cache', { snapshotRetentionDays: 40 }), /cache\.snapshotRetentionDays is 40; use 0 \(none\) to 35 days/],
    ['a slow-log retention CloudWatch does not offer', variant(base, 'cache', { slowLogRetentionDays: 4 }), /cache\.slowLogRetentionDays is 4/],
    ['a misspelled OpenSearch version', variant(base, 'search', { engineVersion: '2.17' }), /search\.engineVersion is "2\.17"; use the service's spelling/],
    ['more search zones than VPC zones', variant(base, 'search', { zoneCount: 3, dataNodeCount: 3 }), /search\.zoneCount is 3; use 1, 2 or 3, at most the 2 zones/],
    ['data nodes not a multiple of the zones', variant(base, 'search', { zoneCount: 2, dataNodeCount: 3 }), /search\.dataNodeCount is 3; use a positive multiple of search\.zoneCount \(2\)/],
    ['an even number of masters', variant(base, 'search', { dedicatedMasterCount: 2 }), /search\.dedicatedMasterCount is 2; use 0 \(none\), 3 or 5/],
    ['an instance type without .search', variant(base, 'search', { dataNodeInstanceType: 't3.small' }), /search\.dataNodeInstanceType is "t3\.small"/],
    ['a tiny volume', variant(base, 'search', { volumeSizeGiB: 5 }), /search\.volumeSizeGiB is 5; use at least 10 GiB/],
    ['a search log retention CloudWatch does not offer', variant(base, 'search', { logRetentionDays: 8 }), /search\.logRetentionDays is 8/],
    ['an HTTPS requirement that is not a boolean', variant(base, 'services', { requireHttps: 'yes' as unknown as boolean }), /services\.requireHttps is "yes"; use true/],
    ['log indices kept for no day at all', variant(base, 'search', { logIndexRetentionDays: 0 }), /search\.logIndexRetentionDays is 0; use a whole number of days from 1 to 3650/],
    ['log indices kept for half a day', variant(base, 'search', { logIndexRetentionDays: 0.5 }), /search\.logIndexRetentionDays is 0\.5/],
    ['a container log retention CloudWatch does not offer', variant(base, 'services', { containerLogRetentionDays: 0 }), /services\.containerLogRetentionDays is 0/],
    ['access logs kept for 0 days', variant(base, 'services', { albAccessLogRetentionDays: 0 }), /services\.albAccessLogRetentionDays is 0; use at least 1 day/],
    ['a certificate from another region', variant(base, 'services', { certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc-123' }), /services\.certificateArn is "arn:aws:acm:us-east-1:.*"; use an ACM certificate ARN in eu-west-1/],
    ['a CPU value Fargate lacks', servicesVariant(base, 'backend', { cpuUnits: 300 }), /services\.backend\.cpuUnits is 300; use a Fargate CPU value/],
    ['a memory size Fargate refuses for the CPU', servicesVariant(base, 'prometheus', { memoryMiB: 512 }), /services\.prometheus\.memoryMiB is 512; with 512 CPU units Fargate accepts 1024\.\.4096 MiB/],
    ['a minimum of 0 tasks', servicesVariant(base, 'backend', { minCount: 0, desiredCount: 0 }), /services\.backend\.minCount is 0; use at least 1/],
    ['a maximum below the minimum', servicesVariant(base, 'backend', { maxCount: 0 }), /services\.backend\.maxCount is 0; use at least minCount \(1\)/],
    ['more tasks than Cloud Map DNS answers with', servicesVariant(base, 'backend', { maxCount: 9 }), /services\.backend\.maxCount is 9; use at most 8: Prometheus finds the backend tasks through Cloud Map DNS/],
    ['a desired count above the maximum', servicesVariant(base, 'backend', { desiredCount: 5 }), /services\.backend\.desiredCount is 5; use a count between minCount \(1\) and maxCount \(2\)/],
    ['a CPU target of 95 %', servicesVariant(base, 'backend', { targetCpuUtilizationPercent: 95 }), /services\.backend\.targetCpuUtilizationPercent is 95; use 10\.\.90 percent/],
    ['a request target of 0', servicesVariant(base, 'backend', { targetRequestsPerTargetPerMinute: 0 }), /services\.backend\.targetRequestsPerTargetPerMinute is 0; use at least 1/],
    ['a deregistration delay as long as the stop timeout', servicesVariant(base, 'backend', { deregistrationDelaySeconds: 30 }), /services\.backend\.deregistrationDelaySeconds is 30; use 0\.\.29: shorter than the 30 s stop timeout/],
    ['a negative health-check grace period', servicesVariant(base, 'backend', { healthCheckGracePeriodSeconds: -1 }), /services\.backend\.healthCheckGracePeriodSeconds is -1; use 0\.\.600 seconds/],
    ['an hour of health-check grace', servicesVariant(base, 'backend', { healthCheckGracePeriodSeconds: 3600 }), /services\.backend\.healthCheckGracePeriodSeconds is 3600; use 0\.\.600 seconds/],
    ['a Sentry secret name with spaces', servicesVariant(base, 'backend', { sentryDsnSecretName: 'my dsn' }), /services\.backend\.sentryDsnSecretName is "my dsn"/],
    ['a pool of no connections', servicesVariant(base, 'backend', { pgPoolMax: 0 }), /services\.backend\.pgPoolMax is 0; use 1\.\.100 connections per task/],
    ['a pool larger than the service accepts', servicesVariant(base, 'backend', { pgPoolMax: 101 }), /services\.backend\.pgPoolMax is 101; use 1\.\.100/],
    // Staging: 2 tasks x2 during a deployment x(10 + 1) = 44 connections at most.
    ['a connections warning the backend reaches on its own', { ...base, alarms: { ...base.alarms, thresholds: { ...base.alarms.thresholds, rdsConnections: { warning: { maxCount: 44 }, critical: { maxCount: 65 } } } } },
      /staging: alarms\.thresholds\.rdsConnections\.warning\.maxCount is 44; raise it above 44, the connections the backend alone can hold \(services\.backend\.maxCount 2 tasks, x2 during a deployment, x\(pgPoolMax 10 \+ 1 for readiness\)\) and below the instance's max_connections, or lower services\.backend\.maxCount or pgPoolMax/],
    ['a larger pool that takes the backend past the connections page', servicesVariant(base, 'backend', { pgPoolMax: 20 }),
      /alarms\.thresholds\.rdsConnections\.critical\.maxCount is 65; raise it above 84.*\n.*alarms\.thresholds\.rdsConnections\.warning\.maxCount is 50; raise it above 84/],
    ['an unpinned log router', servicesVariant(base, 'backend', { logRouterImageTag: 'stable' }), /services\.backend\.logRouterImageTag is "stable"; pin a release tag/],
    ['an unpinned Prometheus', servicesVariant(base, 'prometheus', { prometheusImageTag: 'latest' }), /services\.prometheus\.prometheusImageTag is "latest"; pin a release tag/],
    ['an unpinned Alertmanager', servicesVariant(base, 'prometheus', { alertmanagerImageTag: 'main' }), /services\.prometheus\.alertmanagerImageTag is "main"/],
    ['a retention of 0 days', servicesVariant(base, 'prometheus', { retentionDays: 0 }), /services\.prometheus\.retentionDays is 0; use at least 1 day/],
    ['ephemeral storage below the Fargate minimum', servicesVariant(base, 'prometheus', { ephemeralStorageGiB: 20 }), /services\.prometheus\.ephemeralStorageGiB is 20; use 21\.\.200 GiB/],
    ['a 1 s scrape interval', servicesVariant(base, 'prometheus', { scrapeIntervalSeconds: 1 }), /services\.prometheus\.scrapeIntervalSeconds is 1; use 5\.\.300 seconds/],
    ['an unpinned Grafana', servicesVariant(base, 'grafana', { imageTag: 'latest' }), /services\.grafana\.imageTag is "latest"/],
    ['an unpinned OpenSearch plugin', servicesVariant(base, 'grafana', { openSearchPluginVersion: 'v2' }), /services\.grafana\.openSearchPluginVersion is "v2"/],
    ['a path prefix with a trailing slash', servicesVariant(base, 'grafana', { routing: { kind: 'path', pathPrefix: '/grafana/' } }), /services\.grafana\.routing\.pathPrefix is "\/grafana\/"; use one path segment/],
    ['a host name with upper case', servicesVariant(base, 'grafana', { routing: { kind: 'host', hostName: 'Grafana.example.com' } }), /services\.grafana\.routing\.hostName is "Grafana\.example\.com"/],
    ['an e-mail without a domain', variant(base, 'alerting', { email: 'oncall' }), /alerting\.email is "oncall"; use an e-mail address/],
    ['the yellow-cluster signal on one data node', { ...base, alarms: { ...base.alarms, thresholds: { ...base.alarms.thresholds, openSearchClusterYellow: { warning: { maxCount: 0 }, critical: { disabled: 'a ticket' } } } } },
      /alarms\.thresholds\.openSearchClusterYellow is .*; with one data node \(search\.dataNodeCount\) the cluster is yellow whenever an index has a replica, so this would never clear: use 2 or more data nodes, or \{ disabled: '<reason>' \} the signal/],
    ['a free-storage warning above where storage autoscaling starts', { ...base, alarms: { ...base.alarms, thresholds: { ...base.alarms.thresholds, rdsFreeStorage: { warning: { minGibibytes: 5 }, critical: { minGibibytes: 1 } } } } },
      /staging: alarms\.thresholds\.rdsFreeStorage\.warning\.minGibibytes is 5; keep it below 2 GiB \(10 % of database\.allocatedStorageGiB, where storage autoscaling starts\), or it fires before every autoscaling step/],
    ['a free-storage page at the point storage autoscaling starts', { ...base, alarms: { ...base.alarms, thresholds: { ...base.alarms.thresholds, rdsFreeStorage: { warning: { disabled: 'test' }, critical: { minGibibytes: 2 } } } } },
      /alarms\.thresholds\.rdsFreeStorage\.critical\.minGibibytes is 2; keep it below 2 GiB/],
  ];

  test.each(cases)('GIVEN %s WHEN validated THEN it throws', (_name, config, message) => {
    expect(() => validate(config)).toThrow(message);
  });

  test('GIVEN connection tiers above the backend peak or disabled WHEN validated THEN they pass', () => {
    const thresholds = (rdsConnections: EnvironmentConfig['alarms']['thresholds']['rdsConnections']) =>
      ({ ...base, alarms: { ...base.alarms, thresholds: { ...base.alarms.thresholds, rdsConnections } } });
    expect(() => validate(thresholds({ warning: { maxCount: 45 }, critical: { maxCount: 46 } }))).not.toThrow();
    expect(() => validate(thresholds({ warning: { disabled: 'test' }, critical: { maxCount: 45 } }))).not.toThrow();
    expect(() => validate(thresholds({ disabled: 'test' }))).not.toThrow();
  });

  test('GIVEN several bad values WHEN validated THEN one error lists each of them', () => {
    const config = variant(variant(base, 'cache', { nodeCount: 9 }), 'search', { volumeSizeGiB: 1 });
    expect(() => validate(config)).toThrow(/invalid staging configuration:\n {2}staging: cache\.nodeCount is 9.*\n {2}staging: search\.volumeSizeGiB is 1/s);
  });
});

describe('withDeployInputs', () => {
  test('GIVEN a certificate and an e-mail WHEN applied THEN the config carries them', () => {
    const config = withDeployInputs(ENVIRONMENTS.production, {
      certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8899-aabbccddeeff',
      alertEmail: 'oncall@example.com',
    });
    expect(config.services.certificateArn).toMatch(/^arn:aws:acm:eu-west-1:/);
    expect(config.alerting.email).toBe('oncall@example.com');
  });

  test('GIVEN a malformed certificate ARN WHEN applied THEN it is validated like any value', () => {
    expect(() => withDeployInputs(ENVIRONMENTS.staging, { certificateArn: 'not-an-arn' })).toThrow(/services\.certificateArn is "not-an-arn"/);
  });
});
