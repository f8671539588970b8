import { Annotations, Stack, Token, type IAspect } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { IConstruct } from 'constructs';

/**
 * A synth-time check: every CloudWatch alarm must notify someone and link its runbook.
 *
 * An alarm fails when its description has no `Runbook: http(s)://…` link, or when it has no alarm
 * action and is not an input of a composite alarm in the same stack (burn-rate window alarms only
 * feed their composite, which carries the actions). Failures are error annotations, which make
 * `cdk synth` exit non-zero.
 *
 * Apply with `Aspects.of(app).add(new AlarmActionsAndRunbookCheck())`.
 */
export class AlarmActionsAndRunbookCheck implements IAspect {
  public visit(node: IConstruct): void {
    if (node instanceof cloudwatch.CfnAlarm) {
      this.checkRunbook(node, node.alarmDescription);
      if (!hasActions(node, node.alarmActions) && !isCompositeInput(node)) {
        Annotations.of(node).addError(
          `Alarm '${nameOf(node, node.alarmName)}' has no alarm action: add an SNS action (critical or warning topic) or make it an input of a composite alarm`,
        );
      }
    } else if (node instanceof cloudwatch.CfnCompositeAlarm) {
      this.checkRunbook(node, node.alarmDescription);
      if (!hasActions(node, node.alarmActions)) {
        Annotations.of(node).addError(`Composite alarm '${nameOf(node, node.alarmName)}' has no alarm action: add an SNS action (critical or warning topic)`);
      }
    }
  }

  private checkRunbook(node: cloudwatch.CfnAlarm | cloudwatch.CfnCompositeAlarm, description: string | undefined): void {
    const text = description === undefined ? '' : String(Stack.of(node).resolve(description));
    if (!/Runbook: https?:\/\/\S+#[\w-]+/.test(text)) {
      Annotations.of(node).addError(
        `Alarm '${nameOf(node, node.alarmName)}' has no runbook link: its description must end with 'Runbook: <url>#<section>' (render it from the signal catalog)`,
      );
    }
  }
}

function hasActions(node: IConstruct, value: unknown): boolean {
  const resolved: unknown = Stack.of(node).resolve(value);
  return Array.isArray(resolved) && resolved.length > 0;
}

function nameOf(node: IConstruct, name: string | undefined): string {
  return name !== undefined && !Token.isUnresolved(name) ? name : node.node.path;
}

/** Whether a composite alarm's rule names this alarm, by literal name or by a reference to it. */
function isCompositeInput(alarm: cloudwatch.CfnAlarm): boolean {
  const stack = Stack.of(alarm);
  const name = alarm.alarmName;
  const byName = name !== undefined && !Token.isUnresolved(name) ? `ALARM("${name}")` : undefined;
  const byReference = `"${stack.getLogicalId(alarm)}"`;
  return stack.node.findAll().some((c) => {
    if (!(c instanceof cloudwatch.CfnCompositeAlarm)) return false;
    const rule = JSON.stringify(stack.resolve(c.alarmRule));
    return (byName !== undefined && rule.includes(byName.replace(/"/g, '\\"'))) || rule.includes(byReference);
  });
}
