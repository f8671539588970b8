import { Match } from 'aws-cdk-lib/assertions';
import { synthesize, type SynthesizedEnvironment } from '../support/synth';

let staging: SynthesizedEnvironment;
let production: SynthesizedEnvironment;
beforeAll(() => {
  staging = synthesize('staging');
  production = synthesize('production');
});

describe.each(['staging', 'production'] as const)('%s Network stack', (name) => {
  const env = () => (name === 'staging' ? staging : production);

  test('GIVEN the configured zones WHEN synthesized THEN each zone has a public, a private-with-egress and an isolated subnet', () => {
    const { network, config } = env();
    const subnets = Object.values(network.findResources('AWS::EC2::Subnet')).map((s: any) => s.Properties);
    expect(subnets).toHaveLength(3 * config.network.availabilityZones.length);
    expect([...new Set(subnets.map((s) => s.AvailabilityZone))].sort()).toEqual([...config.network.availabilityZones].sort());
    const types = subnets.map((s) => s.Tags.find((t: any) => t.Key === 'aws-cdk:subnet-type').Value);
    for (const type of ['Public', 'Private', 'Isolated']) {
      expect(types.filter((t) => t === type)).toHaveLength(config.network.availabilityZones.length);
    }
    network.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: config.network.vpcCidr });
  });

  test('WHEN synthesized THEN it has as many NAT gateways as configured', () => {
    env().network.resourceCountIs('AWS::EC2::NatGateway', env().config.network.natGateways);
  });

  test('WHEN synthesized THEN all VPC traffic is flow-logged to a CloudWatch log group with the configured retention', () => {
    const { network, config } = env();
    network.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    network.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: config.network.flowLogRetentionDays });
  });

  test('WHEN synthesized THEN image layers reach S3 through a gateway endpoint', () => {
    env().network.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp('\\.s3$')])]) }),
    });
  });

  test('WHEN synthesized THEN exactly the configured interface endpoints exist, in the private subnets with private DNS', () => {
    const { network, config } = env();
    const endpoints = Object.values(network.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } })).map((e: any) => e.Properties);
    expect(endpoints).toHaveLength(config.network.interfaceEndpointServices.length);
    for (const endpoint of endpoints) {
      expect(endpoint.PrivateDnsEnabled).toBe(true);
      expect(endpoint.SubnetIds).toHaveLength(config.network.availabilityZones.length);
    }
  });
});

describe('Network differences the configuration asks for', () => {
  test('staging spans 2 zones with one shared NAT gateway; production spans 3 with one NAT gateway each', () => {
    staging.network.resourceCountIs('AWS::EC2::NatGateway', 1);
    staging.network.resourceCountIs('AWS::EC2::Subnet', 6);
    production.network.resourceCountIs('AWS::EC2::NatGateway', 3);
    production.network.resourceCountIs('AWS::EC2::Subnet', 9);
  });

  test('production has the interface endpoints its tasks call; staging goes through the NAT gateway', () => {
    staging.network.resourceCountIs('AWS::EC2::VPCEndpoint', 1);
    const services = Object.values(production.network.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }))
      .map((e: any) => JSON.stringify(e.Properties.ServiceName));
    for (const name of ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'sns', 'aps-workspaces']) {
      expect(services.some((s) => s.includes(`.${name}"`))).toBe(true);
    }
  });
});
