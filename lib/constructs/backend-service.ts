import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';
import { backendLogIndexPrefix } from './opensearch-role-mapping';
import { privateFargateService } from './private-fargate-service';
import { BACKEND_DEPLOYMENT_MAX_PERCENT, CONTAINER_STOP_TIMEOUT_SECONDS, type BackendConfig } from '../config';
import { deliverFiles } from '../observability/deploy/config-files';
import { LOG_ROUTER_METRICS_PORT, LOG_ROUTER_OPENSEARCH_OUTPUT } from '../observability/log-router';

/** The service's HTTP port (`PORT`). */
export const BACKEND_HTTP_PORT = 8080;
/** The service's metrics port (`METRICS_PORT`); only Prometheus may reach it. */
export const BACKEND_METRICS_PORT = 9464;
/** Cloud Map service name of the backend; Prometheus resolves `<this>.<namespace>`. */
export const BACKEND_DISCOVERY_NAME = 'backend';
/** Name of the application container (FireLens tags its logs `<name>-firelens-<task>`). */
export const BACKEND_CONTAINER_NAME = 'app';
/**
 * The service's own folder (`app/` at the repository root), built into the image at deploy.
 * Found by walking up from this file, so it holds whether this runs from `lib/` through tsx or
 * from a compiled copy in another folder.
 */
export const DEFAULT_APP_DIRECTORY = findAppDirectory(__dirname);

function findAppDirectory(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'app', 'Dockerfile')) && fs.existsSync(path.join(dir, 'cdk.json'))) return path.join(dir, 'app');
    if (path.dirname(dir) === dir) return path.resolve(from, '..', '..', 'app');
  }
}

/** Props of {@link BackendService}. */
export interface BackendServiceProps {
  readonly envName: string;
  /** Already checked by `validate()` in lib/config (e.g. deregistration delay below the stop timeout). */
  readonly config: BackendConfig;
  readonly cluster: ecs.ICluster;
  readonly vpc: ec2.IVpc;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly namespace: servicediscovery.INamespace;
  /** Folder with the Dockerfile. @default DEFAULT_APP_DIRECTORY */
  readonly appDirectory?: string;
  /** `APP_VERSION` and `GIT_COMMIT` of the build. */
  readonly appVersion: string;
  readonly gitCommit: string;
  /** PostgreSQL endpoint and the secret with `username` and `password`. */
  readonly database: { readonly host: string; readonly port: string; readonly name: string; readonly secret: secretsmanager.ISecret };
  /** Redis primary endpoint and the AUTH token secret (a plain string). */
  readonly redis: { readonly host: string; readonly port: number; readonly authToken: secretsmanager.ISecret };
  /** OpenSearch endpoint (no scheme) the log router ships to. */
  readonly openSearchEndpoint: string;
  readonly region: string;
  /** Retention of the CloudWatch copy of the logs and of the router's own logs. */
  readonly logRetention: logs.RetentionDays;
}

/**
 * The backend: a Fargate service built from `app/`, in the private subnets, behind an ALB
 * target group that checks readiness, with a liveness container health check, the deployment
 * circuit breaker, Cloud Map A records for Prometheus, target-tracking autoscaling on CPU and
 * requests per target, secrets injected by ECS, and a FireLens (Fluent Bit) sidecar shipping
 * the JSON logs to OpenSearch (SigV4) and to CloudWatch Logs.
 */
export class BackendService extends Construct {
  public readonly service: ecs.FargateService;
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** Register this with a listener; health-checked on `/readyz`. */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The CloudWatch copy of the service's logs. */
  public readonly logGroup: logs.LogGroup;
  /**
   * The log router's own output (Fluent Bit's start-up and delivery errors). Kept apart from
   * {@link logGroup} so that group's IncomingLogEvents counts only what the router ships, which
   * is what the catalog's log-router signal watches.
   */
  public readonly routerLogGroup: logs.LogGroup;
  /** OpenSearch index prefix the log router writes (`<env>-backend-YYYY.MM.DD`). */
  public readonly indexPrefix: string;
  private readonly config: BackendConfig;

  constructor(scope: Construct, id: string, props: BackendServiceProps) {
    super(scope, id);
    const cfg = props.config;
    this.config = cfg;
    this.indexPrefix = backendLogIndexPrefix(props.envName);
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    this.routerLogGroup = new logs.LogGroup(this, 'RouterLogs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDef', {
      cpu: cfg.cpuUnits,
      memoryLimitMiB: cfg.memoryMiB,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });

    // The log router: FireLens generates the OpenSearch output from the app container's log
    // options; this extra file adds the JSON parser and the CloudWatch Logs copy.
    const routerConfigDir = '/fluent-bit/etc/vigil';
    const routerFiles = deliverFiles(routerConfigDir, [
      {
        path: 'extra.conf',
        encoding: 'plain',
        content: renderFluentBitExtraConfig({ region: props.region, logGroupName: this.logGroup.logGroupName, parsersFile: `${routerConfigDir}/parsers.conf` }),
      },
      { path: 'parsers.conf', encoding: 'plain', content: FLUENT_BIT_PARSERS },
    ]);
    this.taskDefinition.addFirelensLogRouter('LogRouter', {
      containerName: 'log-router',
      image: ecs.ContainerImage.fromRegistry(`public.ecr.aws/aws-observability/aws-for-fluent-bit:${cfg.logRouterImageTag}`),
      essential: true,
      memoryReservationMiB: 64,
      firelensConfig: {
        type: ecs.FirelensLogRouterType.FLUENTBIT,
        options: { enableECSLogMetadata: true, configFileType: ecs.FirelensConfigFileType.FILE, configFileValue: `${routerConfigDir}/extra.conf` },
      },
      entryPoint: routerFiles.entryPoint,
      command: ['/entrypoint.sh'],
      environment: routerFiles.environment,
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.routerLogGroup, streamPrefix: 'log-router' }),
    });

    const secrets: Record<string, ecs.Secret> = {
      PGUSER: ecs.Secret.fromSecretsManager(props.database.secret, 'username'),
      PGPASSWORD: ecs.Secret.fromSecretsManager(props.database.secret, 'password'),
      REDIS_AUTH_TOKEN: ecs.Secret.fromSecretsManager(props.redis.authToken),
    };
    if (cfg.sentryDsnSecretName) {
      secrets.SENTRY_DSN = ecs.Secret.fromSecretsManager(secretsmanager.Secret.fromSecretNameV2(this, 'SentryDsn', cfg.sentryDsnSecretName));
    }

    const app = this.taskDefinition.addContainer('App', {
      containerName: BACKEND_CONTAINER_NAME,
      image: ecs.ContainerImage.fromAsset(props.appDirectory ?? DEFAULT_APP_DIRECTORY, {
        platform: Platform.LINUX_AMD64,
        // Dependencies are installed inside the build; local ones would only change the hash.
        exclude: ['node_modules', 'dist', 'coverage', '.test-output'],
      }),
      essential: true,
      portMappings: [
        { name: 'http', containerPort: BACKEND_HTTP_PORT },
        { name: 'metrics', containerPort: BACKEND_METRICS_PORT },
      ],
      environment: {
        DEPLOY_ENV: props.envName,
        LOG_LEVEL: cfg.logLevel,
        SERVICE_NAME: 'vigil-api',
        APP_VERSION: props.appVersion,
        GIT_COMMIT: props.gitCommit,
        PORT: String(BACKEND_HTTP_PORT),
        METRICS_PORT: String(BACKEND_METRICS_PORT),
        PGHOST: props.database.host,
        PGPORT: props.database.port,
        PGDATABASE: props.database.name,
        PGSSLMODE: 'require',
        PG_POOL_MAX: String(cfg.pgPoolMax),
        // The app reads the password from this secret for every new connection: after a rotation
        // the PGPASSWORD injected at task start is stale (an ARN names the secret, it is no secret).
        PG_PASSWORD_SECRET_ARN: props.database.secret.secretArn,
        REDIS_HOST: props.redis.host,
        REDIS_PORT: String(props.redis.port),
        REDIS_TLS: 'true',
      },
      secrets,
      // Liveness only: a failing database must not get healthy tasks killed (readiness is the ALB's job).
      healthCheck: {
        command: ['CMD', 'node', '-e', `fetch('http://127.0.0.1:${BACKEND_HTTP_PORT}/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`],
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(30),
      },
      stopTimeout: Duration.seconds(CONTAINER_STOP_TIMEOUT_SECONDS),
      logging: ecs.LogDrivers.firelens({
        options: {
          Name: 'opensearch',
          Alias: LOG_ROUTER_OPENSEARCH_OUTPUT,
          Host: props.openSearchEndpoint,
          Port: '443',
          tls: 'On',
          AWS_Auth: 'On',
          AWS_Region: props.region,
          Logstash_Format: 'On',
          Logstash_Prefix: this.indexPrefix,
          Suppress_Type_Name: 'On',
          Replace_Dots: 'On',
          Trace_Error: 'On',
          Retry_Limit: '5',
          // The bulk response is read whole: Fluent Bit 1.9 reads 4 KiB of it by default, so a
          // partly failed bulk could not be parsed and was retried whole (its good records again).
          Buffer_Size: 'False',
        },
      }),
    });
    this.logGroup.grantWrite(this.taskDefinition.taskRole);
    // GetSecretValue on the database secret only (plus kms:Decrypt if it has a customer key).
    props.database.secret.grantRead(this.taskDefinition.taskRole);
    acknowledge(this.taskDefinition.node.defaultChild!, 'AwsSolutions-ECS2',
      'The plain variables are non-secret settings (ports, endpoints, log level, the log router config); credentials arrive as ECS secrets.');
    acknowledge(this.taskDefinition.obtainExecutionRole().node.findChild('DefaultPolicy').node.defaultChild!, 'AwsSolutions-IAM5[Resource::*]',
      'ecr:GetAuthorizationToken, needed to pull the backend image, has no resource-level permissions.');

    this.service = privateFargateService(this, 'Service', {
      cluster: props.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: cfg.desiredCount,
      securityGroup: props.securityGroup,
      minHealthyPercent: 100,
      maxHealthyPercent: BACKEND_DEPLOYMENT_MAX_PERCENT,
      healthCheckGracePeriod: Duration.seconds(cfg.healthCheckGracePeriodSeconds),
      cloudMapOptions: {
        cloudMapNamespace: props.namespace,
        name: BACKEND_DISCOVERY_NAME,
        dnsRecordType: servicediscovery.DnsRecordType.A,
        dnsTtl: Duration.seconds(10),
        container: app,
        containerPort: BACKEND_METRICS_PORT,
      },
    });

    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'TargetGroup', {
      vpc: props.vpc,
      port: BACKEND_HTTP_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      deregistrationDelay: Duration.seconds(cfg.deregistrationDelaySeconds),
      healthCheck: {
        path: '/readyz',
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
        healthyHttpCodes: '200',
      },
      targets: [this.service.loadBalancerTarget({ containerName: BACKEND_CONTAINER_NAME, containerPort: BACKEND_HTTP_PORT })],
    });
  }

  /**
   * Target tracking on CPU and on requests per target. Called once the target group is attached
   * to a listener: the request metric is labelled with the load balancer.
   */
  public enableAutoScaling(): void {
    const scaling = this.service.autoScaleTaskCount({ minCapacity: this.config.minCount, maxCapacity: this.config.maxCount });
    scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: this.config.targetCpuUtilizationPercent });
    scaling.scaleOnRequestCount('Requests', { requestsPerTarget: this.config.targetRequestsPerTargetPerMinute, targetGroup: this.targetGroup });
  }
}

/** Inputs of the log router's extra Fluent Bit configuration. */
interface FluentBitExtraConfigInput {
  readonly region: string;
  /** CloudWatch Logs group for the copy of the application's logs. */
  readonly logGroupName: string;
  /** Where {@link FLUENT_BIT_PARSERS} is delivered. */
  readonly parsersFile: string;
}

/** Name of the parser for the application's JSON lines. */
export const APP_LOG_PARSER = 'vigil_json';

/**
 * The parser of the application's JSON lines. The image's stock `json` parser expects `time` as
 * `%d/%b/%Y:%H:%M:%S %z` (Apache's format), so every ISO 8601 line the app writes would cost a
 * warning in the router's own log and keep the arrival time. This one reads the app's time
 * (`2026-12-03T08:01:02.345Z`, UTC: no offset means UTC to Fluent Bit) and keeps the field.
 */
export const FLUENT_BIT_PARSERS = [
  '[PARSER]',
  `    Name        ${APP_LOG_PARSER}`,
  '    Format      json',
  '    Time_Key    time',
  '    Time_Format %Y-%m-%dT%H:%M:%S.%L',
  '    Time_Keep   On',
  '',
].join('\n');

/**
 * The Fluent Bit file FireLens includes: parse the application's JSON lines into fields (so
 * OpenSearch indexes `level`, `msg`, `requestId`, ...), and copy them to CloudWatch Logs.
 */
function renderFluentBitExtraConfig(input: FluentBitExtraConfigInput): string {
  return [
    // FireLens's generated configuration loads no parsers file, so the filter's parser needs this
    // one; without it Fluent Bit cannot load the filter. The HTTP server serves Fluent Bit's
    // counters to Prometheus: records its OpenSearch output gave up on are lost logs.
    '[SERVICE]',
    `    Parsers_File ${input.parsersFile}`,
    '    HTTP_Server  On',
    '    HTTP_Listen  0.0.0.0',
    `    HTTP_Port    ${LOG_ROUTER_METRICS_PORT}`,
    '',
    '[FILTER]',
    '    Name         parser',
    `    Match        ${BACKEND_CONTAINER_NAME}-firelens-*`,
    '    Key_Name     log',
    `    Parser       ${APP_LOG_PARSER}`,
    '    Reserve_Data On',
    '',
    '[OUTPUT]',
    '    Name              cloudwatch_logs',
    `    Match             ${BACKEND_CONTAINER_NAME}-firelens-*`,
    `    region            ${input.region}`,
    `    log_group_name    ${input.logGroupName}`,
    `    log_stream_prefix ${BACKEND_CONTAINER_NAME}/`,
    '    auto_create_group false',
    '',
  ].join('\n');
}
