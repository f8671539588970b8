/**
 * CDK's bundled CloudFormation template validation, run by a {@link ValidationWorker} so that it
 * overlaps with building and synthesizing the stages instead of following them (about 1.5 s of
 * a 4 s synth here: `npm run bench:synth`).
 *
 * The check is CDK's own: the worker runs aws-cdk-lib's {@link CloudFormationValidatePlugin}, and
 * because this class extends it, CDK treats it as its built-in validation (it adds no second
 * one, names the report the same and applies the same warning-or-error rules). Whatever goes
 * wrong with the worker, the templates are validated in this thread instead, as CDK would have
 * done: never less checking.
 */
import { CloudFormationValidatePlugin, type IPolicyValidationContext, type PolicyValidationPluginReport, type PolicyValidationStack } from 'aws-cdk-lib';
import { UNKNOWN_ACCOUNT, UNKNOWN_REGION, type CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { ValidationWorker } from './validation-worker';

/** Where the last report came from (tests check the fast path is the one taken). */
export interface ValidationRun {
  readonly inWorker: boolean;
  /** Templates whose result the worker had from {@link EarlyTemplateValidationPlugin.validateEarly}. */
  readonly validatedEarly: number;
}

/**
 * Drop-in for CDK's built-in template validation: register it on the App with
 * `Validations.of(app).addPlugins(...)`, and CDK skips its own instance.
 */
export class EarlyTemplateValidationPlugin extends CloudFormationValidatePlugin {
  /** Set by {@link validate}. */
  lastRun: ValidationRun | undefined;

  /** @param worker started as early as possible; `undefined` validates in this thread. */
  constructor(private readonly worker: ValidationWorker | undefined) {
    super();
  }

  /**
   * Starts validating a synthesized stage's templates in the background. Call it right after
   * `stage.synth()`; the report still comes from {@link validate}, over every template.
   */
  validateEarly(assembly: CloudAssembly): void {
    this.worker?.validateEarly(stackTemplatesOf(assembly));
  }

  /** CDK's report, from the worker; from this thread when the worker cannot give it. */
  override validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const answer = this.worker?.validate(context.stackTemplates);
    this.lastRun = { inWorker: answer !== undefined, validatedEarly: answer?.memoHits ?? 0 };
    return answer?.report ?? super.validate(context);
  }
}

/** The stacks of an assembly as CDK's validation describes them to a plugin. */
function stackTemplatesOf(assembly: CloudAssembly): PolicyValidationStack[] {
  return assembly.stacksRecursively.map((stack) => ({
    stackConstructPath: stack.hierarchicalId,
    templatePath: stack.templateFullPath,
    accountId: stack.environment.account !== UNKNOWN_ACCOUNT ? stack.environment.account : undefined,
    region: stack.environment.region !== UNKNOWN_REGION ? stack.environment.region : undefined,
  }));
}
