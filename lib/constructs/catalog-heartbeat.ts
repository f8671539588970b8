import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/**
 * The literal name of the heartbeat topic. Literal so the Services stack (deployed before
 * Monitoring) can grant Alertmanager publish on it by ARN without a cross-stack reference.
 */
export function heartbeatTopicName(envName: string): string {
  return `${envName}-vigil-heartbeat`;
}

/** Props of {@link HeartbeatTopic}. */
export interface HeartbeatTopicProps {
  readonly envName: string;
  /** The alert topics' key: Alertmanager's role may already use it. */
  readonly key: kms.IKey;
}

/**
 * The topic Alertmanager publishes the always-firing Watchdog alert to, every minute. Nobody
 * subscribes: the catalog's `prometheusWatchdog` signal alarms on its NumberOfMessagesPublished
 * falling to zero, which is how a silent Prometheus or Alertmanager gets noticed.
 */
export class HeartbeatTopic extends Construct {
  public readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: HeartbeatTopicProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', {
      topicName: heartbeatTopicName(props.envName),
      displayName: `Vigil ${props.envName} Prometheus heartbeat`,
      masterKey: props.key,
      enforceSSL: true,
    });
  }
}
