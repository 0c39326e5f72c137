import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { JWK } from 'jose';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { openStore, type Store } from '../subgraphs/member/store.ts';
import { buildMemberApp } from '../subgraphs/member/server.ts';
import { loadReleasePolicy } from '../subgraphs/member/release-policy.ts';
import { queryDigest, type AuditEntry } from '../subgraphs/member/audit-entry.ts';
import type { Caller } from '../common/caller.ts';
import { ABAOUD, insertFixture } from './support/member-fixture.ts';
import { caller, contextHeaders, testGatewayKeys } from './support/tokens.ts';

/**
 * The owner's audit entries stand on their own: the records by id (whatever the query selected or
 * aliased), their fields by schema coordinate, the criteria, and how the request ended, for every
 * request NL answers or refuses. Direct to the member app, with real context tokens.
 */

/** Holds the result of the next statement on a table until a time has passed: a slow query, without a clock. */
class SlowTable implements KyselyPlugin {
  slow: { table: string; until: number } | null = null;
  readonly #pending = new Map<unknown, string>();
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.#pending.set(args.queryId, JSON.stringify(args.node));
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const node = this.#pending.get(args.queryId) ?? '';
    this.#pending.delete(args.queryId);
    const slow = this.slow;
    if (slow && node.includes(`"name":"${slow.table}"`)) {
      this.slow = null;
      while (Date.now() <= slow.until) await new Promise((resolve) => setTimeout(resolve, slow.until - Date.now() + 1));
    }
    return args.result;
  }
}

const folder = mkdtempSync(join(tmpdir(), 'hague-audit-entry-'));
const slow = new SlowTable();
let store: Store;
let app: FastifyInstance;
/** The same state, sending answers of at most 100 bytes. */
let capped: FastifyInstance;
let keys: { privateJwk: JWK; publicJwk: JWK };
let requests = 0;

beforeAll(async () => {
  const opened = await openStore(join(folder, 'nl.db'), 'NL');
  await insertFixture(opened);
  store = { ...opened, db: opened.db.withPlugin(slow) };
  keys = await testGatewayKeys();
  app = await buildMemberApp({ state: 'NL', store, gatewayPublicKey: keys.publicJwk, policy: loadReleasePolicy('config/policies', 'NL') });
  capped = await buildMemberApp({
    state: 'NL',
    store,
    gatewayPublicKey: keys.publicJwk,
    policy: loadReleasePolicy('config/policies', 'NL'),
    maxAnswerBytes: 100,
  });
});
afterAll(async () => {
  await app?.close();
  await capped?.close();
  await store?.close();
  rmSync(folder, { recursive: true, force: true });
});

/** Asks NL as `who` (a fresh request id), and returns the answer and the audit entry NL wrote for it. */
async function ask(
  who: Partial<Caller>,
  query: string,
  options: { variables?: object; deadline?: number; headers?: Record<string, string>; to?: FastifyInstance } = {},
) {
  const requestId = `audit-entry-${++requests}`;
  const payload = JSON.stringify({ query, variables: options.variables });
  const response = await (options.to ?? app).inject({
    method: 'POST',
    url: '/graphql',
    headers: {
      'content-type': 'application/json',
      ...options.headers,
      ...(await contextHeaders(keys.privateJwk, 'NL', caller({ ...who, requestId }), payload, options.deadline)),
    },
    payload,
  });
  const rows = await store.db.selectFrom('audit_log').selectAll().where('request_id', '=', requestId).execute();
  expect(rows).toHaveLength(1);
  return { status: response.statusCode, body: response.json(), entry: JSON.parse(rows[0].entry!) as AuditEntry, requestId, digest: queryDigest(query) };
}

const BE: Partial<Caller> = { state: 'BE', subject: 'be-analyst-3', caseReference: 'BE-CASE-12' };
const DE: Partial<Caller> = { state: 'DE', subject: 'de-analyst-9' };
const ES: Partial<Caller> = { state: 'ES', subject: 'es-analyst-1' };
const who = (c: Partial<Caller>) => {
  const full = caller(c);
  return { state: full.state, agency: full.agency, subject: full.subject, roles: full.roles, clearance: full.clearance };
};
/** The entry's fields every case shares. */
const entryOf = (c: Partial<Caller>, requestId: string, digest: string, rest: Partial<AuditEntry>) => ({
  requestId,
  at: expect.any(String),
  caller: who(c),
  purpose: 'counter-terrorism',
  caseReference: c.caseReference ?? null,
  operation: { name: null, digest },
  ...rest,
});
const tierReason = (granted: string, partner: string, field: string, tier: string) =>
  `NL releases ${granted}-tier fields to ${partner}; ${field} is ${tier}-tier. Ask NL's contact point for more`;

describe('what an answer released, record by record', () => {
  it('records the record, its fields by coordinate and the criteria, whatever the response keys (BE, FULL)', async () => {
    const query = '{ persons(filter: { name: "Abaaoud" }) { a: givenName b: documents { n: number } } }';
    const { body, entry, requestId, digest } = await ask(BE, query);
    expect(body).toEqual({
      data: { persons: [{ a: 'Abdelhamid', b: [{ n: ABAOUD.passport }] }] },
      extensions: { hague: { lists: { persons: { returned: 1, more: false, scores: [1] } } } },
    });
    expect(entry).toEqual(
      entryOf(BE, requestId, digest, {
        criteria: [{ field: 'persons', args: { filter: { name: 'Abaaoud' } } }],
        records: [{ type: 'Person', id: ABAOUD.id, tier: 'FULL', released: ['Person.documents', 'Person.givenName'], withheld: [], hitOnly: false }],
        outcome: 'answered',
      }),
    );
    const row = await store.db.selectFrom('audit_log').selectAll().where('request_id', '=', requestId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ caller_state: 'BE', caller_subject: 'be-analyst-3', case_reference: 'BE-CASE-12' });
    expect(JSON.parse(row.released)).toEqual({ records: [ABAOUD.id], fields: ['Person.documents', 'Person.givenName'] });
  });

  it('records the real id when the query aliases another field as id', async () => {
    const query = `query Lookup($id: ID!) { person(memberState: NL, id: $id) { id: background } }`;
    const { body, entry, requestId, digest } = await ask(BE, query, { variables: { id: ABAOUD.id } });
    expect(body.data).toEqual({ person: { id: 'Background of Abdelhamid Abaaoud.' } });
    expect(entry).toEqual({
      ...entryOf(BE, requestId, digest, {
        criteria: [{ field: 'person', args: { memberState: 'NL', id: ABAOUD.id } }],
        records: [{ type: 'Person', id: ABAOUD.id, tier: 'FULL', released: ['Person.background'], withheld: [], hitOnly: false }],
        outcome: 'answered',
      }),
      operation: { name: 'Lookup', digest },
    });
  });

  it('follows fragments, inline fragments and _entities, and records withheld fields with their reasons (DE, SUMMARY)', async () => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { ...P } ... on Organisation { n: name m: members { role } } } }
      fragment P on Person { g: givenName ... on Person { d: documents { number } } }`;
    const representations = [
      { __typename: 'Person', memberState: 'NL', id: ABAOUD.id },
      { __typename: 'Organisation', memberState: 'NL', id: 'T-O-001' },
    ];
    const { body, entry, requestId, digest } = await ask(DE, query, { variables: { r: representations } });
    expect(body.data).toEqual({
      _entities: [
        { g: 'Abdelhamid', d: null },
        { n: 'Katibat al-Battar', m: null },
      ],
    });
    expect(entry).toEqual(
      entryOf(DE, requestId, digest, {
        criteria: [{ field: '_entities', args: { representations } }],
        records: [
          {
            type: 'Person',
            id: ABAOUD.id,
            tier: 'SUMMARY',
            released: ['Person.givenName'],
            withheld: [{ field: 'Person.documents', code: 'NOT_RELEASED', reason: tierReason('SUMMARY', 'DE', 'documents', 'FULL') }],
            hitOnly: false,
          },
          {
            type: 'Organisation',
            id: 'T-O-001',
            tier: 'SUMMARY',
            released: ['Organisation.name'],
            withheld: [{ field: 'Organisation.members', code: 'NOT_RELEASED', reason: tierReason('SUMMARY', 'DE', 'members', 'FULL') }],
            hitOnly: false,
          },
        ],
        outcome: 'answered',
      }),
    );
  });

  it('records records reached through others (affiliations), once per record', async () => {
    const query = `{ p1: person(memberState: NL, id: "${ABAOUD.id}") { familyName affiliations { organisation { name } } }
      p2: person(memberState: NL, id: "${ABAOUD.id}") { id } }`;
    const { entry } = await ask(BE, query);
    expect(entry.records).toEqual([
      { type: 'Person', id: ABAOUD.id, tier: 'FULL', released: ['Person.affiliations', 'Person.familyName', 'Person.id'], withheld: [], hitOnly: false },
      { type: 'Organisation', id: 'T-O-001', tier: 'FULL', released: ['Organisation.name'], withheld: [], hitOnly: false },
    ]);
    expect(entry.criteria).toEqual([
      { field: 'person', args: { memberState: 'NL', id: ABAOUD.id } },
      { field: 'person', args: { memberState: 'NL', id: ABAOUD.id } },
    ]);
  });

  it('records a hit-only answer (ES, HIT) with what was kept back', async () => {
    const query = '{ persons(filter: { name: "Abdelhamid Abaaoud", dateOfBirth: "1987-04-08" }) { id givenName contact { reference } } }';
    const { body, entry, requestId, digest } = await ask(ES, query);
    expect(body.data).toEqual({ persons: [{ id: ABAOUD.id, givenName: null, contact: { reference: `REF-${ABAOUD.id}` } }] });
    expect(entry).toEqual(
      entryOf(ES, requestId, digest, {
        criteria: [{ field: 'persons', args: { filter: { name: 'Abdelhamid Abaaoud', dateOfBirth: '1987-04-08' } } }],
        records: [
          {
            type: 'Person',
            id: ABAOUD.id,
            tier: 'HIT',
            released: ['Person.contact', 'Person.id'],
            withheld: [{ field: 'Person.givenName', code: 'NOT_RELEASED', reason: tierReason('HIT', 'ES', 'givenName', 'SUMMARY') }],
            hitOnly: true,
          },
        ],
        outcome: 'answered',
      }),
    );
  });

  it("takes the client's correlation id when the gateway passes it on", async () => {
    const { entry } = await ask(BE, `{ person(memberState: NL, id: "${ABAOUD.id}") { id } }`, { headers: { 'x-correlation-id': 'client-corr-7' } });
    expect(entry.correlationId).toBe('client-corr-7');
  });
});

describe('refusals and answers that did not leave are entries too', () => {
  it('a search the profile does not offer (ES by name alone)', async () => {
    const query = '{ persons(filter: { name: "Abaaoud" }) { id } }';
    const { body, entry, requestId, digest } = await ask(ES, query);
    const reason = body.errors[0].message as string;
    expect(reason).toContain('NL does not let ES (HIT tier) search persons by name alone');
    expect(entry).toEqual(
      entryOf(ES, requestId, digest, {
        criteria: [{ field: 'persons', args: { filter: { name: 'Abaaoud' } }, refused: { code: 'NOT_RELEASED', reason } }],
        records: [],
        outcome: 'refused',
        code: 'NOT_RELEASED',
        reason,
      }),
    );
  });

  it('a request over the search budget (ES: 10 an hour)', async () => {
    const fields = Array.from({ length: 11 }, (_, i) => `g${i}: persons(filter: { documentNumber: "X${i}" }) { id }`);
    const query = `{ ${fields.join(' ')} }`;
    const budgeted = { ...ES, subject: 'es-budget-probe' };
    const { status, body, entry, requestId, digest } = await ask(budgeted, query);
    expect(status).toBe(429);
    expect(entry).toEqual(
      entryOf(budgeted, requestId, digest, {
        criteria: Array.from({ length: 11 }, (_, i) => ({ field: 'persons', args: { filter: { documentNumber: `X${i}` } } })),
        records: [],
        outcome: 'refused',
        code: 'RATE_LIMITED',
        reason: body.errors[0].message,
      }),
    );
  });

  it('a request past the input bounds, refused before execution', async () => {
    const query = 'query($name: String) { persons(filter: { name: $name }) { id } }';
    const name = 'A'.repeat(101);
    const { status, entry, requestId, digest } = await ask(BE, query, { variables: { name } });
    expect(status).toBe(400);
    expect(entry).toEqual(
      entryOf(BE, requestId, digest, {
        criteria: [{ field: 'persons', args: { filter: { name } } }],
        records: [],
        outcome: 'refused',
        code: 'BAD_USER_INPUT',
        reason: 'filter.name may have at most 100 characters (got 101): search for one name at a time',
      }),
    );
  });

  it('an answer abandoned at its deadline: nothing released', async () => {
    const deadline = Date.now() + 1000;
    slow.slow = { table: 'identity_documents', until: deadline };
    const query = `{ person(memberState: NL, id: "${ABAOUD.id}") { id documents { number } } }`;
    const { body, entry, requestId, digest } = await ask(BE, query, { deadline });
    expect(body.data).toBeNull();
    expect(entry).toEqual(
      entryOf(BE, requestId, digest, {
        criteria: [{ field: 'person', args: { memberState: 'NL', id: ABAOUD.id } }],
        records: [],
        outcome: 'abandoned',
        code: 'MEMBER_UNAVAILABLE',
        reason: 'NL stopped this request at its deadline: the gateway no longer waits for it, so nothing is released',
      }),
    );
  });

  it('an answer withheld for its size: nothing released', async () => {
    const query = `{ person(memberState: NL, id: "${ABAOUD.id}") { id background travel { carrier at } } }`;
    const { body, entry, requestId, digest } = await ask(BE, query, { to: capped });
    expect(body.data).toBeNull();
    expect(entry).toEqual(
      entryOf(BE, requestId, digest, {
        criteria: [{ field: 'person', args: { memberState: 'NL', id: ABAOUD.id } }],
        records: [],
        outcome: 'withheld',
        code: 'QUERY_TOO_COMPLEX',
        reason: "NL's answer would be larger than 100 bytes: nothing of it is released; ask for fewer records (first) or fewer fields",
      }),
    );
  });
});
