/**
 * Runs `main` the way the terminal would, but with captured output and clients aimed at a mock or
 * a loopback endpoint. Only the outside world is replaced; the SDK clients are the real ones.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { STSClient } from '@aws-sdk/client-sts';
import type { AlarmSpec } from '../../lib/observability/alarm-spec';
import type { AwsTarget } from '../../lib/verify/aws';
import { main, type VerifyDeps } from '../../lib/verify/cli';
import { fixtureCatalog, fixtureTopicArn } from './fixtures';

/** Static keys: they sign requests for mocks and loopback servers, never for AWS. */
export const TEST_CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'test-secret' };

/** What one run printed and returned. */
export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The targets the CLI asked clients for (flags as parsed). */
  readonly targets: AwsTarget[];
}

/** Options for one run: which clients, which catalog. */
export interface RunOptions {
  /** Builds the CloudWatch client; default: static credentials, region from the flags. */
  readonly cloudWatch?: (target: AwsTarget) => CloudWatchClient;
  readonly sts?: (target: AwsTarget) => STSClient;
  readonly catalog?: (env: string) => readonly AlarmSpec[];
  readonly defaultRegion?: (env: string) => string | undefined;
}

/** Runs the CLI once and collects what it printed. */
export async function run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const targets: AwsTarget[] = [];
  const deps: VerifyDeps = {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cloudWatch: (target) => {
      targets.push(target);
      return options.cloudWatch?.(target) ?? new CloudWatchClient({ region: target.region, credentials: TEST_CREDENTIALS });
    },
    sts: (target) => options.sts?.(target) ?? new STSClient({ region: target.region, credentials: TEST_CREDENTIALS }),
    now: () => new Date('2026-11-25T07:00:00.000Z'),
    environments: ['staging', 'production'],
    defaultRegion: options.defaultRegion ?? (() => undefined),
    catalog: options.catalog ?? fixtureCatalog,
    topicArn: fixtureTopicArn,
  };
  const code = await main(argv, deps);
  return { code, stdout, stderr, targets };
}
