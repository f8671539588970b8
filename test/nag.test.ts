import { App, CfnResource, Stack, Stage, Validations } from 'aws-cdk-lib';
import { newApp } from './support/app';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { configFor, type EnvironmentName } from '../lib/config';
import { VigilStage } from '../lib/vigil-stage';
import { STAGE_NAMES } from './support/synth';

/** The whole app as bin/vigil.ts builds it: both stages in one App. */
let app: App;
const stages: Partial<Record<EnvironmentName, VigilStage>> = {};
beforeAll(() => {
  app = newApp();
  for (const name of ['staging', 'production'] as const) {
    const config = configFor(name);
    stages[name] = new VigilStage(app, STAGE_NAMES[name], { config, env: { region: config.region } });
  }
});

/**
 * Every cdk-nag acknowledgement recorded in the tree: where, which rule, why. (CDK records an id
 * without a plugin prefix as `Annotation::<id>`; cdk-nag strips that prefix the same way.)
 */
function acknowledgements(root: IConstruct): Array<{ construct: IConstruct; id: string; reason: string }> {
  return root.node.findAll().flatMap((construct) => construct.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ construct, id: id.replace(/^annotation::/i, ''), reason }))))
    .filter((ack) => ack.id.startsWith('AwsSolutions-'));
}

describe('cdk-nag AwsSolutions on the whole app', () => {
  test.each(['staging', 'production'] as const)('%s has no unacknowledged finding', (name) => {
    const report = new AwsSolutionsChecks().validateScope(stages[name]!);
    const findings = report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
    expect(findings).toEqual([]);
  });

  test('GIVEN a resource that breaks a rule WHEN checked THEN the finding is reported (the check is live)', () => {
    const scratch = newApp();
    const stage = new Stage(scratch, 'Scratch');
    new s3.Bucket(new Stack(stage, 'S'), 'Bucket');
    const report = new AwsSolutionsChecks().validateScope(stage);
    expect(report.violations.map((v) => v.ruleName)).toContain('AwsSolutions-S1');
  });

  test('every acknowledgement sits on one CloudFormation resource (never a stack or stage) and gives a reason', () => {
    const all = acknowledgements(app);
    expect(all.length).toBeGreaterThan(10);
    for (const { construct, id, reason } of all) {
      expect([id, construct.node.path, CfnResource.isCfnResource(construct)]).toEqual([id, construct.node.path, true]);
      expect(reason.length).toBeGreaterThanOrEqual(20);
    }
  });

  test('acknowledgements that excuse a smaller staging exist only where its configuration says so', () => {
    const stagingOnly = ['AwsSolutions-RDS3', 'AwsSolutions-RDS10', 'AwsSolutions-AEC4', 'AwsSolutions-OS4', 'AwsSolutions-OS7', 'AwsSolutions-ECS4'];
    const inProduction = acknowledgements(stages.production!).map((a) => a.id);
    const inStaging = acknowledgements(stages.staging!).map((a) => a.id);
    for (const id of stagingOnly) {
      expect([id, inStaging.includes(id)]).toEqual([id, true]);
      expect([id, inProduction.includes(id)]).toEqual([id, false]);
    }
  });
});
