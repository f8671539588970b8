/**
 * `npm run alarms -- <staging|production>` prints the review table of an environment's alarms.
 * `npm run alarms -- --runbooks` prints docs/runbooks.md (redirect it to refresh the file).
 */

import { ENVIRONMENT_NAMES, configFor } from '../lib/config';
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
  if (arg === undefined || !(ENVIRONMENT_NAMES as readonly string[]).includes(arg) || extra !== undefined) {
    process.stderr.write(`unknown environment '${arg ?? ''}', expected ${ENVIRONMENT_NAMES.join('|')}\n${USAGE}\n`);
    return 2;
  }
  // configFor validates the whole environment, alarms included, and throws one error listing every problem.
  process.stdout.write(renderReviewTable(arg, configFor(arg).alarms));
  return 0;
}

process.exitCode = main(process.argv.slice(2));
