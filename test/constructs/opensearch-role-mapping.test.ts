import { createHash, createHmac } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SignatureV4 } from '@smithy/signature-v4';
import { configFor, ENVIRONMENT_NAMES } from '../../lib/config';
import { ROLE_MAPPING_HANDLER_DIR, ROLE_MAPPING_RESOURCE_TYPE } from '../../lib/constructs/opensearch-role-mapping';
import { VigilStage } from '../../lib/vigil-stage';
import { newApp } from '../support/app';

/** The handler is plain JS shipped as the Lambda asset; these are the parts the tests drive. */
interface CfnResponse { Status: string; Reason: string; PhysicalResourceId: string; RequestId: string }
const { handler, signRequest } = require(ROLE_MAPPING_HANDLER_DIR) as {
  handler: (event: Record<string, unknown>, context: unknown, overrides: Record<string, unknown>) => Promise<void>;
  signRequest: (req: { method: string; url: URL; body: string; region: string; credentials: typeof credentials; now: Date }) => Record<string, string>;
};

interface Recorded { method: string; path: string; headers: http.IncomingHttpHeaders; body: string }

/**
 * A loopback server standing in for the domain and for CloudFormation's response URL: records
 * every request, answers security-API calls with the status `statusFor` picks (default 200).
 */
async function fakeDomain(statusFor: (method: string, path: string) => number = () => 200) {
  const requests: Recorded[] = [];
  const responses: CfnResponse[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (req.url === '/cfn-response') {
        responses.push(JSON.parse(body));
        res.end();
        return;
      }
      requests.push({ method: req.method!, path: req.url!, headers: req.headers, body });
      const status = statusFor(req.method!, req.url!);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status < 300 ? { status: 'OK' } : { status: 'FORBIDDEN', message: 'no permissions for [restapi:admin/roles]' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { baseUrl, requests, responses, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const WRITER = 'arn:aws:iam::123456789012:role/backend-task';
const READER = 'arn:aws:iam::123456789012:role/grafana-task';
const roles = [
  { Name: 'staging_backend_logs_writer', ClusterPermissions: ['cluster_composite_ops'], IndexPatterns: ['staging-backend-*'], AllowedActions: ['crud', 'create_index'], BackendRoles: [WRITER] },
  { Name: 'staging_backend_logs_reader', ClusterPermissions: ['cluster_composite_ops_ro'], IndexPatterns: ['staging-backend-*'], AllowedActions: ['read', 'search'], BackendRoles: [READER] },
];
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' };

function event(domain: { baseUrl: string }, requestType: string, extra: Record<string, unknown> = {}) {
  return {
    RequestType: requestType,
    ResponseURL: `${domain.baseUrl}/cfn-response`,
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Services/1',
    RequestId: 'req-1',
    LogicalResourceId: 'LogsRoleMapping',
    ResourceProperties: { ServiceToken: 'x', Endpoint: 'vpc-x.es.amazonaws.com', Region: 'eu-west-1', Roles: roles },
    ...extra,
  };
}

const bytes = (d: string | ArrayBuffer | ArrayBufferView): string | Uint8Array => (typeof d === 'string' ? d
  : ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : new Uint8Array(d));

/** SHA-256 (and HMAC-SHA-256) in the shape the AWS SDK's signer takes, from node:crypto. */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) { this.hash = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256'); }
  update(data: string | ArrayBuffer | ArrayBufferView): void { this.hash.update(bytes(data)); }
  async digest(): Promise<Uint8Array> { return new Uint8Array(this.hash.digest()); }
  reset(): void { /* one-shot: the signer makes a new instance per digest */ }
}

describe('SigV4 signing in the handler', () => {
  test('GIVEN a PUT with a body at a fixed time WHEN signed THEN the Authorization header equals the AWS SDK signer\'s for service es', async () => {
    const url = new URL('https://vpc-x.eu-west-1.es.amazonaws.com/_plugins/_security/api/rolesmapping/staging_backend_logs_writer');
    const body = JSON.stringify({ backend_roles: [WRITER] });
    const now = new Date('2026-11-25T08:00:00Z');
    const ours = signRequest({ method: 'PUT', url, body, region: 'eu-west-1', credentials, now });

    const sdk = new SignatureV4({ service: 'es', region: 'eu-west-1', credentials, sha256: NodeSha256 });
    const signed = await sdk.sign({
      method: 'PUT', protocol: 'https:', hostname: url.hostname, path: url.pathname, query: {}, body,
      headers: { host: url.host, 'content-type': 'application/json', 'x-amz-content-sha256': ours['x-amz-content-sha256'] },
    }, { signingDate: now });
    expect(ours.authorization).toBe(signed.headers.authorization);
    expect(ours.authorization).toContain('/20261125/eu-west-1/es/aws4_request');
  });
});

describe('role-mapping handler against a loopback domain', () => {
  // Failures are logged for the Lambda's log stream; keep the test output quiet.
  beforeEach(() => jest.spyOn(console, 'error').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());
  let domain: Awaited<ReturnType<typeof fakeDomain>>;
  afterEach(() => domain.close());
  const run = (e: Record<string, unknown>) => handler(e, { logStreamName: 'stream' }, { baseUrl: domain.baseUrl, region: 'eu-west-1', credentials });

  test('GIVEN Create WHEN handled THEN each role is PUT with its permissions, then its mapping with the task role ARN, all SigV4-signed for es, and SUCCESS is reported', async () => {
    domain = await fakeDomain();
    await run(event(domain, 'Create'));

    expect(domain.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'PUT /_plugins/_security/api/roles/staging_backend_logs_writer',
      'PUT /_plugins/_security/api/rolesmapping/staging_backend_logs_writer',
      'PUT /_plugins/_security/api/roles/staging_backend_logs_reader',
      'PUT /_plugins/_security/api/rolesmapping/staging_backend_logs_reader',
    ]);
    expect(JSON.parse(domain.requests[0].body)).toEqual({
      cluster_permissions: ['cluster_composite_ops'],
      index_permissions: [{ index_patterns: ['staging-backend-*'], allowed_actions: ['crud', 'create_index'] }],
    });
    expect(JSON.parse(domain.requests[1].body)).toEqual({ backend_roles: [WRITER] });
    expect(JSON.parse(domain.requests[3].body)).toEqual({ backend_roles: [READER] });
    for (const r of domain.requests) {
      expect(r.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/es\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/);
      expect(r.headers['x-amz-security-token']).toBe('token');
      expect(r.headers['content-type']).toBe('application/json');
    }
    expect(domain.responses).toEqual([expect.objectContaining({ Status: 'SUCCESS', RequestId: 'req-1', PhysicalResourceId: 'opensearch-role-mapping:vpc-x.es.amazonaws.com' })]);
  });

  test('GIVEN Delete of mappings that are already gone (404) WHEN handled THEN the mappings and roles are deleted and SUCCESS is reported', async () => {
    domain = await fakeDomain(() => 404);
    await run(event(domain, 'Delete', { PhysicalResourceId: 'opensearch-role-mapping:vpc-x.es.amazonaws.com' }));

    expect(domain.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'DELETE /_plugins/_security/api/rolesmapping/staging_backend_logs_writer',
      'DELETE /_plugins/_security/api/roles/staging_backend_logs_writer',
      'DELETE /_plugins/_security/api/rolesmapping/staging_backend_logs_reader',
      'DELETE /_plugins/_security/api/roles/staging_backend_logs_reader',
    ]);
    expect(domain.requests.every((r) => /es\/aws4_request/.test(String(r.headers.authorization)))).toBe(true);
    expect(domain.responses.map((r) => [r.Status, r.PhysicalResourceId])).toEqual([['SUCCESS', 'opensearch-role-mapping:vpc-x.es.amazonaws.com']]);
  });

  test('GIVEN the domain refuses the role PUT (403) WHEN Create is handled THEN FAILED is reported with the status and body, and nothing further is sent', async () => {
    domain = await fakeDomain((method) => (method === 'PUT' ? 403 : 200));
    await run(event(domain, 'Create'));

    expect(domain.requests).toHaveLength(1);
    expect(domain.responses).toHaveLength(1);
    expect(domain.responses[0].Status).toBe('FAILED');
    expect(domain.responses[0].Reason).toContain('HTTP 403');
    expect(domain.responses[0].Reason).toContain('no permissions for [restapi:admin/roles]');
    expect(domain.responses[0].Reason).toContain('/_plugins/_security/api/roles/staging_backend_logs_writer');
  });

  test('GIVEN a 500 on Delete WHEN handled THEN FAILED is reported (only 404 is tolerated)', async () => {
    domain = await fakeDomain(() => 500);
    await run(event(domain, 'Delete', { PhysicalResourceId: 'id-1' }));
    expect(domain.responses.map((r) => r.Status)).toEqual(['FAILED']);
    expect(domain.responses[0].Reason).toContain('HTTP 500');
  });

  test('GIVEN an Update that drops a role WHEN handled THEN the remaining role is put and the dropped one is removed', async () => {
    domain = await fakeDomain();
    const renamed = { ...roles[1], Name: 'staging_backend_logs_reader_old' };
    await run(event(domain, 'Update', {
      PhysicalResourceId: 'id-1',
      OldResourceProperties: { Roles: [roles[0], renamed] },
    }));
    expect(domain.requests.map((r) => `${r.method} ${r.path}`).slice(4)).toEqual([
      'DELETE /_plugins/_security/api/rolesmapping/staging_backend_logs_reader_old',
      'DELETE /_plugins/_security/api/roles/staging_backend_logs_reader_old',
    ]);
    expect(domain.responses.map((r) => [r.Status, r.PhysicalResourceId])).toEqual([['SUCCESS', 'id-1']]);
  });

  test('GIVEN a role without backend roles WHEN Create is handled THEN FAILED names the field, and the domain is not called', async () => {
    domain = await fakeDomain();
    const e = event(domain, 'Create');
    e.ResourceProperties.Roles = [{ ...roles[0], BackendRoles: [] }];
    await run(e);
    expect(domain.requests).toHaveLength(0);
    expect(domain.responses[0].Status).toBe('FAILED');
    expect(domain.responses[0].Reason).toContain('Roles[staging_backend_logs_writer].BackendRoles');
  });
});

describe.each(ENVIRONMENT_NAMES)('%s templates', (env) => {
  const config = configFor(env);
  const stage = new VigilStage(newApp(), 'Stage', { config, env: { account: '123456789012', region: config.region } });
  const services = Template.fromStack(stage.services);
  const logs = Template.fromStack(stage.logs);
  const resolve = (v: unknown) => JSON.stringify(Stack.of(stage.services).resolve(v));

  test('the Services stack holds one role-mapping custom resource carrying both task-role ARNs and the index pattern', () => {
    const all = services.findResources(ROLE_MAPPING_RESOURCE_TYPE);
    expect(Object.keys(all)).toHaveLength(1);
    const props = Object.values(all)[0].Properties;
    const [writer, reader] = props.Roles;
    expect(writer).toMatchObject({ IndexPatterns: [`${env}-backend-*`], AllowedActions: expect.arrayContaining(['crud', 'indices:admin/create']), ClusterPermissions: expect.arrayContaining(['cluster_composite_ops']) });
    expect(reader).toMatchObject({ IndexPatterns: [`${env}-backend-*`], AllowedActions: expect.arrayContaining(['read', 'search']) });
    expect(JSON.stringify(writer.BackendRoles)).toBe(resolve([stage.services.backend.taskDefinition.taskRole.roleArn]));
    expect(JSON.stringify(reader.BackendRoles)).toBe(resolve([stage.services.grafana.taskRole.roleArn]));
    expect(JSON.stringify(props.ServiceToken)).toContain('Fn::ImportValue');
    expect(JSON.stringify(props.Endpoint)).toContain('Fn::ImportValue');
  });

  test('the domain names the function role as its master user, which only Lambda can assume (no task role, no internal users)', () => {
    const domain = Object.values(logs.findResources('AWS::OpenSearchService::Domain'))[0].Properties;
    expect(domain.AdvancedSecurityOptions).toMatchObject({ Enabled: true, InternalUserDatabaseEnabled: false });
    const master = domain.AdvancedSecurityOptions.MasterUserOptions.MasterUserARN['Fn::GetAtt'][0];
    const fn = Object.values(logs.findResources('AWS::Lambda::Function'))
      .find((f) => JSON.stringify(f.Properties.Role).includes(master))!;
    expect(fn).toBeDefined();
    expect(fn.Properties.Runtime).toMatch(/^nodejs\d+\.x$/);
    expect(logs.toJSON().Resources[master].Properties.AssumeRolePolicyDocument.Statement)
      .toEqual([expect.objectContaining({ Principal: { Service: 'lambda.amazonaws.com' } })]);
  });

  test('the function runs in the private subnets, and the domain admits its security group on 443', () => {
    const resources = logs.toJSON().Resources;
    const [id, fn] = Object.entries(logs.findResources('AWS::Lambda::Function')).find(([k]) => k.startsWith('RoleMappingProvider'))!;
    expect(id).toMatch(/^RoleMappingProviderFunction/);
    const subnets = fn.Properties.VpcConfig.SubnetIds;
    expect(subnets.length).toBeGreaterThan(0);
    expect(JSON.stringify(subnets)).toMatch(/PrivateSubnet/);
    const [sgRef] = fn.Properties.VpcConfig.SecurityGroupIds;
    const sgId = sgRef['Fn::GetAtt'][0];
    expect(resources[sgId].Type).toBe('AWS::EC2::SecurityGroup');
    logs.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp', FromPort: 443, ToPort: 443,
      SourceSecurityGroupId: { 'Fn::GetAtt': [sgId, 'GroupId'] },
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DomainSecurityGroup'), 'GroupId'] },
    });
    // The function's own group sends HTTPS only (to the domain and the CloudFormation response URL).
    expect(resources[sgId].Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 })]);
  });
});
