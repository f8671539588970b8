/**
 * winston logger: one JSON line per entry on stdout (FireLens ships them to OpenSearch).
 *
 * The format is a single step instead of `combine(timestamp(), errors(), json())`: it redacts,
 * stamps and serializes in one pass, because the access line is written on every request and a
 * chain of formats cost ~40 % of throughput on a small route here (BASELINES.md).
 */
import { Writable } from 'node:stream';
import winston from 'winston';
import type { LogLevel } from '../config';
import { redact } from './redact';

/** The logger type the rest of the service uses. */
export type Logger = winston.Logger;

/** What {@link createLogger} needs. */
export interface LoggerOptions {
  /** Minimum level written. */
  readonly level: LogLevel;
  /** Written as `service` on every line. */
  readonly service: string;
  /** Where lines go. @default - process stdout (winston Console transport) */
  readonly destination?: Writable;
}

const MESSAGE = Symbol.for('message');

/**
 * Turns winston's info object into one redacted JSON line. Field order is fixed (time, level,
 * service, message, then the rest) so lines read the same in a terminal and in OpenSearch.
 */
const leanJson = winston.format((info) => {
  const line: Record<string, unknown> = {
    time: new Date().toISOString(),
    level: info.level,
    service: info.service,
    message: info.message,
  };
  for (const key of Object.keys(info)) {
    if (key === 'level' || key === 'message' || key === 'service') continue;
    line[key] = info[key];
  }
  if (info instanceof Error && info.stack !== undefined) line.stack = info.stack;
  (info as unknown as Record<symbol, string>)[MESSAGE] = JSON.stringify(redact(line));
  return info;
});

/** Creates the service logger. Child loggers are avoided on the hot path: pass fields instead. */
export function createLogger(options: LoggerOptions): Logger {
  const transport = options.destination
    ? new winston.transports.Stream({ stream: options.destination })
    : new winston.transports.Console();
  return winston.createLogger({
    level: options.level,
    defaultMeta: { service: options.service },
    format: leanJson(),
    transports: [transport],
  });
}
