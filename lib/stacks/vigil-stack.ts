import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config';

/** Props every Vigil stack takes. */
export interface VigilStackProps extends StackProps {
  /** The validated environment configuration. */
  readonly config: EnvironmentConfig;
}

/**
 * Base of the five stacks: the availability zones come from the configuration instead of a
 * lookup, so synth works offline and with or without an account (an account-specific stack
 * would otherwise ask AWS which zones exist and fail without credentials).
 */
export abstract class VigilStack extends Stack {
  /** The environment this stack belongs to. */
  public readonly config: EnvironmentConfig;

  protected constructor(scope: Construct, id: string, props: VigilStackProps) {
    super(scope, id, { ...props, env: { ...props.env, region: props.config.region } });
    this.config = props.config;
  }

  /** The configured zones (the VPC spans exactly these). */
  public override get availabilityZones(): string[] {
    return [...this.config.network.availabilityZones];
  }
}
