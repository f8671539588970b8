import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges one validation finding (a cdk-nag rule, or a finding of CDK's bundled
 * CloudFormation validator) on exactly one construct, with the reason a reviewer reads.
 * Always pass the resource itself (or the construct whose only resource it is), never a stack.
 */
export function acknowledge(resource: IConstruct, id: string, reason: string): void {
  if (reason.trim().length < 20) {
    throw new Error(`acknowledgement of ${id} on ${resource.node.path} needs a reason a reviewer can check, got '${reason}'`);
  }
  Validations.of(resource).acknowledge({ id, reason });
}
