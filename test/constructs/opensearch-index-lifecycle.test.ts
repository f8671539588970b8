import { Template } from 'aws-cdk-lib/assertions';
import { configFor, ENVIRONMENT_NAMES } from '../../lib/config';
import { INDEX_LIFECYCLE_RESOURCE_TYPE, OpenSearchIndexLifecycle } from '../../lib/constructs/opensearch-role-mapping';
import { VigilStage } from '../../lib/vigil-stage';
import { Stack } from 'aws-cdk-lib';
import { newApp } from '../support/app';
import { customResourceEvent, loopbackDomain, type DomainAnswer, type Recorded } from '../support/loopback-domain';

interface Policy { seqNo: number; primaryTerm: number; document: { policy: PolicyDocument } }
interface PolicyDocument {
  default_state: string;
  states: Array<{ name: string; actions: unknown[]; transitions: Array<{ state_name: string; conditions?: { min_index_age?: string } }> }>;
  ism_template: Array<{ index_patterns: string[]; priority: number }>;
}
interface Index { replicas: number; policyId?: string; policySeqNo?: number }

const matches = (pattern: string, name: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(name);

/**
 * The parts of OpenSearch that the lifecycle handler uses, with their rules: a policy update needs
 * the `if_seq_no`/`if_primary_term` of the current version (409 otherwise), `add` skips indices
 * that already have a policy, `change_policy` moves managed indices to the current version, and a
 * new index takes its replica count from the matching index template and its policy from the
 * matching ISM template. A pattern that matches no index answers 404 (index_not_found).
 */
class FakeOpenSearch {
  readonly policies = new Map<string, Policy>();
  readonly templates = new Map<string, { index_patterns: string[]; template: { settings: Record<string, unknown> } }>();
  readonly indices = new Map<string, Index>();
  private seqNo = 0;

  /** Creates an index as the log router's first write of a day does. */
  createIndex(name: string): Index {
    const template = [...this.templates.values()].find((t) => t.index_patterns.some((p) => matches(p, name)));
    const index: Index = { replicas: Number(template?.template.settings['index.number_of_replicas'] ?? 1) };
    for (const [id, policy] of this.policies) {
      if (policy.document.policy.ism_template.some((t) => t.index_patterns.some((p) => matches(p, name)))) Object.assign(index, { policyId: id, policySeqNo: policy.seqNo });
    }
    this.indices.set(name, index);
    return index;
  }

  answer = ({ method, path, body }: Recorded): DomainAnswer => {
    const url = new URL(path, 'http://domain');
    const parts = url.pathname.split('/').slice(1).map(decodeURIComponent);
    const payload = body ? JSON.parse(body) : undefined;
    const matching = (pattern: string) => [...this.indices.entries()].filter(([name]) => matches(pattern, name));
    const notFound = { status: 404, body: { error: { type: 'index_not_found_exception' } } };
    if (parts[0] === '_plugins' && parts[1] === '_ism' && parts[2] === 'policies') {
      const id = parts[3];
      const current = this.policies.get(id);
      if (method === 'GET') return current ? { status: 200, body: { _id: id, _seq_no: current.seqNo, _primary_term: current.primaryTerm, policy: current.document.policy } } : notFound;
      if (method === 'DELETE') return this.policies.delete(id) ? { status: 200 } : notFound;
      if (method === 'PUT') {
        const seq = url.searchParams.get('if_seq_no');
        const term = url.searchParams.get('if_primary_term');
        if (current && (Number(seq) !== current.seqNo || Number(term) !== current.primaryTerm || seq === null)) {
          return { status: 409, body: { error: { type: 'version_conflict_engine_exception' } } };
        }
        this.policies.set(id, { seqNo: ++this.seqNo, primaryTerm: 1, document: payload });
        return { status: current ? 200 : 201 };
      }
    }
    if (parts[0] === '_plugins' && parts[1] === '_ism' && method === 'POST') {
      const [action, pattern] = [parts[2], parts[3]];
      const found = matching(pattern);
      if (found.length === 0) return notFound;
      const failed: Array<{ index_name: string; reason: string }> = [];
      for (const [name, index] of found) {
        const policy = payload && this.policies.get(payload.policy_id);
        if (action === 'remove') Object.assign(index, { policyId: undefined, policySeqNo: undefined });
        else if (action === 'add' && index.policyId) failed.push({ index_name: name, reason: 'This index already has a policy, use the update policy API to update index policies' });
        else if (action === 'change_policy' && !index.policyId) failed.push({ index_name: name, reason: 'This index is not being managed' });
        else if (policy) Object.assign(index, { policyId: payload.policy_id, policySeqNo: policy.seqNo });
        else failed.push({ index_name: name, reason: 'Policy not found' });
      }
      return { status: 200, body: { updated_indices: found.length - failed.length, failures: failed.length > 0, failed_indices: failed } };
    }
    if (parts[0] === '_index_template') {
      if (method === 'PUT') { this.templates.set(parts[1], payload); return { status: 200 }; }
      if (method === 'DELETE') return this.templates.delete(parts[1]) ? { status: 200 } : notFound;
    }
    if (parts[1] === '_settings' && method === 'PUT') {
      const found = matching(parts[0]);
      if (found.length === 0) return notFound;
      for (const [, index] of found) index.replicas = payload.index.number_of_replicas;
      return { status: 200 };
    }
    return { status: 400, body: { error: `the fake has no ${method} ${path}` } };
  };
}

const PROPS = { Name: 'staging-backend-retention', IndexPattern: 'staging-backend-*', DeleteAfterDays: '14', Replicas: '0' };

describe('index-lifecycle handler against a loopback OpenSearch', () => {
  // The handler logs ISM per-index failures for its log stream; keep the test output quiet.
  let log: jest.SpyInstance;
  beforeEach(() => {
    log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());
  let search: FakeOpenSearch;
  let domain: Awaited<ReturnType<typeof loopbackDomain>>;
  beforeEach(async () => {
    search = new FakeOpenSearch();
    domain = await loopbackDomain(search.answer);
  });
  afterEach(() => domain.close());
  const lifecycle = (requestType: string, props: Record<string, unknown> = PROPS, extra: Record<string, unknown> = {}) =>
    domain.run(customResourceEvent(domain, requestType, INDEX_LIFECYCLE_RESOURCE_TYPE, props, extra));
  const ageOf = (name: string) => search.policies.get(name)!.document.policy.states[0].transitions[0].conditions!.min_index_age;

  test('GIVEN a domain already holding daily indices with a replica WHEN Create is handled THEN the policy deletes at 14 days, both indices are managed by it with 0 replicas, and other indices are untouched', async () => {
    search.createIndex('staging-backend-2026.12.01');
    search.createIndex('staging-backend-2026.12.02');
    search.createIndex('audit-2026.12.02');
    await lifecycle('Create');

    expect(domain.responses.map((r) => [r.Status, r.Reason, r.PhysicalResourceId])).toEqual([['SUCCESS', 'OK', 'opensearch-index-lifecycle:vpc-x.es.amazonaws.com:staging-backend-retention']]);
    const policy = search.policies.get('staging-backend-retention')!;
    expect(policy.document.policy).toMatchObject({
      default_state: 'open',
      states: [
        { name: 'open', actions: [], transitions: [{ state_name: 'delete', conditions: { min_index_age: '14d' } }] },
        { name: 'delete', actions: [{ delete: {} }], transitions: [] },
      ],
      ism_template: [{ index_patterns: ['staging-backend-*'] }],
    });
    for (const name of ['staging-backend-2026.12.01', 'staging-backend-2026.12.02']) {
      expect(search.indices.get(name)).toEqual({ replicas: 0, policyId: 'staging-backend-retention', policySeqNo: policy.seqNo });
    }
    expect(search.indices.get('audit-2026.12.02')).toEqual({ replicas: 1 });
    for (const r of domain.requests) expect(r.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/es\/aws4_request/);
  });

  test('GIVEN the lifecycle in place WHEN the log router opens the next daily index THEN the index is managed by the policy and has no replica', async () => {
    await lifecycle('Create');
    expect(domain.responses.map((r) => r.Status)).toEqual(['SUCCESS']);
    expect(search.createIndex('staging-backend-2026.12.03')).toEqual({ replicas: 0, policyId: 'staging-backend-retention', policySeqNo: search.policies.get('staging-backend-retention')!.seqNo });
  });

  test('GIVEN an empty domain WHEN Create is handled THEN it succeeds: a pattern that matches no index yet is not an error', async () => {
    await lifecycle('Create');
    expect(domain.responses.map((r) => r.Status)).toEqual(['SUCCESS']);
    expect(search.templates.get('staging-backend-retention')).toEqual({ index_patterns: ['staging-backend-*'], priority: 100, template: { settings: { 'index.number_of_replicas': 0 } } });
  });

  test('GIVEN a managed index WHEN Update raises the retention to 30 days THEN the policy is replaced at its current version and the index moves to the new version', async () => {
    search.createIndex('staging-backend-2026.12.01');
    await lifecycle('Create');
    const first = search.policies.get('staging-backend-retention')!.seqNo;
    await lifecycle('Update', { ...PROPS, DeleteAfterDays: '30' }, { PhysicalResourceId: 'id-1', OldResourceProperties: PROPS });

    expect(domain.responses.map((r) => [r.Status, r.PhysicalResourceId])).toEqual([['SUCCESS', 'opensearch-index-lifecycle:vpc-x.es.amazonaws.com:staging-backend-retention'], ['SUCCESS', 'id-1']]);
    const policy = search.policies.get('staging-backend-retention')!;
    expect(policy.seqNo).toBeGreaterThan(first);
    expect(ageOf('staging-backend-retention')).toBe('30d');
    expect(search.indices.get('staging-backend-2026.12.01')).toMatchObject({ policyId: 'staging-backend-retention', policySeqNo: policy.seqNo });
    expect(domain.requests.map((r) => `${r.method} ${r.path}`)).toContain(`PUT /_plugins/_ism/policies/staging-backend-retention?if_seq_no=${first}&if_primary_term=1`);
    // `add` found the index managed already: logged for the log stream, not a failure.
    expect(log).toHaveBeenCalledWith(expect.stringContaining('already has a policy'));
  });

  test('GIVEN an Update that renames the policy WHEN handled THEN the old policy and template are gone and the indices are managed by the new one', async () => {
    search.createIndex('staging-backend-2026.12.01');
    await lifecycle('Create', { ...PROPS, Name: 'old-retention' });
    await lifecycle('Update', PROPS, { PhysicalResourceId: 'id-1', OldResourceProperties: { ...PROPS, Name: 'old-retention' } });

    expect(domain.responses.map((r) => r.Status)).toEqual(['SUCCESS', 'SUCCESS']);
    expect([...search.policies.keys()]).toEqual(['staging-backend-retention']);
    expect([...search.templates.keys()]).toEqual(['staging-backend-retention']);
    expect(search.indices.get('staging-backend-2026.12.01')).toMatchObject({ policyId: 'staging-backend-retention' });
  });

  test('GIVEN the lifecycle in place WHEN Delete is handled twice THEN the indices are unmanaged, the policy and template are gone, and the second Delete (all 404) succeeds too', async () => {
    search.createIndex('staging-backend-2026.12.01');
    await lifecycle('Create');
    await lifecycle('Delete', PROPS, { PhysicalResourceId: 'id-1' });
    await lifecycle('Delete', PROPS, { PhysicalResourceId: 'id-1' });

    expect(domain.responses.map((r) => r.Status)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);
    expect(search.policies.size).toBe(0);
    expect(search.templates.size).toBe(0);
    expect(search.indices.get('staging-backend-2026.12.01')).toEqual({ replicas: 0, policyId: undefined, policySeqNo: undefined });
  });

  test('GIVEN the resource moved to a new logical ID (created anew, then the old one deleted) WHEN the old one\'s Delete is handled THEN the policy, template and managed indices stay with the new one', async () => {
    search.createIndex('staging-backend-2026.12.01');
    await lifecycle('Create', PROPS, { LogicalResourceId: 'OldLifecycle' });
    await lifecycle('Create', PROPS, { LogicalResourceId: 'NewLifecycle' });
    await lifecycle('Delete', PROPS, { LogicalResourceId: 'OldLifecycle', PhysicalResourceId: 'id-1' });

    expect(domain.responses.map((r) => r.Status)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);
    expect(search.policies.get('staging-backend-retention')!.document.policy).toMatchObject({ description: expect.stringContaining('NewLifecycle]') });
    expect(search.templates.has('staging-backend-retention')).toBe(true);
    expect(search.indices.get('staging-backend-2026.12.01')).toMatchObject({ policyId: 'staging-backend-retention' });
    expect(log).toHaveBeenCalledWith(expect.stringContaining('now belongs to another resource'));

    await lifecycle('Delete', PROPS, { LogicalResourceId: 'NewLifecycle', PhysicalResourceId: 'id-2' });
    expect(search.policies.size).toBe(0);
    expect(search.indices.get('staging-backend-2026.12.01')).toMatchObject({ policyId: undefined });
  });

  test.each([
    ['DeleteAfterDays', { DeleteAfterDays: '0' }, 'DeleteAfterDays must be a whole number of days, at least 1, got "0"'],
    ['Replicas', { Replicas: 'one' }, 'Replicas must be a whole number, 0 or more, got "one"'],
    ['IndexPattern', { IndexPattern: '*' }, 'IndexPattern must be an index prefix followed by -*'],
    ['Name', { Name: 'Retention Policy' }, 'Name must match [a-z0-9][a-z0-9_-]*'],
  ])('GIVEN a bad %s WHEN Create is handled THEN FAILED names the field and the value, and the domain is not called; its Delete then succeeds without a call', async (_, bad, reason) => {
    await lifecycle('Create', { ...PROPS, ...bad });
    await lifecycle('Delete', { ...PROPS, ...bad }, { PhysicalResourceId: 'id-1' });
    expect(domain.requests).toHaveLength(0);
    expect(domain.responses.map((r) => r.Status)).toEqual(['FAILED', 'SUCCESS']);
    expect(domain.responses[0].Reason).toContain(reason);
  });

  test('GIVEN the domain refuses the policy PUT (403) WHEN Create is handled THEN FAILED names the path, the status and the body', async () => {
    await domain.close();
    domain = await loopbackDomain((r) => (r.method === 'PUT' ? { status: 403, body: { error: 'no permissions for [cluster:admin/opendistro/ism/policy/write]' } } : search.answer(r)));
    await lifecycle('Create');
    expect(domain.responses.map((r) => r.Status)).toEqual(['FAILED']);
    expect(domain.responses[0].Reason).toMatch(/PUT \/_plugins\/_ism\/policies\/staging-backend-retention answered HTTP 403: .*ism\/policy\/write/);
  });

  test('GIVEN an unknown resource type WHEN handled THEN FAILED names both known types', async () => {
    await domain.run(customResourceEvent(domain, 'Create', 'Custom::Other', PROPS));
    expect(domain.responses[0].Status).toBe('FAILED');
    expect(domain.responses[0].Reason).toContain('ResourceType must be Custom::OpenSearchRoleMapping or Custom::OpenSearchIndexLifecycle, got "Custom::Other"');
  });
});

describe('OpenSearchIndexLifecycle construct', () => {
  test.each([
    ['deleteAfterDays', { deleteAfterDays: 0 }, /deleteAfterDays must be a whole number of days, at least 1, got 0/],
    ['replicas', { replicas: -1 }, /replicas must be a whole number, 0 or more, got -1/],
    ['indexPattern', { indexPattern: 'staging-backend' }, /indexPattern must be an index prefix followed by -\*.*got 'staging-backend'/],
  ])('refuses a bad %s at synth, naming it', (_, bad, message) => {
    const props = { serviceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:f', endpoint: 'vpc-x', region: 'eu-west-1', name: 'n', indexPattern: 'staging-backend-*', deleteAfterDays: 14, replicas: 0 };
    expect(() => new OpenSearchIndexLifecycle(new Stack(), 'L', { ...props, ...bad })).toThrow(message);
  });
});

describe.each(ENVIRONMENT_NAMES)('%s templates', (env) => {
  const config = configFor(env);
  const stage = new VigilStage(newApp(), 'Stage', { config, env: { account: '123456789012', region: config.region } });
  const logs = Template.fromStack(stage.logs);
  const resources = logs.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, any>; DependsOn?: string[]; DeletionPolicy?: string }>;

  test('the Logs stack keeps the log router\'s indices for search.logIndexRetentionDays, with a replica only where a second data node can hold it', () => {
    const all = Object.values(resources).filter((r) => r.Type === INDEX_LIFECYCLE_RESOURCE_TYPE);
    expect(all).toHaveLength(1);
    const props = all[0].Properties;
    const router = Template.fromStack(stage.services).findResources('AWS::ECS::TaskDefinition');
    const prefixes = Object.values(router).flatMap((t) => t.Properties.ContainerDefinitions)
      .map((c: { LogConfiguration?: { Options?: { Logstash_Prefix?: string } } }) => c.LogConfiguration?.Options?.Logstash_Prefix).filter(Boolean);
    expect(prefixes).toEqual([`${env}-backend`]);
    expect(props).toMatchObject({
      IndexPattern: `${prefixes[0]}-*`,
      DeleteAfterDays: config.search.logIndexRetentionDays,
      Replicas: config.search.dataNodeCount > 1 ? 1 : 0,
      Name: `${env}-backend-retention`,
    });
    expect(props.ServiceToken).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^RoleMappingProviderFunction/), 'Arn'] });
    // A domain kept after its stack is deleted keeps its retention.
    expect(all[0]).toMatchObject({ DeletionPolicy: config.search.removalPolicy === 'retain' ? 'Retain' : 'Delete' });
    // It calls the domain only once the domain's group admits the function.
    expect(all[0].DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^DomainSecurityGroupfrom.*RoleMappingProvider/)]));
  });

  test('the master-user role may call ISM, index templates and the log indices\' settings, and nothing else beyond the security API', () => {
    const role = Object.entries(resources).find(([id, r]) => r.Type === 'AWS::IAM::Role' && id.startsWith('RoleMappingProviderMasterRole'))![1];
    const statement = role.Properties.Policies[0].PolicyDocument.Statement.find((s: { Action: string[] }) => [s.Action].flat().includes('es:ESHttpPut'));
    expect(statement.Action).toEqual(['es:ESHttpDelete', 'es:ESHttpGet', 'es:ESHttpPost', 'es:ESHttpPut']);
    const paths = statement.Resource.map((r: unknown) => /domain\/[a-z-]+\/([^"]+)"/.exec(JSON.stringify(r))![1]).sort();
    expect(paths).toEqual(['_index_template/*', '_plugins/_ism/*', '_plugins/_security/api/*', `${env}-backend-*/_settings`]);
  });
});
