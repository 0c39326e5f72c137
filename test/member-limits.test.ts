import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { JWK } from 'jose';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { openStore, type Store } from '../subgraphs/member/store.ts';
import { buildMemberApp } from '../subgraphs/member/server.ts';
import { defaultPolicy } from '../subgraphs/member/release-policy.ts';
import { ABAOUD, insertFixture } from './support/member-fixture.ts';
import { caller, contextHeaders, testGatewayKeys } from './support/tokens.ts';

/**
 * Bounded work at a member state, whatever the gateway sends: input bounds, query limits and cost
 * refused before anything is read; an answer larger than the cap withheld whole; work abandoned
 * at the gateway's deadline, nothing of it released or audited as released. Direct to the member
 * app, with real context tokens. (Time and memory of these attacks are a benchmark's, not asserted.)
 */

/**
 * Records the tables of every SQL statement that actually ran (after it ran), and can hold a
 * statement's result until the request's deadline has passed: a slow query, without a clock.
 */
class StatementLog implements KyselyPlugin {
  ran: string[] = [];
  /** Hold the result of the next statement on this table until this time (epoch ms) has passed. */
  slow: { table: string; until: number } | null = null;
  readonly #pending = new Map<unknown, string[]>();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const tables = [
      ...JSON.stringify(args.node).matchAll(
        /"kind":"TableNode","table":\{"kind":"SchemableIdentifierNode","identifier":\{"kind":"IdentifierNode","name":"([a-z_]+)"/g,
      ),
    ].map((m) => m[1]);
    this.#pending.set(args.queryId, tables);
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const tables = this.#pending.get(args.queryId) ?? [];
    this.#pending.delete(args.queryId);
    this.ran.push(tables[0] ?? '?');
    const slow = this.slow;
    if (slow && tables.includes(slow.table)) {
      this.slow = null;
      while (Date.now() <= slow.until) await new Promise((resolve) => setTimeout(resolve, slow.until - Date.now() + 1));
    }
    return args.result;
  }
}

const folder = mkdtempSync(join(tmpdir(), 'hague-limits-'));
let store: Store;
let app: FastifyInstance;
let capped: FastifyInstance;
let keys: { privateJwk: JWK; publicJwk: JWK };
const log = new StatementLog();
const NL = caller({ state: 'NL' });
let requests = 0;

beforeAll(async () => {
  const opened = await openStore(join(folder, 'nl.db'), 'NL');
  await insertFixture(opened, 20);
  // Every statement through Kysely, so the log sees each table: SQLite's synchronous transactions (transactNow) bypass plugins.
  store = { ...opened, db: opened.db.withPlugin(log), transactNow: undefined };
  keys = await testGatewayKeys();
  app = await buildMemberApp({ state: 'NL', store, gatewayPublicKey: keys.publicJwk, policy: defaultPolicy('NL') });
  capped = await buildMemberApp({ state: 'NL', store, gatewayPublicKey: keys.publicJwk, policy: defaultPolicy('NL'), maxAnswerBytes: 1000 });
});
afterAll(async () => {
  await app?.close();
  await capped?.close();
  await store?.close();
  rmSync(folder, { recursive: true, force: true });
});

/** One request as the gateway would send it; returns the answer, the tables of the SQL statements it ran and its audit record. */
async function ask(query: string, variables?: object, options: { to?: FastifyInstance; deadline?: number } = {}) {
  const requestId = `limits-${++requests}`;
  const payload = JSON.stringify({ query, variables });
  log.ran = [];
  const response = await (options.to ?? app).inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', ...(await contextHeaders(keys.privateJwk, 'NL', caller({ ...NL, requestId }), payload, options.deadline)) },
    payload,
  });
  const ran = [...log.ran];
  const audit = await store.db.selectFrom('audit_log').select(['released', 'withheld']).where('request_id', '=', requestId).executeTakeFirst();
  return {
    status: response.statusCode,
    body: response.json(),
    ran,
    audit: audit && { released: JSON.parse(audit.released), withheld: JSON.parse(audit.withheld) },
  };
}

const refusal = (message: string, extensions: Record<string, unknown>) => ({
  data: null,
  errors: [{ message, extensions: { ...extensions, memberState: 'NL' } }],
});
const badInput = (message: string, argumentName: string) => refusal(message, { argumentName, code: 'BAD_USER_INPUT' });
const tooComplex = (problem: string, measure: Record<string, unknown>) =>
  refusal(`The query is too complex: ${problem}`, { ...measure, code: 'QUERY_TOO_COMPLEX' });

/** What a request refused before execution runs: the context token's single-use record and the search budget, no search (then its audit entry). */
let refusedBeforeExecution: string[];
/** What a request the member's own bounds refuse runs: the same, and its refusal into the audit log (audit-entry.ts). */
const refusedByBounds = () => [...refusedBeforeExecution, 'audit_log'];
/** The audit record of a request refused whole, nothing read or released. */
const refusedAudit = (body: { errors: { message: string; extensions: { code: string } }[] }) => ({
  released: { records: [], fields: [] },
  withheld: [{ refused: body.errors[0].extensions.code, reason: body.errors[0].message }],
});

describe('input bounds, before anything is read', () => {
  beforeAll(async () => {
    // graphql-js's own validation refuses this: the baseline of a request that executes nothing.
    const { status, body, ran, audit } = await ask('{ persons(filter: { name: "Abaaoud" }) { nope } }');
    expect(status).toBe(400);
    // Refused by mercurius before any hook of ours: still on the owner's record (audit-refusals.ts).
    expect(body.errors[0].message).toMatch(/Cannot query field "nope"/);
    expect(audit).toEqual({ released: { records: [], fields: [] }, withheld: [{ refused: body.errors[0].extensions.code, reason: body.errors[0].message }] });
    expect(ran.at(-1)).toBe('audit_log');
    refusedBeforeExecution = ran.slice(0, -1);
    expect(refusedBeforeExecution).not.toContain('person_name_keys');
  });

  const NAME_LONG = (length: number) => `filter.name may have at most 100 characters (got ${length}): search for one name at a time`;

  it.each([
    ['a name of 1,000 words', Array.from({ length: 1000 }, (_, i) => `w${String.fromCharCode(97 + (i % 26))}`).join(' '), NAME_LONG(2999)],
    ['75 KB of "ab "', 'ab '.repeat(25_000), NAME_LONG(75_000)],
    ['101 characters', 'A'.repeat(101), NAME_LONG(101)],
    ['9 words', 'a b c d e f g h i', 'filter.name may have at most 8 words (got 9): search for one name at a time'],
  ])('refuses %s as a person name, before any SQL, and audits the refusal', async (_case, name, message) => {
    const { status, body, ran, audit } = await ask('query($name: String) { persons(filter: { name: $name }) { id } }', { name });
    expect({ status, body }).toEqual({ status: 400, body: badInput(message, 'filter.name') });
    expect(ran).toEqual(refusedByBounds());
    expect(audit).toEqual(refusedAudit(body));
  });

  it('accepts a name at the bounds: 100 characters, 8 words', async () => {
    const { status, body } = await ask('query($name: String) { persons(filter: { name: $name }) { id } }', { name: `Abaaoud ${'x'.repeat(92)}` });
    expect({ status, errors: body.errors }).toEqual({ status: 200, errors: undefined });
    const words = await ask('{ persons(filter: { name: "Abdelhamid Abaaoud a b c d e f" }) { id } }');
    expect(words.body.errors).toBeUndefined();
  });

  it('bounds organisation names, document numbers, nationalities and ids the same way', async () => {
    const cases: Array<[string, object, ReturnType<typeof badInput>]> = [
      ['query($n: String) { organisations(filter: { name: $n }) { id } }', { n: 'ab '.repeat(100) }, badInput(NAME_LONG(300), 'filter.name')],
      [
        'query($d: String) { persons(filter: { documentNumber: $d }) { id } }',
        { d: '1'.repeat(41) },
        badInput('filter.documentNumber may have at most 40 characters (got 41): give the document number as printed', 'filter.documentNumber'),
      ],
      [
        '{ persons(filter: { nationality: "BEL" }) { id } }',
        {},
        badInput('filter.nationality must be an ISO 3166-1 alpha-2 code: two letters, e.g. BE', 'filter.nationality'),
      ],
      [
        `{ person(memberState: NL, id: "${'P'.repeat(101)}") { id } }`,
        {},
        badInput('id may have at most 100 characters (got 101): give the id as the record shows it', 'id'),
      ],
      [
        'query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { id } } }',
        {
          r: [
            { __typename: 'Person', memberState: 'NL', id: ABAOUD.id },
            { __typename: 'Person', memberState: 'NL', id: 'P'.repeat(101) },
          ],
        },
        badInput('representations.id may have at most 100 characters (got 101): give the id as the record shows it', 'representations.id'),
      ],
    ];
    for (const [query, variables, expected] of cases) {
      const { status, body, ran, audit } = await ask(query, variables);
      expect({ status, body }).toEqual({ status: 400, body: expected });
      expect(ran).toEqual(refusedByBounds());
      expect(audit).toEqual(refusedAudit(body));
    }
  });
});

describe('query limits and cost at the member, whatever the gateway sent', () => {
  it('refuses the nested persons(first: 500) … members query by its cost, before executing', async () => {
    // Depth 10 and 10 fields: within the shape limits; its cost is 500 × (1 + 5 × (1 + 1 × (1 + 50 × (1 + …)))).
    const query = `{ persons(filter: { name: "Bulkperson" }, first: 500) { affiliations { organisation { members { person {
      affiliations { organisation { members { person { id } } } } } } } } } }`;
    const { status, body, ran, audit } = await ask(query);
    expect({ status, body }).toEqual({
      status: 400,
      body: tooComplex(
        'it would cost 64005500 (at most 50000; each record read counts, times the lists around it): ask for fewer records (first) or less nesting',
        { cost: 64_005_500, maxCost: 50_000 },
      ),
    });
    expect(ran).toEqual(refusedByBounds());
    expect(audit).toEqual(refusedAudit(body));
    // The same shape over 5 persons costs 640055: still refused; one level of members over 10 persons passes.
    const small = await ask('{ persons(filter: { name: "Bulkperson" }, first: 10) { affiliations { organisation { members { person { id } } } } } }');
    expect(small.body.errors).toBeUndefined();
    expect(small.body.data.persons).toHaveLength(10);
  });

  it('measures the same document again with other variables: a remembered check never passes a costlier request', async () => {
    const query =
      'query($first: Int) { persons(filter: { name: "Bulkperson" }, first: $first) { affiliations { organisation { members { person { id } } } } } }';
    const cheap = await ask(query, { first: 10 });
    expect(cheap.status).toBe(200);
    expect(cheap.body.errors).toBeUndefined();
    const costly = await ask(query, { first: 500 });
    expect(costly.status).toBe(400);
    expect(costly.body.errors[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', cost: 255_500 });
    expect(costly.ran).toEqual(refusedByBounds());
    // Asked again, each is answered as the first time: the refusal is remembered too, and audited every time.
    const again = await ask(query, { first: 500 });
    expect({ status: again.status, body: again.body }).toEqual({ status: costly.status, body: costly.body });
    expect(again.audit).toEqual(refusedAudit(again.body));
    expect((await ask(query, { first: 10 })).body).toEqual(cheap.body);
  });

  it('counts _entities by their representations', async () => {
    const r = Array.from({ length: 10_000 }, (_, i) => ({ __typename: 'Person', memberState: 'NL', id: `T-B-${i}` }));
    const { status, body, ran } = await ask('query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { id documents { number } } } }', { r });
    expect({ status, body }).toEqual({
      status: 400,
      body: tooComplex(
        'it would cost 60000 (at most 50000; each record read counts, times the lists around it): ask for fewer records (first) or less nesting',
        { cost: 60_000, maxCost: 50_000 },
      ),
    });
    expect(ran).toEqual(refusedByBounds());
  });

  it('refuses nesting, root fields, aliases, repeated introspection and oversized documents', async () => {
    const cases: Array<[string, ReturnType<typeof tooComplex>]> = [
      [
        `{ person(memberState: NL, id: "x") { affiliations { organisation { members { person { affiliations { organisation { members { person {
          affiliations { organisation { members { person { id } } } } } } } } } } } } } }`,
        tooComplex('fields nested 14 deep (at most 12): ask for less nesting', { depth: 14, maxDepth: 12 }),
      ],
      [
        `{ ${Array.from({ length: 11 }, (_, i) => `p${i}: person(memberState: NL, id: "${i}") { id }`).join(' ')} }`,
        tooComplex('11 root fields (at most 10; each fans out to every member state): split it into several requests', { rootFields: 11, maxRootFields: 10 }),
      ],
      [
        `{ person(memberState: NL, id: "x") { ${Array.from({ length: 31 }, (_, i) => `i${i}: id`).join(' ')} } }`,
        tooComplex('31 aliases (at most 30, fragments expanded): ask for each field once, or split the request', { aliases: 31, maxAliases: 30 }),
      ],
      [
        '{ a: __schema { types { name } } b: __schema { types { name } } }',
        tooComplex('__schema asked 2 times (at most 1, aliases and fragments included): introspect the schema once', { schemaFields: 2, maxSchemaFields: 1 }),
      ],
      [`{ person(memberState: NL, id: "x") { ${'id '.repeat(10_000)}} }`, tooComplex('more than 10000 tokens: send a smaller document', { maxTokens: 10_000 })],
    ];
    for (const [query, expected] of cases) {
      const { status, body, ran } = await ask(query);
      expect({ status, body }).toEqual({ status: 400, body: expected });
      // Introspection is not charged to the search budget, nor is a document too large to parse: the
      // token's record is all that is written, and the refusal's audit entry.
      expect(ran).toEqual(query.length > 20_000 || query.includes('__schema') ? ['context_token_uses', 'audit_log'] : refusedByBounds());
    }
  });
});

describe('answer size cap', () => {
  it('withholds an answer larger than the cap whole: nothing of it sent or audited as released', async () => {
    const { status, body, audit } = await ask('{ persons(filter: { name: "Bulkperson" }, first: 20) { id familyName background } }', undefined, { to: capped });
    expect({ status, body }).toEqual({
      status: 200,
      body: refusal("NL's answer would be larger than 1000 bytes: nothing of it is released; ask for fewer records (first) or fewer fields", {
        maxAnswerBytes: 1000,
        code: 'QUERY_TOO_COMPLEX',
      }),
    });
    expect(audit).toEqual({ released: { records: [], fields: [] }, withheld: [] });
  });

  it('sends an answer within the cap as it is', async () => {
    const { body, audit } = await ask(`{ person(memberState: NL, id: "${ABAOUD.id}") { id familyName } }`, undefined, { to: capped });
    expect(body).toEqual({ data: { person: { id: ABAOUD.id, familyName: 'Abaaoud' } } });
    expect(audit?.released).toEqual({ records: [ABAOUD.id], fields: ['Person.familyName', 'Person.id'] });
  });
});

describe("the gateway's deadline", () => {
  const TIMEOUT = refusal('NL stopped this request at its deadline: the gateway no longer waits for it, so nothing is released', {
    reason: 'TIMEOUT',
    code: 'MEMBER_UNAVAILABLE',
  });

  it('abandons the work when the deadline passes during it: no SQL statement starts after it, nothing released', async () => {
    // The name search is slow: it ends after the deadline; reading the persons it found would be next.
    const deadline = Date.now() + 1000;
    log.slow = { table: 'person_name_keys', until: deadline };
    const { status, body, ran, audit } = await ask(
      '{ persons(filter: { name: "Bulkperson" }, first: 20) { id documents { number } travel { at } } }',
      undefined,
      {
        deadline,
      },
    );
    expect({ status, body }).toEqual({ status: 200, body: TIMEOUT });
    expect(ran).toEqual([...refusedBeforeExecution, 'person_name_keys', 'audit_log']);
    expect(audit).toEqual({ released: { records: [], fields: [] }, withheld: [] });
  });

  it('does not send an answer completed after the deadline', async () => {
    // The last statement (the person's documents) ends after the deadline; the answer is complete, and withheld.
    const deadline = Date.now() + 1000;
    log.slow = { table: 'identity_documents', until: deadline };
    const { status, body, ran, audit } = await ask(`{ person(memberState: NL, id: "${ABAOUD.id}") { id documents { number } } }`, undefined, { deadline });
    expect({ status, body }).toEqual({ status: 200, body: TIMEOUT });
    expect(ran).toEqual([...refusedBeforeExecution, 'persons', 'identity_documents', 'audit_log']);
    expect(audit).toEqual({ released: { records: [], fields: [] }, withheld: [] });
  });

  it('answers as usual within the deadline', async () => {
    const { body, audit } = await ask(`{ person(memberState: NL, id: "${ABAOUD.id}") { id documents { number } } }`);
    expect(body).toEqual({ data: { person: { id: ABAOUD.id, documents: [{ number: ABAOUD.passport }] } } });
    expect(audit?.released.records).toEqual([ABAOUD.id]);
  });
});
