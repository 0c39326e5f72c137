import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { MemberState } from '../common/member-states.ts';
import type { JWK } from 'jose';
import { ensureKeyPair } from '../common/dev-keys.ts';
import { CONTEXT_TOKEN_HEADER, contextAudience, importKey, signContextToken } from '../common/context-token.ts';
import { devKeyName, issueDevToken } from '../common/dev-identity.ts';
import { PURPOSE_HEADER } from '../gateway/authenticate.ts';
import { type Child, SERVER_FLAGS, benchChildren, startChild, startMemberChild, type ProcessStats } from './child.ts';
import { ensureStateData, stateFile } from './data.ts';
import { buildMonolith, monolithIsCurrent } from './monolith/build.ts';
import { runLoad, summarise, type LoadResult, type Request } from './load.ts';
import { BENCH_PERSONA, BENCH_PURPOSE } from './policy.ts';
import { CASEFILES_SUBGRAPH_SDL } from './roles/casefiles.ts';
import type { GatewayVariant } from './roles/gateway.ts';
import {
  Expectations,
  NETWORK_ORDER,
  SCENARIOS,
  checkAnswer,
  networkOf,
  requestBody,
  statesIn,
  type ExpectedRecord,
  type Scenario,
  type ScenarioName,
} from './scenarios.ts';
import { writeReport } from './report.ts';

/**
 * `hague bench`: starts its own network on 127.0.0.1 (one process per member state, one per
 * gateway, the monolith in its own), drives load with autocannon from this process, reads every
 * process's CPU time and RSS over IPC, checks every answer, and writes bench/README.md and a JSON
 * file. See bench/README.md for what is measured and why.
 */

export interface BenchOptions {
  quick: boolean;
  out: string;
  json: string;
  dataDir: string;
  /** Roles to run under --cpu-prof: 'gateway', 'member', 'monolith'. */
  profile: string[];
  sizes?: number[];
  networks?: number[];
  scenarios?: ScenarioName[];
  variants?: Variant[];
  command: string;
}

/** (a) Hague, permissions on; (b) permissions off; (c) stock Apollo gateway, one state; (d) monolith. */
export type Variant = 'a' | 'b' | 'c' | 'd';

export const VARIANTS: Record<Variant, string> = {
  a: 'Hague, permissions on',
  b: 'Hague, permissions off',
  c: 'stock @apollo/gateway, 1 state',
  d: 'monolith (1 DB, 1 server)',
};

interface Plan {
  sizes: number[];
  networks: number[];
  warmupSeconds: number;
  latencySeconds: number;
  loadSeconds: number;
  connections: number;
}

export interface RunRecord {
  size: number;
  states: number;
  variant: Variant;
  scenario: ScenarioName;
  /** Records and contributing states in the answer. */
  records: number;
  contributingStates: number;
  /** One connection, one request at a time: what an analyst waits for. */
  unloaded: LoadResult;
  /** `connections` concurrent connections: throughput and latency under load. */
  loaded: LoadResult;
  /** CPU ms per query: the server in front (gateway, stock gateway or monolith), the member states, the case-file subgraph. */
  cpu: { server: number; members: number; casefiles: number; total: number; loadGenerator: number };
  /** Requests the member states received per query, and their SQL statements per query. */
  memberRequests: number;
  expectedMemberRequests: number;
  memberStatements: number;
  /** MB: the server's RSS after the run and its peak; the member states' RSS summed. */
  rss: { server: number; serverPeak: number; members: number };
  /** CPU used on the machine by processes other than the bench's during the loaded run, as a share of all CPUs (noise). */
  otherLoad: number;
  problems: string[];
}

export interface BenchResult {
  startedAt: string;
  command: string;
  quick: boolean;
  machine: { nproc: number; cpu: string; lscpu: string; memoryGB: number; node: string; commit: string };
  plan: Plan;
  scenarios: Record<string, string>;
  variants: Record<Variant, string>;
  seedSeconds: number;
  runs: RunRecord[];
  seconds: number;
  profiles: string[];
}

const MB = 1024 * 1024;

/** Progress lines of the benches, on stderr (stdout carries their tables). */
export function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

export function machine(): BenchResult['machine'] {
  const sh = (cmd: string) => {
    try {
      return execSync(cmd, { encoding: 'utf8' }).trim();
    } catch {
      return '(unavailable)';
    }
  };
  const dirty = sh('git status --porcelain --untracked-files=no') ? ' (+ uncommitted changes)' : '';
  return {
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    lscpu: sh('lscpu | head -15'),
    memoryGB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    commit: `${sh('git rev-parse --short HEAD')}${dirty}`,
  };
}

/** POSTs a JSON body; the answer's status, text and parsed JSON (null when it is not JSON: the caller's check reports it). */
export async function post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; text: string; json: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* checked below */
  }
  return { status: res.status, text, json };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function sum(stats: ProcessStats[], pick: (s: ProcessStats) => number): number {
  return stats.reduce((total, s) => total + pick(s), 0);
}

interface Network {
  size: number;
  members: Map<MemberState, { child: Child; urls: { on: string; off: string } }>;
  casefiles: { child: Child; url: string };
  expectations: Expectations;
  monolithFile: string;
}

export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const started = performance.now();
  answers.clear();
  const plan: Plan = options.quick
    ? { sizes: [1000], networks: [1, 5, 27], warmupSeconds: 1, latencySeconds: 2, loadSeconds: 3, connections: 8 }
    : { sizes: [1000, 100_000], networks: [1, 5, 27], warmupSeconds: 2, latencySeconds: 4, loadSeconds: 8, connections: 8 };
  if (options.sizes) plan.sizes = options.sizes;
  if (options.networks) plan.networks = options.networks;
  const dataDir = resolve(options.dataDir);
  const keysDir = join(dataDir, 'keys');
  const profileDir = resolve('bench/results');
  const profiles: string[] = [];
  // Profiles cover the loaded run only (node:inspector in the child, started and stopped around it).
  const profile = (role: 'gateway' | 'member' | 'monolith', name: string): string | undefined => {
    if (!options.profile.includes(role)) return undefined;
    mkdirSync(profileDir, { recursive: true });
    const file = join(profileDir, `${name}.cpuprofile`);
    profiles.push(join('bench/results', `${name}.cpuprofile`));
    return file;
  };

  const result: BenchResult = {
    startedAt: new Date().toISOString(),
    command: options.command,
    quick: options.quick,
    machine: machine(),
    plan,
    scenarios: Object.fromEntries(Object.values(SCENARIOS).map((s) => [s.name, s.title])),
    variants: VARIANTS,
    seedSeconds: 0,
    runs: [],
    seconds: 0,
    profiles,
  };
  log(
    `hague bench${options.quick ? ' --quick' : ''}: sizes ${plan.sizes.join(', ')} persons per state, networks of ${plan.networks.join(', ')} states; ` +
      `${plan.connections} connections × ${plan.loadSeconds} s per run; ${result.machine.nproc} CPUs, Node ${process.version}`,
  );

  // Keys: the gateway's context-token key and one dev identity provider per state (dev tokens).
  const gatewayKey = await ensureKeyPair(keysDir, 'gateway');
  for (const state of NETWORK_ORDER) await ensureKeyPair(keysDir, devKeyName(state));
  const token = await issueDevToken({ ...BENCH_PERSONA, roles: [...BENCH_PERSONA.roles], scopes: [...BENCH_PERSONA.scopes], keysDir, ttlSeconds: 6 * 3600 });
  const headers = { authorization: `Bearer ${token}`, [PURPOSE_HEADER]: BENCH_PURPOSE };

  const { children, stopAll } = benchChildren();

  try {
    for (const size of plan.sizes) {
      const maxStates = Math.max(...plan.networks);
      const states = networkOf(maxStates);
      result.seedSeconds += await ensureStateData(dataDir, size, NETWORK_ORDER, 2, log);
      const fileOf = (state: MemberState) => stateFile(dataDir, size, state);
      log(`expected answers: from each state's own data (${size} persons per state)`);
      const expectations = await Expectations.load(fileOf);
      const monolithFile = join(dataDir, String(size), 'monolith.db');
      const sources = NETWORK_ORDER.map((state) => ({ state, file: fileOf(state) }));
      if (!monolithIsCurrent(monolithFile, sources)) {
        const t = performance.now();
        log(`monolith: building ${monolithFile} from the ${sources.length} states' files (once; reused by later runs)`);
        buildMonolith(monolithFile, sources, (state, done) => log(`  monolith: ${state} copied (${done}/${sources.length})`));
        result.seedSeconds += (performance.now() - t) / 1000;
        log(`monolith: built in ${((performance.now() - t) / 1000).toFixed(0)} s`);
      }

      log(`members: starting ${states.length} member states, one process each (${size} persons per state)`);
      const t0 = performance.now();
      const members: Network['members'] = new Map();
      const queue = [...states];
      await Promise.all(
        Array.from({ length: 3 }, async () => {
          for (let state = queue.shift(); state; state = queue.shift()) {
            members.set(state, await startMemberChild(children, { state, database: fileOf(state), gatewayPublicKey: gatewayKey.publicJwk }));
          }
        }),
      );
      const casefilesChild = startChild('casefiles', 'roles/casefiles.ts');
      children.push(casefilesChild);
      await casefilesChild.waitFor('ready');
      const { url: casefilesUrl } = await casefilesChild.ask<{ type: string; url: string }>({ type: 'start', casefiles: [expectations.casefile] });
      log(`members: ${states.length} up in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      await warmMembers(members, gatewayKey.privateJwk, size);
      const network: Network = { size, members, casefiles: { child: casefilesChild, url: casefilesUrl }, expectations, monolithFile };

      for (const n of plan.networks) {
        const variants: Variant[] = (options.variants ?? ['a', 'b', 'c', 'd']).filter((v) => v !== 'c' || n === 1);
        const scenarios = (options.scenarios ?? ['search', 'dossier', 'casefile']).filter((s) => s !== 'casefile' || (n === maxStates && n >= 8));
        if (scenarios.length === 0 || variants.length === 0) continue;
        result.runs.push(
          ...(await runNetwork(
            network,
            n,
            variants,
            scenarios.map((s) => SCENARIOS[s]),
            plan,
            headers,
            keysDir,
            profile,
            children,
          )),
        );
      }
      await Promise.all([...members.values()].map((m) => m.child.stop()));
      await casefilesChild.stop();
      children.length = 0;
    }
  } finally {
    await stopAll();
  }
  result.seconds = (performance.now() - started) / 1000;
  mkdirSync(dirname(resolve(options.json)), { recursive: true });
  writeFileSync(options.json, `${JSON.stringify(result, null, 2)}\n`);
  writeReport(options.out, result, options.json);
  log(`done in ${(result.seconds / 60).toFixed(1)} min: ${options.out}, ${options.json}`);
  return result;
}

/**
 * Every member state gets the same warm-up, straight from the bench (with a context token the
 * gateway's key signed): without it the states first asked in a 27-state run would still run
 * cold code, while the five demo states are warm from the 1- and 5-state runs.
 */
async function warmMembers(members: Network['members'], gatewayJwk: JWK, size: number): Promise<void> {
  const t = performance.now();
  const key = await importKey(gatewayJwk);
  const bodies = [SCENARIOS.search, SCENARIOS.dossier].map(requestBody);
  const perMember = size > 10_000 ? 12 : 60;
  const queue = [...members];
  await Promise.all(
    Array.from({ length: 2 }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [state, { urls }] = next;
        const caller = {
          ...BENCH_PERSONA,
          roles: [...BENCH_PERSONA.roles],
          scopes: [...BENCH_PERSONA.scopes],
          agency: 'bench',
          purpose: BENCH_PURPOSE,
          caseReference: null,
          requestId: 'bench-warm-up',
        };
        for (let i = 0; i < perMember; i++) {
          // A context token authorizes one request body, once: one per request, as the gateway does.
          const body = bodies[Math.floor(i / 2) % bodies.length];
          const headers = { [CONTEXT_TOKEN_HEADER]: await signContextToken(caller, contextAudience(state), key, { body, deadline: Date.now() + 10_000 }) };
          const answer = await post(i % 2 ? urls.off : urls.on, body, headers);
          if (answer.status !== 200 || answer.json?.errors) throw new Error(`warm-up of ${state} failed: HTTP ${answer.status} ${answer.text.slice(0, 300)}`);
        }
      }
    }),
  );
  log(`members: warmed up with ${perMember} direct requests each in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

/** Answers of the same question from different variants must hold the same data (key: size, states, scenario). */
const answers = new Map<string, { variant: Variant; data: string }>();

interface Server {
  variant: Variant;
  child: Child;
  url: string;
  members: Child[];
  memberSide: 'on' | 'off';
  states: MemberState[];
}

/** Starts the server of one variant for a network of `n` states. */
async function startServer(network: Network, n: number, variant: Variant, withCasefiles: boolean, keysDir: string, children: Child[]): Promise<Server> {
  const states = variant === 'c' ? networkOf(1) : networkOf(n);
  const memberSide = variant === 'b' ? 'off' : 'on';
  // The hague gateways run under `hague gateway`'s Node flags; stock @apollo/gateway and the monolith under Node's defaults.
  const flags = variant === 'a' || variant === 'b' ? SERVER_FLAGS : [];
  const child = startChild(variant === 'd' ? 'monolith' : `gateway ${variant}`, variant === 'd' ? 'roles/monolith.ts' : 'roles/gateway.ts', [], flags);
  children.push(child);
  await child.waitFor('ready');
  const { url } =
    variant === 'd'
      ? await child.ask<{ type: string; url: string }>({ type: 'start', database: network.monolithFile, states, casefiles: [network.expectations.casefile] })
      : await child.ask<{ type: string; url: string }>({
          type: 'start',
          variant: (variant === 'a' ? 'hague' : variant === 'b' ? 'hague-noauthz' : 'stock') satisfies GatewayVariant,
          keysDir,
          timeoutMs: 60_000,
          members: states.map((code) => ({ code, url: network.members.get(code)!.urls[memberSide] })),
          subgraphs: withCasefiles && variant !== 'c' ? [{ name: 'casefiles', url: network.casefiles.url, sdl: CASEFILES_SUBGRAPH_SDL }] : [],
        });
  return { variant, child, url, members: variant === 'd' ? [] : states.map((s) => network.members.get(s)!.child), memberSide, states };
}

/**
 * One network size: the servers of every variant run side by side, and each scenario is measured
 * on all of them in interleaved halves (a b c d, then d c b a): whatever drifts during the run
 * (JIT warm-up of the member states, other load on the machine) weighs on every variant alike.
 * Runs are counted in requests (all awaited), sized from a timed request, so slow and fast
 * scenarios both get enough samples within the time budget.
 */
async function runNetwork(
  network: Network,
  n: number,
  variants: Variant[],
  scenarios: Scenario[],
  plan: Plan,
  headers: Record<string, string>,
  keysDir: string,
  profile: (role: 'gateway' | 'member' | 'monolith', name: string) => string | undefined,
  children: Child[],
): Promise<RunRecord[]> {
  const servers: Server[] = [];
  const records: RunRecord[] = [];
  try {
    for (const variant of variants)
      servers.push(
        await startServer(
          network,
          n,
          variant,
          scenarios.some((s) => s.name === 'casefile'),
          keysDir,
          children,
        ),
      );
    for (const scenario of scenarios) {
      const applicable = servers.filter((s) => s.variant !== 'c' || scenario.name !== 'casefile');
      records.push(...(await measureScenario(network, n, scenario, applicable, plan, headers, profile)));
    }
  } finally {
    for (const server of servers) {
      await server.child.stop();
      children.splice(children.indexOf(server.child), 1);
    }
  }
  return records;
}

interface Snapshot {
  server: ProcessStats;
  members: ProcessStats[];
  casefiles: ProcessStats;
  machineBusy: number;
  own: number;
  all: number;
}

/** CPU ticks the whole machine spent busy (/proc/stat), in microseconds. */
export function machineBusyMicros(): number {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = fields[3] + (fields[4] ?? 0);
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return ((total - idle) * 1e6) / 100; // USER_HZ = 100
  } catch {
    return NaN;
  }
}

async function snapshot(server: Server, network: Network, everyone: Child[], gc = false): Promise<Snapshot> {
  // gc: a full collection in every process measured before the run starts, so that a run does not
  // pay for the garbage of the runs before it (a full collection after the run would add a cost
  // proportional to each process's live heap, not to the run's work).
  const [s, m, c, all] = await Promise.all([
    server.child.stats(gc),
    Promise.all(server.members.map((x) => x.stats(gc))),
    network.casefiles.child.stats(gc),
    Promise.all(
      everyone.map((x) =>
        x
          .stats()
          .then((st) => st.cpuMicros)
          .catch(() => 0),
      ),
    ),
  ]);
  const own = process.cpuUsage();
  return { server: s, members: m, casefiles: c, machineBusy: machineBusyMicros(), own: own.user + own.system, all: all.reduce((a, b) => a + b, 0) };
}

interface Tally {
  cpuServer: number;
  cpuMembers: number;
  cpuCasefiles: number;
  cpuOwn: number;
  memberRequests: number;
  memberStatements: number;
  foreign: number;
  wall: number;
  after?: Snapshot;
}

function tallyOf(server: Server, s0: Snapshot, s1: Snapshot, wallMicros: number): Tally {
  const counter = (s: ProcessStats[], name: string) => sum(s, (x) => x.counters[`${name}.${server.memberSide}`] ?? 0);
  const mine = s1.all - s0.all + (s1.own - s0.own);
  return {
    cpuServer: s1.server.cpuMicros - s0.server.cpuMicros,
    cpuMembers: sum(s1.members, (x) => x.cpuMicros) - sum(s0.members, (x) => x.cpuMicros),
    cpuCasefiles: s1.casefiles.cpuMicros - s0.casefiles.cpuMicros,
    cpuOwn: s1.own - s0.own,
    memberRequests: counter(s1.members, 'requests') - counter(s0.members, 'requests'),
    memberStatements: counter(s1.members, 'statements') - counter(s0.members, 'statements'),
    foreign: Math.max(0, s1.machineBusy - s0.machineBusy - mine),
    wall: wallMicros,
    after: s1,
  };
}

function addTally(a: Tally | undefined, b: Tally): Tally {
  if (!a) return b;
  return {
    cpuServer: a.cpuServer + b.cpuServer,
    cpuMembers: a.cpuMembers + b.cpuMembers,
    cpuCasefiles: a.cpuCasefiles + b.cpuCasefiles,
    cpuOwn: a.cpuOwn + b.cpuOwn,
    memberRequests: a.memberRequests + b.memberRequests,
    memberStatements: a.memberStatements + b.memberStatements,
    foreign: a.foreign + b.foreign,
    wall: a.wall + b.wall,
    after: b.after,
  };
}

async function measureScenario(
  network: Network,
  n: number,
  scenario: Scenario,
  servers: Server[],
  plan: Plan,
  headers: Record<string, string>,
  profile: (role: 'gateway' | 'member' | 'monolith', name: string) => string | undefined,
): Promise<RunRecord[]> {
  const body = requestBody(scenario);
  const everyone = [...network.members.values()].map((m) => m.child).concat(network.casefiles.child, ...servers.map((s) => s.child));
  const state = new Map<
    Variant,
    {
      request: Request;
      expected: ExpectedRecord[];
      problems: string[];
      expectedText?: string;
      single: number;
      throughput: number;
      before: any;
      unloaded: LoadResult[];
      loaded: LoadResult[];
      tally?: Tally;
    }
  >();

  // Per variant: correctness before load, a timed request, and a warm-up sized from it.
  for (const server of servers) {
    const expected = network.expectations.records(scenario.name, server.states);
    const problems: string[] = [];
    const before = await post(server.url, body, headers);
    problems.push(...checkAnswer(scenario, expected, before.status, before.json).map((p) => `before load: ${p}`));
    const key = `${network.size}/${server.states.join(',')}/${scenario.name}`;
    const data = JSON.stringify(before.json?.data ?? null);
    const seen = answers.get(key);
    if (!seen) answers.set(key, { variant: server.variant, data });
    else if (seen.data !== data) problems.push(`answer data differs from variant ${seen.variant}'s for the same question`);
    const expectedText = problems.length === 0 ? before.text : undefined;
    const t = performance.now();
    await post(server.url, body, headers);
    const single = Math.max(0.2, performance.now() - t);
    const request: Request = { url: server.url, body, headers };
    const warm = await runLoad(request, {
      connections: plan.connections,
      amount: Math.round(Math.min(20_000, Math.max(2 * plan.connections, (plan.warmupSeconds * 1500) / single))),
      expected: expectedText,
    });
    state.set(server.variant, {
      request,
      expected,
      problems,
      expectedText,
      single,
      throughput: warm.throughput,
      before: before.json,
      unloaded: [],
      loaded: [],
    });
  }

  // One request at a time, then under load: halves in the order a b c d, then d c b a.
  const order = [...servers, ...[...servers].reverse()];
  for (const server of order) {
    const v = state.get(server.variant)!;
    const amount = Math.round(Math.min(5000, Math.max(3, (plan.latencySeconds * 1000) / v.single / 2)));
    v.unloaded.push(await runLoad(v.request, { connections: 1, amount, expected: v.expectedText }));
  }
  const profiled = new Map<Child, string>();
  for (const server of servers) {
    const name = `${network.size}-${n}-${server.variant}-${scenario.name}`;
    const file = profile(server.variant === 'd' ? 'monolith' : 'gateway', `${server.variant === 'd' ? 'monolith' : 'gateway'}-${name}`);
    if (file) profiled.set(server.child, file);
  }
  const firstMember = servers.find((s) => s.members.length)?.members[0];
  const memberFile = firstMember ? profile('member', `member-${network.size}-${n}-${scenario.name}`) : undefined;
  if (firstMember && memberFile) profiled.set(firstMember, memberFile);
  await Promise.all([...profiled.keys()].map((c) => c.ask({ type: 'profileStart' })));
  for (const server of order) {
    const v = state.get(server.variant)!;
    const amount = Math.round(Math.min(100_000, Math.max(2 * plan.connections, (v.throughput * plan.loadSeconds) / 2)));
    await sleep(100);
    const s0 = await snapshot(server, network, everyone, true);
    const t = performance.now();
    v.loaded.push(await runLoad(v.request, { connections: plan.connections, amount, expected: v.expectedText }));
    const wall = (performance.now() - t) * 1000;
    v.tally = addTally(v.tally, tallyOf(server, s0, await snapshot(server, network, everyone), wall));
  }
  await Promise.all([...profiled].map(([c, file]) => c.ask({ type: 'profileStop', file })));

  const records: RunRecord[] = [];
  for (const server of servers) {
    const v = state.get(server.variant)!;
    const after = await post(server.url, body, headers);
    v.problems.push(...checkAnswer(scenario, v.expected, after.status, after.json).map((p) => `after load: ${p}`));
    const unloaded = summarise(v.unloaded);
    const loaded = summarise(v.loaded);
    for (const [name, r] of [
      ['unloaded', unloaded],
      ['loaded', loaded],
    ] as const) {
      if (r.mismatches || r.non2xx || r.errors)
        v.problems.push(`${name}: ${r.mismatches} answer(s) differing from the checked one, ${r.non2xx} non-2xx, ${r.errors} errors`);
    }
    const tally = v.tally!;
    const queries = loaded.sent || 1;
    const ms = (micros: number) => micros / 1000 / queries;
    const contributing = statesIn(scenario, v.before);
    const cpuServer = ms(tally.cpuServer);
    const cpuMembers = server.variant === 'd' ? 0 : ms(tally.cpuMembers);
    const cpuCasefiles = server.variant === 'd' ? 0 : ms(tally.cpuCasefiles);
    delete unloaded.times;
    delete loaded.times;
    const record: RunRecord = {
      size: network.size,
      states: n,
      variant: server.variant,
      scenario: scenario.name,
      records: scenario.records(v.before?.data)?.length ?? 0,
      contributingStates: contributing,
      unloaded,
      loaded,
      cpu: { server: cpuServer, members: cpuMembers, casefiles: cpuCasefiles, total: cpuServer + cpuMembers + cpuCasefiles, loadGenerator: ms(tally.cpuOwn) },
      memberRequests: tally.memberRequests / queries,
      memberStatements: tally.memberStatements / queries,
      // One plan step per query; a root field reaches every state asked, `_entities` only the owners.
      expectedMemberRequests: server.variant === 'd' ? 0 : scenario.name === 'casefile' ? contributing : server.states.length,
      rss: { server: tally.after!.server.rss / MB, serverPeak: tally.after!.server.maxRss / MB, members: sum(tally.after!.members, (x) => x.rss) / MB },
      otherLoad: tally.foreign / tally.wall / availableParallelism(),
      problems: v.problems,
    };
    records.push(record);
    log(
      `  ${network.size} persons, ${n} state${n > 1 ? 's' : ''}, ${server.variant} ${VARIANTS[server.variant]}, ${scenario.name}: ${loaded.throughput.toFixed(1)} q/s, ` +
        `p50 ${loaded.p50.toFixed(1)} ms (1 conn ${unloaded.p50.toFixed(1)} ms), server CPU ${cpuServer.toFixed(2)} ms/q, members ${cpuMembers.toFixed(2)} ms/q, ` +
        `${record.memberRequests.toFixed(2)} member req/q, ${record.records} records from ${contributing} states, other load ${(100 * record.otherLoad).toFixed(0)}%` +
        `${v.problems.length ? ` — PROBLEMS: ${v.problems.join(' | ')}` : ' ✓'}`,
    );
  }
  return records;
}
