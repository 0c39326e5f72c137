import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openStore, type Store } from '../subgraphs/member/store.ts';
import { buildMemberApp } from '../subgraphs/member/server.ts';
import { searchPersons } from '../subgraphs/member/search.ts';
import { ABAOUD, insertFixture } from './support/member-fixture.ts';
import { postgresUrl, createDatabase } from './support/postgres.ts';
import { caller, signedTestClient, testGatewayKeys } from './support/tokens.ts';
import { defaultPolicy } from '../subgraphs/member/release-policy.ts';

const DOSSIER = `
  memberState id contact { agency reference } givenName familyName aliases dateOfBirth nationalities status background
  documents { number kind issuingState validUntil }
  travel { at from { city country } to { city country } mode carrier planned }
  financialMeasures { kind since institution amount currency legalBasis }
  listings { list listedSince reason action }
  affiliations { role since organisation { id name kind } }
`;

const folder = mkdtempSync(join(tmpdir(), 'hague-member-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const backends: Array<[string, () => Promise<string> | string]> = [['SQLite', () => join(folder, 'nl.db')]];
const pg = postgresUrl();
if (pg) backends.push(['PostgreSQL', () => createDatabase(pg)]);

describe.each(backends)('member subgraph over %s', (_name, database) => {
  let store: Store;
  let app: FastifyInstance;
  let client: ReturnType<typeof signedTestClient>;

  beforeAll(async () => {
    store = await openStore(await database(), 'NL');
    await insertFixture(store, 200);
    const keys = await testGatewayKeys();
    app = await buildMemberApp({ state: 'NL', store, agency: 'Test CT unit', gatewayPublicKey: keys.publicJwk, policy: defaultPolicy('NL') });
    // An NL analyst with the network's financial scope: the owner's own callers get the FULL tier
    // (release rules and the network's rules at the member have their own tests).
    client = signedTestClient(app, keys.privateJwk, 'NL', caller({ state: 'NL', scopes: ['financial:read'] }));
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it.each(['Abdelhamid Abaaoud', 'abdel-hamid abaoud', 'ABAOUD Abdelhamid', 'Abdel Hamid Abaoud', 'Abdelhamid ABAOUD', 'abu omar al baljiki'])(
    'finds the same record under the spelling %j, best match first',
    async (name) => {
      const result = await client.query(`query($name: String) { persons(filter: { name: $name }) { id givenName familyName matchScore } }`, {
        variables: { name },
      });
      expect(result.errors).toBeUndefined();
      expect(result.data.persons[0]).toEqual({ id: ABAOUD.id, givenName: 'Abdelhamid', familyName: 'Abaaoud', matchScore: 1 });
    },
  );

  it('matches diacritics and transliteration variants, and not unrelated names', async () => {
    const q = `query($name: String) { persons(filter: { name: $name }) { id } }`;
    expect((await client.query(q, { variables: { name: 'Jurgen SCHAFER' } })).data.persons).toEqual([{ id: 'T-P-0004' }]);
    expect((await client.query(q, { variables: { name: 'Mohamed Belkaid' } })).data.persons).toEqual([{ id: 'T-P-0003' }]);
    expect((await client.query(q, { variables: { name: 'Muhamad Belkayd' } })).data.persons).toEqual([{ id: 'T-P-0003' }]);
    expect((await client.query(q, { variables: { name: 'Pieter Jansen' } })).data.persons).toEqual([]);
  });

  it('filters exactly by document number, date of birth, nationality and status', async () => {
    const q = `query($filter: PersonFilter!) { persons(filter: $filter) { id } }`;
    const ids = async (filter: object) => (await client.query(q, { variables: { filter } })).data.persons.map((p: { id: string }) => p.id);
    expect(await ids({ documentNumber: 'eh1234567' })).toEqual([ABAOUD.id]);
    expect(await ids({ dateOfBirth: '1989-09-15' })).toEqual(['T-P-0002']);
    expect(await ids({ nationality: 'fr' })).toEqual(['T-P-0002']);
    expect(await ids({ status: 'RETURNEE' })).toEqual(['T-P-0003']);
    expect(await ids({ name: 'Abaaoud', dateOfBirth: '1990-01-01' })).toEqual([]);
  });

  it('returns the whole dossier of a subject', async () => {
    const result = await client.query(`{ person(memberState: NL, id: "${ABAOUD.id}") { ${DOSSIER} } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data.person).toEqual({
      memberState: 'NL',
      id: ABAOUD.id,
      contact: { agency: 'Test CT unit', reference: `REF-${ABAOUD.id}` },
      givenName: 'Abdelhamid',
      familyName: 'Abaaoud',
      aliases: ['Abu Omar al-Baljiki'],
      dateOfBirth: '1987-04-08',
      nationalities: ['BE', 'MA'],
      status: 'FOREIGN_TERRORIST_FIGHTER',
      background: 'Background of Abdelhamid Abaaoud.',
      documents: [{ number: ABAOUD.passport, kind: 'PASSPORT', issuingState: 'BE', validUntil: '2019-03-01' }],
      travel: [
        {
          at: '2027-02-01T10:00:00Z',
          from: { city: 'Athens', country: 'GR' },
          to: { city: 'Brussels', country: 'BE' },
          mode: 'AIR',
          carrier: 'Aegean A3620',
          planned: true,
        },
        {
          at: '2014-01-15T09:10:00Z',
          from: { city: 'Istanbul', country: 'TR' },
          to: { city: 'Gaziantep', country: 'TR' },
          mode: 'AIR',
          carrier: 'Pegasus PC2680',
          planned: false,
        },
        {
          at: '2014-01-14T06:35:00Z',
          from: { city: 'Brussels', country: 'BE' },
          to: { city: 'Istanbul', country: 'TR' },
          mode: 'AIR',
          carrier: 'Turkish Airlines TK1938',
          planned: false,
        },
      ],
      financialMeasures: [
        { kind: 'ASSET_FREEZE', since: '2015-02-01', institution: 'All institutions', amount: null, currency: null, legalBasis: 'Regulation (EU) 2580/2001' },
      ],
      listings: [{ list: 'EU 2580/2001', listedSince: '2015-02-01', reason: 'Member of a terrorist group', action: 'arrest' }],
      affiliations: [{ role: 'leader', since: '2013-06-01', organisation: { id: 'T-O-001', name: 'Katibat al-Battar', kind: 'TERRORIST' } }],
    });
    const travel = await client.query(`{ person(memberState: NL, id: "${ABAOUD.id}") { travel(since: "2014-01-15", first: 1) { carrier } } }`);
    expect(travel.data.person.travel).toEqual([{ carrier: 'Aegean A3620' }]);
  });

  it('answers only for its own state: other states and unknown ids give null or nothing', async () => {
    const result = await client.query(`{
      other: person(memberState: BE, id: "${ABAOUD.id}") { id }
      unknown: person(memberState: NL, id: "NL-P-999999") { id }
      elsewhere: persons(filter: { name: "Abaaoud" }, memberStates: [BE, FR]) { id }
      here: persons(filter: { name: "Abaaoud" }, memberStates: [NL]) { id }
    }`);
    // Only the list this state searched is counted (extensions.hague.lists, search-counts.ts).
    expect(result).toEqual({
      data: { other: null, unknown: null, elsewhere: [], here: [{ id: ABAOUD.id }] },
      extensions: { hague: { lists: { here: { returned: 1, more: false, scores: [1] } } } },
    });
  });

  it('resolves _entities by memberState and id, null for unknown ids and other states', async () => {
    const result = await client.query(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { id familyName } ... on Organisation { id name } } }`,
      {
        variables: {
          r: [
            { __typename: 'Person', memberState: 'NL', id: 'T-P-0002' },
            { __typename: 'Person', memberState: 'NL', id: 'NL-P-404' },
            { __typename: 'Person', memberState: 'BE', id: ABAOUD.id },
            { __typename: 'Organisation', memberState: 'NL', id: 'T-O-001' },
            { __typename: 'Person', memberState: 'NL', id: ABAOUD.id },
          ],
        },
      },
    );
    expect(result).toEqual({
      data: {
        _entities: [
          { id: 'T-P-0002', familyName: 'Abdeslam' },
          null,
          null,
          { id: 'T-O-001', name: 'Katibat al-Battar' },
          { id: ABAOUD.id, familyName: 'Abaaoud' },
        ],
      },
    });
  });

  it('searches organisations tolerantly and lists their members', async () => {
    const result = await client.query(`{ organisations(filter: { name: "batar brigade" }) { id name aliases members { role person { id } } } }`);
    expect(result).toEqual({
      data: {
        organisations: [
          {
            id: 'T-O-001',
            name: 'Katibat al-Battar',
            aliases: ['Battar Brigade'],
            members: [
              { role: 'leader', person: { id: ABAOUD.id } },
              { role: 'facilitator', person: { id: 'T-P-0002' } },
            ],
          },
        ],
      },
      extensions: { hague: { lists: { organisations: { returned: 1, more: false, scores: [1] } } } },
    });
  });

  it.each([
    [0, 'first must be between 1 and 500 (got 0); page through larger results with narrower filters'],
    [501, 'first must be between 1 and 500 (got 501); page through larger results with narrower filters'],
  ])('rejects first: %i with BAD_USER_INPUT', async (first, message) => {
    const result = await client.query(`query($first: Int) { persons(filter: { name: "Abaaoud" }, first: $first) { id } }`, { variables: { first } });
    expect(result.data).toBeNull();
    expect(result.errors).toEqual([
      { message, locations: [{ line: 1, column: 22 }], path: ['persons'], extensions: { code: 'BAD_USER_INPUT', argumentName: 'first', memberState: 'NL' } },
    ]);
  });

  it('rejects an empty filter and a malformed date with messages that say what to fix', async () => {
    const empty = await client.query('{ persons(filter: {}) { id } }');
    expect(empty.errors).toEqual([
      expect.objectContaining({
        message: 'filter needs at least one criterion: name, dateOfBirth, documentNumber, nationality, status, listedOn, travelPlace or organisation',
        path: ['persons'],
        extensions: { code: 'BAD_USER_INPUT', argumentName: 'filter', memberState: 'NL' },
      }),
    ]);
    const badDate = await client.query('query($d: Date) { persons(filter: { dateOfBirth: $d }) { id } }', { variables: { d: '1987-13-01' } });
    expect(badDate.errors).toHaveLength(1);
    expect(badDate.errors?.[0]?.message).toContain('Date must be an ISO calendar date like 1987-04-12 (got "1987-13-01")');
    expect(badDate.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', memberState: 'NL' });
  });

  it('costs one SQL statement per relation, whatever the number of persons', async () => {
    const query = `query($first: Int) { persons(filter: { name: "Bulkperson" }, first: $first) { ${DOSSIER} } }`;
    const measure = async (first: number) => {
      const before = store.statementCount();
      const result = await client.query(query, { variables: { first } });
      expect(result.errors).toBeUndefined();
      expect(result.data.persons).toHaveLength(first);
      return store.statementCount() - before;
    };
    const forTwo = await measure(2);
    const forTwoHundred = await measure(200);
    // name candidates, persons, then one each: aliases, nationalities, documents, travel,
    // financial measures, listings, affiliations, their organisations; plus the context token's
    // single-use record, the search budget (charged once per caller request: on SQLite the
    // request's record with its outcome, then the charge, in one transaction; on PostgreSQL the
    // request's record as pending, the charge, the record's outcome) and the audit record.
    expect(forTwoHundred).toBe(store.dialect === 'sqlite' ? 14 : 15);
    expect(forTwo).toBe(forTwoHundred);
  });

  it('masks internal failures: no SQL, no stack, the code and the state only', async () => {
    const result = await client.query('{ persons(filter: { nationality: "XX" }) { id } }');
    expect(result).toEqual({ data: { persons: [] }, extensions: { hague: { lists: { persons: { returned: 0, more: false, scores: [] } } } } });
    await store.db.schema.alterTable('watchlist_listings').renameTo('watchlist_listings_moved').execute();
    try {
      const broken = await client.query(`{ person(memberState: NL, id: "${ABAOUD.id}") { id listings { list } } }`);
      expect(broken.data).toEqual({ person: { id: ABAOUD.id, listings: null } });
      expect(broken.errors).toEqual([
        {
          message: 'Internal error in this member state; its log has the detail',
          path: ['person', 'listings'],
          extensions: { code: 'INTERNAL_SERVER_ERROR', memberState: 'NL' },
        },
      ]);
      expect(JSON.stringify(broken)).not.toMatch(/select|watchlist|sqlite|postgres|at .*\.ts/i);
    } finally {
      await store.db.schema.alterTable('watchlist_listings_moved').renameTo('watchlist_listings').execute();
    }
  });
});

describe('name keys follow the matching rules', () => {
  it('rebuilds keys stored under older rules at start, so spelling variants still meet', async () => {
    const file = join(folder, 'old-keys.db');
    const old = await openStore(file, 'NL');
    await old.db
      .insertInto('persons')
      .values({
        id: 'NL-P-1',
        given_name: 'Abdelkarim',
        family_name: 'Belhawari',
        date_of_birth: null,
        status: 'SUSPECT',
        background: null,
        contact_unit: null,
        contact_email: null,
        contact_phone: null,
        contact_reference: 'R',
      })
      .execute();
    await old.db.insertInto('person_name_keys').values({ person_id: 'NL-P-1', name_key: 'stale', skeleton: 'stl' }).execute();
    await old.db.updateTable('hague_meta').set({ value: '1' }).where('key', '=', 'name_keys_version').execute();
    await old.close();

    const store = await openStore(file, 'NL');
    try {
      const keys = await store.db.selectFrom('person_name_keys').select('name_key').where('person_id', '=', 'NL-P-1').orderBy('name_key').execute();
      expect(keys.map((k) => k.name_key)).toEqual(['abdelkarim', 'belhavari']);
      expect((await searchPersons(store, { name: 'Abdel-Karim Belhaouari' }, 10)).map((p) => p.id)).toEqual(['NL-P-1']);
    } finally {
      await store.close();
    }
  });
});
