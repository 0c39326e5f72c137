import type { IncomingMessage } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureKeyPair } from '../common/dev-keys.ts';
import { devIssuer, devKeyName } from '../common/dev-identity.ts';
import type { MemberConfig } from '../gateway/members-config.ts';
import { startGateway, type RunningGateway } from '../gateway/server.ts';
import { startMember, type RunningMember } from '../subgraphs/member/server.ts';
import { startRelay, type Relay } from './support/relay.ts';
import { DEFAULT_PERSONA, insertPersons, openPolicy, postQuery, startNetwork, type TestNetwork } from './support/network.ts';

/**
 * Replicas of a state (gateway/replicas.ts): two real NL member processes' servers over ONE
 * database. The gateway balances across them; when one is stopped, every query still answers with
 * NL's data (a connection refused before any answer is retried on the other replica); with
 * hedgeAfterMs, a replica whose answers are slow is overtaken by the other, and NL's search budget
 * is charged once per caller request although both replicas did the work (and audited it).
 */

const NL = [{ id: 'NL-1', givenName: 'Abdelhamid', familyName: 'Abaaoud' }];
const BE = [{ id: 'BE-7', givenName: 'Abdel-Hamid', familyName: 'Abaoud' }];
const QUERY = `{ persons(filter: { name: "Abaaoud" }) { memberState id } }`;
const EVERYONE = [
  { memberState: 'NL', id: 'NL-1' },
  { memberState: 'BE', id: 'BE-7' },
];
/** Every state's records, and no error: the per-state counts ride along (search-counts.test.ts asserts them). */
const ANSWERED = { data: { persons: EVERYONE }, extensions: { hague: { states: expect.any(Object) } } };

interface Answer {
  data: { persons: Array<{ memberState: string; id: string }> } | null;
  errors?: Array<{ message: string; extensions: Record<string, unknown> }>;
}

type Counted = RunningMember & { requests(): number };

let net: TestNetwork;
let folder: string;
let headers: Record<string, string>;
const cleanup: Array<() => Promise<void>> = [];

/** One NL replica over `database`, counting the GraphQL requests it receives. */
async function replica(database: string): Promise<Counted> {
  const { publicJwk } = await ensureKeyPair(net.keysDir, 'gateway');
  const member = await startMember({ state: 'NL', database, gatewayPublicKey: publicJwk, policy: openPolicy('NL') });
  let count = 0;
  member.app.server.prependListener('request', (req: IncomingMessage) => {
    if (req.method === 'POST' && req.url?.startsWith('/graphql')) count++;
  });
  let closed = false;
  const stop = member.close.bind(member);
  const close = async () => {
    if (closed) return;
    closed = true;
    await stop();
  };
  cleanup.push(close);
  return Object.assign(member, { requests: () => count, close });
}

/** A gateway over BE (from the network) and NL at `urls`. */
async function gatewayOver(urls: string[], extra: Partial<MemberConfig> = {}): Promise<RunningGateway> {
  const nl: MemberConfig = {
    code: 'NL',
    name: 'Netherlands',
    url: urls[0],
    urls,
    timeoutMs: 5000,
    issuer: devIssuer('NL'),
    publicKeys: [{ file: join(net.keysDir, `${devKeyName('NL')}.jwk`) }],
    ...extra,
  };
  const gateway = await startGateway({ supergraphSdl: net.supergraphSdl, security: net.security, members: [nl, ...net.memberConfigs] });
  cleanup.push(() => gateway.close());
  return gateway;
}

const ask = async (gateway: RunningGateway) => (await postQuery(gateway.url, QUERY, undefined, headers)).body as unknown as Answer;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'hague-replicas-'));
  net = await startNetwork({ states: ['BE'], data: { BE }, timeoutMs: 5000 });
  headers = await net.as({ ...DEFAULT_PERSONA, roles: [...DEFAULT_PERSONA.roles], scopes: [...DEFAULT_PERSONA.scopes], subject: 'nl-replica-analyst' });
});
afterAll(async () => {
  for (const close of cleanup.reverse()) await close().catch(() => {});
  await net?.close();
  rmSync(folder, { recursive: true, force: true });
});

describe('two replicas of NL on one database', () => {
  let a: Counted;
  let b: Counted;
  let gateway: RunningGateway;

  beforeAll(async () => {
    const database = join(folder, 'nl-1.db');
    a = await replica(database);
    b = await replica(database);
    await insertPersons(a.store, NL);
    gateway = await gatewayOver([a.url, b.url]);
  });

  it('balances the queries across both', async () => {
    for (let i = 0; i < 8; i++) expect(await ask(gateway)).toEqual(ANSWERED);
    expect(a.requests()).toBeGreaterThan(0);
    expect(b.requests()).toBeGreaterThan(0);
    expect(a.requests() + b.requests()).toBe(8);
  });

  it('keeps answering with NL data, 0 failures, when one replica is stopped', async () => {
    await b.close();
    const answers = [];
    for (let i = 0; i < 20; i++) answers.push(await ask(gateway));
    // Sequential and concurrent: every answer has NL's record and no error.
    answers.push(...(await Promise.all(Array.from({ length: 6 }, () => ask(gateway)))));
    for (const answer of answers) expect(answer).toEqual(ANSWERED);

    const base = gateway.url.replace(/\/graphql$/, '');
    const ready = (await (await fetch(`${base}/readyz`)).json()) as {
      memberStates: Record<string, { up: boolean; circuit: string; replicas: Array<{ url: string; up: boolean; circuit: string }> }>;
    };
    expect(ready.memberStates.NL.up).toBe(true);
    expect(ready.memberStates.NL.circuit).toBe('closed');
    expect(ready.memberStates.NL.replicas).toEqual([
      expect.objectContaining({ url: a.url, up: true, circuit: 'closed' }),
      expect.objectContaining({ url: b.url, up: false, circuit: 'open' }),
    ]);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain(`hague_member_replica_circuit_state{member_state="NL",replica="${b.url}"} 2`);
    expect(metrics).toContain('hague_member_circuit_state{member_state="NL"} 0');
    expect(metrics).not.toMatch(/hague_member_failures_total\{member_state="NL"/);
  });

  it('answers CIRCUIT_OPEN only when every replica is open', async () => {
    await a.close();
    const reasons = new Set<unknown>();
    for (let i = 0; i < 8; i++) {
      const answer = await ask(gateway);
      expect(answer.data?.persons).toEqual([{ memberState: 'BE', id: 'BE-7' }]);
      reasons.add(answer.errors?.[0]?.extensions.reason);
    }
    expect([...reasons].sort()).toEqual(['CIRCUIT_OPEN', 'UNREACHABLE']);
    const last = await ask(gateway);
    expect(last.errors).toEqual([
      {
        message: expect.stringMatching(/^NL was not asked: all 2 replicas' circuit breakers are open after consecutive failures/),
        extensions: { code: 'MEMBER_UNAVAILABLE', memberState: 'NL', reason: 'CIRCUIT_OPEN' },
      },
    ]);
  });
});

describe('hedging: one replica slow, answers come from the other; the budget is charged once', () => {
  const QUERIES = 6;
  let fast: Counted;
  let slow: Counted;
  let relay: Relay;
  let gateway: RunningGateway;

  beforeAll(async () => {
    const database = join(folder, 'nl-2.db');
    fast = await replica(database);
    slow = await replica(database);
    await insertPersons(fast.store, NL);
    // The slow replica does the work at once (charges, audits), but its answers take 2 s to come back.
    relay = await startRelay(slow.url, { kind: 'slow', delayMs: 2000 });
    cleanup.push(() => relay.close());
    gateway = await gatewayOver([relay.url, fast.url], { hedgeAfterMs: 150 });
  });

  it('every answer has NL data, each from the fast replica', async () => {
    for (let i = 0; i < QUERIES; i++) expect(await ask(gateway)).toEqual(ANSWERED);
    expect(fast.requests()).toBe(QUERIES);
    // The slow replica was asked first for some of them (then overtaken by the hedge).
    expect(slow.requests()).toBeGreaterThan(0);
  });

  it("NL's budget counted each caller request once, while its audit has every attempt", async () => {
    const budget = await fast.store.db.selectFrom('search_budget').selectAll().where('window', '=', 'hour').execute();
    expect(budget.map((row) => ({ caller: row.caller, used: Number(row.used) }))).toEqual([{ caller: 'NL:nl-replica-analyst', used: QUERIES }]);
    const audited = await fast.store.db.selectFrom('audit_log').select('request_id').execute();
    expect(audited.length).toBe(QUERIES + slow.requests());
    expect(new Set(audited.map((row) => row.request_id)).size).toBe(QUERIES);
  });
});

describe('retried on another replica only when nothing was answered', () => {
  let good: Counted;
  let gateway: RunningGateway;
  let before: Relay;
  let after: Relay;

  beforeAll(async () => {
    const database = join(folder, 'nl-3.db');
    good = await replica(database);
    await insertPersons(good.store, NL);
    before = await startRelay(good.url, { kind: 'reset' });
    after = await startRelay(good.url, { kind: 'reset-after-headers' });
    cleanup.push(
      () => before.close(),
      () => after.close(),
    );
  });

  it('a connection reset before any answer: retried on the other replica, 0 failures', async () => {
    gateway = await gatewayOver([before.url, good.url]);
    const start = good.requests();
    for (let i = 0; i < 6; i++) expect(await ask(gateway)).toEqual(ANSWERED);
    expect(before.requests()).toBeGreaterThan(0); // it was tried, and failed before answering
    expect(good.requests() - start).toBe(6);
  });

  it('a connection closed after the answer started: not retried, NL is UNREACHABLE for that query', async () => {
    gateway = await gatewayOver([after.url, good.url]);
    const start = good.requests();
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await ask(gateway));
    const failed = answers.filter((a) => a.errors);
    const answered = answers.filter((a) => !a.errors);
    expect(after.requests()).toBe(failed.length);
    expect(failed.length).toBeGreaterThan(0);
    for (const a of failed) {
      expect(a.data?.persons).toEqual([{ memberState: 'BE', id: 'BE-7' }]);
      expect(a.errors?.map((e) => e.extensions)).toEqual([{ code: 'MEMBER_UNAVAILABLE', memberState: 'NL', reason: 'UNREACHABLE' }]);
    }
    for (const a of answered) expect(a).toEqual(ANSWERED);
    // The good replica got exactly the queries that started there: none was sent again.
    expect(good.requests() - start).toBe(answered.length);
  });
});
