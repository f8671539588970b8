/**
 * The PostgreSQL password read from Secrets Manager at connection time, so the service survives
 * the RDS master-password rotation: ECS injects `PGPASSWORD` only when a task starts, and after a
 * rotation every new connection made with that value fails with SQLSTATE 28P01.
 *
 * The value is cached in memory. {@link SecretPassword.invalidate} drops it when PostgreSQL says
 * the password is wrong, and the next connection fetches the rotated one. Concurrent connections
 * share one request in flight, and each fetch has a deadline; a failed fetch rejects with
 * {@link SecretFetchError}, which the service reports as "postgres unavailable" (503).
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Logger } from '../observability/logger';

/** SQLSTATE `invalid_password`: what PostgreSQL answers a connection using a rotated-away password. */
export const INVALID_PASSWORD = '28P01';

/** The error code of {@link SecretFetchError}; errors.ts counts it as "dependency unavailable". */
export const SECRET_FETCH_FAILED = 'ESECRETFETCH';

/** Reading the password from Secrets Manager failed (timeout, denied, malformed secret). */
export class SecretFetchError extends Error {
  /** Always {@link SECRET_FETCH_FAILED}. */
  readonly code = SECRET_FETCH_FAILED;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SecretFetchError';
  }
}

/** What {@link SecretPassword} needs. */
export interface SecretPasswordOptions {
  /** ARN of the RDS secret (JSON with `username` and `password`). */
  readonly secretArn: string;
  /** Deadline of one fetch, retries included. */
  readonly timeoutMs: number;
  readonly logger: Logger;
}

/** A cached, coalesced, invalidatable password from Secrets Manager. */
export class SecretPassword {
  private readonly client: SecretsManagerClient;
  private cached: string | undefined;
  private inFlight: Promise<string> | undefined;

  constructor(private readonly options: SecretPasswordOptions) {
    // Credentials and endpoint come from the SDK's usual sources (the task role in ECS); the region
    // from the secret's own ARN, so AWS_REGION need not be set.
    this.client = new SecretsManagerClient({ region: options.secretArn.split(':')[3] });
  }

  /** Closes the SDK client's kept-alive connections (the pool closes with it). */
  close(): void {
    this.client.destroy();
  }

  /** The password: the cached value, the fetch already running, or a new fetch. */
  get(): Promise<string> {
    if (this.cached !== undefined) return Promise.resolve(this.cached);
    this.inFlight ??= this.fetch()
      .catch((error: unknown) => {
        // Logged here because the connection attempt that asked may have given up already
        // (pg's connect timeout is shorter than the fetch deadline) and nobody else would say it.
        this.options.logger.warn('reading the PostgreSQL password from Secrets Manager failed', { err: error });
        throw error;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  /**
   * Forgets the cached password (PostgreSQL rejected it). A fetch already in flight is kept: it
   * started after the cache was emptied, so it already reads the current value.
   */
  invalidate(): void {
    if (this.cached === undefined) return;
    this.cached = undefined;
    this.options.logger.warn('PostgreSQL rejected the password; it will be read again from Secrets Manager', { secretArn: this.options.secretArn });
  }

  private async fetch(): Promise<string> {
    const { secretArn, timeoutMs } = this.options;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    let secretString: string | undefined;
    try {
      ({ SecretString: secretString } = await this.client.send(new GetSecretValueCommand({ SecretId: secretArn }), { abortSignal: abort.signal }));
    } catch (error) {
      // The SDK's error name (AccessDeniedException, ResourceNotFoundException...) is the useful part.
      const reason = abort.signal.aborted ? `timed out after ${timeoutMs} ms` : `${(error as Error).name}: ${(error as Error).message}`;
      throw new SecretFetchError(`reading the PostgreSQL password from ${secretArn} failed: ${reason}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
    const password = parsePassword(secretString);
    if (password === undefined) {
      // The secret's text is never quoted here: it holds the password.
      throw new SecretFetchError(`secret ${secretArn} has no "password" string: expected the RDS JSON {"username": ..., "password": ...}`);
    }
    this.cached = password;
    return password;
  }
}

function parsePassword(secretString: string | undefined): string | undefined {
  if (secretString === undefined) return undefined;
  try {
    const parsed = JSON.parse(secretString) as unknown;
    const password = parsed !== null && typeof parsed === 'object' ? (parsed as { password?: unknown }).password : undefined;
    return typeof password === 'string' && password !== '' ? password : undefined;
  } catch {
    return undefined;
  }
}
