import type { CompositeAlarmSpec, MetricAlarmSpec } from '../../lib/observability/alarm-spec';
import { renderAlarmSpecs } from '../../lib/observability/cloudwatch-alarms';
import { resolveTiers } from '../../lib/observability/settings';
import { SIGNALS, SIGNAL_IDS } from '../../lib/observability/signals';
import { BURN_RATE_POLICY } from '../../lib/observability/slo';
import { RESOURCES, SETTINGS, productionWith } from './fixtures';

const metricSpecs = (specs: ReturnType<typeof renderAlarmSpecs>) => specs.filter((s): s is MetricAlarmSpec => s.kind === 'metric');
const byName = (specs: ReturnType<typeof renderAlarmSpecs>, name: string) => {
  const spec = specs.find((s) => s.alarmName === name);
  if (!spec) throw new Error(`no alarm ${name}; have ${specs.map((s) => s.alarmName).join(', ')}`);
  return spec;
};

describe('CloudWatch alarm specs', () => {
  const production = renderAlarmSpecs('production', SETTINGS.production, RESOURCES);

  test('one alarm per CloudWatch signal × enabled severity × Redis node, plus the SLO alarms', () => {
    for (const env of ['staging', 'production'] as const) {
      const specs = renderAlarmSpecs(env, SETTINGS[env], RESOURCES);
      const expected = resolveTiers(env, SETTINGS[env])
        .filter((t) => t.definition.source.engine === 'cloudwatch')
        .reduce((n, t) => n + (t.definition.source.engine === 'cloudwatch' && t.definition.source.perRedisNode ? RESOURCES.redisCacheClusterIds.length : 1), 0);
      const slo = BURN_RATE_POLICY.length * 2 + 2;
      expect(specs).toHaveLength(expected + slo);
    }
  });

  test('alarm names follow <env>-<component>-<signal>-<severity>', () => {
    for (const spec of production) expect(spec.alarmName).toMatch(/^production-(api|backend|rds|redis|opensearch|platform|slo)-[a-z0-9-]+-(critical|warning)$/);
    expect(byName(production, 'production-api-5xx-rate-critical')).toBeDefined();
    expect(byName(production, 'production-redis-engine-cpu-node2-warning')).toBeDefined();
  });

  test('critical alarms notify the paging topic and warnings the ticket topic, on ALARM and OK', () => {
    const critical = byName(production, 'production-api-5xx-rate-critical');
    const warning = byName(production, 'production-api-5xx-rate-warning');
    expect(critical).toMatchObject({ alarmTopics: ['critical'], okTopics: ['critical'] });
    expect(warning).toMatchObject({ alarmTopics: ['warning'], okTopics: ['warning'] });
  });

  test('the description says the threshold in words and links the runbook section', () => {
    const spec = byName(production, 'production-rds-free-storage-critical');
    expect(spec.description).toContain('RDS free storage in production is below 4 GiB in 1 of 1 periods of 300 s.');
    expect(spec.description).toContain('Runbook: https://github.com/vigil-dev/vigil/blob/main/docs/runbooks.md#rds-free-storage');
    expect(spec.runbookUrl).toBe('https://github.com/vigil-dev/vigil/blob/main/docs/runbooks.md#rds-free-storage');
  });

  test('thresholds are converted from the config unit to the metric unit, with the direction from the key', () => {
    expect(byName(production, 'production-rds-free-storage-critical')).toMatchObject({ threshold: 4 * 1024 ** 3, comparisonOperator: 'LessThanThreshold' });
    expect(byName(production, 'production-api-target-latency-p99-critical')).toMatchObject({ threshold: 1.5, comparisonOperator: 'GreaterThanThreshold' });
    expect(byName(production, 'production-opensearch-free-storage-warning')).toMatchObject({ threshold: 25 * 1024 });
  });

  test('every Redis node gets its own alarm on its own CacheClusterId', () => {
    const nodes = metricSpecs(production).filter((s) => s.signalId === 'redisEngineCpu' && s.severity === 'critical');
    expect(nodes.map((s) => s.metric?.dimensions.CacheClusterId)).toEqual(RESOURCES.redisCacheClusterIds);
  });

  test('the ALB 5xx rate is metric math over request and 5xx counts with the tier period', () => {
    const spec = byName(production, 'production-api-5xx-rate-critical') as MetricAlarmSpec;
    expect(spec.expression?.expression).toBe('IF((FILL(requests, 0) + FILL(elb5xx, 0)) > 0, 100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / (FILL(requests, 0) + FILL(elb5xx, 0)), 0)');
    const backend = { LoadBalancer: RESOURCES.loadBalancerFullName, TargetGroup: RESOURCES.backendTargetGroupFullName };
    const alb = (metricName: string, dimensions: Record<string, string>) => ({ namespace: 'AWS/ApplicationELB', metricName, dimensions, statistic: 'Sum', periodSeconds: 60 });
    expect(spec.expression?.usingMetrics).toEqual({
      // The backend's target group only: the listener routes Grafana's requests to another one.
      requests: alb('RequestCount', backend),
      target5xx: alb('HTTPCode_Target_5XX_Count', backend),
      // The ALB's own 5xx have no target-group dimension.
      elb5xx: alb('HTTPCode_ELB_5XX_Count', { LoadBalancer: RESOURCES.loadBalancerFullName }),
    });
  });

  test('the SLO burn alarms read the same backend-only error ratio over their own windows', () => {
    const oneHour = byName(production, 'production-slo-availability-burn-1h-critical') as MetricAlarmSpec;
    expect(oneHour.expression?.usingMetrics.requests.dimensions).toEqual({ LoadBalancer: RESOURCES.loadBalancerFullName, TargetGroup: RESOURCES.backendTargetGroupFullName });
    expect(oneHour.expression?.usingMetrics.target5xx).toMatchObject({ dimensions: { TargetGroup: RESOURCES.backendTargetGroupFullName }, periodSeconds: 3600 });
  });

  test('an API with no healthy backend target pages, also when the ALB stops reporting the count', () => {
    const backend = { LoadBalancer: RESOURCES.loadBalancerFullName, TargetGroup: RESOURCES.backendTargetGroupFullName };
    expect(byName(production, 'production-api-healthy-hosts-critical')).toMatchObject({
      metric: { namespace: 'AWS/ApplicationELB', metricName: 'HealthyHostCount', dimensions: backend, statistic: 'Minimum', periodSeconds: 60 },
      threshold: 1,
      comparisonOperator: 'LessThanThreshold',
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: 'breaching',
      alarmTopics: ['critical'],
    });
    expect(byName(production, 'production-api-healthy-hosts-warning')).toMatchObject({ threshold: 2, alarmTopics: ['warning'] });
    // Staging runs one task: fewer than one healthy is the only case, and it pages.
    const staging = renderAlarmSpecs('staging', SETTINGS.staging, RESOURCES);
    expect(staging.filter((s) => s.signalId === 'apiHealthyHosts').map((s) => s.alarmName)).toEqual(['staging-api-healthy-hosts-critical']);
  });

  test('backend memory follows the fullest task, not the average of all', () => {
    expect(byName(production, 'production-backend-memory-critical')).toMatchObject({ metric: { namespace: 'AWS/ECS', metricName: 'MemoryUtilization', statistic: 'Maximum' } });
  });

  test('OpenSearch CPU alarms on three 15-minute maxima, as AWS recommends, not on minutes of merging', () => {
    expect(byName(production, 'production-opensearch-cpu-critical')).toMatchObject({
      metric: { metricName: 'CPUUtilization', statistic: 'Maximum', periodSeconds: 900 },
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
    });
  });

  test('every Redis node also has a host CPU alarm, the metric AWS watches on nodes of two vCPUs', () => {
    const nodes = metricSpecs(production).filter((s) => s.signalId === 'redisHostCpu' && s.severity === 'critical');
    expect(nodes.map((s) => [s.metric?.metricName, s.metric?.dimensions.CacheClusterId, s.threshold])).toEqual(
      RESOURCES.redisCacheClusterIds.map((id) => ['CPUUtilization', id, 45]),
    );
  });

  test('missing backend tasks count a minute without a running count as none running', () => {
    const spec = byName(production, 'production-backend-running-below-desired-critical') as MetricAlarmSpec;
    expect(spec.expression?.expression).toBe('FILL(desired, REPEAT) - FILL(running, 0)');
    expect(Object.keys(spec.expression?.usingMetrics ?? {}).sort()).toEqual(['desired', 'running']);
  });

  test('the SLO composite pages when a long and a short window both burn', () => {
    const composite = byName(production, 'production-slo-availability-critical') as CompositeAlarmSpec;
    expect(composite.alarmRule).toBe(
      '(ALARM("production-slo-availability-burn-1h-critical") AND ALARM("production-slo-availability-burn-5m-critical")) OR ' +
        '(ALARM("production-slo-availability-burn-6h-critical") AND ALARM("production-slo-availability-burn-30m-critical"))',
    );
    expect(composite.alarmTopics).toEqual(['critical']);
    const oneHour = byName(production, 'production-slo-availability-burn-1h-critical') as MetricAlarmSpec;
    // 14.4 × (1 - 0.999) of the requests may fail over one hour
    expect(oneHour).toMatchObject({ threshold: 0.0144, evaluationPeriods: 1, alarmTopics: [] });
    expect(oneHour.expression?.periodSeconds).toBe(3600);
  });

  test('changing one number changes exactly that alarm', () => {
    const changed = renderAlarmSpecs('production', productionWith({ rdsCpu: { warning: { maxPercent: 65 }, critical: { maxPercent: 90 } } }), RESOURCES);
    const differing = changed.filter((spec, i) => JSON.stringify(spec) !== JSON.stringify(production[i]));
    expect(differing.map((s) => s.alarmName)).toEqual(['production-rds-cpu-warning']);
    expect(differing[0]).toMatchObject({ threshold: 65 });
  });

  test('disabling a signal removes its alarms', () => {
    const specs = renderAlarmSpecs('production', productionWith({ redisEvictions: { disabled: 'test' } }), RESOURCES);
    expect(specs.filter((s) => s.signalId === 'redisEvictions')).toEqual([]);
    expect(specs).toHaveLength(production.length - 4);
  });

  test('per-node signals need the replication group members', () => {
    expect(() => renderAlarmSpecs('production', SETTINGS.production, { ...RESOURCES, redisCacheClusterIds: [] })).toThrow(
      /redisCacheClusterIds is empty: list every member cache cluster/,
    );
  });

  test('the log-router signal needs the backend log group', () => {
    expect(() => renderAlarmSpecs('production', SETTINGS.production, { ...RESOURCES, backendLogGroupName: undefined })).toThrow(
      /backendLogGroupName is required for signal 'logRouterRunning': pass it from the stacks, or disable the signal/,
    );
  });

  test('invalid settings fail rendering', () => {
    expect(() => renderAlarmSpecs('production', productionWith({ rdsCpu: { warning: { maxPercent: 95 }, critical: { maxPercent: 90 } } }), RESOURCES)).toThrow(
      /rdsCpu: warning \(maxPercent 95\) must be less severe/,
    );
  });
});

describe('the catalog itself', () => {
  test('every signal has a distinct component and slug, three checks and a positive whole-minute period', () => {
    const seen = new Set<string>();
    for (const id of SIGNAL_IDS) {
      const signal = SIGNALS[id];
      const key = `${signal.component}-${signal.slug}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      expect(signal.slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(signal.checks).toHaveLength(3);
      const period = signal.evaluation?.periodSeconds ?? 60;
      expect(period > 0 && period % 60 === 0).toBe(true);
    }
  });
});
