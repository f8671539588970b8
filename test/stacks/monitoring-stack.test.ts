import { Token } from 'aws-cdk-lib';
import { newApp } from '../support/app';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { configFor, withDeployInputs } from '../../lib/config';
import type { MonitoredResources } from '../../lib/observability/monitored-resources';
import { MonitoringStack } from '../../lib/stacks/monitoring-stack';
import { synthesize, type SynthesizedEnvironment } from '../support/synth';

let staging: SynthesizedEnvironment;
let production: SynthesizedEnvironment;
beforeAll(() => {
  staging = synthesize('staging');
  production = synthesize('production');
});

describe.each(['staging', 'production'] as const)('%s Monitoring stack', (name) => {
  const env = () => (name === 'staging' ? staging : production);

  test('it has a critical (pages) and a warning (tickets) topic with literal names, encrypted with a rotating customer-managed key', () => {
    const { monitoring } = env();
    // The third topic is the catalog's Watchdog heartbeat (lib/constructs/catalog-heartbeat.ts), same key.
    monitoring.resourceCountIs('AWS::SNS::Topic', 3);
    monitoring.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: `${name}-vigil-heartbeat`,
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertTopicsKey'), 'Arn'] },
    });
    for (const role of ['critical', 'warning']) {
      monitoring.hasResourceProperties('AWS::SNS::Topic', {
        TopicName: `${name}-vigil-alerts-${role}`,
        KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertTopicsKey'), 'Arn'] },
      });
    }
    monitoring.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('all topics (both alert topics and the heartbeat) refuse publishing without TLS', () => {
    const policies = Object.values(env().monitoring.findResources('AWS::SNS::TopicPolicy')).map((p: any) => p.Properties);
    expect(policies).toHaveLength(3);
    for (const policy of policies) {
      expect(policy.PolicyDocument.Statement).toEqual(expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      ]));
    }
  });

  test('the topic key lets CloudWatch alarms and Alertmanager (the Prometheus task role) encrypt', () => {
    const key = Object.values(env().monitoring.findResources('AWS::KMS::Key'))[0] as any;
    const statements = key.Properties.KeyPolicy.Statement;
    const cloudwatch = statements.find((s: any) => s.Sid === 'CloudWatchAlarmsPublish');
    expect(cloudwatch.Principal).toEqual({ Service: 'cloudwatch.amazonaws.com' });
    const alertmanager = statements.find((s: any) => s.Sid === 'AlertmanagerPublish');
    expect(JSON.stringify(alertmanager.Principal)).toContain('PrometheusTaskDefTaskRole');
    expect([...alertmanager.Action].sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
  });

  test('without an alert e-mail nothing is subscribed', () => {
    env().monitoring.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  test('the monitored resources are filled from the other stacks, with literal Redis, database and domain names', () => {
    const { stage, config } = env();
    const resources = stage.monitoring.resources;
    for (const [field, value] of Object.entries(resources)) {
      expect([field, value === undefined || value === '']).toEqual([field, false]);
    }
    expect(resources.redisReplicationGroupId).toBe(`${name}-vigil-redis`);
    expect(resources.redisCacheClusterIds).toEqual(Array.from({ length: config.cache.nodeCount }, (_, i) => `${name}-vigil-redis-00${i + 1}`));
    expect(resources.dbInstanceIdentifier).toBe(`${name}-vigil-postgres`);
    expect(resources.openSearchDomainName).toBe(`${name}-vigil-logs`);
    expect(resources.region).toBe(config.region);
    for (const tokenField of ['loadBalancerFullName', 'backendTargetGroupFullName', 'clusterName', 'backendServiceName'] as const) {
      expect(Token.isUnresolved(resources[tokenField])).toBe(true);
    }
  });
});

describe('alert e-mail', () => {
  test('GIVEN an alert e-mail WHEN the Monitoring stack is synthesized THEN both topics send to it', () => {
    const app = newApp();
    const config = withDeployInputs(configFor('staging'), { alertEmail: 'oncall@example.com' });
    const resources: MonitoredResources = {
      accountId: '123456789012', region: config.region, loadBalancerFullName: 'app/x/1', backendTargetGroupFullName: 'targetgroup/x/1',
      clusterName: 'c', backendServiceName: 'b', prometheusServiceName: 'p', grafanaServiceName: 'g', dbInstanceIdentifier: 'd',
      redisReplicationGroupId: 'r', redisCacheClusterIds: ['r-001'], openSearchDomainName: 'o', backendLogGroupName: 'l',
    };
    const template = Template.fromStack(new MonitoringStack(app, 'Monitoring', { config, resources }));
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    template.allResourcesProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
  });
});
