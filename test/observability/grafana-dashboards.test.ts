import { gzipSync } from 'node:zlib';
import { dashboardPromQl, renderGrafanaDashboardFiles, renderGrafanaDashboards, thresholdSteps, type Dashboard, type Panel } from '../../lib/observability/grafana-dashboards';
import { SIGNALS, SIGNAL_IDS } from '../../lib/observability/signals';
import { SETTINGS, productionWith } from './fixtures';

const REGION = 'eu-west-1';
const panel = (dashboards: readonly Dashboard[], uid: string, title: string): Panel => {
  const found = dashboards.find((d) => d.uid === uid)?.panels.find((p) => p.title === title);
  if (!found) throw new Error(`no panel '${title}' in ${uid}`);
  return found;
};

describe('Grafana dashboards', () => {
  const production = renderGrafanaDashboards('production', SETTINGS.production, REGION);

  test('there are four: the service, the Node runtime, PostgreSQL and Redis, and the AWS resources', () => {
    expect(production.map((d) => d.uid)).toEqual(['vigil-service', 'vigil-runtime', 'vigil-data', 'vigil-aws']);
    for (const d of production) expect(d.title).toContain('(production)');
  });

  test('a signal panel plots the signal expression with the environment thresholds as lines', () => {
    const errors = panel(production, 'vigil-service', 'App 5xx ratio');
    expect(errors.targets?.[0]).toMatchObject({ expr: (SIGNALS.appErrorRatio.source as { expr: string }).expr });
    expect(errors.fieldConfig?.defaults).toMatchObject({
      unit: 'percent',
      thresholds: { steps: [{ color: 'green', value: null }, { color: 'orange', value: 1 }, { color: 'red', value: 5 }] },
      custom: { thresholdsStyle: { mode: 'line' } },
    });
  });

  test('a min threshold colours the low end', () => {
    expect(panel(production, 'vigil-data', 'Cache hit ratio').fieldConfig?.defaults.thresholds.steps).toEqual([
      { color: 'red', value: null },
      { color: 'orange', value: 50 },
      { color: 'green', value: 80 },
    ]);
  });

  test('panel thresholds follow the config', () => {
    const changed = renderGrafanaDashboards('production', productionWith({ appEventLoopLag: { warning: { maxMilliseconds: 50 }, critical: { maxMilliseconds: 300 } } }), REGION);
    expect(panel(changed, 'vigil-runtime', 'Event-loop lag p99').fieldConfig?.defaults.thresholds.steps.map((s) => s.value)).toEqual([null, 50, 300]);
  });

  test('every Prometheus signal of the catalog has a panel', () => {
    const exprs = dashboardPromQl(production);
    for (const id of SIGNAL_IDS) {
      const source = SIGNALS[id].source;
      if (source.engine === 'prometheus') expect({ id, shown: exprs.includes(source.expr) }).toEqual({ id, shown: true });
    }
  });

  test('the SLO row shows availability, error budget and burn rates against the objective', () => {
    expect(panel(production, 'vigil-service', 'Error budget left, 30 days').targets?.[0]).toMatchObject({ expr: expect.stringContaining('/ 0.001) * 100') });
    const burn = panel(production, 'vigil-service', 'Burn rate (critical windows)');
    expect(burn.fieldConfig?.defaults.thresholds.steps.map((s) => s.value)).toEqual([null, 6, 14.4]);
    expect(burn.targets?.map((t) => ('expr' in t ? t.expr : ''))).toContain('slo:api_error_ratio:rate1h / 0.001');
  });

  test('the AWS dashboard reads CloudWatch through dashboard variables, with alarm thresholds in the metric unit', () => {
    const aws = production.find((d) => d.uid === 'vigil-aws')!;
    expect(aws.templating.list.map((v) => v.name)).toEqual(expect.arrayContaining(['loadbalancer', 'db', 'redis', 'domain']));
    const storage = panel(production, 'vigil-aws', 'RDS free storage');
    expect(storage.targets?.[0]).toMatchObject({ namespace: 'AWS/RDS', metricName: 'FreeStorageSpace', dimensions: { DBInstanceIdentifier: '$db' } });
    expect(storage.fieldConfig?.defaults.thresholds.steps.map((s) => s.value)).toEqual([null, 4 * 1024 ** 3, 8 * 1024 ** 3]);
    const fiveXx = panel(production, 'vigil-aws', 'ALB 5xx rate');
    expect(fiveXx.targets?.[0]).toMatchObject({ expression: expect.stringContaining('FILL(target5xx, 0)'), hide: false });
    expect(fiveXx.targets?.slice(1).every((t) => 'hide' in t && t.hide)).toBe(true);
  });

  test('panel ids are unique and panels do not overlap', () => {
    for (const d of production) {
      expect(new Set(d.panels.map((p) => p.id)).size).toBe(d.panels.length);
      const cells = new Set<string>();
      for (const p of d.panels) {
        for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
          for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
            expect(cells.has(`${x},${y}`)).toBe(false);
            cells.add(`${x},${y}`);
          }
        }
      }
    }
  });

  test('the provisioning files are plain JSON without CDK tokens and fit the task-definition budget', () => {
    const files = renderGrafanaDashboardFiles('production', SETTINGS.production, REGION);
    expect(Object.keys(files).sort()).toEqual(['vigil-aws.json', 'vigil-data.json', 'vigil-runtime.json', 'vigil-service.json']);
    for (const text of Object.values(files)) {
      expect(text).not.toMatch(/\$\{Token\[/);
      expect(() => JSON.parse(text)).not.toThrow();
    }
    const encoded = Object.values(files).reduce((n, text) => n + gzipSync(text).toString('base64').length, 0);
    expect(encoded).toBeLessThan(40 * 1024);
  });
});

describe('thresholdSteps', () => {
  test('with one severity disabled only the other colours', () => {
    expect(thresholdSteps([{ severity: 'critical', threshold: 0, thresholdKey: 'maxCount' }])).toEqual([
      { color: 'green', value: null },
      { color: 'red', value: 0 },
    ]);
  });
});
