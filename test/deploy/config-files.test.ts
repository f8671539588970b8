import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CONFIG_DIR_VARIABLE, deliverFiles, type DeliveredFile } from '../../lib/observability/deploy/config-files';
import { toYaml } from '../../lib/observability/deploy/yaml-text';

/** Runs the delivery's entry point with `sh` and a command that lists what was written. */
function run(files: readonly DeliveredFile[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-delivery-'));
  const delivery = deliverFiles('/etc/example', files);
  const [, , script, name] = delivery.entryPoint;
  execFileSync('sh', ['-c', script, name, 'true'], { env: { PATH: process.env.PATH, ...delivery.environment, [CONFIG_DIR_VARIABLE]: dir } });
  return dir;
}

const AWKWARD = "quotes ' \" and $HOME, `ticks`, back\\slashes \\n, %s printf, unicode ✓\nno trailing newline";

describe('deliverFiles', () => {
  test('GIVEN awkward text WHEN written by the entry point THEN every file holds exactly its bytes, plain or gzip+base64', () => {
    const dir = run([
      { path: 'plain.txt', content: AWKWARD, encoding: 'plain' },
      { path: 'rules/packed.yml', content: `${AWKWARD}\n`.repeat(50), encoding: 'gzip-base64' },
      { path: 'a/b/c/deep.json', content: '{"x":1}', encoding: 'gzip-base64' },
    ]);
    expect(fs.readFileSync(path.join(dir, 'plain.txt'), 'utf8')).toBe(AWKWARD);
    expect(fs.readFileSync(path.join(dir, 'rules/packed.yml'), 'utf8')).toBe(`${AWKWARD}\n`.repeat(50));
    expect(fs.readFileSync(path.join(dir, 'a/b/c/deep.json'), 'utf8')).toBe('{"x":1}');
    fs.rmSync(dir, { recursive: true });
  });

  test('the entry point ends by exec-ing the container command, so the server stays PID 1', () => {
    const [, , script] = deliverFiles('/etc/example', []).entryPoint;
    expect(script.trim().split('\n').pop()).toBe('exec "$@"');
  });

  test('compressed files are smaller in the task definition than their text', () => {
    const content = 'groups:\n  - name: x\n    rules: []\n'.repeat(200);
    const { environment } = deliverFiles('/etc/example', [{ path: 'r.yml', content, encoding: 'gzip-base64' }]);
    expect(environment.VIGIL_CONFIG_0.length).toBeLessThan(content.length / 10);
  });

  test.each([
    ['an absolute path', '/etc/passwd', /config file path '\/etc\/passwd' must be relative/],
    ['a path that climbs out', 'rules/../../x', /config file path 'rules\/\.\.\/\.\.\/x' must be relative, inside the config directory/],
    ['a space in the name', 'my rules.yml', /config file path 'my rules\.yml' must be relative/],
  ])('GIVEN %s WHEN delivered THEN it throws naming the path', (_case, filePath, message) => {
    expect(() => deliverFiles('/etc/example', [{ path: filePath, content: '', encoding: 'plain' }])).toThrow(message);
  });

  test('GIVEN the same path twice WHEN delivered THEN it throws', () => {
    const file: DeliveredFile = { path: 'a.yml', content: '', encoding: 'plain' };
    expect(() => deliverFiles('/etc/example', [file, file])).toThrow("config file path 'a.yml' appears twice");
  });

  test('GIVEN a relative config directory WHEN delivered THEN it throws', () => {
    expect(() => deliverFiles('etc', [])).toThrow("configDir must be absolute, got 'etc'");
  });

  test('GIVEN files too large for a task definition WHEN delivered THEN it throws with the size and the fix', () => {
    const noise = Array.from({ length: 60000 }, (_, i) => String.fromCharCode(33 + ((i * 7919) % 90))).join('');
    expect(() => deliverFiles('/etc/example', [{ path: 'big.txt', content: noise, encoding: 'plain' }]))
      .toThrow(/config files for \/etc\/example take 60000 bytes encoded, over the 49152-byte budget .*split dashboards or rule files/);
  });
});

describe('toYaml', () => {
  test('GIVEN a string longer than a line WHEN rendered THEN it stays on one line (a folded token would not resolve)', () => {
    const long = `\${Token[TOKEN.${'9'.repeat(200)}]}`;
    expect(toYaml({ url: long }).trim()).toBe(`url: ${long}`);
  });
});
