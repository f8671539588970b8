import { gunzipSync } from 'node:zlib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { EnvironmentConfig } from '../../lib/config';
import { synthesize, type SynthesizedEnvironment } from '../support/synth';

/**
 * "Staging and production differ only where lib/config says": every difference between the two
 * synthesized environments must be explained by a configuration field whose values differ.
 * Names derived from the environment name and hashes of construct paths are normalized away
 * first. A new `if (env === 'production')` in a stack shows up here as an unexplained difference.
 */

const STACKS = ['network', 'data', 'logs', 'services', 'monitoring'] as const;

/** Gzip+base64 file contents (rule files, dashboards) opened, so their text is compared too. */
function opened(value: unknown): unknown {
  if (typeof value === 'string') return value.startsWith('H4sI') ? gunzipSync(Buffer.from(value, 'base64')).toString('utf8') : value;
  if (Array.isArray(value)) return value.map(opened);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, opened(v)]));
  return value;
}

/** Template text with the environment's own name and CDK's path hashes replaced. */
function normalized(template: Template): any {
  return JSON.parse(JSON.stringify(opened(template.toJSON()))
    .replace(/staging|production/g, 'ENV')
    .replace(/Staging|Production/g, 'Env')
    .replace(/(?<=[a-z])[0-9A-F]{8,}/g, 'HASH'));
}

/** One line per differing thing: `stack resource.key[container].field`. */
function differences(a: SynthesizedEnvironment, b: SynthesizedEnvironment): string[] {
  const out: string[] = [];
  const compare = (prefix: string, left: any, right: any, keys: Iterable<string>) => {
    for (const key of keys) {
      if (JSON.stringify(left?.[key]) !== JSON.stringify(right?.[key])) out.push(`${prefix}.${key}`);
    }
  };
  for (const stack of STACKS) {
    const left = normalized(a[stack]).Resources;
    const right = normalized(b[stack]).Resources;
    for (const id of new Set([...Object.keys(left), ...Object.keys(right)])) {
      if (!left[id] || !right[id]) {
        out.push(`${stack} ${left[id] ? '-' : '+'}${id} ${(left[id] ?? right[id]).Type}`);
        continue;
      }
      const [lp, rp] = [left[id].Properties ?? {}, right[id].Properties ?? {}];
      for (const key of new Set([...Object.keys(lp), ...Object.keys(rp)])) {
        if (key !== 'ContainerDefinitions') {
          compare(`${stack} ${id}`, lp, rp, [key]);
          continue;
        }
        // Containers: down to the command and each environment variable.
        for (const container of lp.ContainerDefinitions) {
          const other = rp.ContainerDefinitions.find((c: any) => c.Name === container.Name);
          const prefix = `${stack} ${id}[${container.Name}]`;
          const envOf = (c: any) => Object.fromEntries((c?.Environment ?? []).map((e: any) => [e.Name, e.Value]));
          compare(`${prefix}.Environment`, envOf(container), envOf(other), new Set([...Object.keys(envOf(container)), ...Object.keys(envOf(other))]));
          compare(prefix, container, other, new Set([...Object.keys(container), ...Object.keys(other ?? {})].filter((k) => k !== 'Environment')));
        }
      }
      compare(`${stack} ${id}`, left[id], right[id], ['DeletionPolicy', 'UpdateReplacePolicy', 'DependsOn']);
    }
  }
  return out;
}

/** Which configuration field explains a difference. */
const EXPLANATIONS: Array<[RegExp, string]> = [
  [/^network Vpc\w*\.CidrBlock$/, 'network.vpcCidr'],
  [/^network [+-]Vpc(Public|Private|Isolated)Subnet3/, 'network.availabilityZones'],
  [/^network (VpcS3\w*\.RouteTableIds)$/, 'network.availabilityZones'],
  [/^network ([+-]VpcPublicSubnet\dEIP|[+-]VpcPublicSubnet\dNATGateway|VpcPrivateSubnet\dDefaultRoute\w*\.NatGatewayId)/, 'network.natGateways'],
  [/^network [+-]Vpc\w+Endpoint/, 'network.interfaceEndpointServices'],
  [/^network FlowLogGroup\w*\.RetentionInDays$/, 'network.flowLogRetentionDays'],
  [/^(data|logs|services) \w+\.(SubnetIds|Subnets|VPCOptions|NetworkConfiguration|VpcConfig)$/, 'network.availabilityZones'],
  [/^data DatabaseLog\w+\.RetentionInDays$/, 'database.logRetentionDays'],
  [/^data Database\w*\.AllocatedStorage$/, 'database.allocatedStorageGiB'],
  [/^data Database\w*\.MaxAllocatedStorage$/, 'database.maxAllocatedStorageGiB'],
  [/^data Database\w*\.BackupRetentionPeriod$/, 'database.backupRetentionDays'],
  [/^data Database\w*\.DBInstanceClass$/, 'database.instanceType'],
  [/^data Database\w*\.DeletionProtection$/, 'database.deletionProtection'],
  [/^data Database\w*\.MonitoringInterval$/, 'database.enhancedMonitoringIntervalSeconds'],
  [/^data Database\w*\.MultiAZ$/, 'database.multiAz'],
  [/^data (Database\w*|EnvDataDatabaseSecret\w*)\.(DeletionPolicy|UpdateReplacePolicy)$/, 'database.removalPolicy'],
  [/^data [+-](DatabaseRotation|DatabaseSecretAttachment(RotationSchedule|Policy)|DatabaseSecretPolicy|DatabaseSecurityGroupfromEnvDataDatabaseRotation)/, 'database.credentialRotationDays'],
  [/^data Cache\w*\.(AutomaticFailoverEnabled|MultiAZEnabled)$/, 'cache.multiAzWithAutomaticFailover'],
  [/^data Cache\w*\.CacheNodeType$/, 'cache.nodeType'],
  [/^data Cache\w*\.(NumCacheClusters|PreferredCacheClusterAZs)$/, 'cache.nodeCount'],
  [/^data Cache\w*\.SnapshotRetentionLimit$/, 'cache.snapshotRetentionDays'],
  [/^data Cache\w*\.(DeletionPolicy|UpdateReplacePolicy)$/, 'cache.removalPolicy'],
  [/^data CacheSlowLog\w*\.RetentionInDays$/, 'cache.slowLogRetentionDays'],
  [/^logs \w+Logs\w*\.RetentionInDays$/, 'search.logRetentionDays'],
  [/^logs (Domain|LogIndexLifecycle)\w*\.(DeletionPolicy|UpdateReplacePolicy)$/, 'search.removalPolicy'],
  [/^logs Domain\w*\.ClusterConfig$/, 'search.dedicatedMasterCount'],
  [/^logs Domain\w*\.EBSOptions$/, 'search.volumeSizeGiB'],
  [/^logs LogIndexLifecycle\w*\.DeleteAfterDays$/, 'search.logIndexRetentionDays'],
  [/^logs LogIndexLifecycle\w*\.Replicas$/, 'search.dataNodeCount'],
  // Production keeps its HTTPS listener without a certificate at synth (it comes as a parameter);
  // the services and the request-count scaling name the listener they wait for; Grafana's links say https.
  [/^services ([+-]LoadBalancer(Http|Https|HttpGrafanaRule|HttpsGrafanaRule|Redirect80To)\w* |LoadBalancerSecurityGroup\w*\.SecurityGroupIngress$|(Backend|Grafana)Service\w*\.DependsOn$|BackendServiceTaskCountTargetRequests\w*\.TargetTrackingScalingPolicyConfiguration$|GrafanaTaskDef\w*\[grafana\]\.Environment\.GF_SERVER_ROOT_URL$)/, 'services.requireHttps'],
  [/^services Cluster\w*\.ClusterSettings$/, 'services.containerInsights'],
  [/^services AccessLogs\w*\.LifecycleConfiguration$/, 'services.albAccessLogRetentionDays'],
  [/^services \w+Logs\w*\.RetentionInDays$/, 'services.containerLogRetentionDays'],
  [/^services BackendTaskDef\w*\.(Cpu|Memory)$/, 'services.backend.cpuUnits'],
  [/^services BackendTaskDef\w*\[app\]\.Environment\.LOG_LEVEL$/, 'services.backend.logLevel'],
  [/^services BackendService\w*\.DesiredCount$/, 'services.backend.desiredCount'],
  [/^services BackendServiceTaskCountTarget\w*\.MinCapacity$/, 'services.backend.minCount'],
  [/^services BackendServiceTaskCountTarget\w*\.MaxCapacity$/, 'services.backend.maxCount'],
  [/^services PrometheusTaskDef\w*\.(Cpu|Memory)$/, 'services.prometheus.memoryMiB'],
  [/^services PrometheusTaskDef\w*\.EphemeralStorage$/, 'services.prometheus.ephemeralStorageGiB'],
  [/^services PrometheusTaskDef\w*\[prometheus\]\.Command$/, 'services.prometheus.retentionDays'],
  // VIGIL_CONFIG_0 is prometheus.yml (remote_write); the rule files carry the catalog thresholds.
  [/^services PrometheusTaskDef\w*\[prometheus\]\.Environment\.VIGIL_CONFIG_0$/, 'services.prometheus.remoteWriteToManagedPrometheus'],
  [/^services PrometheusTaskDef\w*\[prometheus\]\.Environment\.VIGIL_CONFIG_[1-9]\d*$/, 'alarms'],
  [/^services (\+MetricsWorkspace|(Prometheus|Grafana)TaskDefTaskRoleDefaultPolicy\w*\.PolicyDocument)/, 'services.prometheus.remoteWriteToManagedPrometheus'],
  [/^services GrafanaTaskDef\w*\[grafana\]\.Environment\.VIGIL_CONFIG_\d+$/, 'services.prometheus.remoteWriteToManagedPrometheus'],
  [/^services GrafanaTaskDef\w*\.(Cpu|Memory)$/, 'services.grafana.cpuUnits'],
  [/^monitoring /, 'alarms'],
];

function valueAt(config: EnvironmentConfig, fieldPath: string): unknown {
  return fieldPath.split('.').reduce<any>((value, key) => value?.[key], config);
}

let staging: SynthesizedEnvironment;
let production: SynthesizedEnvironment;
beforeAll(() => {
  staging = synthesize('staging');
  production = synthesize('production');
});

test('every difference between staging and production is explained by a configuration field', () => {
  const unexplained = differences(staging, production).filter((line) => !EXPLANATIONS.some(([pattern]) => pattern.test(line)));
  expect(unexplained).toEqual([]);
});

test('every field that explains a difference really differs between the two configurations', () => {
  const used = new Set(differences(staging, production).map((line) => EXPLANATIONS.find(([pattern]) => pattern.test(line))?.[1]).filter(Boolean) as string[]);
  expect(used.size).toBeGreaterThan(20);
  for (const field of used) {
    expect([field, JSON.stringify(valueAt(staging.config, field)) === JSON.stringify(valueAt(production.config, field))]).toEqual([field, false]);
  }
});

test('GIVEN staging values under the production name WHEN synthesized THEN the result equals staging (no stack branches on the name)', () => {
  const disguised = synthesize('production', () => ({ ...staging.config, envName: 'production' }));
  expect(differences(staging, disguised)).toEqual([]);
});
