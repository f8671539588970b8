import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { AlertTopic } from '../observability/alarm-spec';

/** The topic roles, in a fixed order. */
export const ALERT_TOPIC_ROLES: readonly AlertTopic[] = ['critical', 'warning'];

/**
 * The literal name of an alert topic. Literal so the Services stack (deployed before
 * Monitoring) can address the topics by ARN without a reference that would tie the stacks in
 * a cycle.
 */
export function alertTopicName(envName: string, role: AlertTopic): string {
  return `${envName}-vigil-alerts-${role}`;
}

/** The ARN of an alert topic in `scope`'s account and region, built from its literal name. */
export function alertTopicArn(scope: Construct, envName: string, role: AlertTopic): string {
  return Stack.of(scope).formatArn({ service: 'sns', resource: alertTopicName(envName, role) });
}

/** Props of {@link AlertTopics}. */
export interface AlertTopicsProps {
  readonly envName: string;
  /** Subscribed to both topics. @default - no subscription */
  readonly email?: string;
  /**
   * Roles that publish with their own credentials (Alertmanager's task role); the topic key lets
   * them encrypt. @default - CloudWatch alarms only
   */
  readonly publisherRoleArns?: readonly string[];
}

/**
 * The two alert topics (`critical` pages, `warning` opens a ticket), encrypted with a
 * customer-managed key that CloudWatch alarms and the named publishers may use, refusing
 * anything but TLS.
 */
export class AlertTopics extends Construct {
  /** Topic per role. */
  public readonly topics: Readonly<Record<AlertTopic, sns.Topic>>;
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: AlertTopicsProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: `${props.envName} Vigil alert topics`,
      enableKeyRotation: true,
    });
    const useKey = ['kms:GenerateDataKey*', 'kms:Decrypt'];
    this.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'CloudWatchAlarmsPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: useKey,
      resources: ['*'],
    }));
    if (props.publisherRoleArns && props.publisherRoleArns.length > 0) {
      this.key.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'AlertmanagerPublish',
        principals: props.publisherRoleArns.map((arn) => new iam.ArnPrincipal(arn)),
        actions: useKey,
        resources: ['*'],
      }));
    }

    const topics = {} as Record<AlertTopic, sns.Topic>;
    for (const role of ALERT_TOPIC_ROLES) {
      const topic = new sns.Topic(this, role === 'critical' ? 'Critical' : 'Warning', {
        topicName: alertTopicName(props.envName, role),
        displayName: `Vigil ${props.envName} ${role} alerts`,
        masterKey: this.key,
        enforceSSL: true,
      });
      if (props.email) topic.addSubscription(new subscriptions.EmailSubscription(props.email));
      topics[role] = topic;
    }
    this.topics = topics;
  }
}
