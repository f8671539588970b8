import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CONTAINER_STOP_TIMEOUT_SECONDS } from '../../lib/config';
import { container, environmentOf, onlyResource, synthesize, taskDefinitionOf, type SynthesizedEnvironment } from '../support/synth';

const CERTIFICATE = 'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8899-aabbccddeeff';

let staging: SynthesizedEnvironment;
let production: SynthesizedEnvironment;
/** Production with every optional input set: a certificate, a Sentry DSN secret, Grafana on its own host name. */
let withCertificate: SynthesizedEnvironment;
beforeAll(() => {
  staging = synthesize('staging');
  production = synthesize('production');
  withCertificate = synthesize('production', (c) => ({
    ...c,
    services: {
      ...c.services,
      certificateArn: CERTIFICATE,
      backend: { ...c.services.backend, sentryDsnSecretName: 'vigil/production/sentry-dsn' },
      grafana: { ...c.services.grafana, routing: { kind: 'host', hostName: 'grafana.example.com' } },
    },
  }));
});

/** Ingress rules of the Services template whose target group id mentions `target`, as `port from source`. */
function ingressTo(env: SynthesizedEnvironment, target: RegExp): string[] {
  return Object.values(env.services.findResources('AWS::EC2::SecurityGroupIngress'))
    .map((r: any) => r.Properties)
    .filter((p) => target.test(JSON.stringify(p.GroupId)))
    .map((p) => `${p.FromPort}-${p.ToPort} from ${p.SourceSecurityGroupId ? p.SourceSecurityGroupId['Fn::GetAtt'][0].replace(/[0-9A-F]{8}$/, '') : p.CidrIp}`)
    .sort();
}

describe.each(['staging', 'production'] as const)('%s Services stack', (name) => {
  const env = () => (name === 'staging' ? staging : production);

  test('the cluster has Container Insights exactly when configured', () => {
    const { services, config } = env();
    services.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: config.services.containerInsights ? 'enabled' : 'disabled' }],
    });
  });

  test('the internet-facing ALB sits in the public subnets, drops invalid headers, and logs access to an encrypted, TLS-only bucket', () => {
    const { services, config } = env();
    const { Properties } = onlyResource(services, 'AWS::ElasticLoadBalancingV2::LoadBalancer').resource;
    expect(Properties.Scheme).toBe('internet-facing');
    expect(Properties.Subnets).toHaveLength(config.network.availabilityZones.length);
    expect(JSON.stringify(Properties.Subnets)).toMatch(/PublicSubnet/);
    const attributes = Object.fromEntries(Properties.LoadBalancerAttributes.map((a: any) => [a.Key, a.Value]));
    expect(attributes).toMatchObject({ 'access_logs.s3.enabled': 'true', 'routing.http.drop_invalid_header_fields.enabled': 'true' });
    expect(attributes['access_logs.s3.bucket']).toEqual({ Ref: 'AccessLogs8B620ECA' });
    services.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: config.services.albAccessLogRetentionDays })] },
    });
    services.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('without a certificate the ALB serves HTTP where HTTPS is not required, and otherwise HTTPS with the certificate as a stack parameter a rule requires', () => {
    const { services, stage, config } = env();
    const warnings = Annotations.fromStack(stage.services);
    if (!config.services.requireHttps) {
      services.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
      services.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 80, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: 'BackendTargetGroupDB398741' } }],
      });
      warnings.hasWarning('*', Match.stringLikeRegexp(`${name}: the ALB serves plain HTTP.*-c certificateArn=`));
      expect(services.toJSON().Parameters.CertificateArn).toBeUndefined();
      return;
    }
    services.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443, Protocol: 'HTTPS', Certificates: [{ CertificateArn: { Ref: 'CertificateArn' } }], DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: 'BackendTargetGroupDB398741' } }],
    });
    services.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, DefaultActions: [Match.objectLike({ Type: 'redirect' })] });
    const { Parameters, Rules } = services.toJSON();
    expect(Parameters.CertificateArn).toMatchObject({ Type: 'String', Default: '' });
    const pattern = new RegExp(Parameters.CertificateArn.AllowedPattern);
    expect(['', 'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a'].map((v) => pattern.test(v))).toEqual([true, true]);
    expect(['arn:aws:acm:us-east-1:123456789012:certificate/0f1e', 'not-an-arn'].map((v) => pattern.test(v))).toEqual([false, false]);
    // CloudFormation evaluates rules before it changes anything: no certificate, no deploy.
    expect(Rules.CertificateGiven.Assertions).toEqual([{
      Assert: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'CertificateArn' }, ''] }] },
      AssertDescription: expect.stringContaining(`${name} serves HTTPS only (services.requireHttps) and no certificate was given: deploy with -c env=${name} -c certificateArn=`),
    }]);
    warnings.hasWarning('*', Match.stringLikeRegexp(`${name}: no certificate given at synth.*CloudFormation refuses the deploy`));
    warnings.hasNoWarning('*', Match.stringLikeRegexp('plain HTTP'));
  });

  test('Grafana writes its links for the address users reach: the ALB, https exactly when the listener is HTTPS, under its path', () => {
    const { services, config } = env();
    const routing = config.services.grafana.routing;
    expect(routing.kind).toBe('path');
    const rootUrl = environmentOf(container(services, 'grafana')).GF_SERVER_ROOT_URL;
    const https = Boolean(config.services.certificateArn) || config.services.requireHttps;
    expect(rootUrl).toEqual({ 'Fn::Join': ['', [`${https ? 'https' : 'http'}://`, { 'Fn::GetAtt': [expect.stringMatching(/^LoadBalancer[0-9A-F]{8}$/), 'DNSName'] }, `${routing.kind === 'path' ? routing.pathPrefix : ''}/`]] });
  });

  test('the backend runs the image built from app/ with the configured size, in the private subnets, behind the circuit breaker', () => {
    const { services, config } = env();
    const backend = config.services.backend;
    const taskDef = taskDefinitionOf(services, 'app');
    expect(taskDef).toMatchObject({ Cpu: String(backend.cpuUnits), Memory: String(backend.memoryMiB), NetworkMode: 'awsvpc', RequiresCompatibilities: ['FARGATE'] });
    const app = container(services, 'app');
    expect(JSON.stringify(app.Image)).toMatch(/cdk-hnb659fds-container-assets-.*:[0-9a-f]{64}/);
    expect(app.PortMappings).toEqual([expect.objectContaining({ ContainerPort: 8080 }), expect.objectContaining({ ContainerPort: 9464 })]);
    const service = onlyResource(services, 'AWS::ECS::Service', { Properties: { TaskDefinition: { Ref: 'BackendTaskDef0EDB2270' } } }).resource.Properties;
    expect(service).toMatchObject({
      DesiredCount: backend.desiredCount,
      LaunchType: 'FARGATE',
      DeploymentConfiguration: { DeploymentCircuitBreaker: { Enable: true, Rollback: true }, MinimumHealthyPercent: 100 },
      NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'DISABLED' } },
    });
    expect(JSON.stringify(service.NetworkConfiguration.AwsvpcConfiguration.Subnets)).toMatch(/PrivateSubnet/);
  });

  test('the ALB checks readiness and deregisters faster than the container stop timeout; the container checks liveness', () => {
    const { services, config } = env();
    const group = onlyResource(services, 'AWS::ElasticLoadBalancingV2::TargetGroup', { Properties: { Port: 8080 } }).resource.Properties;
    expect(group).toMatchObject({ HealthCheckPath: '/readyz', TargetType: 'ip', Protocol: 'HTTP' });
    const delay = Number(group.TargetGroupAttributes.find((a: any) => a.Key === 'deregistration_delay.timeout_seconds').Value);
    expect(delay).toBe(config.services.backend.deregistrationDelaySeconds);
    const app = container(services, 'app');
    expect(delay).toBeLessThan(app.StopTimeout);
    expect(app.StopTimeout).toBe(CONTAINER_STOP_TIMEOUT_SECONDS);
    expect(app.HealthCheck.Command.join(' ')).toContain('/healthz');
  });

  test('the backend gets its settings from plain variables and every credential as an ECS secret', () => {
    const app = container(env().services, 'app');
    const environment = environmentOf(app);
    expect(environment).toMatchObject({
      DEPLOY_ENV: name, PORT: '8080', METRICS_PORT: '9464', PGSSLMODE: 'require', PGDATABASE: 'vigil', REDIS_TLS: 'true', REDIS_PORT: '6379',
      SERVICE_NAME: 'vigil-api', APP_VERSION: '1.2.3', GIT_COMMIT: 'abc1234', LOG_LEVEL: env().config.services.backend.logLevel,
      PG_POOL_MAX: String(env().config.services.backend.pgPoolMax),
    });
    // PG_PASSWORD_SECRET_ARN names the secret (an ARN); it holds no credential.
    expect(Object.keys(environment).filter((k) => /PASSWORD|TOKEN|SECRET|DSN|PGUSER/.test(k) && k !== 'PG_PASSWORD_SECRET_ARN')).toEqual([]);
    const secrets = Object.fromEntries(app.Secrets.map((s: any) => [s.Name, JSON.stringify(s.ValueFrom)]));
    expect(Object.keys(secrets).sort()).toEqual(['PGPASSWORD', 'PGUSER', 'REDIS_AUTH_TOKEN']);
    expect(secrets.PGPASSWORD).toMatch(/:password::/);
    expect(secrets.PGUSER).toMatch(/:username::/);
  });

  test('a FireLens Fluent Bit sidecar ships the JSON logs to OpenSearch with SigV4 and copies them to CloudWatch Logs', () => {
    const { services, config } = env();
    const router = container(services, 'log-router');
    expect(router.FirelensConfiguration).toMatchObject({ Type: 'fluentbit', Options: { 'enable-ecs-log-metadata': 'true', 'config-file-type': 'file' } });
    expect(router.Image).toBe(`public.ecr.aws/aws-observability/aws-for-fluent-bit:${config.services.backend.logRouterImageTag}`);
    const extraConfig = JSON.stringify(environmentOf(router));
    expect(extraConfig).toContain('Name              cloudwatch_logs');
    expect(extraConfig).toContain('Parser       vigil_json');
    // Aliased, so the output's metrics are labelled name="opensearch" (the log-delivery signal reads them).
    expect(container(services, 'app').LogConfiguration.Options).toMatchObject({ Name: 'opensearch', Alias: 'opensearch', Buffer_Size: 'False' });
    // The router's own output has a group of its own: the shipped copy's IncomingLogEvents (the
    // log-router alarm's metric) must not count the router's error lines as delivered logs.
    const groups = Object.keys(services.findResources('AWS::Logs::LogGroup'));
    const shipped = groups.find((id) => /^BackendLogs[0-9A-F]{8}$/.test(id));
    const routerOwn = groups.find((id) => /^BackendRouterLogs[0-9A-F]{8}$/.test(id));
    expect(router.LogConfiguration.Options['awslogs-group']).toEqual({ Ref: routerOwn });
    expect(extraConfig).toContain(JSON.stringify({ Ref: shipped }));
    const app = container(services, 'app');
    expect(app.LogConfiguration).toMatchObject({
      LogDriver: 'awsfirelens',
      Options: { Name: 'opensearch', Port: '443', tls: 'On', AWS_Auth: 'On', AWS_Region: config.region, Logstash_Prefix: `${name}-backend` },
    });
  });

  test('the backend service starts after its task role is mapped in OpenSearch, so the first logs are not refused', () => {
    const { services } = env();
    const [serviceId, service] = Object.entries(services.findResources('AWS::ECS::Service')).find(([id]) => /^Backend/.test(id))!;
    const [mappingId] = Object.keys(services.findResources('Custom::OpenSearchRoleMapping'));
    expect(mappingId).toBeDefined();
    expect({ serviceId, dependsOn: (service as { DependsOn?: string[] }).DependsOn ?? [] }).toMatchObject({ dependsOn: expect.arrayContaining([mappingId]) });
  });

  test('backend tasks register A records in the private namespace, and scale on CPU and on requests per target', () => {
    const { services, config } = env();
    services.hasResourceProperties('AWS::ServiceDiscovery::PrivateDnsNamespace', { Name: `${name}.vigil.internal` });
    services.hasResourceProperties('AWS::ServiceDiscovery::Service', { Name: 'backend', DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 10 }] } });
    services.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: config.services.backend.minCount, MaxCapacity: config.services.backend.maxCount, ScalableDimension: 'ecs:service:DesiredCount',
    });
    services.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' }, TargetValue: config.services.backend.targetCpuUtilizationPercent,
      }),
    });
    services.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: 'ALBRequestCountPerTarget' }), TargetValue: config.services.backend.targetRequestsPerTargetPerMinute,
      }),
    });
  });

  test('Prometheus is one task with Alertmanager beside it and its TSDB on task-local ephemeral storage of the configured size (no EFS)', () => {
    const { services, config } = env();
    const taskDef = taskDefinitionOf(services, 'prometheus');
    expect(taskDef.EphemeralStorage).toEqual({ SizeInGiB: config.services.prometheus.ephemeralStorageGiB });
    expect(taskDef.Volumes).toEqual([{ Name: 'tsdb' }]);
    expect(taskDef.ContainerDefinitions.map((c: any) => c.Name).sort()).toEqual(['alertmanager', 'prometheus']);
    const prometheus = container(services, 'prometheus');
    expect(prometheus.Image).toBe(`quay.io/prometheus/prometheus:${config.services.prometheus.prometheusImageTag}`);
    expect(prometheus.MountPoints).toEqual([{ SourceVolume: 'tsdb', ContainerPath: '/prometheus', ReadOnly: false }]);
    expect(prometheus.Command).toContain(`--storage.tsdb.retention.time=${config.services.prometheus.retentionDays}d`);
    expect(container(services, 'alertmanager').Image).toBe(`quay.io/prometheus/alertmanager:${config.services.prometheus.alertmanagerImageTag}`);
    services.hasResourceProperties('AWS::ECS::Service', { TaskDefinition: { Ref: 'PrometheusTaskDef80D9B43D' }, DesiredCount: 1 });
    expect(JSON.stringify(services.toJSON())).not.toMatch(/AWS::EFS|EFSVolumeConfiguration/);
  });

  test('GIVEN the rotated database secret THEN the backend gets its ARN as PG_PASSWORD_SECRET_ARN and may read exactly that secret', () => {
    const { services } = env();
    const app = container(services, 'app');
    const arn = environmentOf(app).PG_PASSWORD_SECRET_ARN;
    // The very secret PGPASSWORD is injected from (its ValueFrom is "<arn>:password::").
    const passwordFrom = app.Secrets.find((s: any) => s.Name === 'PGPASSWORD').ValueFrom;
    expect(JSON.stringify(passwordFrom)).toContain(JSON.stringify(arn).slice(1, -1));
    const taskRole = taskDefinitionOf(services, 'app').TaskRoleArn['Fn::GetAtt'][0];
    const policy = onlyResource(services, 'AWS::IAM::Policy', { Properties: { Roles: [{ Ref: taskRole }] } }).resource.Properties;
    const read = policy.PolicyDocument.Statement.filter((s: any) => JSON.stringify(s.Action).includes('secretsmanager:'));
    expect(read).toEqual([expect.objectContaining({ Effect: 'Allow', Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Resource: arn })]);
  });

  test('Alertmanager may publish to exactly the two alert topics', () => {
    const policy = onlyResource(env().services, 'AWS::IAM::Policy', { Properties: { Roles: [{ Ref: 'PrometheusTaskDefTaskRole6D6E2CD5' }] } }).resource.Properties;
    const publish = policy.PolicyDocument.Statement.find((s: any) => s.Action === 'sns:Publish');
    expect(JSON.stringify(publish.Resource)).toMatch(new RegExp(`:${name}-vigil-alerts-critical".*:${name}-vigil-alerts-warning"`));
  });

  test('Grafana is behind the ALB on its path, with its admin password from Secrets Manager and anonymous access off', () => {
    const { services, config } = env();
    const routing = config.services.grafana.routing;
    if (routing.kind !== 'path') throw new Error('the committed environments route Grafana by path');
    services.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: [routing.pathPrefix, `${routing.pathPrefix}/*`] } }],
      Actions: [Match.objectLike({ Type: 'forward', TargetGroupArn: { Ref: 'GrafanaTargetGroup936B4D00' } })],
    });
    services.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 3000, HealthCheckPath: `${routing.pathPrefix}/api/health` });
    const grafana = container(services, 'grafana');
    expect(environmentOf(grafana)).toMatchObject({ GF_AUTH_ANONYMOUS_ENABLED: 'false', GF_USERS_ALLOW_SIGN_UP: 'false', GF_SERVER_SERVE_FROM_SUB_PATH: 'true' });
    expect(grafana.Secrets).toEqual([{ Name: 'GF_SECURITY_ADMIN_PASSWORD', ValueFrom: { Ref: 'GrafanaAdminPassword191CEB07' } }]);
  });

  test('security groups admit only their one client each: backend from the ALB (HTTP) and Prometheus (metrics of the app and of its log router), Grafana from the ALB', () => {
    const e = env();
    expect(ingressTo(e, /BackendSecurityGroup/)).toEqual(['2020-2020 from PrometheusSecurityGroup', '8080-8080 from LoadBalancerSecurityGroup', '9464-9464 from PrometheusSecurityGroup']);
    expect(ingressTo(e, /GrafanaSecurityGroup/)).toEqual(['3000-3000 from LoadBalancerSecurityGroup']);
    expect(ingressTo(e, /PrometheusSecurityGroup/)).toEqual(['9090-9090 from GrafanaSecurityGroup']);
  });

  test('PostgreSQL and Redis admit only the backend, on their ports; OpenSearch only the backend (log router) and Grafana on 443', () => {
    const e = env();
    expect(ingressTo(e, /DatabaseSecurityGroup/)).toEqual(['5432-5432 from BackendSecurityGroup']);
    expect(ingressTo(e, /CacheSecurityGroup/)).toEqual(['6379-6379 from BackendSecurityGroup']);
    expect(ingressTo(e, /DomainSecurityGroup/)).toEqual(['443-443 from BackendSecurityGroup', '443-443 from GrafanaSecurityGroup']);
  });
});

describe('Services differences the configuration asks for', () => {
  test('production remote-writes to a managed Prometheus workspace with SigV4 and Grafana reads it there; staging has none', () => {
    production.services.resourceCountIs('AWS::APS::Workspace', 1);
    staging.services.resourceCountIs('AWS::APS::Workspace', 0);
    const prometheusRole = onlyResource(production.services, 'AWS::IAM::Policy', { Properties: { Roles: [{ Ref: 'PrometheusTaskDefTaskRole6D6E2CD5' }] } }).resource.Properties;
    expect(JSON.stringify(prometheusRole)).toContain('aps:RemoteWrite');
    const grafanaRole = onlyResource(production.services, 'AWS::IAM::Policy', { Properties: { Roles: [{ Ref: 'GrafanaTaskDefTaskRoleF4555C66' }] } }).resource.Properties;
    expect(JSON.stringify(grafanaRole)).toContain('aps:QueryMetrics');
  });

  test('production runs Container Insights and more, larger backend tasks', () => {
    production.services.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
    staging.services.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'disabled' }] });
    expect(Number(taskDefinitionOf(production.services, 'app').Cpu)).toBeGreaterThan(Number(taskDefinitionOf(staging.services, 'app').Cpu));
  });

  test('GIVEN a certificate ARN WHEN synthesized THEN the ALB serves HTTPS with it, HTTP redirects, and no warning is raised', () => {
    const { services, stage } = withCertificate;
    services.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443, Protocol: 'HTTPS', Certificates: [{ CertificateArn: CERTIFICATE }], SslPolicy: Match.stringLikeRegexp('TLS13'),
    });
    services.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80, Protocol: 'HTTP', DefaultActions: [{ Type: 'redirect', RedirectConfig: Match.objectLike({ Port: '443', Protocol: 'HTTPS', StatusCode: 'HTTP_301' }) }],
    });
    Annotations.fromStack(stage.services).hasNoWarning('*', Match.stringLikeRegexp('plain HTTP|no certificate'));
    expect(services.toJSON().Parameters.CertificateArn).toBeUndefined();
    expect(services.toJSON().Rules.CertificateGiven).toBeUndefined();
  });

  test('GIVEN a Sentry DSN secret name WHEN synthesized THEN the backend gets SENTRY_DSN as an ECS secret, never as a plain variable', () => {
    const app = container(withCertificate.services, 'app');
    const sentry = app.Secrets.find((secret: any) => secret.Name === 'SENTRY_DSN');
    expect(JSON.stringify(sentry.ValueFrom)).toContain(':secret:vigil/production/sentry-dsn');
    expect(environmentOf(app).SENTRY_DSN).toBeUndefined();
    expect(container(production.services, 'app').Secrets.map((secret: any) => secret.Name)).not.toContain('SENTRY_DSN');
  });

  test('GIVEN host routing for Grafana WHEN synthesized THEN the ALB forwards that host to Grafana, served from the root', () => {
    const { services } = withCertificate;
    services.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['grafana.example.com'] } }],
      Actions: [Match.objectLike({ Type: 'forward', TargetGroupArn: { Ref: 'GrafanaTargetGroup936B4D00' } })],
    });
    services.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 3000, HealthCheckPath: '/api/health' });
    expect(environmentOf(container(services, 'grafana'))).toMatchObject({ GF_SERVER_ROOT_URL: 'https://grafana.example.com/', GF_SERVER_SERVE_FROM_SUB_PATH: 'false' });
  });

  test('GIVEN every optional input WHEN cdk-nag checks the stage THEN it still has no unacknowledged finding', () => {
    const report = new AwsSolutionsChecks().validateScope(withCertificate.stage);
    expect(report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`))).toEqual([]);
  });
});
