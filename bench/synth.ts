/**
 * `npm run bench:synth`: how much slower is synthesizing both Vigil environments than
 * synthesizing a VPC-only CDK app, as whole processes through the README's own command
 * (`npm run synth`, i.e. `cdk synth --no-notices --quiet`)? Runs alternate (A B, B A, ...) so
 * drift on a shared machine hits both sides; medians of wall time (the ratio asked for) and of
 * CPU time (steadier when other work shares the cores); the last line is `synth_ratio=<x>`.
 *
 *   npm run bench:synth                 5 rounds
 *   BENCH_ROUNDS=9 npm run bench:synth
 *   npm run bench:synth -- --runners    also compare ways of running the app (the esbuild bundle
 *                                       cdk.json uses, the tsx loader, the tsx CLI through npx,
 *                                       precompiled JavaScript)
 *
 * Both apps run the same way: cdk.json's `app` command (its Node flags and scripts/cdk-app.js),
 * the baseline with its entry file appended.
 * Both sides keep CDK's bundled template validation on: it is a real check, and most of the cost.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { median } from './stats';

const ROOT = path.resolve(__dirname, '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) {
  throw new Error(`BENCH_ROUNDS must be a positive integer, got '${process.env.BENCH_ROUNDS}'`);
}

/** One way of synthesizing: a command line run from the repository root. */
interface Subject {
  readonly name: string;
  readonly command: string;
  readonly args: string[];
}

/** One run: wall-clock seconds and CPU seconds (user + system, the process and its children). */
interface Sample {
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
}

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/**
 * Runs `subject` under a shell that prints its own /proc stat line after the command exits: the
 * shell's `cutime`/`cstime` are the CPU the whole command tree used (Linux only). CPU time
 * hardly moves when other work shares the cores; wall time does.
 */
function timeRun(subject: Subject): Sample {
  const started = process.hrtime.bigint();
  const result = spawnSync('sh', ['-c', '"$@"; status=$?; cat /proc/$$/stat >&2; exit $status', 'sh', subject.command, ...subject.args], {
    cwd: ROOT, encoding: 'utf8', env: process.env, maxBuffer: 64 * 1024 * 1024,
  });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) {
    throw new Error(`${subject.name} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  const stat = result.stderr.trim().split('\n').pop()!;
  // Fields after "pid (comm) " start at field 3 (state); cutime and cstime are fields 16 and 17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuSeconds = (Number(fields[16 - 3]) + Number(fields[17 - 3])) / CLOCK_TICKS_PER_SECOND;
  return { wallSeconds, cpuSeconds };
}

/** Runs every subject once to warm caches, then `rounds` alternating rounds. */
function measure(subjects: readonly Subject[], rounds: number): Map<string, Sample[]> {
  const samples = new Map<string, Sample[]>(subjects.map((s) => [s.name, []]));
  subjects.forEach(timeRun);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? subjects : [...subjects].reverse();
    for (const subject of order) samples.get(subject.name)!.push(timeRun(subject));
  }
  return samples;
}

function report(samples: Map<string, Sample[]>): void {
  for (const [name, runs] of samples) {
    const wall = runs.map((r) => r.wallSeconds);
    const cpu = runs.map((r) => r.cpuSeconds);
    console.log(`${name.padEnd(44)} wall median ${median(wall).toFixed(2)} s  cpu median ${median(cpu).toFixed(2)} s`
      + `  (wall runs: ${wall.map((v) => v.toFixed(2)).join(' ')})`);
  }
}

/** Median of one measure over one subject's runs. */
function medianOf(samples: Map<string, Sample[]>, name: string, measureOf: (s: Sample) => number): number {
  return median(samples.get(name)!.map(measureOf));
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-synth-'));
try {
  // The README's command for both; only the app differs.
  const appCommand = (JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as { app: string }).app;
  const npmSynth = (app: string | undefined, out: string): Subject => ({
    name: app ? 'VPC-only app (npm run synth --app ...)' : 'Vigil, both environments (npm run synth)',
    command: 'npm',
    args: ['run', '--silent', 'synth', '--', ...(app ? ['--app', app] : []), '-o', path.join(scratch, out)],
  });
  const vigil = npmSynth(undefined, 'vigil');
  const vpcOnly = npmSynth(`${appCommand} bench/vpc-only/app.ts`, 'vpc');

  if (process.argv.includes('--runners')) {
    // The app alone (no CLI), three ways: what cdk.json's "app" could be.
    const dist = path.join(ROOT, 'dist', 'bench-synth');
    execFileSync('npx', ['tsc', '-p', 'tsconfig.json', '--outDir', dist, '--noEmit', 'false', '--inlineSourceMap', 'false', '--inlineSources', 'false'], { cwd: ROOT, stdio: 'ignore' });
    const appOnly = (name: string, command: string, args: string[]): Subject => ({ name, command: 'env', args: [`CDK_OUTDIR=${path.join(scratch, name.replace(/\W+/g, '-'))}`, command, ...args] });
    console.log(`app alone, ${ROUNDS} alternating rounds:`);
    report(measure([
      appOnly(`${appCommand} (cdk.json)`, 'node', appCommand.split(' ').slice(1)),
      appOnly('node scripts/cdk-app.js (esbuild bundle, no Node flags)', 'node', ['scripts/cdk-app.js']),
      appOnly('node --import tsx bin/vigil.ts', 'node', ['--import', 'tsx', 'bin/vigil.ts']),
      appOnly('npx tsx bin/vigil.ts', 'npx', ['tsx', 'bin/vigil.ts']),
      appOnly('node dist/bin/vigil.js (precompiled)', 'node', [path.join(dist, 'bin', 'vigil.js')]),
    ], ROUNDS));
    console.log('');
  }

  console.log(`whole-process synth, ${ROUNDS} alternating rounds:`);
  const samples = measure([vigil, vpcOnly], ROUNDS);
  report(samples);
  const ratio = (measureOf: (s: Sample) => number) => medianOf(samples, vigil.name, measureOf) / medianOf(samples, vpcOnly.name, measureOf);
  console.log(`cpu_ratio=${ratio((s) => s.cpuSeconds).toFixed(2)}`);
  console.log(`synth_ratio=${ratio((s) => s.wallSeconds).toFixed(2)}`);
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
