import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import type { Construct } from 'constructs';
import { acknowledge } from '../constructs/acknowledge';
import { backendLogIndexPattern, backendLogIndexPrefix, OpenSearchIndexLifecycle, OpenSearchRoleMappingProvider } from '../constructs/opensearch-role-mapping';
import { VigilStack, type VigilStackProps } from './vigil-stack';

/** The literal OpenSearch domain name of an environment (alarms use it as a dimension). */
export function openSearchDomainName(envName: string): string {
  return `${envName}-vigil-logs`;
}

/** Props of {@link LogsStack}. */
export interface LogsStackProps extends VigilStackProps {
  readonly vpc: ec2.IVpc;
}

/**
 * The log store: an Amazon OpenSearch Service domain in the private subnets, encrypted at rest
 * and between nodes, HTTPS with TLS 1.2+, fine-grained access control, its slow and error logs
 * in CloudWatch Logs. The domain has no resource policy: nobody is allowed by default, and the
 * Services stack grants the backend task role write access and Grafana's task role read access
 * through their identity policies (so no principal here depends on the later stack).
 */
export class LogsStack extends VigilStack {
  public readonly domain: opensearch.Domain;
  /** Literal domain name (alarms use it as the `DomainName` dimension). */
  public readonly domainName: string;
  /** The domain's security group; the Services stack admits the log router and Grafana. */
  public readonly domainSecurityGroup: ec2.SecurityGroup;
  /** Engine version as Grafana's datasource wants it (`2.17.0`). */
  public readonly engineVersionNumber: string;
  /**
   * The function whose execution role is the domain's master user; the Services stack points its
   * role-mapping custom resource at it once the task roles exist.
   */
  public readonly roleMappingProvider: OpenSearchRoleMappingProvider;
  /** Deletes the backend's daily log indices after `search.logIndexRetentionDays`. */
  public readonly logIndexLifecycle: OpenSearchIndexLifecycle;

  constructor(scope: Construct, id: string, props: LogsStackProps) {
    super(scope, id, { ...props, terminationProtection: props.config.terminationProtection });
    const { envName, search } = props.config;
    this.domainName = openSearchDomainName(envName);
    this.engineVersionNumber = `${search.engineVersion.split('_')[1]}.0`;

    const key = new kms.Key(this, 'LogsKey', {
      description: `${envName} Vigil OpenSearch domain at rest`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.domainSecurityGroup = new ec2.SecurityGroup(this, 'DomainSecurityGroup', {
      vpc: props.vpc,
      description: `${envName} OpenSearch: HTTPS from the log router and Grafana only`,
      allowAllOutbound: false,
    });

    const logGroup = (name: string) => new logs.LogGroup(this, name, {
      retention: search.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const slowSearchLogGroup = logGroup('SlowSearchLogs');
    const slowIndexLogGroup = logGroup('SlowIndexLogs');
    const appLogGroup = logGroup('ErrorLogs');
    const auditLogGroup = logGroup('AuditLogs');
    // One native resource policy lets the service write to the four groups; CDK's default would
    // add a custom-resource Lambda to do the same.
    new logs.CfnResourcePolicy(this, 'DomainLogsPolicy', {
      policyName: `${envName}-vigil-opensearch-logs`,
      policyDocument: this.toJsonString({
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Allow',
          Principal: { Service: 'es.amazonaws.com' },
          Action: ['logs:PutLogEvents', 'logs:CreateLogStream'],
          Resource: [slowSearchLogGroup, slowIndexLogGroup, appLogGroup, auditLogGroup].map((g) => g.logGroupArn),
        }],
      }),
    });

    const logIndexPattern = backendLogIndexPattern(envName);
    // The domain and the lifecycle that deletes its old indices go, or stay, together.
    const removalPolicy = search.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.roleMappingProvider = new OpenSearchRoleMappingProvider(this, 'RoleMappingProvider', {
      vpc: props.vpc, domainName: this.domainName, domainSecurityGroup: this.domainSecurityGroup, logIndexPattern,
    });

    const privateSubnets = props.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnets;
    const zoneAware = search.zoneCount > 1;
    this.domain = new opensearch.Domain(this, 'Domain', {
      domainName: this.domainName,
      version: opensearch.EngineVersion.openSearch(search.engineVersion.split('_')[1]),
      vpc: props.vpc,
      vpcSubnets: [{ subnets: privateSubnets.slice(0, search.zoneCount) }],
      securityGroups: [this.domainSecurityGroup],
      capacity: {
        dataNodes: search.dataNodeCount,
        dataNodeInstanceType: search.dataNodeInstanceType,
        masterNodes: search.dedicatedMasterCount > 0 ? search.dedicatedMasterCount : undefined,
        masterNodeInstanceType: search.dedicatedMasterCount > 0 ? search.dedicatedMasterInstanceType : undefined,
        multiAzWithStandbyEnabled: false,
      },
      zoneAwareness: zoneAware ? { enabled: true, availabilityZoneCount: search.zoneCount } : { enabled: false },
      ebs: { volumeSize: search.volumeSizeGiB, volumeType: ec2.EbsDeviceVolumeType.GP3 },
      encryptionAtRest: { enabled: true, kmsKey: key },
      nodeToNodeEncryption: true,
      enforceHttps: true,
      tlsSecurityPolicy: opensearch.TLSSecurityPolicy.TLS_1_2,
      // Fine-grained access control whose master user is the role-mapping function's IAM role:
      // the deployment itself maps the task roles to security roles; services sign with SigV4.
      fineGrainedAccessControl: { masterUserArn: this.roleMappingProvider.role.roleArn },
      logging: {
        slowSearchLogEnabled: true, slowSearchLogGroup,
        slowIndexLogEnabled: true, slowIndexLogGroup,
        appLogEnabled: true, appLogGroup,
        auditLogEnabled: true, auditLogGroup,
      },
      suppressLogsResourcePolicy: true,
      removalPolicy,
    });
    this.domain.node.addDependency(this.node.findChild('DomainLogsPolicy'));

    // Signed requests only: the account's IAM decides (the backend and Grafana task roles get
    // identity policies in the Services stack); no anonymous principal. Set on the L1 with a
    // literal ARN because CDK's accessPolicies would add a custom-resource Lambda.
    const cfnDomain = this.domain.node.defaultChild as opensearch.CfnDomain;
    cfnDomain.accessPolicies = {
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Principal: { AWS: new iam.AccountRootPrincipal().arn },
        Action: 'es:ESHttp*',
        Resource: this.formatArn({ service: 'es', resource: 'domain', resourceName: `${this.domainName}/*` }),
      }],
    };
    acknowledge(cfnDomain, 'AwsSolutions-OS3', 'The domain lives in private subnets behind a security group that admits only the log router and Grafana; IP allow-lists do not apply inside a VPC.');
    if (search.dedicatedMasterCount === 0) {
      acknowledge(cfnDomain, 'AwsSolutions-OS4', `${envName} runs without dedicated masters by configuration (search.dedicatedMasterCount is 0).`);
    }
    if (!zoneAware) {
      acknowledge(cfnDomain, 'AwsSolutions-OS7', `${envName} runs in one zone by configuration (search.zoneCount is 1).`);
    }

    // FireLens opens a new index every day; without this they fill the disk, and OpenSearch then
    // blocks all writes. One replica where a second data node can hold it, none on a single node
    // (an unassignable replica would keep the cluster yellow).
    this.logIndexLifecycle = new OpenSearchIndexLifecycle(this, 'LogIndexLifecycle', {
      serviceToken: this.roleMappingProvider.function.functionArn,
      endpoint: this.domain.domainEndpoint,
      region: props.config.region,
      name: `${backendLogIndexPrefix(envName)}-retention`,
      indexPattern: logIndexPattern,
      deleteAfterDays: search.logIndexRetentionDays,
      replicas: search.dataNodeCount > 1 ? 1 : 0,
      // A domain kept after the stack is gone keeps deleting old indices.
      removalPolicy,
    });
    // The function reaches the domain only once the domain's group admits it on 443.
    this.logIndexLifecycle.node.addDependency(this.domainSecurityGroup);
  }

  /**
   * The ARN of the domain's HTTP paths (`.../domain/<name>/*`), built from the literal name so a
   * grant in a later stack needs no cross-stack export.
   */
  public domainPathsArn(scope: Construct): string {
    return Stack.of(scope).formatArn({ service: 'es', resource: 'domain', resourceName: `${this.domainName}/*` });
  }

  /**
   * Allows `role` to index documents (the FireLens log router runs with the backend task role).
   * @returns the statement, so the caller can acknowledge its path wildcard
   */
  public grantWrite(role: iam.IRole): iam.PolicyStatement {
    return this.grantHttp(role, ['es:ESHttpPost', 'es:ESHttpPut', 'es:ESHttpHead']);
  }

  /**
   * Allows `role` to search (Grafana): reads plus the POST that `_search` and `_msearch` use.
   * @returns the statement, so the caller can acknowledge its path wildcard
   */
  public grantSearch(role: iam.IRole): iam.PolicyStatement {
    return this.grantHttp(role, ['es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPost']);
  }

  private grantHttp(role: iam.IRole, actions: string[]): iam.PolicyStatement {
    const statement = new iam.PolicyStatement({ actions, resources: [this.domainPathsArn(role)] });
    role.addToPrincipalPolicy(statement);
    return statement;
  }
}
