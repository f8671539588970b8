import { CloudWatchClient, DescribeAlarmsCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { HELP } from '../../lib/verify/cli';
import { run } from './cli-harness';
import { deployedComposite, deployedFrom, deployedMetric, fixtureCatalog, rdsCpu, sloBurn } from './fixtures';

const cloudWatch = mockClient(CloudWatchClient);
const sts = mockClient(STSClient);
const ENV = 'production';
const catalog = fixtureCatalog(ENV);
const inSync = deployedFrom(catalog);
const BASE = ['--env', ENV, '--region', 'eu-west-1'];

beforeEach(() => {
  cloudWatch.reset();
  sts.reset();
});

/** Serves `alarms` from DescribeAlarms as one page. */
function serve(alarms: { metricAlarms: object[]; compositeAlarms: object[] }) {
  cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: alarms.metricAlarms, CompositeAlarms: alarms.compositeAlarms });
}

describe('vigil verify (DescribeAlarms through the real SDK client, mocked transport)', () => {
  test('reads every page: metric and composite alarms spread over three pages are all compared', async () => {
    // GIVEN the account returns the environment's alarms in three pages chained by NextToken
    const [m1, m2, m3, m4, m5] = inSync.metricAlarms;
    const pages = [
      { MetricAlarms: [m1!, m2!], NextToken: 'page-2' },
      { MetricAlarms: [m3!, m4!], CompositeAlarms: inSync.compositeAlarms, NextToken: 'page-3' },
      { MetricAlarms: [m5!] },
    ];
    // The paginator reuses one input object between pages, so copy each request as it is sent.
    const inputs: object[] = [];
    cloudWatch.on(DescribeAlarmsCommand).callsFake((input) => {
      inputs.push({ ...input });
      return pages[inputs.length - 1];
    });
    // WHEN verifying
    const result = await run(BASE);
    // THEN all six alarms were found, with no drift, and exit 0
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('catalog: 6 alarms; account: 6 alarms named production-*');
    expect(result.stdout).toContain('no drift: every alarm in the account matches the catalog.');
    // AND every request asked for both alarm types under the environment prefix, following the tokens
    expect(inputs).toEqual([
      { AlarmNamePrefix: 'production-', AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], MaxRecords: 100 },
      { AlarmNamePrefix: 'production-', AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], MaxRecords: 100, NextToken: 'page-2' },
      { AlarmNamePrefix: 'production-', AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], MaxRecords: 100, NextToken: 'page-3' },
    ]);
  });

  test('drift of every kind is printed as one table and exits 1', async () => {
    // GIVEN one alarm missing, one stray alarm and one edited threshold
    const stray = { ...deployedMetric(rdsCpu(ENV, 'warning', 70)), AlarmName: 'production-legacy-cpu-warning' };
    serve({
      metricAlarms: [...inSync.metricAlarms.filter((a) => a.AlarmName !== 'production-rds-cpu-warning').map((a) => (a.AlarmName === 'production-rds-cpu-critical' ? { ...a, Threshold: 95 } : a)), stray],
      compositeAlarms: inSync.compositeAlarms,
    });
    // WHEN verifying
    const result = await run(BASE);
    // THEN exit 1 and a table naming each drift with expected and actual values
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n');
    const header = lines.findIndex((l) => l.startsWith('DRIFT'));
    expect(lines.slice(header, header + 4).map((l) => l.split(/\s{2,}/))).toEqual([
      ['DRIFT', 'ALARM', 'FIELD', 'EXPECTED (catalog)', 'ACTUAL (account)'],
      ['missing', 'production-rds-cpu-warning', '-', 'metric alarm', '(absent)'],
      ['unexpected', 'production-legacy-cpu-warning', '-', '(absent)', 'metric alarm, OK'],
      ['changed', 'production-rds-cpu-critical', 'threshold', '90', '95'],
    ]);
    expect(result.stdout).toContain('drift: 1 missing, 1 unexpected, 1 changed field(s).');
  });

  test('an empty account is all missing, with a hint to check the region and account', async () => {
    serve({ metricAlarms: [], compositeAlarms: [] });
    const result = await run(BASE);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('no alarm in eu-west-1 is named production-*: is production deployed in this region and account?\n');
    expect(result.stdout).toContain('drift: 6 missing, 0 unexpected, 0 changed field(s).');
    expect(result.stdout).toContain('states: 0 ALARM, 0 INSUFFICIENT_DATA, 0 OK\n');
  });

  test('prints how many alarms are in each state and which ones are in ALARM or INSUFFICIENT_DATA', async () => {
    serve({
      metricAlarms: inSync.metricAlarms.map((a) =>
        a.AlarmName === 'production-rds-cpu-critical' ? { ...a, StateValue: 'ALARM', StateReason: 'Threshold Crossed: 3 of 5 above 90' } : a,
      ),
      compositeAlarms: [deployedComposite(sloBurn(ENV), 'INSUFFICIENT_DATA')],
    });
    const result = await run(BASE);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('states: 1 ALARM, 1 INSUFFICIENT_DATA, 4 OK\n');
    const rows = result.stdout.split('\n').filter((l) => /^(ALARM|INSUFFICIENT_DATA) /.test(l));
    expect(rows.map((l) => l.split(/\s{2,}/))).toEqual([
      ['ALARM', 'production-rds-cpu-critical', '2026-11-25T06:00:00.000Z', 'Threshold Crossed: 3 of 5 above 90'],
      ['INSUFFICIENT_DATA', 'production-api-slo-burn-critical', '2026-11-25T06:00:00.000Z', 'fixture state INSUFFICIENT_DATA'],
    ]);
  });

  test('--json prints one document with drift, counts and states for scripts', async () => {
    serve({ metricAlarms: inSync.metricAlarms.map((a) => (a.AlarmName === 'production-rds-cpu-warning' ? { ...a, EvaluationPeriods: 9, StateValue: 'ALARM' } : a)), compositeAlarms: [] });
    const result = await run([...BASE, '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      env: 'production',
      region: 'eu-west-1',
      alarmNamePrefix: 'production-',
      drift: true,
      counts: { expected: 6, deployed: 5, missing: 1, unexpected: 0, changed: 1 },
      missing: [{ alarmName: 'production-api-slo-burn-critical', kind: 'composite', signalId: 'api-slo-burn', severity: 'critical' }],
      unexpected: [],
      changed: [{ alarmName: 'production-rds-cpu-warning', field: 'evaluationPeriods', expected: '5', actual: '9' }],
      states: {
        counts: { ALARM: 1, INSUFFICIENT_DATA: 0, OK: 4 },
        notOk: [{ alarmName: 'production-rds-cpu-warning', state: 'ALARM', since: '2026-11-25T06:00:00.000Z', reason: 'Threshold Crossed: fixture state OK' }],
      },
    });
  });

  test('--region and --profile reach the client factory', async () => {
    serve(inSync);
    const result = await run(['--env', ENV, '--region', 'eu-central-1', '--profile', 'ops']);
    expect(result.targets).toEqual([{ region: 'eu-central-1', profile: 'ops' }]);
    expect(result.stdout).toContain('vigil verify: production in eu-central-1');
  });

  test("without --region the environment's configured region is read", async () => {
    serve(inSync);
    const result = await run(['--env', ENV], { defaultRegion: (env) => (env === 'production' ? 'ap-southeast-2' : undefined) });
    expect(result.targets).toEqual([{ region: 'ap-southeast-2', profile: undefined }]);
    expect(result.stdout).toContain('vigil verify: production in ap-southeast-2');
  });
});

describe('vigil verify usage', () => {
  test('--help documents every option and the exit codes, and exits 0 without calling AWS', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(HELP);
    for (const option of ['--env', '--region', '--profile', '--json', '--fire-drill', '--help']) expect(HELP).toContain(option);
    expect(HELP).toMatch(/0\s+no drift[\s\S]*1\s+drift[\s\S]*2\s+usage or AWS error/);
    expect(result.targets).toEqual([]);
  });

  test.each([
    [[], 'vigil verify: missing --env: pass --env staging|production\n'],
    [['--env', 'qa'], "vigil verify: unknown environment 'qa' for --env, expected staging|production\n"],
    // Node words parseArgs errors; only the option name and the pointer to --help are ours.
    [['--env', ENV, '--colour'], /^vigil verify: Unknown option '--colour'.* \(see --help\)\n$/],
    [['--env', ENV, 'extra'], /^vigil verify: Unexpected argument 'extra'.* \(see --help\)\n$/],
    [['--env', ENV, '--region', ''], 'vigil verify: --region needs a value, got an empty string\n'],
  ] as [string[], string | RegExp][])('bad command line %j exits 2 with one line and no AWS call', async (argv, stderr) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    if (typeof stderr === 'string') expect(result.stderr).toBe(stderr);
    else expect(result.stderr).toMatch(stderr);
    expect(result.targets).toEqual([]);
  });

  test('with --json a usage error is also printed as {"error": ...} on stdout', async () => {
    const result = await run(['--env', 'qa', '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({ error: "unknown environment 'qa' for --env, expected staging|production" });
  });

  test('a catalog that fails validation exits 2 with its first line', async () => {
    const result = await run(['--env', ENV], {
      catalog: () => {
        throw new Error("production: thresholds.rdsCpu.warning.maxPercent is 120; use 0..100\nsecond line");
      },
    });
    expect(result).toMatchObject({ code: 2, stderr: 'vigil verify: production: thresholds.rdsCpu.warning.maxPercent is 120; use 0..100\n' });
  });
});

describe('vigil verify --fire-drill', () => {
  const CALLER = 'arn:aws:sts::123456789012:assumed-role/oncall/alice';

  test("sets the signal's critical alarm to ALARM with a reason naming the drill, who and when", async () => {
    // GIVEN the critical RDS CPU alarm is deployed and OK
    const alarm = deployedMetric(rdsCpu(ENV, 'critical', 90));
    cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm] });
    cloudWatch.on(SetAlarmStateCommand).resolves({});
    sts.on(GetCallerIdentityCommand).resolves({ Arn: CALLER, Account: '123456789012' });
    // WHEN drilling the rds-cpu signal
    const result = await run([...BASE, '--fire-drill', 'rds-cpu']);
    // THEN exit 0, and SetAlarmState was called once with the critical alarm, ALARM and the drill reason
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const reason = `Fire drill by ${CALLER} at 2026-11-25T07:00:00.000Z (vigil verify --fire-drill rds-cpu): not a real incident; CloudWatch returns the alarm to its real state at its next evaluation.`;
    expect(cloudWatch.commandCalls(SetAlarmStateCommand).map((c) => c.args[0].input)).toEqual([
      { AlarmName: 'production-rds-cpu-critical', StateValue: 'ALARM', StateReason: reason },
    ]);
    expect(cloudWatch.commandCalls(DescribeAlarmsCommand)[0]?.args[0].input).toEqual({ AlarmNames: ['production-rds-cpu-critical'], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] });
    // AND it says what it did and how the alarm returns to its real state
    expect(result.stdout).toBe(
      'fire drill: set production-rds-cpu-critical (metric alarm, signal rds-cpu) to ALARM in eu-west-1; it was OK.\n' +
        `reason: ${reason}\n` +
        "its ALARM actions run now: the critical topic's subscribers should receive the page.\n" +
        'CloudWatch returns the alarm to its real state at its next evaluation (its period is 60 s), usually within seconds; nothing to undo.\n',
    );
  });

  test('a composite critical alarm is drilled too, with how to end the drill by hand', async () => {
    cloudWatch.on(DescribeAlarmsCommand).resolves({ CompositeAlarms: [deployedComposite(sloBurn(ENV))] });
    cloudWatch.on(SetAlarmStateCommand).resolves({});
    sts.on(GetCallerIdentityCommand).resolves({ Arn: CALLER });
    const result = await run([...BASE, '--fire-drill', 'api-slo-burn', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).fireDrill).toMatchObject({
      alarmName: 'production-api-slo-burn-critical',
      kind: 'composite',
      previousState: 'OK',
      newState: 'ALARM',
      returnsToRealState: 'when a child alarm changes state',
    });
    expect(cloudWatch.commandCalls(SetAlarmStateCommand)[0]?.args[0].input.StateReason).toMatch(
      /: not a real incident; the alarm returns to its real state when a child alarm changes state\.$/,
    );
    const text = await (async () => {
      cloudWatch.on(DescribeAlarmsCommand).resolves({ CompositeAlarms: [deployedComposite(sloBurn(ENV))] });
      return (await run([...BASE, '--fire-drill', 'api-slo-burn'])).stdout;
    })();
    expect(text).toContain('aws cloudwatch set-alarm-state --alarm-name production-api-slo-burn-critical --state-value OK');
  });

  test('an unknown signal exits 2 listing the signals that have a critical alarm, without calling AWS', async () => {
    const result = await run([...BASE, '--fire-drill', 'rds-cpuu']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "vigil verify: unknown signal 'rds-cpuu' for --fire-drill (or it has no critical alarm); valid signals: api-error-rate, api-slo-burn, rds-cpu\n",
    );
    expect(result.targets).toEqual([]);
  });

  test('a signal with only a warning alarm is refused the same way', async () => {
    const result = await run([...BASE, '--fire-drill', 'api-latency-p99']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown signal 'api-latency-p99' for --fire-drill (or it has no critical alarm)");
  });

  test('a signal with one critical alarm per node asks for the alarm name, and accepts it', async () => {
    const perNode = (node: string) => ({ ...rdsCpu(ENV, 'critical', 90), alarmName: `production-redis-cpu-${node}-critical`, signalId: 'redis-cpu' });
    const catalog = () => [perNode('001'), perNode('002')];
    const ambiguous = await run([...BASE, '--fire-drill', 'redis-cpu'], { catalog });
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toBe(
      "vigil verify: signal 'redis-cpu' has 2 critical alarms; pass one of them to --fire-drill: production-redis-cpu-001-critical, production-redis-cpu-002-critical\n",
    );

    cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [deployedMetric(perNode('002'))] });
    cloudWatch.on(SetAlarmStateCommand).resolves({});
    sts.on(GetCallerIdentityCommand).resolves({ Arn: CALLER });
    const chosen = await run([...BASE, '--fire-drill', 'production-redis-cpu-002-critical'], { catalog });
    expect(chosen.code).toBe(0);
    expect(cloudWatch.commandCalls(SetAlarmStateCommand)[0]?.args[0].input.AlarmName).toBe('production-redis-cpu-002-critical');
  });

  test('a signal whose other critical alarms only feed a composite drills the composite, the one that pages', async () => {
    // GIVEN the SLO signal: two actionless window alarms and the composite that notifies
    const window = (w: string) => ({ ...rdsCpu(ENV, 'critical', 1), alarmName: `production-api-slo-burn-${w}-critical`, signalId: 'api-slo-burn', alarmTopics: [], okTopics: [] });
    const catalog = () => [window('1h'), window('5m'), sloBurn(ENV)];
    cloudWatch.on(DescribeAlarmsCommand).resolves({ CompositeAlarms: [deployedComposite(sloBurn(ENV))] });
    cloudWatch.on(SetAlarmStateCommand).resolves({});
    sts.on(GetCallerIdentityCommand).resolves({ Arn: CALLER });
    // WHEN drilling the signal  THEN the composite is set to ALARM
    const result = await run([...BASE, '--fire-drill', 'api-slo-burn'], { catalog });
    expect(result.code).toBe(0);
    expect(cloudWatch.commandCalls(SetAlarmStateCommand).map((c) => c.args[0].input.AlarmName)).toEqual(['production-api-slo-burn-critical']);
    // AND an actionless window alarm is not offered by name either
    const byName = await run([...BASE, '--fire-drill', 'production-api-slo-burn-5m-critical'], { catalog });
    expect(byName.code).toBe(2);
  });

  test('an alarm that is not deployed exits 2 and sets nothing', async () => {
    cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [], CompositeAlarms: [] });
    const result = await run([...BASE, '--fire-drill', 'rds-cpu']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'vigil verify: alarm production-rds-cpu-critical is not deployed in eu-west-1: deploy the production environment first or check --region\n',
    );
    expect(cloudWatch.commandCalls(SetAlarmStateCommand)).toHaveLength(0);
  });
});
