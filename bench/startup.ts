import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ensureKeyPair } from '../common/dev-keys.ts';
import { composeFile } from '../gateway/compose.ts';
import { startMember, type RunningMember } from '../subgraphs/member/server.ts';
import { DEFAULT_RUNTIME_FLAGS } from '../bin/runtime-flags.js';

/**
 * `hague bench --startup`: how long a gateway replica is away in a rolling restart. Starts
 * `hague gateway` as a process again and again and times spawn -> first `/readyz` 200 (what a load
 * balancer or orchestrator waits for), then SIGTERM -> exit. Variants, interleaved round by
 * round so that load on the machine hits them alike: the build `hague` runs (dist/bundle/, as
 * `npm ci` leaves it) or the TypeScript sources through tsx, each from a composed `--supergraph`
 * file or composing `--config rover.yaml` at start; and tsc's output file by file (dist/cli/,
 * what the bundle is linked from), to show what the bundling saves. Two member states (NL, BE,
 * empty SQLite stores) answer the readiness probes, in this process.
 */

export interface StartupOptions {
  runs: number;
  command: string;
}

interface Variant {
  name: string;
  /** HAGUE_DEV for bin/hague.js: '0' = the compiled build or fail, '1' = the sources through tsx. */
  dev: '0' | '1';
  source: 'supergraph' | 'config';
  /** The script node runs: bin/hague.js unless given. */
  entry?: string;
  /** More environment: `NODE_OPTIONS` with the launcher's flags, so that it runs the gateway itself instead of starting it again. */
  env?: Record<string, string>;
}

const ROOT = join(import.meta.dirname, '..');
const VARIANTS: Variant[] = [
  { name: 'compiled (bundle), --supergraph', dev: '0', source: 'supergraph' },
  {
    name: 'compiled (bundle), --supergraph, flags in NODE_OPTIONS (no relaunch)',
    dev: '0',
    source: 'supergraph',
    env: { NODE_OPTIONS: [process.env.NODE_OPTIONS ?? '', ...DEFAULT_RUNTIME_FLAGS].join(' ').trim() },
  },
  { name: 'compiled (bundle), --config rover.yaml', dev: '0', source: 'config' },
  { name: 'tsc output file by file, --supergraph', dev: '0', source: 'supergraph', entry: join(ROOT, 'dist', 'cli', 'hague.js') },
  { name: 'tsx, --supergraph', dev: '1', source: 'supergraph' },
  { name: 'tsx, --config rover.yaml', dev: '1', source: 'config' },
];

const HAGUE = join(ROOT, 'bin', 'hague.js');

export async function runStartup(options: StartupOptions): Promise<void> {
  build();

  const folder = mkdtempSync(join(tmpdir(), 'hague-startup-'));
  const keysDir = join(folder, 'keys');
  const members: RunningMember[] = [];
  try {
    const gatewayKey = await ensureKeyPair(keysDir, 'gateway');
    for (const state of ['NL', 'BE'] as const) {
      members.push(
        await startMember({
          state,
          database: join(folder, `${state}.db`),
          gatewayPublicKey: gatewayKey.publicJwk,
          policiesDir: join(ROOT, 'config', 'policies'),
        }),
      );
    }
    const membersYaml = join(folder, 'members.yaml');
    writeFileSync(membersYaml, `members:\n${members.map((m, i) => `  - code: ${['NL', 'BE'][i]}\n    url: ${m.url}\n`).join('')}`);
    const supergraph = join(folder, 'supergraph.graphql');
    writeFileSync(supergraph, composeFile(join(ROOT, 'rover.yaml')).supergraphSdl);
    const common = [
      'gateway',
      '--members',
      membersYaml,
      '--port',
      '0',
      '--log-level',
      'warn',
      '--keys-dir',
      keysDir,
      '--audit',
      join(folder, 'gateway-audit.db'),
    ];
    const argsOf = (v: Variant) => [...common, ...(v.source === 'supergraph' ? ['--supergraph', supergraph] : ['--config', join(ROOT, 'rover.yaml')])];

    // One unmeasured start per variant: the audit log and keys are created, the OS caches the files.
    for (const v of VARIANTS) await startFresh(argsOf(v), v);
    const ready = new Map<string, number[]>(VARIANTS.map((v) => [v.name, []]));
    const cpu = new Map<string, number[]>(VARIANTS.map((v) => [v.name, []]));
    const exit = new Map<string, number[]>(VARIANTS.map((v) => [v.name, []]));
    for (let round = 1; round <= options.runs; round++) {
      for (const v of VARIANTS) {
        const t = await startFresh(argsOf(v), v);
        ready.get(v.name)!.push(t.readyMs);
        if (t.cpuMs !== undefined) cpu.get(v.name)!.push(t.cpuMs);
        exit.get(v.name)!.push(t.exitMs);
      }
      process.stdout.write(`round ${round}/${options.runs}\r`);
    }

    const ms = (n: number) => `${Math.round(n).toLocaleString('en')} ms`;
    const lines = [
      `\`${options.command}\` on ${cpus()[0]?.model.trim() ?? 'unknown CPU'} (${availableParallelism()} cores, load average ${loadavg()[0].toFixed(1)} at the end), ` +
        `Node ${process.version}, ${options.runs} starts per variant, interleaved.`,
      '',
      '| gateway start | spawn → /readyz 200, median | min | max | its CPU time until then, median | SIGTERM → exit, median |',
      '|---|---:|---:|---:|---:|---:|',
      ...VARIANTS.map((v) => {
        const r = ready.get(v.name)!;
        const c = cpu.get(v.name)!;
        return `| ${v.name} | ${ms(median(r))} | ${ms(Math.min(...r))} | ${ms(Math.max(...r))} | ${c.length ? ms(median(c)) : '-'} | ${ms(median(exit.get(v.name)!))} |`;
      }),
    ];
    console.log(`\n${lines.join('\n')}`);
  } finally {
    await Promise.all(members.map((m) => m.close()));
    rmSync(folder, { recursive: true, force: true });
  }
}

function build(): void {
  console.log('building dist/ (npm run build) so the compiled variants run the current sources');
  const result = spawnSync(process.execPath, [join(ROOT, 'bin', 'build.js')], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm run build failed');
}

class StaleBuild extends Error {}

/** A start of the compiled build refused because a source changed since the build (HAGUE_DEV=0): build again, start again. */
async function startFresh(args: string[], variant: Variant): Promise<Start> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(args, variant);
    } catch (error) {
      if (!(error instanceof StaleBuild) || attempt === 3) throw error;
      build();
    }
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

interface Start {
  readyMs: number;
  /** CPU time (user + system, all threads) the process used until ready: what the start costs on an idle machine. Linux only. */
  cpuMs?: number;
  exitMs: number;
}

/** user + system time of a live process from /proc/<pid>/stat, in ms (clock ticks of 10 ms); undefined where there is no /proc. */
/** CPU time (user + system) of a process and of its descendants still running (the launcher's relaunched child), from /proc. */
function cpuTimeMs(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /, '')
      .split(' ');
    let total = (Number(fields[11]) + Number(fields[12])) * 10;
    for (const task of readdirSync(`/proc/${pid}/task`))
      for (const child of readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean)) total += cpuTimeMs(Number(child)) ?? 0;
    return total;
  } catch {
    return undefined;
  }
}

/** One gateway process: spawn, wait for its URL on stdout, poll /readyz until 200, SIGTERM, wait for the exit. */
async function startOnce(args: string[], variant: Variant): Promise<Start> {
  const started = performance.now();
  const child = spawn(process.execPath, [variant.entry ?? HAGUE, ...args], {
    env: { ...process.env, HAGUE_DEV: variant.dev, NO_COLOR: '1', ...variant.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += String(d)));
  child.stderr.on('data', (d) => (output += String(d)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));
  try {
    let url: string | undefined;
    for (;;) {
      if (gone && /HAGUE_DEV=0/.test(output)) throw new StaleBuild(output);
      if (gone) throw new Error(`hague ${args.join(' ')} exited before it was ready:\n${output}`);
      url ??= output.match(/gateway: (http:\/\/\S+)\/graphql/)?.[1];
      if (url) {
        const answer = await fetch(`${url}/readyz`).catch(() => undefined);
        await answer?.body?.cancel();
        if (answer?.status === 200) break;
      }
      if (performance.now() - started > 60_000) throw new Error(`not ready within 60 s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const readyMs = performance.now() - started;
    const cpuMs = cpuTimeMs(child.pid);
    const stopping = performance.now();
    child.kill('SIGTERM');
    const code = await exited;
    if (code !== 0) throw new Error(`gateway exited with ${code} after SIGTERM:\n${output}`);
    return { readyMs, cpuMs, exitMs: performance.now() - stopping };
  } finally {
    if (!gone) child.kill('SIGKILL');
  }
}
