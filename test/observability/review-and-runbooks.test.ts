import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderAlarmSpecs } from '../../lib/observability/cloudwatch-alarms';
import { alertingRules, renderPrometheusRules } from '../../lib/observability/prometheus-rules';
import { renderReviewTable } from '../../lib/observability/review-table';
import { renderRunbooks } from '../../lib/observability/runbooks';
import { SIGNAL_IDS } from '../../lib/observability/signals';
import { RESOURCES, SETTINGS, productionWith } from './fixtures';

const ROOT = join(__dirname, '..', '..');

describe('review table', () => {
  const production = renderReviewTable('production', SETTINGS.production);

  test('lists every signal with its source, warning and critical values, evaluation and runbook', () => {
    for (const id of SIGNAL_IDS) expect(production).toContain(id);
    expect(production).toMatch(/rdsFreeStorage +rds +cloudwatch: AWS\/RDS FreeStorageSpace Minimum +below 8 GiB \(1\/1 x 300s\) +below 4 GiB \(1\/1 x 300s\) +#rds-free-storage/);
    expect(production).toMatch(/appCacheHitRatio +app +prometheus: cache_hits_total, cache_misses_total +below 80 % \(for 5m\) +below 50 % \(for 15m\)/);
  });

  test('shows why a signal is off', () => {
    expect(renderReviewTable('staging', SETTINGS.staging)).toMatch(/redisReplicationLag .*off: staging runs a single Redis node without replicas +off: staging runs a single Redis node without replicas/);
  });

  test('a changed number changes exactly one line, so reviews diff cleanly', () => {
    const changed = renderReviewTable('production', productionWith({ rdsCpu: { warning: { maxPercent: 60 }, critical: { maxPercent: 90 } } })).split('\n');
    const differing = production.split('\n').filter((line, i) => line !== changed[i]);
    expect(differing).toHaveLength(1);
    expect(differing[0]).toMatch(/^rdsCpu /);
  });

  test('`npm run alarms` prints the table, and rejects an unknown environment naming the choices', () => {
    const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
    const ok = spawnSync(tsx, ['bin/alarms.ts', 'production'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('Vigil alarms for production');
    const bad = spawnSync(tsx, ['bin/alarms.ts', 'prod'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("unknown environment 'prod', expected staging|production");
  });
});

describe('docs/runbooks.md', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'runbooks.md'), 'utf8');

  test('is up to date with the catalog (regenerate: npm run alarms -- --runbooks > docs/runbooks.md)', () => {
    expect(doc).toBe(renderRunbooks());
  });

  test('has a section for every runbook link of every alarm and alert in both environments', () => {
    const anchors = new Set([...doc.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]));
    const links = (['staging', 'production'] as const).flatMap((env) => [
      ...renderAlarmSpecs(env, SETTINGS[env], RESOURCES).map((s) => s.runbookUrl),
      ...alertingRules(renderPrometheusRules(env, SETTINGS[env])).map((r) => r.annotations.runbook_url ?? ''),
    ]);
    const missing = [...new Set(links)].filter((url) => !anchors.has(url.split('#')[1] ?? ''));
    expect(missing).toEqual([]);
    expect(anchors.size).toBe(SIGNAL_IDS.length + 1);
  });

  test('each signal section gives three things to check and a dashboard', () => {
    const sections = doc.split('<a id=').slice(1);
    for (const section of sections) {
      expect(section).toMatch(/\n1\. .*\n2\. .*\n3\. /);
      expect(section).toContain('**Dashboard.**');
    }
  });
});
