/**
 * Per-request instrumentation: the in-flight gauge, the two HTTP metrics, the `X-Request-Id`
 * echo and one access log line.
 *
 * It runs on every request, so it uses no Fastify request hooks: with no hooks at all Fastify
 * skips its hook runners and response listeners, and one empty `onRequest` or `onResponse` hook
 * each measured ~3 µs of CPU per request here (`npm run bench:app`, about a tenth of a cached
 * read). Instead:
 *
 * - the request id generator (which Fastify calls once per request, before routing) stamps the
 *   start time on the raw request;
 * - every route handler is wrapped once, when the route is added, so it knows its template and
 *   starts tracking the request as it is entered ({@link RequestTracker.track}); the app's error
 *   and not-found handlers start it too, so validation errors, oversized bodies and 404s count;
 * - one shared `close` listener (no closure per request) takes the request out of the in-flight
 *   gauge and, when the response was ended, records the metrics and writes the access line
 *   through logger.ts's writer. Node emits `close` for every response: on the tick after
 *   `finish`, or when the client went away before the answer (then nothing is recorded). A
 *   `finish` listener instead would be the second on that event (Node's own is the first), which
 *   turns the event's listeners into an array that every emit copies. A CPU profile under load
 *   put adding listeners at +0.6 µs per request over the bare service; on 1M plain emitters
 *   with Node's listener, ours added 30-110 ns as `finish` + `close` and 0-20 ns as `close`
 *   alone (the last two of three rounds; the first was noisy).
 *
 * Requests Fastify answers before routing (a path that does not decode, a path parameter over its
 * length limit) reach the app's `frameworkErrors` handler, which starts tracking them too.
 */
import { randomFillSync } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { accessLogWriter, type Logger } from './logger';
import { UNMATCHED_ROUTE, type AppMetrics, type RequestSeries } from './metrics';

/** Well-formed incoming request ids are kept (so a trace crosses the ALB); others are replaced. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{8,128}$/;

/** On the raw request: `performance.now()` when Fastify took it up. */
const STARTED = Symbol('vigil.started');
/** On the raw response: the Fastify request being tracked. */
const TRACKED = Symbol('vigil.tracked');
/** On the raw response: the {@link RouteRecord} of the route its metrics and access line name. */
const ROUTE = Symbol('vigil.route');

interface StampedRequest extends IncomingMessage {
  [STARTED]?: number;
}
interface TrackedResponse extends ServerResponse {
  [TRACKED]?: FastifyRequest;
  [ROUTE]?: RouteRecord;
}

/** What a response of one (route, method, status code) records, made once: its series and its access-line part. */
interface ResponseRecord {
  readonly method: string;
  readonly statusCode: number;
  readonly series: RequestSeries;
  /** From the access-log writer; `undefined` when access lines are off. */
  readonly linePart: Uint8Array | undefined;
}

/**
 * One route's {@link ResponseRecord}s by method and status code, and the last one it answered
 * with, which the next response of the route usually reuses: then recording it looks nothing up
 * and builds no fields object. Measured here (`npm run bench:app`, three runs of each, Node 24),
 * the instrumentation's server CPU per request was +1.7, +3.1 and +1.9 µs this way against +2.8,
 * +2.7 and +2.1 µs with three Map reads each for the metrics and the access line, and the two run
 * against each other took 25.9 and 26.5 µs per request (this one first).
 */
class RouteRecord {
  private last: ResponseRecord | undefined;
  private readonly byMethod = new Map<string, Map<number, ResponseRecord>>();

  /** @param create makes a record the first time the route answers with a method and status code. */
  constructor(
    readonly route: string,
    private readonly create: (method: string, route: string, statusCode: number) => ResponseRecord,
  ) {}

  /** The record of this route's response with `method` and `statusCode`. */
  response(method: string, statusCode: number): ResponseRecord {
    const last = this.last;
    if (last !== undefined && last.statusCode === statusCode && last.method === method) return last;
    let byStatus = this.byMethod.get(method);
    if (byStatus === undefined) this.byMethod.set(method, (byStatus = new Map()));
    let record = byStatus.get(statusCode);
    if (record === undefined) byStatus.set(statusCode, (record = this.create(method, this.route, statusCode)));
    this.last = record;
    return record;
  }
}

/** Ids made from one draw of random bytes (16 bytes each). */
const IDS_PER_DRAW = 256;
const randomBytes = Buffer.allocUnsafeSlow(16 * IDS_PER_DRAW);
let nextId = IDS_PER_DRAW;
/** The id being written: 8-4-4-4-12 hex digits, the dashes in place. */
const idText = Buffer.alloc(36, '-');
/** Where each of the 16 bytes' two hex digits go in {@link idText}. */
const HEX_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

/**
 * A random (version 4) UUID, as one flat string.
 *
 * `crypto.randomUUID()` joins its string from 20 pieces (a rope), and Node's check of every
 * response header value (a regular expression) first copies such a string flat. Written in one
 * piece instead, making the id, checking it as the echoed header and copying it into the access
 * line take 210-300 ns per request here, against 400-680 ns with randomUUID() (1M calls each,
 * Node 24; a CPU profile of the service under load had put the header check at +0.7 µs).
 */
export function newRequestId(): string {
  if (nextId === IDS_PER_DRAW) {
    randomFillSync(randomBytes);
    nextId = 0;
  }
  const at = 16 * nextId++;
  // RFC 9562: version 4 in the high nibble of byte 6, variant 10 in the top bits of byte 8.
  randomBytes[at + 6] = (randomBytes[at + 6] & 0x0f) | 0x40;
  randomBytes[at + 8] = (randomBytes[at + 8] & 0x3f) | 0x80;
  for (let i = 0; i < 16; i++) {
    const byte = randomBytes[at + i];
    idText[HEX_AT[i]] = HEX_DIGITS[byte >> 4];
    idText[HEX_AT[i] + 1] = HEX_DIGITS[byte & 0x0f];
  }
  return idText.toString('latin1');
}

/** Keeps a well-formed `X-Request-Id` from the caller; otherwise a fresh UUID. */
function requestIdOf(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID_PATTERN.test(incoming) ? incoming : newRequestId();
}

/** Fastify's `genReqId`: the request id, and (when instrumented) the request's start time. */
export function requestIdGenerator(instrumented: boolean): (request: IncomingMessage) => string {
  if (!instrumented) return requestIdOf;
  return (request: StampedRequest) => {
    request[STARTED] = performance.now();
    return requestIdOf(request);
  };
}

/** Starts tracking requests; see the module comment. */
export interface RequestTracker {
  /**
   * Tracks this request from now until its response closes, under `route` (a template or
   * {@link UNMATCHED_ROUTE}). A request already tracked (an error thrown by its handler) is left
   * as it is.
   */
  track(request: FastifyRequest, reply: FastifyReply, route: string): void;
}

/**
 * Instruments every route added to `app` after this call (call it before adding routes) and
 * returns the tracker the app's error and not-found handlers call.
 */
export function registerRequestHooks(app: FastifyInstance, metrics: AppMetrics, logger: Logger): RequestTracker {
  const accessLog = accessLogWriter(logger);
  const responseRecord = (method: string, route: string, statusCode: number): ResponseRecord => ({
    method,
    statusCode,
    series: metrics.requestSeries(method, route, statusCode),
    linePart: accessLog?.linePart(method, route, statusCode),
  });
  /** Template → record: one per route, found by template for the app's error and not-found handlers. */
  const routes = new Map<string, RouteRecord>();
  function routeRecord(route: string): RouteRecord {
    let record = routes.get(route);
    if (record === undefined) routes.set(route, (record = new RouteRecord(route, responseRecord)));
    return record;
  }

  /** Ends the tracking of a response (at most once); the request it tracked, if any. */
  function untrack(response: TrackedResponse): FastifyRequest | undefined {
    const request = response[TRACKED];
    if (request === undefined) return undefined;
    response[TRACKED] = undefined;
    metrics.inFlightRequests--;
    return request;
  }

  function onClose(this: TrackedResponse): void {
    const request = untrack(this);
    // Not ended: the client went away before the answer, which has no status to record.
    if (request === undefined || !this.writableEnded) return;
    const started = (request.raw as StampedRequest)[STARTED];
    const durationMs = started === undefined ? 0 : performance.now() - started;
    const record = this[ROUTE]!.response(request.method, this.statusCode);
    record.series.count.inc();
    record.series.duration.observe(durationMs / 1000);
    if (accessLog !== undefined) accessLog.write(record.linePart!, request.id, durationMs, request.ip, request.headers['user-agent']);
  }

  function track(request: FastifyRequest, reply: FastifyReply, route: RouteRecord): void {
    const response = reply.raw as TrackedResponse;
    if (response[TRACKED] !== undefined) return;
    response[TRACKED] = request;
    response[ROUTE] = route;
    metrics.inFlightRequests++;
    reply.header('x-request-id', request.id);
    response.on('close', onClose);
    // Tracking that starts in the error handler can come after the connection already closed.
    if (response.closed) untrack(response);
  }

  app.addHook('onRoute', (routeOptions) => {
    const route = routeRecord(routeOptions.url);
    for (const method of ([] as string[]).concat(routeOptions.method)) metrics.prepareRoute(method, route.route);
    const handler = routeOptions.handler as (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) => unknown;
    routeOptions.handler = function trackedHandler(this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
      track(request, reply, route);
      return handler.call(this, request, reply);
    } as RouteHandlerMethod;
  });

  return { track: (request, reply, route) => track(request, reply, routeRecord(route)) };
}
