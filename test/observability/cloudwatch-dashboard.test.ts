import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CatalogDashboard } from '../../lib/constructs/catalog-dashboard';
import { renderCloudWatchDashboard } from '../../lib/observability/cloudwatch-dashboard';
import { RESOURCES, SETTINGS, productionWith } from './fixtures';

describe('CloudWatch dashboard model', () => {
  const model = renderCloudWatchDashboard('production', SETTINGS.production, RESOURCES);
  const graph = (signalId: string) => model.sections.flatMap((s) => s.graphs).find((g) => g.signalId === signalId);

  test('has a section per component with CloudWatch alarms, in catalog order', () => {
    expect(model.dashboardName).toBe('production-vigil');
    expect(model.sections.map((s) => s.component)).toEqual(['api', 'backend', 'rds', 'redis', 'opensearch', 'platform']);
  });

  test('draws each alarm severity as a line at the alarm threshold, in the metric unit', () => {
    expect(graph('rdsFreeStorage')?.lines).toEqual([
      { severity: 'critical', value: 5 * 1024 ** 3, label: `critical < ${5 * 1024 ** 3}` },
      { severity: 'warning', value: 20 * 1024 ** 3, label: `warning < ${20 * 1024 ** 3}` },
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
  });
});
