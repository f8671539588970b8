import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CDK_JSON_CONTEXT } from '../support/app';

/**
 * bin/vigil.ts as the CLI runs it (cdk.json's `node scripts/cdk-app.js`): a separate process, context (cdk.json's feature flags + the test's) in CDK_CONTEXT_JSON, output in
 * CDK_OUTDIR. CDK's bundled template validation is off here only to keep these wiring checks
 * quick (the stacks' tests and `npm run synth` run it); the app's cdk-nag plugin still runs, so a
 * zero exit also means no unacknowledged finding with these inputs.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const outDirs: string[] = [];
afterAll(() => outDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function runApp(context: Record<string, string>, extraEnv: Record<string, string> = {}) {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bin-'));
  outDirs.push(outDir);
  const env: NodeJS.ProcessEnv = { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ ...CDK_JSON_CONTEXT, ...context }), CDK_OUTDIR: outDir, CDK_VALIDATION: 'false', ...extraEnv };
  delete env.CDK_DEFAULT_ACCOUNT;
  if (extraEnv.CDK_DEFAULT_ACCOUNT) env.CDK_DEFAULT_ACCOUNT = extraEnv.CDK_DEFAULT_ACCOUNT;
  const result = spawnSync(process.execPath, ['scripts/cdk-app.js'], { cwd: ROOT, env, encoding: 'utf8' });
  return { ...result, outDir };
}

function template(outDir: string, stage: string, stack: string): any {
  const assembly = path.join(outDir, `assembly-${stage}`);
  const file = fs.readdirSync(assembly).find((f) => f.startsWith(`${stage}${stack}`) && f.endsWith('.template.json'))!;
  return JSON.parse(fs.readFileSync(path.join(assembly, file), 'utf8'));
}

test('GIVEN -c env=staging and an account WHEN the app runs THEN only the Staging stage is built (cdk-nag clean), for that account and the configured region', () => {
  const run = runApp({ env: 'staging', account: '123456789012' });
  expect(run.status).toBe(0);
  expect(fs.readdirSync(run.outDir).filter((f) => f.startsWith('assembly-'))).toEqual(['assembly-Staging']);
  const manifest = JSON.parse(fs.readFileSync(path.join(run.outDir, 'assembly-Staging', 'manifest.json'), 'utf8'));
  const environments = new Set(Object.values(manifest.artifacts).map((a: any) => a.environment).filter(Boolean));
  expect([...environments]).toEqual(['aws://123456789012/eu-west-1']);
});

test('GIVEN an unknown environment WHEN the app runs THEN it fails naming the value and the choices', () => {
  const run = runApp({ env: 'qa' });
  expect(run.status).not.toBe(0);
  expect(run.stderr).toContain("unknown environment 'qa', expected staging|production");
});

test('GIVEN an account, a certificate and an alert e-mail WHEN production is built THEN it passes cdk-nag, the ALB serves HTTPS and both topics e-mail', () => {
  const certificate = 'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8899-aabbccddeeff';
  const run = runApp({ env: 'production', certificateArn: certificate }, { VIGIL_ALERT_EMAIL: 'oncall@example.com', CDK_DEFAULT_ACCOUNT: '123456789012' });
  expect(run.status).toBe(0);
  const listeners = Object.values(template(run.outDir, 'Production', 'Services').Resources).filter((r: any) => r.Type === 'AWS::ElasticLoadBalancingV2::Listener');
  expect(listeners.map((l: any) => l.Properties.Port).sort()).toEqual([443, 80]);
  const subscriptions = Object.values(template(run.outDir, 'Production', 'Monitoring').Resources).filter((r: any) => r.Type === 'AWS::SNS::Subscription');
  expect(subscriptions.map((s: any) => s.Properties.Endpoint)).toEqual(['oncall@example.com', 'oncall@example.com']);
});

test('GIVEN a certificate from another region WHEN the app runs THEN config validation rejects it', () => {
  const run = runApp({ env: 'staging', certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc' });
  expect(run.status).not.toBe(0);
  expect(run.stderr).toContain('services.certificateArn is "arn:aws:acm:us-east-1:123456789012:certificate/abc"; use an ACM certificate ARN in eu-west-1');
});
