#!/usr/bin/env node
/**
 * How cdk.json runs a CDK app: bundle its TypeScript entry with esbuild (types stripped, nothing
 * type-checked: `tsc --noEmit` in `npm test` does that once) and run the bundle in this process.
 *
 *   node scripts/cdk-app.js [entry]      entry defaults to bin/vigil.ts
 *
 * Why not a TypeScript loader: a loader's hooks see every module aws-cdk-lib requires, and that
 * cost ~0.6 s per synth here against ~0.13 s for the bundle (`npm run bench:synth -- --runners`).
 * Packages stay external, so aws-cdk-lib loads from node_modules as usual.
 */
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const entry = path.resolve(root, process.argv[2] || 'bin/vigil.ts');
const outfile = path.join(root, 'dist', 'cdk-app', `${path.basename(entry, '.ts')}.js`);

const { outputFiles } = esbuild.buildSync({
  entryPoints: [entry],
  outfile,
  write: false,
  bundle: true,
  packages: 'external',
  platform: 'node',
  target: `node${process.versions.node.split('.')[0]}`,
  format: 'cjs',
  sourcemap: 'inline',
  logLevel: 'warning',
});
// Written under a per-process name and renamed, so two synths at once never read a half-written bundle.
fs.mkdirSync(path.dirname(outfile), { recursive: true });
const partial = `${outfile}.${process.pid}.tmp`;
fs.writeFileSync(partial, outputFiles[0].contents);
fs.renameSync(partial, outfile);
// Errors thrown at synth (bad config, failed validation) point at the TypeScript lines.
process.setSourceMapsEnabled(true);
require(outfile);
