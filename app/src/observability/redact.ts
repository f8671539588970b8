/**
 * One scrubber for everything that leaves the process as text: log lines and Sentry events.
 * Keys that name a secret lose their value; strings lose embedded credentials (URL user-info,
 * `Bearer …`, `password=…`). Both the logger and Sentry's `beforeSend` call {@link redact}, so
 * the two can never disagree on what is secret.
 */

import { types } from 'node:util';

/** What a secret value is replaced with. */
export const REDACTED = '[REDACTED]';

/** Key names whose values are secret wherever they appear (headers, bodies, error context). */
export const SENSITIVE_KEY =
  /authorization|cookie|passw(or)?d|^pwd$|secret|token|api[-_]?key|dsn|connection[-_]?string|credential|private[-_]?key|^pgpassword$/i;

/** Cheap pre-check: a string without any of these cannot hold a credential pattern below. */
const MAYBE_CREDENTIAL = /[@=]|bearer|basic|":/i;
/** User-info up to the last `@` before the host: a password may hold an `@` of its own. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi;
const AUTH_SCHEME = /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+/gi;
/** A secret's name, prefixed or not (`password`, `PGPASSWORD`, `access_token`, `client_secret`). */
const SECRET_NAME = String.raw`[\w.-]*?(?:password|passwd|pwd|token|secret|api[-_]?key)`;
/** `name=value` (query strings, connection strings, env dumps). */
const KEY_VALUE = new RegExp(String.raw`\b(${SECRET_NAME})=[^\s&;,]+`, 'gi');
/** `"name": "value"` (JSON quoted in a message, such as a response body in an error). */
const JSON_PAIR = new RegExp(String.raw`("${SECRET_NAME}"\s*:\s*)"(?:[^"\\]|\\.)*"`, 'gi');

const MAX_DEPTH = 8;

/** Removes credentials embedded in free text (connection strings, auth headers in messages). */
export function scrubString(text: string): string {
  if (!MAYBE_CREDENTIAL.test(text)) return text;
  return text
    .replace(URL_USERINFO, `$1${REDACTED}@`)
    .replace(AUTH_SCHEME, `$1 ${REDACTED}`)
    .replace(KEY_VALUE, `$1=${REDACTED}`)
    .replace(JSON_PAIR, `$1"${REDACTED}"`);
}

/**
 * Returns a copy of `value` with secret keys and embedded credentials removed. Errors become
 * plain `{ name, message, stack, code }` objects (scrubbed too), cycles and very deep nesting
 * become `'[Circular]'` / `'[Truncated]'`. Never mutates its input.
 */
export function redact(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  seen.add(value);
  // isNativeError also recognises errors from another realm (Node core errors seen inside jest's VM).
  if (value instanceof Error || types.isNativeError(value)) {
    const { name, message, stack } = value;
    const plain: Record<string, unknown> = { name, message: scrubString(message) };
    if (stack !== undefined) plain.stack = scrubString(stack);
    const code = (value as { code?: unknown }).code;
    if (code !== undefined) plain.code = code;
    return plain;
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1, seen));
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = redactEntry(key, (value as Record<string, unknown>)[key], depth + 1, seen);
  return copy;
}

/** Memo of {@link SENSITIVE_KEY} per key name: log lines repeat the same few keys. */
const sensitiveKeys = new Map<string, boolean>();

/** Whether a key's value is secret; memoised for the first 1000 distinct key names. */
export function isSensitiveKey(key: string): boolean {
  let sensitive = sensitiveKeys.get(key);
  if (sensitive === undefined) {
    sensitive = SENSITIVE_KEY.test(key);
    if (sensitiveKeys.size < 1000) sensitiveKeys.set(key, sensitive);
  }
  return sensitive;
}

/** The redacted value of one `key: value` entry (the per-field step of {@link redact}). */
export function redactEntry(key: string, value: unknown, depth = 1, seen: WeakSet<object> = new WeakSet()): unknown {
  if (value === undefined || value === null) return value;
  if (isSensitiveKey(key)) return REDACTED;
  if (typeof value === 'string') return scrubString(value);
  if (typeof value !== 'object') return value;
  return redact(value, depth, seen);
}
