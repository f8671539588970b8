/**
 * Threshold vocabulary of the signal catalog.
 *
 * An environment supplies, for every signal, one number per severity, keyed by severity and named by
 * unit and direction (`{ warning: { maxPercent: 1 }, critical: { maxPercent: 5 } }`), or says why the
 * signal (or one severity of it) is off (`{ disabled: 'no replicas in staging' }`). The key names the
 * direction, so the renderers derive the comparison from it and nobody has to pick an operator.
 */

import type { Severity, TreatMissingData } from './alarm-spec';

/**
 * Threshold keys: `max*` alarms when the value rises above the number, `min*` when it falls below.
 * The suffix is the unit the number is written in.
 */
export type ThresholdKey =
  | 'maxPercent'
  | 'minPercent'
  | 'maxMilliseconds'
  | 'maxSeconds'
  | 'maxCount'
  | 'minCount'
  | 'maxPerMinute'
  | 'maxMebibytes'
  | 'minMebibytes'
  | 'minGibibytes';

/** Human words for each key's unit, used in alarm descriptions and the review table. */
export const THRESHOLD_UNITS: Readonly<Record<ThresholdKey, string>> = {
  maxPercent: '%',
  minPercent: '%',
  maxMilliseconds: 'ms',
  maxSeconds: 's',
  maxCount: '',
  minCount: '',
  maxPerMinute: '/min',
  maxMebibytes: 'MiB',
  minMebibytes: 'MiB',
  minGibibytes: 'GiB',
};

/** True when the key alarms on values falling below the threshold. */
export function isMinimumKey(key: ThresholdKey): boolean {
  return key.startsWith('min');
}

/** Keys whose values are percentages and so must lie in 0..100. */
export function isPercentKey(key: ThresholdKey): boolean {
  return key === 'maxPercent' || key === 'minPercent';
}

/** How long and how often a tier is evaluated; every field optional in config, defaults below. */
export interface EvaluationSettings {
  /** CloudWatch periods evaluated. */
  readonly evaluationPeriods?: number;
  /** CloudWatch periods out of `evaluationPeriods` that must breach. */
  readonly datapointsToAlarm?: number;
  /** Prometheus `for`: how long the condition must hold before the alert fires. */
  readonly forMinutes?: number;
}

/** One severity tier: the number under the signal's key, plus optional evaluation overrides. */
export type Tier<K extends ThresholdKey> = { readonly [P in K]: number } & EvaluationSettings;

/** Says why a signal, or one severity of it, has no alarm; the reason is printed in reviews. */
export interface Disabled {
  readonly disabled: string;
}

/** Both severities of one signal; either severity may be disabled on its own. */
export interface SeverityThresholds<K extends ThresholdKey> {
  readonly warning: Tier<K> | Disabled;
  readonly critical: Tier<K> | Disabled;
}

/** What an environment supplies for one signal. */
export type SignalThresholds<K extends ThresholdKey> = SeverityThresholds<K> | Disabled;

/** Evaluation defaults every tier starts from; one object, so a change here changes every alarm. */
export interface AlarmDefaults {
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly forMinutes: number;
  readonly treatMissingData: TreatMissingData;
}

/** The defaults; a signal definition may override some, an environment tier may override again. */
export const ALARM_DEFAULTS: AlarmDefaults = {
  periodSeconds: 60,
  evaluationPeriods: 5,
  datapointsToAlarm: 3,
  forMinutes: 5,
  treatMissingData: 'notBreaching',
};

/** The severities in rendering order: most severe first. */
export const SEVERITIES: readonly Severity[] = ['critical', 'warning'];

/** Narrowing helper: whether a signal or tier entry is a `{ disabled }` marker. */
export function isDisabled(value: object): value is Disabled {
  return 'disabled' in value;
}

/** The severities a signal's thresholds enable, most severe first, with their tiers. */
export function enabledTiers<T extends object>(thresholds: Disabled | { readonly [S in Severity]: T | Disabled }): Array<[Severity, T]> {
  if (isDisabled(thresholds)) return [];
  return SEVERITIES.flatMap((severity): Array<[Severity, T]> => {
    const tier = thresholds[severity];
    return isDisabled(tier) ? [] : [[severity, tier]];
  });
}
