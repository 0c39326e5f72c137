import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { ConfigError } from '../common/config-error.ts';
import { auditKeyName } from '../common/audit-log.ts';
import { devIssuer, devKeyName, issueDevToken } from '../common/dev-identity.ts';
import { ensureKeyPair } from '../common/dev-keys.ts';
import type { MemberState } from '../common/member-states.ts';
import { ensureDevCertificates } from '../common/tls.ts';
import { PURPOSE_HEADER } from '../gateway/authenticate.ts';
import { composeFile } from '../gateway/compose.ts';
import { NETWORK_KEY_FILE, ensureNetworkKeyring } from '../subgraphs/member/match-keys.ts';
import { gatewayCliArgs, startCli, type RunningCli } from '../test/support/network.ts';
import { ensureStateData, stateFile } from './data.ts';
import { runLoad, summarise, type LoadResult, type Request } from './load.ts';
import { BENCH_PERSONA, BENCH_PURPOSE, benchPolicy } from './policy.ts';
import { log, machine, machineBusyMicros, post, type BenchResult } from './run.ts';
import { buildSwitch, inNs, namespacesUnavailable, tearDownSwitch } from '../test/support/netns.ts';
import { Expectations, SCENARIOS, checkAnswer, networkOf, requestBody, type ExpectedRecord, type Scenario } from './scenarios.ts';

/**
 * `npm run bench -- --hosts`: 27 states against 5 with every state on a host of its own. Linux
 * network namespaces joined by veth links to one switch (a bridge in a namespace of its own), as
 * in test/network/namespaces.test.ts: 27 member hosts, each running one real `hague member` over
 * its copy of the bench's 1k-person state file with mutual TLS, and two gateway hosts, each running
 * one real `hague gateway` (one with the 5 demo states in its members.yaml, one with all 27, both
 * pointing at the same member hosts). The bench process is the analyst's machine, in the root
 * namespace on the same switch. Search and dossier are measured one request at a time and under
 * 8 connections, the two network sizes alternated (5 27 27 5, ...); every answer is checked; CPU
 * comes from /proc/<pid>/stat of each process (gateway, the members summed).
 *
 * Namespaces separate the network stacks, not the CPUs: every host still runs on this machine's
 * CPUs. Needs root and `ip netns`; elsewhere it says why and does nothing.
 */

const SIZE = 1000;
const SMALL = 5;
const LARGE = 27;
const MEMBER_PORT = 4101;
const GATEWAY_PORT = 4000;
const CONNECTIONS = 8;
const STATES = networkOf(LARGE);

export interface HostsOptions {
  dataDir: string;
  json: string;
  command: string;
  quick: boolean;
  /** netem delay (ms) on both ends of every member's link; 0: none. */
  linkDelayMs: number;
}

interface Cpu {
  /** CPU ms per query of the network's gateway. */
  gateway: number;
  /** CPU ms per query of the member processes, summed (the 22 states outside the 5-state network idle in its runs). */
  members: number;
  /** CPU ms per query of the busiest member state of the network. */
  busiestMember: { state: MemberState; ms: number };
  /** CPU ms per query of each member state (JSON only). */
  perMember: Partial<Record<MemberState, number>>;
  /** CPU ms per query of the bench process (the client: autocannon, checks). */
  client: number;
  /** CPU of the machine outside the bench's processes, as a share of all CPUs (noise). */
  otherLoad: number;
  /** All the bench's processes' CPU per wall second (2 = both CPUs of a 2-CPU machine busy). */
  busyCpus: number;
}

export interface HostsRow {
  scenario: Scenario['name'];
  states: number;
  records: number;
  unloaded: LoadResult;
  loaded: LoadResult;
  cpu: { unloaded: Cpu; loaded: Cpu };
  /**
   * The latency floor if every host had a CPU of its own, from the one-at-a-time runs: gateway CPU/q
   * plus one state's share of the members' CPU/q (members ÷ states, as bench/README.md's model), or
   * plus the busiest state's CPU/q (the states work in parallel: the slowest one is waited for).
   */
  model: { mean: number; busiest: number; throughput: number };
  problems: string[];
}

export interface HostsResult {
  startedAt: string;
  command: string;
  machine: BenchResult['machine'];
  topology: { subnet: string; switch: string; members: Record<string, string>; gateways: Record<string, string>; client: string; linkDelayMs: number };
  plan: { rounds: number; requestsPerSize: number; loadSecondsPerSize: number; connections: number; warmupSeconds: number };
  setupSeconds: number;
  /** After the runs, over the 27 member hosts: connections kept alive, and closed ones in TIME-WAIT (a member closing connections would show here). */
  memberSockets?: { established: number; timeWait: number };
  rows: HostsRow[];
  ratios: Array<{
    scenario: string;
    p50: number;
    p90: number;
    throughput: number;
    loadedP50: number;
    gatewayCpu: number;
    membersCpu: number;
    model: number;
    modelBusiest: number;
    modelThroughput: number;
  }>;
  seconds: number;
}

/** Why `tc qdisc ... netem` (for --link-delay) cannot be used here, or undefined when it can. */
export function netemUnavailable(): string | undefined {
  const probe = `hgbprobe${randomBytes(3).toString('hex')}`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe' });
    execFileSync('tc', ['-n', probe, 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    const e = error as { code?: string; stderr?: Buffer; message: string };
    if (e.code === 'ENOENT') return 'the tc command (iproute2) is missing';
    return `tc qdisc netem failed: ${String(e.stderr ?? e.message).trim()} (the kernel needs CONFIG_NET_SCH_NETEM, the sch_netem module)`;
  } finally {
    try {
      execFileSync('ip', ['netns', 'del', probe], { stdio: 'pipe' });
    } catch {
      /* never created */
    }
  }
}

/** The hosts: their namespaces, addresses and the veth pairs joining them to the switch. */
function topology() {
  const id = randomBytes(2).toString('hex');
  const routes = execFileSync('ip', ['route'], { encoding: 'utf8' });
  let third = 0;
  for (let i = 0; i < 50 && (third === 0 || routes.includes(`10.214.${third}.`)); i++) third = 1 + (randomBytes(1)[0] % 254);
  const subnet = `10.214.${third}`;
  const host = (name: string, ip: string, i: number) => ({ name, ip, ns: `hgb${id}-${name}`, inner: `hgb${id}h${i}a`, outer: `hgb${id}h${i}b` });
  const members = new Map(STATES.map((state, i) => [state, host(state.toLowerCase(), `${subnet}.${11 + i}`, i)]));
  const gateways = { [SMALL]: host('gw5', `${subnet}.41`, 40), [LARGE]: host('gw27', `${subnet}.42`, 41) } as Record<number, ReturnType<typeof host>>;
  return {
    id,
    subnet: `${subnet}.0/24`,
    switch: `hgb${id}-sw`,
    members,
    gateways,
    hosts: [...members.values(), ...Object.values(gateways)],
    client: { ip: `${subnet}.1`, inner: `hgb${id}ca`, outer: `hgb${id}cb` },
  };
}
type Topology = ReturnType<typeof topology>;

function buildTopology(t: Topology, linkDelayMs: number): void {
  buildSwitch(t);
  if (linkDelayMs > 0) {
    // Both ends of each member's link: what the member sends, and what the switch sends it.
    for (const h of t.members.values()) {
      execFileSync('tc', ['-n', h.ns, 'qdisc', 'add', 'dev', 'eth0', 'root', 'netem', 'delay', `${linkDelayMs}ms`], { stdio: 'pipe' });
      execFileSync('tc', ['-n', t.switch, 'qdisc', 'add', 'dev', h.outer, 'root', 'netem', 'delay', `${linkDelayMs}ms`], { stdio: 'pipe' });
    }
  }
}

const TICK_MS = (() => {
  try {
    return 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  } catch {
    return 10;
  }
})();

/**
 * CPU ms of a process and its descendants (`ip netns exec` execs node itself, but a wrapper would be
 * counted too): the run time of every thread from /proc/<pid>/task/<tid>/schedstat (nanoseconds),
 * or utime + stime from /proc/<pid>/stat (clock ticks) where schedstat is missing.
 */
export function treeCpuMs(pid: number | undefined): number {
  if (!pid) return 0;
  let ms = 0;
  const stack = [pid];
  for (let p = stack.pop(); p !== undefined; p = stack.pop()) {
    try {
      const tasks = readdirSync(`/proc/${p}/task`);
      try {
        ms += tasks.reduce((a, task) => a + Number(readFileSync(`/proc/${p}/task/${task}/schedstat`, 'utf8').split(' ')[0]) / 1e6, 0);
      } catch {
        const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        ms += (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime, stime (fields 14 and 15)
      }
      for (const task of tasks) {
        const children = readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').trim();
        if (children) stack.push(...children.split(' ').map(Number));
      }
    } catch {
      /* exited */
    }
  }
  return ms;
}

interface Running {
  gateways: Record<number, RunningCli>;
  members: Map<MemberState, RunningCli>;
}

interface Snapshot {
  gateway: number;
  /** Per state, in STATES order. */
  members: number[];
  client: number;
  busy: number;
  at: number;
}

function snapshot(running: Running, states: number): Snapshot {
  const own = process.cpuUsage();
  return {
    gateway: treeCpuMs(running.gateways[states].child.pid),
    members: STATES.map((state) => treeCpuMs(running.members.get(state)!.child.pid)),
    client: (own.user + own.system) / 1000,
    busy: machineBusyMicros() / 1000,
    at: performance.now(),
  };
}

/** CPU ms and wall time of the runs of one kind (one connection, or loaded), added up. */
interface Tally {
  queries: number;
  gateway: number;
  members: number[];
  client: number;
  busy: number;
  wall: number;
}

function addTally(tally: Tally | undefined, s0: Snapshot, s1: Snapshot, queries: number): Tally {
  const t = tally ?? { queries: 0, gateway: 0, members: STATES.map(() => 0), client: 0, busy: 0, wall: 0 };
  return {
    queries: t.queries + queries,
    gateway: t.gateway + s1.gateway - s0.gateway,
    members: t.members.map((ms, i) => ms + s1.members[i] - s0.members[i]),
    client: t.client + s1.client - s0.client,
    busy: t.busy + s1.busy - s0.busy,
    wall: t.wall + s1.at - s0.at,
  };
}

function cpuOf(t: Tally, states: number): Cpu {
  const q = Math.max(1, t.queries);
  const members = t.members.reduce((a, b) => a + b, 0);
  const ours = t.gateway + members + t.client;
  const busiest = t.members.slice(0, states).reduce((best, ms, i) => (ms > t.members[best] ? i : best), 0);
  return {
    gateway: t.gateway / q,
    members: members / q,
    busiestMember: { state: STATES[busiest], ms: t.members[busiest] / q },
    perMember: Object.fromEntries(STATES.map((state, i) => [state, Math.round((1000 * t.members[i]) / q) / 1000])),
    client: t.client / q,
    otherLoad: Math.max(0, t.busy - ours) / t.wall / availableParallelism(),
    busyCpus: ours / t.wall,
  };
}

/** TCP connections on the member port of each member host: established (kept alive) and in TIME-WAIT (closed). */
function memberSockets(t: Topology): { established: number; timeWait: number } {
  const count = (ns: string, state: string) => {
    try {
      const out = execFileSync('ip', ['netns', 'exec', ns, 'ss', '-Htn', 'state', state, 'sport', '=', `:${MEMBER_PORT}`], { encoding: 'utf8' });
      return out.split('\n').filter((l) => l.trim()).length;
    } catch {
      return NaN;
    }
  };
  const hosts = [...t.members.values()];
  return {
    established: hosts.reduce((a, h) => a + count(h.ns, 'established'), 0),
    timeWait: hosts.reduce((a, h) => a + count(h.ns, 'time-wait'), 0),
  };
}

/** Starts `start` for each item, `concurrency` at a time. */
async function pool<T>(items: T[], concurrency: number, start: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await start(item);
    }),
  );
}

export async function runHostsBench(options: HostsOptions): Promise<HostsResult | undefined> {
  const unavailable = namespacesUnavailable();
  if (unavailable) {
    log(
      `bench --hosts: SKIPPED, ${unavailable}. It builds ${LARGE + 2} network namespaces (ip netns) and runs one process in each; run it as root on Linux with iproute2.`,
    );
    return undefined;
  }
  if (options.linkDelayMs > 0) {
    const noNetem = netemUnavailable();
    if (noNetem) throw new ConfigError(`--link-delay: ${noNetem}; run without --link-delay, or on a kernel with netem`);
  }
  const started = performance.now();
  const plan = options.quick
    ? { rounds: 1, requestsPerSize: 60, loadSecondsPerSize: 4, connections: CONNECTIONS, warmupSeconds: 1 }
    : { rounds: 2, requestsPerSize: 200, loadSecondsPerSize: 8, connections: CONNECTIONS, warmupSeconds: 3 };
  const t = topology();
  const folder = mkdtempSync(join(tmpdir(), 'hague-bench-hosts-'));
  const keysDir = join(folder, 'keys');
  const running: Running = { gateways: {}, members: new Map() };
  const processes: RunningCli[] = [];
  let teardown: Promise<void> | undefined;
  let finished = false;
  let interrupted: NodeJS.Signals | undefined;
  const stopProcesses = async () => {
    await Promise.all(
      processes.map(async (p) => {
        const timer = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
        await p.stop('SIGTERM');
        clearTimeout(timer);
      }),
    );
  };
  // One teardown, whoever asks first (the end of the run, an error, a signal); the others wait for it.
  const tearDown = () =>
    (teardown ??= (async () => {
      const t0 = performance.now();
      await stopProcesses();
      tearDownSwitch(t);
      rmSync(folder, { recursive: true, force: true });
      finished = true;
      log(
        `hosts: torn down (${processes.length} processes stopped, ${t.hosts.length + 1} namespaces and ${folder} removed) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
    })());
  // Whatever ends the bench (an error, Ctrl-C, an exit elsewhere) takes its hosts with it.
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) {
      log(`hosts: ${signal} again, still tearing down (a few seconds)`);
      return;
    }
    interrupted = signal;
    log(`hosts: ${signal}, tearing down`);
    void tearDown().finally(() => process.exit(130));
  };
  const onExit = () => {
    if (finished) return;
    for (const p of processes) p.child.kill('SIGKILL');
    tearDownSwitch(t);
    rmSync(folder, { recursive: true, force: true });
  };
  /** Starts no more processes once interrupted. */
  const spawnCli = (...args: Parameters<typeof startCli>) => {
    if (interrupted) throw new Error(`bench --hosts: interrupted (${interrupted})`);
    const p = startCli(...args);
    processes.push(p);
    return p;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.once('exit', onExit);

  const result: HostsResult = {
    startedAt: new Date().toISOString(),
    command: options.command,
    machine: machine(),
    topology: {
      subnet: t.subnet,
      switch: t.switch,
      members: Object.fromEntries([...t.members].map(([s, h]) => [s, `${h.ns} ${h.ip}`])),
      gateways: Object.fromEntries(Object.entries(t.gateways).map(([n, h]) => [`${n} states`, `${h.ns} ${h.ip}:${GATEWAY_PORT}`])),
      client: `${t.client.ip} (root namespace)`,
      linkDelayMs: options.linkDelayMs,
    },
    plan,
    setupSeconds: 0,
    rows: [],
    ratios: [],
    seconds: 0,
  };
  try {
    log(
      `${options.command}: ${LARGE} member hosts + 2 gateway hosts (${SMALL} and ${LARGE} states) in network namespaces on switch ${t.switch} (${t.subnet}), ` +
        `the bench at ${t.client.ip}; ${SIZE} persons per state; ${availableParallelism()} CPUs shared by every host; files in ${folder}` +
        (options.linkDelayMs ? `; netem delay ${options.linkDelayMs} ms on both ends of every member link` : ''),
    );
    let t0 = performance.now();
    await ensureStateData(resolve(options.dataDir), SIZE, STATES, 2, log);
    // Each member works on its own copy: `hague member` computes match keys into its file at start.
    mkdirSync(join(folder, 'data'));
    const fileOf = (state: MemberState) => join(folder, 'data', `${state}.db`);
    for (const state of STATES) {
      const source = stateFile(resolve(options.dataDir), SIZE, state);
      copyFileSync(source, fileOf(state));
      if (existsSync(`${source}-wal`)) copyFileSync(`${source}-wal`, `${fileOf(state)}-wal`);
    }
    const expectations = await Expectations.load(fileOf);
    log(
      `data: ${STATES.length} state files copied to ${join(folder, 'data')}, expected answers read from them (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );

    t0 = performance.now();
    await ensureKeyPair(keysDir, 'gateway');
    await ensureKeyPair(keysDir, devKeyName(BENCH_PERSONA.state));
    for (const state of STATES) await ensureKeyPair(keysDir, auditKeyName(state));
    const certs = await ensureDevCertificates(
      keysDir,
      STATES,
      [...t.members.values()].map((h) => h.ip),
    );
    // One network key for all: a member that finds none creates its own, and 27 would race.
    ensureNetworkKeyring(join(keysDir, NETWORK_KEY_FILE));
    const policies = join(folder, 'policies');
    mkdirSync(policies);
    for (const state of STATES) {
      const { source: _source, ...policy } = benchPolicy(state);
      writeFileSync(join(policies, `${state}.yaml`), stringify(policy));
    }
    const supergraph = join(folder, 'supergraph.graphql');
    writeFileSync(supergraph, composeFile('rover.yaml').supergraphSdl);
    const membersYaml = (n: number) => {
      const file = join(folder, `members-${n}.yaml`);
      writeFileSync(
        file,
        stringify({
          gateway: { rateLimit: false, tls: { cert: certs.gateway.certFile, key: certs.gateway.keyFile } },
          members: networkOf(n).map((state) => ({
            code: state,
            url: `https://${t.members.get(state)!.ip}:${MEMBER_PORT}/graphql`,
            timeoutMs: 30_000,
            tls: { ca: certs.caFile },
            ...(state === BENCH_PERSONA.state ? { issuer: devIssuer(state), publicKeys: [{ file: join(keysDir, `${devKeyName(state)}.jwk`) }] } : {}),
          })),
        }),
      );
      return file;
    };
    log(
      `keys: gateway and audit keys, network CA and ${STATES.length} member certificates in ${keysDir}; bench policies in ${policies} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );

    t0 = performance.now();
    buildTopology(t, options.linkDelayMs);
    log(`hosts: ${t.hosts.length + 1} namespaces and ${t.hosts.length + 1} veth links up in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    t0 = performance.now();
    const env = { NODE_ENV: 'production', APOLLO_TELEMETRY_DISABLED: '1' };
    await pool(STATES, Math.max(2, availableParallelism()), async (state) => {
      const host = t.members.get(state)!;
      const member = spawnCli(
        [
          'member',
          ...['--state', state, '--host', host.ip, '--port', String(MEMBER_PORT), '--database', fileOf(state)],
          ...['--gateway-key', join(keysDir, 'gateway.jwk'), '--keys-dir', keysDir, '--policies', policies, '--log-level', 'warn'],
          ...['--tls-cert', certs.members[state].certFile, '--tls-key', certs.members[state].keyFile, '--tls-client-ca', certs.caFile],
          ...['--audit', join(folder, `${state}.audit.db`)],
        ],
        env,
        inNs(host.ns),
      );
      running.members.set(state, member);
      await member.waitFor(/Ctrl-C to stop/, 180_000);
    });
    log(`members: ${STATES.length} \`hague member\` processes up, one per host, in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    t0 = performance.now();
    for (const n of [SMALL, LARGE]) {
      const host = t.gateways[n];
      const gateway = spawnCli(
        gatewayCliArgs(
          { supergraph, members: membersYaml(n), port: GATEWAY_PORT, keysDir, audit: join(folder, `gateway-${n}.audit.db`) },
          ...['--host', host.ip, '--accept-dev-keys', '--log-level', 'warn'],
        ),
        env,
        inNs(host.ns),
      );
      running.gateways[n] = gateway;
    }
    await Promise.all(Object.values(running.gateways).map((g) => g.waitFor(/Ctrl-C to stop/, 180_000)));
    log(`gateways: ${SMALL}-state and ${LARGE}-state \`hague gateway\` up in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    result.setupSeconds = (performance.now() - started) / 1000;

    const token = await issueDevToken({ ...BENCH_PERSONA, roles: [...BENCH_PERSONA.roles], scopes: [...BENCH_PERSONA.scopes], keysDir, ttlSeconds: 6 * 3600 });
    const headers = { authorization: `Bearer ${token}`, [PURPOSE_HEADER]: BENCH_PURPOSE };
    const urlOf = (n: number) => `http://${t.gateways[n].ip}:${GATEWAY_PORT}/graphql`;

    for (const scenario of [SCENARIOS.search, SCENARIOS.dossier]) {
      const body = requestBody(scenario);
      const per = new Map<
        number,
        {
          request: Request;
          expected: ExpectedRecord[];
          expectedText?: string;
          records: number;
          problems: string[];
          single: number;
          throughput: number;
          unloaded: LoadResult[];
          loaded: LoadResult[];
          tally: { unloaded?: Tally; loaded?: Tally };
        }
      >();
      for (const n of [SMALL, LARGE]) {
        const expected = expectations.records(scenario.name, networkOf(n));
        const before = await post(urlOf(n), body, headers);
        const problems = checkAnswer(scenario, expected, before.status, before.json).map((p) => `before load: ${p}`);
        const expectedText = problems.length ? undefined : before.text;
        const request: Request = { url: urlOf(n), body, headers };
        const t1 = performance.now();
        await post(urlOf(n), body, headers);
        const single = Math.max(0.5, performance.now() - t1);
        // Warm-up: the 27-state gateway's is every member's (both gateways ask the same hosts).
        await runLoad(request, { connections: 1, amount: Math.max(5, Math.round((plan.warmupSeconds * 500) / single)), expected: expectedText });
        const warm = await runLoad(request, {
          connections: plan.connections,
          amount: Math.round(Math.max(2 * plan.connections, (plan.warmupSeconds * 500 * plan.connections) / single)),
          expected: expectedText,
        });
        per.set(n, {
          request,
          expected,
          expectedText,
          records: scenario.records(before.json?.data)?.length ?? 0,
          problems,
          single,
          throughput: warm.throughput,
          unloaded: [],
          loaded: [],
          tally: {},
        });
        log(
          `  ${scenario.name}, ${n} states: ${problems.length ? `PROBLEMS: ${problems.join(' | ')}` : `answer checked (${per.get(n)!.records} records)`}, warm-up ${warm.throughput.toFixed(0)} q/s`,
        );
      }
      // 5 27 27 5, per round: drift (JIT, other load) weighs on both sizes alike.
      const order = Array.from({ length: plan.rounds }, () => [SMALL, LARGE, LARGE, SMALL]).flat();
      const blocks = order.length / 2;
      for (const n of order) {
        const v = per.get(n)!;
        let s0 = snapshot(running, n);
        const one = await runLoad(v.request, { connections: 1, amount: Math.max(3, Math.round(plan.requestsPerSize / blocks)), expected: v.expectedText });
        let s1 = snapshot(running, n);
        v.tally.unloaded = addTally(v.tally.unloaded, s0, s1, one.sent);
        v.unloaded.push(one);
        s0 = snapshot(running, n);
        const loaded = await runLoad(v.request, {
          connections: plan.connections,
          amount: Math.round(Math.max(2 * plan.connections, (v.throughput * plan.loadSecondsPerSize) / blocks)),
          expected: v.expectedText,
        });
        s1 = snapshot(running, n);
        v.tally.loaded = addTally(v.tally.loaded, s0, s1, loaded.sent);
        const sofar = cpuOf(v.tally.loaded, n);
        v.loaded.push(loaded);
        log(
          `  ${scenario.name}, ${n} states: 1 conn p50 ${one.p50.toFixed(1)} ms; ${plan.connections} conn ${loaded.throughput.toFixed(0)} q/s p50 ${loaded.p50.toFixed(1)} ms; ` +
            `CPU/q gateway ${sofar.gateway.toFixed(2)} ms, members ${sofar.members.toFixed(2)} ms (so far, loaded)`,
        );
      }
      for (const n of [SMALL, LARGE]) {
        const v = per.get(n)!;
        const after = await post(urlOf(n), body, headers);
        v.problems.push(...checkAnswer(scenario, v.expected, after.status, after.json).map((p) => `after load: ${p}`));
        const unloaded = summarise(v.unloaded);
        const loaded = summarise(v.loaded);
        for (const [name, r] of [
          ['1 connection', unloaded],
          [`${plan.connections} connections`, loaded],
        ] as const)
          if (r.mismatches || r.non2xx || r.errors)
            v.problems.push(`${name}: ${r.mismatches} answer(s) differing from the checked one, ${r.non2xx} non-2xx, ${r.errors} errors`);
        delete unloaded.times;
        delete loaded.times;
        const cpu = { unloaded: cpuOf(v.tally.unloaded!, n), loaded: cpuOf(v.tally.loaded!, n) };
        result.rows.push({
          scenario: scenario.name,
          states: n,
          records: v.records,
          unloaded,
          loaded,
          cpu,
          model: {
            mean: cpu.unloaded.gateway + cpu.unloaded.members / n,
            busiest: cpu.unloaded.gateway + cpu.unloaded.busiestMember.ms,
            // Under load each host's CPU is its own limit: the busiest of the gateway and the members caps the rate.
            throughput: 1000 / Math.max(cpu.loaded.gateway, cpu.loaded.busiestMember.ms),
          },
          problems: v.problems,
        });
      }
      const [small, large] = [SMALL, LARGE].map((n) => result.rows.find((r) => r.scenario === scenario.name && r.states === n)!);
      result.ratios.push({
        scenario: scenario.name,
        p50: large.unloaded.p50 / small.unloaded.p50,
        p90: large.unloaded.p90 / small.unloaded.p90,
        throughput: large.loaded.throughput / small.loaded.throughput,
        loadedP50: large.loaded.p50 / small.loaded.p50,
        gatewayCpu: large.cpu.unloaded.gateway / small.cpu.unloaded.gateway,
        membersCpu: large.cpu.unloaded.members / small.cpu.unloaded.members,
        model: large.model.mean / small.model.mean,
        modelBusiest: large.model.busiest / small.model.busiest,
        modelThroughput: large.model.throughput / small.model.throughput,
      });
    }
    result.memberSockets = memberSockets(t);
    log(`member hosts: ${result.memberSockets.established} connections established on port ${MEMBER_PORT}, ${result.memberSockets.timeWait} in TIME-WAIT`);
  } finally {
    await tearDown();
    if (interrupted) process.exit(130);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
  }
  result.seconds = (performance.now() - started) / 1000;
  mkdirSync(dirname(resolve(options.json)), { recursive: true });
  writeFileSync(options.json, `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

const f = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '–');

/** The markdown tables: per scenario and network size, then 27/5. */
export function hostsTable(result: HostsResult): string {
  const m = result.machine;
  const rows = result.rows.map(
    (r) =>
      `| ${r.scenario} | ${r.states} | ${r.records} | ${f(r.unloaded.p50)} | ${f(r.unloaded.p90)} | ${f(r.loaded.throughput)} | ${f(r.loaded.p50)} | ` +
      `${f(r.cpu.unloaded.gateway, 2)} / ${f(r.cpu.loaded.gateway, 2)} | ${f(r.cpu.unloaded.members, 2)} / ${f(r.cpu.loaded.members, 2)} | ` +
      `${r.cpu.unloaded.busiestMember.state} ${f(r.cpu.unloaded.busiestMember.ms, 2)} | ${f(r.model.mean, 2)} / ${f(r.model.busiest, 2)} | ${f(r.model.throughput, 0)} | ` +
      `${f(r.cpu.unloaded.busyCpus, 2)} | ${f(100 * r.cpu.loaded.otherLoad, 0)}% | ${r.problems.length ? r.problems.join('; ') : '✓'} |`,
  );
  return [
    `${result.command} — ${result.startedAt.slice(0, 16).replace('T', ' ')} UTC, commit ${m.commit}; ${m.nproc} CPUs (${m.cpu}), Node ${m.node}; ${f(result.seconds / 60)} min (setup ${f(result.setupSeconds, 0)} s)`,
    `${LARGE} member hosts and 2 gateway hosts (network namespaces on one bridge, ${result.topology.subnet}; mutual TLS gateway → members), the client in the root namespace` +
      `${result.topology.linkDelayMs ? `; netem ${result.topology.linkDelayMs} ms on both ends of every member link` : '; no added link delay'}. ` +
      `${SIZE} persons per state. ${result.plan.rounds} round(s) of 5 27 27 5; per size ${result.plan.requestsPerSize} requests one at a time, ~${result.plan.loadSecondsPerSize} s at ${result.plan.connections} connections.`,
    '',
    '| scenario | states | records | 1 conn p50 ms | 1 conn p90 ms | 8 conn q/s | 8 conn p50 ms | gateway CPU ms/q (1 / 8 conn) | members CPU ms/q (1 / 8 conn) | busiest member CPU ms/q | model ms/q (mean / busiest) | model q/s | CPUs busy (1 conn) | other load | checks |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    "model: the latency floor if every host had a CPU of its own, from the one-at-a-time runs: gateway CPU/q + the members' CPU/q ÷ states (mean), " +
      "or + the busiest state's CPU/q (busiest: the states work in parallel, the gateway waits for the slowest). " +
      "model q/s: 1000 ÷ the larger of the gateway's and the busiest state's CPU ms/q under load, the throughput if every host had a CPU of its own. " +
      "CPUs busy: CPU-seconds per second of the bench's processes (gateway, members, client) during the one-at-a-time runs.",
    '',
    '27 / 5 states:',
    '',
    '| scenario | p50 1 conn | p90 1 conn | throughput 8 conn | p50 8 conn | gateway CPU/q (1 conn) | members CPU/q (1 conn) | model (mean) | model (busiest) | model q/s |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...result.ratios.map(
      (q) =>
        `| ${q.scenario} | ${f(q.p50, 2)}× | ${f(q.p90, 2)}× | ${f(q.throughput, 2)}× | ${f(q.loadedP50, 2)}× | ${f(q.gatewayCpu, 2)}× | ${f(q.membersCpu, 2)}× | ${f(q.model, 2)}× | ${f(q.modelBusiest, 2)}× | ${f(q.modelThroughput, 2)}× |`,
    ),
    '',
    result.memberSockets
      ? `Member hosts after the runs: ${result.memberSockets.established} connections established on port ${MEMBER_PORT} (kept alive), ${result.memberSockets.timeWait} in TIME-WAIT.`
      : '',
    `Load average at the end: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}.`,
    '',
  ].join('\n');
}
