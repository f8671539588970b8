import { createHash, createHmac } from 'node:crypto';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SignatureV4 } from '@smithy/signature-v4';
import { configFor, ENVIRONMENT_NAMES } from '../../lib/config';
import { ROLE_MAPPING_RESOURCE_TYPE } from '../../lib/constructs/opensearch-role-mapping';
import { VigilStage } from '../../lib/vigil-stage';
import { newApp } from '../support/app';
import { customResourceEvent, loopbackDomain, roleMappingHandler, TEST_CREDENTIALS as credentials } from '../support/loopback-domain';

const { signRequest } = roleMappingHandler;

/** A domain that answers every security-API call with the status `statusFor` picks (default 200). */
const fakeDomain = (statusFor: (method: string, path: string) => number = () => 200) => loopbackDomain(({ method, path }) => {
  const status = statusFor(method, path);
  return { status, body: status < 300 ? { status: 'OK' } : { status: 'FORBIDDEN', message: 'no permissions for [restapi:admin/roles]' } };
});

const WRITER = 'arn:aws:iam::123456789012:role/backend-task';
const READER = 'arn:aws:iam::123456789012:role/grafana-task';
const roles = [
  { Name: 'staging_backend_logs_writer', ClusterPermissions: ['cluster_composite_ops'], IndexPatterns: ['staging-backend-*'], AllowedActions: ['crud', 'create_index'], BackendRoles: [WRITER] },
  { Name: 'staging_backend_logs_reader', ClusterPermissions: ['cluster_composite_ops_ro'], IndexPatterns: ['staging-backend-*'], AllowedActions: ['read', 'search'], BackendRoles: [READER] },
];

const event = (domain: { baseUrl: string }, requestType: string, extra: Record<string, unknown> = {}) =>
  customResourceEvent(domain, requestType, ROLE_MAPPING_RESOURCE_TYPE, { Roles: roles }, { LogicalResourceId: 'LogsRoleMapping', ...extra });

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
  test.each([
    ['a security-API path', 'PUT', '/_plugins/_security/api/rolesmapping/staging_backend_logs_writer', {}, JSON.stringify({ backend_roles: [WRITER] })],
    // `*` is one of the characters encodeURIComponent leaves alone but SigV4 encodes.
    ['an index pattern in the path', 'POST', '/_plugins/_ism/add/staging-backend-*', {}, JSON.stringify({ policy_id: 'p' })],
    ['a query string (out of order)', 'PUT', '/_plugins/_ism/policies/staging-backend-retention', { if_seq_no: '7', if_primary_term: '2' }, '{}'],
    // Sorted by name: `a` before `a1`, though `a1=2` sorts before `a=1` as whole strings.
    ['query names that prefix each other', 'GET', '/_plugins/_ism/explain/x', { a1: '2', a: '1' }, ''],
  ])('GIVEN %s WHEN signed at a fixed time THEN the Authorization header equals the AWS SDK signer\'s for service es', async (_, method, path, query: Record<string, string>, body) => {
    const url = new URL(`https://vpc-x.eu-west-1.es.amazonaws.com${path}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.append(k, v);
    const now = new Date('2026-11-25T08:00:00Z');
    const ours = signRequest({ method, url, body, region: 'eu-west-1', credentials, now });

    const sdk = new SignatureV4({ service: 'es', region: 'eu-west-1', credentials, sha256: NodeSha256 });
    const signed = await sdk.sign({
      method, protocol: 'https:', hostname: url.hostname, path: url.pathname, query, body,
      headers: { host: url.host, 'content-type': 'application/json', 'x-amz-content-sha256': ours['x-amz-content-sha256'] },
    }, { signingDate: now });
    expect(ours.authorization).toBe(signed.headers.authorization);
    expect(ours.authorization).toContain('/20261125/eu-west-1/es/aws4_request');
  });
});

describe('role-mapping handler against a loopback domain', () => {
  // Failures are logged for the Lambda's log stream; keep the test output quiet.
  beforeEach(() => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());
  let domain: Awaited<ReturnType<typeof fakeDomain>>;
  afterEach(() => domain.close());
  const run = (e: Record<string, unknown>) => domain.run(e);

  test('GIVEN Create WHEN handled THEN each role is PUT with its permissions, then its mapping with the task role ARN, all SigV4-signed for es, and SUCCESS is reported', async () => {
    domain = await fakeDomain();
    await run(event(domain, 'Create'));

    expect(domain.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'PUT /_plugins/_security/api/roles/staging_backend_logs_writer',
      'PUT /_plugins/_security/api/rolesmapping/staging_backend_logs_writer',
      'PUT /_plugins/_security/api/roles/staging_backend_logs_reader',
      'PUT /_plugins/_security/api/rolesmapping/staging_backend_logs_reader',
    ]);
    // Both carry their owner (stack and logical ID), so a later owner's names survive this one's Delete.
    const description = 'Vigil log access, kept by CloudFormation [owner arn:aws:cloudformation:eu-west-1:123456789012:stack/Services/1 LogsRoleMapping]';
    expect(JSON.parse(domain.requests[0].body)).toEqual({
      description,
      cluster_permissions: ['cluster_composite_ops'],
      index_permissions: [{ index_patterns: ['staging-backend-*'], allowed_actions: ['crud', 'create_index'] }],
    });
    expect(JSON.parse(domain.requests[1].body)).toEqual({ description, backend_roles: [WRITER] });
    expect(JSON.parse(domain.requests[3].body)).toEqual({ description, backend_roles: [READER] });
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
      'GET /_plugins/_security/api/rolesmapping/staging_backend_logs_writer',
      'DELETE /_plugins/_security/api/rolesmapping/staging_backend_logs_writer',
      'DELETE /_plugins/_security/api/roles/staging_backend_logs_writer',
      'GET /_plugins/_security/api/rolesmapping/staging_backend_logs_reader',
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
      'GET /_plugins/_security/api/rolesmapping/staging_backend_logs_reader_old',
      'DELETE /_plugins/_security/api/rolesmapping/staging_backend_logs_reader_old',
      'DELETE /_plugins/_security/api/roles/staging_backend_logs_reader_old',
    ]);
    expect(domain.responses.map((r) => [r.Status, r.PhysicalResourceId])).toEqual([['SUCCESS', 'id-1']]);
  });

  test('GIVEN mappings another resource has taken over (a new logical ID) WHEN the old resource\'s Delete is handled THEN nothing is deleted; mappings it owns, or that name no owner, are', async () => {
    const owners: Record<string, string> = {
      staging_backend_logs_writer: 'Vigil log access, kept by CloudFormation [owner arn:aws:cloudformation:eu-west-1:123456789012:stack/Services/1 NewRoleMapping]',
      staging_backend_logs_reader: 'made by hand',
    };
    domain = await loopbackDomain(({ method, path }) => {
      const name = path.split('/').pop()!;
      return method === 'GET' ? { status: 200, body: { [name]: { backend_roles: [WRITER], description: owners[name] } } } : { status: 200 };
    });
    await run(event(domain, 'Delete', { PhysicalResourceId: 'id-1' }));
    expect(domain.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /_plugins/_security/api/rolesmapping/staging_backend_logs_writer',
      'GET /_plugins/_security/api/rolesmapping/staging_backend_logs_reader',
      'DELETE /_plugins/_security/api/rolesmapping/staging_backend_logs_reader',
      'DELETE /_plugins/_security/api/roles/staging_backend_logs_reader',
    ]);
    expect(domain.responses.map((r) => r.Status)).toEqual(['SUCCESS']);
  });

  test('GIVEN a role without backend roles WHEN Create is handled THEN FAILED names the field, and the domain is not called', async () => {
    domain = await fakeDomain();
    await run(customResourceEvent(domain, 'Create', ROLE_MAPPING_RESOURCE_TYPE, { Roles: [{ ...roles[0], BackendRoles: [] }] }));
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
    // Grafana's datasource has PPL on: the PPL plugin's own action and the settings read it needs.
    expect(reader).toMatchObject({ ClusterPermissions: expect.arrayContaining(['cluster:admin/opensearch/ppl']), AllowedActions: expect.arrayContaining(['indices:monitor/settings/get']) });
    expect(JSON.stringify(Template.fromStack(stage.services).toJSON())).toContain('pplEnabled');
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
