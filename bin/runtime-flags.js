/* global process */
// The Node/V8 settings the `hague` launcher (bin/hague.js) gives its long-running servers, and the
// one place they are written down: the benches (bench/child.ts) import them too, so what they
// measure is what production runs.
//
// --max-semi-space-size=64: the young generation may grow to 64 MB per semi-space (Node 20's
// default tops out at 16 MB). Garbage collection was 18.5% of the gateway's CPU, nearly all of it
// scavenges of short-lived request objects (parsed queries, plans, subgraph answers); with a larger
// nursery most of them die before a scavenge and fewer survivors are copied. Measured side by side
// in the federation bench (`npm run bench -- --federation`: contenders hague and hague-defaults).
// On the shared 2-core machine (2026-11-29, loads interleaved in one run), for the gateway: 16 MB
// (the default) 58 scavenges per 100 requests and 12.0 ms of GC pauses per request, 32 MB 26 and
// 9.7 ms, 64 MB 14 and 6.5 ms, for 33 and 66 MB more resident memory; for a member state (search
// and dossier, requests interleaved one by one) 10% less CPU per request and 31 MB more.
// V8 sizes the heap when the process starts, so this must be on node's command line (or in
// NODE_OPTIONS): v8.setFlagsFromString at run time does not grow the young generation.

/** The defaults. */
export const DEFAULT_RUNTIME_FLAGS = ['--max-semi-space-size=64'];

/** The `hague` sub-commands that run servers, and so get the flags. */
export const SERVER_COMMANDS = ['gateway', 'member', 'dev'];

/** `--max_semi_space_size=1` → `max-semi-space-size`: V8 takes either spelling. */
function flagName(/** @type {string} */ flag) {
  return flag.replace(/^-+/, '').split('=')[0].replaceAll('_', '-');
}

/**
 * The flags a server process should get and does not have yet: HAGUE_NODE_FLAGS when it is set
 * (empty: none; otherwise its whitespace-separated flags replace the defaults), the defaults
 * otherwise; minus any flag whose name node's own command line (`execArgv`) or NODE_OPTIONS
 * already sets, as the operator's choice wins.
 * @param {NodeJS.ProcessEnv} [env]
 * @param {string[]} [execArgv]
 * @returns {string[]}
 */
export function runtimeFlags(env = process.env, execArgv = process.execArgv) {
  const wanted = env.HAGUE_NODE_FLAGS === undefined ? DEFAULT_RUNTIME_FLAGS : env.HAGUE_NODE_FLAGS.split(/\s+/).filter(Boolean);
  const given = new Set([...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)].filter((f) => f.startsWith('-')).map(flagName));
  return wanted.filter((flag) => !given.has(flagName(flag)));
}
