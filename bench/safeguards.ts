import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { devKeyName, issueDevToken } from '../common/dev-identity.ts';
import { ensureKeyPair } from '../common/dev-keys.ts';
import type { MemberState } from '../common/member-states.ts';
import { PURPOSE_HEADER } from '../gateway/authenticate.ts';
import type { GatewaySafeguards } from '../gateway/server.ts';
import type { MemberSafeguards } from '../subgraphs/member/server.ts';
import { NETWORK_KEY_FILE, ensureNetworkKeyring } from '../subgraphs/member/match-keys.ts';
import { benchChildren, startChild, type Child, type ProcessStats } from './child.ts';
import { DEFAULT_DATA_DIR, ensureStateData, stateFile } from './data.ts';
import { runLoad, summarise, type LoadResult } from './load.ts';
import { BENCH_PERSONA, BENCH_PURPOSE } from './policy.ts';
import { writeSection } from './report.ts';
import { CASEFILES_SUBGRAPH_SDL } from './roles/casefiles.ts';
import type { GatewayVariant } from './roles/gateway.ts';
import { log, machine, machineBusyMicros, post, sleep, type BenchResult } from './run.ts';
import { DOSSIER_PASSPORT, Expectations, SCENARIOS, checkAnswer, networkOf, requestBody, type ExpectedRecord, type Scenario } from './scenarios.ts';

/**
 * `npm run bench -- --safeguards`: the price of each safeguard. Five states (NL BE FR DE ES, 1k
 * persons each, the bench's seeded data copied to a scratch folder, match keys computed with one
 * network key), one process per state, the case-file subgraph, and one gateway process per
 * variant: every safeguard on as in production (audit logs of their own, synced on every commit;
 * rate limits in memory), every safeguard off, and each safeguard off alone. A member process
 * serves its state once per member-side variant, over the same database. The variants run side by
 * side, each scenario in halves in the order of the list and then reversed, in several runs whose
 * order alternates; CPU per query is the gateway's, the members' and the case-file subgraph's CPU
 * over the loaded half divided by the requests sent. The price of a safeguard is CPU per query with
 * everything on divided by CPU per query with everything on but it.
 */

export type SafeguardKey =
  'caller-token' | 'network-rules' | 'cost' | 'rate-limit' | 'context-token' | 'search-budget' | 'release-rules' | 'gateway-audit' | 'member-audit';

export const SAFEGUARDS: Array<{ key: SafeguardKey; title: string; where: 'gateway' | 'member' | 'both' }> = [
  { key: 'caller-token', title: "caller-token verification (the caller's JWT, ES256)", where: 'gateway' },
  { key: 'network-rules', title: 'network rules (@authenticated, @requiresScopes, @policy)', where: 'gateway' },
  { key: 'cost', title: 'query limits and cost analysis (and input bounds)', where: 'both' },
  { key: 'rate-limit', title: 'rate limits (per caller, in flight per caller, refusals per address; in memory)', where: 'gateway' },
  { key: 'context-token', title: 'request-bound context tokens (signed per state; verified, bound to the body, used once)', where: 'both' },
  { key: 'search-budget', title: "the owner's search profile and search budget", where: 'member' },
  { key: 'release-rules', title: 'release rules (graphql-shield, per field)', where: 'member' },
  { key: 'gateway-audit', title: "the gateway's audit chain (hash-chained, synced, signed checkpoints)", where: 'gateway' },
  { key: 'member-audit', title: "each member's audit chain (hash-chained, synced, signed checkpoints)", where: 'member' },
];

interface Variant {
  name: string;
  off: Set<SafeguardKey>;
}

const VARIANTS: Variant[] = [
  { name: 'all on', off: new Set() },
  ...SAFEGUARDS.map((s) => ({ name: `no ${s.key}`, off: new Set([s.key]) })),
  { name: 'all off', off: new Set(SAFEGUARDS.map((s) => s.key)) },
];

/** The member server a variant uses: its own when it turns a member-side safeguard off, else the all-on one. */
function memberServerOf(variant: Variant): string {
  const memberSide = [...variant.off].filter((k) => SAFEGUARDS.find((s) => s.key === k)!.where !== 'gateway');
  return memberSide.length === 0 ? 'all on' : variant.name;
}

const STATES: MemberState[] = networkOf(5);
const PERSONS = 1000;

const SUBJECT_QUERY = `query Subject($number: String!) {
  subjects(filter: { documentNumber: $number }) {
    id heldBy linkedBy confidence
    records { memberState id givenName familyName dateOfBirth }
    travel { movement { at from { city country } to { city country } planned } source { memberState recordId handling { code } } }
    financialMeasures { measure { kind since institution amount currency } source { memberState recordId } }
    listings { listing { list listedSince } source { memberState } }
    organisations { name kind source { memberState } }
    alerts { kind message }
    withheld { memberState fields }
  }
}`;

type ScenarioName = 'search' | 'dossier' | 'casefile' | 'subject';

const SUBJECT_SCENARIO: Scenario = {
  name: 'dossier', // checked like a dossier: the subject's records are the dossier's records
  title: `subjects(filter: {documentNumber: "${DOSSIER_PASSPORT}"}): one subject linked across states, with travel, money, listings, organisations, alerts`,
  query: SUBJECT_QUERY,
  variables: { number: DOSSIER_PASSPORT },
  records: (d) => d?.subjects?.[0]?.records,
};

export interface SafeguardRun {
  run: number;
  scenario: ScenarioName;
  variant: string;
  requests: number;
  throughput: number;
  p50: number;
  cpu: { gateway: number; members: number; casefiles: number; total: number };
  memberStatements: number;
  otherLoad: number;
}

export interface SafeguardsResult {
  startedAt: string;
  command: string;
  quick: boolean;
  machine: BenchResult['machine'];
  plan: { runs: number; warmupSeconds: number; loadSeconds: number; connections: number };
  scenarios: Record<ScenarioName, string>;
  variants: string[];
  runs: SafeguardRun[];
  problems: string[];
  seconds: number;
}

/** Work of one variant in one run (both halves): CPU ms of each role, requests sent, SQL statements, other load, wall ms. */
interface Tally {
  requests: number;
  gateway: number;
  members: number;
  casefiles: number;
  statements: number;
  foreign: number;
  wall: number;
}

const sum = (stats: ProcessStats[], pick: (s: ProcessStats) => number) => stats.reduce((a, s) => a + pick(s), 0);

export async function runSafeguardsBench(options: {
  quick: boolean;
  runs: number;
  json: string;
  out: string;
  dataDir?: string;
  command: string;
}): Promise<SafeguardsResult> {
  const started = performance.now();
  const plan = { runs: options.runs, warmupSeconds: options.quick ? 1 : 2, loadSeconds: options.quick ? 1.5 : 4, connections: 8 };
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;
  const scratch = mkdtempSync(join(tmpdir(), 'hague-bench-safeguards-'));
  const keysDir = join(scratch, 'keys');
  const { children, stopAll } = benchChildren();
  const result: SafeguardsResult = {
    startedAt: new Date().toISOString(),
    command: options.command,
    quick: options.quick,
    machine: machine(),
    plan,
    scenarios: {
      search: SCENARIOS.search.title,
      dossier: SCENARIOS.dossier.title,
      casefile: SCENARIOS.casefile.title,
      subject: SUBJECT_SCENARIO.title,
    },
    variants: VARIANTS.map((v) => v.name),
    runs: [],
    problems: [],
    seconds: 0,
  };
  try {
    await ensureStateData(dataDir, PERSONS, networkOf(27), 2, log);
    const expectations = await Expectations.load((state) => stateFile(dataDir, PERSONS, state));
    const gatewayKey = await ensureKeyPair(keysDir, 'gateway');
    for (const state of STATES) await ensureKeyPair(keysDir, devKeyName(state));
    const auditKey = await ensureKeyPair(keysDir, 'audit');
    const token = await issueDevToken({ ...BENCH_PERSONA, roles: [...BENCH_PERSONA.roles], scopes: [...BENCH_PERSONA.scopes], keysDir, ttlSeconds: 6 * 3600 });
    const headers = { authorization: `Bearer ${token}`, [PURPOSE_HEADER]: BENCH_PURPOSE };
    const networkKeyFile = join(scratch, NETWORK_KEY_FILE);
    ensureNetworkKeyring(networkKeyFile);

    // Members: each state's seeded file copied (the bench cache stays as it is), one process per state.
    const memberServers = [...new Set(VARIANTS.map(memberServerOf))].map((name) => VARIANTS.find((v) => v.name === name)!);
    log(`safeguards: starting ${STATES.length} member states (${memberServers.length} servers each, one per member-side variant)`);
    const members = new Map<MemberState, { child: Child; urls: Record<string, string> }>();
    for (const state of STATES) {
      const database = join(scratch, `${state}.db`);
      copyFileSync(stateFile(dataDir, PERSONS, state), database);
      const child = startChild(`member ${state}`, 'roles/member.ts');
      children.push(child);
      await child.waitFor('ready');
      const servers = memberServers.map((v) => ({
        name: v.name,
        enforceRelease: !v.off.has('release-rules'),
        safeguards: {
          contextTokens: !v.off.has('context-token'),
          searchBudget: !v.off.has('search-budget'),
          queryBounds: !v.off.has('cost'),
          audit: !v.off.has('member-audit'),
        } satisfies MemberSafeguards,
        ...(v.off.has('member-audit') ? {} : { auditFile: join(scratch, `${state}-${v.name.replace(/\W+/g, '-')}.audit.db`) }),
      }));
      const { urls } = await child.ask<{ type: string; urls: Record<string, string> }>({
        type: 'start',
        state,
        database,
        gatewayPublicKey: gatewayKey.publicJwk,
        servers,
        auditKey: auditKey.privateJwk,
        networkKeyFile,
      });
      members.set(state, { child, urls });
    }
    const casefile = { ...expectations.casefile, subjects: expectations.casefile.subjects.filter((s) => STATES.includes(s.memberState)) };
    const casefilesChild = startChild('casefiles', 'roles/casefiles.ts');
    children.push(casefilesChild);
    await casefilesChild.waitFor('ready');
    const { url: casefilesUrl } = await casefilesChild.ask<{ type: string; url: string }>({ type: 'start', casefiles: [casefile] });

    log(`safeguards: starting ${VARIANTS.length} gateways, one process per variant`);
    const gateways = new Map<string, { child: Child; url: string }>();
    for (const variant of VARIANTS) {
      const child = startChild(`gateway ${variant.name}`, 'roles/gateway.ts');
      children.push(child);
      await child.waitFor('ready');
      const server = memberServerOf(variant);
      const { url } = await child.ask<{ type: string; url: string }>({
        type: 'start',
        variant: (variant.off.has('network-rules') ? 'hague-noauthz' : 'hague') satisfies GatewayVariant,
        keysDir,
        timeoutMs: 60_000,
        members: STATES.map((code) => ({ code, url: members.get(code)!.urls[server] })),
        subgraphs: [{ name: 'casefiles', url: casefilesUrl, sdl: CASEFILES_SUBGRAPH_SDL }],
        // On: limits far above the bench's one caller (every request is still counted and checked).
        rateLimit: variant.off.has('rate-limit')
          ? false
          : { perCaller: 1_000_000_000, concurrentPerCaller: 64, refusedPerAddress: 1_000_000_000, windowMs: 60_000 },
        safeguards: { queryLimits: !variant.off.has('cost'), contextTokens: !variant.off.has('context-token') } satisfies GatewaySafeguards,
        ...(variant.off.has('gateway-audit')
          ? {}
          : { audit: { location: join(scratch, `gateway-${variant.name.replace(/\W+/g, '-')}.audit.db`), signingKey: auditKey.privateJwk } }),
        ...(variant.off.has('caller-token') ? { callerTokens: false } : {}),
      });
      gateways.set(variant.name, { child, url });
    }

    const memberChildren = [...members.values()].map((m) => m.child);
    const scenarios: Array<[ScenarioName, Scenario]> = [
      ['search', SCENARIOS.search],
      ['dossier', SCENARIOS.dossier],
      ['casefile', SCENARIOS.casefile],
      ['subject', SUBJECT_SCENARIO],
    ];
    for (const [name, scenario] of scenarios) {
      const expectedRecords: ExpectedRecord[] = expectations.records(scenario.name, STATES);
      const body = requestBody(scenario);
      const perVariant = new Map<string, { text: string; throughput: number; loads: LoadResult[] }>();
      let reference: string | undefined;
      // Before: every variant's answer is checked against the states' own data, and all hold the same data.
      for (const variant of VARIANTS) {
        const { url } = gateways.get(variant.name)!;
        const answer = await post(url, body, headers);
        const problems = checkAnswer(
          scenario,
          name === 'subject' ? sortedRecords(expectedRecords) : expectedRecords,
          answer.status,
          sortedAnswer(name, answer.json),
        );
        if (name === 'subject' && answer.json?.data?.subjects?.length !== 1) problems.push(`${answer.json?.data?.subjects?.length ?? 0} subjects, expected 1`);
        const data = JSON.stringify(answer.json?.data ?? null);
        reference ??= data;
        if (data !== reference) problems.push(`answer data differs from the "${VARIANTS[0].name}" variant's`);
        if (problems.length) throw new Error(`safeguards: ${name}, ${variant.name}: ${problems.join('; ')}`);
        const warm = await runLoad({ url, body, headers }, { connections: plan.connections, seconds: plan.warmupSeconds, expected: answer.text });
        perVariant.set(variant.name, { text: answer.text, throughput: warm.throughput, loads: [] });
      }
      log(`safeguards: ${name}: every variant answers as checked (${expectedRecords.length} records)`);
      for (let run = 1; run <= plan.runs; run++) {
        const forward = run % 2 ? VARIANTS : [...VARIANTS].reverse();
        const tallies = new Map<string, Tally>();
        for (const variant of [...forward, ...[...forward].reverse()]) {
          const v = perVariant.get(variant.name)!;
          const { child, url } = gateways.get(variant.name)!;
          const server = memberServerOf(variant);
          const amount = Math.max(2 * plan.connections, Math.round((v.throughput * plan.loadSeconds) / 2));
          await sleep(100);
          const snap = async (gc: boolean) => {
            const [g, m, c] = await Promise.all([child.stats(gc), Promise.all(memberChildren.map((x) => x.stats(gc))), casefilesChild.stats(gc)]);
            return { g, m, c, busy: machineBusyMicros(), at: performance.now() };
          };
          const s0 = await snap(true);
          const load = await runLoad({ url, body, headers }, { connections: plan.connections, amount, expected: v.text });
          const s1 = await snap(false);
          v.loads.push(load);
          if (load.mismatches || load.non2xx || load.errors)
            result.problems.push(
              `${name} ${variant.name} run ${run}: ${load.mismatches} answers differing from the checked one, ${load.non2xx} non-2xx, ${load.errors} errors`,
            );
          const cpu = (a: number, b: number) => (b - a) / 1000;
          const gatewayMs = cpu(s0.g.cpuMicros, s1.g.cpuMicros);
          const membersMs = cpu(
            sum(s0.m, (x) => x.cpuMicros),
            sum(s1.m, (x) => x.cpuMicros),
          );
          const casefilesMs = cpu(s0.c.cpuMicros, s1.c.cpuMicros);
          const statements = sum(s1.m, (x) => x.counters[`statements.${server}`] ?? 0) - sum(s0.m, (x) => x.counters[`statements.${server}`] ?? 0);
          const add: Tally = {
            requests: load.sent || 1,
            gateway: gatewayMs,
            members: membersMs,
            casefiles: casefilesMs,
            statements,
            foreign: Math.max(0, (s1.busy - s0.busy) / 1000 - (gatewayMs + membersMs + casefilesMs)),
            wall: s1.at - s0.at,
          };
          const prev = tallies.get(variant.name);
          tallies.set(variant.name, prev ? (Object.fromEntries(Object.entries(add).map(([k, x]) => [k, x + prev[k as keyof Tally]])) as Tally) : add);
        }
        for (const variant of VARIANTS) {
          const t = tallies.get(variant.name)!;
          const loads = perVariant.get(variant.name)!.loads.slice(-2);
          const merged = summarise(loads);
          const record: SafeguardRun = {
            run,
            scenario: name,
            variant: variant.name,
            requests: t.requests,
            throughput: merged.throughput,
            p50: merged.p50,
            cpu: {
              gateway: t.gateway / t.requests,
              members: t.members / t.requests,
              casefiles: t.casefiles / t.requests,
              total: (t.gateway + t.members + t.casefiles) / t.requests,
            },
            memberStatements: t.statements / t.requests,
            otherLoad: t.foreign / t.wall / availableParallelism(),
          };
          result.runs.push(record);
        }
        const on = result.runs.find((r) => r.run === run && r.scenario === name && r.variant === 'all on')!;
        const off = result.runs.find((r) => r.run === run && r.scenario === name && r.variant === 'all off')!;
        log(
          `  ${name} run ${run}: all on ${on.cpu.total.toFixed(2)} ms CPU/q (gateway ${on.cpu.gateway.toFixed(2)}, members ${on.cpu.members.toFixed(2)}), ` +
            `all off ${off.cpu.total.toFixed(2)}: ${(on.cpu.total / off.cpu.total).toFixed(2)}×`,
        );
      }
      // After: once more, checked.
      for (const variant of VARIANTS) {
        const answer = await post(gateways.get(variant.name)!.url, body, headers);
        if (answer.text !== perVariant.get(variant.name)!.text)
          result.problems.push(`${name} ${variant.name}: the answer after load differs from the checked one`);
      }
    }
  } finally {
    await stopAll();
    rmSync(scratch, { recursive: true, force: true });
  }
  result.seconds = (performance.now() - started) / 1000;
  mkdirSync(dirname(options.json), { recursive: true });
  writeFileSync(options.json, `${JSON.stringify(result, null, 2)}\n`);
  writeSection(
    options.out,
    { start: SAFEGUARDS_START, end: SAFEGUARDS_END },
    '## The price of each safeguard (npm run bench -- --safeguards)',
    safeguardsSection(result),
  );
  log(`safeguards: done in ${(result.seconds / 60).toFixed(1)} min: ${options.out}, ${options.json}`);
  return result;
}

/** The subject's records in the dossier's order (by state in network order, then id): linking orders them its own way. */
function sortedAnswer(name: ScenarioName, json: any): any {
  if (name !== 'subject' || !json?.data?.subjects?.[0]) return json;
  const order = (r: { memberState: MemberState; id: string }) => `${String(STATES.indexOf(r.memberState)).padStart(2, '0')}:${r.id}`;
  const records = [...json.data.subjects[0].records].sort((a, b) => order(a).localeCompare(order(b)));
  return { ...json, data: { subjects: [{ ...json.data.subjects[0], records }] } };
}

function sortedRecords(records: ExpectedRecord[]): ExpectedRecord[] {
  // The subject's records carry no relations of their own (facts are the subject's): only keys are compared.
  return records.map((r) => ({ key: r.key }));
}

export const SAFEGUARDS_START = '<!-- bench:safeguards:start (generated by `npm run bench -- --safeguards`; edit outside the markers) -->';
export const SAFEGUARDS_END = '<!-- bench:safeguards:end -->';

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const geomean = (values: number[]) => Math.exp(values.reduce((a, v) => a + Math.log(v), 0) / values.length);
const spread = (values: number[]) =>
  values.length > 1 ? `${median(values).toFixed(2)} (${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)})` : values[0].toFixed(2);

/** Per scenario, per run: CPU per query of `variant` against `base` (on ÷ without). */
function ratios(result: SafeguardsResult, scenario: ScenarioName, numerator: string, denominator: string): number[] {
  const runs = [...new Set(result.runs.map((r) => r.run))];
  return runs.map((run) => {
    const pick = (v: string) => result.runs.find((r) => r.run === run && r.scenario === scenario && r.variant === v)!.cpu.total;
    return pick(numerator) / pick(denominator);
  });
}

export function safeguardsSection(result: SafeguardsResult): string {
  const scenarios = Object.keys(result.scenarios) as ScenarioName[];
  const runs = [...new Set(result.runs.map((r) => r.run))];
  const perRunGeomean = (numerator: string, denominator: string) =>
    runs.map((run) =>
      geomean(
        scenarios.map((s) => {
          const pick = (v: string) => result.runs.find((r) => r.run === run && r.scenario === s && r.variant === v)!.cpu.total;
          return pick(numerator) / pick(denominator);
        }),
      ),
    );
  const whole = perRunGeomean('all on', 'all off');
  const cpuOf = (scenario: ScenarioName, variant: string, pick: (r: SafeguardRun) => number) =>
    median(result.runs.filter((r) => r.scenario === scenario && r.variant === variant).map(pick));
  const lines = [
    SAFEGUARDS_START,
    '',
    `### Run of ${result.startedAt.slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Command: \`${result.command}\` — ${(result.seconds / 60).toFixed(1)} min; raw figures in \`bench/results/safeguards.json\`. ` +
      `Machine: ${result.machine.nproc} CPUs (${result.machine.cpu}), Node ${result.machine.node}, commit ${result.machine.commit}.`,
    '',
    `${STATES.join(' ')} × ${PERSONS} persons, one process per state, one gateway process per variant, the case-file subgraph; ` +
      `${result.plan.runs} run(s), each variant and scenario loaded ${result.plan.loadSeconds} s per run (${result.plan.connections} connections, two halves in the order of the list and reversed). ` +
      `CPU per query = gateway + members + case-file subgraph CPU ÷ requests sent; figures are medians over runs, ratios per run with their median (min–max).`,
    '',
    '**The price of each safeguard**: CPU per query with everything on ÷ CPU per query with everything on but it.',
    '',
    `| safeguard | where | ${scenarios.join(' | ')} | geometric mean |`,
    `|---|---|${scenarios.map(() => '---:').join('|')}|---:|`,
    ...SAFEGUARDS.map(
      (s) =>
        `| ${s.title} | ${s.where === 'both' ? 'gateway and member' : s.where} | ${scenarios.map((sc) => `${spread(ratios(result, sc, 'all on', `no ${s.key}`))}×`).join(' | ')} | ${spread(perRunGeomean('all on', `no ${s.key}`))}× |`,
    ),
    `| **all of them** (all on ÷ all off) | | ${scenarios.map((sc) => `**${spread(ratios(result, sc, 'all on', 'all off'))}×**`).join(' | ')} | **${spread(whole)}×** |`,
    '',
    `Target: the whole set within 1.15× of the same network with them off (geometric mean over the four scenarios): **${median(whole) <= 1.15 ? 'met' : 'not met'}** (${spread(whole)}×).`,
    '',
    'CPU ms per query by variant (gateway + members + case files; median over runs), member SQL statements per query, throughput under load:',
    '',
    `| variant | ${scenarios.map((s) => `${s} CPU ms/q (gateway / members)`).join(' | ')} | ${scenarios.map((s) => `${s} SQL/q`).join(' | ')} | ${scenarios.map((s) => `${s} q/s`).join(' | ')} |`,
    `|---|${scenarios.map(() => '---:').join('|')}|${scenarios.map(() => '---:').join('|')}|${scenarios.map(() => '---:').join('|')}|`,
    ...result.variants.map(
      (v) =>
        `| ${v} | ${scenarios
          .map(
            (s) =>
              `${cpuOf(s, v, (r) => r.cpu.total).toFixed(2)} (${cpuOf(s, v, (r) => r.cpu.gateway).toFixed(2)} / ${cpuOf(s, v, (r) => r.cpu.members).toFixed(2)})`,
          )
          .join(' | ')} | ${scenarios.map((s) => cpuOf(s, v, (r) => r.memberStatements).toFixed(1)).join(' | ')} | ${scenarios
          .map((s) => cpuOf(s, v, (r) => r.throughput).toFixed(0))
          .join(' | ')} |`,
    ),
    '',
    `Other load on the machine during the loaded halves: median ${(100 * median(result.runs.map((r) => r.otherLoad))).toFixed(0)}%, max ${(100 * Math.max(...result.runs.map((r) => r.otherLoad))).toFixed(0)}%.`,
    '',
    result.problems.length
      ? `Problems:\n${result.problems.map((p) => `- ${p}`).join('\n')}`
      : 'Every answer (before, under load, after) was as checked; every variant answered the same data.',
    '',
    `Scenarios: ${scenarios.map((s) => `**${s}**: ${result.scenarios[s]}`).join('; ')}.`,
    '',
    SAFEGUARDS_END,
  ];
  return lines.join('\n');
}
