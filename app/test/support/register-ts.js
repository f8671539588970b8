/**
 * `node --require ./test/support/register-ts.js src/server.ts`: runs the TypeScript sources
 * directly (tests spawn the real server this way) by compiling each .ts file with @swc/core as it
 * is required. Type-checking stays with `tsc --noEmit`.
 */
'use strict';
const { readFileSync } = require('node:fs');
const { transformSync } = require('@swc/core');

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};
