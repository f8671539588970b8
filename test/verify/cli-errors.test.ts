/**
 * Error paths through the real SDK stack: the CLI's own client factory, the SDK's credential and
 * region chains, its retry strategy and its JSON protocol, talking to a loopback HTTP server that
 * answers the way CloudWatch does (AWS_ENDPOINT_URL_CLOUDWATCH points the SDK at it).
 */
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cloudWatchClientFor, stsClientFor } from '../../lib/verify/aws';
import { run } from './cli-harness';
import { deployedFrom, fixtureCatalog } from './fixtures';

interface Reply {
  readonly status: number;
  /** JSON for CloudWatch; a string (XML) for STS, which speaks the query protocol. */
  readonly body: object | string;
  readonly headers?: Record<string, string>;
}

interface Loopback {
  readonly url: string;
  /** Each request's operation, in order: the `X-Amz-Target` (CloudWatch) or the query `Action` (STS). */
  readonly targets: string[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 answering each request with `reply(target, body)`. */
async function loopback(reply: (target: string, body: Record<string, unknown>) => Reply): Promise<Loopback> {
  const targets: string[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const json = req.headers['x-amz-target'] !== undefined;
      const target = json ? String(req.headers['x-amz-target']) : `STS.${new URLSearchParams(raw).get('Action')}`;
      targets.push(target);
      const out = reply(target, json && raw ? JSON.parse(raw) : {});
      const type = typeof out.body === 'string' ? 'text/xml' : 'application/x-amz-json-1.0';
      res.writeHead(out.status, { 'content-type': type, ...out.headers });
      res.end(typeof out.body === 'string' ? out.body : JSON.stringify(out.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    targets,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A CloudWatch error the way the service sends it over the JSON protocol (awsQuery-compatible). */
function awsError(status: number, code: string, message: string): Reply {
  return { status, body: { __type: `com.amazonaws.cloudwatch#${code}`, message }, headers: { 'x-amzn-query-error': `${code};Sender` } };
}

/** STS's GetCallerIdentity answer, in the query protocol's XML. */
const CALLER_XML = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/ci</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult>
  <ResponseMetadata><RequestId>4d3c2b1a</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>`;

const AWS_VARIABLES = Object.keys(process.env).filter((k) => k.startsWith('AWS_'));
const saved = { ...process.env };
let home: string;

beforeEach(() => {
  // An empty home and no AWS_* variables: the SDK's chains find only what each test sets.
  for (const k of AWS_VARIABLES) delete process.env[k];
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-verify-'));
  process.env.HOME = home;
  process.env.AWS_CONFIG_FILE = path.join(home, 'config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(home, 'credentials');
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
});

afterEach(() => {
  process.env = { ...saved };
  fs.rmSync(home, { recursive: true, force: true });
});

/** Static keys in the environment, as an operator's shell would have them. */
function withKeys(): void {
  process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'test-secret';
}

/** Runs the CLI with its real client factories. */
const runReal = (argv: string[]) => run(argv, { cloudWatch: cloudWatchClientFor, sts: stsClientFor });

describe('vigil verify against a loopback CloudWatch endpoint', () => {
  let server: Loopback | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function serve(reply: (target: string, body: Record<string, unknown>) => Reply): Promise<Loopback> {
    server = await loopback(reply);
    process.env.AWS_ENDPOINT_URL_CLOUDWATCH = server.url;
    process.env.AWS_ENDPOINT_URL_STS = server.url;
    return server;
  }

  test('the real wire format: two pages of JSON alarms, compared with no drift, exit 0', async () => {
    // GIVEN CloudWatch answering DescribeAlarms in two pages, timestamps as epoch seconds
    withKeys();
    const { metricAlarms, compositeAlarms } = deployedFrom(fixtureCatalog('staging'));
    const wire = (a: object & { StateUpdatedTimestamp?: Date }) => ({ ...a, StateUpdatedTimestamp: a.StateUpdatedTimestamp!.getTime() / 1000 });
    const seen = await serve((_target, body) =>
      body.NextToken === 'p2'
        ? { status: 200, body: { MetricAlarms: metricAlarms.slice(3).map(wire), CompositeAlarms: compositeAlarms.map(wire) } }
        : { status: 200, body: { MetricAlarms: metricAlarms.slice(0, 3).map(wire), NextToken: 'p2' } },
    );
    // WHEN verifying staging
    const result = await runReal(['--env', 'staging', '--region', 'eu-west-1']);
    // THEN both pages were read and nothing drifted
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(seen.targets).toEqual(['GraniteServiceVersion20100801.DescribeAlarms', 'GraniteServiceVersion20100801.DescribeAlarms']);
    expect(result.stdout).toContain('catalog: 6 alarms; account: 6 alarms named staging-*');
  });

  test('AccessDenied exits 2 with one line naming the missing permission', async () => {
    withKeys();
    await serve(() => awsError(403, 'AccessDenied', 'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudwatch:DescribeAlarms'));
    const result = await runReal(['--env', 'production', '--region', 'eu-west-1']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'vigil verify: access denied (AccessDenied): User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudwatch:DescribeAlarms' +
        ' — the caller needs cloudwatch:DescribeAlarms (and cloudwatch:SetAlarmState for --fire-drill)\n',
    );
  });

  test('credentials AWS does not recognise exit 2 and say to refresh them', async () => {
    withKeys();
    await serve(() => awsError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.'));
    const result = await runReal(['--env', 'production', '--region', 'eu-west-1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "vigil verify: AWS rejected the credentials (InvalidClientTokenId: The security token included in the request is invalid.): refresh them (e.g. 'aws sso login') and retry\n",
    );
  });

  test('throttling exits 2 only after the SDK retried (three attempts reach the endpoint)', async () => {
    withKeys();
    const seen = await serve(() => awsError(400, 'Throttling', 'Rate exceeded'));
    const result = await runReal(['--env', 'production', '--region', 'eu-west-1', '--json']);
    expect(seen.targets).toHaveLength(3);
    expect(result.code).toBe(2);
    const line = 'CloudWatch throttled the requests (Throttling) after 3 attempts: wait a minute and retry, or raise AWS_MAX_ATTEMPTS';
    expect(result.stderr).toBe(`vigil verify: ${line}\n`);
    expect(JSON.parse(result.stdout)).toEqual({ error: line });
  });

  test('an endpoint that accepts but never answers exits 2 after the retries instead of hanging', async () => {
    withKeys();
    // GIVEN a server that reads each request and never replies
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    process.env.AWS_ENDPOINT_URL_CLOUDWATCH = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    try {
      // WHEN verifying with the CLI's client, short timeouts for the test
      const result = await run(['--env', 'production', '--region', 'eu-west-1'], {
        cloudWatch: (target) => cloudWatchClientFor(target, { connectionTimeoutMs: 200, requestTimeoutMs: 200 }),
      });
      // THEN exit 2 with the cause
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        "vigil verify: no answer from the AWS endpoint for region 'eu-west-1' after 3 attempts (TimeoutError): check the network, proxy or VPC endpoint, then retry\n",
      );
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  test('a fire drill the caller may not run exits 2 after DescribeAlarms succeeded', async () => {
    withKeys();
    const { metricAlarms } = deployedFrom(fixtureCatalog('production'));
    const critical = metricAlarms.find((a) => a.AlarmName === 'production-rds-cpu-critical')!;
    const seen = await serve((target) => {
      if (target.endsWith('.DescribeAlarms')) return { status: 200, body: { MetricAlarms: [{ ...critical, StateUpdatedTimestamp: 0 }] } };
      if (target === 'STS.GetCallerIdentity') return { status: 200, body: CALLER_XML };
      return awsError(403, 'AccessDenied', 'not authorized to perform: cloudwatch:SetAlarmState');
    });
    const result = await runReal(['--env', 'production', '--region', 'eu-west-1', '--fire-drill', 'rds-cpu']);
    expect(seen.targets).toEqual([
      'GraniteServiceVersion20100801.DescribeAlarms',
      'STS.GetCallerIdentity',
      'GraniteServiceVersion20100801.SetAlarmState',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^vigil verify: access denied \(AccessDenied\): not authorized to perform: cloudwatch:SetAlarmState — /);
  });
});

describe('vigil verify without a usable AWS setup', () => {
  test('no credentials anywhere exits 2 before any request, saying how to provide them', async () => {
    const result = await runReal(['--env', 'production', '--region', 'eu-west-1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "vigil verify: no AWS credentials from the environment, shared config or instance role: run 'aws configure' or 'aws sso login', set AWS_PROFILE, or pass --profile\n",
    );
  });

  test('a --profile the config does not define exits 2 naming the profile', async () => {
    fs.writeFileSync(process.env.AWS_CONFIG_FILE!, '[profile ops]\nregion = eu-west-1\n');
    const result = await runReal(['--env', 'production', '--region', 'eu-west-1', '--profile', 'opps']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "vigil verify: no AWS credentials for profile 'opps': run 'aws configure' or 'aws sso login', set AWS_PROFILE, or pass --profile\n",
    );
  });

  test('no region from flags, environment or profile exits 2 saying where to set one', async () => {
    withKeys();
    const result = await runReal(['--env', 'production']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('vigil verify: no AWS region: pass --region (e.g. --region eu-west-1), set AWS_REGION, or set a region in the profile\n');
  });

  test('a region that is not a hostname component exits 2 before any request', async () => {
    withKeys();
    const result = await runReal(['--env', 'production', '--region', 'eu west 1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^vigil verify: invalid region 'eu west 1': Region not accepted: .* — use a region code such as eu-west-1\n$/);
  });

  test('an unknown region exits 2 when its endpoint does not resolve', async () => {
    // GIVEN a well-formed region that does not exist: the SDK builds monitoring.<region>.amazonaws.com
    withKeys();
    const result = await runReal(['--env', 'production', '--region', 'mars-east-1']);
    // THEN DNS fails (no such name, or no DNS at all offline) and the line says to check --region
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^vigil verify: cannot resolve the CloudWatch endpoint monitoring\.mars-east-1\.amazonaws\.com for region 'mars-east-1' \((ENOTFOUND|EAI_AGAIN)\): check --region names a real AWS region and that this machine can reach AWS\n$/,
    );
  });
});
