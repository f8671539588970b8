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

/** Marks the info object of an access line (see {@link accessLogWriter}). */
const ACCESS_LINE = Symbol('vigil.accessLine');

/** The keys of an access line. None names a secret (a test checks them against SENSITIVE_KEY). */
export const ACCESS_LOG_KEYS = ['requestId', 'method', 'route', 'statusCode', 'durationMs', 'remoteAddress', 'userAgent'] as const;

type AccessInfo = AccessLogFields & { readonly service?: string };

function jsonString(value: string): string {
  return JSON.stringify(scrubString(value));
}

/**
 * The access line's JSON, written field by field: the keys are fixed and none is secret, so the
 * generic key-by-key walk is skipped, but every string value is still scrubbed. Same shape and
 * field order as the generic path (absent values are left out, as JSON.stringify would).
 */
function accessLineJson(info: AccessInfo): string {
  let json = `{"time":"${timestamp()}","level":"info"`;
  if (info.service !== undefined) json += `,"service":${jsonString(info.service)}`;
  json += `,"message":"request","requestId":${jsonString(info.requestId)},"method":${jsonString(info.method)}`;
  json += `,"route":${jsonString(info.route)},"statusCode":${finite(info.statusCode)},"durationMs":${finite(info.durationMs)}`;
  if (info.remoteAddress !== undefined) json += `,"remoteAddress":${jsonString(info.remoteAddress)}`;
  if (info.userAgent !== undefined) json += `,"userAgent":${jsonString(info.userAgent)}`;
  return `${json}}`;
}

function finite(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}

/**
 * Turns winston's info object into one redacted JSON line in a single pass. Field order is fixed
 * (time, level, service, message, then the rest) so lines read the same in a terminal and in
 * OpenSearch.
 */
const leanJson = winston.format((info) => {
  if ((info as unknown as Record<symbol, unknown>)[ACCESS_LINE] === true) {
    (info as unknown as Record<symbol, string>)[MESSAGE] = accessLineJson(info as unknown as AccessInfo);
    return info;
  }
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

/**
 * Collects the lines of one event-loop turn and writes them to stdout in one `write`: one
 * syscall (and one wake-up of the log router reading the pipe) per turn instead of per line,
 * which is most of what an access line costs under load. Lines still pending when the process
 * exits are written synchronously from the `exit` handler, so `process.exit()` loses none.
 */
class StdoutBatchTransport extends TransportStream {
  private pending = '';
  private scheduled = false;

  constructor() {
    super();
    process.on('exit', () => this.flushSync());
  }

  override log(info: Record<symbol, string>, next: () => void): void {
    this.pending += `${info[MESSAGE]}\n`;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    next();
  }

  private flush(): void {
    this.scheduled = false;
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
  readonly requestId: string;
  readonly method: string;
  readonly route: string;
  readonly statusCode: number;
  readonly durationMs: number;
  readonly remoteAddress: string | undefined;
  readonly userAgent: string | undefined;
}

const LEVEL = Symbol.for('level');

/**
 * The access-log writer: one `info` line per request through the logger's own format (so the same
 * redaction and JSON shape, by the fixed-key path above) and its own transports, without
 * winston's object-mode stream pipeline in between, which measured about half of a line's ~6 µs
 * of CPU under load (`npm run bench:app`).
 * Level and transports are read once here; returns `undefined` when `info` is disabled.
 */
export function accessLogWriter(logger: Logger): ((fields: AccessLogFields) => void) | undefined {
  if (!logger.isLevelEnabled('info')) return undefined;
  const { format, transports } = logger;
  const service = (logger.defaultMeta as { service?: string } | undefined)?.service;
  const done = (): void => undefined;
  return (fields) => {
    const info = {
      service,
      requestId: fields.requestId,
      method: fields.method,
      route: fields.route,
      statusCode: fields.statusCode,
      durationMs: fields.durationMs,
      remoteAddress: fields.remoteAddress,
      userAgent: fields.userAgent,
      level: 'info',
      message: 'request',
      [LEVEL]: 'info',
      [ACCESS_LINE]: true,
    };
    const formatted = format.transform(info, format.options);
    if (!formatted) return;
    for (const transport of transports) transport.log?.(formatted, done);
  };
}
