/**
 * The API availability SLO: multi-window, multi-burn-rate alerting.
 *
 * The error budget is `1 - objective`. A window pair fires when the error ratio over both its long
 * window (is the burn real?) and its short window (is it still going on?) exceeds
 * `burnRate × budget`. The pairs and rates are the ones the Google SRE workbook recommends for a
 * 30-day budget: 2 % of it spent in 1 h or 5 % in 6 h pages; 10 % in 1 d or 3 d opens a ticket.
 */

import type { Severity } from './alarm-spec';
import { PROMETHEUS_JOB } from './scrape-jobs';

/** One long/short window pair and the burn rate both windows must exceed. */
export interface BurnRateWindowPair {
  readonly severity: Severity;
  readonly longWindowMinutes: number;
  readonly shortWindowMinutes: number;
  readonly burnRate: number;
}

/** The burn-rate policy, most severe first. */
export const BURN_RATE_POLICY: readonly BurnRateWindowPair[] = [
  { severity: 'critical', longWindowMinutes: 60, shortWindowMinutes: 5, burnRate: 14.4 },
  { severity: 'critical', longWindowMinutes: 360, shortWindowMinutes: 30, burnRate: 6 },
  { severity: 'warning', longWindowMinutes: 1440, shortWindowMinutes: 120, burnRate: 3 },
  { severity: 'warning', longWindowMinutes: 4320, shortWindowMinutes: 360, burnRate: 1 },
];

/** How long a burn must hold before the Prometheus alert fires, per severity. */
export const SLO_FOR_MINUTES: Readonly<Record<Severity, number>> = { critical: 2, warning: 15 };

/**
 * When Prometheus's own TSDB starts (its oldest sample, from its self-scrape). The TSDB lives on
 * task-local storage, so a new Prometheus task (any change to its rules or config) starts empty,
 * and a long window then covers only the minutes since: a 25-minute burst read as a 6-hour burn.
 * Each window pair alerts only once the TSDB holds its whole long window; the CloudWatch SLO
 * alarms (the ALB's metrics, kept by CloudWatch) watch the budget meanwhile.
 */
export const TSDB_OLDEST_SAMPLE = `prometheus_tsdb_lowest_timestamp_seconds{job="${PROMETHEUS_JOB}"}`;

/** The SLO's identity in alarm names, labels and runbook anchors. */
export const SLO_SIGNAL = {
  signalId: 'apiAvailability',
  component: 'slo',
  slug: 'availability',
  title: 'API availability SLO burn rate',
} as const;

/** A window as Prometheus writes durations: `5m`, `1h`, `3d`. */
export function windowLabel(minutes: number): string {
  if (minutes % 1440 === 0) return `${minutes / 1440}d`;
  if (minutes % 60 === 0) return `${minutes / 60}h`;
  return `${minutes}m`;
}

/** The error ratio a pair's windows must exceed: `burnRate × (1 - objective)`, as a fraction. */
export function burnThreshold(pair: BurnRateWindowPair, objectivePercent: number): number {
  return Number((pair.burnRate * (1 - objectivePercent / 100)).toPrecision(6));
}

/** Every distinct window the policy uses, ascending. */
export function sloWindows(): number[] {
  const minutes = new Set<number>();
  for (const pair of BURN_RATE_POLICY) {
    minutes.add(pair.longWindowMinutes);
    minutes.add(pair.shortWindowMinutes);
  }
  return [...minutes].sort((a, b) => a - b);
}
