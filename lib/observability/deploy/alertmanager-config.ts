import type { AlertTopic } from '../alarm-spec';
import { toYaml } from './yaml-text';

/** Inputs of the deployed `alertmanager.yml`; ARNs and region may be CDK tokens. */
export interface AlertmanagerConfigInput {
  /** Region of the SNS topics (SigV4 signing region). */
  readonly region: string;
  /** SNS topic ARN per alert role: `critical` pages, `warning` opens a ticket. */
  readonly topicArns: Readonly<Record<AlertTopic, string>>;
  /**
   * SNS topic the always-firing Watchdog alert is sent to every minute (a CloudWatch alarm pages
   * when it goes quiet). @default - the Watchdog goes to a receiver without notifications
   */
  readonly heartbeatTopicArn?: string;
}

/** Labels that make two alerts "the same problem" for grouping. */
const ALERT_GROUP_BY: readonly string[] = ['alertname', 'env', 'component', 'signal'];

/**
 * Labels an alert keeps from its series (a rule aggregating `by (route)` fires once per route; the scrape-down one, once per job).
 * A critical inhibits only the warning with the same values, so a slow route does not hide
 * another route's warning. An alert without one of them matches an alert without it.
 */
export const ALERT_SERIES_LABELS: readonly string[] = ['route', 'breaker', 'job'];

/**
 * Renders `alertmanager.yml`: alerts route by their `severity` label to the SNS topic of the
 * same role (the topics CloudWatch alarms use, so an operator reads one stream), grouped by
 * alert name, environment, component and signal; a firing critical silences the warning of
 * the same signal in the same environment (and for the same route or breaker).
 */
export function renderAlertmanagerConfig(input: AlertmanagerConfigInput): string {
  const receiver = (role: AlertTopic) => ({
    name: role,
    sns_configs: [{
      topic_arn: input.topicArns[role],
      sigv4: { region: input.region },
      send_resolved: true,
      subject: `[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} ({{ .CommonLabels.env }})`,
      attributes: { severity: role },
    }],
  });
  return toYaml({
    route: {
      // Anything without a known severity still reaches a human, as a ticket.
      receiver: 'warning',
      group_by: [...ALERT_GROUP_BY],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: [
        // The Watchdog is a heartbeat, not a problem: never a ticket, resent every minute.
        { receiver: 'watchdog', matchers: ['alertname="Watchdog"'], group_wait: '0s', group_interval: '1m', repeat_interval: '1m' },
        { receiver: 'critical', matchers: ['severity="critical"'], repeat_interval: '1h' },
        { receiver: 'warning', matchers: ['severity="warning"'] },
      ],
    },
    inhibit_rules: [{
      source_matchers: ['severity="critical"'],
      target_matchers: ['severity="warning"'],
      equal: ['signal', 'env', ...ALERT_SERIES_LABELS],
    }],
    receivers: [
      receiver('critical'),
      receiver('warning'),
      input.heartbeatTopicArn === undefined
        ? { name: 'watchdog' }
        : { name: 'watchdog', sns_configs: [{ topic_arn: input.heartbeatTopicArn, sigv4: { region: input.region }, send_resolved: false, subject: 'Watchdog {{ .CommonLabels.env }}' }] },
    ],
  });
}
