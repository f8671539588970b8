import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { AlertTopics } from '../constructs/alert-topics';
import { CatalogAlarms } from '../constructs/catalog-alarms';
import { CatalogDashboard } from '../constructs/catalog-dashboard';
import { HeartbeatTopic } from '../constructs/catalog-heartbeat';
import { renderAlarmSpecs } from '../observability/cloudwatch-alarms';
import { renderCloudWatchDashboard } from '../observability/cloudwatch-dashboard';
import type { AlertTopic } from '../observability/alarm-spec';
import type { MonitoredResources } from '../observability/monitored-resources';
import { VigilStack, type VigilStackProps } from './vigil-stack';

/** Props of {@link MonitoringStack}. */
export interface MonitoringStackProps extends VigilStackProps {
  /** Identifiers of what the CloudWatch signals watch, filled from the other stacks. */
  readonly resources: MonitoredResources;
  /**
   * ARNs of roles that publish alerts with their own credentials (Alertmanager's task role);
   * the topics' key lets them encrypt. @default []
   */
  readonly alertPublisherRoleArns?: readonly string[];
}

/**
 * Alerting: the `critical` (pages) and `warning` (tickets) SNS topics, KMS-encrypted and
 * TLS-only, with the optional e-mail subscription from `alerting.email`. Alertmanager publishes
 * to the same topics, so an operator reads one stream. The signal catalog adds its CloudWatch
 * alarms and dashboard here, from `resources` and `topics`.
 */
export class MonitoringStack extends VigilStack {
  /** Alert topics by role. */
  public readonly topics: Readonly<Record<AlertTopic, sns.ITopic>>;
  /** What the alarms watch (values may be tokens from the other stacks). */
  public readonly resources: MonitoredResources;
  /** The catalog's CloudWatch alarms. */
  public readonly alarms: CatalogAlarms;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const alertTopics = new AlertTopics(this, 'AlertTopics', {
      envName: props.config.envName,
      email: props.config.alerting.email,
      publisherRoleArns: props.alertPublisherRoleArns,
    });
    this.topics = alertTopics.topics;
    // Alertmanager sends the always-firing Watchdog here; the catalog's watchdog signal alarms when it stops.
    const heartbeat = new HeartbeatTopic(this, 'Heartbeat', { envName: props.config.envName, key: alertTopics.key });
    this.resources = { ...props.resources, heartbeatTopicName: heartbeat.topic.topicName };
    // The catalog's CloudWatch side: one alarm per signal x severity from config.alarms, and the
    // dashboard drawing the same thresholds.
    const specs = renderAlarmSpecs(props.config.envName, props.config.alarms, this.resources);
    this.alarms = new CatalogAlarms(this, 'CatalogAlarms', { specs, topics: this.topics });
    new CatalogDashboard(this, 'CatalogDashboard', { model: renderCloudWatchDashboard(props.config.envName, props.config.alarms, this.resources, specs) });
  }
}
