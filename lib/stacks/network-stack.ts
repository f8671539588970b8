import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { acknowledge } from '../constructs/acknowledge';
import { VigilStack, type VigilStackProps } from './vigil-stack';

/**
 * The VPC: public subnets (ALB, NAT), private subnets with egress (Fargate tasks, OpenSearch),
 * isolated subnets (PostgreSQL, Redis), flow logs to CloudWatch Logs, the S3 gateway endpoint
 * (image layers) and the configured interface endpoints.
 */
export class NetworkStack extends VigilStack {
  /** The environment's VPC. */
  public readonly vpc: ec2.Vpc;

  constructor(scope: Construct, id: string, props: VigilStackProps) {
    super(scope, id, props);
    const net = props.config.network;

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(net.vpcCidr),
      availabilityZones: [...net.availabilityZones],
      natGateways: net.natGateways,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
        { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });

    const flowLogGroup = new logs.LogGroup(this, 'FlowLogGroup', {
      retention: net.flowLogRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

    for (const service of net.interfaceEndpointServices) {
      const endpoint = this.vpc.addInterfaceEndpoint(`${pascalCase(service)}Endpoint`, {
        service: new ec2.InterfaceVpcEndpointAwsService(service),
        subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        privateDnsEnabled: true,
      });
      acknowledge(endpoint.node.findChild('SecurityGroup').node.defaultChild!, 'AwsSolutions-EC23',
        'The endpoint admits HTTPS from the VPC CIDR only; the rule reads the CIDR through Fn::GetAtt, which the check cannot evaluate.');
    }

    // Explicit zones are the point: synth never asks AWS which zones exist.
    for (const subnet of [...this.vpc.publicSubnets, ...this.vpc.privateSubnets, ...this.vpc.isolatedSubnets]) {
      acknowledge(subnet.node.defaultChild!, 'CloudFormation-Validate::W3010',
        'Zones come from lib/config on purpose, so synth works offline; they are validated against the region at synth.');
    }
  }
}

/** `ecr.api` → `EcrApi`: construct IDs stay readable PascalCase nouns. */
function pascalCase(name: string): string {
  return name.split(/[^A-Za-z0-9]+/).map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
}
