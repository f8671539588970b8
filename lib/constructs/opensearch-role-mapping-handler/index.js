'use strict';
/**
 * Custom resource handler for two resource types, both run as the domain's fine-grained access
 * control master user (this function's own role). Plain CommonJS with node built-ins only, so the
 * asset needs no bundling or install.
 *
 * - `Custom::OpenSearchRoleMapping` creates security roles and maps IAM roles to them.
 *   Properties: `Endpoint` (domain host name), `Region`, `Roles`: a list of
 *   `{ Name, ClusterPermissions, IndexPatterns, AllowedActions, BackendRoles }`.
 * - `Custom::OpenSearchIndexLifecycle` keeps daily indices for a number of days: an Index State
 *   Management policy that deletes them, attached to new indices by its ISM template and to
 *   existing ones by the deployment, and an index template that sets their replica count.
 *   Properties: `Endpoint`, `Region`, `Name` (the policy's and the template's), `IndexPattern`
 *   (`<prefix>-*`), `DeleteAfterDays`, `Replicas`.
 */
const crypto = require('node:crypto');
const http = require('node:http');
const https = require('node:https');

const REQUEST_TIMEOUT_MS = 20000;

const ROLE_MAPPING_TYPE = 'Custom::OpenSearchRoleMapping';
const INDEX_LIFECYCLE_TYPE = 'Custom::OpenSearchIndexLifecycle';

const sha256Hex = (data) => crypto.createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key, data) => crypto.createHmac('sha256', key).update(data, 'utf8').digest();
/** RFC 3986 percent-encoding, as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
const uriEscape = (text) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Signs a request with AWS Signature Version 4 for service `es`.
 * @returns the headers to send (host, x-amz-date, x-amz-content-sha256, security token, authorization)
 */
function signRequest({ method, url, body, region, credentials, now = new Date() }) {
  const amzDate = now.toISOString().replace(/[:-]|\.\d{3}/g, '');
  const dateStamp = amzDate.slice(0, 8);
  const payloadHash = sha256Hex(body);
  const headers = {
    'content-type': 'application/json',
    host: url.host,
    'x-amz-content-sha256': payloadHash,
    'x-amz-date': amzDate,
  };
  if (credentials.sessionToken) headers['x-amz-security-token'] = credentials.sessionToken;
  const names = Object.keys(headers).sort();
  // Path segments are role, policy and index names; an index pattern's `*` is encoded too.
  const canonicalPath = url.pathname.split('/').map((s) => uriEscape(decodeURIComponent(s))).join('/');
  // Sorted by encoded name, then value (sorting the joined `name=value` would put `a1=` before `a=`).
  const canonicalQuery = [...url.searchParams].map(([k, v]) => [uriEscape(k), uriEscape(v)])
    .sort(([k1, v1], [k2, v2]) => (k1 < k2 ? -1 : k1 > k2 ? 1 : v1 < v2 ? -1 : v1 > v2 ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`).join('&');
  const canonicalRequest = [
    method, canonicalPath, canonicalQuery,
    names.map((n) => `${n}:${String(headers[n]).trim()}\n`).join(''),
    names.join(';'), payloadHash,
  ].join('\n');
  const scope = `${dateStamp}/${region}/es/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = ['es', 'aws4_request'].reduce((key, part) => hmac(key, part),
    hmac(hmac(`AWS4${credentials.secretAccessKey}`, dateStamp), region));
  const signature = crypto.createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
  return headers;
}

/** Sends one HTTP(S) request; resolves with `{ status, body }` whatever the status. */
function send(method, url, headers, body) {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'http:' ? http : https;
    const req = client.request(url, { method, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`${method} ${url.pathname} timed out after ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * One signed call to the domain (`path` relative to its root, query string included); throws
 * naming the status and body unless 2xx (or an allowed status).
 */
async function domainApi(ctx, method, path, payload, allowed = []) {
  const url = new URL(path, ctx.baseUrl.endsWith('/') ? ctx.baseUrl : `${ctx.baseUrl}/`);
  const body = payload === undefined ? '' : JSON.stringify(payload);
  const headers = signRequest({ method, url, body, region: ctx.region, credentials: ctx.credentials });
  const res = await send(method, url, headers, body);
  if ((res.status < 200 || res.status > 299) && !allowed.includes(res.status)) {
    throw new Error(`${method} ${url.pathname} answered HTTP ${res.status}: ${res.body}`);
  }
  return res;
}

function validateRoles(roles) {
  if (!Array.isArray(roles) || roles.length === 0) {
    throw new Error(`Roles must be a non-empty list of { Name, ... }, got ${JSON.stringify(roles)}`);
  }
  for (const role of roles) {
    if (typeof role.Name !== 'string' || !/^[A-Za-z0-9_-]+$/.test(role.Name)) {
      throw new Error(`Roles[].Name must match [A-Za-z0-9_-]+, got ${JSON.stringify(role.Name)}`);
    }
    if (!Array.isArray(role.BackendRoles) || role.BackendRoles.length === 0) {
      throw new Error(`Roles[${role.Name}].BackendRoles must list at least one IAM role ARN, got ${JSON.stringify(role.BackendRoles)}`);
    }
  }
  return roles;
}

/**
 * The resource that put a role, mapping or policy, written into its description: the stack and
 * logical ID. A resource whose logical ID changed is created anew (it takes the names over) before
 * the old one is deleted, and that Delete must then leave them alone.
 */
function ownerTag(event) {
  return `[owner ${event.StackId} ${event.LogicalResourceId}]`;
}

/** Whether a description names another resource as owner (one naming none counts as ours). */
function ownedByAnother(description, event) {
  return /\[owner [^\]]*\]/.test(description || '') && !description.includes(ownerTag(event));
}

const securityApi = (ctx, method, path, payload, allowed) => domainApi(ctx, method, `_plugins/_security/api/${path}`, payload, allowed);

/** Deletes a role and its mapping, unless another resource has taken the mapping over. */
async function removeRole(ctx, name, event) {
  const current = await securityApi(ctx, 'GET', `rolesmapping/${name}`, undefined, [404]);
  if (current.status !== 404) {
    let description = '';
    try { description = (JSON.parse(current.body)[name] || {}).description || ''; } catch { /* not JSON: treat as ours */ }
    if (ownedByAnother(description, event)) {
      console.log(`Delete: role ${name} now belongs to another resource (${description}); left in place`);
      return;
    }
  }
  await securityApi(ctx, 'DELETE', `rolesmapping/${name}`, undefined, [404]);
  await securityApi(ctx, 'DELETE', `roles/${name}`, undefined, [404]);
}

/**
 * Role mapping: on Create/Update puts every role and its mapping (and removes roles an update
 * dropped); on Delete removes them, tolerating 404.
 */
async function applyRoleMapping(event, ctx, physicalId) {
  const props = event.ResourceProperties || {};
  if (event.RequestType === 'Delete') {
    for (const role of props.Roles || []) await removeRole(ctx, role.Name, event);
    return physicalId;
  }
  const roles = validateRoles(props.Roles);
  for (const role of roles) {
    const description = `Vigil log access, kept by CloudFormation ${ownerTag(event)}`;
    await securityApi(ctx, 'PUT', `roles/${role.Name}`, {
      description,
      cluster_permissions: role.ClusterPermissions || [],
      index_permissions: [{ index_patterns: role.IndexPatterns || [], allowed_actions: role.AllowedActions || [] }],
    });
    await securityApi(ctx, 'PUT', `rolesmapping/${role.Name}`, { description, backend_roles: role.BackendRoles });
  }
  if (event.RequestType === 'Update') {
    const kept = new Set(roles.map((r) => r.Name));
    for (const old of (event.OldResourceProperties && event.OldResourceProperties.Roles) || []) {
      if (!kept.has(old.Name)) await removeRole(ctx, old.Name, event);
    }
  }
  return physicalId;
}

/** A lifecycle's name: it names the ISM policy and the index template. */
const LIFECYCLE_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;
/** A lifecycle's indices: an index prefix followed by `-*`. */
const LIFECYCLE_INDEX_PATTERN = /^[a-z0-9][a-z0-9._-]*-\*$/;

/** The lifecycle properties, checked and with numbers parsed (CloudFormation sends strings). */
function validateLifecycle(props) {
  const name = props.Name;
  if (typeof name !== 'string' || !LIFECYCLE_NAME_PATTERN.test(name)) {
    throw new Error(`Name must match [a-z0-9][a-z0-9_-]* (it names the ISM policy and the index template), got ${JSON.stringify(name)}`);
  }
  const pattern = props.IndexPattern;
  if (typeof pattern !== 'string' || !LIFECYCLE_INDEX_PATTERN.test(pattern)) {
    throw new Error(`IndexPattern must be an index prefix followed by -* (e.g. staging-backend-*), got ${JSON.stringify(pattern)}`);
  }
  const days = Number(props.DeleteAfterDays);
  if (!Number.isInteger(days) || days < 1) throw new Error(`DeleteAfterDays must be a whole number of days, at least 1, got ${JSON.stringify(props.DeleteAfterDays)}`);
  const replicas = Number(props.Replicas);
  if (!Number.isInteger(replicas) || replicas < 0) throw new Error(`Replicas must be a whole number, 0 or more, got ${JSON.stringify(props.Replicas)}`);
  return { name, pattern, days, replicas };
}

/**
 * The ISM policy: an index stays in `open` until it is `days` old, then is deleted. Its
 * `ism_template` attaches it to every new index the pattern matches. `open` has no actions, so an
 * updated policy (a new age) reaches managed indices at once through change_policy.
 */
function retentionPolicy({ pattern, days }, owner) {
  return {
    policy: {
      description: `Deletes ${pattern} indices ${days} days after they were created (Vigil log retention) ${ownerTag(owner)}`,
      default_state: 'open',
      states: [
        { name: 'open', actions: [], transitions: [{ state_name: 'delete', conditions: { min_index_age: `${days}d` } }] },
        { name: 'delete', actions: [{ delete: {} }], transitions: [] },
      ],
      ism_template: [{ index_patterns: [pattern], priority: 100 }],
    },
  };
}

/**
 * An ISM bulk call on the indices a pattern matches (`add`, `change_policy`, `remove`). A pattern
 * that matches no index yet is not an error; per-index failures (an index already managed by
 * `add`, one not managed by `change_policy`) are logged, not thrown: the policy itself is in place.
 */
async function ismOnIndices(ctx, action, pattern, payload) {
  const res = await domainApi(ctx, 'POST', `_plugins/_ism/${action}/${pattern}`, payload, [404]);
  let body;
  try { body = JSON.parse(res.body); } catch { body = {}; }
  if (body.failures) console.log(`ISM ${action} on ${pattern}: ${JSON.stringify(body.failed_indices)}`);
  return res;
}

/** The policy as it is now: `{ seqNo, primaryTerm, description }`, or undefined when there is none. */
async function currentPolicy(ctx, name) {
  const res = await domainApi(ctx, 'GET', `_plugins/_ism/policies/${name}`, undefined, [404]);
  if (res.status === 404) return undefined;
  const body = JSON.parse(res.body);
  return { seqNo: body._seq_no, primaryTerm: body._primary_term, description: (body.policy && body.policy.description) || '' };
}

/** Puts the policy, conditionally on the version read first when it exists already. */
async function putPolicy(ctx, life, owner) {
  const current = await currentPolicy(ctx, life.name);
  const query = current ? `?if_seq_no=${current.seqNo}&if_primary_term=${current.primaryTerm}` : '';
  await domainApi(ctx, 'PUT', `_plugins/_ism/policies/${life.name}${query}`, retentionPolicy(life, owner));
}

/** Detaches the policy from the pattern's indices, then deletes the policy and the template. */
async function removeLifecycle(ctx, life, { keepPolicy = false } = {}) {
  await ismOnIndices(ctx, 'remove', life.pattern);
  if (keepPolicy) return;
  await domainApi(ctx, 'DELETE', `_plugins/_ism/policies/${life.name}`, undefined, [404]);
  await domainApi(ctx, 'DELETE', `_index_template/${life.name}`, undefined, [404]);
}

/**
 * Index lifecycle: on Create/Update puts the policy and the index template, moves managed indices
 * to the policy's current version, attaches it to unmanaged ones and sets their replica count;
 * an update that renames the policy or changes the pattern first undoes the old one. Delete
 * undoes it, tolerating 404.
 */
async function applyIndexLifecycle(event, ctx, physicalId) {
  const props = event.ResourceProperties || {};
  if (event.RequestType === 'Delete') {
    // Properties a Create refused created nothing (it checks before any call): nothing to undo.
    let life;
    try { life = validateLifecycle(props); } catch (error) {
      console.log(`Delete: nothing to remove (${error.message})`);
      return physicalId;
    }
    const current = await currentPolicy(ctx, life.name);
    if (current && ownedByAnother(current.description, event)) {
      console.log(`Delete: policy ${life.name} now belongs to another resource (${current.description}); left in place`);
      return physicalId;
    }
    await removeLifecycle(ctx, life);
    return physicalId;
  }
  const life = validateLifecycle(props);
  if (event.RequestType === 'Update' && event.OldResourceProperties) {
    const old = validateLifecycle(event.OldResourceProperties);
    if (old.name !== life.name || old.pattern !== life.pattern) await removeLifecycle(ctx, old, { keepPolicy: old.name === life.name });
  }
  await putPolicy(ctx, life, event);
  await domainApi(ctx, 'PUT', `_index_template/${life.name}`, {
    index_patterns: [life.pattern],
    priority: 100,
    template: { settings: { 'index.number_of_replicas': life.replicas } },
  });
  await ismOnIndices(ctx, 'change_policy', life.pattern, { policy_id: life.name });
  await ismOnIndices(ctx, 'add', life.pattern, { policy_id: life.name });
  await domainApi(ctx, 'PUT', `${life.pattern}/_settings`, { index: { number_of_replicas: life.replicas } }, [404]);
  return physicalId;
}

/**
 * The custom resource's work, apart from the CloudFormation response, by resource type.
 * `ctx` is `{ baseUrl, region, credentials }`.
 * @returns the physical resource ID
 */
async function apply(event, ctx) {
  if (event.RequestType !== 'Create' && event.RequestType !== 'Update' && event.RequestType !== 'Delete') {
    throw new Error(`RequestType must be Create, Update or Delete, got ${JSON.stringify(event.RequestType)}`);
  }
  const props = event.ResourceProperties || {};
  // Resources created before the type was checked carry the role-mapping type.
  const type = event.ResourceType || ROLE_MAPPING_TYPE;
  if (type === INDEX_LIFECYCLE_TYPE) {
    return applyIndexLifecycle(event, ctx, event.PhysicalResourceId || `opensearch-index-lifecycle:${props.Endpoint}:${props.Name}`);
  }
  if (type === ROLE_MAPPING_TYPE) {
    return applyRoleMapping(event, ctx, event.PhysicalResourceId || `opensearch-role-mapping:${props.Endpoint}`);
  }
  throw new Error(`ResourceType must be ${ROLE_MAPPING_TYPE} or ${INDEX_LIFECYCLE_TYPE}, got ${JSON.stringify(type)}`);
}

/** Reports the outcome to CloudFormation's pre-signed response URL. */
async function respond(event, status, physicalId, reason) {
  const body = JSON.stringify({
    Status: status,
    // CloudFormation caps the reason; the log stream has the rest.
    Reason: String(reason).slice(0, 3500),
    PhysicalResourceId: physicalId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  });
  const res = await send('PUT', new URL(event.ResponseURL), { 'content-type': '' }, body);
  if (res.status < 200 || res.status > 299) throw new Error(`CloudFormation response URL answered HTTP ${res.status}: ${res.body}`);
}

/**
 * Lambda entry point for a CloudFormation custom resource. `overrides` lets tests point the
 * calls at a loopback server.
 */
async function handler(event, context, overrides = {}) {
  const props = event.ResourceProperties || {};
  const ctx = {
    baseUrl: overrides.baseUrl || `https://${props.Endpoint}`,
    region: overrides.region || props.Region || process.env.AWS_REGION,
    credentials: overrides.credentials || {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID,
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
      sessionToken: process.env.AWS_SESSION_TOKEN,
    },
  };
  const fallbackId = event.PhysicalResourceId || (context && context.logStreamName) || 'opensearch-role-mapping-failed';
  try {
    const physicalId = await apply(event, ctx);
    await respond(event, 'SUCCESS', physicalId, 'OK');
  } catch (error) {
    console.error(error);
    await respond(event, 'FAILED', fallbackId, error instanceof Error ? error.message : String(error));
  }
}

module.exports = { handler, apply, signRequest, LIFECYCLE_NAME_PATTERN, LIFECYCLE_INDEX_PATTERN };
