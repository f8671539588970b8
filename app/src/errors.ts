/**
 * Errors the service raises on purpose, and how each becomes an HTTP answer. The single error
 * handler in app.ts maps them; anything else is a 500 whose body says only "Internal Server Error".
 */

import { types } from 'node:util';
import { INVALID_PASSWORD, SECRET_FETCH_FAILED } from './data/pg-password';

/** A 4xx answer: `message` tells the client what was wrong and is sent as is. */
export class ClientError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'ClientError';
  }
}

/** Dependencies whose outage the service reports as 503. */
export type Dependency = 'postgres' | 'redis';

/**
 * A dependency the request needs is down (or its circuit breaker is open). Answered with 503 and
 * `Retry-After`, so clients and the ALB back off instead of hammering a database that is away.
 */
export class DependencyUnavailableError extends Error {
  constructor(
    readonly dependency: Dependency,
    /** Whether the circuit breaker refused the call without trying it. */
    readonly breakerOpen: boolean,
    /** Seconds the client should wait; matches the breaker's reset timeout. */
    readonly retryAfterSeconds: number,
    options?: { cause?: unknown },
  ) {
    super(`${dependency} is unavailable${breakerOpen ? ' (circuit breaker open)' : ''}`, options);
    this.name = 'DependencyUnavailableError';
  }
}

/** The error code opossum gives a call that the open circuit breaker refused without trying it. */
export const BREAKER_OPEN = 'EOPENBREAKER';

/** Network and server-state error codes that mean "the dependency is not there", not "bad query". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE',
  BREAKER_OPEN,
  // The password could not be read from Secrets Manager (data/pg-password.ts): no connection possible.
  SECRET_FETCH_FAILED,
  // PostgreSQL SQLSTATEs: admin/crash shutdown, cannot connect now, too many connections.
  '57P01', '57P02', '57P03', '53300',
  // invalid_password: while a rotation is half done (the database has the new password, the secret
  // still the old one) no connection can be made; a 503 with Retry-After is the honest answer.
  INVALID_PASSWORD,
]);

/**
 * Whether an error from pg (or the breaker around it) means PostgreSQL is unreachable. Such errors
 * trip the circuit breaker; query errors (constraint, syntax, bad input) do not.
 */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error) && !types.isNativeError(error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
  // pg reports lost connections and its own timeouts without a code.
  return /Connection terminated|timeout|Client has encountered a connection error|connect ECONN/i.test(error.message);
}

/** Resolves with `work`'s result, or rejects after `ms` with an ETIMEDOUT error naming `what`. */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what} timed out after ${ms} ms`), { code: 'ETIMEDOUT' })), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
