#!/usr/bin/env node
/* global process, console */
// `npm run build`, and `prepare` (so `npm ci` and `npm install` build it): compiles the CLI's
// TypeScript (the folders tsconfig.build.json includes) to dist/, JavaScript that Node runs
// without a transpiler. Types are not checked here (`npm run typecheck` does that): this is
// emit only, a few seconds. dist/BUILT is written last, dated to the moment the build started;
// bin/hague.js runs dist/ only while no source is newer than that.
//
// --if-possible (prepare): without TypeScript installed (npm ci --omit=dev), say so and leave
// dist/ alone instead of failing the install; the CLI then runs the sources through tsx.
import { spawnSync } from 'node:child_process';
import { rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');
const stamp = join(dist, 'BUILT');

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  const message = 'hague build: TypeScript is not installed (a production install without dev dependencies?)';
  if (process.argv.includes('--if-possible')) {
    console.log(`${message}; dist/ not built, the hague command runs the sources through tsx`);
    process.exit(0);
  }
  console.error(`${message}; run npm ci first`);
  process.exit(1);
}

const started = new Date();
rmSync(stamp, { force: true }); // first: from here on bin/hague.js runs the sources
rmSync(dist, { recursive: true, force: true });
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--noCheck'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  console.error(`hague build: tsc failed (exit ${result.status ?? result.signal}); dist/ is incomplete and will not be used`);
  process.exit(1);
}
writeFileSync(stamp, `built by bin/build.js from the sources as they were at ${started.toISOString()}\n`);
utimesSync(stamp, started, started);
console.log(`hague build: dist/ in ${((Date.now() - started.getTime()) / 1000).toFixed(1)} s`);
