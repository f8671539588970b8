import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import { freePort } from '../../app/test/support/services';
import { ALERT_SERIES_LABELS, renderAlertmanagerConfig } from '../../lib/observability/deploy/alertmanager-config';
import { alertingRules, renderPrometheusRules } from '../../lib/observability/prometheus-rules';
import { SETTINGS } from './fixtures';
import { runTool, withFiles } from './tools';

const CONFIG = renderAlertmanagerConfig({
  region: 'eu-west-1',
  topicArns: {
    critical: 'arn:aws:sns:eu-west-1:123456789012:production-vigil-alerts-critical',
    warning: 'arn:aws:sns:eu-west-1:123456789012:production-vigil-alerts-warning',
  },
  heartbeatTopicArn: 'arn:aws:sns:eu-west-1:123456789012:production-vigil-heartbeat',
});

/** The receiver amtool picks for an alert with these labels. */
function receiverFor(labels: Readonly<Record<string, string>>): string {
  const args = ['config', 'routes', 'test', '--config.file=alertmanager.yml', '--alertmanager.url=', ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)];
  const result = withFiles({ 'alertmanager.yml': CONFIG }, (dir) => runTool('amtool', args, dir));
  if (result.status !== 0) throw new Error(`amtool failed: ${result.output}`);
  return result.stdout.trim();
}

describe('Alertmanager routing of the catalog alerts (amtool)', () => {
  test('the rendered alertmanager.yml passes amtool check-config', () => {
    const result = withFiles({ 'alertmanager.yml': CONFIG }, (dir) => runTool('amtool', ['check-config', 'alertmanager.yml'], dir));
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  test('every critical catalog alert reaches the paging receiver and every warning the ticket receiver', () => {
    const rules = alertingRules(renderPrometheusRules('production', SETTINGS.production)).filter((r) => r.labels.severity !== 'none');
    const seen = new Map<string, string>();
    for (const rule of rules) {
      const labels = { alertname: rule.alert, ...rule.labels };
      seen.set(`${rule.alert}/${rule.labels.severity}`, receiverFor(labels));
    }
    for (const [key, receiver] of seen) expect(`${key} -> ${receiver}`).toBe(`${key} -> ${key.split('/')[1]}`);
  });

  test('the always-firing Watchdog goes to the heartbeat receiver, never to a ticket', () => {
    const watchdog = alertingRules(renderPrometheusRules('production', SETTINGS.production)).find((r) => r.alert === 'Watchdog');
    expect(receiverFor({ alertname: 'Watchdog', ...watchdog?.labels })).toBe('watchdog');
    const receivers = (parse(CONFIG) as { receivers: { name: string; sns_configs?: { topic_arn: string }[] }[] }).receivers;
    expect(receivers.find((r) => r.name === 'watchdog')?.sns_configs?.[0]?.topic_arn).toBe('arn:aws:sns:eu-west-1:123456789012:production-vigil-heartbeat');
  });

  test('the same alert name routes by severity: critical pages, warning opens a ticket', () => {
    const base = { alertname: 'AppErrorRatio', env: 'production', component: 'app', signal: 'appErrorRatio' };
    expect(receiverFor({ ...base, severity: 'critical' })).toBe('critical');
    expect(receiverFor({ ...base, severity: 'warning' })).toBe('warning');
  });
});

describe('Alertmanager grouping and inhibition', () => {
  test('alerts group by signal, and a firing critical inhibits the warning of the same signal and environment', () => {
    // amtool cannot evaluate inhibition, so the rendered rule is checked against the catalog's labels.
    const config = parse(CONFIG) as { route: { group_by: string[] }; inhibit_rules: { source_matchers: string[]; target_matchers: string[]; equal: string[] }[] };
    expect(config.route.group_by).toEqual(expect.arrayContaining(['alertname', 'env', 'signal']));
    expect(config.inhibit_rules).toContainEqual({
      source_matchers: ['severity="critical"'],
      target_matchers: ['severity="warning"'],
      equal: expect.arrayContaining(['signal', 'env']),
    });
    const rules = alertingRules(renderPrometheusRules('production', SETTINGS.production));
    // Labels an alert can carry: the rule's own, and those its expression keeps with `by (...)`.
    const kept = new Set(rules.flatMap((r) => [...r.expr.matchAll(/\bby \(([^)]*)\)/g)].flatMap((m) => m[1].split(',').map((l) => l.trim()))).filter((l) => l !== 'le'));
    const labelNames = new Set([...rules.flatMap((r) => Object.keys(r.labels)), ...kept]);
    for (const name of config.inhibit_rules[0]?.equal ?? []) expect(labelNames.has(name)).toBe(true);
    // Every label an expression keeps tells its alerts apart, so inhibition must compare it.
    expect([...kept].sort()).toEqual([...ALERT_SERIES_LABELS].sort());
    expect(config.inhibit_rules[0].equal).toEqual(expect.arrayContaining([...ALERT_SERIES_LABELS]));
  });
});

describe('a real Alertmanager with the rendered config', () => {
  test('a firing critical inhibits the warning of the same signal and environment, and nothing else', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-am-'));
    const port = await freePort();
    writeFileSync(join(dir, 'alertmanager.yml'), CONFIG);
    const alertmanager = spawn(
      '/usr/bin/prometheus-alertmanager',
      ['--config.file=alertmanager.yml', `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='],
      { cwd: dir, stdio: 'ignore' },
    );
    try {
      const api = `http://127.0.0.1:${port}/api/v2`;
      const deadline = Date.now() + 30_000;
      while (!(await fetch(`http://127.0.0.1:${port}/-/ready`).then((r) => r.ok).catch(() => false))) {
        if (Date.now() > deadline) throw new Error('Alertmanager did not become ready in 30 s');
        await sleep(100);
      }
      // GIVEN the error-ratio alert firing at both severities, and a warning of another signal
      const alert = (signal: string, severity: string, extra: Record<string, string> = {}) => ({ labels: { alertname: signal, signal, severity, env: 'production', component: 'app', ...extra } });
      // and the latency alert critical on one route, warning on another
      const latency = (severity: string, route: string) => alert('appLatencyP99', severity, { route });
      const posted = await fetch(`${api}/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([alert('appErrorRatio', 'critical'), alert('appErrorRatio', 'warning'), alert('appHeapUsed', 'warning'),
          latency('critical', '/v1/items'), latency('warning', '/v1/items/:id'), latency('warning', '/v1/items')]),
      });
      expect(posted.ok).toBe(true);
      // WHEN Alertmanager reports the alerts' status
      const alerts = (await (await fetch(`${api}/alerts`)).json()) as { labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } }[];
      const state = (signal: string, severity: string) => alerts.find((a) => a.labels.signal === signal && a.labels.severity === severity)?.status;
      // THEN only the warning of the same signal is suppressed
      expect(state('appErrorRatio', 'critical')).toMatchObject({ state: 'active', inhibitedBy: [] });
      expect(state('appErrorRatio', 'warning')?.state).toBe('suppressed');
      expect(state('appErrorRatio', 'warning')?.inhibitedBy).toHaveLength(1);
      expect(state('appHeapUsed', 'warning')).toMatchObject({ state: 'active', inhibitedBy: [] });
      const latencyState = (severity: string, route: string) => alerts.find((a) => a.labels.signal === 'appLatencyP99' && a.labels.severity === severity && a.labels.route === route)?.status;
      expect(latencyState('warning', '/v1/items')?.state).toBe('suppressed');
      expect(latencyState('warning', '/v1/items/:id')).toMatchObject({ state: 'active', inhibitedBy: [] });
    } finally {
      alertmanager.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
