/**
 * docs/runbooks.md, generated from the catalog so every alarm's runbook link has a section: one per
 * signal (what it means, where the numbers come from, the first three things to check, which
 * dashboard), plus the SLO and the watchdog. A test keeps the committed file equal to this output.
 */

import { sourceOf } from './review-table';
import { runbookAnchor } from './settings';
import { SIGNALS, SIGNAL_IDS, type Component, type SignalDefinition } from './signals';
import { BURN_RATE_POLICY, SLO_SIGNAL, windowLabel } from './slo';

const COMPONENT_TITLES: Readonly<Record<Component, string>> = {
  api: 'API (load balancer)',
  backend: 'Backend service (ECS)',
  app: 'The app, as Prometheus sees it',
  rds: 'PostgreSQL (RDS)',
  redis: 'Redis (ElastiCache), per node',
  opensearch: 'OpenSearch (logs)',
  platform: 'The monitoring platform',
  slo: 'Availability SLO',
};

function section(anchor: string, title: string, id: string, meaning: string, source: string, checks: readonly string[], dashboard: string): string {
  return [
    `<a id="${anchor}"></a>`,
    `### ${title} (\`${id}\`)`,
    '',
    `**What it means.** ${meaning}`,
    '',
    `**Source.** ${source}. Thresholds per environment: \`lib/config/staging.ts\` and \`lib/config/production.ts\`.`,
    '',
    '**First three things to check.**',
    '',
    ...checks.map((check, i) => `${i + 1}. ${check}`),
    '',
    `**Dashboard.** \`${dashboard}\``,
    '',
  ].join('\n');
}

function signalSection(id: string, definition: SignalDefinition): string {
  return section(runbookAnchor(definition), definition.title, id, definition.meaning, sourceOf(definition), definition.checks, definition.dashboard);
}

/** The whole runbook document. */
export function renderRunbooks(): string {
  const parts: string[] = [
    '# Vigil runbooks',
    '',
    '<!-- Generated from lib/observability (the signal catalog) by `npm run alarms -- --runbooks > docs/runbooks.md`; edit the catalog, not this file. -->',
    '',
    'One section per signal. Every CloudWatch alarm description and every Prometheus alert\'s',
    '`runbook_url` links to its section here. Critical alerts page (SNS topic `critical`); warnings',
    'open a ticket (topic `warning`). `npm run alarms -- production` prints the current numbers.',
    '',
  ];
  const components = [...new Set(SIGNAL_IDS.map((id) => SIGNALS[id].component))];
  for (const component of components) {
    parts.push(`## ${COMPONENT_TITLES[component]}`, '');
    for (const id of SIGNAL_IDS) if (SIGNALS[id].component === component) parts.push(signalSection(id, SIGNALS[id]));
  }
  parts.push(`## ${COMPONENT_TITLES.slo}`, '');
  const pairs = BURN_RATE_POLICY.map((p) => `${p.severity}: ${p.burnRate}x over ${windowLabel(p.longWindowMinutes)} and ${windowLabel(p.shortWindowMinutes)}`).join('; ');
  parts.push(
    section(
      runbookAnchor(SLO_SIGNAL),
      SLO_SIGNAL.title,
      SLO_SIGNAL.signalId,
      `The API spends its error budget (1 - objective, objective in config) faster than it can afford. Multi-window, multi-burn-rate: ${pairs}.`,
      'both engines: CloudWatch composite alarms over the ALB 5xx ratio, and Prometheus recording rules `slo:api_error_ratio:rate<window>` over `http_requests_total`',
      [
        'Which routes fail (Grafana: Vigil service, errors by route; ALB 5xx rate)?',
        'Did a deployment start the burn (app_build_info, ECS deployments)? Roll back first, investigate after.',
        'Is a dependency down (PostgreSQL, Redis alarms, circuit breaker)?',
      ],
      'Grafana: Vigil service (SLO and error budget row)',
    ),
  );
  return `${parts.join('\n').trimEnd()}\n`;
}
