/**
 * The worker-backed template validation gives exactly CDK's report, from the worker, using the
 * results of early validation only for templates whose content has not changed since.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, CfnResource, Stack, Stage, Validations } from 'aws-cdk-lib';
import { EarlyTemplateValidationPlugin } from '../../lib/validation/early-template-validation';
import { ValidationWorker } from '../../lib/validation/validation-worker';
import { CDK_JSON_CONTEXT } from '../support/app';

const CFN_REPORT = 'CloudFormation Validate';
/** Errors as warnings, so synth writes the report instead of throwing (cdk.json makes them errors). */
const REPORT_ONLY = { '@aws-cdk/core:validateAgainstDefaultRules': false };

interface Built {
  readonly app: App;
  readonly stage: Stage;
  readonly outdir: string;
}

/** GIVEN one stage with a clean stack and a stack the validator flags (unknown and mistyped properties). */
function build(context: Record<string, unknown> = REPORT_ONLY): Built {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-validation-'));
  const app = new App({ outdir, context: { ...CDK_JSON_CONTEXT, ...context } });
  const stage = new Stage(app, 'Env', { env: { region: 'eu-west-1' } });
  new CfnResource(new Stack(stage, 'Clean'), 'Topic', { type: 'AWS::SNS::Topic', properties: { TopicName: 'clean' } });
  new CfnResource(new Stack(stage, 'Flagged'), 'Topic', { type: 'AWS::SNS::Topic', properties: { NoSuchProperty: 1, TopicName: 42 } });
  return { app, stage, outdir };
}

/** The CloudFormation report, without the construct creation traces (they differ by test line). */
function cfnReport(outdir: string): Record<string, unknown> {
  const text = fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8');
  const report = JSON.parse(text, (key, value) => (key === 'stackTraces' ? undefined : value)) as { pluginReports: Array<Record<string, unknown>> };
  const found = report.pluginReports.find((r) => r.pluginName === CFN_REPORT);
  if (!found) throw new Error(`no '${CFN_REPORT}' report in ${outdir}`);
  return found;
}

/** CDK's own built-in validation of the same app: the reference. */
function builtInReport(): Record<string, unknown> {
  const { app, outdir } = build();
  app.synth();
  return cfnReport(outdir);
}

/** WHEN the stage is validated early by `plugin`, which then gives the app its report. */
function synthValidatedEarly({ app, stage }: Built, plugin: EarlyTemplateValidationPlugin): void {
  plugin.validateEarly(stage.synth());
  Validations.of(app).addPlugins(plugin);
  app.synth();
}

let reference: Record<string, unknown>;
beforeAll(() => {
  reference = builtInReport();
});

test('the reference report holds the flagged properties (so the comparisons below can fail)', () => {
  const violations = reference.violations as Array<{ ruleName: string; description: string }>;
  expect(violations.map((v) => v.ruleName).sort()).toEqual(['F3002', 'W9003']);
  expect(violations.find((v) => v.ruleName === 'F3002')?.description).toMatch(/NoSuchProperty/);
});

test('validated early in the worker: the same report as CDK, every template from the early run', () => {
  const built = build();
  const plugin = new EarlyTemplateValidationPlugin(ValidationWorker.start());
  synthValidatedEarly(built, plugin);
  expect(cfnReport(built.outdir)).toEqual(reference);
  expect(plugin.lastRun).toEqual({ inWorker: true, validatedEarly: 2 });
});

test('a template rewritten after early validation is validated again, with its new content', () => {
  // GIVEN early validation of both templates
  const { app, stage, outdir } = build();
  const worker = ValidationWorker.start();
  const plugin = new EarlyTemplateValidationPlugin(worker);
  const assembly = stage.synth();
  plugin.validateEarly(assembly);
  expect(worker?.waitUntilIdle()).toBe(true);
  // WHEN the clean template changes on disk before the report is made
  const clean = assembly.getStackByName('Env-Clean').templateFullPath;
  const template = JSON.parse(fs.readFileSync(clean, 'utf8'));
  template.Resources.Topic.Properties.DisplayNames = 'typo';
  fs.writeFileSync(clean, JSON.stringify(template));
  Validations.of(app).addPlugins(plugin);
  app.synth();
  // THEN only the unchanged template came from the early run, and the typo is reported
  expect(plugin.lastRun).toEqual({ inWorker: true, validatedEarly: 1 });
  const violations = cfnReport(outdir).violations as Array<{ description: string }>;
  expect(violations.some((v) => /DisplayNames/.test(v.description))).toBe(true);
});

test('without a worker the templates are validated in this thread, with the same report', () => {
  const built = build();
  const plugin = new EarlyTemplateValidationPlugin(undefined);
  synthValidatedEarly(built, plugin);
  expect(cfnReport(built.outdir)).toEqual(reference);
  expect(plugin.lastRun).toEqual({ inWorker: false, validatedEarly: 0 });
});

test('with cdk.json flags an invalid template fails synth, as CDK\'s own validation does', () => {
  const fromCdk = build({});
  const ours = build({});
  Validations.of(ours.app).addPlugins(new EarlyTemplateValidationPlugin(ValidationWorker.start()));
  const message = (app: App): string => {
    try {
      app.synth();
    } catch (error) {
      return String(error).replace(/\/[^\s]*vigil-validation-[^/\s]+/g, '<outdir>');
    }
    throw new Error('synth did not fail');
  };
  const expected = message(fromCdk.app);
  expect(expected).toMatch(/NoSuchProperty/);
  expect(message(ours.app)).toBe(expected);
});

test('CDK registers no second validation next to it', () => {
  const { app, outdir } = build();
  Validations.of(app).addPlugins(new EarlyTemplateValidationPlugin(ValidationWorker.start()));
  app.synth();
  const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as { pluginReports: Array<{ pluginName: string }> };
  expect(report.pluginReports.filter((r) => r.pluginName === CFN_REPORT)).toHaveLength(1);
});
