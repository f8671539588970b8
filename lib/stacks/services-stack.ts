import { Annotations, CfnParameter, CfnRule, Duration, Fn, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as aps from 'aws-cdk-lib/aws-aps';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import type { Construct } from 'constructs';
import { certificateArnPattern } from '../config';
import { acknowledge } from '../constructs/acknowledge';
import { ALERT_TOPIC_ROLES, alertTopicArn } from '../constructs/alert-topics';
import { heartbeatTopicName } from '../constructs/catalog-heartbeat';
import { BACKEND_DISCOVERY_NAME, BACKEND_METRICS_PORT, BackendService } from '../constructs/backend-service';
import { LOG_ROUTER_METRICS_PORT } from '../observability/log-router';
import { GrafanaService } from '../constructs/grafana-service';
import { backendLogIndexPattern, OpenSearchRoleMapping } from '../constructs/opensearch-role-mapping';
import { PROMETHEUS_PORT, PrometheusService } from '../constructs/prometheus-service';
import { RedisReplicationGroup } from '../constructs/redis-replication-group';
import type { AlertTopic } from '../observability/alarm-spec';
import { DATABASE_NAME, DATABASE_PORT, type DataStack } from './data-stack';
import type { LogsStack } from './logs-stack';
import { VigilStack, type VigilStackProps } from './vigil-stack';

/** Props of {@link ServicesStack}. */
export interface ServicesStackProps extends VigilStackProps {
  readonly vpc: ec2.IVpc;
  readonly data: DataStack;
  readonly logs: LogsStack;
  /** `APP_VERSION` of the backend image. @default 'unknown' */
  readonly appVersion?: string;
  /** `GIT_COMMIT` of the backend image. @default 'unknown' */
  readonly gitCommit?: string;
  /** Folder with the backend's Dockerfile. @default the repository's `app/` */
  readonly appDirectory?: string;
  /** Prometheus rule files by file name (`slo.yml` → YAML), from the signal catalog. @default {} */
  readonly prometheusRuleFiles?: Readonly<Record<string, string>>;
  /** Grafana dashboards by file name (`service.json` → JSON), from the signal catalog. @default {} */
  readonly grafanaDashboards?: Readonly<Record<string, string>>;
}

/**
 * Everything that runs: the ECS cluster, the public ALB (access logs to an encrypted bucket),
 * the Cloud Map namespace, the backend, Prometheus with Alertmanager, Grafana, the managed
 * Prometheus workspace when configured, and the security group rules and grants between them
 * and the data and log stores.
 */
export class ServicesStack extends VigilStack {
  public readonly cluster: ecs.Cluster;
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  public readonly namespace: servicediscovery.PrivateDnsNamespace;
  public readonly backend: BackendService;
  public readonly prometheus: PrometheusService;
  public readonly grafana: GrafanaService;
  /** Present when `services.prometheus.remoteWriteToManagedPrometheus` is on. */
  public readonly managedPrometheus?: aps.CfnWorkspace;
  /** OpenSearch security roles for the backend's log router (write) and Grafana (read). */
  public readonly logRoleMapping: OpenSearchRoleMapping;
  /** Security groups by role, for tests and for later rules. */
  public readonly securityGroups: Readonly<Record<'backend' | 'prometheus' | 'grafana', ec2.SecurityGroup>>;

  constructor(scope: Construct, id: string, props: ServicesStackProps) {
    super(scope, id, props);
    const { envName, services: cfg } = props.config;
    const retention = cfg.containerLogRetentionDays as logs.RetentionDays;

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2: cfg.containerInsights ? ecs.ContainerInsights.ENABLED : ecs.ContainerInsights.DISABLED,
    });
    this.namespace = new servicediscovery.PrivateDnsNamespace(this, 'Namespace', {
      name: `${envName}.vigil.internal`,
      vpc: props.vpc,
      description: `${envName} Vigil service discovery (Prometheus finds backend tasks here)`,
    });

    const securityGroup = (name: string, description: string) => new ec2.SecurityGroup(this, name, {
      vpc: props.vpc, description, allowAllOutbound: true,
    });
    const backendSg = securityGroup('BackendSecurityGroup', `${envName} backend tasks: HTTP from the ALB, metrics from Prometheus`);
    const prometheusSg = securityGroup('PrometheusSecurityGroup', `${envName} Prometheus: queries from Grafana`);
    const grafanaSg = securityGroup('GrafanaSecurityGroup', `${envName} Grafana: HTTP from the ALB`);
    this.securityGroups = { backend: backendSg, prometheus: prometheusSg, grafana: grafanaSg };

    backendSg.addIngressRule(prometheusSg, ec2.Port.tcp(BACKEND_METRICS_PORT), 'Prometheus scrapes /metrics');
    backendSg.addIngressRule(prometheusSg, ec2.Port.tcp(LOG_ROUTER_METRICS_PORT), "Prometheus scrapes the log router's metrics");
    prometheusSg.addIngressRule(grafanaSg, ec2.Port.tcp(PROMETHEUS_PORT), 'Grafana queries Prometheus');
    // The data and log stores' groups live in earlier stacks; their ingress rules live here so
    // those stacks never reference this one.
    this.allowIngress('BackendToDatabase', props.data.databaseSecurityGroup, backendSg, DATABASE_PORT, 'backend to PostgreSQL');
    this.allowIngress('BackendToCache', props.data.cache.securityGroup, backendSg, RedisReplicationGroup.PORT, 'backend to Redis');
    this.allowIngress('LogRouterToSearch', props.logs.domainSecurityGroup, backendSg, 443, 'log router to OpenSearch');
    this.allowIngress('GrafanaToSearch', props.logs.domainSecurityGroup, grafanaSg, 443, 'Grafana to OpenSearch');

    // --- ALB --------------------------------------------------------------------------------
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED, // ALB log delivery supports SSE-S3 only
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(cfg.albAccessLogRetentionDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      dropInvalidHeaderFields: true,
    });
    this.loadBalancer.logAccessLogs(accessLogs, 'alb');
    acknowledge(accessLogs.node.defaultChild!, 'AwsSolutions-S1', 'This bucket is itself the access-log destination of the ALB; logging its own reads would recurse.');
    acknowledge(this.loadBalancer.connections.securityGroups[0].node.defaultChild!, 'AwsSolutions-EC23',
      'The ALB is the public entry point: it must accept HTTP(S) from the internet; everything behind it admits the ALB only.');
    if (!cfg.containerInsights) {
      acknowledge(this.cluster.node.defaultChild!, 'AwsSolutions-ECS4', `${envName} runs without Container Insights by configuration (services.containerInsights is false).`);
    }

    // --- managed Prometheus ----------------------------------------------------------------
    if (cfg.prometheus.remoteWriteToManagedPrometheus) {
      this.managedPrometheus = new aps.CfnWorkspace(this, 'MetricsWorkspace', { alias: `${envName}-vigil` });
    }
    const ampEndpoint = this.managedPrometheus?.attrPrometheusEndpoint; // ends with '/'

    // --- services ---------------------------------------------------------------------------
    const data = props.data;
    this.backend = new BackendService(this, 'Backend', {
      envName,
      config: cfg.backend,
      cluster: this.cluster,
      vpc: props.vpc,
      securityGroup: backendSg,
      namespace: this.namespace,
      appDirectory: props.appDirectory,
      appVersion: props.appVersion ?? 'unknown',
      gitCommit: props.gitCommit ?? 'unknown',
      database: { host: data.database.dbInstanceEndpointAddress, port: data.database.dbInstanceEndpointPort, name: DATABASE_NAME, secret: data.databaseSecret },
      redis: { host: data.cache.primaryEndpointAddress, port: RedisReplicationGroup.PORT, authToken: data.cache.authToken },
      openSearchEndpoint: props.logs.domain.domainEndpoint,
      region: props.config.region,
      logRetention: retention,
    });
    // cdk-nag names the finding by the ARN as synthesized: literal where the stack knows the
    // value (the account, when one is given), `<AWS::...>` where CloudFormation fills it in.
    const literalOr = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
    const domainPathsFinding = `AwsSolutions-IAM5[Resource::arn:${literalOr(this.partition, 'Partition')}:es:${literalOr(this.region, 'Region')}`
      + `:${literalOr(this.account, 'AccountId')}:domain/${props.logs.domainName}/*]`;
    props.logs.grantWrite(this.backend.taskDefinition.taskRole);
    acknowledge(this.backend.taskDefinition.taskRole.node.findChild('DefaultPolicy').node.defaultChild!, domainPathsFinding,
      'Index names roll daily (<env>-backend-YYYY.MM.DD); the wildcard covers paths inside this one domain only.');

    const topicArns = Object.fromEntries(ALERT_TOPIC_ROLES.map((role) => [role, alertTopicArn(this, envName, role)])) as Record<AlertTopic, string>;
    this.prometheus = new PrometheusService(this, 'Prometheus', {
      envName,
      region: props.config.region,
      config: cfg.prometheus,
      cluster: this.cluster,
      securityGroup: prometheusSg,
      namespace: this.namespace,
      backendDnsName: `${BACKEND_DISCOVERY_NAME}.${this.namespace.namespaceName}`,
      backendMetricsPort: BACKEND_METRICS_PORT,
      topicArns,
      heartbeatTopicArn: this.formatArn({ service: 'sns', resource: heartbeatTopicName(envName) }),
      ruleFiles: props.prometheusRuleFiles,
      remoteWrite: this.managedPrometheus && ampEndpoint
        ? { workspaceArn: this.managedPrometheus.attrArn, remoteWriteUrl: `${ampEndpoint}api/v1/remote_write` }
        : undefined,
      logRetention: retention,
    });

    // The listener's certificate: from synth, or (HTTPS required) the stack parameter.
    const certificateArn = cfg.certificateArn ?? (cfg.requireHttps ? this.certificateParameter(envName, props.config.region) : undefined);
    this.grafana = new GrafanaService(this, 'Grafana', {
      publicEndpoint: { scheme: certificateArn ? 'https' : 'http', loadBalancerDnsName: this.loadBalancer.loadBalancerDnsName },
      envName,
      config: cfg.grafana,
      cluster: this.cluster,
      vpc: props.vpc,
      securityGroup: grafanaSg,
      datasources: {
        region: props.config.region,
        prometheus: ampEndpoint
          ? { kind: 'managed', url: ampEndpoint }
          : { kind: 'prometheus', url: `http://${this.prometheus.dnsName}:${PROMETHEUS_PORT}` },
        openSearchEndpoint: props.logs.domain.domainEndpoint,
        openSearchIndexPattern: backendLogIndexPattern(envName),
        openSearchVersion: props.logs.engineVersionNumber,
      },
      dashboards: props.grafanaDashboards,
      logRetention: retention,
    });
    props.logs.grantSearch(this.grafana.taskRole);
    const grafanaPolicy = this.grafana.taskRole.node.findChild('DefaultPolicy').node.defaultChild!;
    acknowledge(grafanaPolicy, domainPathsFinding, 'Grafana searches any daily index of this one domain; the wildcard covers paths inside it only.');
    // Fine-grained access control refuses signed requests of unmapped roles; the Logs stack's
    // master-user function maps both task roles once they exist (this stack deploys after Logs).
    this.logRoleMapping = new OpenSearchRoleMapping(this, 'LogsRoleMapping', {
      envName,
      serviceToken: props.logs.roleMappingProvider.function.functionArn,
      endpoint: props.logs.domain.domainEndpoint,
      region: props.config.region,
      writerRoleArns: [this.backend.taskDefinition.taskRole.roleArn],
      readerRoleArns: [this.grafana.taskRole.roleArn],
    });
    // Tasks ship logs as soon as they start: before the mapping exists OpenSearch refuses their
    // role (403) and FireLens drops the first minutes' lines after its retries.
    this.backend.service.node.addDependency(this.logRoleMapping);
    acknowledge(grafanaPolicy, 'AwsSolutions-IAM5[Resource::*]',
      "The CloudWatch datasource's read APIs (GetMetricData, ListMetrics, DescribeAlarms, Logs Insights queries) have no resource-level permissions.");
    this.grafana.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'CloudWatchDatasource',
      // Grafana's CloudWatch datasource: these read APIs have no resource-level permissions.
      actions: [
        'cloudwatch:DescribeAlarms', 'cloudwatch:DescribeAlarmsForMetric', 'cloudwatch:DescribeAlarmHistory', 'cloudwatch:GetMetricData',
        'cloudwatch:GetInsightRuleReport', 'cloudwatch:ListMetrics', 'logs:DescribeLogGroups', 'logs:GetLogGroupFields',
        'logs:StartQuery', 'logs:StopQuery', 'logs:GetQueryResults', 'logs:GetLogEvents', 'ec2:DescribeRegions', 'tag:GetResources',
      ],
      resources: ['*'],
    }));
    if (this.managedPrometheus) {
      this.grafana.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: 'ManagedPrometheusDatasource',
        actions: ['aps:QueryMetrics', 'aps:GetSeries', 'aps:GetLabels', 'aps:GetMetricMetadata'],
        resources: [this.managedPrometheus.attrArn],
      }));
    }

    // --- listeners --------------------------------------------------------------------------
    const listener = certificateArn
      ? this.loadBalancer.addListener('Https', {
        port: 443,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificates: [elbv2.ListenerCertificate.fromArn(certificateArn)],
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        defaultTargetGroups: [this.backend.targetGroup],
      })
      : this.loadBalancer.addListener('Http', {
        port: 80,
        protocol: elbv2.ApplicationProtocol.HTTP,
        defaultTargetGroups: [this.backend.targetGroup],
      });
    if (certificateArn) {
      this.loadBalancer.addRedirect({ sourcePort: 80, sourceProtocol: elbv2.ApplicationProtocol.HTTP, targetPort: 443, targetProtocol: elbv2.ApplicationProtocol.HTTPS });
    } else {
      Annotations.of(listener).addWarningV2('@vigil/http-only',
        `${envName}: the ALB serves plain HTTP (Grafana's login included) because no certificate is configured; `
        + `pass an ACM certificate ARN with -c env=${envName} -c certificateArn=arn:aws:acm:... to get HTTPS and an HTTP redirect`);
    }
    const grafanaRouting = cfg.grafana.routing;
    listener.addAction('Grafana', {
      priority: 10,
      conditions: [grafanaRouting.kind === 'path'
        ? elbv2.ListenerCondition.pathPatterns([grafanaRouting.pathPrefix, `${grafanaRouting.pathPrefix}/*`])
        : elbv2.ListenerCondition.hostHeaders([grafanaRouting.hostName])],
      action: elbv2.ListenerAction.forward([this.grafana.targetGroup]),
    });
    this.backend.enableAutoScaling();
  }

  /** One ingress rule on `target` from `source`, created in this stack (see the note where it is used). */
  private allowIngress(id: string, target: ec2.ISecurityGroup, source: ec2.ISecurityGroup, port: number, description: string): void {
    new ec2.CfnSecurityGroupIngress(this, id, {
      groupId: target.securityGroupId,
      sourceSecurityGroupId: source.securityGroupId,
      ipProtocol: 'tcp',
      fromPort: port,
      toPort: port,
      description,
    });
  }

  /**
   * The certificate as the stack parameter `CertificateArn`, for an environment that requires
   * HTTPS but got no certificate at synth (the README's offline synth has none to give). A rule
   * refuses the deploy, before any change, until the parameter holds an ACM certificate ARN.
   */
  private certificateParameter(envName: string, region: string): string {
    const parameter = new CfnParameter(this, 'CertificateArn', {
      type: 'String',
      default: '',
      allowedPattern: `^(${certificateArnPattern(region)})?$`,
      constraintDescription: `an ACM certificate ARN in ${region} (the ALB's region)`,
      description: `${envName}: ACM certificate of the ALB's HTTPS listener (services.requireHttps); or synthesize with -c certificateArn=...`,
    });
    new CfnRule(this, 'CertificateGiven', {
      assertions: [{
        assert: Fn.conditionNot(Fn.conditionEquals(parameter.valueAsString, '')),
        assertDescription: `${envName} serves HTTPS only (services.requireHttps) and no certificate was given: deploy with `
          + `-c env=${envName} -c certificateArn=arn:aws:acm:${region}:<account>:certificate/<id> (or -c ${envName}CertificateArn=...), or pass the stack parameter CertificateArn`,
      }],
    });
    Annotations.of(this).addWarningV2('@vigil/certificate-at-deploy',
      `${envName}: no certificate given at synth; the HTTPS listener takes it from the stack parameter CertificateArn, `
      + `and CloudFormation refuses the deploy until it is set: pass -c env=${envName} -c certificateArn=arn:aws:acm:... (or -c ${envName}CertificateArn=..., or the parameter)`);
    return parameter.valueAsString;
  }
}
