/**
 * Imported first by bin/vigil.ts, so that the template validation worker starts before
 * aws-cdk-lib and the stacks load in this thread (see lib/validation/validation-worker.ts).
 * CDK_VALIDATION=false turns the validation off, as it turns off CDK's own.
 */
import { ValidationWorker } from '../lib/validation/validation-worker';

/** Whether CDK's bundled template validation runs on this synth. */
export const templateValidationEnabled = process.env.CDK_VALIDATION !== 'false';

/** The worker, already building its engine; `undefined` when validation is off or no worker could start. */
export const validationWorker = templateValidationEnabled ? ValidationWorker.start() : undefined;
