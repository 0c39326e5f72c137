import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { dirname, join, resolve } from 'node:path';
import { Pool } from 'undici';
import type { Caller } from '../common/caller.ts';
import { ensureKeyPair } from '../common/dev-keys.ts';
import { devKeyName, issueDevToken, type DevTokenRequest } from '../common/dev-identity.ts';
import type { MemberState } from '../common/member-states.ts';
import { PURPOSE_HEADER } from '../gateway/authenticate.ts';
import { loadMembersConfig } from '../gateway/members-config.ts';
import type { RateLimitOptions } from '../gateway/plugins/rate-limit.ts';
import { loadReleasePolicy, type ReleasePolicy } from '../subgraphs/member/release-policy.ts';
import { releaseTier } from '../subgraphs/member/release-rules.ts';
import { budgetFor, type SearchBudget } from '../subgraphs/member/search-budget.ts';
import { searchPersons, documentNumberKey } from '../subgraphs/member/search.ts';
import { openStore } from '../subgraphs/member/store.ts';
import type { Tier } from '../subgraphs/member/tiers.ts';
import { SERVER_FLAGS, startChild, startMemberChild, type Child, type ProcessStats } from './child.ts';
import { ensureStateData, stateFile } from './data.ts';
import { BENCH_PERSONA, BENCH_PURPOSE } from './policy.ts';
import { writeSection } from './report.ts';
import { log, machine, machineBusyMicros, sleep, type BenchResult } from './run.ts';
import { DOSSIER_PASSPORT, SCENARIOS, checkAnswer, networkOf, requestBody, type ExpectedRecord } from './scenarios.ts';

/**
 * `hague bench --hostile`: memory and time under attack, side by side in one run. A network of 5
 * member states (1k persons each, the bench's seeded data) behind one Hague gateway, each in its own
 * process, with the real demo release policies (config/policies) and the gateway's rate limits ON
 * (config/members.yaml). Honest callers run the joint search at a fixed pace throughout; in turn,
 * ONE attacker (another caller, of another state) sends one kind of hostile request for a bounded
 * time at a bounded concurrency. Phases alternate baseline / attack / baseline / attack ... so each
 * attack is compared with the baselines right before and after it (drift shows between baselines).
 * Reported: the honest callers' latency, the member states' peak RSS (reset at every phase start),
 * and how the attacker's requests were answered. Nothing here is a pass/fail assertion.
 */

export interface HostileOptions {
  out: string;
  json: string;
  dataDir: string;
  /** Length of each phase (baseline or attack), seconds. */
  phaseSeconds: number;
  command: string;
}

const PERSONS = 1000;
const STATES: MemberState[] = networkOf(5);
const POLICIES_DIR = 'config/policies';
const MEMBERS_CONFIG = 'config/members.yaml';
const MB = 1024 * 1024;

/** Honest load: this many callers (the bench persona, NL analysts, each its own subject), each at this pace. */
const HONEST_CALLERS = 4;
const HONEST_RATE = 5;
const HONEST_CONNECTIONS_EACH = 2;
/** Budget the owners grant the honest callers' tier in this run (budgets are per tier; see README). */
const HONEST_BUDGET: SearchBudget = { perHour: 1_000_000_000, perDay: 1_000_000_000 };

/** The attacker: an analyst of another state (ES), one subject per attack row, so each row meets fresh per-caller limits. */
const ATTACKER = { state: 'ES', roles: ['analyst'], clearance: 'SECRET', scopes: [] } as const satisfies Omit<DevTokenRequest, 'keysDir'>;

/** Client-side timeout for one request; in-flight requests are awaited up to it after a phase. */
const REQUEST_TIMEOUT_MS = 30_000;
/** After a phase, wait until the measured processes are idle (at most this long) before the next. */
const SETTLE_MAX_MS = 30_000;

// ------------------------------------------------------------------------------------------------
// Results
// ------------------------------------------------------------------------------------------------

export interface LatencyStats {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface HonestStats extends LatencyStats {
  /** Answers per second over the window. */
  rate: number;
  /** Answers that were not byte-identical to the answer checked before the run, and their HTTP statuses and error codes. */
  differing: number;
  statuses: Record<string, number>;
  codes: Record<string, number>;
}

export interface AttackStats extends LatencyStats {
  sent: number;
  seconds: number;
  /** HTTP status of each answer ('error:<code>' when the client got none). */
  statuses: Record<string, number>;
  /** Answers carrying each GraphQL error code (an answer with the code from 3 states counts once). */
  codes: Record<string, number>;
  meanBytes: number;
  /** The first answer of each kind (status and codes), shortened. */
  examples: string[];
  probe?: ProbeResult;
}

export interface ProbeResult {
  target: { state: MemberState; name: string; dateOfBirth: string };
  guessesPerRequest: number;
  /** Guesses answered (not refused) before the first refusal, and in all. */
  guessesBeforeRefusal: number;
  guessesAnswered: number;
  /** ms from the first guess to the first refused request; null: never refused. */
  refusedAfterMs: number | null;
  refusedBy: string | null;
  refusal: Record<string, unknown> | null;
  /** The date the prober found among its guesses (null: not among them). */
  found: string | null;
}

export interface ProcessFigures {
  /** Peak RSS during the phase (reset at its start), MB. */
  peakMB: number;
  rssMB: number;
  cpuMs: number;
  requests?: number;
}

export interface PhaseRecord {
  name: string;
  attack: number | null;
  /** Seconds the measured processes needed to become idle before this phase (after the one before). */
  settleSeconds: number;
  seconds: number;
  honest: HonestStats;
  /** Honest answers sent while the attacker was sending (attack phases); the figure compared. */
  honestDuringAttack?: HonestStats;
  attacker?: AttackStats;
  members: Record<string, ProcessFigures>;
  gateway: ProcessFigures;
  /** This process (the load generator: honest callers and attacker): CPU ms, and its event loop's p99 delay (ms), which would delay the answers it reads. */
  loadGenerator: { cpuMs: number; loopDelayP99: number };
  otherLoad: number;
}

export interface AttackDefinition {
  id: number;
  title: string;
  /** The request as sent (a shortened text for the report). */
  shown: string;
  concurrency: number;
  ratePerSecond?: number;
  maxRequests: number;
  seconds: number;
}

export interface HostileResult {
  startedAt: string;
  command: string;
  machine: BenchResult['machine'];
  seconds: number;
  peakResetWorks: boolean;
  setup: {
    persons: number;
    states: MemberState[];
    honest: { persona: string; callers: number; ratePerCaller: number; connectionsPerCaller: number; query: string };
    attacker: { persona: string };
    rateLimit: Partial<RateLimitOptions> | false;
    memberTimeoutsMs: Record<string, number>;
    /** Per owner: the tier and budget it grants the honest callers and the attacker in this run. */
    policies: Array<{ state: MemberState; source: string; honestTier: Tier; honestBudget: SearchBudget; attackerTier: Tier; attackerBudget: SearchBudget }>;
  };
  attacks: AttackDefinition[];
  phases: PhaseRecord[];
  /** One row per attack against the baselines right before and after it. */
  rows: Array<{
    attack: number;
    title: string;
    honestP50: { attack: number; baseline: number; ratio: number };
    honestP99: { attack: number; baseline: number; ratio: number };
    honestN: { attack: number; baseline: number };
    honestDiffering: number;
    honestCodes: Record<string, number>;
    /** The member whose peak RSS grew most against its own baseline. */
    memberPeak: { state: string; attack: number; baseline: number; ratio: number };
    memberPeakMax: { attack: number; baseline: number };
    gatewayPeak: { attack: number; baseline: number; ratio: number };
    membersCpuMs: { attack: number; baseline: number };
    /** CPU the attack added (phase CPU less the baselines' CPU per second over as long), per attacker request sent, ms. */
    extraCpuPerAttackerRequest: { gateway: number; members: number };
    attacker: AttackStats;
    settleAfterSeconds: number;
  }>;
}

// ------------------------------------------------------------------------------------------------
// Load: a small undici driver (every answer read, its status and error codes kept)
// ------------------------------------------------------------------------------------------------

interface Sample {
  /** ms since the run's clock origin when sent. */
  at: number;
  ms: number;
  status: string;
  bytes: number;
  text: string;
}

interface Drive {
  pool: Pool;
  path: string;
  headers: Record<string, string>;
  body: (i: number) => string;
  concurrency: number;
  /** No request starts once this returns false. */
  open: () => boolean;
  maxRequests: number;
  /** Paced: request i is sent at offsetMs + i / ratePerSecond after the start (or as soon as a connection is free). */
  ratePerSecond?: number;
  offsetMs?: number;
  /** Return true to stop sending (the prober, once it has what it needs). */
  onAnswer: (sample: Sample, i: number) => boolean | void;
}

async function drive(d: Drive): Promise<{ first: number; last: number; sent: number }> {
  let next = 0;
  let sent = 0;
  let stop = false;
  const first = performance.now();
  let last = first;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (stop || i >= d.maxRequests) return;
      if (d.ratePerSecond) {
        const due = first + (d.offsetMs ?? 0) + (i * 1000) / d.ratePerSecond;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
      }
      if (stop || !d.open()) return;
      sent++;
      const at = performance.now();
      let sample: Sample;
      try {
        const res = await d.pool.request({
          path: d.path,
          method: 'POST',
          headers: { 'content-type': 'application/json', ...d.headers },
          body: d.body(i),
          headersTimeout: REQUEST_TIMEOUT_MS,
          bodyTimeout: REQUEST_TIMEOUT_MS,
        });
        const text = await res.body.text();
        sample = { at, ms: performance.now() - at, status: String(res.statusCode), bytes: Buffer.byteLength(text), text };
      } catch (error) {
        sample = { at, ms: performance.now() - at, status: `error:${(error as { code?: string }).code ?? (error as Error).name}`, bytes: 0, text: '' };
      }
      last = Math.max(last, performance.now());
      if (d.onAnswer(sample, i)) stop = true;
    }
  };
  await Promise.all(Array.from({ length: d.concurrency }, worker));
  return { first, last, sent };
}

const CODE = /"code":"([A-Z_]+)"/g;

/**
 * The error codes of one answer, each with where it came from: the member states named in its
 * errors (extensions.memberState(s): the states that refused, or the one that was unavailable) or
 * "gateway" (the gateway's own refusals), e.g. "RATE_LIMITED (NL)", "QUERY_TOO_COMPLEX (gateway)".
 */
type ErrorsAnswer = { errors?: Array<{ extensions?: Record<string, unknown> }> };

function codesOf(text: string): string[] {
  let body: ErrorsAnswer | null = null;
  try {
    body = text.length < 8 * MB ? (JSON.parse(text) as ErrorsAnswer) : null;
  } catch {
    /* read below */
  }
  if (!body || !Array.isArray(body.errors)) return [...new Set([...text.matchAll(CODE)].map((m) => m[1]))];
  const sources = new Map<string, Set<string>>();
  for (const error of body.errors) {
    const code = typeof error.extensions?.code === 'string' ? error.extensions.code : 'NO_CODE';
    // A merged error names every state that answered it (memberStates); others name one (memberState).
    const states = [error.extensions?.memberState, ...(Array.isArray(error.extensions?.memberStates) ? error.extensions.memberStates : [])].filter(
      (x): x is string => typeof x === 'string',
    );
    if (!sources.has(code)) sources.set(code, new Set());
    for (const state of states.length ? states : ['gateway']) sources.get(code)!.add(state);
  }
  return [...sources].map(([code, from]) => `${code} (${[...from].sort().join(' ')})`);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function latency(times: number[]): LatencyStats {
  const sorted = [...times].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN };
}

function count(into: Record<string, number>, key: string): void {
  into[key] = (into[key] ?? 0) + 1;
}

interface HonestSample {
  at: number;
  ms: number;
  status: string;
  same: boolean;
  codes: string[];
}

function honestStats(samples: HonestSample[], seconds: number): HonestStats {
  const statuses: Record<string, number> = {};
  const codes: Record<string, number> = {};
  let differing = 0;
  for (const s of samples) {
    count(statuses, s.status);
    if (!s.same) {
      differing++;
      for (const c of s.codes) count(codes, c);
    }
  }
  // Latency of every answer, whatever it held: a refused or partial answer is still what the caller waited for.
  return { ...latency(samples.map((s) => s.ms)), rate: seconds > 0 ? samples.length / seconds : 0, differing, statuses, codes };
}

// ------------------------------------------------------------------------------------------------
// The attacks
// ------------------------------------------------------------------------------------------------

interface Attack extends AttackDefinition {
  body: (i: number) => string;
  /** Attack 6: guesses of a withheld date of birth, checked per answer. */
  probe?: { state: MemberState; name: string; dateOfBirth: string; guesses: string[]; perRequest: number };
}

const gql = (query: string) => JSON.stringify({ query });
const shorten = (text: string, max = 150) => (text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text);

async function attacksFor(dataDir: string, seconds: number): Promise<Attack[]> {
  // Name tokens of the seeded data (every word a real name of these states), and the most frequent family name.
  const tokens = new Map<string, number>();
  const families = new Map<string, number>();
  let target: { name: string; dateOfBirth: string } | undefined;
  for (const state of STATES) {
    const store = await openStore(stateFile(dataDir, PERSONS, state), state);
    try {
      const rows = await store.db.selectFrom('persons').select(['given_name', 'family_name']).orderBy('id').execute();
      for (const r of rows) {
        for (const word of `${r.given_name} ${r.family_name}`.split(/[\s-]+/).filter((w) => /^\p{L}+$/u.test(w))) tokens.set(word, (tokens.get(word) ?? 0) + 1);
        families.set(r.family_name, (families.get(r.family_name) ?? 0) + 1);
      }
      if (state === 'NL') {
        // The shared subject NL holds (passport DOSSIER_PASSPORT): a partner released hits only may
        // confirm it by exact name and date of birth, and sees neither the date nor anything else.
        const row = await store.db
          .selectFrom('identity_documents')
          .innerJoin('persons', 'persons.id', 'identity_documents.person_id')
          .select(['persons.given_name', 'persons.family_name', 'persons.date_of_birth'])
          .where('identity_documents.number_key', '=', documentNumberKey(DOSSIER_PASSPORT))
          .executeTakeFirstOrThrow();
        target = { name: `${row.given_name} ${row.family_name}`, dateOfBirth: row.date_of_birth ?? '1990-06-15' };
      }
    } finally {
      await store.close();
    }
  }
  const distinct = [...tokens.keys()];
  const words = Array.from({ length: 1000 }, (_, i) => distinct[i % distinct.length]).join(' ');
  const common = [...families].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0][0];
  const abs = 'ab '.repeat(25_000);
  const summary = 'memberState id givenName familyName matchScore';
  const q1 = `query Words { persons(filter: { name: "${words}" }) { ${summary} } }`;
  const q2 = `query Ab { persons(filter: { name: "${abs}" }) { ${summary} } }`;
  const q3 =
    `query FanOut { persons(filter: { name: "${common}" }, first: 500) { affiliations { organisation { members { person { ` +
    `affiliations { organisation { members { person { id } } } } } } } } } }`;
  const q4 = `query Introspection { ${Array.from({ length: 50 }, (_, i) => `a${i + 1}: __schema { types { name fields { name type { name ofType { name } } } } }`).join(' ')} }`;
  const search = requestBody(SCENARIOS.search);

  // Attack 6: dates from January 1st of the birth year, 10 per request (as the hostile suite's prober).
  const year = Number(target!.dateOfBirth.slice(0, 4));
  const guesses = Array.from({ length: 366 }, (_, i) => new Date(Date.UTC(year, 0, 1 + i)).toISOString().slice(0, 10)).filter((d) =>
    d.startsWith(String(year)),
  );
  const perRequest = 10;
  const probeQuery = (i: number) =>
    `query Probe { ${guesses
      .slice((i * perRequest) % guesses.length, ((i * perRequest) % guesses.length) + perRequest)
      .map((d, k) => `g${k}: persons(filter: { name: "${target!.name}", dateOfBirth: "${d}" }, memberStates: [NL]) { id }`)
      .join(' ')} }`;

  return [
    {
      id: 1,
      title: 'name filter of 1,000 words',
      shown: shorten(q1),
      concurrency: 4,
      ratePerSecond: 40,
      maxRequests: 40 * seconds,
      seconds,
      body: () => gql(q1),
    },
    {
      id: 2,
      title: `~75 KB of "ab " as a name (${abs.length.toLocaleString('en')} characters)`,
      shown: shorten(q2),
      concurrency: 4,
      ratePerSecond: 40,
      maxRequests: 40 * seconds,
      seconds,
      body: () => gql(q2),
    },
    {
      id: 3,
      title: `deep fan-out: persons(name: "${common}", first: 500), affiliations → organisation → members → person, twice (depth 10)`,
      shown: q3,
      concurrency: 4,
      ratePerSecond: 40,
      maxRequests: 40 * seconds,
      seconds,
      body: () => gql(q3),
    },
    {
      id: 4,
      title: 'introspection under 50 aliases in one query',
      shown: shorten(q4, 160),
      concurrency: 4,
      ratePerSecond: 40,
      maxRequests: 40 * seconds,
      seconds,
      body: () => gql(q4),
    },
    {
      id: 5,
      title: 'burst: 2,000 joint searches from one token, 20 connections, as fast as they go',
      shown: `${SCENARIOS.search.title} × 2,000`,
      concurrency: 20,
      maxRequests: 2000,
      // Counted in requests: at this machine's pace 2,000 joint searches take longer than a phase (and the gateway's per-caller limit ends most of them sooner).
      seconds: 3 * seconds,
      body: () => search,
    },
    {
      id: 6,
      title: `filter probing: a HIT-tier partner (ES at NL) guessing a withheld date of birth, ${perRequest} guesses per request under aliases`,
      shown: shorten(probeQuery(0), 200),
      concurrency: 1,
      maxRequests: 200,
      seconds,
      body: (i) => gql(probeQuery(i)),
      probe: { state: 'NL', name: target!.name, dateOfBirth: target!.dateOfBirth, guesses, perRequest },
    },
  ];
}

// ------------------------------------------------------------------------------------------------
// The run
// ------------------------------------------------------------------------------------------------

/** The demo policy of `state`, with the honest callers' tier given a budget the run never exhausts. */
function demoPolicy(state: MemberState, honest: Caller, attacker: Caller) {
  const policy: ReleasePolicy = loadReleasePolicy(POLICIES_DIR, state);
  const honestTier = releaseTier(policy, honest);
  const attackerTier = releaseTier(policy, attacker);
  const patched: ReleasePolicy = {
    ...policy,
    searchBudgets: { ...policy.searchBudgets, [honestTier]: HONEST_BUDGET },
    source: `${policy.source} (bench --hostile: ${honestTier} budget lifted for the honest callers)`,
  };
  return {
    policy: patched,
    row: {
      state,
      source: policy.source,
      honestTier,
      honestBudget: budgetFor(patched, honestTier),
      attackerTier,
      attackerBudget: budgetFor(patched, attackerTier),
    },
  };
}

function callerOf(p: Omit<DevTokenRequest, 'keysDir'>, subject: string): Caller {
  return {
    state: p.state,
    agency: null,
    subject,
    roles: [...p.roles],
    clearance: p.clearance,
    scopes: [...(p.scopes ?? [])],
    purpose: BENCH_PURPOSE,
    caseReference: null,
    requestId: 'bench-hostile',
  };
}

export async function runHostile(options: HostileOptions): Promise<HostileResult> {
  const started = performance.now();
  const seconds = options.phaseSeconds;
  const dataDir = resolve(options.dataDir);
  const keysDir = join(dataDir, 'keys');
  const stamp = Date.now().toString(36);

  const network = loadMembersConfig(MEMBERS_CONFIG);
  // The demo network's limits, kept in this process's memory (a Redis URL, if the file names one, is not used here).
  const rateLimit: Partial<RateLimitOptions> | false = network.gateway.rateLimit === false ? false : { ...network.gateway.rateLimit, redis: undefined };
  const timeouts = Object.fromEntries(network.members.map((m) => [m.code, m.timeoutMs])) as Record<string, number>;

  log(
    `hague bench --hostile: ${STATES.length} states × ${PERSONS} persons, demo policies (${POLICIES_DIR}), gateway rate limits ${rateLimit === false ? 'OFF (members.yaml)' : `on (${rateLimit.perCaller} per caller per ${(rateLimit.windowMs ?? 0) / 1000} s)`}; ` +
      `${seconds} s per phase; ${availableParallelism()} CPUs, Node ${process.version}`,
  );

  const gatewayKey = await ensureKeyPair(keysDir, 'gateway');
  for (const state of STATES) await ensureKeyPair(keysDir, devKeyName(state));
  await ensureStateData(dataDir, PERSONS, STATES, 2, log);
  const fileOf = (state: MemberState) => stateFile(dataDir, PERSONS, state);

  const honestCaller = callerOf(BENCH_PERSONA, 'bench-analyst');
  const attackerCaller = callerOf(ATTACKER, 'attacker');
  const policies = STATES.map((s) => demoPolicy(s, honestCaller, attackerCaller));
  const attacks = await attacksFor(dataDir, seconds);

  const token = (p: Omit<DevTokenRequest, 'keysDir'>, subject: string) =>
    issueDevToken({ ...p, roles: [...p.roles], scopes: [...(p.scopes ?? [])], subject, keysDir, ttlSeconds: 3600 });
  const headersOf = async (p: Omit<DevTokenRequest, 'keysDir'>, subject: string) => ({
    authorization: `Bearer ${await token(p, subject)}`,
    [PURPOSE_HEADER]: BENCH_PURPOSE,
  });
  const honestHeaders = await Promise.all(Array.from({ length: HONEST_CALLERS }, (_, i) => headersOf(BENCH_PERSONA, `bench-analyst-${i + 1}-${stamp}`)));
  const warmHeaders = await headersOf(BENCH_PERSONA, `bench-warm-up-${stamp}`);
  const attackerHeaders = await Promise.all(attacks.map((a) => headersOf(ATTACKER, `es-attacker-${a.id}-${stamp}`)));

  const children: Child[] = [];
  const stopAll = async () => {
    await Promise.all(children.map((c) => c.stop().catch(() => {})));
  };
  const onSignal = () => {
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const pools: Pool[] = [];

  const result: HostileResult = {
    startedAt: new Date().toISOString(),
    command: options.command,
    machine: machine(),
    seconds: 0,
    peakResetWorks: true,
    setup: {
      persons: PERSONS,
      states: STATES,
      honest: {
        persona: `${BENCH_PERSONA.state} ${BENCH_PERSONA.roles.join('+')}, ${BENCH_PERSONA.clearance}, scope ${BENCH_PERSONA.scopes.join(' ')}, purpose ${BENCH_PURPOSE} (bench/policy.ts)`,
        callers: HONEST_CALLERS,
        ratePerCaller: HONEST_RATE,
        connectionsPerCaller: HONEST_CONNECTIONS_EACH,
        query: SCENARIOS.search.title,
      },
      attacker: {
        persona: `${ATTACKER.state} ${ATTACKER.roles.join('+')}, ${ATTACKER.clearance}, no scopes, purpose ${BENCH_PURPOSE}; one subject per attack`,
      },
      rateLimit,
      memberTimeoutsMs: Object.fromEntries(STATES.map((s) => [s, timeouts[s] ?? 2000])),
      policies: policies.map((p) => p.row),
    },
    attacks: attacks.map(({ id, title, shown, concurrency, ratePerSecond, maxRequests, seconds: s }) => ({
      id,
      title,
      shown,
      concurrency,
      ...(ratePerSecond ? { ratePerSecond } : {}),
      maxRequests,
      seconds: s,
    })),
    phases: [],
    rows: [],
  };

  try {
    // The network: one process per member state (permissions on, demo policy), one gateway.
    const members = new Map<MemberState, Child>();
    const urls = new Map<MemberState, string>();
    for (const [i, state] of STATES.entries()) {
      const { child, urls: sides } = await startMemberChild(children, {
        state,
        database: fileOf(state),
        gatewayPublicKey: gatewayKey.publicJwk,
        policy: policies[i].policy,
        sides: ['on'],
      });
      members.set(state, child);
      urls.set(state, sides.on);
    }
    const gateway = startChild('gateway', 'roles/gateway.ts', [], SERVER_FLAGS); // as `hague gateway` runs
    children.push(gateway);
    await gateway.waitFor('ready');
    const { url } = await gateway.ask<{ type: string; url: string }>({
      type: 'start',
      variant: 'hague',
      keysDir,
      timeoutMs: 2000,
      members: STATES.map((code) => ({ code, url: urls.get(code)!, timeoutMs: timeouts[code] })),
      subgraphs: [],
      rateLimit,
    });
    log(`network: ${STATES.join(' ')} and the gateway at ${url}`);
    const origin = new URL(url).origin;
    const path = new URL(url).pathname;
    const measured = [...members.values(), gateway];

    // The honest answer, checked against each state's own data before any load.
    const expected: ExpectedRecord[] = [];
    for (const state of STATES) {
      const store = await openStore(fileOf(state), state);
      try {
        expected.push(
          ...(await searchPersons(store, { name: SCENARIOS.search.variables.name as string }, 50)).map((r) => ({ key: `${state}:${r.id}:${r.matchScore}` })),
        );
      } finally {
        await store.close();
      }
    }
    const honestBody = requestBody(SCENARIOS.search);
    const honestPool = new Pool(origin, { connections: HONEST_CALLERS * HONEST_CONNECTIONS_EACH });
    pools.push(honestPool);
    const first = await honestPool.request({ path, method: 'POST', headers: { 'content-type': 'application/json', ...honestHeaders[0] }, body: honestBody });
    const reference = await first.body.text();
    const problems = checkAnswer(SCENARIOS.search, expected, first.statusCode, JSON.parse(reference));
    if (problems.length) throw new Error(`the honest joint search is not answered as the states' data says: ${problems.join('; ')}`);
    log(`honest answer checked: ${expected.length} records from ${new Set(expected.map((e) => e.key.split(':')[0])).size} states`);

    // Warm-up (not measured): one more NL caller, then the honest pace.
    const warmPool = new Pool(origin, { connections: 8 });
    pools.push(warmPool);
    const warmUntil = performance.now() + 8000;
    await drive({
      pool: warmPool,
      path,
      headers: warmHeaders,
      body: () => honestBody,
      concurrency: 8,
      open: () => performance.now() < warmUntil,
      maxRequests: 400,
      onAnswer: () => {},
    });
    /** Honest load: each caller paced, the callers' schedules staggered; runs at least `ms`, and on while `busy()` says so (at most a minute more). */
    const honestLoad = async (ms: number, busy: () => boolean = () => false): Promise<HonestSample[]> => {
      const samples: HonestSample[] = [];
      const start = performance.now();
      const open = () => performance.now() - start < ms || (busy() && performance.now() - start < ms + 60_000);
      await Promise.all(
        honestHeaders.map((headers, k) =>
          drive({
            pool: honestPool,
            path,
            headers,
            body: () => honestBody,
            concurrency: HONEST_CONNECTIONS_EACH,
            ratePerSecond: HONEST_RATE,
            offsetMs: (k * 1000) / HONEST_RATE / HONEST_CALLERS,
            open,
            maxRequests: Math.ceil((HONEST_RATE * (ms + 60_000)) / 1000),
            onAnswer: (s) => {
              const same = s.status === '200' && s.text === reference;
              samples.push({ at: s.at, ms: s.ms, status: s.status, same, codes: same ? [] : codesOf(s.text) });
            },
          }),
        ),
      );
      return samples;
    };
    await honestLoad(3000);
    log('warmed up');

    const settle = async (): Promise<number> => {
      const t = performance.now();
      const cpu = async () => (await Promise.all(measured.map((c) => c.stats()))).reduce((a, s) => a + s.cpuMicros, 0);
      let before = await cpu();
      let at = performance.now();
      while (performance.now() - t < SETTLE_MAX_MS) {
        await sleep(500);
        const now = await cpu();
        const when = performance.now();
        if ((now - before) / ((when - at) * 1000) < 0.15) break;
        before = now;
        at = when;
      }
      return (performance.now() - t) / 1000;
    };

    const phase = async (name: string, attack: Attack | undefined, attackerHeader: Record<string, string> | undefined): Promise<PhaseRecord> => {
      const settleSeconds = await settle();
      await Promise.all(measured.map((c) => c.stats(true)));
      const resets = await Promise.all(measured.map((c) => c.resetPeak()));
      if (resets.some((r) => !r)) result.peakResetWorks = false;
      const s0 = await Promise.all(measured.map((c) => c.stats()));
      const loop = monitorEventLoopDelay({ resolution: 10 });
      loop.enable();
      const own0 = process.cpuUsage();
      const busy0 = machineBusyMicros();
      const t0 = performance.now();

      let attacking = attack !== undefined;
      const honestPromise = honestLoad(seconds * 1000, () => attacking);
      let attacker: AttackStats | undefined;
      let window: { first: number; last: number } | undefined;
      if (attack && attackerHeader) {
        const pool = new Pool(origin, { connections: attack.concurrency });
        pools.push(pool);
        const times: number[] = [];
        const statuses: Record<string, number> = {};
        const codes: Record<string, number> = {};
        let bytes = 0;
        let answers = 0;
        const examples: string[] = [];
        const seenKinds = new Set<string>();
        const probe: ProbeResult | undefined = attack.probe
          ? {
              target: { state: attack.probe.state, name: attack.probe.name, dateOfBirth: attack.probe.dateOfBirth },
              guessesPerRequest: attack.probe.perRequest,
              guessesBeforeRefusal: 0,
              guessesAnswered: 0,
              refusedAfterMs: null,
              refusedBy: null,
              refusal: null,
              found: null,
            }
          : undefined;
        const probeStart = performance.now();
        const attackUntil = performance.now() + attack.seconds * 1000;
        const run = await drive({
          pool,
          path,
          headers: attackerHeader,
          body: attack.body,
          concurrency: attack.concurrency,
          ratePerSecond: attack.ratePerSecond,
          open: () => performance.now() < attackUntil,
          maxRequests: attack.maxRequests,
          onAnswer: (s, i) => {
            answers++;
            times.push(s.ms);
            count(statuses, s.status);
            const kinds = codesOf(s.text);
            for (const c of kinds) count(codes, c);
            const kind = `${s.status} ${kinds.join(', ')}`;
            if (!seenKinds.has(kind) && examples.length < 6) {
              seenKinds.add(kind);
              examples.push(`HTTP ${s.status}: ${shorten(s.text, 1200)}`);
            }
            bytes += s.bytes;
            if (probe && attack.probe) readProbe(probe, attack.probe, s, i, probeStart);
          },
        });
        attacking = false;
        window = { first: run.first, last: run.last };
        attacker = {
          ...latency(times),
          sent: run.sent,
          seconds: (run.last - run.first) / 1000,
          statuses,
          codes,
          meanBytes: answers ? bytes / answers : 0,
          examples,
          ...(probe ? { probe } : {}),
        };
      }
      const honest = await honestPromise;
      const wall = performance.now() - t0;
      const s1 = await Promise.all(measured.map((c) => c.stats()));
      const own1 = process.cpuUsage();
      loop.disable();
      const busy1 = machineBusyMicros();
      const ours = s1.reduce((a, s) => a + s.cpuMicros, 0) - s0.reduce((a, s) => a + s.cpuMicros, 0) + (own1.user + own1.system - own0.user - own0.system);
      const figures = (a: ProcessStats, b: ProcessStats): ProcessFigures => ({
        peakMB: b.maxRss / MB,
        rssMB: b.rss / MB,
        cpuMs: (b.cpuMicros - a.cpuMicros) / 1000,
        ...(b.counters['requests.on'] !== undefined ? { requests: b.counters['requests.on'] - (a.counters['requests.on'] ?? 0) } : {}),
      });
      const record: PhaseRecord = {
        name,
        attack: attack?.id ?? null,
        settleSeconds,
        seconds: wall / 1000,
        honest: honestStats(honest, wall / 1000),
        ...(window
          ? {
              honestDuringAttack: honestStats(
                honest.filter((s) => s.at >= window.first && s.at <= window.last),
                (window.last - window.first) / 1000,
              ),
            }
          : {}),
        ...(attacker ? { attacker } : {}),
        members: Object.fromEntries(STATES.map((state, i) => [state, figures(s0[i], s1[i])])),
        gateway: figures(s0[STATES.length], s1[STATES.length]),
        loadGenerator: { cpuMs: (own1.user + own1.system - own0.user - own0.system) / 1000, loopDelayP99: loop.percentile(99) / 1e6 },
        otherLoad: Math.max(0, busy1 - busy0 - ours) / (wall * 1000) / availableParallelism(),
      };
      const h = record.honestDuringAttack ?? record.honest;
      const peak = Math.max(...Object.values(record.members).map((m) => m.peakMB));
      log(
        `  ${name}: honest p50 ${h.p50.toFixed(1)} ms, p99 ${h.p99.toFixed(1)} ms (n ${h.n}, ${h.differing} not as checked), member peak RSS max ${peak.toFixed(0)} MB, ` +
          `gateway ${record.gateway.peakMB.toFixed(0)} MB` +
          (attacker
            ? `; attacker ${attacker.sent} sent, statuses ${JSON.stringify(attacker.statuses)}, codes ${JSON.stringify(attacker.codes)}` +
              (attacker.probe ? `, ${attacker.probe.guessesBeforeRefusal} guesses before refusal (${attacker.probe.refusedBy ?? 'never refused'})` : '')
            : '') +
          `; load generator CPU ${record.loadGenerator.cpuMs.toFixed(0)} ms, loop delay p99 ${record.loadGenerator.loopDelayP99.toFixed(1)} ms` +
          `; settled in ${settleSeconds.toFixed(1)} s, other load ${(100 * record.otherLoad).toFixed(0)}%`,
      );
      return record;
    };

    result.phases.push(await phase('baseline 0', undefined, undefined));
    for (const [i, attack] of attacks.entries()) {
      log(`attack ${attack.id}: ${attack.title}`);
      result.phases.push(await phase(`attack ${attack.id}`, attack, attackerHeaders[i]));
      result.phases.push(await phase(`baseline ${attack.id}`, undefined, undefined));
    }
    result.rows = attacks.map((attack) => rowOf(result.phases, attack));
  } finally {
    await Promise.all(pools.map((p) => p.close().catch(() => {})));
    await stopAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  result.seconds = (performance.now() - started) / 1000;
  mkdirSync(dirname(resolve(options.json)), { recursive: true });
  writeFileSync(options.json, `${JSON.stringify(result, null, 2)}\n`);
  writeHostileReport(options.out, result, options.json);
  log(`done in ${(result.seconds / 60).toFixed(1)} min: ${options.out}, ${options.json}`);
  return result;
}

/** Attack 6: what each answer tells the prober. */
type ProbeAnswer = { data?: Record<string, unknown[] | null> | null; errors?: Array<{ extensions?: Record<string, unknown> }> };

function readProbe(probe: ProbeResult, p: NonNullable<Attack['probe']>, s: Sample, i: number, start: number): void {
  let body: ProbeAnswer | null = null;
  try {
    body = JSON.parse(s.text) as ProbeAnswer;
  } catch {
    /* no body: counted as refused below */
  }
  const refusal = body?.errors?.find((e) => e.extensions?.code === 'RATE_LIMITED');
  const refused = s.status !== '200' || refusal !== undefined;
  if (refused) {
    if (probe.refusedAfterMs === null) {
      probe.refusedAfterMs = performance.now() - start;
      const owner = refusal?.extensions?.memberState;
      probe.refusedBy = typeof owner === 'string' ? `${owner} (owner's search budget)` : `gateway (HTTP ${s.status})`;
      probe.refusal = refusal?.extensions ?? { status: s.status };
    }
    return;
  }
  const offset = (i * p.perRequest) % p.guesses.length;
  const asked = p.guesses.slice(offset, offset + p.perRequest);
  probe.guessesAnswered += asked.length;
  if (probe.refusedAfterMs === null) probe.guessesBeforeRefusal += asked.length;
  asked.forEach((d, k) => {
    if (body?.data?.[`g${k}`]?.length) probe.found = d;
  });
}

function rowOf(phases: PhaseRecord[], attack: Attack): HostileResult['rows'][number] {
  const index = phases.findIndex((p) => p.attack === attack.id);
  const during = phases[index];
  const before = phases[index - 1];
  const after = phases[index + 1];
  const baselines = [before, after].filter((p): p is PhaseRecord => p !== undefined && p.attack === null);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
  const h = during.honestDuringAttack ?? during.honest;
  // Baseline percentiles: the two baselines' own, averaged (each phase has the same honest pace).
  const base = (pick: (s: HonestStats) => number) => mean(baselines.map((b) => pick(b.honest)));
  const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);
  const peakRows = STATES.map((state) => {
    const attackPeak = during.members[state].peakMB;
    const basePeak = mean(baselines.map((b) => b.members[state].peakMB));
    return { state, attack: attackPeak, baseline: basePeak, ratio: ratio(attackPeak, basePeak) };
  });
  const worst = peakRows.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  const gatewayBase = mean(baselines.map((b) => b.gateway.peakMB));
  const membersCpu = (p: PhaseRecord) => Object.values(p.members).reduce((a, m) => a + m.cpuMs, 0);
  const extra = (cpu: (p: PhaseRecord) => number) =>
    (cpu(during) - mean(baselines.map((b) => cpu(b) / b.seconds)) * during.seconds) / Math.max(1, during.attacker?.sent ?? 0);
  return {
    attack: attack.id,
    title: attack.title,
    honestP50: {
      attack: h.p50,
      baseline: base((s) => s.p50),
      ratio: ratio(
        h.p50,
        base((s) => s.p50),
      ),
    },
    honestP99: {
      attack: h.p99,
      baseline: base((s) => s.p99),
      ratio: ratio(
        h.p99,
        base((s) => s.p99),
      ),
    },
    honestN: { attack: h.n, baseline: mean(baselines.map((b) => b.honest.n)) },
    honestDiffering: h.differing,
    honestCodes: h.codes,
    memberPeak: worst,
    memberPeakMax: { attack: Math.max(...peakRows.map((r) => r.attack)), baseline: Math.max(...peakRows.map((r) => r.baseline)) },
    gatewayPeak: { attack: during.gateway.peakMB, baseline: gatewayBase, ratio: ratio(during.gateway.peakMB, gatewayBase) },
    membersCpuMs: { attack: membersCpu(during), baseline: mean(baselines.map(membersCpu)) },
    extraCpuPerAttackerRequest: { gateway: extra((p) => p.gateway.cpuMs), members: extra(membersCpu) },
    attacker: during.attacker!,
    settleAfterSeconds: after?.settleSeconds ?? NaN,
  };
}

// ------------------------------------------------------------------------------------------------
// Report: bench/README.md between its own markers
// ------------------------------------------------------------------------------------------------

export const HOSTILE_START = '<!-- bench:hostile:start (generated by `npm run bench -- --hostile`; edit outside the markers) -->';
export const HOSTILE_END = '<!-- bench:hostile:end -->';

const f0 = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '–');
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const times = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '–');
const tally = (r: Record<string, number>) =>
  Object.entries(r)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || '–';

export function hostileSection(result: HostileResult, jsonFile: string): string {
  const date = result.startedAt.slice(0, 16).replace('T', ' ');
  const m = result.machine;
  const rl = result.setup.rateLimit;
  const lines = [
    HOSTILE_START,
    '',
    `### Run of ${date} UTC`,
    '',
    `Command: \`${result.command}\` — ${(result.seconds / 60).toFixed(1)} min wall clock; raw figures in \`${jsonFile}\`.`,
    '',
    `Machine: ${m.nproc} CPUs (\`nproc\`), ${m.cpu}, ${m.memoryGB} GB RAM, Node ${m.node}, commit ${m.commit}.`,
    '',
    `Network: ${result.setup.states.join(' ')}, ${result.setup.persons.toLocaleString('en')} persons per state (the bench's seeded data), one process per state ` +
      `(permissions on) and one gateway; member timeouts ${[...new Set(Object.values(result.setup.memberTimeoutsMs))].join('/')} ms and gateway rate limits from \`config/members.yaml\`: ` +
      (rl === false
        ? '**off** (the file turns them off)'
        : `${rl.perCaller} requests per caller and ${rl.refusedPerAddress} refused per address per ${(rl.windowMs ?? 0) / 1000} s, in memory`) +
      '.',
    '',
    `Honest load: ${result.setup.honest.callers} callers (${result.setup.honest.persona}, each its own subject), ${result.setup.honest.ratePerCaller} requests/s each ` +
      `(${result.setup.honest.connectionsPerCaller} connections each, paced), ${result.setup.honest.query}. Attacker: ${result.setup.attacker.persona}.`,
    '',
    'Release policies: `config/policies/<STATE>.yaml` as they are, except the search budget of the tier each owner releases to the honest (NL) callers, lifted so that the run never exhausts it. Budgets are per tier, so every caller of that tier at that owner shares the lift; the attacker is in none of them:',
    '',
    '| owner | honest tier | honest budget (per hour / day) | attacker tier | attacker budget (per hour / day) |',
    '|---|---|---|---|---|',
    ...result.setup.policies.map(
      (p) =>
        `| ${p.state} | ${p.honestTier} | ${p.honestBudget.perHour.toLocaleString('en')} / ${p.honestBudget.perDay.toLocaleString('en')} (lifted) | ${p.attackerTier} | ${p.attackerBudget.perHour.toLocaleString('en')} / ${p.attackerBudget.perDay.toLocaleString('en')} |`,
    ),
    '',
    'Each attack row against the mean of the baselines right before and after it (phases ran baseline 0, attack 1, baseline 1, attack 2, … baseline 6). Honest latency of an attack: the honest requests sent while the attacker was sending. Member RSS peak: each state\'s peak RSS during the phase (reset at the phase start); "worst member" is the state whose peak grew most against its own baselines.' +
      (result.peakResetWorks ? '' : ' **The peak could not be reset on this kernel: the figures are peaks since start.**'),
    '',
    '| # | attack | attacker: sent in s (bound) | HTTP statuses | error codes (answers carrying them) | attacker p50 / max ms | honest p50 ms attack / baseline | honest p99 ms attack / baseline | honest n (baseline) | honest answers not as checked | member RSS peak MB, worst member: attack / baseline | largest member peak MB attack / baseline | gateway RSS peak MB (ratio) | CPU added per attacker request, ms: gateway / members | idle again after |',
    '|---:|---|---:|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|',
  ];
  for (const r of result.rows) {
    const a = r.attacker;
    const def = result.attacks.find((x) => x.id === r.attack)!;
    const bound = `${def.concurrency} conn${def.ratePerSecond ? `, ≤ ${def.ratePerSecond}/s` : ''}, ≤ ${def.maxRequests} in ${def.seconds} s`;
    lines.push(
      `| ${r.attack} | ${r.title} | ${a.sent} in ${f1(a.seconds)} s (${bound}) | ${tally(a.statuses)} | ${tally(a.codes)} | ${f1(a.p50)} / ${f0(a.max)} | ` +
        `${f1(r.honestP50.attack)} / ${f1(r.honestP50.baseline)} (**${times(r.honestP50.ratio)}**) | ${f1(r.honestP99.attack)} / ${f1(r.honestP99.baseline)} (**${times(r.honestP99.ratio)}**) | ` +
        `${r.honestN.attack} (${f0(r.honestN.baseline)}) | ${r.honestDiffering}${r.honestDiffering ? ` (${tally(r.honestCodes)})` : ''} | ` +
        `${r.memberPeak.state} ${f0(r.memberPeak.attack)} / ${f0(r.memberPeak.baseline)} (**${times(r.memberPeak.ratio)}**) | ${f0(r.memberPeakMax.attack)} / ${f0(r.memberPeakMax.baseline)} | ` +
        `${f0(r.gatewayPeak.attack)} / ${f0(r.gatewayPeak.baseline)} (${times(r.gatewayPeak.ratio)}) | ${f1(r.extraCpuPerAttackerRequest.gateway)} / ${f1(r.extraCpuPerAttackerRequest.members)} | ${f1(r.settleAfterSeconds)} s |`,
    );
  }
  const probe = result.rows.find((r) => r.attacker.probe)?.attacker.probe;
  if (probe) {
    lines.push(
      '',
      `Filter probing (attack 6): the prober knows ${probe.target.state}'s subject by exact name ("${probe.target.name}") and guesses the date of birth ${probe.guessesPerRequest} at a time from January 1st of the birth year: ` +
        `**${probe.guessesBeforeRefusal} guesses got through before the first refusal**, ` +
        (probe.refusedAfterMs === null
          ? 'and none was refused.'
          : `refused after ${f0(probe.refusedAfterMs)} ms by ${probe.refusedBy} (${Object.entries(probe.refusal ?? {})
              .map(([k, v]) => `${k}: ${String(v)}`)
              .join(', ')}); `) +
        `${probe.guessesAnswered} answered in all; the date ${probe.found ? `**was found** (${probe.found})` : 'was not among the answered guesses'}.`,
    );
  }
  lines.push(
    '',
    'Phase by phase (drift: compare the baselines with one another):',
    '',
    `| phase | honest n | honest p50 ms | honest p99 ms | honest answers not as checked | ${result.setup.states.map((s) => `${s} peak MB`).join(' | ')} | gateway peak MB | members CPU s | gateway CPU s | load generator CPU s | other load | settle before s |`,
    `|---|---:|---:|---:|---:|${result.setup.states.map(() => '---:').join('|')}|---:|---:|---:|---:|---:|---:|`,
  );
  for (const p of result.phases) {
    const h = p.honestDuringAttack ?? p.honest;
    lines.push(
      `| ${p.name} | ${h.n} | ${f1(h.p50)} | ${f1(h.p99)} | ${h.differing} | ${result.setup.states.map((s) => f0(p.members[s].peakMB)).join(' | ')} | ${f0(p.gateway.peakMB)} | ` +
        `${f1(Object.values(p.members).reduce((a, m) => a + m.cpuMs, 0) / 1000)} | ${f1(p.gateway.cpuMs / 1000)} | ${f1(p.loadGenerator.cpuMs / 1000)} | ${Number.isFinite(p.otherLoad) ? `${Math.round(100 * p.otherLoad)}%` : '–'} | ${f1(p.settleSeconds)} |`,
    );
  }
  lines.push('', '<details><summary>The attacks as sent</summary>', '');
  for (const a of result.attacks) lines.push(`${a.id}. ${a.title}: \`${a.shown.replace(/`/g, "'")}\``);
  lines.push('', '</details>', '', HOSTILE_END);
  return lines.join('\n');
}

/** Writes the section between its markers; a file without them gets the section appended under its own heading. */
export function writeHostileReport(file: string, result: HostileResult, jsonFile: string): void {
  writeSection(file, { start: HOSTILE_START, end: HOSTILE_END }, '## Under attack (npm run bench -- --hostile)', hostileSection(result, jsonFile));
}
