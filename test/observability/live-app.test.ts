/**
 * The catalog against the real service: the app runs with a throwaway PostgreSQL and Redis, and a
 * real Prometheus loads the generated rules. Slow (tens of seconds), bounded by explicit deadlines.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import {
  freePort,
  spawnServer,
  startPostgres,
  startRedis,
  type ControllableService,
  type PostgresService,
  type ServerProcess,
} from '../../app/test/support/services';
import { alertingRules, renderPrometheusRules, renderPrometheusRulesYaml } from '../../lib/observability/prometheus-rules';
import { exposedFamilies, isExposed, metricNamesIn } from '../../lib/observability/promql-metrics';
import { HEALTH_CHECK_ROUTES, HTTP_DURATION_BUCKETS_SECONDS, PG_QUERY_BUCKETS_SECONDS } from '../../lib/observability/signals';
import { dashboardPromQl, renderGrafanaDashboards } from '../../lib/observability/grafana-dashboards';
import { SETTINGS } from './fixtures';
import { waitFor } from '../support/wait';

/**
 * Series Prometheus makes itself or scrapes from itself and Alertmanager rather than from the app
 * (the Watchdog reads the latter two; watchdog-pipeline.test.ts finds them in the real binaries).
 */
const PROMETHEUS_OWN_SERIES = ['up', 'alertmanager_notifications_failed_total', 'prometheus_rule_evaluation_failures_total', 'prometheus_tsdb_lowest_timestamp_seconds'];
/**
 * Series of the log router (Fluent Bit) beside the app, not of the app. No Fluent Bit binary is
 * available here: its names and labels follow Fluent Bit's monitoring documentation (v1 API).
 */
const LOG_ROUTER_SERIES = ['fluentbit_output_retries_failed_total', 'fluentbit_output_proc_records_total', 'fluentbit_output_retries_total'];


describe('the catalog against the running app', () => {
  let pg: PostgresService | undefined;
  let redis: ControllableService | undefined;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    pg = await startPostgres();
    redis = await startRedis();
    server = await spawnServer({ env: { ...pg.env, ...redis.env } });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await redis?.stop();
    await pg?.stop();
  }, 60_000);

  test('every metric name used in a rule or a Grafana panel exists in a live scrape of the app', async () => {
    const app = server!;
    // GIVEN some traffic through every code path that records a metric
    const created = (await (await fetch(`${app.baseUrl}/v1/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"a"}' })).json()) as { id: string };
    await fetch(`${app.baseUrl}/v1/items/${created.id}`);
    await fetch(`${app.baseUrl}/v1/items/${created.id}`);
    await fetch(`${app.baseUrl}/v1/items`);
    await fetch(`${app.baseUrl}/no-such-route`);
    for (const route of HEALTH_CHECK_ROUTES) await fetch(`${app.baseUrl}${route}`);
    // WHEN the app is scraped
    const exposition = await (await fetch(app.metricsUrl)).text();
    const families = exposedFamilies(exposition);
    // The health checks the API's error ratio and SLO leave out are the app's route templates.
    for (const route of HEALTH_CHECK_ROUTES) expect(exposition).toMatch(new RegExp(`^http_requests_total\\{[^}]*route="${route}"`, 'm'));
    // The bucket bounds the catalog checks latency thresholds against are the app's.
    const bounds = (metric: string) => [...new Set([...exposition.matchAll(new RegExp(`^${metric}_bucket\\{[^}]*le="([^"]+)"`, 'gm'))].map((m) => m[1]))];
    expect(bounds('http_request_duration_seconds')).toEqual([...HTTP_DURATION_BUCKETS_SECONDS.map(String), '+Inf']);
    expect(bounds('pg_query_duration_seconds')).toEqual([...PG_QUERY_BUCKETS_SECONDS.map(String), '+Inf']);
    // THEN every metric the rules and panels read is there
    const expressions: string[] = [];
    const recorded = new Set<string>();
    for (const env of ['staging', 'production'] as const) {
      const file = renderPrometheusRules(env, SETTINGS[env]);
      for (const group of file.groups) {
        for (const rule of group.rules) {
          expressions.push(rule.expr);
          if ('record' in rule) recorded.add(rule.record);
        }
      }
      expressions.push(...dashboardPromQl(renderGrafanaDashboards(env, SETTINGS[env], 'eu-west-1')));
    }
    const used = [...new Set(expressions.flatMap(metricNamesIn))].filter((name) => !recorded.has(name) && !PROMETHEUS_OWN_SERIES.includes(name) && !LOG_ROUTER_SERIES.includes(name));
    expect(used).toEqual(expect.arrayContaining(['http_requests_total', 'http_request_duration_seconds_bucket', 'pg_pool_connections', 'circuit_breaker_state', 'redis_command_duration_seconds_bucket', 'app_build_info', 'process_cpu_seconds_total']));
    expect(used.filter((name) => !isExposed(name, families))).toEqual([]);
    // The check can fail: a misspelt name is not found.
    expect(isExposed('http_request_total', families)).toBe(false);
  });

  test('a real Prometheus fires the app error alert when PostgreSQL stops, and resolves it after recovery', async () => {
    const app = server!;
    const db = pg!;
    const dir = mkdtempSync(join(tmpdir(), 'vigil-prom-'));
    const port = await freePort();
    let prometheus: ChildProcess | undefined;
    let traffic = true;
    try {
      // GIVEN the production rules with `for` shortened to 2 s, loaded by Prometheus scraping the app every second
      writeFileSync(join(dir, 'rules.yml'), renderPrometheusRulesYaml('production', SETTINGS.production, { forOverrideSeconds: 2 }));
      writeFileSync(
        join(dir, 'prometheus.yml'),
        stringify({
          global: { scrape_interval: '1s', evaluation_interval: '1s' },
          rule_files: ['rules.yml'],
          scrape_configs: [{ job_name: 'backend', static_configs: [{ targets: [`127.0.0.1:${app.metricsPort}`] }] }],
        }),
      );
      prometheus = spawn(
        '/usr/bin/prometheus',
        [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
        { cwd: dir, stdio: 'ignore' },
      );
      const api = `http://127.0.0.1:${port}`;
      await waitFor('Prometheus to be ready', 60_000, async () => ((await fetch(`${api}/-/ready`)).ok ? true : undefined));
      const errorAlert = async (): Promise<string | undefined> => {
        const body = (await (await fetch(`${api}/api/v1/alerts`)).json()) as { data: { alerts: { labels: Record<string, string>; state: string }[] } };
        return body.data.alerts.find((a) => a.labels.alertname === 'AppErrorRatio' && a.labels.severity === 'critical')?.state;
      };
      const expectedAlert = alertingRules(renderPrometheusRules('production', SETTINGS.production)).find((r) => r.alert === 'AppErrorRatio');
      expect(expectedAlert).toBeDefined();

      // A steady trickle of requests that need PostgreSQL.
      const trickle = (async () => {
        while (traffic) {
          await fetch(`${app.baseUrl}/v1/items`).catch(() => undefined);
          await sleep(100);
        }
      })();
      await waitFor('Prometheus to scrape the app', 60_000, async () => {
        const body = (await (await fetch(`${api}/api/v1/query?query=${encodeURIComponent('sum(http_requests_total)')}`)).json()) as { data: { result: unknown[] } };
        return body.data.result.length > 0 ? true : undefined;
      });
      expect(await errorAlert()).toBeUndefined();

      // WHEN PostgreSQL stops THEN the critical error-ratio alert fires
      await db.halt();
      expect(await waitFor('AppErrorRatio to fire', 90_000, async () => ((await errorAlert()) === 'firing' ? 'firing' : undefined))).toBe('firing');

      // WHEN PostgreSQL is back and traffic succeeds again THEN the alert resolves
      await db.start();
      await waitFor('the app to serve from PostgreSQL again', 60_000, async () => ((await fetch(`${app.baseUrl}/v1/items`)).ok ? true : undefined));
      const healthy = async () => {
        while (traffic) await fetch(`${app.baseUrl}/healthz`).catch(() => undefined);
      };
      const load = Array.from({ length: 8 }, healthy);
      expect(await waitFor('AppErrorRatio to resolve', 120_000, async () => ((await errorAlert()) === undefined ? 'resolved' : undefined))).toBe('resolved');
      traffic = false;
      await Promise.all([trickle, ...load]);
    } finally {
      traffic = false;
      prometheus?.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
