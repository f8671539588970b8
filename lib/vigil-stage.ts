import { Aspects, Aws, Stage, type StageProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from './config';
import { AlarmActionsAndRunbookCheck } from './constructs/catalog-alarm-check';
import { renderGrafanaDashboardFiles } from './observability/grafana-dashboards';
import { renderPrometheusRulesYaml } from './observability/prometheus-rules';
import type { MonitoredResources } from './observability/monitored-resources';
import { DataStack } from './stacks/data-stack';
import { LogsStack } from './stacks/logs-stack';
import { MonitoringStack } from './stacks/monitoring-stack';
import { NetworkStack } from './stacks/network-stack';
import { ServicesStack } from './stacks/services-stack';

/** Props of {@link VigilStage}. */
export interface VigilStageProps extends StageProps {
  /** The validated configuration (`configFor(name)`). */
  readonly config: EnvironmentConfig;
  /** `APP_VERSION` of the backend image. @default 'unknown' */
  readonly appVersion?: string;
  /** `GIT_COMMIT` of the backend image. @default 'unknown' */
  readonly gitCommit?: string;
  /** Folder with the backend's Dockerfile. @default the repository's `app/` */
  readonly appDirectory?: string;
}

/**
 * One environment: Network → Data → Logs → Services → Monitoring, deployed together with
 * `npx cdk deploy '<Stage>/*'`. The only place that wires the stacks to each other.
 */
export class VigilStage extends Stage {
  public readonly network: NetworkStack;
  public readonly data: DataStack;
  public readonly logs: LogsStack;
  public readonly services: ServicesStack;
  public readonly monitoring: MonitoringStack;

  constructor(scope: Construct, id: string, props: VigilStageProps) {
    super(scope, id, props);
    const config = props.config;

    this.network = new NetworkStack(this, 'Network', { config, description: `Vigil ${config.envName}: VPC, flow logs, endpoints` });
    const vpc = this.network.vpc;
    this.data = new DataStack(this, 'Data', { config, vpc, description: `Vigil ${config.envName}: PostgreSQL, Redis, their keys and secrets` });
    this.logs = new LogsStack(this, 'Logs', { config, vpc, description: `Vigil ${config.envName}: OpenSearch log store` });
    this.services = new ServicesStack(this, 'Services', {
      config,
      vpc,
      data: this.data,
      logs: this.logs,
      appVersion: props.appVersion,
      gitCommit: props.gitCommit,
      appDirectory: props.appDirectory,
      // The signal catalog's rendered Prometheus rules and Grafana dashboards go here.
      prometheusRuleFiles: { 'vigil.yml': renderPrometheusRulesYaml(config.envName, config.alarms) },
      grafanaDashboards: renderGrafanaDashboardFiles(config.envName, config.alarms, config.region),
      description: `Vigil ${config.envName}: ECS cluster, ALB, backend, Prometheus + Alertmanager, Grafana`,
    });

    const services = this.services;
    const resources: MonitoredResources = {
      accountId: Aws.ACCOUNT_ID,
      region: config.region,
      loadBalancerFullName: services.loadBalancer.loadBalancerFullName,
      backendTargetGroupFullName: services.backend.targetGroup.targetGroupFullName,
      clusterName: services.cluster.clusterName,
      backendServiceName: services.backend.service.serviceName,
      prometheusServiceName: services.prometheus.service.serviceName,
      grafanaServiceName: services.grafana.service.serviceName,
      dbInstanceIdentifier: this.data.databaseInstanceIdentifier,
      redisReplicationGroupId: this.data.cache.replicationGroup.replicationGroupId!,
      redisCacheClusterIds: this.data.cache.memberClusterIds,
      openSearchDomainName: this.logs.domainName,
      backendLogGroupName: services.backend.logGroup.logGroupName,
    };
    this.monitoring = new MonitoringStack(this, 'Monitoring', {
      config,
      resources,
      alertPublisherRoleArns: [services.prometheus.taskRole.roleArn],
      description: `Vigil ${config.envName}: alert topics, CloudWatch alarms and dashboard`,
    });
    // Synth fails if any alarm in the environment lacks an action or a runbook link.
    Aspects.of(this).add(new AlarmActionsAndRunbookCheck());
  }
}
