/**
 * The benchmark's baseline: the smallest CDK app that still does what every real app does
 * (load aws-cdk-lib, build a VPC, synthesize, run CDK's bundled template validation).
 * Run by bench/synth.ts through the same CLI command as the real app.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';

const app = new App();
const stack = new Stack(app, 'VpcOnly', { env: { region: 'eu-west-1' } });
new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 1 });
app.synth();
