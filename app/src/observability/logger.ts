/**
 * winston logger: one JSON line per entry on stdout (FireLens ships them to OpenSearch).
 *
 * The format is a single step instead of `combine(timestamp(), errors(), json())`: it redacts,
 * stamps and serializes in one pass, because the access line is written on every request and a
 * chain of formats cost ~40 % of throughput on a small route here (BASELINES.md).
 */
import { writeSync } from 'node:fs';
import type { Writable } from 'node:stream';
import winston from 'winston';
import TransportStream from 'winston-transport';
import type { LogLevel } from '../config';
import { redact, redactEntry, scrubString } from './redact';

/** The logger type the rest of the service uses. */
export type Logger = winston.Logger;

/** What {@link createLogger} needs. */
export interface LoggerOptions {
  /** Minimum level written. */
  readonly level: LogLevel;
  /** Written as `service` on every line. */
  readonly service: string;
  /** Where lines go, one write per line. @default - process stdout, one write per event-loop turn */
  readonly destination?: Writable;
}

const MESSAGE = Symbol.for('message');

let lastMs = 0;
let lastIso = '';
/** ISO timestamp, formatted once per millisecond (busy services log many lines per ms). */
function timestamp(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastIso = new Date(now).toISOString();
  }
  return lastIso;
}

/** The keys of an access line. None names a secret (a test checks them against SENSITIVE_KEY). */
export const ACCESS_LOG_KEYS = ['requestId', 'method', 'route', 'statusCode', 'durationMs', 'remoteAddress', 'userAgent'] as const;

function jsonString(value: string): string {
  return JSON.stringify(scrubString(value));
}

function finite(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}

/** `FRACTIONS[n]`: the decimals of n thousandths as JSON writes them ('', '.5', '.05', '.125'). */
const FRACTIONS = Array.from({ length: 1000 }, (_, thousandths) => (thousandths === 0 ? '' : `.${String(thousandths).padStart(3, '0').replace(/0+$/, '')}`));

/**
 * Milliseconds rounded to the microsecond, written as `JSON.stringify(Math.round(ms * 1000) / 1000)`
 * would write them, from two integers: converting a fractional double to text costs several times
 * more, and every access line has one.
 */
function milliseconds(value: number): string {
  const micros = Math.round(value * 1000);
  // Up to 1e15 µs (31 years) a double holds three decimals exactly; anything else takes the slow path.
  if (!(micros >= 0 && micros < 1e15)) return finite(micros / 1000);
  const fraction = micros % 1000;
  return `${(micros - fraction) / 1000}${FRACTIONS[fraction]}`;
}

/**
 * `jsonString` for a value that usually repeats from one line to the next (a keep-alive
 * client's user agent and address): the last value's JSON is kept.
 */
function lastValueJson(): (value: string) => string {
  let last = '';
  let lastJson = '""';
  return (value) => {
    if (value !== last) {
      last = value;
      lastJson = jsonString(value);
    }
    return lastJson;
  };
}

/**
 * Turns winston's info object into one redacted JSON line in a single pass. Field order is fixed
 * (time, level, service, message, then the rest) so lines read the same in a terminal and in
 * OpenSearch.
 */
const leanJson = winston.format((info) => {
  const line: Record<string, unknown> = {
    time: timestamp(),
    level: info.level,
    service: info.service,
    message: typeof info.message === 'string' ? scrubString(info.message) : redact(info.message),
  };
  for (const key of Object.keys(info)) {
    if (key === 'level' || key === 'message' || key === 'service') continue;
    line[key] = redactEntry(key, info[key]);
  }
  if (info instanceof Error && info.stack !== undefined) line.stack = scrubString(info.stack);
  (info as unknown as Record<symbol, string>)[MESSAGE] = JSON.stringify(line);
  return info;
});

/**
 * Writes each formatted line to a stream, straight away. (winston's Console transport schedules a
 * `setImmediate` per line to emit `logged`; on the access-log path that doubled a line's cost.)
 */
class LineTransport extends TransportStream {
  constructor(private readonly stream: Writable) {
    super();
  }

  override log(info: Record<symbol, string>, next: () => void): void {
    this.stream.write(`${info[MESSAGE]}\n`);
    next();
  }
}

/** Pending log text that is written at once instead of waiting for the timer. */
const FLUSH_BYTES = 16 * 1024;
/** Longest a line waits before it is written. */
const FLUSH_DELAY_MS = 20;

/**
 * Collects lines and writes them to stdout together: when 16 KiB are pending, or 20 ms after the
 * first pending line, whichever comes first. Under load that is one syscall (and one wake-up of
 * the log router reading the pipe) per ~60 lines instead of per line or per event-loop turn,
 * which was most of what an access line cost (`npm run bench:app`). Lines still pending when
 * the process exits are written synchronously from the `exit` handler, so `process.exit()`
 * loses none; a process killed outright (SIGKILL, out of memory) loses at most the last 20 ms.
 */
class StdoutBatchTransport extends TransportStream {
  private pending = '';
  private timer: NodeJS.Timeout | undefined;
  private readonly flushLater = (): void => {
    this.timer = undefined;
    this.flush();
  };

  constructor() {
    super();
    process.on('exit', () => this.flushSync());
  }

  override log(info: Record<symbol, string>, next: () => void): void {
    this.pending += `${info[MESSAGE]}\n`;
    if (this.pending.length >= FLUSH_BYTES) {
      this.flush();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(this.flushLater, FLUSH_DELAY_MS);
      // Never keeps the process alive: the exit handler writes what is left.
      this.timer.unref();
    }
    next();
  }

  private flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    process.stdout.write(text);
  }

  private flushSync(): void {
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    try {
      writeSync(1, text);
    } catch {
      // stdout is gone (reader exited): nothing left to write to.
    }
  }
}

/** Creates the service logger. Child loggers are avoided on the hot path: pass fields instead. */
export function createLogger(options: LoggerOptions): Logger {
  return winston.createLogger({
    level: options.level,
    defaultMeta: { service: options.service },
    format: leanJson(),
    transports: [options.destination ? new LineTransport(options.destination) : new StdoutBatchTransport()],
  });
}

/** The fields of one access line. */
export interface AccessLogFields {
  /**
   * A well-formed request id (request-hooks.ts keeps only ids of letters, digits and `._:-`, or
   * makes a UUID): written as it is, since it holds nothing to escape or scrub.
   */
  readonly requestId: string;
  readonly method: string;
  readonly route: string;
  readonly statusCode: number;
  /** Written rounded to the microsecond (at most three decimals), as JSON writes that number. */
  readonly durationMs: number;
  readonly remoteAddress: string | undefined;
  readonly userAgent: string | undefined;
}

/** Distinct routes whose method and route JSON is kept; routes are templates, so few exist. */
const MAX_CACHED_ROUTES = 1000;

/**
 * The access-log writer: one `info` line per request, written to the logger's own transports.
 * The line is what the logger's format writes for `logger.info('request', fields)` with the
 * duration rounded to the microsecond (same keys, order and redaction: a test compares the two),
 * built without winston's info object, format chain and stream, because it is written on every
 * request: per line it costs one string built from parts that are mostly ready (the time prefix
 * changes once per millisecond, the method and route JSON once per route, a keep-alive client's
 * address and user agent JSON once per client), with every request-supplied string still scrubbed
 * and escaped (the request id is well-formed by construction).
 * Level and transports are read once here; returns `undefined` when `info` is disabled.
 */
export function accessLogWriter(logger: Logger): ((fields: AccessLogFields) => void) | undefined {
  if (!logger.isLevelEnabled('info')) return undefined;
  const transports = logger.transports;
  const service = (logger.defaultMeta as { service?: string } | undefined)?.service;
  const afterTime = `","level":"info"${service === undefined ? '' : `,"service":${jsonString(service)}`},"message":"request","requestId":`;
  let prefixTime = '';
  let prefix = '';
  /** Route → method → `,"method":…,"route":…`. Nested, so a line builds no key string. */
  const routeJson = new Map<string, Map<string, string>>();
  const addressJson = lastValueJson();
  const userAgentJson = lastValueJson();
  // Transports read the line synchronously in log(), so one holder object serves every line.
  const entry: Record<symbol, string> = {};
  const done = (): void => undefined;
  return (fields) => {
    const time = timestamp();
    if (time !== prefixTime) {
      prefixTime = time;
      prefix = `{"time":"${time}${afterTime}`;
    }
    let byMethod = routeJson.get(fields.route);
    let methodAndRoute = byMethod?.get(fields.method);
    if (methodAndRoute === undefined) {
      methodAndRoute = `,"method":${jsonString(fields.method)},"route":${jsonString(fields.route)}`;
      if (byMethod === undefined && routeJson.size < MAX_CACHED_ROUTES) routeJson.set(fields.route, (byMethod = new Map()));
      byMethod?.set(fields.method, methodAndRoute);
    }
    let line = `${prefix}"${fields.requestId}"${methodAndRoute},"statusCode":${finite(fields.statusCode)},"durationMs":${milliseconds(fields.durationMs)}`;
    if (fields.remoteAddress !== undefined) line += `,"remoteAddress":${addressJson(fields.remoteAddress)}`;
    if (fields.userAgent !== undefined) line += `,"userAgent":${userAgentJson(fields.userAgent)}`;
    entry[MESSAGE] = `${line}}`;
    for (const transport of transports) transport.log?.(entry, done);
  };
}
