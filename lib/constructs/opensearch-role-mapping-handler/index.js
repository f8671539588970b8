'use strict';
/**
 * Custom resource handler: creates OpenSearch security roles and maps IAM roles to them through
 * the fine-grained access control REST API, as the domain's master user (this function's own
 * role). Plain CommonJS with node built-ins only, so the asset needs no bundling or install.
 *
 * Resource properties: `Endpoint` (domain host name), `Region`, `Roles`: a list of
 * `{ Name, ClusterPermissions, IndexPatterns, AllowedActions, BackendRoles }`.
 */
const crypto = require('node:crypto');
const http = require('node:http');
const https = require('node:https');

const REQUEST_TIMEOUT_MS = 20000;

const sha256Hex = (data) => crypto.createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key, data) => crypto.createHmac('sha256', key).update(data, 'utf8').digest();

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
  // Path segments here are role names ([A-Za-z0-9_-]); encoding keeps the signature valid anyway.
  const canonicalPath = url.pathname.split('/').map((s) => encodeURIComponent(decodeURIComponent(s))).join('/');
  const canonicalRequest = [
    method, canonicalPath, '',
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

/** One signed call to the security API; throws naming the status and body unless 2xx (or an allowed status). */
async function securityApi(ctx, method, path, payload, allowed = []) {
  const url = new URL(`_plugins/_security/api/${path}`, ctx.baseUrl.endsWith('/') ? ctx.baseUrl : `${ctx.baseUrl}/`);
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

async function removeRole(ctx, name) {
  await securityApi(ctx, 'DELETE', `rolesmapping/${name}`, undefined, [404]);
  await securityApi(ctx, 'DELETE', `roles/${name}`, undefined, [404]);
}

/**
 * The custom resource's work, apart from the CloudFormation response: on Create/Update puts
 * every role and its mapping (and removes roles an update dropped); on Delete removes them,
 * tolerating 404. `ctx` is `{ baseUrl, region, credentials }`.
 * @returns the physical resource ID
 */
async function apply(event, ctx) {
  const props = event.ResourceProperties || {};
  const physicalId = event.PhysicalResourceId || `opensearch-role-mapping:${props.Endpoint}`;
  if (event.RequestType === 'Delete') {
    for (const role of props.Roles || []) await removeRole(ctx, role.Name);
    return physicalId;
  }
  if (event.RequestType !== 'Create' && event.RequestType !== 'Update') {
    throw new Error(`RequestType must be Create, Update or Delete, got ${JSON.stringify(event.RequestType)}`);
  }
  const roles = validateRoles(props.Roles);
  for (const role of roles) {
    await securityApi(ctx, 'PUT', `roles/${role.Name}`, {
      cluster_permissions: role.ClusterPermissions || [],
      index_permissions: [{ index_patterns: role.IndexPatterns || [], allowed_actions: role.AllowedActions || [] }],
    });
    await securityApi(ctx, 'PUT', `rolesmapping/${role.Name}`, { backend_roles: role.BackendRoles });
  }
  if (event.RequestType === 'Update') {
    const kept = new Set(roles.map((r) => r.Name));
    for (const old of (event.OldResourceProperties && event.OldResourceProperties.Roles) || []) {
      if (!kept.has(old.Name)) await removeRole(ctx, old.Name);
    }
  }
  return physicalId;
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

module.exports = { handler, apply, signRequest };
