import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';
import { wgetHealthCheck } from './http-health-check';
import { privateFargateService } from './private-fargate-service';
import { CONTAINER_STOP_TIMEOUT_SECONDS, type PrometheusConfig } from '../config';
import type { AlertTopic } from '../observability/alarm-spec';
import { renderAlertmanagerConfig } from '../observability/deploy/alertmanager-config';
import { deliverFiles, type DeliveredFile } from '../observability/deploy/config-files';
import { renderPrometheusConfig } from '../observability/deploy/prometheus-config';

/** Prometheus' HTTP port (queries from Grafana, its own scrape). */
export const PROMETHEUS_PORT = 9090;
/** Alertmanager's HTTP port (inside the task only). */
export const ALERTMANAGER_PORT = 9093;
/** Cloud Map service name of Prometheus; Grafana reads `http://<this>.<namespace>:9090`. */
export const PROMETHEUS_DISCOVERY_NAME = 'prometheus';
/** Folder the Prometheus container's config is written to (writable by the image's `nobody`). */
export const PROMETHEUS_CONFIG_DIR = '/etc/prometheus';
/** Folder the Alertmanager container's config is written to. */
export const ALERTMANAGER_CONFIG_DIR = '/etc/alertmanager';
/** Where the TSDB lives: a task-local volume on Fargate ephemeral storage. */
export const PROMETHEUS_TSDB_PATH = '/prometheus';

/** Props of {@link PrometheusService}. */
export interface PrometheusServiceProps {
  readonly envName: string;
  readonly region: string;
  readonly config: PrometheusConfig;
  readonly cluster: ecs.ICluster;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly namespace: servicediscovery.INamespace;
  /** DNS name whose A records are the backend tasks. */
  readonly backendDnsName: string;
  readonly backendMetricsPort: number;
  /** SNS topic ARN per alert role (Alertmanager publishes with the task role). */
  readonly topicArns: Readonly<Record<AlertTopic, string>>;
  /** SNS topic ARN for the Watchdog heartbeat. @default - the Watchdog is not sent anywhere */
  readonly heartbeatTopicArn?: string;
  /** Rule files by file name (`slo.yml` → YAML); written to `rules/`. @default {} */
  readonly ruleFiles?: Readonly<Record<string, string>>;
  /** Amazon Managed Service for Prometheus workspace to remote-write to. @default - none */
  readonly remoteWrite?: { readonly workspaceArn: string; readonly remoteWriteUrl: string };
  readonly logRetention: logs.RetentionDays;
}

/**
 * One Prometheus replica with Alertmanager beside it in the same task. The TSDB lives on
 * Fargate task-local ephemeral storage (never EFS: Prometheus does not support NFS), sized from
 * config; where history must outlive the task, Prometheus remote-writes to AMP with SigV4.
 * prometheus.yml, the rule files and alertmanager.yml are rendered at synth and written at
 * start (see `deliverFiles`), so `promtool` can check exactly what runs.
 */
export class PrometheusService extends Construct {
  public readonly service: ecs.FargateService;
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** Sends alerts (SNS) and remote-writes (AMP). */
  public readonly taskRole: iam.IRole;
  /** `prometheus.<namespace>`, resolvable inside the VPC. */
  public readonly dnsName: string;

  constructor(scope: Construct, id: string, props: PrometheusServiceProps) {
    super(scope, id);
    const cfg = props.config;
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDef', {
      cpu: cfg.cpuUnits,
      memoryLimitMiB: cfg.memoryMiB,
      ephemeralStorageGiB: cfg.ephemeralStorageGiB,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
      // A volume without a host path is task-local storage: it lives and dies with the task.
      volumes: [{ name: 'tsdb' }],
    });
    this.taskRole = this.taskDefinition.taskRole;

    const ruleFiles: DeliveredFile[] = Object.entries(props.ruleFiles ?? {}).map(([name, content]) => ({
      path: `rules/${name}`, content, encoding: 'gzip-base64',
    }));
    const prometheusFiles = deliverFiles(PROMETHEUS_CONFIG_DIR, [
      {
        path: 'prometheus.yml',
        encoding: 'plain',
        content: renderPrometheusConfig({
          envName: props.envName,
          scrapeIntervalSeconds: cfg.scrapeIntervalSeconds,
          backendDnsName: props.backendDnsName,
          backendMetricsPort: props.backendMetricsPort,
          prometheusPort: PROMETHEUS_PORT,
          alertmanagerPort: ALERTMANAGER_PORT,
          ruleFilesGlob: 'rules/*.yml',
          remoteWrite: props.remoteWrite ? { url: props.remoteWrite.remoteWriteUrl, region: props.region } : undefined,
        }),
      },
      ...ruleFiles,
    ]);
    const prometheus = this.taskDefinition.addContainer('Prometheus', {
      containerName: 'prometheus',
      // The project's own Quay repositories (the same images as Docker Hub's prom/*): Docker Hub
      // limits anonymous pulls per address, and every task here pulls through one NAT address.
      image: ecs.ContainerImage.fromRegistry(`quay.io/prometheus/prometheus:${cfg.prometheusImageTag}`),
      essential: true,
      entryPoint: prometheusFiles.entryPoint,
      command: [
        '/bin/prometheus',
        '--config.file=prometheus.yml',
        `--storage.tsdb.path=${PROMETHEUS_TSDB_PATH}`,
        `--storage.tsdb.retention.time=${cfg.retentionDays}d`,
        `--web.listen-address=:${PROMETHEUS_PORT}`,
      ],
      environment: prometheusFiles.environment,
      portMappings: [{ name: 'prometheus', containerPort: PROMETHEUS_PORT }],
      healthCheck: wgetHealthCheck(`http://127.0.0.1:${PROMETHEUS_PORT}/-/healthy`, 60),
      stopTimeout: Duration.seconds(CONTAINER_STOP_TIMEOUT_SECONDS),
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'prometheus' }),
    });
    prometheus.addMountPoints({ sourceVolume: 'tsdb', containerPath: PROMETHEUS_TSDB_PATH, readOnly: false });

    const alertmanagerFiles = deliverFiles(ALERTMANAGER_CONFIG_DIR, [{
      path: 'alertmanager.yml',
      encoding: 'plain',
      content: renderAlertmanagerConfig({ region: props.region, topicArns: props.topicArns, heartbeatTopicArn: props.heartbeatTopicArn }),
    }]);
    this.taskDefinition.addContainer('Alertmanager', {
      containerName: 'alertmanager',
      image: ecs.ContainerImage.fromRegistry(`quay.io/prometheus/alertmanager:${cfg.alertmanagerImageTag}`),
      essential: true,
      entryPoint: alertmanagerFiles.entryPoint,
      command: [
        '/bin/alertmanager',
        '--config.file=alertmanager.yml',
        '--storage.path=/alertmanager',
        `--web.listen-address=:${ALERTMANAGER_PORT}`,
        // One replica: no gossip cluster to join.
        '--cluster.listen-address=',
      ],
      environment: alertmanagerFiles.environment,
      portMappings: [{ name: 'alertmanager', containerPort: ALERTMANAGER_PORT }],
      healthCheck: wgetHealthCheck(`http://127.0.0.1:${ALERTMANAGER_PORT}/-/healthy`, 30),
      stopTimeout: Duration.seconds(CONTAINER_STOP_TIMEOUT_SECONDS),
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'alertmanager' }),
    });

    acknowledge(this.taskDefinition.node.defaultChild!, 'AwsSolutions-ECS2',
      'The plain variables carry prometheus.yml, the rule files and alertmanager.yml (no secrets: Alertmanager signs with the task role).');

    this.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['sns:Publish'],
      resources: [...Object.values(props.topicArns), ...(props.heartbeatTopicArn === undefined ? [] : [props.heartbeatTopicArn])],
    }));
    if (props.remoteWrite) {
      this.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['aps:RemoteWrite'],
        resources: [props.remoteWrite.workspaceArn],
      }));
    }

    this.service = privateFargateService(this, 'Service', {
      cluster: props.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: 1,
      securityGroup: props.securityGroup,
      // One replica on purpose: two would scrape twice and send every alert twice. A deploy
      // stops the old task before starting the new one.
      minHealthyPercent: 0,
      maxHealthyPercent: 100,
      cloudMapOptions: {
        cloudMapNamespace: props.namespace,
        name: PROMETHEUS_DISCOVERY_NAME,
        dnsRecordType: servicediscovery.DnsRecordType.A,
        dnsTtl: Duration.seconds(10),
        container: prometheus,
        containerPort: PROMETHEUS_PORT,
      },
    });
    this.dnsName = `${PROMETHEUS_DISCOVERY_NAME}.${props.namespace.namespaceName}`;
  }
}
