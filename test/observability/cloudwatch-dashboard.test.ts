import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CatalogDashboard } from '../../lib/constructs/catalog-dashboard';
import { renderCloudWatchDashboard } from '../../lib/observability/cloudwatch-dashboard';
import { RESOURCES, SETTINGS, productionWith } from './fixtures';

describe('CloudWatch dashboard model', () => {
  const model = renderCloudWatchDashboard('production', SETTINGS.production, RESOURCES);
  const graph = (signalId: string) => model.sections.flatMap((s) => s.graphs).find((g) => g.signalId === signalId);

  test('has a section per component with CloudWatch alarms, in catalog order, then the SLO', () => {
    expect(model.dashboardName).toBe('production-vigil');
    expect(model.sections.map((s) => s.component)).toEqual(['api', 'backend', 'rds', 'redis', 'opensearch', 'platform', 'slo']);
  });

  test('the SLO section shows each burn-rate pair with the line both windows must cross', () => {
    const slo = model.sections.find((s) => s.component === 'slo')?.graphs ?? [];
    expect(slo.map((g) => g.title)).toEqual([
      'SLO burn 14.4x: 1h and 5m (critical)',
      'SLO burn 6x: 6h and 30m (critical)',
      'SLO burn 3x: 1d and 2h (warning)',
      'SLO burn 1x: 3d and 6h (warning)',
    ]);
    expect(slo[0]?.lines).toEqual([{ severity: 'critical', value: 0.0144, label: 'critical > 0.0144' }]);
    expect(slo[0]?.series.map((s) => s.query.expression?.periodSeconds)).toEqual([3600, 300]);
  });

  test('draws each alarm severity as a line at the alarm threshold, in the metric unit', () => {
    expect(graph('rdsFreeStorage')?.lines).toEqual([
      { severity: 'critical', value: 4 * 1024 ** 3, label: `critical < ${4 * 1024 ** 3}` },
      { severity: 'warning', value: 8 * 1024 ** 3, label: `warning < ${8 * 1024 ** 3}` },
    ]);
  });

  test('the lines follow the config: a changed number moves its line', () => {
    const changed = renderCloudWatchDashboard('production', productionWith({ backendCpu: { warning: { maxPercent: 60 }, critical: { maxPercent: 85 } } }), RESOURCES);
    const lines = changed.sections.flatMap((s) => s.graphs).find((g) => g.signalId === 'backendCpu')?.lines;
    expect(lines?.map((l) => l.value)).toEqual([85, 60]);
  });

  test('a per-node Redis signal shows one series per node and one line per severity', () => {
    expect(graph('redisMemory')?.series.map((s) => s.label)).toEqual(RESOURCES.redisCacheClusterIds);
    expect(graph('redisMemory')?.lines).toHaveLength(2);
  });

  test('a signal with one severity disabled draws only the other line', () => {
    expect(graph('openSearchClusterRed')?.lines.map((l) => l.severity)).toEqual(['critical']);
  });
});

describe('CatalogDashboard construct', () => {
  test('renders the threshold annotations into the dashboard body', () => {
    const stack = new Stack();
    new CatalogDashboard(stack, 'Dashboard', { model: renderCloudWatchDashboard('production', SETTINGS.production, RESOURCES) });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]);
    expect(body).toContain('production-vigil');
    expect(body).toContain('\\"label\\":\\"critical > 90\\"');
    expect(body).toContain('## opensearch');
    // Both windows of an SLO pair share one graph, so the second window's metric ids are renamed.
    expect(body).toContain('IF((FILL(requests_1, 0) + FILL(elb5xx_1, 0)) > 0, (FILL(target5xx_1, 0) + FILL(elb5xx_1, 0)) / (FILL(requests_1, 0) + FILL(elb5xx_1, 0)), 0)');
  });
});
