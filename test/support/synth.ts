
import { newApp } from './app';
import { Template } from 'aws-cdk-lib/assertions';
import { configFor, type EnvironmentConfig, type EnvironmentName } from '../../lib/config';
import { VigilStage } from '../../lib/vigil-stage';

/** The five templates of one synthesized environment. */
export interface SynthesizedEnvironment {
  readonly config: EnvironmentConfig;
  readonly stage: VigilStage;
  readonly network: Template;
  readonly data: Template;
  readonly logs: Template;
  readonly services: Template;
  readonly monitoring: Template;
}

/** Stage names as bin/vigil.ts builds them. */
export const STAGE_NAMES: Readonly<Record<EnvironmentName, string>> = { staging: 'Staging', production: 'Production' };

/**
 * Synthesizes one environment the way bin/vigil.ts does (without the account, as on a machine
 * with no credentials). Slow (seconds): call it once per test file, in `beforeAll`.
 *
 * @param name the environment
 * @param adjust changes the validated config first (for example to add a certificate)
 */
export function synthesize(name: EnvironmentName, adjust: (config: EnvironmentConfig) => EnvironmentConfig = (c) => c): SynthesizedEnvironment {
  const config = adjust(configFor(name));
  const app = newApp();
  const stage = new VigilStage(app, STAGE_NAMES[name], { config, env: { region: config.region }, appVersion: '1.2.3', gitCommit: 'abc1234' });
  return {
    config,
    stage,
    network: Template.fromStack(stage.network),
    data: Template.fromStack(stage.data),
    logs: Template.fromStack(stage.logs),
    services: Template.fromStack(stage.services),
    monitoring: Template.fromStack(stage.monitoring),
  };
}

/** The one resource of `type` in `template`, with its logical ID. */
export function onlyResource(template: Template, type: string, props: object = {}): { id: string; resource: { Properties: any; DeletionPolicy?: string; UpdateReplacePolicy?: string } } {
  const found = template.findResources(type, props);
  const ids = Object.keys(found);
  if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}: ${ids.join(', ')}`);
  return { id: ids[0], resource: found[ids[0]] as any };
}

/** The container definition named `name` among all task definitions of `template`. */
export function container(template: Template, name: string): any {
  for (const taskDef of Object.values(template.findResources('AWS::ECS::TaskDefinition'))) {
    const match = (taskDef as any).Properties.ContainerDefinitions.find((c: any) => c.Name === name);
    if (match) return match;
  }
  throw new Error(`no container named ${name}`);
}

/** The task definition that holds the container named `name`. */
export function taskDefinitionOf(template: Template, name: string): any {
  for (const taskDef of Object.values(template.findResources('AWS::ECS::TaskDefinition'))) {
    if ((taskDef as any).Properties.ContainerDefinitions.some((c: any) => c.Name === name)) return (taskDef as any).Properties;
  }
  throw new Error(`no task definition with a container named ${name}`);
}

/** `{ Name, Value }[]` → object. */
export function environmentOf(containerDefinition: any): Record<string, unknown> {
  return Object.fromEntries((containerDefinition.Environment ?? []).map((e: any) => [e.Name, e.Value]));
}
