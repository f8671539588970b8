import { configFor, validate } from '../../lib/config';
import { SIGNAL_IDS } from '../../lib/observability/signals';
import { disabledEntries, resolveTiers, validateCatalogSettings, type CatalogThresholds } from '../../lib/observability/settings';

import { SETTINGS, productionWith } from './fixtures';

describe('catalog settings validation', () => {
  test('the shipped staging and production settings are valid', () => {
    expect(() => validateCatalogSettings('staging', SETTINGS.staging)).not.toThrow();
    expect(() => validateCatalogSettings('production', SETTINGS.production)).not.toThrow();
  });

  test('a warning as severe as critical is rejected, naming both values', () => {
    // GIVEN a max threshold whose warning equals critical
    const settings = productionWith({ apiErrorRate: { warning: { maxPercent: 5 }, critical: { maxPercent: 5 } } });
    // WHEN validated THEN the error names the signal, both numbers and the rule
    expect(() => validateCatalogSettings('production', settings)).toThrow(
      /thresholds\.apiErrorRate: warning \(maxPercent 5\) must be less severe than critical \(maxPercent 5\).*warning must be below critical/,
    );
  });

  test('for a min threshold the warning must sit above critical', () => {
    const settings = productionWith({ rdsFreeStorage: { warning: { minGibibytes: 5 }, critical: { minGibibytes: 20 } } });
    expect(() => validateCatalogSettings('production', settings)).toThrow(/rdsFreeStorage: warning \(minGibibytes 5\).*warning must be above critical/);
  });

  test('a latency threshold between two histogram buckets is rejected, listing the bounds to use', () => {
    // GIVEN a p99 critical of 1500 ms, inside the 1-2 s bucket of http_request_duration_seconds
    const settings = productionWith({ appLatencyP99: { warning: { maxMilliseconds: 500 }, critical: { maxMilliseconds: 1500 } } });
    // THEN synth says why it cannot be measured there and which values can
    expect(() => validateCatalogSettings('production', settings)).toThrow(
      /thresholds\.appLatencyP99\.critical\.maxMilliseconds is 1500, between two buckets of http_request_duration_seconds, where the quantile is only interpolated; use a bucket bound: 1, 2\.5, 5, .*, 1000, 2000, 2500, 3000, 5000, 10000 ms/,
    );
    // and the same for the database's query histogram
    expect(() => validateCatalogSettings('production', productionWith({ appPgQueryP99: { warning: { maxMilliseconds: 100 }, critical: { maxMilliseconds: 300 } } }))).toThrow(
      /appPgQueryP99\.critical\.maxMilliseconds is 300, between two buckets of pg_query_duration_seconds/,
    );
  });

  test('a percentage outside 0..100 is rejected', () => {
    const settings = productionWith({ backendCpu: { warning: { maxPercent: 70 }, critical: { maxPercent: 120 } } });
    expect(() => validateCatalogSettings('production', settings)).toThrow(
      /thresholds\.backendCpu\.critical\.maxPercent is a percentage and must be within 0\.\.100, got 120/,
    );
  });

  test('evaluationPeriods below datapointsToAlarm is rejected with the alarm name', () => {
    const settings = productionWith({
      apiLatencyP99: { warning: { maxMilliseconds: 500 }, critical: { maxMilliseconds: 1500, evaluationPeriods: 2, datapointsToAlarm: 3 } },
    });
    expect(() => validateCatalogSettings('production', settings)).toThrow(
      /evaluationPeriods \(2\) must be >= datapointsToAlarm \(3\) for production-api-target-latency-p99-critical/,
    );
  });

  test('an evaluation range longer than CloudWatch allows is rejected', () => {
    const settings = productionWith({ rdsCpu: { warning: { maxPercent: 70, evaluationPeriods: 1441 }, critical: { maxPercent: 90 } } });
    expect(() => validateCatalogSettings('production', settings)).toThrow(
      /thresholds\.rdsCpu\.warning\.evaluationPeriods \(1441\) x 60 s = 86460 s exceeds CloudWatch's 86400 s evaluation range for production-rds-cpu-warning; use at most 1440 periods/,
    );
  });

  test('a zero or negative duration is rejected', () => {
    const settings = productionWith({ appErrorRatio: { warning: { maxPercent: 1, forMinutes: 0 }, critical: { maxPercent: 5, forMinutes: -1 } } });
    expect(() => validateCatalogSettings('production', settings)).toThrow(/appErrorRatio\.warning\.forMinutes must be a positive duration in minutes, got 0/);
    expect(() => validateCatalogSettings('production', settings)).toThrow(/appErrorRatio\.critical\.forMinutes must be a positive duration in minutes, got -1/);
  });

  test('an unknown signal id is rejected and the known ids are listed', () => {
    const settings = productionWith({ apiErrorRat: { warning: { maxPercent: 1 }, critical: { maxPercent: 5 } } });
    expect(() => validateCatalogSettings('production', settings)).toThrow(/thresholds\.apiErrorRat: unknown signal id 'apiErrorRat'; known ids are apiErrorRate, /);
  });

  test('a missing signal is rejected at synth too (for untyped input)', () => {
    const { apiErrorRate: _dropped, ...rest } = SETTINGS.production.thresholds;
    const settings = { ...SETTINGS.production, thresholds: rest as unknown as CatalogThresholds };
    expect(() => validateCatalogSettings('production', settings)).toThrow(/thresholds\.apiErrorRate is missing/);
  });

  test('a threshold under the wrong unit key is rejected, naming the expected key', () => {
    const settings = productionWith({ apiLatencyP99: { warning: { maxSeconds: 1 }, critical: { maxMilliseconds: 1500 } } });
    expect(() => validateCatalogSettings('production', settings)).toThrow(
      /thresholds\.apiLatencyP99\.warning\.maxSeconds is not a setting of this signal; its threshold is 'maxMilliseconds'/,
    );
  });

  test('a disabled signal must give a reason', () => {
    const settings = productionWith({ rdsCpu: { disabled: ' ' } });
    expect(() => validateCatalogSettings('production', settings)).toThrow(/thresholds\.rdsCpu\.disabled must say why the alarm is off/);
  });

  test('an SLO objective of 100 % or more is rejected', () => {
    expect(() => validateCatalogSettings('production', { ...SETTINGS.production, sloAvailabilityObjectivePercent: 100 })).toThrow(
      /sloAvailabilityObjectivePercent must be between 0 and 100 exclusive \(e\.g\. 99\.9\), got 100/,
    );
  });

  test('a runbook base URL with a fragment is rejected', () => {
    expect(() => validateCatalogSettings('production', { ...SETTINGS.production, runbookBaseUrl: 'https://x/runbooks.md#top' })).toThrow(
      /runbookBaseUrl must be an http\(s\) URL without a '#' fragment/,
    );
  });

  test('every problem is reported at once', () => {
    const settings = productionWith({ backendCpu: { warning: { maxPercent: 170 }, critical: { maxPercent: 90 } }, nope: { disabled: 'x' } });
    expect(() => validateCatalogSettings('production', settings)).toThrow(/unknown signal id 'nope'[\s\S]*backendCpu\.warning\.maxPercent is a percentage/);
  });
});

describe('the config types', () => {
  test('leaving out a signal or using the wrong unit key does not compile', () => {
    const { apiErrorRate: _dropped, ...rest } = SETTINGS.production.thresholds;
    // @ts-expect-error apiErrorRate is missing
    const missing: CatalogThresholds = rest;
    const wrongKey: CatalogThresholds = {
      ...SETTINGS.production.thresholds,
      // @ts-expect-error latency is in milliseconds, not percent
      apiLatencyP99: { warning: { maxPercent: 1 }, critical: { maxMilliseconds: 1500 } },
    };
    // The same objects are rejected at runtime, for values that bypass the compiler.
    expect(() => validateCatalogSettings('production', { ...SETTINGS.production, thresholds: missing })).toThrow(/apiErrorRate is missing/);
    expect(() => validateCatalogSettings('production', { ...SETTINGS.production, thresholds: wrongKey })).toThrow(/maxPercent is not a setting/);
  });
});

describe('resolved tiers', () => {
  test('tier overrides win over signal evaluation, which wins over the defaults', () => {
    // GIVEN production, where the cache hit ratio critical tier sets forMinutes 15
    const tiers = resolveTiers('production', SETTINGS.production);
    const critical = tiers.find((t) => t.signalId === 'appCacheHitRatio' && t.severity === 'critical');
    const warning = tiers.find((t) => t.signalId === 'appCacheHitRatio' && t.severity === 'warning');
    const storage = tiers.find((t) => t.signalId === 'rdsFreeStorage' && t.severity === 'critical');
    // THEN the tier override, the default, and the signal's own evaluation apply
    expect(critical?.forMinutes).toBe(15);
    expect(warning?.forMinutes).toBe(5);
    expect(storage).toMatchObject({ periodSeconds: 300, evaluationPeriods: 1, datapointsToAlarm: 1 });
  });

  test('every signal is either alarmed or disabled with a reason in each environment', () => {
    for (const env of ['staging', 'production'] as const) {
      const enabled = new Set(resolveTiers(env, SETTINGS[env]).map((t) => `${t.signalId}/${t.severity}`));
      const disabled = new Set(disabledEntries(SETTINGS[env]).flatMap((d) => (d.severity === 'all' ? [`${d.signalId}/critical`, `${d.signalId}/warning`] : [`${d.signalId}/${d.severity}`])));
      for (const id of SIGNAL_IDS) {
        for (const severity of ['critical', 'warning']) {
          expect(enabled.has(`${id}/${severity}`) !== disabled.has(`${id}/${severity}`)).toBe(true);
        }
      }
    }
  });
});

describe('alarms in the environment config', () => {
  test('configFor rejects a bad alarm number with the environment and field', () => {
    const config = configFor('production');
    const broken = { ...config, alarms: { ...config.alarms, thresholds: { ...config.alarms.thresholds, backendCpu: { warning: { maxPercent: 95 }, critical: { maxPercent: 90 } } } } };
    expect(() => validate(broken)).toThrow(/production: alarms\.thresholds\.backendCpu: warning \(maxPercent 95\) must be less severe than critical/);
  });

  test('signals that read Container Insights metrics need Container Insights on, or must be disabled', () => {
    const config = configFor('production');
    const withoutInsights = { ...config, services: { ...config.services, containerInsights: false } };
    expect(() => validate(withoutInsights)).toThrow(/alarms\.thresholds\.prometheusRunning is .*set services\.containerInsights to true, or \{ disabled: '<reason>' \} the signal/);
  });
});
