import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import TransportStream from 'winston-transport';
import { ACCESS_LOG_KEYS, accessLogWriter, createLogger, type Logger } from '../../src/observability/logger';
import { REDACTED, SENSITIVE_KEY, redact, scrubString } from '../../src/observability/redact';
import { newRequestId } from '../../src/observability/request-hooks';
import { startStack, type Stack } from '../support/stack';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function capture() {
  let text = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { destination, text: () => text };
}

describe('redaction rules', () => {
  test('secret keys lose their values at any depth, other keys are kept', () => {
    const input = {
      headers: { authorization: 'Bearer abc.def', cookie: 'sid=1', 'x-api-key': 'k1', accept: 'json' },
      db: { password: 'pw', PGPASSWORD: 'pw2', host: 'db' },
      sentryDsn: 'https://key@o1.ingest/1',
      list: [{ token: 't' }],
    };
    expect(redact(input)).toEqual({
      headers: { authorization: REDACTED, cookie: REDACTED, 'x-api-key': REDACTED, accept: 'json' },
      db: { password: REDACTED, PGPASSWORD: REDACTED, host: 'db' },
      sentryDsn: REDACTED,
      list: [{ token: REDACTED }],
    });
    expect(input.db.password).toBe('pw'); // the input is not mutated
  });

  test('credentials inside free text are removed', () => {
    expect(scrubString('connect postgres://vigil:hunter2@db.internal:5432/vigil failed')).toBe(
      `connect postgres://${REDACTED}@db.internal:5432/vigil failed`,
    );
    expect(scrubString('sent Authorization: Bearer eyJhbGciOi.x.y')).toBe(`sent Authorization: Bearer ${REDACTED}`);
    expect(scrubString('host=db password=hunter2 user=vigil')).toBe(`host=db password=${REDACTED} user=vigil`);
    expect(scrubString('nothing secret here')).toBe('nothing secret here');
  });

  test('prefixed secret names, quoted JSON pairs and an @ inside a URL password are removed too', () => {
    expect(scrubString('GET /v1/items/1?access_token=abc&page=2')).toBe(`GET /v1/items/1?access_token=${REDACTED}&page=2`);
    expect(scrubString('client_secret=s3 db_password=p4 PGPASSWORD=p5 user=vigil')).toBe(
      `client_secret=${REDACTED} db_password=${REDACTED} PGPASSWORD=${REDACTED} user=vigil`,
    );
    expect(scrubString('upstream said {"password": "hun\\"ter2", "user":"vigil", "refresh_token":"rt"}')).toBe(
      `upstream said {"password": "${REDACTED}", "user":"vigil", "refresh_token":"${REDACTED}"}`,
    );
    expect(scrubString('connect postgres://vigil:p@ss@db.internal/vigil')).toBe(`connect postgres://${REDACTED}@db.internal/vigil`);
    // An address in a query string is not user-info: the host stays readable.
    expect(scrubString('see https://example.com/profile?email=a@b.example')).toBe('see https://example.com/profile?email=a@b.example');
  });

  test('errors become plain objects with scrubbed message and stack; cycles do not hang', () => {
    const error = Object.assign(new Error('login to redis://:tok3n@cache:6379 failed'), { code: 'ECONNREFUSED' });
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const out = redact({ err: error, cyclic }) as { err: Record<string, string>; cyclic: Record<string, unknown> };
    expect(out.err.message).toBe(`login to redis://${REDACTED}@cache:6379 failed`);
    expect(out.err.code).toBe('ECONNREFUSED');
    expect(out.err.stack).not.toContain('tok3n');
    expect(out.cyclic.self).toBe('[Circular]');
  });
});

describe('logger output', () => {
  test('GIVEN secrets in metadata and messages WHEN logged THEN the written line contains none of them', () => {
    const out = capture();
    const logger = createLogger({ level: 'info', service: 'vigil-api', destination: out.destination });
    logger.info('retrying postgres://app:Sup3rS3cret@db/vigil', {
      authorization: 'Bearer tok-ABC123',
      cookie: 'session=cookie-XYZ',
      nested: { password: 'pw-456', apiKey: 'key-789', connectionString: 'postgres://u:p@h/d' },
    });
    const written = out.text();
    for (const secret of ['Sup3rS3cret', 'tok-ABC123', 'cookie-XYZ', 'pw-456', 'key-789', 'u:p@h']) expect(written).not.toContain(secret);
    const line = JSON.parse(written);
    expect(line).toMatchObject({ level: 'info', service: 'vigil-api', authorization: REDACTED });
    expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  test('errors are written with their stack', () => {
    const out = capture();
    const logger = createLogger({ level: 'info', service: 'vigil-api', destination: out.destination });
    logger.error('boom', { err: new Error('kaput') });
    const line = JSON.parse(out.text());
    expect(line.err.message).toBe('kaput');
    expect(line.err.stack).toMatch(/Error: kaput\n\s+at /);
  });

  test('lines below the configured level are not written', () => {
    const out = capture();
    const logger = createLogger({ level: 'warn', service: 'vigil-api', destination: out.destination });
    logger.info('quiet');
    logger.warn('loud');
    expect(out.text().trim().split('\n').map((l) => JSON.parse(l).message)).toEqual(['loud']);
  });
});

/** The fields of one access line, as the request hooks have them. */
interface AccessFields {
  requestId: string;
  method: string;
  route: string;
  statusCode: number;
  durationMs: number;
  remoteAddress: string | undefined;
  userAgent: string | undefined;
}

/** The access-log writer of `logger` taking a line's fields, as the request hooks call it; `undefined` when it is off. */
function fieldWriter(logger: Logger): ((fields: AccessFields) => void) | undefined {
  const writer = accessLogWriter(logger);
  if (writer === undefined) return undefined;
  return (fields) => writer.write(writer.linePart(fields.method, fields.route, fields.statusCode), fields.requestId, fields.durationMs, fields.remoteAddress, fields.userAgent);
}

describe('access-log writer', () => {
  const fields = { requestId: 'r-1', method: 'GET', route: '/v1/items/:id', statusCode: 200, durationMs: 1.5, remoteAddress: '10.0.0.1' };

  test("writes one line with the logger format's shape and redaction", () => {
    const out = capture();
    const write = fieldWriter(createLogger({ level: 'info', service: 'vigil-api', destination: out.destination }));
    write!({ ...fields, userAgent: 'curl/8 (Authorization: Bearer leaked-ua-token)' });
    const line = JSON.parse(out.text());
    expect(line).toMatchObject({ level: 'info', service: 'vigil-api', message: 'request', ...fields });
    expect(line.userAgent).toBe(`curl/8 (Authorization: Bearer ${REDACTED})`);
    expect(Math.abs(Date.parse(line.time) - Date.now())).toBeLessThan(5000);
    expect(out.text()).not.toContain('leaked-ua-token');
  });

  test.each(['vigil-api', 'odd "service" \\ password=1 ü'])('its fixed-key line is the same JSON the generic path writes for the same fields (service %s)', (service) => {
    const out = capture();
    const logger = createLogger({ level: 'info', service, destination: out.destination });
    const all = { ...fields, route: '/v1/ü/"x"', userAgent: 'agent "quoted" \\ \u2028 😀 and postgres://u:pw@h/db' };
    fieldWriter(logger)!(all);
    logger.info('request', all);
    const [fast, generic] = out.text().trim().split('\n');
    const strip = (line: string) => line.replace(/"time":"[^"]+"/, '"time":""');
    expect(strip(fast)).toBe(strip(generic));
    expect(fast).not.toContain('pw@');
  });

  test('times are what toISOString() writes, across seconds, days, years and a clock set back', () => {
    const out = capture();
    const logger = createLogger({ level: 'info', service: 'vigil-api', destination: out.destination });
    const write = fieldWriter(logger)!;
    const base = Date.UTC(2026, 11, 31, 23, 59, 58, 998);
    const times = [0, 1, 2, 999, 1000, 1001, 1002, 2500, 2500, 86_400_000, -1, -1000, -1001, 5, 31_536_000_000 * 8000].map((offset) => base + offset);
    const now = jest.spyOn(Date, 'now');
    try {
      for (const time of times) {
        now.mockReturnValue(time);
        write({ ...fields, userAgent: undefined });
        logger.info('other');
      }
    } finally {
      now.mockRestore();
    }
    const written = out.text().trim().split('\n').map((line) => JSON.parse(line).time);
    expect(written).toEqual(times.flatMap((time) => [new Date(time).toISOString(), new Date(time).toISOString()]));
  });

  test('the duration is written as JSON writes it rounded to the microsecond', () => {
    const out = capture();
    const write = fieldWriter(createLogger({ level: 'info', service: 'vigil-api', destination: out.destination }))!;
    const durations = [0, 0.0004, 0.0005, 0.001, 0.05, 0.1, 1.5, 2, 12.3456789, 999.9995, 1000, 65432.1, 1e12 - 0.25, 1e12 + 0.25, 8860178401778.689, -0, Number.NaN, Number.POSITIVE_INFINITY, -3.2];
    for (const durationMs of durations) write({ ...fields, durationMs, userAgent: undefined });
    const written = out.text().trim().split('\n').map((line) => /"durationMs":([^,}]+)/.exec(line)![1]);
    expect(written).toEqual(durations.map((ms) => JSON.stringify(Number.isFinite(ms) ? Math.round(ms * 1000) / 1000 : null)));
    expect(written.slice(0, 8)).toEqual(['0', '0', '0.001', '0.001', '0.05', '0.1', '1.5', '2']);
  });

  test('each line carries its own client: kept JSON of the last address and user agent never leaks', () => {
    const out = capture();
    const write = fieldWriter(createLogger({ level: 'info', service: 'vigil-api', destination: out.destination }))!;
    const clients = [
      ['10.0.0.1', 'agent-a'],
      ['10.0.0.1', 'agent-a'],
      ['10.0.0.2', 'agent "b" token=abc'],
      ['10.0.0.1', 'agent-a'],
    ];
    for (const [remoteAddress, userAgent] of clients) write({ ...fields, remoteAddress, userAgent });
    const lines = out.text().trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((line) => [line.remoteAddress, line.userAgent])).toEqual([
      ['10.0.0.1', 'agent-a'],
      ['10.0.0.1', 'agent-a'],
      ['10.0.0.2', `agent "b" token=${REDACTED}`],
      ['10.0.0.1', 'agent-a'],
    ]);
  });

  test('an absent user agent is left out, not written as null', () => {
    const out = capture();
    fieldWriter(createLogger({ level: 'info', service: 'vigil-api', destination: out.destination }))!({ ...fields, userAgent: undefined });
    expect(JSON.parse(out.text())).not.toHaveProperty('userAgent');
  });

  test('no access-line key names a secret (their values skip the key check, never the scrub)', () => {
    for (const key of ACCESS_LOG_KEYS) expect(SENSITIVE_KEY.test(key)).toBe(false);
  });

  test('times never run backwards between access lines and other lines', () => {
    const out = capture();
    const logger = createLogger({ level: 'info', service: 'vigil-api', destination: out.destination });
    const write = fieldWriter(logger)!;
    for (let i = 0; i < 20_000; i++) {
      if (i % 2) logger.info('between');
      else write({ ...fields, userAgent: undefined });
    }
    const times = out.text().trim().split('\n').map((line) => Date.parse(JSON.parse(line).time));
    expect(times.filter((time, i) => i > 0 && time < times[i - 1])).toEqual([]);
  });

  test('a transport added to the logger by someone else gets the same line, as a string', () => {
    const out = capture();
    const logger = createLogger({ level: 'info', service: 'vigil-api', destination: out.destination });
    const received: string[] = [];
    logger.add(
      new (class extends TransportStream {
        override log(info: Record<symbol, string>, next: () => void): void {
          received.push(info[Symbol.for('message')]);
          next();
        }
      })(),
    );
    fieldWriter(logger)!({ ...fields, userAgent: 'agent ü' });
    expect(received).toEqual([out.text().trimEnd()]);
    expect(JSON.parse(received[0]).userAgent).toBe('agent ü');
  });

  test('is absent when the level is above info, so no line is even formatted', () => {
    expect(fieldWriter(createLogger({ level: 'warn', service: 'vigil-api', destination: capture().destination }))).toBeUndefined();
  });
});

describe('stdout batching (the logger without a destination)', () => {
  /**
   * Runs `body` in a child process with `logger` (stdout logger at info) in scope. `readAfterMs`
   * leaves its stdout unread that long, as a slow log router would: the pipe fills up.
   */
  function child(body: string, readAfterMs = 0, options = '') {
    const script = `const { createLogger } = require(${JSON.stringify(join(__dirname, '../../src/observability/logger'))});
      const logger = createLogger({ level: 'info', service: 'batch-test' ${options} }); ${body}`;
    const proc = spawn(process.execPath, ['--require', join(__dirname, '../support/register-ts.js'), '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let errors = '';
    proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    proc.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    if (readAfterMs > 0) {
      proc.stdout.pause();
      setTimeout(() => proc.stdout.resume(), readAfterMs);
    }
    return { proc, out: () => out, errors: () => errors };
  }

  test('a lone line is written within the flush delay, while the process goes on', async () => {
    const { proc, out } = child(`logger.info('lone line'); setInterval(() => undefined, 1000);`);
    try {
      const deadline = Date.now() + 10_000;
      while (!out().includes('lone line') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(JSON.parse(out()).message).toBe('lone line');
    } finally {
      // SIGKILL skips the exit handler: the line above was written by the timer.
      proc.kill('SIGKILL');
    }
  });

  test('the logger leaves a stdout pipe non-blocking, so a full pipe never stalls the event loop', async () => {
    // O_NONBLOCK is 04000 in the octal flags Linux shows in /proc/self/fdinfo.
    const { proc, out } = child(`logger.info(require('node:fs').readFileSync('/proc/self/fdinfo/1', 'utf8').match(/flags:\\s+(\\d+)/)[1]);`);
    await once(proc, 'close');
    expect(Number.parseInt(JSON.parse(out()).message, 8) & 0o4000).toBe(0o4000);
  });

  test('access lines and other lines reach stdout whole and in order, across many flushes, while the pipe is full', async () => {
    const { proc, out } = child(`const { accessLogWriter } = require(${JSON.stringify(join(__dirname, '../../src/observability/logger'))});
      const writer = accessLogWriter(logger);
      const parts = [200, 201, 202].map((status) => writer.linePart('GET', '/v1/items/:id', status));
      for (let i = 0; i < 3000; i++) {
        writer.write(parts[i % 3], 'req-' + String(i).padStart(8, '0'), i / 7, '10.0.0.' + (i % 2), i % 5 ? 'agent ü ' + (i % 4) : undefined);
        if (i % 500 === 0) logger.warn('marker ' + i);
      }
      process.exit(0);`, 500);
    await once(proc, 'close');
    const lines = out().trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toHaveLength(3006);
    let request = 0;
    for (const line of lines) {
      if (line.message === 'marker ' + (request - 1)) continue;
      expect(line).toMatchObject({ message: 'request', requestId: 'req-' + String(request).padStart(8, '0'), statusCode: 200 + (request % 3) });
      expect(line.durationMs).toBe(Math.round((request / 7) * 1000) / 1000);
      expect(line.remoteAddress).toBe('10.0.0.' + (request % 2));
      expect(line.userAgent).toBe(request % 5 ? 'agent ü ' + (request % 4) : undefined);
      request++;
    }
    expect(request).toBe(3000);
  });

  test('lines a full pipe refused are written later while the process goes on', async () => {
    const { proc, out } = child(
      `for (let i = 0; i < 5000; i++) logger.info('line ' + i + ' ' + 'x'.repeat(100)); setInterval(() => undefined, 1000);`,
      500,
    );
    try {
      const deadline = Date.now() + 10_000;
      while (!out().includes('line 4999 ') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      const lines = out().trim().split('\n').map((line) => JSON.parse(line).message.split(' ')[1]);
      expect(lines).toEqual(Array.from({ length: 5000 }, (_, i) => String(i)));
    } finally {
      // SIGKILL skips the exit handler: the lines above were written by the retries.
      proc.kill('SIGKILL');
    }
  });

  test('a blocked stdout keeps at most maxPendingBytes waiting: later lines are dropped whole and counted once on stderr', async () => {
    const { proc, out, errors } = child(
      `for (let i = 0; i < 5000; i++) logger.info('line ' + i + ' ' + 'x'.repeat(100)); setTimeout(() => process.exit(0), 1500);`,
      500,
      ', maxPendingBytes: 64 * 1024',
    );
    const [code] = await once(proc, 'close');
    expect(code).toBe(0);
    const kept = out().trim().split('\n').map((line) => Number(JSON.parse(line).message.split(' ')[1]));
    // In order, none twice; the first lines (in the pipe and the queue) are all there.
    for (let i = 1; i < kept.length; i++) expect(kept[i]).toBeGreaterThan(kept[i - 1]);
    expect(kept.slice(0, 100)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const notes = errors().match(/log lines dropped: (\d+) lines while stdout was blocked with 65536 bytes pending/g) ?? [];
    expect(notes).toHaveLength(1);
    const dropped = Number(/(\d+) lines/.exec(notes[0] ?? '')?.[1]);
    expect(dropped).toBeGreaterThan(0);
    expect(kept.length + dropped).toBe(5000);
  });

  test('when stdout is gone, the lost lines are reported once on stderr and the process goes on', async () => {
    const script = `const { createLogger } = require(${JSON.stringify(join(__dirname, '../../src/observability/logger'))});
      const logger = createLogger({ level: 'info', service: 'batch-test' });
      const burst = (n) => { for (let i = 0; i < n; i++) logger.info('lost ' + i); };
      setTimeout(() => burst(3), 100);
      setTimeout(() => burst(3), 200);
      setTimeout(() => { process.stderr.write('still running'); process.exit(0); }, 300);`;
    const proc = spawn(process.execPath, ['--require', join(__dirname, '../support/register-ts.js'), '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout.destroy(); // the log router went away
    let errors = '';
    proc.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const [code] = await once(proc, 'close');
    expect(code).toBe(0);
    expect(errors.match(/log lines dropped: writing stdout failed \(EPIPE\)/g)).toHaveLength(1);
    expect(errors).toContain('still running');
  });

  test('every pending line is written when the process exits', async () => {
    const { proc, out } = child(`for (let i = 0; i < 5000; i++) logger.info('line ' + i); process.exit(0);`);
    await once(proc, 'close');
    const lines = out().trim().split('\n').map((line) => JSON.parse(line).message);
    expect(lines).toHaveLength(5000);
    expect(lines[4999]).toBe('line 4999');
  });
});

describe('access log of the running app', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  test('GIVEN a request WHEN it completes THEN exactly one access line carries id, method, route, status, duration, address and agent', async () => {
    const response = await stack.app.inject({
      method: 'GET',
      url: '/v1/items/00000000-0000-4000-8000-000000000000?token=query-secret',
      headers: { 'user-agent': 'spec-agent/1.0', 'x-request-id': 'req-0123456789' },
    });
    expect(response.headers['x-request-id']).toBe('req-0123456789');
    const lines = stack.logs().filter((line) => line.message === 'request' && line.requestId === 'req-0123456789');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      service: 'vigil-api',
      method: 'GET',
      route: '/v1/items/:id',
      statusCode: 404,
      remoteAddress: '127.0.0.1',
      userAgent: 'spec-agent/1.0',
    });
    expect(typeof lines[0].durationMs).toBe('number');
    expect(stack.logText()).not.toContain('query-secret');
  });

  test('unmatched routes, undecodable paths, validation errors and oversized bodies get the id header and one access line each', async () => {
    const cases = [
      { method: 'GET' as const, url: '/no/such/route', statusCode: 404, route: 'unmatched' },
      { method: 'GET' as const, url: '/v1/items/%zz', statusCode: 400, route: 'unmatched' },
      { method: 'POST' as const, url: '/v1/items', payload: { name: 1 }, statusCode: 400, route: '/v1/items' },
      { method: 'POST' as const, url: '/v1/items', payload: { name: 'x'.repeat(20_000) }, statusCode: 413, route: '/v1/items' },
    ];
    for (const [index, { statusCode, route, ...request }] of cases.entries()) {
      const id = `req-tracked-${index}-0000`;
      const response = await stack.app.inject({ ...request, headers: { 'x-request-id': id } });
      expect(response.statusCode).toBe(statusCode);
      expect(response.headers['x-request-id']).toBe(id);
      const lines = stack.logs().filter((line) => line.message === 'request' && line.requestId === id);
      expect(lines).toEqual([expect.objectContaining({ statusCode, route })]);
    }
  });

  test('a malformed X-Request-Id is replaced by a generated UUID, which is echoed back', async () => {
    const response = await stack.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'bad id\twith spaces' } });
    const id = response.headers['x-request-id'];
    expect(id).toMatch(UUID_V4);
    expect(stack.logs().some((line) => line.requestId === id)).toBe(true);
  });

  test('generated ids are version 4 UUIDs, all distinct across several draws of random bytes', () => {
    const ids = Array.from({ length: 1000 }, () => newRequestId());
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(ids.length);
    // Every hex digit turns up in the random positions (a stuck or short draw would show here).
    const digits = new Set(ids.join('').replace(/-/g, ''));
    expect([...digits].sort().join('')).toBe('0123456789abcdef');
  });

  test('GIVEN credentials in headers WHEN requests are served THEN no log line contains them', async () => {
    await stack.app.inject({
      method: 'POST',
      url: '/v1/items',
      headers: { authorization: 'Bearer header-token-1', cookie: 'sid=cookie-value-2' },
      payload: { name: 'x', password: 'body-password-3' },
    });
    const text = stack.logText();
    for (const secret of ['header-token-1', 'cookie-value-2', 'body-password-3']) expect(text).not.toContain(secret);
  });
});
