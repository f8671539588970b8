import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { configFor, ENVIRONMENT_NAMES } from '../../lib/config';
import { alertTopicName } from '../../lib/constructs/alert-topics';
import { main } from '../../lib/verify/cli';
import { catalogFor, defaultDeps, topicArnFor, verifyResources } from '../../lib/verify/deps';
import { deployedFrom } from './fixtures';

const cloudWatch = mockClient(CloudWatchClient);
beforeEach(() => cloudWatch.reset());

/** The real deps with captured output and static keys (the mock answers, AWS is never called). */
function realDeps() {
  const out = { stdout: '', stderr: '' };
  const deps = {
    ...defaultDeps(),
    stdout: (t: string) => (out.stdout += t),
    stderr: (t: string) => (out.stderr += t),
    cloudWatch: (target: { region?: string }) =>
      new CloudWatchClient({ region: target.region, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'test-secret' } }),
  };
  return { deps, out };
}

describe('the wiring of vigil verify', () => {
  test('alarm actions resolve to the literal alert topic names, in the alarm account and region', () => {
    const arn = topicArnFor('production')('critical', { partition: 'aws', region: 'eu-west-1', accountId: '111122223333' });
    expect(arn).toBe(`arn:aws:sns:eu-west-1:111122223333:${alertTopicName('production', 'critical')}`);
  });

  test.each(ENVIRONMENT_NAMES)('%s: one Redis member id per configured node, named as the Data stack names them', (env) => {
    const config = configFor(env);
    const ids = verifyResources(config).redisCacheClusterIds;
    expect(ids).toHaveLength(config.cache.nodeCount);
    expect(ids[0]).toBe(`${env}-vigil-redis-001`);
  });

  test.each(ENVIRONMENT_NAMES)('%s: every catalog alarm carries the environment prefix verify lists by', (env) => {
    const specs = catalogFor(env);
    expect(specs.length).toBeGreaterThan(20);
    for (const spec of specs) expect(spec.alarmName.startsWith(`${env}-`)).toBe(true);
  });

  test.each(ENVIRONMENT_NAMES)('%s: an account holding the rendered catalog verifies clean through main, exit 0', async (env) => {
    // GIVEN DescribeAlarms returns the environment's catalog as CDK would deploy it, topics by their real names
    const deployed = deployedFrom(catalogFor(env), topicArnFor(env));
    cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: deployed.metricAlarms, CompositeAlarms: deployed.compositeAlarms });
    const { deps, out } = realDeps();
    // WHEN verifying with the real catalog, topic names and default region
    const code = await main(['--env', env], deps);
    // THEN no drift, in the configured region
    expect(out.stderr).toBe('');
    expect(code).toBe(0);
    expect(out.stdout).toContain(`vigil verify: ${env} in ${configFor(env).region}\n`);
    expect(out.stdout).toContain('no drift');
  });
});
