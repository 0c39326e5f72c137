import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { Pool } from 'undici';
import { ensureKeyPair } from '../common/dev-keys.ts';
import { devKeyName, issueDevToken } from '../common/dev-identity.ts';
import type { MemberState } from '../common/member-states.ts';
import { PURPOSE_HEADER } from '../gateway/authenticate.ts';
import { DEFAULT_CIRCUIT_BREAKER } from '../gateway/members-config.ts';
import { seedMember } from '../subgraphs/member/seed.ts';
import { searchPersons } from '../subgraphs/member/search.ts';
import { openStore } from '../subgraphs/member/store.ts';
import { findPostgresBinDir } from '../test/support/postgres.ts';
import { PrivatePostgres } from '../test/support/private-postgres.ts';
import { SERVER_FLAGS, startChild, startMemberChild, type Child } from './child.ts';
import { ensureStateData, stateFile } from './data.ts';
import { BENCH_PERSONA, BENCH_PURPOSE } from './policy.ts';
import { writeSection } from './report.ts';
import type { HostileOptions } from './hostile.ts';
import { log, machine, sleep, type BenchResult } from './run.ts';
import { SCENARIOS, networkOf, requestBody } from './scenarios.ts';

/**
 * `hague bench --faults`: what one state's failure costs the others, side by side in one run.
 * Five member states (1k persons each) and one gateway, each in its own process (the split
 * topology); FR's records live in a PostgreSQL cluster of the bench's own, the others in their
 * SQLite files. Between the gateway and FR sits a TCP relay in this process that can pass traffic
 * or play a fault. A closed loop of CONNECTIONS callers runs the joint search (all five states)
 * throughout; every fault row is compared with the baseline row measured just before it.
 *
 * Faults: FR's process killed (down) and stopped (SIGSTOP: hung); the relay answering HTTP 500,
 * garbage, a valid 50 MB answer, an endless answer, or trickling FR's real answer; FR's database
 * stopped (pg_ctl stop) and started again. Reported per row: answers per second and p50 / p99 as
 * ratios of the baseline, FR's MEMBER_UNAVAILABLE answers by reason, whether every answer held the
 * four healthy states' records, the gateway's peak RSS, and after repair, how long until FR's data
 * was back without anyone touching the member.
 */

/** As --hostile's: phaseSeconds is the length of each baseline or fault phase. */
export type FaultsOptions = HostileOptions;

const PERSONS = 1000;
const STATES: MemberState[] = networkOf(5);
const FAULTED: MemberState = 'FR';
const CONNECTIONS = 20;
const TIMEOUT_MS = 2000;
/** Samples of a fault phase's first moments (before the breaker can have opened) are reported apart. */
const SETTLE_MS = 3000;
const MB = 1024 * 1024;

// ------------------------------------------------------------------------------------------------
// The relay between the gateway and FR
// ------------------------------------------------------------------------------------------------

export type RelayFault = 'pass' | 'hang' | 'http500' | 'garbage' | 'huge' | 'endless' | 'trickle';

interface FaultRelay {
  url: string;
  fault: RelayFault;
  /** Plays `fault` from now on: open connections are closed, so the gateway's next ones meet it. */
  play(fault: RelayFault): void;
  target: { host: string; port: number };
  close(): Promise<void>;
}

const CHUNK = Buffer.from(`{"memberState":"FR","id":"FR-P-000000","matchScore":1},`.repeat(1200));

async function startFaultRelay(target: string): Promise<FaultRelay> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  const relay: FaultRelay = {
    url: '',
    fault: 'pass',
    play: (fault) => {
      relay.fault = fault;
      for (const s of sockets) s.destroy();
    },
    target: { host: upstream.hostname, port: Number(upstream.port) },
    close: async () => {},
  };
  const canned = (status: string, body: string) =>
    `HTTP/1.1 ${status}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    const fault = relay.fault;
    if (fault === 'hang') {
      client.resume();
      return;
    }
    if (fault === 'http500' || fault === 'garbage') {
      client.once('data', () => {
        client.end(fault === 'http500' ? canned('500 Internal Server Error', '{"error":"boom"}') : canned('200 OK', '<html>not a GraphQL answer</html>'));
      });
      return;
    }
    if (fault === 'huge' || fault === 'endless') {
      client.once('data', () => {
        client.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n');
        const chunked = (data: Buffer | string) => `${Buffer.byteLength(data).toString(16)}\r\n${data.toString()}\r\n`;
        client.write(chunked('{"data":{"persons":['));
        let sent = 0;
        const pour = () => {
          while (!client.destroyed) {
            if (fault === 'huge' && sent >= 50 * MB) {
              client.end(`${chunked('{"memberState":"FR","id":"FR-P-000000","matchScore":1}]}}')}0\r\n\r\n`);
              return;
            }
            sent += CHUNK.length;
            if (!client.write(chunked(CHUNK))) {
              client.once('drain', pour);
              return;
            }
          }
        };
        pour();
      });
      client.resume();
      return;
    }
    const peer = connect(relay.target.port, relay.target.host);
    sockets.add(peer);
    peer.on('close', () => {
      sockets.delete(peer);
      client.destroy();
    });
    peer.on('error', () => client.destroy());
    client.on('close', () => peer.destroy());
    client.pipe(peer);
    if (fault === 'pass') {
      peer.pipe(client);
      return;
    }
    // trickle: FR's real answer, 8 bytes every 250 ms (its status line alone takes a second)
    let queue = Buffer.alloc(0);
    const timer = setInterval(() => {
      if (client.destroyed) return clearInterval(timer);
      if (queue.length === 0) return;
      client.write(queue.subarray(0, 8));
      queue = queue.subarray(8);
    }, 250);
    client.on('close', () => clearInterval(timer));
    peer.on('data', (chunk: Buffer) => {
      queue = Buffer.concat([queue, chunk]);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  relay.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${upstream.pathname}`;
  relay.close = () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  return relay;
}

// ------------------------------------------------------------------------------------------------
// Results
// ------------------------------------------------------------------------------------------------

export interface PhaseStats {
  answers: number;
  rate: number;
  p50: number;
  p99: number;
  /** Answers whose errors name FR as MEMBER_UNAVAILABLE, by reason. */
  unavailable: Record<string, number>;
  /** Answers that lacked a healthy state's records (or had other errors), and answers that were not HTTP 200. */
  healthyMissing: number;
  /** Error codes other than FR's MEMBER_UNAVAILABLE (code/state/reason), and HTTP statuses other than 200. */
  otherErrors: Record<string, number>;
  notOk: number;
  /** Answers in which FR answered (its records, and no error naming it). */
  withFaulted: number;
}

export interface FaultRow {
  id: string;
  title: string;
  baseline: PhaseStats;
  /** The whole fault phase. */
  fault: PhaseStats;
  /** The fault phase after its first SETTLE_MS (the breaker has had time to open). */
  settled: PhaseStats;
  gatewayPeakRssMb: { baseline: number; fault: number };
  /** ms from the repair to the first answer holding FR's records again, null: not within a minute. */
  recoveryMs: number | null;
  note?: string;
}

export interface FaultsResult {
  startedAt: string;
  command: string;
  machine: BenchResult['machine'];
  seconds: number;
  setup: {
    persons: number;
    states: MemberState[];
    faulted: MemberState;
    faultedDatabase: string;
    connections: number;
    memberTimeoutMs: number;
    circuitBreaker: typeof DEFAULT_CIRCUIT_BREAKER;
    query: string;
    settleMs: number;
  } | null;
  rows: FaultRow[];
}

interface Sample {
  end: number;
  ms: number;
  status: number;
  reasons: string[];
  others: string[];
  healthyComplete: boolean;
  withFaulted: boolean;
}

function statsOf(samples: Sample[], seconds: number): PhaseStats {
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);
  const unavailable: Record<string, number> = {};
  const otherErrors: Record<string, number> = {};
  for (const s of samples) {
    for (const r of s.reasons) unavailable[r] = (unavailable[r] ?? 0) + 1;
    for (const o of s.others) otherErrors[o] = (otherErrors[o] ?? 0) + 1;
  }
  return {
    answers: samples.length,
    rate: samples.length / seconds,
    p50: at(0.5),
    p99: at(0.99),
    unavailable,
    healthyMissing: samples.filter((s) => !s.healthyComplete).length,
    otherErrors,
    notOk: samples.filter((s) => s.status !== 200).length,
    withFaulted: samples.filter((s) => s.withFaulted).length,
  };
}

// ------------------------------------------------------------------------------------------------
// The run
// ------------------------------------------------------------------------------------------------

export async function runFaults(options: FaultsOptions): Promise<FaultsResult> {
  const started = performance.now();
  const found = findPostgresBinDir();
  if ('reason' in found) throw new Error(`--faults needs the PostgreSQL server binaries for FR's database (${found.reason})`);
  const dataDir = resolve(options.dataDir);
  const keysDir = join(dataDir, 'keys');
  const seconds = options.phaseSeconds;
  log(
    `hague bench --faults: ${STATES.length} states × ${PERSONS} persons (${FAULTED} on PostgreSQL behind a fault relay), ${CONNECTIONS} connections, ${seconds} s per phase; ${availableParallelism()} CPUs, Node ${process.version}`,
  );

  const gatewayKey = await ensureKeyPair(keysDir, 'gateway');
  for (const state of STATES) await ensureKeyPair(keysDir, devKeyName(state));
  await ensureStateData(dataDir, PERSONS, STATES, 2, log);

  const cluster = new PrivatePostgres(found.dir);
  const children: Child[] = [];
  const pools: Pool[] = [];
  let relay: FaultRelay | undefined;
  const cleanup = async () => {
    await Promise.all(children.map((c) => c.stop().catch(() => {})));
    for (const p of pools) await p.close().catch(() => {});
    await relay?.close();
    await cluster.destroy();
  };
  const onSignal = () => void cleanup().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const result: FaultsResult = {
    startedAt: new Date().toISOString(),
    command: options.command,
    machine: machine(),
    seconds: 0,
    setup: null,
    rows: [],
  };
  try {
    await cluster.init();
    await cluster.start();
    log(`${FAULTED}'s database: PostgreSQL at ${cluster.url}`);
    const frStore = await openStore(cluster.url, FAULTED);
    await seedMember(frStore, { persons: PERSONS });
    await frStore.close();
    const databaseOf = (state: MemberState) => (state === FAULTED ? cluster.url : stateFile(dataDir, PERSONS, state));

    const startMember = async (state: MemberState): Promise<{ child: Child; url: string }> => {
      const { child, urls } = await startMemberChild(children, { state, database: databaseOf(state), gatewayPublicKey: gatewayKey.publicJwk, sides: ['on'] });
      return { child, url: urls.on };
    };
    const members = new Map<MemberState, { child: Child; url: string }>();
    for (const state of STATES) members.set(state, await startMember(state));
    relay = await startFaultRelay(members.get(FAULTED)!.url);
    const gateway = startChild('gateway', 'roles/gateway.ts', [], SERVER_FLAGS); // as `hague gateway` runs
    children.push(gateway);
    await gateway.waitFor('ready');
    const { url } = await gateway.ask<{ type: string; url: string }>({
      type: 'start',
      variant: 'hague',
      keysDir,
      timeoutMs: TIMEOUT_MS,
      members: STATES.map((code) => ({ code, url: code === FAULTED ? relay!.url : members.get(code)!.url })),
      subgraphs: [],
    });
    log(`network: ${STATES.join(' ')} (${FAULTED} through the relay at ${relay.url}), gateway at ${url}`);
    result.setup = {
      persons: PERSONS,
      states: STATES,
      faulted: FAULTED,
      faultedDatabase: 'PostgreSQL (private cluster)',
      connections: CONNECTIONS,
      memberTimeoutMs: TIMEOUT_MS,
      circuitBreaker: DEFAULT_CIRCUIT_BREAKER,
      query: SCENARIOS.search.title,
      settleMs: SETTLE_MS,
    };

    // What each state holds for the joint search, from its own data layer.
    const expected = new Map<MemberState, Set<string>>();
    for (const state of STATES) {
      const store = await openStore(databaseOf(state), state);
      try {
        const found = await searchPersons(store, { name: SCENARIOS.search.variables.name as string }, 50);
        expected.set(state, new Set(found.map((r) => r.id)));
      } finally {
        await store.close();
      }
    }
    const healthy = STATES.filter((s) => s !== FAULTED);
    if (healthy.every((s) => expected.get(s)!.size === 0)) {
      throw new Error(
        `the joint search finds nothing in some state (${STATES.map((s) => `${s} ${expected.get(s)!.size}`).join(', ')}): the data cache is not the bench's`,
      );
    }

    const token = await issueDevToken({
      ...BENCH_PERSONA,
      roles: [...BENCH_PERSONA.roles],
      scopes: [...BENCH_PERSONA.scopes],
      subject: `bench-faults-${Date.now().toString(36)}`,
      keysDir,
      ttlSeconds: 7200,
    });
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}`, [PURPOSE_HEADER]: BENCH_PURPOSE };
    const origin = new URL(url).origin;
    const path = new URL(url).pathname;
    const body = requestBody(SCENARIOS.search);
    const pool = new Pool(origin, { connections: CONNECTIONS });
    pools.push(pool);

    const ask = async (): Promise<Sample> => {
      const t = performance.now();
      try {
        const res = await pool.request({ path, method: 'POST', headers, body, headersTimeout: 30_000, bodyTimeout: 30_000 });
        const json = (await res.body.json()) as {
          data?: { persons?: Array<{ memberState: MemberState; id: string }> };
          errors?: Array<{ extensions?: { code?: string; memberState?: string; reason?: string } }>;
        };
        const persons = json.data?.persons ?? [];
        const held = (state: MemberState) => {
          const want = expected.get(state)!;
          const got = persons.filter((p) => p.memberState === state);
          return got.length === want.size && got.every((p) => want.has(p.id));
        };
        const errors = json.errors ?? [];
        const reasons = errors
          .filter((e) => e.extensions?.code === 'MEMBER_UNAVAILABLE' && e.extensions.memberState === FAULTED)
          .map((e) => e.extensions!.reason ?? '?');
        const other = errors.filter((e) => !(e.extensions?.code === 'MEMBER_UNAVAILABLE' && e.extensions.memberState === FAULTED));
        return {
          end: performance.now(),
          ms: performance.now() - t,
          status: res.statusCode,
          reasons,
          others: [
            ...(res.statusCode === 200 ? [] : [`HTTP ${res.statusCode}`]),
            ...other.map((e) => [e.extensions?.code ?? 'no code', e.extensions?.memberState, e.extensions?.reason].filter(Boolean).join('/')),
          ],
          healthyComplete: res.statusCode === 200 && other.length === 0 && healthy.every(held),
          // FR answered: its records exactly (none is an answer too), and no error naming it.
          withFaulted: held(FAULTED) && !errors.some((e) => e.extensions?.memberState === FAULTED),
        };
      } catch {
        return { end: performance.now(), ms: performance.now() - t, status: 0, reasons: [], others: ['no answer'], healthyComplete: false, withFaulted: false };
      }
    };
    /** Closed-loop load for `ms`: CONNECTIONS callers, each asking again as soon as answered. */
    const load = async (ms: number): Promise<{ samples: Sample[]; from: number }> => {
      const from = performance.now();
      const samples: Sample[] = [];
      await Promise.all(
        Array.from({ length: CONNECTIONS }, async () => {
          while (performance.now() - from < ms) samples.push(await ask());
        }),
      );
      return { samples, from };
    };
    /** Asks until an answer holds FR's records again; ms from `since`, null after a minute. */
    const recovery = async (since: number): Promise<number | null> => {
      while (performance.now() - since < 60_000) {
        const s = await ask();
        if (s.withFaulted && s.healthyComplete) return Math.round(s.end - since);
        await sleep(100);
      }
      return null;
    };
    const peakMb = async () => Math.round((await gateway.stats()).maxRss / MB);

    const first = await ask();
    if (!first.healthyComplete || !first.withFaulted)
      throw new Error("the joint search is not answered with every state's records before any fault; see the members' output");
    log("answer checked: all five states' records");
    await load(3000);
    log('warmed up');

    const faults: Array<{ id: string; title: string; apply: () => Promise<void>; repair: () => Promise<void>; note?: string }> = [
      {
        id: 'down',
        title: `${FAULTED}'s process killed (SIGKILL), restarted after the phase`,
        apply: async () => {
          const fr = members.get(FAULTED)!;
          fr.child.process.kill('SIGKILL');
          await fr.child.exited;
        },
        repair: async () => {
          const fr = await startMember(FAULTED);
          members.set(FAULTED, fr);
          const u = new URL(fr.url);
          relay!.target = { host: u.hostname, port: Number(u.port) };
        },
      },
      {
        id: 'hung',
        title: `${FAULTED}'s process stopped (SIGSTOP): connections accepted, nothing answered`,
        apply: async () => void members.get(FAULTED)!.child.process.kill('SIGSTOP'),
        repair: async () => void members.get(FAULTED)!.child.process.kill('SIGCONT'),
      },
      ...(['http500', 'garbage', 'huge', 'endless', 'trickle'] as const).map((fault) => ({
        id: fault === 'huge' ? '50MB' : fault,
        title: {
          http500: `${FAULTED} answers HTTP 500`,
          garbage: `${FAULTED} answers 200 with a body that is not JSON`,
          huge: `${FAULTED} answers a valid 50 MB GraphQL answer`,
          endless: `${FAULTED} starts a valid answer and never ends it`,
          trickle: `${FAULTED}'s real answer trickles in, 8 bytes every 250 ms`,
        }[fault],
        apply: async () => relay!.play(fault),
        repair: async () => relay!.play('pass'),
      })),
      {
        id: 'database',
        title: `${FAULTED}'s PostgreSQL stopped (pg_ctl stop -m fast), started after the phase`,
        apply: async () => {
          await cluster.stop('fast');
        },
        repair: async () => {
          await cluster.start();
        },
        note: 'recovery: no restart of the member; its pool reconnects',
      },
    ];

    for (const fault of faults) {
      await gateway.resetPeak();
      const base = await load(seconds * 1000);
      const basePeak = await peakMb();
      await gateway.resetPeak();
      await fault.apply();
      const during = await load(seconds * 1000);
      const faultPeak = await peakMb();
      const repairedAt = performance.now();
      await fault.repair();
      const recoveryMs = await recovery(repairedAt);
      const settled = during.samples.filter((s) => s.end - during.from >= SETTLE_MS);
      const row: FaultRow = {
        id: fault.id,
        title: fault.title,
        baseline: statsOf(base.samples, seconds),
        fault: statsOf(during.samples, seconds),
        settled: statsOf(settled, Math.max(0.001, seconds - SETTLE_MS / 1000)),
        gatewayPeakRssMb: { baseline: basePeak, fault: faultPeak },
        recoveryMs,
        ...(fault.note ? { note: fault.note } : {}),
      };
      result.rows.push(row);
      log(
        `${fault.id}: ${row.fault.rate.toFixed(0)}/s (${(row.fault.rate / row.baseline.rate).toFixed(2)}× baseline), settled p50 ${(row.settled.p50 / row.baseline.p50).toFixed(2)}×, ` +
          `FR unavailable ${JSON.stringify(row.fault.unavailable)}, healthy data missing in ${row.fault.healthyMissing} (other errors ${JSON.stringify(row.fault.otherErrors)}), gateway peak ${faultPeak} MB (baseline ${basePeak}), back after ${recoveryMs ?? '—'} ms`,
      );
      await sleep(Math.max(1000, DEFAULT_CIRCUIT_BREAKER.halfOpenAfterMs)); // the breaker closes on the next probe
      await recovery(performance.now());
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup();
  }
  result.seconds = Math.round((performance.now() - started) / 1000);
  mkdirSync(dirname(options.json), { recursive: true });
  writeFileSync(options.json, `${JSON.stringify(result, null, 2)}\n`);
  writeFaultsReport(options.out, result, options.json);
  return result;
}

// ------------------------------------------------------------------------------------------------
// Report
// ------------------------------------------------------------------------------------------------

const ratio = (a: number, b: number) => (b > 0 && Number.isFinite(a) ? `${(a / b).toFixed(2)}×` : '—');
const reasons = (r: Record<string, number>) =>
  Object.keys(r).length === 0
    ? '—'
    : Object.entries(r)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');

/** The Markdown table of a run (bench/README.md, section "Faults"). */
export function faultsTable(result: FaultsResult): string {
  const setup = result.setup;
  const lines = [
    `Measured by \`${result.command}\` on ${result.startedAt.slice(0, 10)} (${result.machine.nproc} × ${result.machine.cpu}, Node ${result.machine.node}; ${result.seconds} s). ` +
      (setup
        ? `Joint search over ${setup.states.join(' ')}, ${setup.connections} connections closed loop, ${setup.faulted} faulted (on PostgreSQL); ` +
          `ratios against the baseline phase just before each fault; "settled" leaves out the fault's first ${setup.settleMs / 1000} s.`
        : ''),
    '',
    '| fault | throughput | p50 (settled) | p99 (settled) | FR MEMBER_UNAVAILABLE by reason | answers missing a healthy state (other errors) | gateway peak RSS (baseline) | FR data back after repair |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of result.rows) {
    lines.push(
      `| ${r.id}: ${r.title} | ${ratio(r.fault.rate, r.baseline.rate)} (${r.fault.rate.toFixed(0)}/s vs ${r.baseline.rate.toFixed(0)}/s) | ` +
        `${ratio(r.settled.p50, r.baseline.p50)} (${r.settled.p50.toFixed(0)} ms) | ${ratio(r.settled.p99, r.baseline.p99)} (${r.settled.p99.toFixed(0)} ms) | ` +
        `${reasons(r.fault.unavailable)} | ${r.fault.healthyMissing} of ${r.fault.answers}${Object.keys(r.fault.otherErrors).length ? ` (${reasons(r.fault.otherErrors)})` : ''} | ${r.gatewayPeakRssMb.fault} MB (${r.gatewayPeakRssMb.baseline} MB) | ` +
        `${r.recoveryMs === null ? 'not within 60 s' : `${(r.recoveryMs / 1000).toFixed(1)} s`}${r.note ? ` (${r.note})` : ''} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export const FAULTS_START = '<!-- bench:faults:start (generated by `npm run bench -- --faults`; edit outside the markers) -->';
export const FAULTS_END = '<!-- bench:faults:end -->';

export function writeFaultsReport(file: string, result: FaultsResult, jsonFile: string): void {
  const section = [FAULTS_START, '', faultsTable(result), `Raw figures: \`${jsonFile}\`.`, '', FAULTS_END].join('\n');
  writeSection(file, { start: FAULTS_START, end: FAULTS_END }, '## One state failing (npm run bench -- --faults)', section);
}
