import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { HELP } from '../../lib/verify/cli';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

/** Runs `bin/verify.ts` the way `npm run verify` does, through tsx, with no AWS settings. */
function verify(args: string[]) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
  return spawnSync(TSX, ['bin/verify.ts', ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
}

describe('bin/verify.ts as a process', () => {
  test('--help prints the usage and exits 0', () => {
    const result = verify(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(HELP);
  });

  test('an unknown environment exits 2 with one line on stderr', () => {
    const result = verify(['--env', 'qa']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("vigil verify: unknown environment 'qa' for --env, expected staging|production\n");
  });
});
