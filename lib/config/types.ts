/**
 * Every knob of one Vigil environment. Plain data: the stacks read it, nothing here reads
 * context or environment variables (that happens only in `bin/`).
 *
 * Staging and production differ only by the values in `staging.ts` and `production.ts`; a stack
 * never asks "is this production?". Units are part of each field's name.
 *
 * To add a knob: add the field here with JSDoc and `@default`, give it a value in both
 * environment files, and add a rule to `validate` in `index.ts` when a value can be wrong.
 */

import type { CatalogSettings } from '../observability/settings';

/** The environments Vigil deploys. */
export type EnvironmentName = 'staging' | 'production';

/** How the ALB routes to Grafana. */
export type GrafanaRouting =
  /** Requests whose path starts with `pathPrefix` (for example `/grafana`) go to Grafana. */
  | { readonly kind: 'path'; readonly pathPrefix: string }
  /** Requests for `hostName` (a DNS name you point at the ALB) go to Grafana. */
  | { readonly kind: 'host'; readonly hostName: string };

/** The VPC. */
export interface NetworkConfig {
  /** IPv4 CIDR of the VPC. @default '10.0.0.0/16' */
  readonly vpcCidr: string;
  /**
   * Availability zones, listed explicitly so synth never asks AWS which exist.
   * Each must belong to `region`. @default - two (staging) or three (production) zones
   */
  readonly availabilityZones: readonly string[];
  /** NAT gateways; 1 shares one across zones, one per zone survives a zone outage. @default 1 */
  readonly natGateways: number;
  /** Retention of the VPC flow log group, in days (a CloudWatch Logs retention value). @default 30 */
  readonly flowLogRetentionDays: number;
  /**
   * Interface VPC endpoints, by AWS service name suffix (`ecr.api`, `logs`, `secretsmanager`, ...),
   * so task traffic to these services stays off the NAT. The S3 gateway endpoint is always made.
   * @default [] - tasks reach AWS APIs through the NAT gateways
   */
  readonly interfaceEndpointServices: readonly string[];
}

/** RDS PostgreSQL. */
export interface DatabaseConfig {
  /**
   * Full engine version, pinned (`16.13`): minor upgrades are a reviewed change. RDS stops
   * creating instances on old minors (16.4–16.8 can no longer be created in 2026): re-check the pin
   * against `aws rds describe-db-engine-versions --engine postgres` before a first deploy.
   * @default '16.13'
   */
  readonly engineVersion: string;
  /** Instance class without the `db.` prefix (`t4g.micro`, `r6g.large`). @default 't4g.micro' */
  readonly instanceType: string;
  /** Initial allocated storage in GiB. @default 20 */
  readonly allocatedStorageGiB: number;
  /** Storage autoscaling ceiling in GiB; must exceed `allocatedStorageGiB`. @default 100 */
  readonly maxAllocatedStorageGiB: number;
  /** A standby in a second zone with automatic failover. @default false */
  readonly multiAz: boolean;
  /** Automated backup (point-in-time recovery) window in days, 1..35. @default 7 */
  readonly backupRetentionDays: number;
  /** CloudFormation refuses to delete the instance while true. @default false */
  readonly deletionProtection: boolean;
  /**
   * What deleting the stack does to the instance: `snapshot` keeps a final snapshot, `retain`
   * keeps the instance itself. @default 'snapshot'
   */
  readonly removalPolicy: 'snapshot' | 'retain';
  /** Performance Insights retention in days (7, or a multiple of 31 up to 731); 0 turns it off. @default 7 */
  readonly performanceInsightsRetentionDays: number;
  /** Enhanced monitoring interval in seconds (1, 5, 10, 15, 30, 60); 0 turns it off. @default 60 */
  readonly enhancedMonitoringIntervalSeconds: number;
  /** Rotate the master password every this many days; 0 turns rotation off. @default 0 */
  readonly credentialRotationDays: number;
  /** Retention of the exported PostgreSQL log group in days. @default 30 */
  readonly logRetentionDays: number;
}

/** ElastiCache Redis (one shard, a primary and replicas). */
export interface CacheConfig {
  /** Redis engine version, pinned. @default '7.1' */
  readonly engineVersion: string;
  /** Node type (`cache.t4g.micro`). @default 'cache.t4g.micro' */
  readonly nodeType: string;
  /** Nodes in the shard, primary included; replicas are spread over the zones. @default 1 */
  readonly nodeCount: number;
  /** Promote a replica in another zone when the primary fails; needs `nodeCount` >= 2. @default false */
  readonly multiAzWithAutomaticFailover: boolean;
  /** Daily snapshots kept, in days; 0 takes none. @default 0 */
  readonly snapshotRetentionDays: number;
  /** Retention of the slow-log group in days. @default 30 */
  readonly slowLogRetentionDays: number;
  /** What deleting the stack does to the replication group. @default 'snapshot' */
  readonly removalPolicy: 'snapshot' | 'retain';
}

/** Amazon OpenSearch Service (the log store). */
export interface SearchConfig {
  /** Engine version as the service spells it (`OpenSearch_2.17`). @default 'OpenSearch_2.17' */
  readonly engineVersion: string;
  /** Data node instance type. @default 't3.small.search' */
  readonly dataNodeInstanceType: string;
  /** Data nodes; a multiple of `zoneCount` when zone awareness is on. @default 1 */
  readonly dataNodeCount: number;
  /** Dedicated master nodes: 0 (none), 3 or 5. @default 0 */
  readonly dedicatedMasterCount: number;
  /** Dedicated master instance type; used when `dedicatedMasterCount` > 0. @default 'm6g.large.search' */
  readonly dedicatedMasterInstanceType: string;
  /** Zones the data nodes spread over: 1 (no zone awareness), 2 or 3. @default 1 */
  readonly zoneCount: number;
  /** gp3 EBS volume per data node in GiB. @default 10 */
  readonly volumeSizeGiB: number;
  /** Retention of the slow/error log groups in days. @default 30 */
  readonly logRetentionDays: number;
  /**
   * Days the backend's daily log indices (`<env>-backend-YYYY.MM.DD`) are kept: an Index State
   * Management policy deletes each index this many days after it was created. Size it with
   * `volumeSizeGiB`: OpenSearch blocks writes when the disk fills. @default 14
   */
  readonly logIndexRetentionDays: number;
  /** What deleting the stack does to the domain. @default 'destroy' */
  readonly removalPolicy: 'destroy' | 'retain';
}

/** CPU and memory of one Fargate task. */
export interface TaskSizeConfig {
  /** Fargate CPU units (256 = 0.25 vCPU). @default 256 */
  readonly cpuUnits: number;
  /** Task memory in MiB; must be a Fargate-valid pairing with `cpuUnits`. @default 512 */
  readonly memoryMiB: number;
}

/** The backend Fargate service built from `app/`. */
export interface BackendConfig extends TaskSizeConfig {
  /** Tasks at deploy time. @default 1 */
  readonly desiredCount: number;
  /** Autoscaling floor. @default 1 */
  readonly minCount: number;
  /** Autoscaling ceiling. @default 2 */
  readonly maxCount: number;
  /** Target-tracking goal for average CPU, in percent. @default 60 */
  readonly targetCpuUtilizationPercent: number;
  /** Target-tracking goal for ALB requests per target per minute. @default 1000 */
  readonly targetRequestsPerTargetPerMinute: number;
  /**
   * ALB deregistration delay in seconds; must be shorter than the container stop timeout
   * (30 s) so the ALB stops sending before ECS sends SIGKILL. @default 20
   */
  readonly deregistrationDelaySeconds: number;
  /**
   * Seconds after a task starts during which ECS ignores failed ALB health checks, so a task
   * still connecting to PostgreSQL and Redis is not replaced before `/readyz` can pass. @default 60
   */
  readonly healthCheckGracePeriodSeconds: number;
  /** Tag of `public.ecr.aws/aws-observability/aws-for-fluent-bit` (the FireLens log router), pinned. @default '2.32.4' */
  readonly logRouterImageTag: string;
  /**
   * PostgreSQL connections each task's pool may open (`PG_POOL_MAX`, 1..100); a task holds one
   * more for its readiness check. With `maxCount` it sets how many connections the backend can
   * hold at once, which every enabled `rdsConnections` tier must exceed. @default 10
   */
  readonly pgPoolMax: number;
  /** Application log level (`LOG_LEVEL`). @default 'info' */
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  /**
   * Name of an existing Secrets Manager secret holding the Sentry DSN; injected as `SENTRY_DSN`.
   * @default undefined - Sentry stays a no-op
   */
  readonly sentryDsnSecretName?: string;
}

/** The Prometheus + Alertmanager task. */
export interface PrometheusConfig extends TaskSizeConfig {
  /** Image tag of `quay.io/prometheus/prometheus`, pinned. @default 'v2.55.1' */
  readonly prometheusImageTag: string;
  /** Image tag of `quay.io/prometheus/alertmanager`, pinned. @default 'v0.28.1' */
  readonly alertmanagerImageTag: string;
  /** Local TSDB retention in days (`--storage.tsdb.retention.time`). @default 7 */
  readonly retentionDays: number;
  /** Fargate task-local ephemeral storage for the TSDB, in GiB (21..200). @default 21 */
  readonly ephemeralStorageGiB: number;
  /** Scrape and rule evaluation interval in seconds. @default 15 */
  readonly scrapeIntervalSeconds: number;
  /**
   * Create an Amazon Managed Service for Prometheus workspace, `remote_write` to it with SigV4
   * and point Grafana at it. @default false - Grafana reads the Prometheus task directly
   */
  readonly remoteWriteToManagedPrometheus: boolean;
}

/** The Grafana task. */
export interface GrafanaConfig extends TaskSizeConfig {
  /** Image tag of `grafana/grafana`, pinned. @default '11.6.1' */
  readonly imageTag: string;
  /** Version of the `grafana-opensearch-datasource` plugin installed at start. @default '2.24.0' */
  readonly openSearchPluginVersion: string;
  /** How the ALB routes to Grafana. @default { kind: 'path', pathPrefix: '/grafana' } */
  readonly routing: GrafanaRouting;
}

/** The ECS cluster and the ALB. */
export interface ServicesConfig {
  /** CloudWatch Container Insights on the cluster. @default false */
  readonly containerInsights: boolean;
  /** Retention of the ALB access-log bucket objects, in days. @default 90 */
  readonly albAccessLogRetentionDays: number;
  /** Retention of the containers' CloudWatch log groups, in days. @default 30 */
  readonly containerLogRetentionDays: number;
  /**
   * ACM certificate ARN for the HTTPS listener (HTTP then redirects to HTTPS). Usually set from
   * `bin/` (context `certificateArn`). @default undefined - see {@link requireHttps}
   */
  readonly certificateArn?: string;
  /**
   * Whether the ALB must serve HTTPS. When true and no `certificateArn` is given at synth, the
   * template still has the HTTPS listener (and the HTTP redirect) but takes the certificate as the
   * stack parameter `CertificateArn`, and a CloudFormation rule refuses the deploy until one is
   * given; synth stays offline. When false, no certificate means plain HTTP and a synth warning.
   * @default true
   */
  readonly requireHttps: boolean;
  readonly backend: BackendConfig;
  readonly prometheus: PrometheusConfig;
  readonly grafana: GrafanaConfig;
}

/** SNS alerting. */
export interface AlertingConfig {
  /** E-mail address subscribed to both alert topics. Usually set from `bin/`. @default undefined - no subscription */
  readonly email?: string;
}

/** One environment: everything that differs between staging and production lives here. */
export interface EnvironmentConfig {
  readonly envName: EnvironmentName;
  /** AWS region, e.g. `eu-west-1`. */
  readonly region: string;
  /** Termination protection on the stateful stacks (Data, Logs). @default false */
  readonly terminationProtection: boolean;
  readonly network: NetworkConfig;
  readonly database: DatabaseConfig;
  readonly cache: CacheConfig;
  readonly search: SearchConfig;
  readonly services: ServicesConfig;
  readonly alerting: AlertingConfig;
  /**
   * Alarm numbers for every signal of the catalog (`lib/observability/signals.ts`), keyed by
   * severity and named by unit and direction, or `{ disabled: '<reason>' }`; the API's
   * availability objective; and where the runbooks are read. A signal left out, or a number
   * under the wrong unit, does not compile. No defaults: every environment states them.
   */
  readonly alarms: CatalogSettings;
}
