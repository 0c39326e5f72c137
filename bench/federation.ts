import { isDeepStrictEqual } from 'node:util';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { devKeyName, issueDevToken } from '../common/dev-identity.ts';
import { ensureKeyPair } from '../common/dev-keys.ts';
import { PURPOSE_HEADER } from '../gateway/authenticate.ts';
import { SERVER_FLAGS, benchChildren, startChild, type Child } from './child.ts';
import { FEDERATION_QUERY, FEDERATION_SDL, FEDERATION_SUBGRAPHS } from './federation/subgraphs.ts';
import { runLoad, type LoadResult } from './load.ts';
import { BENCH_PERSONA, BENCH_PURPOSE } from './policy.ts';
import { log, machine, sleep, type BenchResult } from './run.ts';

/**
 * `npm run bench -- --federation`: The Guild's federation gateway benchmark (four subgraphs:
 * accounts, inventory, products, reviews; its nested users/topProducts query; 50 connections)
 * with `hague gateway` (caller auth on) against stock @apollo/gateway in @apollo/server, each with
 * and without `Accept-Encoding: br, gzip`. `hague` runs under the launcher's Node flags
 * (bin/runtime-flags.js), as `hague gateway` does; `hague-defaults` is the same gateway under
 * Node's default heap settings, so the flags' gain is measured in the same run; stock runs under
 * Node's defaults. Every process is its own (subgraphs, each gateway); the load comes from this
 * process with autocannon. Answers are checked before, during (sampled) and after each load: the
 * same data from every gateway, no errors.
 */

export type Contender = 'hague' | 'hague-defaults' | 'stock';
export type Encoding = 'identity' | 'br-gzip';
const CONTENDERS: Contender[] = ['hague', 'hague-defaults', 'stock'];
/** What each contender runs: the gateway variant of roles/federation-gateway.ts and its Node flags. */
const SETUP: Record<Contender, { variant: 'hague' | 'stock'; execArgv: string[] }> = {
  hague: { variant: 'hague', execArgv: SERVER_FLAGS },
  'hague-defaults': { variant: 'hague', execArgv: [] },
  stock: { variant: 'stock', execArgv: [] },
};
/** The ratios reported: hague over each of these. */
const BASELINES = ['stock', 'hague-defaults'] as const;
const ENCODINGS: Encoding[] = ['identity', 'br-gzip'];
const CONNECTIONS = 50;

export interface FederationRun {
  run: number;
  contender: Contender;
  encoding: Encoding;
  /** What the gateway answered with (content-encoding), or 'identity'. */
  answeredWith: string;
  throughput: number;
  p50: number;
  p99: number;
  requests: number;
  /** Gateway process CPU (user + system) per answered request, ms. */
  cpuMsPerRequest: number;
  /** Subgraph processes' CPU per answered request, ms (all four). */
  subgraphCpuMsPerRequest: number;
  /** The gateway's garbage collection per answered request: pauses (ms), scavenges and mark-compacts (per 100 requests). */
  gcMsPerRequest: number;
  scavengesPer100: number;
  markCompactsPer100: number;
  errors: number;
  non2xx: number;
  mismatches: number;
  sampled: number;
  sampleProblems: string[];
  loadAverage: number;
}

export interface FederationResult {
  startedAt: string;
  command: string;
  quick: boolean;
  machine: BenchResult['machine'];
  plan: { runs: number; warmupSeconds: number; loadSeconds: number; connections: number };
  /** The Node flags of the `hague` contender (none for the others). */
  hagueFlags: string[];
  answerBytes: number;
  runs: FederationRun[];
  /** hague over `versus` per run: hague/stock (the gateways), hague/hague-defaults (the Node flags). */
  ratios: Array<{ encoding: Encoding; versus: (typeof BASELINES)[number]; throughput: number[]; p50: number[]; p99: number[]; cpu: number[]; gc: number[] }>;
  problems: string[];
  seconds: number;
}

const ACCEPT: Record<Encoding, Record<string, string>> = { identity: {}, 'br-gzip': { 'accept-encoding': 'br, gzip' } };

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * POSTs the query; fetch undoes br/gzip itself. Without an Accept-Encoding of the caller's, says
 * `identity` (fetch would otherwise offer gzip, deflate), as autocannon's requests offer nothing.
 * Returns the parsed answer, the raw text and the content-encoding.
 */
async function ask(url: string, headers: Record<string, string>): Promise<{ status: number; text: string; json: any; encoding: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept-encoding': 'identity', ...headers },
    body: JSON.stringify({ query: FEDERATION_QUERY }),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* reported by the caller */
  }
  return { status: res.status, text, json, encoding: res.headers.get('content-encoding') ?? 'identity' };
}

function problemOf(answer: { status: number; json: any; text: string }, expected: unknown): string | undefined {
  if (answer.status !== 200) return `HTTP ${answer.status}: ${answer.text.slice(0, 300)}`;
  if (!answer.json) return `not JSON: ${answer.text.slice(0, 200)}`;
  if (answer.json.errors?.length) return `errors: ${JSON.stringify(answer.json.errors).slice(0, 300)}`;
  if (!isDeepStrictEqual(answer.json.data, expected)) return 'data differs from the expected answer';
  return undefined;
}

export async function runFederationBench(options: { quick: boolean; runs: number; json: string; command: string }): Promise<FederationResult> {
  const started = performance.now();
  const plan = { runs: options.runs, warmupSeconds: options.quick ? 2 : 5, loadSeconds: options.quick ? 5 : 15, connections: CONNECTIONS };
  const keysDir = mkdtempSync(join(tmpdir(), 'hague-bench-federation-'));
  const { children, stopAll } = benchChildren();
  const result: FederationResult = {
    startedAt: new Date().toISOString(),
    command: options.command,
    quick: options.quick,
    machine: machine(),
    plan,
    hagueFlags: SETUP.hague.execArgv,
    answerBytes: 0,
    runs: [],
    ratios: [],
    problems: [],
    seconds: 0,
  };
  try {
    await ensureKeyPair(keysDir, devKeyName('NL'));
    const token = await issueDevToken({ ...BENCH_PERSONA, roles: [...BENCH_PERSONA.roles], scopes: [...BENCH_PERSONA.scopes], keysDir, ttlSeconds: 6 * 3600 });
    const caller = { authorization: `Bearer ${token}`, [PURPOSE_HEADER]: BENCH_PURPOSE };
    const callerHeaders: Record<Contender, Record<string, string>> = { hague: caller, 'hague-defaults': caller, stock: {} };

    log(`federation: starting the 4 subgraphs, one process each`);
    const subgraphChildren: Child[] = [];
    const subgraphs: Array<{ name: string; url: string; sdl: string }> = [];
    for (const name of FEDERATION_SUBGRAPHS) {
      const child = startChild(`subgraph ${name}`, 'roles/federation-subgraph.ts');
      children.push(child);
      subgraphChildren.push(child);
      await child.waitFor('ready');
      const { url } = await child.ask<{ type: string; url: string }>({ type: 'start', name });
      subgraphs.push({ name, url, sdl: FEDERATION_SDL[name] });
    }
    const gateways = {} as Record<Contender, { child: Child; url: string }>;
    for (const contender of CONTENDERS) {
      const { variant, execArgv } = SETUP[contender];
      const child = startChild(`${contender} gateway`, 'roles/federation-gateway.ts', [], execArgv);
      children.push(child);
      await child.waitFor('ready');
      const { url } = await child.ask<{ type: string; url: string }>({ type: 'start', variant, subgraphs, keysDir });
      gateways[contender] = { child, url };
      log(`federation: ${contender} gateway at ${url}${execArgv.length ? ` (node ${execArgv.join(' ')})` : ''}`);
    }

    // Before: every gateway gives the same data, no errors; the hague gateway refuses a call without a token.
    const first = await ask(gateways.stock.url, {});
    if (first.status !== 200 || !first.json?.data || first.json.errors) throw new Error(`federation: stock answer not usable: ${first.text.slice(0, 500)}`);
    const expected = first.json.data as unknown;
    result.answerBytes = Buffer.byteLength(first.text);
    for (const contender of CONTENDERS)
      for (const encoding of ENCODINGS) {
        const problem = problemOf(await ask(gateways[contender].url, { ...callerHeaders[contender], ...ACCEPT[encoding] }), expected);
        if (problem) throw new Error(`federation: before load, ${contender} (${encoding}): ${problem}`);
      }
    const refused = await ask(gateways.hague.url, {});
    if (refused.status !== 401) throw new Error(`federation: hague gateway answered ${refused.status} without a caller token (expected 401)`);
    log(
      `federation: answers agree (${result.answerBytes} bytes uncompressed); ${plan.runs} run(s) × ${CONTENDERS.length} gateways × 2 encodings, ${plan.loadSeconds} s each`,
    );

    for (let run = 1; run <= plan.runs; run++) {
      // Alternate the order, so no gateway always gets the machine's quieter moments.
      const order = run % 2 ? CONTENDERS : [...CONTENDERS].reverse();
      for (const contender of order)
        for (const encoding of ENCODINGS) {
          const { child, url } = gateways[contender];
          const headers = { ...callerHeaders[contender], ...ACCEPT[encoding] };
          const probe = await ask(url, headers);
          // Byte-for-byte checks under load need the uncompressed text; compressed answers are sampled instead.
          const verify = encoding === 'identity' ? probe.text : undefined;
          const request = { url, body: JSON.stringify({ query: FEDERATION_QUERY }), headers };
          await runLoad(request, { connections: plan.connections, seconds: plan.warmupSeconds });
          const before = await child.stats(true);
          const subBefore = await Promise.all(subgraphChildren.map((c) => c.stats()));
          // During: a sample every 250 ms through fetch (which decompresses), compared with the expected data.
          const sampleProblems: string[] = [];
          let sampled = 0;
          let sampling = true;
          const sampler = (async () => {
            while (sampling) {
              await sleep(250);
              if (!sampling) break;
              const problem = problemOf(await ask(url, headers), expected);
              sampled++;
              if (problem && sampleProblems.length < 5) sampleProblems.push(problem);
            }
          })();
          const load: LoadResult = await runLoad(request, {
            connections: plan.connections,
            seconds: plan.loadSeconds,
            ...(verify ? { expected: verify } : {}),
          });
          sampling = false;
          await sampler;
          const after = await child.stats();
          const subAfter = await Promise.all(subgraphChildren.map((c) => c.stats()));
          // After: one more full check.
          const afterProblem = problemOf(await ask(url, headers), expected);
          if (afterProblem) sampleProblems.push(`after load: ${afterProblem}`);
          const answered = Math.max(1, load.requests);
          const record: FederationRun = {
            run,
            contender,
            encoding,
            answeredWith: probe.encoding,
            throughput: load.throughput,
            p50: load.p50,
            p99: load.p99,
            requests: load.requests,
            cpuMsPerRequest: (after.cpuMicros - before.cpuMicros) / 1000 / answered,
            subgraphCpuMsPerRequest: subAfter.reduce((a, s, i) => a + s.cpuMicros - subBefore[i].cpuMicros, 0) / 1000 / answered,
            gcMsPerRequest: (after.gc.pauseMs - before.gc.pauseMs) / answered,
            scavengesPer100: ((after.gc.scavenges - before.gc.scavenges) * 100) / answered,
            markCompactsPer100: ((after.gc.markCompacts - before.gc.markCompacts) * 100) / answered,
            errors: load.errors,
            non2xx: load.non2xx,
            mismatches: load.mismatches,
            sampled,
            sampleProblems,
            loadAverage: loadavg()[0],
          };
          result.runs.push(record);
          if (record.errors || record.non2xx || record.mismatches || sampleProblems.length)
            result.problems.push(
              `run ${run} ${contender} ${encoding}: ${record.errors} errors, ${record.non2xx} non-2xx, ${record.mismatches} mismatches${sampleProblems.length ? `; ${sampleProblems.join('; ')}` : ''}`,
            );
          log(
            `  run ${run} ${contender} ${encoding}: ${record.throughput.toFixed(0)} req/s, p50 ${record.p50.toFixed(1)} ms, p99 ${record.p99.toFixed(1)} ms, ` +
              `${record.cpuMsPerRequest.toFixed(2)} CPU ms/req, GC ${record.gcMsPerRequest.toFixed(2)} ms/req, ${sampled} samples checked`,
          );
        }
    }
    for (const versus of BASELINES)
      for (const encoding of ENCODINGS) {
        const pick = (run: number, contender: Contender) => result.runs.find((r) => r.run === run && r.contender === contender && r.encoding === encoding)!;
        const ratio = (f: (r: FederationRun) => number) => Array.from({ length: plan.runs }, (_, i) => f(pick(i + 1, 'hague')) / f(pick(i + 1, versus)));
        result.ratios.push({
          encoding,
          versus,
          throughput: ratio((r) => r.throughput),
          p50: ratio((r) => r.p50),
          p99: ratio((r) => r.p99),
          cpu: ratio((r) => r.cpuMsPerRequest),
          gc: ratio((r) => r.gcMsPerRequest),
        });
      }
  } finally {
    await stopAll();
    rmSync(keysDir, { recursive: true, force: true });
  }
  result.seconds = (performance.now() - started) / 1000;
  mkdirSync(dirname(options.json), { recursive: true });
  writeFileSync(options.json, `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

const spread = (values: number[], digits = 2) =>
  values.length > 1
    ? `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`
    : values[0].toFixed(digits);

/** The markdown tables: every run, then hague/stock per encoding (median over runs, min–max). */
export function federationTable(result: FederationResult): string {
  const lines = [
    `${result.command} — ${result.startedAt.slice(0, 16).replace('T', ' ')} UTC, commit ${result.machine.commit}; ${result.machine.nproc} CPUs (${result.machine.cpu}), Node ${result.machine.node}`,
    `${result.plan.runs} run(s); per run and gateway and encoding ${result.plan.warmupSeconds} s warm-up then ${result.plan.loadSeconds} s at ${result.plan.connections} connections; answer ${(result.answerBytes / 1024).toFixed(1)} KB uncompressed`,
    '',
    '| run | gateway | Accept-Encoding | answered with | req/s | p50 ms | p99 ms | gateway CPU ms/req | gateway GC ms/req (scavenges, mark-compacts per 100 req) | subgraphs CPU ms/req | errors / mismatches | samples | load avg |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...result.runs.map(
      (r) =>
        `| ${r.run} | ${r.contender} | ${r.encoding === 'identity' ? 'none' : 'br, gzip'} | ${r.answeredWith} | ${r.throughput.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ` +
        `${r.cpuMsPerRequest.toFixed(2)} | ${r.gcMsPerRequest.toFixed(2)} (${r.scavengesPer100.toFixed(0)}, ${r.markCompactsPer100.toFixed(1)}) | ${r.subgraphCpuMsPerRequest.toFixed(2)} | ${r.errors + r.non2xx} / ${r.mismatches} | ${r.sampled}${r.sampleProblems.length ? ` (${r.sampleProblems.length} bad)` : ''} | ${r.loadAverage.toFixed(1)} |`,
    ),
    '',
    `hague / stock (the gateways) and hague / hague-defaults (the launcher's Node flags: ${result.hagueFlags.join(' ') || 'none'}), median over runs (min–max):`,
    '',
    '| ratio | Accept-Encoding | throughput | p50 | p99 | CPU per request | GC pauses per request |',
    '|---|---|---|---|---|---|---|',
    ...result.ratios.map(
      (q) =>
        `| hague / ${q.versus} | ${q.encoding === 'identity' ? 'none' : 'br, gzip'} | ${spread(q.throughput)}× | ${spread(q.p50)}× | ${spread(q.p99)}× | ${spread(q.cpu)}× | ${spread(q.gc)}× |`,
    ),
    '',
    result.problems.length
      ? `Problems:\n${result.problems.map((p) => `- ${p}`).join('\n')}`
      : 'Every checked answer (before, sampled during, after each load) held the same data, no errors.',
    '',
  ];
  return lines.join('\n');
}
