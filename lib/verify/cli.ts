/**
 * `vigil verify`: are the alarms in the account the ones the catalog defines, and what state are
 * they in? Also runs fire drills. `main` takes its arguments and every outside effect as
 * parameters and returns the exit code, so tests drive it without spawning a process.
 */
import { parseArgs } from 'node:util';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { STSClient } from '@aws-sdk/client-sts';
import type { AlarmSpec, MetricAlarmSpec } from '../observability/alarm-spec';
import {
  callerArn,
  explainAwsError,
  findAlarm,
  firstLine,
  listAlarmsByPrefix,
  resolvedRegion,
  setAlarmToAlarm,
  type AwsTarget,
} from './aws';
import { compareAlarms, hasDrift, summarizeStates, type TopicArnResolver } from './compare';
import { renderDrillJson, renderDrillText, renderJson, renderText, type DrillResult } from './render';

/** Exit codes; scripts branch on them. */
export const EXIT = { ok: 0, drift: 1, error: 2 } as const;

/** Everything `main` needs from outside; `defaultDeps` wires the real ones. */
export interface VerifyDeps {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Builds the CloudWatch client for the flags given (tests pass one aimed at a mock). */
  readonly cloudWatch: (target: AwsTarget) => CloudWatchClient;
  readonly sts: (target: AwsTarget) => STSClient;
  readonly now: () => Date;
  /** The environments the catalog knows, for `--env` validation. */
  readonly environments: readonly string[];
  /** The region an environment is deployed to (its config), used when --region is absent. */
  readonly defaultRegion: (env: string) => string | undefined;
  /** The catalog's rendered alarms for one environment. */
  readonly catalog: (env: string) => readonly AlarmSpec[];
  /** Where an environment's alert topics live (see `topicArnResolver`). */
  readonly topicArn: (env: string) => TopicArnResolver;
}

/** Thrown for bad command lines; `main` prints it and exits 2. */
class UsageError extends Error {}

/** The `--help` text: every option, the exit codes, examples. */
export const HELP = `Usage: npm run verify -- --env <name> [options]

Compares the CloudWatch alarms deployed for an environment with the alarms the signal catalog
renders for it, and prints the drift and the alarms' current states.

Options:
  --env <name>           environment to check (required): its alarms are named <name>-*
  --region <region>      AWS region to read (default: the environment's region in lib/config)
  --profile <profile>    named profile from ~/.aws/config (default: AWS_PROFILE, then the default chain)
  --json                 print one JSON document instead of tables (errors too, as {"error": ...})
  --fire-drill <signal>  instead of verifying, set that signal's critical alarm to ALARM so its
                         page goes out; CloudWatch returns a metric alarm to its real state at the
                         next evaluation. <signal> is a signal id (lib/observability/signals.ts,
                         e.g. rdsCpu) or, for per-node signals, the critical alarm's full name.
                         Needs cloudwatch:SetAlarmState.
  -h, --help             show this text

Exit codes:
  0  no drift (or the fire drill was sent)
  1  drift: alarms missing, unexpected or changed
  2  usage or AWS error (one line on stderr says which and what to do)

Examples:
  npm run verify -- --env production --region eu-west-1
  npm run verify -- --env staging --profile staging-readonly --json
  npm run verify -- --env production --fire-drill rdsCpu
`;

interface Options {
  readonly env: string;
  readonly target: AwsTarget;
  readonly json: boolean;
  readonly fireDrill?: string;
}

function parse(argv: readonly string[], environments: readonly string[]): Options | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        env: { type: 'string' },
        region: { type: 'string' },
        profile: { type: 'string' },
        json: { type: 'boolean', default: false },
        'fire-drill': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message} (see --help)`);
  }
  if (values.help) return 'help';
  const expected = environments.join('|');
  if (values.env === undefined || values.env === '') {
    throw new UsageError(`missing --env: pass --env ${expected}`);
  }
  if (!environments.includes(values.env)) {
    throw new UsageError(`unknown environment '${values.env}' for --env, expected ${expected}`);
  }
  for (const flag of ['region', 'profile', 'fire-drill'] as const) {
    if (values[flag] === '') throw new UsageError(`--${flag} needs a value, got an empty string`);
  }
  return {
    env: values.env,
    target: { region: values.region, profile: values.profile },
    json: values.json ?? false,
    fireDrill: values['fire-drill'],
  };
}

/**
 * Runs `vigil verify` with `argv` (without the node and script paths).
 * Resolves to the exit code; never throws for bad input or AWS failures.
 */
export async function main(argv: readonly string[], deps: VerifyDeps): Promise<number> {
  const json = argv.includes('--json');
  const fail = (line: string): number => {
    deps.stderr(`vigil verify: ${line}\n`);
    if (json) deps.stdout(JSON.stringify({ error: line }) + '\n');
    return EXIT.error;
  };

  let options: Options;
  let specs: readonly AlarmSpec[];
  try {
    const parsed = parse(argv, deps.environments);
    if (parsed === 'help') {
      deps.stdout(HELP);
      return EXIT.ok;
    }
    options = parsed;
    specs = deps.catalog(options.env);
  } catch (error) {
    // Usage errors and catalog/config validation errors both say what to fix in one message.
    return fail(firstLine((error as Error).message));
  }

  const drillTarget = options.fireDrill === undefined ? undefined : pickDrillAlarm(specs, options.fireDrill);
  if (typeof drillTarget === 'string') return fail(drillTarget);

  const client = deps.cloudWatch({ ...options.target, region: options.target.region ?? deps.defaultRegion(options.env) });
  // Once resolved, the region goes into every error line.
  let target: AwsTarget = options.target;
  try {
    const region = await resolvedRegion(client);
    target = { ...options.target, region };
    if (drillTarget) {
      const drill = await runDrill(client, deps, options, region, drillTarget);
      if (typeof drill === 'string') return fail(drill);
      deps.stdout(options.json ? renderDrillJson(drill) : renderDrillText(drill));
      return EXIT.ok;
    }

    const prefix = `${options.env}-`;
    const deployed = await listAlarmsByPrefix(client, prefix);
    const drift = compareAlarms(specs, deployed, deps.topicArn(options.env));
    const result = { env: options.env, region, prefix, drift, states: summarizeStates(deployed) };
    deps.stdout(options.json ? renderJson(result) : renderText(result));
    return hasDrift(drift) ? EXIT.drift : EXIT.ok;
  } catch (error) {
    return fail(explainAwsError(error, target));
  } finally {
    client.destroy();
  }
}

/**
 * The one paging critical alarm a drill fires for `signal` (a signal id, or a critical alarm's
 * full name when a signal has several, e.g. one per cache node), or the error line listing valid ones.
 */
function pickDrillAlarm(specs: readonly AlarmSpec[], signal: string): AlarmSpec | string {
  // Only alarms that notify can page; actionless inputs of a composite (SLO windows) cannot.
  const critical = specs.filter((s) => s.severity === 'critical' && s.alarmTopics.length > 0);
  const byName = critical.find((s) => s.alarmName === signal);
  if (byName) return byName;
  const matches = critical.filter((s) => s.signalId === signal);
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    return `signal '${signal}' has ${matches.length} critical alarms; pass one of them to --fire-drill: ${matches.map((s) => s.alarmName).join(', ')}`;
  }
  const valid = [...new Set(critical.map((s) => s.signalId))].sort();
  return `unknown signal '${signal}' for --fire-drill (or it has no critical alarm); valid signals: ${valid.join(', ')}`;
}

async function runDrill(
  client: CloudWatchClient,
  deps: VerifyDeps,
  options: Options,
  region: string,
  spec: AlarmSpec,
): Promise<DrillResult | string> {
  const found = await findAlarm(client, spec.alarmName);
  if (!found) {
    return `alarm ${spec.alarmName} is not deployed in ${region}: deploy the ${options.env} environment first or check --region`;
  }
  const sts = deps.sts({ ...options.target, region });
  let who: string;
  try {
    who = await callerArn(sts);
  } finally {
    sts.destroy();
  }
  // Subscribers read this reason in the notification, so it says at once that nothing is broken.
  const returns =
    found.kind === 'metric' ? 'CloudWatch returns the alarm to its real state at its next evaluation' : 'the alarm returns to its real state when a child alarm changes state';
  const reason = `Fire drill by ${who} at ${deps.now().toISOString()} (vigil verify --fire-drill ${options.fireDrill}): not a real incident; ${returns}.`;
  await setAlarmToAlarm(client, spec.alarmName, reason);
  return {
    env: options.env,
    region,
    signalId: spec.signalId,
    alarmName: spec.alarmName,
    kind: found.kind,
    previousState: found.alarm.StateValue ?? 'unknown',
    reason,
    periodSeconds: found.kind === 'metric' ? periodOf(found.alarm, spec) : undefined,
  };
}

/** The evaluation period: the alarm's own, else the metric-math expression's, else the catalog's. */
function periodOf(alarm: { Period?: number; Metrics?: { Period?: number; MetricStat?: { Period?: number } }[] }, spec: AlarmSpec): number | undefined {
  const fromMath = alarm.Metrics?.map((m) => m.Period ?? m.MetricStat?.Period).find((p) => p !== undefined);
  const metricSpec = spec.kind === 'metric' ? (spec as MetricAlarmSpec) : undefined;
  return alarm.Period ?? fromMath ?? metricSpec?.metric?.periodSeconds ?? metricSpec?.expression?.periodSeconds;
}
