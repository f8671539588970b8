/**
 * How `vigil verify` prints: aligned plain-text tables for people, one JSON document for machines.
 * Pure functions from report to string, so the output is tested byte for byte.
 */
import { formatColumns } from '../observability/review-table';
import { hasDrift, type DriftReport, type StateSummary } from './compare';

/** What one verification run found: the drift and the alarms' current states. */
export interface VerifyResult {
  readonly env: string;
  readonly region: string;
  readonly prefix: string;
  readonly drift: DriftReport;
  readonly states: StateSummary;
}

/** What one fire drill did. */
export interface DrillResult {
  readonly env: string;
  readonly region: string;
  readonly signalId: string;
  readonly alarmName: string;
  readonly kind: 'metric' | 'composite';
  readonly previousState: string;
  readonly reason: string;
  /** The alarm's evaluation period, for metric alarms. */
  readonly periodSeconds?: number;
}

/** The report for people: drift table (or a one-line all-clear), then the states. */
export function renderText(result: VerifyResult): string {
  const { drift, states } = result;
  const lines: string[] = [
    `vigil verify: ${result.env} in ${result.region}`,
    `catalog: ${drift.expectedCount} alarms; account: ${drift.deployedCount} alarms named ${result.prefix}*`,
    '',
  ];

  if (hasDrift(drift)) {
    const rows: string[][] = [
      ...drift.missing.map((m) => ['missing', m.alarmName, '-', `${m.kind} alarm`, '(absent)']),
      ...drift.unexpected.map((u) => ['unexpected', u.alarmName, '-', '(absent)', `${u.kind} alarm, ${u.state}`]),
      ...drift.changed.map((c) => ['changed', c.alarmName, c.field, c.expected, c.actual]),
    ];
    lines.push(formatColumns([['DRIFT', 'ALARM', 'FIELD', 'EXPECTED (catalog)', 'ACTUAL (account)'], ...rows]), '');
    if (drift.deployedCount === 0) {
      // Every alarm missing usually means the wrong region or account, not a deleted environment.
      lines.push(`no alarm in ${result.region} is named ${result.prefix}*: is ${result.env} deployed in this region and account?`);
    }
    lines.push(
      `drift: ${drift.missing.length} missing, ${drift.unexpected.length} unexpected, ${drift.changed.length} changed field(s).`,
      'fix: redeploy the environment (cdk deploy) to restore the catalog; delete unexpected alarms or add their signal to the catalog.',
    );
  } else {
    lines.push(`no drift: every alarm in the account matches the catalog.`);
  }

  const { counts } = states;
  lines.push('', `states: ${counts.ALARM} ALARM, ${counts.INSUFFICIENT_DATA} INSUFFICIENT_DATA, ${counts.OK} OK`);
  if (states.notOk.length > 0) {
    const rows = states.notOk.map((s) => [s.state, s.alarmName, s.since ?? '-', s.reason ?? '']);
    lines.push(formatColumns([['STATE', 'ALARM', 'SINCE', 'REASON'], ...rows]));
  }
  return lines.join('\n') + '\n';
}

/** The same report as one JSON document; field names are a contract for scripts. */
export function renderJson(result: VerifyResult): string {
  const { drift, states } = result;
  return (
    JSON.stringify(
      {
        env: result.env,
        region: result.region,
        alarmNamePrefix: result.prefix,
        drift: hasDrift(drift),
        counts: {
          expected: drift.expectedCount,
          deployed: drift.deployedCount,
          missing: drift.missing.length,
          unexpected: drift.unexpected.length,
          changed: drift.changed.length,
        },
        missing: drift.missing,
        unexpected: drift.unexpected,
        changed: drift.changed,
        states: { counts: states.counts, notOk: states.notOk },
      },
      null,
      2,
    ) + '\n'
  );
}

/** How the drilled alarm gets back to its real state, in words (SetAlarmState docs). */
function returnPath(drill: DrillResult): string {
  if (drill.kind === 'composite') {
    return (
      'A composite alarm stays in ALARM until one of its child alarms changes state or its ' +
      `configuration is updated; to end the drill now run: aws cloudwatch set-alarm-state --alarm-name ${drill.alarmName} ` +
      `--state-value OK --state-reason "fire drill over" --region ${drill.region}`
    );
  }
  const period = drill.periodSeconds ? ` (its period is ${drill.periodSeconds} s)` : '';
  return `CloudWatch returns the alarm to its real state at its next evaluation${period}, usually within seconds; nothing to undo.`;
}

/** What the drill did, for people. */
export function renderDrillText(drill: DrillResult): string {
  return (
    [
      `fire drill: set ${drill.alarmName} (${drill.kind} alarm, signal ${drill.signalId}) to ALARM in ${drill.region}; it was ${drill.previousState}.`,
      `reason: ${drill.reason}`,
      `its ALARM actions run now: the critical topic's subscribers should receive the page.`,
      returnPath(drill),
    ].join('\n') + '\n'
  );
}

/** What the drill did, for machines. */
export function renderDrillJson(drill: DrillResult): string {
  return (
    JSON.stringify(
      {
        env: drill.env,
        region: drill.region,
        fireDrill: {
          signalId: drill.signalId,
          alarmName: drill.alarmName,
          kind: drill.kind,
          previousState: drill.previousState,
          newState: 'ALARM',
          reason: drill.reason,
          returnsToRealState: drill.kind === 'metric' ? 'at the next evaluation' : 'when a child alarm changes state',
        },
      },
      null,
      2,
    ) + '\n'
  );
}
