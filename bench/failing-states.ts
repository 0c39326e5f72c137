/**
 * The gateway while a state hangs or answers too much (issue 13, items 1 and 3):
 * `npx tsx bench/failing-states.ts` (PHASE_MS=15000 by default).
 *
 * A child process runs the gateway with two real member states (NL, BE; SQLite, one record each)
 * and two stand-in states FR and DE served by this process: in the baseline they answer a small
 * valid GraphQL answer; then FR hangs (accepts, never answers: its circuit breaker opens); then FR
 * sends a valid 50 MB answer and DE an endless one. After a warm-up, 20 clients send the same joint
 * query in a loop for each phase; the child's RSS is sampled every 100 ms. Reported:
 * answers per second, how many answers carried NL's and BE's records, MEMBER_UNAVAILABLE reasons,
 * and the child's RSS (median and peak per phase), baseline first and again at the end.
 * The child's RSS is the gateway's plus two small members'.
 */
import { fork } from 'node:child_process';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const CLIENTS = 20;
const PHASE_MS = Number(process.env.PHASE_MS ?? 15_000);
const QUERY = '{ persons(filter: { name: "Abaaoud" }) { memberState id } }';

type Mode = 'small' | 'hung' | 'huge' | 'endless';

async function child(): Promise<void> {
  const { startNetwork, DEFAULT_PERSONA } = await import('../test/support/network.ts');
  const [fr, de] = process.argv.slice(3);
  const net = await startNetwork({
    states: ['NL', 'BE'],
    data: { NL: [{ id: 'NL-1', givenName: 'Abdelhamid', familyName: 'Abaaoud' }], BE: [{ id: 'BE-7', givenName: 'Abdel-Hamid', familyName: 'Abaoud' }] },
    timeoutMs: 2000,
    peers: [
      { code: 'FR', url: fr },
      { code: 'DE', url: de },
    ],
    gateway: { rateLimit: false },
  });
  // One caller per client, so that no member's search budget (per caller) runs out during the bench.
  const headers = await Promise.all(
    Array.from({ length: CLIENTS }, (_, i) =>
      net.as({ ...DEFAULT_PERSONA, roles: [...DEFAULT_PERSONA.roles], scopes: [...DEFAULT_PERSONA.scopes], subject: `bench-analyst-${i}` }),
    ),
  );
  process.on('message', (m: { type: string }) => {
    if (m.type === 'rss') process.send!({ type: 'rss', rss: process.memoryUsage.rss(), heap: process.memoryUsage().heapUsed });
    if (m.type === 'stop') void net.close().then(() => process.exit(0));
  });
  process.send!({ type: 'ready', url: net.url, headers });
}

/** FR and DE: small answers, a valid 50 MB answer, or an endless one, switched between phases. */
async function standIn(state: string, big: Mode, current: () => Mode): Promise<{ url: string; close(): void }> {
  const one = `{"memberState":"${state}","id":"${state}-000000"},`;
  const chunk = Buffer.from(one.repeat(Math.floor(65_536 / one.length)));
  const open = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const mode = current();
      // The gateway's breaker probe ({ __typename }) is answered like any other request in this mode.
      const probe = body.includes('__typename') && !body.includes('persons');
      open.add(res);
      res.on('close', () => open.delete(res));
      if (mode === 'hung') return; // FR only: never answers
      res.writeHead(200, { 'content-type': 'application/json' });
      if (mode === 'small') {
        return res.end(probe ? '{"data":{"__typename":"Query"}}' : `{"data":{"persons":[{"memberState":"${state}","id":"${state}-1"}]}}`);
      }
      res.write('{"data":{"persons":[');
      let sent = 0;
      const pour = () => {
        while (!res.destroyed && (big === 'endless' || sent < 50_000_000)) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pour);
        }
        if (!res.destroyed) res.end(`{"memberState":"${state}","id":"${state}-last"}]}}`);
      };
      pour();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    close: () => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      server.close();
    },
  };
}

async function main(): Promise<void> {
  let mode: Mode = 'small';
  const fr = await standIn('FR', 'huge', () => mode);
  const de = await standIn('DE', 'endless', () => (mode === 'hung' ? 'small' : mode));
  const proc = fork(fileURLToPath(import.meta.url), ['--child', fr.url, de.url], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, APOLLO_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
  });
  const ready = await new Promise<{ url: string; headers: Array<Record<string, string>> }>((resolve) =>
    proc.on('message', (m: { type: string; url: string; headers: Array<Record<string, string>> }) => m.type === 'ready' && resolve(m)),
  );
  const rss = () =>
    new Promise<{ rss: number; heap: number }>((resolve) => {
      const on = (m: { type: string; rss: number; heap: number }) => {
        if (m.type !== 'rss') return;
        proc.off('message', on);
        resolve(m);
      };
      proc.on('message', on);
      proc.send({ type: 'rss' });
    });

  const rows: string[] = [];
  const phase = async (name: string, m: Mode, report = true) => {
    mode = m;
    const samples: number[] = [];
    let stop = false;
    const sampler = (async () => {
      while (!stop) {
        samples.push((await rss()).rss);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    let answers = 0;
    let healthy = 0;
    const latencies: number[] = [];
    const reasons = new Map<string, number>();
    const until = Date.now() + PHASE_MS;
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        while (Date.now() < until) {
          const started = performance.now();
          const res = await fetch(ready.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...ready.headers[client] },
            body: JSON.stringify({ query: QUERY }),
          });
          const body = (await res.json()) as {
            data?: { persons?: Array<{ memberState: string }> };
            errors?: Array<{ extensions?: { reason?: string; memberState?: string } }>;
          };
          latencies.push(performance.now() - started);
          answers++;
          const states = new Set(body.data?.persons?.map((p) => p.memberState));
          if (states.has('NL') && states.has('BE')) healthy++;
          for (const e of body.errors ?? []) {
            const key = `${e.extensions?.memberState ?? '?'} ${e.extensions?.reason ?? '?'}`;
            reasons.set(key, (reasons.get(key) ?? 0) + 1);
          }
        }
      }),
    );
    stop = true;
    await sampler;
    samples.sort((a, b) => a - b);
    latencies.sort((a, b) => a - b);
    const mb = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;
    const pct = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))]);
    if (!report) return;
    rows.push(
      `| ${name} | ${(answers / (PHASE_MS / 1000)).toFixed(0)} | ${pct(0.5)} / ${pct(0.99)} | ${healthy} of ${answers} | ${[...reasons].map(([k, v]) => `${k} ${v}`).join(', ') || '-'} | ${mb(samples[Math.floor(samples.length / 2)])} | ${mb(samples[samples.length - 1])} |`,
    );
    console.error(rows[rows.length - 1]);
  };

  await phase('warm-up', 'small', false);
  await phase('baseline (FR, DE small answers)', 'small');
  await phase('FR hung (accepts, never answers)', 'hung');
  await phase('baseline after FR hung', 'small');
  await phase('FR 50 MB, DE endless', 'huge');
  await phase('baseline again', 'small');
  console.log(
    `\n${CLIENTS} clients, ${PHASE_MS / 1000} s per phase, gateway defaults (2 s per state, breaker 5 failures / 5 s, 16 MiB per answer, 64 MiB in flight)\n`,
  );
  console.log('| phase | answers/s | p50 / p99 ms | answers with NL and BE | MEMBER_UNAVAILABLE (state reason count) | RSS median | RSS peak |');
  console.log('|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
  proc.send({ type: 'stop' });
  await new Promise((resolve) => proc.once('exit', resolve));
  fr.close();
  de.close();
}

if (process.argv[2] === '--child') await child();
else await main();
