import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Construct } from 'constructs';

/**
 * What differs between Vigil's Fargate services: count, deployment percentages, grace period,
 * Cloud Map registration. Placement and rollback are fixed by {@link privateFargateService}.
 */
export type PrivateFargateServiceProps = Omit<ecs.FargateServiceProps, 'vpcSubnets' | 'securityGroups' | 'assignPublicIp' | 'circuitBreaker'> & {
  /** The service's only security group. */
  readonly securityGroup: ec2.ISecurityGroup;
};

/**
 * A Fargate service the way every Vigil service runs: in the private subnets (egress through
 * NAT, reachable only through the ALB or Cloud Map), without a public IP, behind one security
 * group, with the deployment circuit breaker rolling back a deploy whose tasks never turn healthy.
 * One place so a new service cannot forget the rollback or land in a public subnet.
 */
export function privateFargateService(scope: Construct, id: string, props: PrivateFargateServiceProps): ecs.FargateService {
  const { securityGroup, ...rest } = props;
  return new ecs.FargateService(scope, id, {
    ...rest,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    securityGroups: [securityGroup],
    assignPublicIp: false,
    circuitBreaker: { enable: true, rollback: true },
  });
}
