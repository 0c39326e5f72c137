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
//
// The server commands (gateway, member, dev) run under the V8 settings of bin/runtime-flags.js
// (a larger young generation). V8 reads them only when the process starts, so unless node's
// command line or NODE_OPTIONS already has them, this process starts the command again as a child
// with them: signals (SIGINT, SIGTERM, SIGHUP) go on to it, its exit code or signal is this one's,
// and it stops (as on SIGTERM) if this process is killed outright. HAGUE_NODE_FLAGS= (empty) runs
// the command here, without them; HAGUE_NODE_FLAGS='--flag=value ...' replaces them.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { Socket } from 'node:net';
import { constants } from 'node:os';
import { join } from 'node:path';
import { runtimeFlags, SERVER_COMMANDS } from './runtime-flags.js';

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

/** Set in the child that relaunch() starts (to this process's pid): it never relaunches itself, nor does anything it starts. */
const LAUNCHER = 'HAGUE_LAUNCHER_PID';
const FORWARDED = /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP']);

/** The runtime flags to relaunch with: none unless this is a server command without them yet (nor a debugger on it, whose port the child could not have). */
function relaunchFlags() {
  const args = process.argv.slice(2);
  if (process.env[LAUNCHER] !== undefined || !SERVER_COMMANDS.includes(args[0]) || args.includes('--help') || args.includes('-h')) return [];
  if ([...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((flag) => flag.startsWith('--inspect'))) return [];
  return runtimeFlags();
}

/**
 * Runs this command again in a child node with `flags`. The child gets its own process group, so a
 * Ctrl-C at the terminal reaches it once, through here, as `kill <pid>` does (hague dev counts
 * them: a second one forces the stop). An IPC channel of this process's (a supervisor's) is
 * relayed. Fd 3 of the child is a pipe whose end closes when this process is gone, however it went.
 * @param {string[]} flags
 */
function relaunch(flags) {
  const ipc = typeof process.send === 'function';
  const child = spawn(process.execPath, [...flags, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'inherit', 'pipe', ...(ipc ? /** @type {const} */ (['ipc']) : [])],
    env: { ...process.env, [LAUNCHER]: String(process.pid) },
    detached: true,
  });
  const forward = (/** @type {NodeJS.Signals} */ signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of FORWARDED) process.on(signal, forward);
  if (ipc) {
    child.on('message', (message) => process.send?.(message));
    process.on('message', (message) => {
      if (child.connected) child.send(/** @type {import('node:child_process').Serializable} */ (message));
    });
    process.on('disconnect', () => {
      if (child.connected) child.disconnect();
    });
  }
  child.once('error', (error) => {
    console.error(`hague: cannot start ${process.execPath}: ${error.message}`);
    process.exit(1);
  });
  child.once('exit', (code, signal) => {
    if (code !== null) process.exit(code);
    // Killed by a signal: so is this process (the same exit status for whoever started it).
    for (const forwarded of FORWARDED) process.off(forwarded, forward);
    process.kill(process.pid, signal ?? 'SIGKILL');
    process.exit(128 + (constants.signals[signal ?? 'SIGKILL'] ?? 9));
  });
}

/** In the relaunched child: SIGTERM to itself (a clean stop) once its launcher is gone. */
function followLauncher() {
  const lifeline = new Socket({ fd: 3, readable: true, writable: false });
  lifeline.on('error', () => {});
  lifeline.once('close', () => process.kill(process.pid, 'SIGTERM'));
  lifeline.resume();
  lifeline.unref();
}

async function run() {
  if (process.env[LAUNCHER] === String(process.ppid)) followLauncher();
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
}

const flags = relaunchFlags();
if (flags.length > 0) relaunch(flags);
else await run();
