/**
 * `npm run verify -- --env <name> [--region R] [--profile P] [--json] [--fire-drill <signal>]`
 *
 * Compares the deployed CloudWatch alarms with the signal catalog and prints drift and states
 * (see lib/verify/cli.ts for the options and exit codes).
 */
import { main } from '../lib/verify/cli';
import { defaultDeps } from '../lib/verify/deps';

// The SDK warns on every run under Node 20 about releases after January 2027 (this repo supports
// Node >= 20); eight lines of that would bury the one-line error this command promises on stderr.
// Set the variable to 'false' to see the warning again.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

void main(process.argv.slice(2), defaultDeps()).then((code) => {
  // exitCode, not exit(): lets stdout drain when piped into another program.
  process.exitCode = code;
});
