/**
 * The Watchdog against a broken delivery path, with real parts: the rendered prometheus.yml,
 * rules and alertmanager.yml loaded by the Debian Prometheus and Alertmanager, whose SNS
 * integration publishes to a loopback endpoint that refuses every message.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { freePort } from '../../app/test/support/services';
import { renderAlertmanagerConfig } from '../../lib/observability/deploy/alertmanager-config';
import { renderPrometheusConfig } from '../../lib/observability/deploy/prometheus-config';
import { renderPrometheusRulesYaml, WATCHDOG } from '../../lib/observability/prometheus-rules';
import { SETTINGS } from './fixtures';
import { waitFor } from '../support/wait';


/** An SNS endpoint that answers every Publish as SNS answers a refused one (HTTP 400). */
async function refusingSns() {
  const publishes: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      publishes.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(400, { 'content-type': 'text/xml' });
      res.end('<ErrorResponse><Error><Type>Sender</Type><Code>AuthorizationError</Code><Message>not authorized to publish</Message></Error><RequestId>1</RequestId></ErrorResponse>');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, publishes, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

test('GIVEN Alertmanager cannot publish to SNS WHEN the Watchdog\'s own notification fails THEN Prometheus scrapes the failure from Alertmanager and the Watchdog stops, so the heartbeat alarm pages', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-watchdog-'));
  const sns = await refusingSns();
  const [promPort, amPort] = [await freePort(), await freePort()];
  const children: ChildProcess[] = [];
  try {
    // GIVEN the deployed configuration, with SNS pointed at the refusing endpoint
    const topicArn = (name: string) => `arn:aws:sns:eu-west-1:123456789012:${name}`;
    const alertmanager = parse(renderAlertmanagerConfig({
      region: 'eu-west-1',
      topicArns: { critical: topicArn('critical'), warning: topicArn('warning') },
      heartbeatTopicArn: topicArn('heartbeat'),
    })) as { receivers: { sns_configs?: Record<string, unknown>[] }[] };
    const snsConfigs = alertmanager.receivers.flatMap((receiver) => receiver.sns_configs ?? []);
    expect(snsConfigs.length).toBeGreaterThanOrEqual(3);
    for (const config of snsConfigs) config.api_url = sns.url;
    writeFileSync(join(dir, 'alertmanager.yml'), stringify(alertmanager));
    writeFileSync(join(dir, 'prometheus.yml'), renderPrometheusConfig({
      envName: 'production', scrapeIntervalSeconds: 1, backendDnsName: 'backend.vigil.invalid', backendMetricsPort: 9464,
      prometheusPort: promPort, alertmanagerPort: amPort, ruleFilesGlob: 'rules.yml',
    }));
    writeFileSync(join(dir, 'rules.yml'), renderPrometheusRulesYaml('production', SETTINGS.production, { forOverrideSeconds: 2 }));
    children.push(spawn('/usr/bin/prometheus-alertmanager', [
      '--config.file=alertmanager.yml', `--storage.path=${join(dir, 'am')}`, `--web.listen-address=127.0.0.1:${amPort}`, '--cluster.listen-address=',
    ], { cwd: dir, stdio: 'ignore', env: { PATH: process.env.PATH, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' } }));
    // Alerts are resent every 2 s instead of every minute: Prometheus drops its first evaluation's
    // alerts while it has not discovered Alertmanager yet, and the test need not wait for the resend.
    children.push(spawn('/usr/bin/prometheus', [
      '--config.file=prometheus.yml', `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--rules.alert.resend-delay=2s',
    ], { cwd: dir, stdio: 'ignore' }));
    const api = `http://127.0.0.1:${promPort}/api/v1`;
    const query = async (q: string) => ((await (await fetch(`${api}/query?query=${encodeURIComponent(q)}`)).json()) as { data: { result: { value: [number, string] }[] } }).data.result;
    const watchdog = async () => ((await (await fetch(`${api}/alerts`)).json()) as { data: { alerts: { labels: Record<string, string>; state: string }[] } })
      .data.alerts.find((a) => a.labels.alertname === WATCHDOG.alert)?.state;

    // WHEN Prometheus fires the Watchdog and Alertmanager tries to deliver it
    expect(await waitFor('the Watchdog to fire', 60_000, async () => ((await watchdog()) === 'firing' ? 'firing' : undefined))).toBe('firing');
    await waitFor('Alertmanager to publish to SNS', 60_000, async () => (sns.publishes.some((p) => p.includes('Action=Publish')) ? true : undefined));

    // THEN Prometheus reads the failed delivery from Alertmanager, and the Watchdog stops
    await waitFor('the failure counter to rise', 60_000, async () => {
      const result = await query('sum(alertmanager_notifications_failed_total{job="alertmanager"})');
      return result.length > 0 && Number(result[0].value[1]) > 0 ? true : undefined;
    });
    expect(await waitFor('the Watchdog to stop', 60_000, async () => ((await watchdog()) === undefined ? 'stopped' : undefined))).toBe('stopped');
    // The rule-failure counter exists in the real Prometheus, so it can silence the Watchdog too.
    expect((await query('prometheus_rule_evaluation_failures_total{job="prometheus"}')).length).toBeGreaterThan(0);
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await sns.close();
    rmSync(dir, { recursive: true, force: true });
  }
}, 240_000);
