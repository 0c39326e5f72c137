#!/usr/bin/env node
/* global process, console */
// `npm run build`, and `prepare` (so `npm ci` and `npm install` build it), in two steps:
// 1. tsc compiles the CLI's TypeScript (the folders tsconfig.build.json includes) to dist/, one
//    JavaScript file per source file. Types are not checked here (`npm run typecheck` does that):
//    emit only.
// 2. esbuild links that JavaScript and the packages it imports into dist/bundle/ (one chunk per
//    sub-command, shared chunks, ESM), which is what bin/hague.js runs. Node then reads a few dozen
//    files instead of resolving and reading about 1,500 modules one by one: a gateway is ready with
//    60% of the CPU time (bench/README.md, "Gateway start"). esbuild is tsx's own (tsx is a
//    dependency, so it is installed wherever tsx is); better-sqlite3, a native addon, stays outside.
// 3. esbuild bundles the explorer's results workspace (gateway/explorer/workspace/, browser code)
//    into dist/explorer/workspace.js (one IIFE script, global HagueWorkspace) and workspace.css,
//    which the gateway serves (gateway/explorer/workspace-build.ts, compiled in step 1, says how).
// dist/BUILT is written last, dated to the moment the build started; bin/hague.js runs the bundle
// only while no source is newer than that.
//
// --if-possible (prepare): without TypeScript installed (npm ci --omit=dev), say so and leave
// dist/ alone instead of failing the install; the CLI then runs the sources through tsx.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

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
const seconds = () => ((Date.now() - started.getTime()) / 1000).toFixed(1);
rmSync(stamp, { force: true }); // first: from here on bin/hague.js runs the sources
rmSync(dist, { recursive: true, force: true });
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--noCheck'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  console.error(`hague build: tsc failed (exit ${result.status ?? result.signal}); dist/ is incomplete and will not be used`);
  process.exit(1);
}
const compiled = seconds();
// tsc emits TypeScript only; the benches import the launcher's flags (bin/runtime-flags.js) from
// JavaScript, so the compiled tree gets its copy where their relative import looks for it.
mkdirSync(join(dist, 'bin'), { recursive: true });
copyFileSync(join(root, 'bin', 'runtime-flags.js'), join(dist, 'bin', 'runtime-flags.js'));

// The esbuild that tsx uses, resolved from tsx's own folder (not wherever npm hoisted it).
const require = createRequire(import.meta.url);
/** @type {unknown} */
const loaded = createRequire(require.resolve('tsx/package.json'))('esbuild');
const esbuild = /** @type {typeof import('esbuild')} */ (loaded);
await esbuild.build({
  absWorkingDir: root,
  entryPoints: ['dist/cli/hague.js'],
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['better-sqlite3', 'pg-native'],
  // CommonJS packages inside an ES module bundle still call require().
  banner: { js: "import { createRequire as __hagueCreateRequire } from 'node:module'; const require = __hagueCreateRequire(import.meta.url);" },
  // Maps back to the TypeScript (through tsc's maps); used only under NODE_OPTIONS=--enable-source-maps.
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
});
// The explorer's workspace, with the options the gateway uses when it bundles it in memory (a
// package without the gateway, as test/compiled-cli.test.ts builds, has none).
const workspaceBuild = join(dist, 'gateway', 'explorer', 'workspace-build.js');
if (existsSync(workspaceBuild)) {
  /** @type {unknown} */
  const compiledWorkspace = await import(pathToFileURL(workspaceBuild).href);
  const workspace = /** @type {{ buildWorkspace(write: boolean): Promise<unknown> }} */ (compiledWorkspace);
  await workspace.buildWorkspace(true);
}
writeFileSync(stamp, `built by bin/build.js from the sources as they were at ${started.toISOString()}\n`);
utimesSync(stamp, started, started);
console.log(`hague build: dist/ in ${seconds()} s (tsc ${compiled} s, then esbuild: the CLI's bundle and the explorer's workspace)`);
