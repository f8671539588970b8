import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';
import { wgetHealthCheck } from './http-health-check';
import { privateFargateService } from './private-fargate-service';
import { CONTAINER_STOP_TIMEOUT_SECONDS, type GrafanaConfig } from '../config';
import { deliverFiles, type DeliveredFile } from '../observability/deploy/config-files';
import {
  renderGrafanaDashboardProvider,
  renderGrafanaDatasources,
  type GrafanaDatasourcesInput,
} from '../observability/deploy/grafana-provisioning';

/** Grafana's HTTP port. */
export const GRAFANA_PORT = 3000;
/** Folder the provisioning files and dashboards are written to (Grafana's writable data dir). */
export const GRAFANA_CONFIG_DIR = '/var/lib/grafana/vigil';

/** Props of {@link GrafanaService}. */
export interface GrafanaServiceProps {
  readonly envName: string;
  readonly config: GrafanaConfig;
  readonly cluster: ecs.ICluster;
  readonly vpc: ec2.IVpc;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly datasources: GrafanaDatasourcesInput;
  /**
   * How users reach the load balancer: `https` with a certificate, else `http`, and its DNS name
   * (used for path routing; host routing names its own host). Grafana writes absolute links
   * (share links, redirects) from them; left to itself it would say `http://localhost`.
   */
  readonly publicEndpoint: { readonly scheme: 'http' | 'https'; readonly loadBalancerDnsName: string };
  /** Dashboards by file name (`service.json` → JSON). @default {} */
  readonly dashboards?: Readonly<Record<string, string>>;
  /** Encrypts the generated admin password. @default - the AWS managed key */
  readonly encryptionKey?: kms.IKey;
  readonly logRetention: logs.RetentionDays;
}

/**
 * Grafana behind the ALB (path or host routing per config), with its datasources (Prometheus
 * or AMP, OpenSearch, CloudWatch) and dashboards provisioned from files rendered at synth.
 * Its state is those files: the SQLite database inside the task may be lost with the task.
 * The admin password is generated into Secrets Manager; anonymous access and sign-up are off.
 */
export class GrafanaService extends Construct {
  public readonly service: ecs.FargateService;
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** Signs datasource requests (SigV4): grant it reads only. */
  public readonly taskRole: iam.IRole;
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  public readonly adminPassword: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: GrafanaServiceProps) {
    super(scope, id);
    const cfg = props.config;
    const routing = cfg.routing;
    const subPath = routing.kind === 'path' ? routing.pathPrefix : '';
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });

    this.adminPassword = new secretsmanager.Secret(this, 'AdminPassword', {
      description: `${props.envName} Vigil Grafana admin password (user 'admin')`,
      encryptionKey: props.encryptionKey,
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
    });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDef', {
      cpu: cfg.cpuUnits,
      memoryLimitMiB: cfg.memoryMiB,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    this.taskRole = this.taskDefinition.taskRole;

    const dashboardsDir = `${GRAFANA_CONFIG_DIR}/dashboards`;
    const dashboards: DeliveredFile[] = Object.entries(props.dashboards ?? {}).map(([name, content]) => ({
      path: `dashboards/${name}`, content, encoding: 'gzip-base64',
    }));
    const files = deliverFiles(GRAFANA_CONFIG_DIR, [
      { path: 'provisioning/datasources/vigil.yml', encoding: 'plain', content: renderGrafanaDatasources(props.datasources) },
      { path: 'provisioning/dashboards/vigil.yml', encoding: 'plain', content: renderGrafanaDashboardProvider(dashboardsDir) },
      ...dashboards,
    ]);

    this.taskDefinition.addContainer('Grafana', {
      containerName: 'grafana',
      image: ecs.ContainerImage.fromRegistry(`grafana/grafana:${cfg.imageTag}`),
      essential: true,
      entryPoint: files.entryPoint,
      command: ['/run.sh'],
      environment: {
        ...files.environment,
        GF_PATHS_PROVISIONING: `${GRAFANA_CONFIG_DIR}/provisioning`,
        GF_SERVER_ROOT_URL: `${props.publicEndpoint.scheme}://${routing.kind === 'path' ? props.publicEndpoint.loadBalancerDnsName : routing.hostName}${subPath}/`,
        GF_SERVER_SERVE_FROM_SUB_PATH: String(routing.kind === 'path'),
        GF_SECURITY_ADMIN_USER: 'admin',
        GF_AUTH_ANONYMOUS_ENABLED: 'false',
        GF_USERS_ALLOW_SIGN_UP: 'false',
        GF_AUTH_SIGV4_AUTH_ENABLED: 'true',
        GF_ANALYTICS_REPORTING_ENABLED: 'false',
        GF_ANALYTICS_CHECK_FOR_UPDATES: 'false',
        GF_INSTALL_PLUGINS: `grafana-opensearch-datasource ${cfg.openSearchPluginVersion}`,
      },
      secrets: { GF_SECURITY_ADMIN_PASSWORD: ecs.Secret.fromSecretsManager(this.adminPassword) },
      portMappings: [{ name: 'http', containerPort: GRAFANA_PORT }],
      healthCheck: wgetHealthCheck(`http://127.0.0.1:${GRAFANA_PORT}${subPath}/api/health`, 90),
      stopTimeout: Duration.seconds(CONTAINER_STOP_TIMEOUT_SECONDS),
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'grafana' }),
    });

    acknowledge(this.taskDefinition.node.defaultChild!, 'AwsSolutions-ECS2',
      'The plain variables are Grafana settings and provisioning files; the admin password arrives as an ECS secret.');
    acknowledge(this.adminPassword.node.defaultChild!, 'AwsSolutions-SMG4',
      'Grafana reads the admin password only when its database is created; a rotated secret would not change it, so rotation is a runbook step.');

    this.service = privateFargateService(this, 'Service', {
      cluster: props.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: 1,
      securityGroup: props.securityGroup,
      minHealthyPercent: 0,
      maxHealthyPercent: 200,
      healthCheckGracePeriod: Duration.seconds(120),
    });

    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'TargetGroup', {
      vpc: props.vpc,
      port: GRAFANA_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      deregistrationDelay: Duration.seconds(10),
      healthCheck: { path: `${subPath}/api/health`, interval: Duration.seconds(30), healthyHttpCodes: '200' },
      targets: [this.service],
    });
  }
}
