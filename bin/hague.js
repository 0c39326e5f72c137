#!/usr/bin/env node
/* global process, console */
// The `hague` command. Runs the compiled CLI, dist/bundle/ (npm run build; `npm ci` builds it
// through `prepare`), when that build is current, and otherwise the TypeScript sources through tsx:
// - HAGUE_DEV=1: always the sources; HAGUE_DEV=0: always the build, refusing to start if it is not
//   current (production: a slow start through tsx should not go unnoticed);
// - `hague bench`: always the sources (a development tool that starts TypeScript children);
// - dist/BUILT missing, or any .ts file in the folders tsconfig.build.json compiles is newer than
//   it (or a tsconfig is, or node_modules changed since): the sources. An edited source is what
//   runs, never a stale build.
// The check stats the ~150 source files: a few milliseconds. Stack traces name lines of the bundle;
// NODE_OPTIONS=--enable-source-maps maps them to the TypeScript (at some cost to the start).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

function buildIsCurrent() {
  let built;
  try {
    built = statSync(join(root, 'dist', 'BUILT')).mtimeMs;
    statSync(join(root, 'dist', 'bundle', 'hague.js')); // a build from before the bundle has none
  } catch {
    return false;
  }
  const newer = (/** @type {string} */ file) => statSync(file).mtimeMs > built;
  if (newer(join(root, 'tsconfig.json')) || newer(join(root, 'tsconfig.build.json'))) return false;
  // The bundle holds the packages' code too: npm rewrites this file whenever it changes node_modules.
  try {
    if (newer(join(root, 'node_modules', '.package-lock.json'))) return false;
  } catch {
    /* no hidden lockfile (another package manager): nothing to compare */
  }
  /** @type {unknown} */
  const config = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8'));
  const { include } = /** @type {{ include: string[] }} */ (config);
  for (const folder of include) {
    for (const entry of readdirSync(join(root, folder), { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && entry.name.endsWith('.ts') && newer(join(entry.parentPath ?? entry.path, entry.name))) return false;
    }
  }
  return true;
}

const dev = process.env.HAGUE_DEV;
const compiled = dev !== '1' && process.argv[2] !== 'bench' && buildIsCurrent();
if (dev === '0' && !compiled && process.argv[2] !== 'bench') {
  console.error('hague: HAGUE_DEV=0 asks for the compiled build, but dist/ is missing or older than the sources; run npm run build');
  process.exit(2);
}
if (compiled) {
  await import('../dist/bundle/hague.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/hague.ts');
}
