import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, AppProps } from 'aws-cdk-lib';

/** The context in cdk.json: the feature flags the CLI applies to every synth. */
export const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(
  fs.readFileSync(path.resolve(__dirname, '..', '..', 'cdk.json'), 'utf8'),
).context;

/**
 * An App as `cdk synth` builds it: with cdk.json's feature flags. A bare `new App()` in a test
 * would synthesize with the flags unset and so test templates other than the deployed ones.
 */
export function newApp(props: AppProps = {}): App {
  return new App({ ...props, context: { ...CDK_JSON_CONTEXT, ...props.context } });
}
