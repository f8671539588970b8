import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { HELP } from '../../lib/verify/cli';
import { catalogFor, topicArnFor } from '../../lib/verify/deps';
import { deployedFrom } from './fixtures';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

/** The environment without any AWS_* setting of the machine running the tests. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_'))), ...extra };
}

/** Runs `bin/verify.ts` the way `npm run verify` does, through tsx. */
function verify(args: string[]) {
  return spawnSync(TSX, ['bin/verify.ts', ...args], { cwd: ROOT, env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
}

describe('bin/verify.ts as a process', () => {
  test('--help prints the usage and exits 0', () => {
    const result = verify(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(HELP);
  });

  test('an unknown environment exits 2 with one line on stderr', () => {
    const result = verify(['--env', 'qa']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe("vigil verify: unknown environment 'qa' for --env, expected staging|production\n");
  });

  test('against a loopback CloudWatch holding the staging catalog it prints no drift and exits 0', async () => {
    // GIVEN an endpoint answering DescribeAlarms with staging's alarms as deployed (epoch-second timestamps)
    const deployed = deployedFrom(catalogFor('staging'), topicArnFor('staging'));
    const wire = <T extends { StateUpdatedTimestamp?: Date }>(a: T) => ({ ...a, StateUpdatedTimestamp: 1764050400 });
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ MetricAlarms: deployed.metricAlarms.map(wire), CompositeAlarms: deployed.compositeAlarms.map(wire) }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      // WHEN the CLI runs as its own process, credentials and endpoint from the environment
      const env = cleanEnv({ AWS_ENDPOINT_URL_CLOUDWATCH: `http://127.0.0.1:${port}`, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'test-secret' });
      const child = spawn(TSX, ['bin/verify.ts', '--env', 'staging'], { cwd: ROOT, env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
      // THEN exit 0, the all-clear, and nothing on stderr (not even the SDK's Node-version warning)
      expect(stderr).toBe('');
      expect(status).toBe(0);
      expect(stdout).toContain('no drift: every alarm in the account matches the catalog.');
    } finally {
      server.close();
    }
  });
});
