/**
 * Sentry error reporting, on only when `SENTRY_DSN` is set.
 *
 * `@sentry/node` is loaded lazily: without a DSN the SDK is never even required, so there is no
 * network traffic and no start-up cost (~0.6-1 s measured here). With a DSN, {@link initSentry}
 * must run before Fastify, pg and ioredis are loaded so the SDK can instrument them: server.ts
 * calls it first thing.
 */
import type * as SentryNode from '@sentry/node';
import { redact } from './redact';

/** What {@link initSentry} needs. */
export interface SentryOptions {
  /** The DSN; `undefined` keeps Sentry off. */
  readonly dsn: string | undefined;
  /** Sentry `environment`, e.g. `production`. */
  readonly environment: string;
  /** Sentry `release`, e.g. `vigil-api@1.2.3+abc1234`. */
  readonly release: string;
}

let sentry: typeof SentryNode | undefined;

/** Whether Sentry was initialised in this process. */
export function sentryEnabled(): boolean {
  return sentry !== undefined;
}

/**
 * Scrubs an event with the logger's rules: request headers, cookies, bodies, extra context and
 * breadcrumbs all pass through {@link redact}. Exported for tests.
 */
export function scrubEvent<T extends object>(event: T): T {
  return redact(event) as T;
}

/** Initialises Sentry when a DSN is configured; a no-op otherwise. Safe to call once per process. */
export function initSentry(options: SentryOptions): void {
  if (!options.dsn || sentry) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require('@sentry/node') as typeof SentryNode;
  sdk.init({
    dsn: options.dsn,
    environment: options.environment,
    release: options.release,
    // Errors only: no tracesSampleRate, so tracing stays off and adds no span per request.
    // The SDK's Fastify integration would capture every 5xx itself, including each fast-fail of
    // an open circuit breaker; the app's error handler decides what is worth an event instead.
    integrations: (defaults) => defaults.filter((integration) => integration.name !== 'Fastify'),
    beforeSend: (event) => scrubEvent(event),
    beforeBreadcrumb: (breadcrumb) => scrubEvent(breadcrumb),
  });
  sentry = sdk;
}

/** Reports an error (5xx or unhandled) with optional context; does nothing when Sentry is off. */
export function captureError(error: unknown, context?: Record<string, unknown>): void {
  sentry?.captureException(error, context ? { contexts: { vigil: context } } : undefined);
}

/** Waits up to `timeoutMs` for queued events to be sent (shutdown, tests). */
export async function flushSentry(timeoutMs: number): Promise<boolean> {
  return sentry ? sentry.flush(timeoutMs) : true;
}
