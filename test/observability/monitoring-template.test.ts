import { Annotations, Match } from 'aws-cdk-lib/assertions';
import type { EnvironmentConfig, EnvironmentName } from '../../lib/config';
import { resolveTiers } from '../../lib/observability/settings';
import { BURN_RATE_POLICY } from '../../lib/observability/slo';
import { gunzipSync } from 'node:zlib';
import { renderGrafanaDashboardFiles } from '../../lib/observability/grafana-dashboards';
import { renderRuleTestsYaml } from '../../lib/observability/prometheus-rule-tests';
import { renderPrometheusRulesYaml } from '../../lib/observability/prometheus-rules';
import { container, environmentOf, synthesize, type SynthesizedEnvironment } from '../support/synth';
import { runTool, withFiles } from './tools';

/** The text of a file the container's entry point writes, decoded from its task-definition variable. */
function deliveredFile(containerDefinition: { EntryPoint: string[] }, path: string): string {
  const script = containerDefinition.EntryPoint.join(' ');
  const variable = new RegExp(`"\\$(VIGIL_CONFIG_\\d+)" \\| base64 -d \\| gunzip > '${path}'`).exec(script)?.[1];
  if (variable === undefined) throw new Error(`no gzip-base64 delivery of ${path} in the entry point`);
  return gunzipSync(Buffer.from(String(environmentOf(containerDefinition)[variable]), 'base64')).toString('utf8');
}

type AlarmResources = Record<string, { Properties: { AlarmName: string; Threshold: number; AlarmDescription: string } }>;

/** Alarms the catalog should produce for a config, counted from the config alone. */
function expectedMetricAlarms(config: EnvironmentConfig): number {
  const perSignal = resolveTiers(config.envName, config.alarms)
    .map((tier) => tier.definition.source)
    .map((source) => (source.engine !== 'cloudwatch' ? 0 : source.perRedisNode ? config.cache.nodeCount : 1));
  const sloWindowAlarms = BURN_RATE_POLICY.length * 2;
  return perSignal.reduce((a, b) => a + b, 0) + sloWindowAlarms;
}

describe.each<EnvironmentName>(['staging', 'production'])('%s Monitoring stack', (name) => {
  let env: SynthesizedEnvironment;
  beforeAll(() => {
    env = synthesize(name);
  });

  test('has one alarm per enabled CloudWatch signal x severity (x Redis node), the SLO window alarms and two SLO composites', () => {
    env.monitoring.resourceCountIs('AWS::CloudWatch::Alarm', expectedMetricAlarms(env.config));
    env.monitoring.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 2);
  });

  test('every alarm links its runbook section from config and the synth-time check finds nothing', () => {
    env.monitoring.allResourcesProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp(`Runbook: ${env.config.alarms.runbookBaseUrl.replace(/[.]/g, '\\.')}#[a-z0-9-]+$`),
    });
    Annotations.fromStack(env.stage.monitoring).hasNoError('*', Match.anyValue());
  });

  test('the Prometheus task receives exactly the rendered rule file, and it passes the generated promtool tests', () => {
    const deployed = deliveredFile(container(env.services, 'prometheus'), 'rules/vigil.yml');
    expect(deployed).toBe(renderPrometheusRulesYaml(name, env.config.alarms));
    const result = withFiles({ 'vigil.yml': deployed, 'tests.yml': renderRuleTestsYaml(name, env.config.alarms, 'vigil.yml') }, (dir) =>
      runTool('promtool', ['test', 'rules', 'tests.yml'], dir),
    );
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  test('the Grafana task receives the catalog dashboards', () => {
    const grafana = container(env.services, 'grafana');
    for (const [file, text] of Object.entries(renderGrafanaDashboardFiles(name, env.config.alarms, env.config.region))) {
      expect(deliveredFile(grafana, `dashboards/${file}`)).toBe(text);
    }
  });

  test('has the dashboard named after the environment', () => {
    env.monitoring.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: `${name}-vigil` });
  });
});

describe('changing one number in the production config', () => {
  test('changes exactly that alarm', () => {
    // GIVEN production as committed, and production with one critical threshold changed
    const before = synthesize('production').monitoring.findResources('AWS::CloudWatch::Alarm') as AlarmResources;
    const after = synthesize('production', (config) => ({
      ...config,
      alarms: { ...config.alarms, thresholds: { ...config.alarms.thresholds, rdsCpu: { warning: { maxPercent: 70 }, critical: { maxPercent: 85 } } } },
    })).monitoring.findResources('AWS::CloudWatch::Alarm') as AlarmResources;
    // THEN the same alarms exist and only production-rds-cpu-critical differs: its threshold and the words for it
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    const changed = Object.keys(after).filter((id) => JSON.stringify(after[id]) !== JSON.stringify(before[id]));
    expect(changed.map((id) => after[id]?.Properties.AlarmName)).toEqual(['production-rds-cpu-critical']);
    const [id] = changed;
    const old = before[id!]!.Properties;
    expect(after[id!]?.Properties).toEqual({ ...old, Threshold: 85, AlarmDescription: old.AlarmDescription.replace('above 90 %', 'above 85 %') });
  });
});
