#!/usr/bin/env node
/**
 * The CDK app: one Stage per environment (`Staging`, `Production`). The only file that reads
 * context and environment variables; everything below receives typed values.
 *
 *   npx cdk synth                         both environments
 *   npx cdk synth -c env=staging          one
 *   npx cdk deploy 'Staging/*'            deploy staging
 *
 * Inputs (context `-c key=value`, or the environment variable in brackets):
 *   env               staging | production; default both
 *   account           AWS account id [CDK_DEFAULT_ACCOUNT, set by the CLI when credentials exist];
 *                     without it the templates are account-agnostic (synth needs no credentials)
 *   alertEmail        address subscribed to the alert topics [VIGIL_ALERT_EMAIL]
 *   certificateArn    ACM certificate for the ALB of the one environment chosen with env;
 *                     stagingCertificateArn / productionCertificateArn when building both
 *   appVersion, gitCommit   stamped into the backend's environment [APP_VERSION, GIT_COMMIT]
 */
// First: starts the template validation worker before anything else loads.
import { templateValidation } from './early-validation';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { configFor, ENVIRONMENT_NAMES, withDeployInputs, type EnvironmentName } from '../lib/config';
import { VigilStage } from '../lib/vigil-stage';

const app = new App();
const context = (key: string): string | undefined => {
  const value = app.node.tryGetContext(key);
  return value === undefined || value === '' ? undefined : String(value);
};

const chosen = context('env');
const names: readonly string[] = chosen === undefined ? ENVIRONMENT_NAMES : [chosen];
const account = context('account') ?? process.env.CDK_DEFAULT_ACCOUNT;
const alertEmail = context('alertEmail') ?? process.env.VIGIL_ALERT_EMAIL;

for (const name of names) {
  // configFor throws "unknown environment 'x', expected staging|production"; withDeployInputs
  // validates the certificate and e-mail like any other value.
  const config = withDeployInputs(configFor(name), {
    certificateArn: context(`${name}CertificateArn`) ?? (chosen !== undefined ? context('certificateArn') : undefined),
    alertEmail,
  });
  const stage = new VigilStage(app, stageName(config.envName), {
    config,
    env: { account, region: config.region },
    appVersion: context('appVersion') ?? process.env.APP_VERSION,
    gitCommit: context('gitCommit') ?? process.env.GIT_COMMIT,
  });
  // Synthesized now (app.synth() reuses it), so the worker validates its templates while the
  // next stage is built.
  templateValidation?.validateEarly(stage.synth());
}

// cdk-nag AwsSolutions on everything: any unacknowledged finding fails the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), ...(templateValidation ? [templateValidation] : []));
app.synth();

function stageName(name: EnvironmentName): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
