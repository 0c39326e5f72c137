import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import type { JWK } from 'jose';
import { openAuditLog, verifyAuditLog, type AuditLog } from '../common/audit-log.ts';
import { contextAudience, unsignedContextToken } from '../common/context-token.ts';
import { openStore, type Store } from '../subgraphs/member/store.ts';
import { buildMemberApp } from '../subgraphs/member/server.ts';
import { loadReleasePolicy } from '../subgraphs/member/release-policy.ts';
import { insertFixture } from './support/member-fixture.ts';
import { caller, contextHeaders, testGatewayKeys } from './support/tokens.ts';

/**
 * Requests a member refuses before any resolver runs are on its record too: without a valid
 * context token (counted per address and reason, the first one at once), and a known caller's
 * document that mercurius refused (syntax, validation). Over real HTTP, into the state's own
 * hash-chained audit log.
 */

const folder = mkdtempSync(join(tmpdir(), 'hague-audit-refusals-'));
const auditFile = join(folder, 'NL.audit.db');
let store: Store;
let app: FastifyInstance;
let url: string;
let keys: { privateJwk: JWK; publicJwk: JWK };
let auditKeys: { privateJwk: JWK; publicJwk: JWK };
let auditLog: AuditLog;

beforeAll(async () => {
  store = await openStore(join(folder, 'nl.db'), 'NL');
  await insertFixture(store);
  keys = await testGatewayKeys();
  auditKeys = await testGatewayKeys();
  auditLog = await openAuditLog(auditFile, { owner: 'NL', signingKey: { ...auditKeys.privateJwk, alg: 'ES256' }, checkpointIntervalMs: 0 });
  app = await buildMemberApp({ state: 'NL', store, auditLog, gatewayPublicKey: keys.publicJwk, policy: loadReleasePolicy('config/policies', 'NL') });
  url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/graphql`;
});
afterAll(async () => {
  await app?.close();
  await auditLog?.close();
  await store?.close();
  rmSync(folder, { recursive: true, force: true });
});

function entries(): Array<{ seq: number; kind: string; entry: Record<string, unknown> }> {
  const db = new SQLite(auditFile, { readonly: true });
  try {
    const rows = db.prepare('SELECT seq, kind, entry FROM entries ORDER BY seq').all() as Array<{ seq: number; kind: string; entry: string }>;
    return rows.map((r) => ({ ...r, entry: JSON.parse(r.entry) as Record<string, unknown> }));
  } finally {
    db.close();
  }
}

async function post(
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: { errors?: Array<{ extensions?: { code?: string } }> } }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: response.status, body: (await response.json()) as { errors?: Array<{ extensions?: { code?: string } }> } };
}

/** Waits until the log has more than `count` entries (refusals are appended after the 401 is sent). */
async function entriesAfter(count: number): Promise<ReturnType<typeof entries>> {
  for (let i = 0; i < 100; i++) {
    const all = entries();
    if (all.length > count) return all.slice(count);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no audit entry after entry ${count}`);
}

const BE = caller({ state: 'BE', subject: 'be-analyst-7', caseReference: 'BE-CASE-40' });

it('records the first refusal without a token at once, and sums the rest of that minute from that address into one entry', async () => {
  const before = entries().length;
  const body = JSON.stringify({ query: '{ persons(filter: { name: "Abaaoud" }) { id } }' });
  for (let i = 0; i < 3; i++) expect((await post(body)).status).toBe(401);
  const [first, ...rest] = await entriesAfter(before);
  expect(first.kind).toBe('rejected');
  expect(first.entry).toEqual({
    at: expect.any(String),
    outcome: 'rejected',
    code: 'UNAUTHENTICATED',
    reason: 'no context token',
    from: '127.0.0.1',
    method: 'POST',
    path: '/graphql',
    count: 1,
  });
  expect(rest).toEqual([]); // the other two wait for the end of the minute (or the shutdown)

  const forged = await post(body, { 'x-hague-context': 'eyJhbGciOiJFUzI1NiJ9.e30.AAAA' });
  expect(forged.status).toBe(401);
  const [rejected] = await entriesAfter(before + 1);
  expect(rejected.entry).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/^context token rejected \(/), from: '127.0.0.1', count: 1 });
});

it('refuses an unsigned context token (alg none, what only the bench-only switch reads) with every claim right', async () => {
  const payload = JSON.stringify({ query: '{ persons(filter: { documentNumber: "EH 123 456 7" }) { id } }' });
  const unsigned = unsignedContextToken({ ...BE, requestId: 'unsigned-1' }, contextAudience('NL'), { body: payload, deadline: Date.now() + 10_000 });
  const before = entries().length;
  const answer = await post(payload, { 'x-hague-context': unsigned });
  expect(answer.status).toBe(401);
  expect(answer.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  const [rejected] = await entriesAfter(before);
  expect(rejected.entry).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/^context token rejected \(/), count: 1 });
});

it("records a replayed token's refusal with the caller the token names", async () => {
  const payload = JSON.stringify({ query: '{ persons(filter: { documentNumber: "EH 123 456 7" }) { id } }' });
  const headers = await contextHeaders(keys.privateJwk, 'NL', { ...BE, requestId: 'replay-1' }, payload);
  const before = entries().length;
  expect((await post(payload, headers)).status).toBe(200);
  expect((await post(payload, headers)).status).toBe(401);
  const after = await entriesAfter(before + 1);
  expect(entries()[before].entry).toMatchObject({ outcome: 'answered', requestId: 'replay-1' });
  expect(after[0].entry).toEqual({
    at: expect.any(String),
    outcome: 'rejected',
    code: 'UNAUTHENTICATED',
    reason: 'context token rejected (already used: one token authorizes one request)',
    from: '127.0.0.1',
    method: 'POST',
    path: '/graphql',
    caller: { state: 'BE', subject: 'be-analyst-7', requestId: 'replay-1' },
    requestId: 'replay-1',
    count: 1,
  });
});

it("records a known caller's document that mercurius refused (syntax, validation) as refused, with its criteria when it parsed", async () => {
  const cases = [
    { requestId: 'syntax-1', query: '{ persons(filter: { name: "Abaaoud" }) { id ', status: 400, code: 'GRAPHQL_PARSE_FAILED' },
    { requestId: 'validation-1', query: '{ persons(filter: { name: "Abaaoud" }) { id nosuchfield } }', status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  ];
  for (const c of cases) {
    const payload = JSON.stringify({ query: c.query });
    const before = entries().length;
    const answer = await post(payload, await contextHeaders(keys.privateJwk, 'NL', { ...BE, requestId: c.requestId }, payload));
    expect(answer.status).toBe(c.status);
    const [entry] = await entriesAfter(before);
    expect(entry.kind).toBe('refused');
    expect(entry.entry).toMatchObject({
      requestId: c.requestId,
      caller: { state: 'BE', subject: 'be-analyst-7' },
      caseReference: 'BE-CASE-40',
      outcome: 'refused',
      code: answer.body.errors?.[0]?.extensions?.code ?? `HTTP_${c.status}`,
      records: [],
    });
    expect(entry.entry.reason).toEqual(expect.any(String));
    if (c.requestId === 'validation-1') expect(entry.entry.criteria).toEqual([expect.objectContaining({ field: 'persons' })]);
    else expect(entry.entry.criteria).toEqual([]);
  }
});

it('writes the summed refusals at shutdown, and the log still verifies', async () => {
  await app.close(); // as startMember does: the app first (its hooks append), then the log
  await auditLog.close();
  const summaries = entries().filter((e) => e.kind === 'rejected' && (e.entry.count as number) > 1);
  expect(summaries).toEqual([
    expect.objectContaining({
      entry: expect.objectContaining({ reason: 'no context token', from: '127.0.0.1', count: 2, since: expect.any(String), until: expect.any(String) }),
    }),
  ]);
  expect(await verifyAuditLog(auditFile, auditKeys.publicJwk)).toMatchObject({ ok: true, entries: entries().length });
});
