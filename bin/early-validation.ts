/**
 * Imported first by bin/vigil.ts, so that the template validation worker starts before the
 * stacks load in this thread (see lib/validation/validation-worker.ts; the two modules below
 * load aws-cdk-lib's lazy index only, ~15 ms). CDK_VALIDATION=false turns the validation off,
 * as it turns off CDK's own.
 */
import { EarlyTemplateValidationPlugin } from '../lib/validation/early-template-validation';
import { ValidationWorker } from '../lib/validation/validation-worker';

/** CDK's template validation, its worker already building the engine; `undefined` when off. */
export const templateValidation =
  process.env.CDK_VALIDATION === 'false' ? undefined : new EarlyTemplateValidationPlugin(ValidationWorker.start());
