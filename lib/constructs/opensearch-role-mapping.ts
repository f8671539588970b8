import * as fs from 'node:fs';
import * as path from 'node:path';
import { CustomResource, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';

/**
 * Folder of the handler (plain CommonJS, node built-ins only: the asset is the folder as is).
 * Found by walking up from this file, because the CLI runs an esbuild bundle from `dist/cdk-app/`
 * where `__dirname` is no longer `lib/constructs/`.
 */
export const ROLE_MAPPING_HANDLER_DIR = findHandlerDirectory(__dirname);

function findHandlerDirectory(from: string): string {
  const relative = path.join('lib', 'constructs', 'opensearch-role-mapping-handler');
  if (fs.existsSync(path.join(from, 'opensearch-role-mapping-handler', 'index.js'))) return path.join(from, 'opensearch-role-mapping-handler');
  for (let dir = from; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, relative, 'index.js')) && fs.existsSync(path.join(dir, 'cdk.json'))) return path.join(dir, relative);
  }
  throw new Error(`the role-mapping handler (${relative}/index.js) was not found above ${from}; run synth from the repository checkout`);
}

/** CloudFormation type of the role-mapping custom resource. */
export const ROLE_MAPPING_RESOURCE_TYPE = 'Custom::OpenSearchRoleMapping';
/** CloudFormation type of the index-lifecycle custom resource (same function). */
export const INDEX_LIFECYCLE_RESOURCE_TYPE = 'Custom::OpenSearchIndexLifecycle';

/** Prefix of the backend's daily log indices (`<env>-backend-YYYY.MM.DD`), which its log router writes. */
export function backendLogIndexPrefix(envName: string): string {
  return `${envName}-backend`;
}

/** The pattern that matches every one of those daily indices (`<env>-backend-*`). */
export function backendLogIndexPattern(envName: string): string {
  return `${backendLogIndexPrefix(envName)}-*`;
}

/** Rules the handler also enforces on a lifecycle's name and index pattern (one definition, in the asset). */
const { LIFECYCLE_NAME_PATTERN, LIFECYCLE_INDEX_PATTERN } = require(path.join(ROLE_MAPPING_HANDLER_DIR, 'index.js')) as {
  LIFECYCLE_NAME_PATTERN: RegExp;
  LIFECYCLE_INDEX_PATTERN: RegExp;
};

/** Props of {@link OpenSearchRoleMappingProvider}. */
export interface OpenSearchRoleMappingProviderProps {
  readonly vpc: ec2.IVpc;
  /** Literal domain name; the role may call the security API of this domain only. */
  readonly domainName: string;
  /** The domain's security group: it admits the function on 443. */
  readonly domainSecurityGroup: ec2.ISecurityGroup;
  /** Indices whose lifecycle the function manages (`<prefix>-*`): it may set their replica count. */
  readonly logIndexPattern: string;
}

/**
 * Domain paths the master-user function calls, and why each needs its wildcard: the security API
 * (roles and mappings), Index State Management (the retention policy and attaching it), index
 * templates, and the managed indices' settings (their replica count).
 */
function masterUserPaths(logIndexPattern: string): Array<{ path: string; reason: string }> {
  return [
    { path: '_plugins/_security/api/*', reason: 'The wildcard covers the security API paths (roles and rolesmapping by name) of this one domain only.' },
    { path: '_plugins/_ism/*', reason: 'The wildcard covers Index State Management paths (the retention policy by name, and attaching it to the log indices) of this one domain only.' },
    { path: '_index_template/*', reason: 'The wildcard covers index templates by name (the log indices\' replica count) of this one domain only.' },
    { path: `${logIndexPattern}/_settings`, reason: 'The wildcard is the daily log index pattern: the deployment sets those indices\' replica count, on this one domain only.' },
  ];
}

/**
 * The function behind {@link OpenSearchRoleMapping}, in the private subnets. Its execution role
 * is the domain's fine-grained access control master user (the domain names `role.roleArn` as
 * master), so it may edit security roles; only Lambda can assume it. Lives in the Logs stack,
 * before the domain, because the domain needs the role's ARN.
 */
export class OpenSearchRoleMappingProvider extends Construct {
  /** The master-user role (the function's execution role). */
  public readonly role: iam.Role;
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: OpenSearchRoleMappingProviderProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const paths = masterUserPaths(props.logIndexPattern);
    const pathArn = (p: string) => stack.formatArn({ service: 'es', resource: 'domain', resourceName: `${props.domainName}/${p}` });
    // Inline policies are part of the role resource, so Lambda sees the ENI permissions when it
    // creates the function (a separate policy resource could arrive later).
    this.role = new iam.Role(this, 'MasterRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `OpenSearch ${props.domainName} fine-grained access control master user; maps IAM roles to security roles at deploy`,
      inlinePolicies: {
        Run: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
            new iam.PolicyStatement({
              actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
              resources: ['*'],
            }),
            new iam.PolicyStatement({ actions: ['es:ESHttpGet', 'es:ESHttpPut', 'es:ESHttpPost', 'es:ESHttpDelete'], resources: paths.map((p) => pathArn(p.path)) }),
          ],
        }),
      },
    });
    const literalOr = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
    acknowledge(this.role.node.defaultChild!, 'AwsSolutions-IAM5[Resource::*]',
      'Lambda in a VPC creates and deletes its network interfaces; EC2 does not scope these actions to resources it has not created yet.');
    for (const { path: p, reason } of paths) {
      acknowledge(this.role.node.defaultChild!,
        `AwsSolutions-IAM5[Resource::arn:${literalOr(stack.partition, 'Partition')}:es:${literalOr(stack.region, 'Region')}:${literalOr(stack.account, 'AccountId')}`
        + `:domain/${props.domainName}/${p}]`, reason);
    }

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `${props.domainName} role mapping: HTTPS to OpenSearch and to the CloudFormation response URL`,
      allowAllOutbound: false,
    });
    // The domain's API and CloudFormation's pre-signed S3 response URL are both HTTPS.
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to OpenSearch and the CloudFormation response URL');
    props.domainSecurityGroup.addIngressRule(this.securityGroup, ec2.Port.tcp(443), 'role mapping custom resource to OpenSearch');

    this.function = new lambda.Function(this, 'Function', {
      description: `Maps IAM task roles to OpenSearch security roles and keeps the log index lifecycle on ${props.domainName}`,
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(ROLE_MAPPING_HANDLER_DIR),
      role: this.role,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.securityGroup],
      timeout: Duration.minutes(2),
      logGroup,
    });
  }
}

/** Props of {@link OpenSearchRoleMapping}. */
export interface OpenSearchRoleMappingProps {
  readonly envName: string;
  /** `provider.function.functionArn`. */
  readonly serviceToken: string;
  /** Domain host name (`domain.domainEndpoint`). */
  readonly endpoint: string;
  readonly region: string;
  /** Roles that index `<env>-backend-*` (the backend task role: its FireLens router writes). */
  readonly writerRoleArns: string[];
  /** Roles that search `<env>-backend-*` (Grafana's task role). */
  readonly readerRoleArns: string[];
}

/**
 * OpenSearch security roles `<env>_backend_logs_writer` / `<env>_backend_logs_reader` on
 * `<env>-backend-*`, each mapped to IAM role ARNs as backend roles. Without a mapping,
 * fine-grained access control authenticates the signed requests and then refuses them (403).
 */
export class OpenSearchRoleMapping extends Construct {
  /** The index pattern both roles cover. */
  public readonly indexPattern: string;
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: OpenSearchRoleMappingProps) {
    super(scope, id);
    if (!/^[a-z0-9-]+$/.test(props.envName)) {
      throw new Error(`OpenSearchRoleMapping envName must match [a-z0-9-]+ (it names indices and roles), got '${props.envName}'`);
    }
    for (const [field, arns] of [['writerRoleArns', props.writerRoleArns], ['readerRoleArns', props.readerRoleArns]] as const) {
      if (arns.length === 0) throw new Error(`OpenSearchRoleMapping ${field} is empty: pass at least one IAM role ARN, or an unmapped role would be created`);
    }
    this.indexPattern = backendLogIndexPattern(props.envName);
    const roleName = (suffix: string) => `${props.envName.replace(/-/g, '_')}_backend_logs_${suffix}`;
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: props.serviceToken,
      resourceType: ROLE_MAPPING_RESOURCE_TYPE,
      properties: {
        Endpoint: props.endpoint,
        Region: props.region,
        Roles: [
          {
            Name: roleName('writer'),
            // Bulk requests are cluster-level actions; daily indices are created on first write.
            ClusterPermissions: ['cluster_composite_ops', 'cluster_monitor'],
            IndexPatterns: [this.indexPattern],
            AllowedActions: ['crud', 'create_index', 'indices:admin/create', 'indices:admin/mapping/put'],
            BackendRoles: props.writerRoleArns,
          },
          {
            Name: roleName('reader'),
            // Grafana's datasource reads mappings and runs _search/_msearch, and PPL queries
            // (pplEnabled), which need the PPL plugin's action and the indices' settings, as the
            // plugin's own ppl_full_access role grants them.
            ClusterPermissions: ['cluster_composite_ops_ro', 'cluster_monitor', 'cluster:admin/opensearch/ppl'],
            IndexPatterns: [this.indexPattern],
            AllowedActions: ['read', 'search', 'indices:admin/mappings/get', 'indices:monitor/settings/get'],
            BackendRoles: props.readerRoleArns,
          },
        ],
      },
    });
  }
}

/** Props of {@link OpenSearchIndexLifecycle}. */
export interface OpenSearchIndexLifecycleProps {
  /** `provider.function.functionArn`. */
  readonly serviceToken: string;
  /** Domain host name (`domain.domainEndpoint`). */
  readonly endpoint: string;
  readonly region: string;
  /** Names the ISM policy and the index template. */
  readonly name: string;
  /** Indices it manages: a prefix and `-*` (`staging-backend-*`). */
  readonly indexPattern: string;
  /** Each index is deleted this many days after it was created. */
  readonly deleteAfterDays: number;
  /** Replica shards per primary for the indices (0 on a single data node, which cannot hold one). */
  readonly replicas: number;
  /**
   * RETAIN where the domain outlives its stack, so the indices it keeps are still deleted on
   * time; DESTROY removes the policy and the template with the stack. @default DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Keeps daily log indices for a fixed number of days: an Index State Management policy that
 * deletes each one `deleteAfterDays` after its creation (attached to new indices by its ISM
 * template, to existing ones at deploy), and an index template giving them `replicas` replicas.
 * Without it FireLens's daily indices pile up until the disk fills and OpenSearch blocks writes.
 */
export class OpenSearchIndexLifecycle extends Construct {
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: OpenSearchIndexLifecycleProps) {
    super(scope, id);
    if (!LIFECYCLE_NAME_PATTERN.test(props.name)) {
      throw new Error(`OpenSearchIndexLifecycle name must match [a-z0-9][a-z0-9_-]* (it names the ISM policy and the index template), got '${props.name}'`);
    }
    if (!LIFECYCLE_INDEX_PATTERN.test(props.indexPattern)) {
      throw new Error(`OpenSearchIndexLifecycle indexPattern must be an index prefix followed by -* (e.g. staging-backend-*), got '${props.indexPattern}'`);
    }
    if (!Number.isInteger(props.deleteAfterDays) || props.deleteAfterDays < 1) {
      throw new Error(`OpenSearchIndexLifecycle deleteAfterDays must be a whole number of days, at least 1, got ${props.deleteAfterDays}`);
    }
    if (!Number.isInteger(props.replicas) || props.replicas < 0) {
      throw new Error(`OpenSearchIndexLifecycle replicas must be a whole number, 0 or more, got ${props.replicas}`);
    }
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: props.serviceToken,
      resourceType: INDEX_LIFECYCLE_RESOURCE_TYPE,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
      properties: {
        Endpoint: props.endpoint,
        Region: props.region,
        Name: props.name,
        IndexPattern: props.indexPattern,
        DeleteAfterDays: props.deleteAfterDays,
        Replicas: props.replicas,
      },
    });
  }
}
