/**
 * The identifiers of the deployed resources that the signal catalog's CloudWatch signals watch.
 *
 * The stacks fill it (values may be CDK tokens at synth); the catalog's renderers use it for
 * metric dimensions. `vigil verify` fills it from the account's alarms instead, so the catalog
 * needs no CDK to render.
 */
export interface MonitoredResources {
  /** AWS account id (OpenSearch metrics carry it as the `ClientId` dimension). */
  readonly accountId: string;
  readonly region: string;
  /** ALB `LoadBalancer` dimension, e.g. `app/staging-vigil/0123456789abcdef`. */
  readonly loadBalancerFullName: string;
  /** Backend target group `TargetGroup` dimension, e.g. `targetgroup/backend/0123456789abcdef`. */
  readonly backendTargetGroupFullName: string;
  readonly clusterName: string;
  /** ECS service names by role. */
  readonly backendServiceName: string;
  readonly prometheusServiceName: string;
  readonly grafanaServiceName: string;
  /** RDS `DBInstanceIdentifier`. */
  readonly dbInstanceIdentifier: string;
  /** ElastiCache replication group id (a literal name, not a token). */
  readonly redisReplicationGroupId: string;
  /** Every member cache cluster of the replication group, `<groupId>-001`, `-002`, ... */
  readonly redisCacheClusterIds: readonly string[];
  /** OpenSearch `DomainName` dimension. */
  readonly openSearchDomainName: string;
  /**
   * CloudWatch log group the backend's FireLens log router also writes to; the log-router signal
   * watches its incoming events. Required while that signal is enabled.
   */
  readonly backendLogGroupName?: string;
  /**
   * Name of the SNS topic Alertmanager publishes the always-firing Watchdog alert to; the watchdog
   * signal alarms when it stops receiving messages. Required while that signal is enabled.
   */
  readonly heartbeatTopicName?: string;
}
