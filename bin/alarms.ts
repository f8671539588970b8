/**
 * `npm run alarms -- <staging|production>` prints the review table of an environment's alarms.
 * `npm run alarms -- --runbooks` prints docs/runbooks.md (redirect it to refresh the file).
 */

import { CATALOG_SETTINGS } from '../lib/observability/environment-thresholds';
import { renderReviewTable } from '../lib/observability/review-table';
import { renderRunbooks } from '../lib/observability/runbooks';

const USAGE = 'usage: npm run alarms -- <staging|production>   (or --runbooks to print docs/runbooks.md)';

function main(args: readonly string[]): number {
  const [arg, extra] = args;
  if (arg === '--runbooks' && extra === undefined) {
    process.stdout.write(renderRunbooks());
    return 0;
  }
  if (arg === '--help' || arg === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const settings = arg === undefined ? undefined : CATALOG_SETTINGS[arg as keyof typeof CATALOG_SETTINGS];
  if (settings === undefined || extra !== undefined) {
    process.stderr.write(`unknown environment '${arg ?? ''}', expected staging|production\n${USAGE}\n`);
    return 2;
  }
  process.stdout.write(renderReviewTable(arg as string, settings));
  return 0;
}

process.exitCode = main(process.argv.slice(2));
