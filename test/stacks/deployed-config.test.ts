import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CONFIG_DIR_VARIABLE } from '../../lib/observability/deploy/config-files';
import { PLACEHOLDERS, resolveCfnValue } from '../support/cfn-values';
import { container, synthesize, type SynthesizedEnvironment } from '../support/synth';

/**
 * Runs a container's generated entry point exactly as ECS would (`sh -c <script> write-config
 * <command...>`), in a temporary config directory, with the template's environment (tokens
 * replaced by placeholders) — but with the image's binary swapped for `shim`, which checks the
 * files the script wrote with the real tools.
 */
function runEntryPoint(containerDefinition: any, shim: string): { dir: string; output: string; args: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `vigil-${containerDefinition.Name}-`));
  const argsFile = path.join(dir, '.shim-args');
  const shimPath = path.join(dir, '.shim');
  fs.writeFileSync(shimPath, `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsFile}'\n${shim}\n`, { mode: 0o755 });
  const environment: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  for (const { Name, Value } of containerDefinition.Environment) environment[Name] = resolveCfnValue(Value);
  environment[CONFIG_DIR_VARIABLE] = dir;
  const [shell, flag, script, name] = containerDefinition.EntryPoint;
  expect([shell, flag, name]).toEqual(['/bin/sh', '-c', 'write-config']);
  const output = execFileSync('sh', ['-c', script, name, shimPath, ...containerDefinition.Command.slice(1)], { env: environment, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { dir, output, args: fs.readFileSync(argsFile, 'utf8').trim().split('\n') };
}

const PROMTOOL = `for a in "$@"; do case "$a" in --config.file=*) f="\${a#--config.file=}";; esac; done
exec /usr/bin/promtool check config "$f" 2>&1`;
const AMTOOL = `for a in "$@"; do case "$a" in --config.file=*) f="\${a#--config.file=}";; esac; done
exec /usr/bin/amtool check-config "$f" 2>&1`;

let environments: Record<'staging' | 'production', SynthesizedEnvironment>;
beforeAll(() => {
  environments = { staging: synthesize('staging'), production: synthesize('production') };
});
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

describe.each(['staging', 'production'] as const)('%s: the configuration deployed to the Prometheus task', (name) => {
  const env = () => environments[name];
  const prometheusRun = () => {
    const prometheus = container(env().services, 'prometheus');
    expect(prometheus.Command[0]).toBe('/bin/prometheus');
    const run = runEntryPoint(prometheus, PROMTOOL);
    dirs.push(run.dir);
    return run;
  };

  test('GIVEN the Prometheus container WHEN its entry point writes the files THEN promtool check config passes on them', () => {
    const { output, args } = prometheusRun();
    expect(output).toMatch(/SUCCESS: .*prometheus\.yml is valid prometheus config file syntax/);
    expect(output).not.toMatch(/FAILED/);
    // The rule files travel gzip+base64; promtool reads them back through the same glob Prometheus uses.
    expect(output).toMatch(/Checking rules\/.*\.yml\n {2}SUCCESS: \d+ rules found/);
    expect(args).toContain(`--storage.tsdb.retention.time=${env().config.services.prometheus.retentionDays}d`);
  });

  test('prometheus.yml scrapes the backend through DNS service discovery on the metrics port, and itself, and alerts the local Alertmanager', () => {
    const { dir } = prometheusRun();
    const config = parseYaml(fs.readFileSync(path.join(dir, 'prometheus.yml'), 'utf8'));
    const backend = config.scrape_configs.find((job: any) => job.job_name === 'backend');
    expect(backend.dns_sd_configs).toEqual([expect.objectContaining({ names: [`backend.${name}.vigil.internal`], type: 'A', port: 9464 })]);
    // The log router beside each backend task: the same A records, Fluent Bit's port and path.
    const router = config.scrape_configs.find((job: any) => job.job_name === 'log-router');
    expect(router.dns_sd_configs).toEqual([expect.objectContaining({ names: [`backend.${name}.vigil.internal`], type: 'A', port: 2020 })]);
    expect(router.metrics_path).toBe('/api/v1/metrics/prometheus');
    expect(config.scrape_configs.find((job: any) => job.job_name === 'prometheus').static_configs).toEqual([{ targets: ['localhost:9090'] }]);
    // Alertmanager beside it: its notification failures silence the Watchdog.
    expect(config.scrape_configs.find((job: any) => job.job_name === 'alertmanager').static_configs).toEqual([{ targets: ['localhost:9093'] }]);
    expect(config.alerting.alertmanagers).toEqual([{ static_configs: [{ targets: ['localhost:9093'] }] }]);
    expect(config.rule_files).toEqual(['rules/*.yml']);
    expect(config.global.external_labels).toEqual({ env: name });
    expect(config.global.scrape_interval).toBe(`${env().config.services.prometheus.scrapeIntervalSeconds}s`);
  });

  test('remote_write to managed Prometheus with SigV4 exactly when configured', () => {
    const { dir } = prometheusRun();
    const config = parseYaml(fs.readFileSync(path.join(dir, 'prometheus.yml'), 'utf8'));
    if (env().config.services.prometheus.remoteWriteToManagedPrometheus) {
      expect(config.remote_write).toEqual([expect.objectContaining({
        url: `${PLACEHOLDERS.prometheusEndpoint}api/v1/remote_write`, sigv4: { region: env().config.region },
      })]);
    } else {
      expect(config.remote_write).toBeUndefined();
    }
  });

  test('GIVEN the Alertmanager container WHEN its entry point writes the file THEN amtool check-config passes on it', () => {
    const alertmanager = container(env().services, 'alertmanager');
    expect(alertmanager.Command[0]).toBe('/bin/alertmanager');
    const { dir, output } = runEntryPoint(alertmanager, AMTOOL);
    dirs.push(dir);
    expect(output).toMatch(/SUCCESS/);
    expect(output).toMatch(/3 receivers/);
  });

  test('alertmanager.yml routes by severity to the matching SNS topic with SigV4, groups by signal, and lets critical inhibit warning', () => {
    const { dir } = runEntryPoint(container(env().services, 'alertmanager'), 'true');
    dirs.push(dir);
    const config = parseYaml(fs.readFileSync(path.join(dir, 'alertmanager.yml'), 'utf8'));
    expect(config.route.group_by).toEqual(['alertname', 'env', 'component', 'signal']);
    expect(config.route.routes).toEqual([
      expect.objectContaining({ receiver: 'watchdog', matchers: ['alertname="Watchdog"'] }),
      expect.objectContaining({ receiver: 'critical', matchers: ['severity="critical"'] }),
      expect.objectContaining({ receiver: 'warning', matchers: ['severity="warning"'] }),
    ]);
    for (const role of ['critical', 'warning']) {
      const receiver = config.receivers.find((r: any) => r.name === role);
      expect(receiver.sns_configs).toEqual([expect.objectContaining({
        topic_arn: `arn:aws:sns:${env().config.region}:${PLACEHOLDERS.accountId}:${name}-vigil-alerts-${role}`,
        sigv4: { region: env().config.region },
      })]);
    }
    expect(config.inhibit_rules).toEqual([{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['signal', 'env', 'route', 'breaker', 'job'] }]);
  });

  test('routing: amtool sends a critical alert to the critical topic and anything else to the warning topic', () => {
    const { dir } = runEntryPoint(container(env().services, 'alertmanager'), 'true');
    dirs.push(dir);
    const route = (labels: string) => execFileSync('/usr/bin/amtool', ['config', 'routes', 'test', `--config.file=${path.join(dir, 'alertmanager.yml')}`, ...labels.split(' ')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    expect(route('severity=critical signal=latency')).toBe('critical');
    expect(route('severity=warning signal=latency')).toBe('warning');
    expect(route('signal=unknown')).toBe('warning');
  });

  test('GIVEN the Grafana container WHEN its entry point writes the files THEN they are the provisioning Grafana reads', () => {
    const grafana = container(env().services, 'grafana');
    expect(grafana.Command).toEqual(['/run.sh']);
    const { dir } = runEntryPoint(grafana, 'true');
    dirs.push(dir);
    const environment = Object.fromEntries(grafana.Environment.map((e: any) => [e.Name, e.Value]));
    expect(environment.GF_PATHS_PROVISIONING).toBe('/var/lib/grafana/vigil/provisioning');
    const datasources = parseYaml(fs.readFileSync(path.join(dir, 'provisioning/datasources/vigil.yml'), 'utf8')).datasources;
    expect(datasources.map((d: any) => d.uid)).toEqual(['prometheus', 'opensearch', 'cloudwatch']);
    const prometheus = datasources[0];
    if (env().config.services.prometheus.remoteWriteToManagedPrometheus) {
      expect(prometheus).toMatchObject({ url: PLACEHOLDERS.prometheusEndpoint, jsonData: { sigV4Auth: true, sigV4Region: env().config.region } });
    } else {
      expect(prometheus.url).toBe(`http://prometheus.${name}.vigil.internal:9090`);
    }
    expect(datasources[1]).toMatchObject({ type: 'grafana-opensearch-datasource', jsonData: { sigV4Auth: true, database: `${name}-backend-*` } });
    expect(datasources[1].url).toMatch(/^https:\/\//);
    const provider = parseYaml(fs.readFileSync(path.join(dir, 'provisioning/dashboards/vigil.yml'), 'utf8'));
    expect(provider.providers[0]).toMatchObject({ type: 'file', allowUiUpdates: false, options: { path: '/var/lib/grafana/vigil/dashboards' } });
  });

  test('GIVEN the log router WHEN its entry point writes the extra Fluent Bit file THEN FireLens finds it where its options point', () => {
    const router = container(env().services, 'log-router');
    const { dir } = runEntryPoint(router, 'true');
    dirs.push(dir);
    expect(router.FirelensConfiguration.Options['config-file-value']).toBe('/fluent-bit/etc/vigil/extra.conf');
    const extra = fs.readFileSync(path.join(dir, 'extra.conf'), 'utf8');
    expect(extra).toMatch(/\[OUTPUT\]\n {4}Name {14}cloudwatch_logs\n {4}Match {13}app-firelens-\*/);
    expect(extra).toContain(`region            ${env().config.region}`);
    // FireLens's own configuration loads no parsers: the JSON parser filter needs the file loaded
    // by a [SERVICE] section that comes before it, or Fluent Bit refuses to start.
    const service = extra.indexOf('[SERVICE]\n    Parsers_File /fluent-bit/etc/vigil/parsers.conf');
    expect(service).toBeGreaterThanOrEqual(0);
    expect(service).toBeLessThan(extra.indexOf('    Parser       vigil_json'));
    // The same section starts Fluent Bit's HTTP server, whose metrics Prometheus scrapes.
    expect(extra).toMatch(/\[SERVICE\]\n {4}Parsers_File \S+\n {4}HTTP_Server {2}On\n {4}HTTP_Listen {2}0\.0\.0\.0\n {4}HTTP_Port {4}2020\n/);
    // The file it names is delivered, and defines that parser.
    const parsers = fs.readFileSync(path.join(dir, 'parsers.conf'), 'utf8');
    expect(parsers).toMatch(/^\[PARSER\]\n {4}Name {8}vigil_json\n {4}Format {6}json\n {4}Time_Key {4}time\n/);
  });

  test('the log router reads the time the app writes: its Time_Format matches an ISO 8601 access-line time, the stock json parser\'s does not', () => {
    const router = container(env().services, 'log-router');
    const { dir } = runEntryPoint(router, 'true');
    dirs.push(dir);
    const format = /Time_Format (.*)/.exec(fs.readFileSync(path.join(dir, 'parsers.conf'), 'utf8'))![1];
    // Fluent Bit's strptime with %L (fractional seconds), as a pattern; what follows the format is ignored, as Fluent Bit does.
    const asPattern = (f: string) => new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
      .replace(/%Y/g, '\\d{4}').replace(/%[mdHMS]/g, '\\d{2}').replace(/%L/g, '\\d+').replace(/%b/g, '[A-Z][a-z]{2}').replace(/%z/g, '[+-]\\d{4}')}`);
    // The app writes `time` as Date.prototype.toISOString() does (app/src/observability/logger.ts).
    const appTime = new Date('2026-12-03T08:01:02.345Z').toISOString();
    expect(asPattern(format).test(appTime)).toBe(true);
    expect(asPattern('%d/%b/%Y:%H:%M:%S %z').test(appTime)).toBe(false);
    expect(appTime.endsWith('Z')).toBe(true); // UTC: a format without an offset is read as UTC
  });
});
