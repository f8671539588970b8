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
import { LogBuffer, utf8Bytes } from './log-buffer';
import { redact, redactEntry, scrubString } from './redact';

/** The logger type the rest of the service uses. */
export type Logger = winston.Logger;

/** What {@link createLogger} needs. */
export interface LoggerOptions {
  /** Minimum level written. */
  readonly level: LogLevel;
  /** Written as `service` on every line. */
  readonly service: string;
  /** Where lines go, one write per line. @default - process stdout, written in batches (32 KiB or 20 ms) */
  readonly destination?: Writable;
  /**
   * Most bytes kept waiting for a blocked stdout (the log router stopped reading). Lines beyond
   * it are dropped and counted on stderr instead of growing the heap until the task is killed.
   * @default 64 MiB
   */
  readonly maxPendingBytes?: number;
}

const MESSAGE = Symbol.for('message');
const NEWLINE = 0x0a;

/**
 * The second the clock was last read in: when it starts (ms since the epoch), its ISO text up to
 * the decimal point (`2026-12-02T01:48:59.`) and, as bytes, how an access line in it starts
 * (`{"time":"2026-12-02T01:48:59.`). `Date.prototype.toISOString()` costs ~0.7 µs here, more than
 * a whole access line, so it runs once per second instead of once per millisecond.
 */
const second: { startMs: number; prefix: string; lineStart: Uint8Array } = { startMs: Number.NaN, prefix: '', lineStart: new Uint8Array(0) };

/** Milliseconds from the start of `now`'s second to `now` (0-999); moves {@link second} along. */
function millisecondsIntoSecond(now: number): number {
  const ms = now - second.startMs;
  if (ms >= 0 && ms < 1000) return ms;
  // The clock moved to another second (or back): `…:SS.mmmZ`, whatever the year's width.
  const iso = new Date(now).toISOString();
  const millis = Number(iso.slice(-4, -1));
  second.startMs = now - millis;
  second.prefix = iso.slice(0, -4);
  second.lineStart = utf8Bytes(`{"time":"${second.prefix}`);
  return millis;
}

/** The ISO timestamp of now, as `toISOString()` writes it (lines other than access lines). */
function timestamp(): string {
  const ms = millisecondsIntoSecond(Date.now());
  return `${second.prefix}${String(ms).padStart(3, '0')}Z`;
}

/** The keys of an access line. None names a secret (a test checks them against SENSITIVE_KEY). */
export const ACCESS_LOG_KEYS = ['requestId', 'method', 'route', 'statusCode', 'durationMs', 'remoteAddress', 'userAgent'] as const;

function jsonString(value: string): string {
  return JSON.stringify(scrubString(value));
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
 * Where a line is written as bytes: the access-log writer appends straight into `lines`, then
 * calls `lineWritten()`. The stdout transport is one; any other gets a {@link StringLineTarget}.
 */
interface LineTarget {
  readonly lines: LogBuffer;
  /** One whole line (ending in a newline) has just been appended to `lines`. */
  lineWritten(): void;
}

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
 * Pending log bytes that are written at once instead of waiting for the timer. A write to the
 * log router's pipe costs ~45 µs here under load, nearly the same for 4, 16 or 32 KiB (the
 * wake-up of the reader, not the copy): 32 KiB batches took 0.34 µs per request of the event
 * loop's time against 0.65-0.70 µs for 16 KiB (a server with its own `cat` on stdout, 5 s of
 * load, writeSync timed in place). 64 KiB, the pipe's capacity, was no cheaper and came back
 * half-written from a pipe the reader had not emptied yet.
 */
const FLUSH_BYTES = 32 * 1024;
/** Longest a line waits before it is written. */
const FLUSH_DELAY_MS = 20;

/** Default {@link LoggerOptions.maxPendingBytes}: minutes of a busy task's lines, a small share of its memory. */
const MAX_PENDING_BYTES = 64 * 1024 * 1024;

/** Longest the exit handler keeps retrying a full stdout pipe before giving up. */
const EXIT_DRAIN_MS = 5000;

function errorCode(error: unknown): unknown {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Collects lines as bytes and writes them to stdout together: when 32 KiB are pending, or 20 ms
 * after the first pending line, whichever comes first. Under load that is one syscall (and one
 * wake-up of the log router reading the pipe) per ~130 access lines instead of per line or per event-loop
 * turn, which was most of what an access line cost (`npm run bench:app`).
 *
 * It writes to file descriptor 1 itself (the service writes nothing else to stdout; errors before
 * the logger exists go to stderr) instead of through `process.stdout`: a stream queues what
 * a full pipe refuses in memory, and `process.exit()` throws that queue away, so a slow log reader
 * cost the last lines (seen in the test that writes 700 KB and exits). Here a chunk the pipe
 * refuses stays queued in order and is retried (after 1 ms, backing off to 50 ms while the pipe
 * stays full). The queue holds at most `maxPendingBytes`: while it is full, further chunks (whole
 * lines) are dropped, and once it has drained, one stderr note says how many lines were lost.
 * The `exit` handler writes what is left synchronously, waiting out a full pipe for up to 5 s.
 * A process killed outright (SIGKILL, out of memory) loses at most the last 20 ms.
 */
class StdoutBatchTransport extends TransportStream implements LineTarget {
  readonly lines = new LogBuffer(FLUSH_BYTES * 2);
  /** Chunks not written yet because the pipe was full, oldest first. */
  private readonly queue: Buffer[] = [];
  /** Lines dropped because the queue was full, not reported yet. */
  private droppedLines = 0;
  private timer: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  /** Wait before the next retry of a full pipe: 1 ms, doubling up to 50 ms while it stays full. */
  private retryDelayMs = 1;
  /** Set after the first write error other than a full pipe (reported once on stderr). */
  private failed = false;
  private readonly flushLater = (): void => {
    this.timer = undefined;
    this.flush();
  };
  private readonly retryLater = (): void => {
    this.retry = undefined;
    this.drain();
  };

  constructor(private readonly maxPendingBytes: number) {
    super();
    // Node makes a stdout pipe non-blocking when process.stdout is first read. Writes then get
    // EAGAIN from a full pipe instead of stalling the event loop (and the exit handler its 5 s
    // limit). winston's dependencies read it too, but that is theirs to change: read it here.
    void process.stdout;
    process.on('exit', () => this.flushSync());
  }

  override log(info: Record<symbol, string>, next: () => void): void {
    this.lines.appendUtf8(info[MESSAGE]);
    this.lines.appendByte(NEWLINE);
    this.lineWritten();
    next();
  }

  lineWritten(): void {
    if (this.lines.length >= FLUSH_BYTES) {
      this.flush();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(this.flushLater, FLUSH_DELAY_MS);
      // Never keeps the process alive: the exit handler writes what is left.
      this.timer.unref();
    }
  }

  private flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    // take() hands the bytes over for good: they may wait in the queue while appending goes on.
    if (this.lines.length > 0) this.enqueue(this.lines.take());
    if (this.retry === undefined) this.drain();
  }

  private enqueue(chunk: Buffer): void {
    // The queue is empty unless stdout is blocked, so its size is summed only then.
    if (this.queue.length > 0 && this.queue.reduce((bytes, queued) => bytes + queued.length, chunk.length) > this.maxPendingBytes) {
      // Only while stdout is blocked: a chunk holds whole lines, so what is kept stays whole.
      for (const byte of chunk) if (byte === NEWLINE) this.droppedLines++;
      this.lines.recycle(chunk);
      return;
    }
    this.queue.push(chunk);
  }

  /** The one stderr note for the lines a blocked stdout cost, once they can be counted. */
  private reportDropped(): void {
    if (this.droppedLines === 0) return;
    process.stderr.write(`log lines dropped: ${this.droppedLines} lines while stdout was blocked with ${this.maxPendingBytes} bytes pending\n`);
    this.droppedLines = 0;
  }

  /** Writes queued chunks until done or the pipe is full (then retries, backing off). */
  private drain(): void {
    while (this.queue.length > 0) {
      if (!this.writeSome()) {
        this.retry = setTimeout(this.retryLater, this.retryDelayMs);
        this.retry.unref();
        this.retryDelayMs = Math.min(this.retryDelayMs * 2, 50);
        return;
      }
    }
    this.retryDelayMs = 1;
    this.reportDropped();
  }

  /** Writes what the first queued chunk's pipe takes; `false` when the pipe is full. */
  private writeSome(): boolean {
    const chunk = this.queue[0];
    try {
      const written = writeSync(1, chunk);
      if (written < chunk.length) {
        this.queue[0] = chunk.subarray(written);
      } else {
        // The kernel has the bytes: their buffer takes the next lines.
        this.queue.shift();
        this.lines.recycle(chunk);
      }
      return true;
    } catch (error) {
      if (errorCode(error) === 'EAGAIN') return false;
      // stdout is gone or broken (EPIPE: the reader exited; EBADF, EIO, ENOSPC): the lines
      // cannot be written anywhere; say so once, where an operator may still see it.
      this.queue.length = 0;
      if (!this.failed) {
        this.failed = true;
        process.stderr.write(`log lines dropped: writing stdout failed (${String(errorCode(error) ?? error)})\n`);
      }
      return true;
    }
  }

  private flushSync(): void {
    if (this.lines.length > 0) this.enqueue(this.lines.take());
    const deadline = Date.now() + EXIT_DRAIN_MS;
    const pause = new Int32Array(new SharedArrayBuffer(4));
    while (this.queue.length > 0 && Date.now() < deadline) {
      if (!this.writeSome()) Atomics.wait(pause, 0, 0, 1);
    }
    this.reportDropped();
  }
}

/** Any other transport (a `destination` stream's, or one added to the logger): access lines reach it as strings. */
class StringLineTarget implements LineTarget {
  readonly lines = new LogBuffer(1024);
  private readonly entry: Record<symbol, string> = {};

  constructor(private readonly transport: winston.transport) {}

  lineWritten(): void {
    // Without the newline, as winston's format hands lines to a transport.
    this.entry[MESSAGE] = this.lines.toString().slice(0, -1);
    this.lines.clear();
    this.transport.log?.(this.entry, () => undefined);
  }
}

function lineTarget(transport: winston.transport): LineTarget {
  return transport instanceof StdoutBatchTransport ? transport : new StringLineTarget(transport);
}

/** Creates the service logger. Child loggers are avoided on the hot path: pass fields instead. */
export function createLogger(options: LoggerOptions): Logger {
  return winston.createLogger({
    level: options.level,
    defaultMeta: { service: options.service },
    format: leanJson(),
    transports: [options.destination ? new LineTransport(options.destination) : new StdoutBatchTransport(options.maxPendingBytes ?? MAX_PENDING_BYTES)],
  });
}

/**
 * Writes access lines; see {@link accessLogWriter}. A line's parts that one (method, route, status
 * code) fixes are made once by {@link linePart} and kept by the caller, so writing a line looks
 * nothing up.
 */
export interface AccessLogWriter {
  /** The bytes of a line from its method to its duration's key: `","method":…,"route":…,"statusCode":…,"durationMs":`. */
  linePart(method: string, route: string, statusCode: number): Uint8Array;
  /**
   * Writes one line.
   * @param part from {@link linePart}, for this request's method, route and status code.
   * @param requestId a well-formed request id (request-hooks.ts keeps only ids of letters, digits
   *   and `._:-`, or makes a UUID): written as it is, since it holds nothing to escape or scrub.
   * @param durationMs written rounded to the microsecond (at most three decimals), as JSON writes that number.
   */
  write(part: Uint8Array, requestId: string, durationMs: number, remoteAddress: string | undefined, userAgent: string | undefined): void;
}

/**
 * Appends a millisecond duration rounded to the microsecond, as
 * `JSON.stringify(Math.round(ms * 1000) / 1000)` writes it, from two integers.
 */
function appendMilliseconds(lines: LogBuffer, value: number): void {
  const micros = Math.round(value * 1000);
  // Up to 1e15 µs (31 years) a double holds three decimals exactly; anything else takes the slow path.
  if (!(micros >= 0 && micros < 1e15)) {
    lines.appendAscii(finite(micros / 1000));
    return;
  }
  const fraction = micros % 1000;
  lines.appendUint((micros - fraction) / 1000);
  lines.appendThousandths(fraction);
}

/**
 * The access-log writer: one `info` line per request, written to the logger's own transports.
 * The line is what the logger's format writes for `logger.info('request', fields)` with the
 * duration rounded to the microsecond (same keys, order and redaction: a test compares the two),
 * built without winston's info object, format chain and stream, because it is written on every
 * request. Its bytes go straight into the transport's pending output (log-buffer.ts): the time
 * up to its milliseconds changes once per second, the method, route and status bytes are the
 * caller's kept {@link AccessLogWriter.linePart}, a keep-alive client's address and user agent
 * bytes change once per client, and every request-supplied string is still scrubbed and escaped
 * (the request id is well-formed by construction).
 * Level and transports are read once here; returns `undefined` when `info` is disabled.
 */
export function accessLogWriter(logger: Logger): AccessLogWriter | undefined {
  if (!logger.isLevelEnabled('info')) return undefined;
  const targets = logger.transports.map(lineTarget);
  const service = (logger.defaultMeta as { service?: string } | undefined)?.service;
  // As leanJson writes it: the service name is configuration (SERVICE_NAME), not request data.
  const afterTime = utf8Bytes(`Z","level":"info"${service === undefined ? '' : `,"service":${JSON.stringify(service)}`},"message":"request","requestId":"`);
  // The last line's client and its `,"remoteAddress":…,"userAgent":…}` + newline.
  let lastAddress: string | undefined;
  let lastUserAgent: string | undefined;
  let tail = utf8Bytes('}\n');
  return {
    linePart: (method, route, statusCode) =>
      utf8Bytes(`","method":${jsonString(method)},"route":${jsonString(route)},"statusCode":${finite(statusCode)},"durationMs":`),
    write(part, requestId, durationMs, remoteAddress, userAgent) {
      const ms = millisecondsIntoSecond(Date.now());
      const lineStart = second.lineStart;
      if (remoteAddress !== lastAddress || userAgent !== lastUserAgent) {
        lastAddress = remoteAddress;
        lastUserAgent = userAgent;
        const address = remoteAddress === undefined ? '' : `,"remoteAddress":${jsonString(remoteAddress)}`;
        tail = utf8Bytes(`${address}${userAgent === undefined ? '' : `,"userAgent":${jsonString(userAgent)}`}}\n`);
      }
      for (const target of targets) {
        const lines = target.lines;
        lines.appendBytes(lineStart);
        lines.appendPadded3(ms);
        lines.appendBytes(afterTime);
        lines.appendAscii(requestId);
        lines.appendBytes(part);
        appendMilliseconds(lines, durationMs);
        lines.appendBytes(tail);
        target.lineWritten();
      }
    },
  };
}
