/**
 * What an environment gives the catalog, its validation, and the resolved tiers every renderer reads.
 *
 * `CatalogThresholds` is a mapped type over the catalog's signal ids: leaving out a signal, or using
 * the wrong unit key for it (`maxPercent` where the signal wants `maxMilliseconds`), is a compile
 * error in `lib/config/<env>.ts`. `validateCatalogSettings` repeats the checks at synth for values
 * that reach it untyped, and adds the ones types cannot express.
 */

import type { Severity, TreatMissingData } from './alarm-spec';
import { SIGNALS, SIGNAL_IDS, type SignalDefinition, type SignalId, type ThresholdKeyOf } from './signals';
import {
  ALARM_DEFAULTS,
  SEVERITIES,
  enabledTiers,
  isDisabled,
  isMinimumKey,
  isPercentKey,
  type EvaluationSettings,
  type SignalThresholds,
  type ThresholdKey,
} from './thresholds';

/** Thresholds for every signal of the catalog; a missing signal does not compile. */
export type CatalogThresholds = { readonly [S in SignalId]: SignalThresholds<ThresholdKeyOf<S>> };

/** The catalog's per-environment settings. */
export interface CatalogSettings {
  /** One entry per signal: numbers per severity, or `{ disabled: '<reason>' }`. */
  readonly thresholds: CatalogThresholds;
  /**
   * Availability objective of the API, in percent of requests that must not end in a 5xx
   * (e.g. 99.9). Drives the multi-window, multi-burn-rate alerts.
   */
  readonly sloAvailabilityObjectivePercent: number;
  /** URL of docs/runbooks.md as people read it; alarms link `<url>#<component>-<slug>`. */
  readonly runbookBaseUrl: string;
}

/** One enabled severity of one signal, with every evaluation setting resolved. */
export interface ResolvedTier {
  readonly signalId: SignalId;
  readonly definition: SignalDefinition;
  readonly severity: Severity;
  readonly thresholdKey: ThresholdKey;
  /** In the threshold key's unit (the unit written in config). */
  readonly threshold: number;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly forMinutes: number;
  readonly treatMissingData: TreatMissingData;
  /** `<base>#<component>-<slug>`. */
  readonly runbookUrl: string;
}

/** A disabled signal or severity and why, for the review table. */
export interface DisabledEntry {
  readonly signalId: SignalId;
  readonly severity: Severity | 'all';
  readonly reason: string;
}

/** The runbook anchor of a signal; docs/runbooks.md places an element with this id. */
export function runbookAnchor(definition: Pick<SignalDefinition, 'component' | 'slug'>): string {
  return `${definition.component}-${definition.slug}`;
}

/** Joins the base URL and an anchor. */
export function runbookUrl(baseUrl: string, anchor: string): string {
  return `${baseUrl}#${anchor}`;
}

const EVALUATION_FIELDS: readonly (keyof EvaluationSettings)[] = ['evaluationPeriods', 'datapointsToAlarm', 'forMinutes'];

/**
 * Checks an environment's settings and throws one error listing every problem, each naming the
 * field, the value received and the fix.
 */
export function validateCatalogSettings(envName: string, settings: CatalogSettings): void {
  const problems = catalogSettingsProblems(envName, settings);
  if (problems.length > 0) {
    throw new Error(`Invalid alarm settings for environment '${envName}':\n  - ${problems.join('\n  - ')}`);
  }
}

/** Every problem of an environment's settings, one line each (empty when valid). */
export function catalogSettingsProblems(envName: string, settings: CatalogSettings): string[] {
  const problems: string[] = [];
  const thresholds = settings.thresholds as unknown as Record<string, unknown>;
  for (const id of Object.keys(thresholds)) {
    if (!(id in SIGNALS)) {
      problems.push(`thresholds.${id}: unknown signal id '${id}'; known ids are ${SIGNAL_IDS.join(', ')}`);
    }
  }
  for (const id of SIGNAL_IDS) {
    const entry = thresholds[id];
    if (entry === undefined) {
      problems.push(`thresholds.${id} is missing; give warning and critical values or { disabled: '<reason>' }`);
      continue;
    }
    problems.push(...validateSignal(envName, id, entry));
  }
  const objective = settings.sloAvailabilityObjectivePercent;
  if (!(Number.isFinite(objective) && objective > 0 && objective < 100)) {
    problems.push(`sloAvailabilityObjectivePercent must be between 0 and 100 exclusive (e.g. 99.9), got ${objective}`);
  }
  if (!/^https?:\/\/\S+$/.test(settings.runbookBaseUrl) || settings.runbookBaseUrl.includes('#')) {
    problems.push(`runbookBaseUrl must be an http(s) URL without a '#' fragment, got '${settings.runbookBaseUrl}'`);
  }
  return problems;
}

function validateSignal(envName: string, id: SignalId, entry: unknown): string[] {
  const definition: SignalDefinition = SIGNALS[id];
  const key = definition.thresholdKey;
  if (typeof entry !== 'object' || entry === null) {
    return [`thresholds.${id} must be an object, got ${JSON.stringify(entry)}`];
  }
  if (isDisabled(entry)) return validateReason(`thresholds.${id}.disabled`, entry.disabled);
  const problems: string[] = [];
  const values: Partial<Record<Severity, number>> = {};
  for (const severity of SEVERITIES) {
    const field = `thresholds.${id}.${severity}`;
    const tier = (entry as Record<string, unknown>)[severity];
    if (typeof tier !== 'object' || tier === null) {
      problems.push(`${field} is missing; give { ${key}: <number> } or { disabled: '<reason>' }`);
      continue;
    }
    if (isDisabled(tier)) {
      problems.push(...validateReason(`${field}.disabled`, tier.disabled));
      continue;
    }
    const record = tier as Record<string, unknown>;
    for (const name of Object.keys(record)) {
      if (name !== key && !(EVALUATION_FIELDS as readonly string[]).includes(name)) {
        problems.push(`${field}.${name} is not a setting of this signal; its threshold is '${key}' (plus ${EVALUATION_FIELDS.join(', ')})`);
      }
    }
    const value = record[key];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      problems.push(`${field}.${key} must be a number, got ${JSON.stringify(value)}`);
      continue;
    }
    if (value < 0) problems.push(`${field}.${key} must not be negative, got ${value}`);
    if (isPercentKey(key) && (value < 0 || value > 100)) {
      problems.push(`${field}.${key} is a percentage and must be within 0..100, got ${value}`);
    }
    const histogram = definition.source.engine === 'prometheus' ? definition.source.histogram : undefined;
    if (histogram && key === 'maxMilliseconds' && !histogram.bucketsSeconds.some((bound) => Math.abs(bound * 1000 - value) < 1e-6)) {
      problems.push(
        `${field}.${key} is ${value}, between two buckets of ${histogram.metric}, where the quantile is only interpolated; ` +
          `use a bucket bound: ${histogram.bucketsSeconds.map((bound) => Number((bound * 1000).toPrecision(6))).join(', ')} ms`,
      );
    }
    values[severity] = value;
    problems.push(...validateEvaluation(envName, id, severity, definition, record as EvaluationSettings));
  }
  const { warning, critical } = values;
  if (warning !== undefined && critical !== undefined) {
    const min = isMinimumKey(key);
    const lessSevere = min ? warning > critical : warning < critical;
    if (!lessSevere) {
      problems.push(
        `thresholds.${id}: warning (${key} ${warning}) must be less severe than critical (${key} ${critical}); ` +
          `for a '${min ? 'min' : 'max'}' threshold warning must be ${min ? 'above' : 'below'} critical`,
      );
    }
  }
  return problems;
}

function validateReason(field: string, reason: unknown): string[] {
  return typeof reason === 'string' && reason.trim().length > 0
    ? []
    : [`${field} must say why the alarm is off, got ${JSON.stringify(reason)}`];
}

function validateEvaluation(
  envName: string,
  id: SignalId,
  severity: Severity,
  definition: SignalDefinition,
  tier: EvaluationSettings,
): string[] {
  const problems: string[] = [];
  const field = `thresholds.${id}.${severity}`;
  const resolved = resolveEvaluation(definition, tier);
  for (const name of ['evaluationPeriods', 'datapointsToAlarm'] as const) {
    const value = resolved[name];
    if (!Number.isInteger(value) || value < 1) problems.push(`${field}.${name} must be a whole number >= 1, got ${value}`);
  }
  if (!(Number.isFinite(resolved.forMinutes) && resolved.forMinutes > 0)) {
    problems.push(`${field}.forMinutes must be a positive duration in minutes, got ${resolved.forMinutes}`);
  }
  // PutMetricAlarm limit: period x evaluationPeriods <= 7 days, or <= 1 day for periods under an hour.
  const rangeSeconds = resolved.periodSeconds * resolved.evaluationPeriods;
  const maxRangeSeconds = resolved.periodSeconds < 3600 ? 86_400 : 604_800;
  if (definition.source.engine === 'cloudwatch' && rangeSeconds > maxRangeSeconds) {
    problems.push(
      `${field}.evaluationPeriods (${resolved.evaluationPeriods}) x ${resolved.periodSeconds} s = ${rangeSeconds} s exceeds CloudWatch's ` +
        `${maxRangeSeconds} s evaluation range for ${alarmName(envName, definition, severity)}; use at most ${Math.floor(maxRangeSeconds / resolved.periodSeconds)} periods`,
    );
  }
  if (resolved.evaluationPeriods < resolved.datapointsToAlarm) {
    problems.push(
      `evaluationPeriods (${resolved.evaluationPeriods}) must be >= datapointsToAlarm (${resolved.datapointsToAlarm}) for ` +
        `${alarmName(envName, definition, severity)}; raise ${field}.evaluationPeriods or lower datapointsToAlarm`,
    );
  }
  return problems;
}

function resolveEvaluation(definition: SignalDefinition, tier: EvaluationSettings) {
  const base = { ...ALARM_DEFAULTS, ...definition.evaluation };
  return {
    periodSeconds: base.periodSeconds,
    evaluationPeriods: tier.evaluationPeriods ?? base.evaluationPeriods,
    datapointsToAlarm: tier.datapointsToAlarm ?? base.datapointsToAlarm,
    forMinutes: tier.forMinutes ?? base.forMinutes,
    treatMissingData: base.treatMissingData,
  };
}

/** `<env>-<component>-<slug>-<severity>`, with an optional qualifier (a Redis node) before the severity. */
export function alarmName(envName: string, definition: Pick<SignalDefinition, 'component' | 'slug'>, severity: Severity, qualifier?: string): string {
  return [envName, definition.component, definition.slug, qualifier, severity].filter((part) => part !== undefined).join('-');
}

/** Validates, then lists every enabled tier (signal × severity) in catalog order, most severe first. */
export function resolveTiers(envName: string, settings: CatalogSettings): ResolvedTier[] {
  validateCatalogSettings(envName, settings);
  const tiers: ResolvedTier[] = [];
  for (const signalId of SIGNAL_IDS) {
    const definition: SignalDefinition = SIGNALS[signalId];
    for (const [severity, tier] of enabledTiers<EvaluationSettings>(settings.thresholds[signalId])) {
      const threshold = (tier as unknown as Record<string, number>)[definition.thresholdKey];
      tiers.push({
        signalId,
        definition,
        severity,
        thresholdKey: definition.thresholdKey,
        threshold,
        ...resolveEvaluation(definition, tier),
        runbookUrl: runbookUrl(settings.runbookBaseUrl, runbookAnchor(definition)),
      });
    }
  }
  return tiers;
}

/** Lists what an environment switched off and why. */
export function disabledEntries(settings: CatalogSettings): DisabledEntry[] {
  const entries: DisabledEntry[] = [];
  for (const signalId of SIGNAL_IDS) {
    const entry = settings.thresholds[signalId];
    if (isDisabled(entry)) {
      entries.push({ signalId, severity: 'all', reason: entry.disabled });
      continue;
    }
    for (const severity of SEVERITIES) {
      const tier = entry[severity];
      if (isDisabled(tier)) entries.push({ signalId, severity, reason: tier.disabled });
    }
  }
  return entries;
}
