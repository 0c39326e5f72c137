import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../subgraphs/member/store.ts';
import { nameKeys } from '../subgraphs/member/name-match.ts';
import type { ReleasePolicy } from '../subgraphs/member/release-policy.ts';
import { checkSearch, type SearchForm } from '../subgraphs/member/search-profile.ts';
import { parseReleasePolicy } from '../subgraphs/member/release-policy.ts';
import type { Caller } from '../common/caller.ts';
import { openStore } from '../subgraphs/member/store.ts';
import { searchPersons, type PersonFilter } from '../subgraphs/member/search.ts';
import { insertPersons, openPolicy, startNetwork, type TestNetwork } from './support/network.ts';
import { createTestDatabase, describePostgres } from './support/postgres.ts';

/**
 * The searches analysts need (issue 14, item 5): by listing, by travel place and by organisation,
 * through the real gateway, each governed by the owner's search profile and release rules.
 */

const ALL = ['name', 'dateOfBirth', 'documentNumber', 'nationality', 'status', 'listedOn', 'travelPlace', 'organisation'];
const anyOf = (also: string[], roles?: string[]): SearchForm => ({ all: [], also, exactNames: false, ...(roles ? { roles } : {}) });

/**
 * NL releases FULL to every partner but DE (SUMMARY); travel only to SECRET callers, affiliations
 * only for counter-terrorism; and its profile lets only analysts search by listing.
 */
const NL_POLICY: ReleasePolicy = {
  memberState: 'NL',
  defaultTier: 'FULL',
  partners: { DE: 'SUMMARY' },
  fields: { 'Person.travel': { minClearance: 'SECRET' }, 'Person.affiliations': { purposes: ['counter-terrorism'] } },
  searchProfiles: {
    persons: {
      FULL: [anyOf(ALL, ['analyst']), anyOf(ALL.filter((c) => c !== 'listedOn'))],
    },
  },
  source: 'search-filters test policy of NL',
};

type Leg = [id: string, person: string, at: string, from: [string, string], to: [string, string], planned?: boolean];

async function insertFacts(
  store: Store,
  facts: {
    listings?: Array<[string, string, string]>;
    travel?: Leg[];
    organisations?: Array<[string, string]>;
    affiliations?: Array<[string, string, string]>;
  },
) {
  const { db } = store;
  if (facts.listings?.length)
    await db
      .insertInto('watchlist_listings')
      .values(facts.listings.map(([id, person, list]) => ({ id, person_id: person, list, listed_since: '2020-01-01', reason: null, action: null })))
      .execute();
  if (facts.travel?.length)
    await db
      .insertInto('travel_movements')
      .values(
        facts.travel.map(([id, person, at, from, to, planned]) => ({
          id,
          person_id: person,
          at,
          from_city: from[0],
          from_country: from[1],
          to_city: to[0],
          to_country: to[1],
          mode: 'AIR',
          carrier: null,
          reference: null,
          source: 'PNR',
          planned: planned ? 1 : 0,
        })),
      )
      .execute();
  for (const [id, name] of facts.organisations ?? []) {
    await db
      .insertInto('organisations')
      .values({ id, name, kind: 'TERRORIST', contact_unit: null, contact_email: null, contact_phone: null, contact_reference: `REF-${id}` })
      .execute();
    await db
      .insertInto('organisation_name_keys')
      .values(nameKeys([name]).map((k) => ({ organisation_id: id, name_key: k.key, skeleton: k.skeleton })))
      .execute();
  }
  if (facts.affiliations?.length)
    await db
      .insertInto('affiliations')
      .values(facts.affiliations.map(([id, person, organisation]) => ({ id, person_id: person, organisation_id: organisation, role: 'member', since: null })))
      .execute();
}

let net: TestNetwork;

beforeAll(async () => {
  net = await startNetwork({
    // DE holds nothing here: it is in the network so its analysts can sign in.
    states: ['NL', 'BE', 'DE'],
    policies: { NL: NL_POLICY, BE: openPolicy('BE'), DE: openPolicy('DE') },
    data: {
      NL: [
        { id: 'NL-1', givenName: 'Karim', familyName: 'Belhaouari', dateOfBirth: '1990-03-02' },
        { id: 'NL-2', givenName: 'Yassine', familyName: 'Ouali' },
        { id: 'NL-3', givenName: 'Sofia', familyName: 'Meyer' },
      ],
      BE: [
        { id: 'BE-1', givenName: 'Karim', familyName: 'Belhaouari', dateOfBirth: '1990-03-02' },
        { id: 'BE-2', givenName: 'Luc', familyName: 'Dubois' },
      ],
    },
  });
  await insertFacts(net.members.get('NL')!.store, {
    listings: [
      ['NL-L-1', 'NL-1', 'NL national terrorism list'],
      ['NL-L-2', 'NL-2', 'UN 1267 (ISIL/Al-Qaida)'],
    ],
    travel: [
      ['NL-T-1', 'NL-1', '2014-01-14T06:35:00Z', ['Brussels', 'BE'], ['Istanbul', 'TR']],
      ['NL-T-2', 'NL-1', '2014-01-15T09:10:00Z', ['Istanbul', 'TR'], ['Gaziantep', 'TR']],
      ['NL-T-3', 'NL-1', '2026-12-03T10:00:00Z', ['Izmir', 'TR'], ['Athens', 'GR'], true],
      ['NL-T-4', 'NL-3', '2025-06-01T08:00:00Z', ['Amsterdam', 'NL'], ['Istanbul', 'TR']],
    ],
    organisations: [['NL-O-1', 'Katibat al-Battar']],
    affiliations: [['NL-A-1', 'NL-2', 'NL-O-1']],
  });
  await insertFacts(net.members.get('BE')!.store, {
    listings: [['BE-L-1', 'BE-1', 'BE national terrorism list']],
    travel: [['BE-T-1', 'BE-1', '2026-12-10T07:00:00Z', ['Brussels', 'BE'], ['Kilis', 'TR'], true]],
    organisations: [['BE-O-1', 'Mocro Network']],
    affiliations: [['BE-A-1', 'BE-2', 'BE-O-1']],
  });
}, 60_000);
afterAll(async () => {
  await net?.close();
});

const SEARCH = `query($filter: PersonFilter!) { persons(filter: $filter) { memberState id } }`;
const ids = (body: { data?: { persons?: Array<{ memberState: string; id: string }> } }) =>
  (body.data?.persons ?? []).map((p) => `${p.memberState}:${p.id}`).sort();

/** A BE analyst: FULL tier at NL, SECRET, counter-terrorism. */
const beAnalyst = (over: { roles?: string[]; clearance?: 'CONFIDENTIAL' | 'SECRET' } = {}, purpose?: 'counter-terrorism' | 'organised-crime') =>
  net.as({ state: 'BE', roles: over.roles ?? ['analyst'], clearance: over.clearance ?? 'SECRET' }, purpose);

describe('search by listing', () => {
  it('finds the persons on a list by part of its name, ignoring case, in every state', async () => {
    const answer = await net.query(SEARCH, { filter: { listedOn: 'NATIONAL terrorism' } }, await beAnalyst());
    expect(answer.body.errors).toBeUndefined();
    expect(ids(answer.body)).toEqual(['BE:BE-1', 'NL:NL-1']);
    const un = await net.query(SEARCH, { filter: { listedOn: 'un 1267' } }, await beAnalyst());
    expect(ids(un.body)).toEqual(['NL:NL-2']);
  });

  it('treats % and _ as plain characters', async () => {
    const answer = await net.query(SEARCH, { filter: { listedOn: '%' } }, await beAnalyst());
    expect(answer.body.errors).toBeUndefined();
    expect(ids(answer.body)).toEqual([]);
  });

  it('is refused by an owner whose profile does not offer it to the caller, with the existing refusal shape', async () => {
    const answer = await net.query(SEARCH, { filter: { listedOn: 'national' } }, await beAnalyst({ roles: ['investigator'] }));
    // BE answers; NL refuses before reading anything.
    expect(ids(answer.body)).toEqual(['BE:BE-1']);
    expect(answer.body.errors).toHaveLength(1);
    expect(answer.body.errors![0].extensions).toMatchObject({ code: 'NOT_RELEASED', memberState: 'NL', field: 'persons(filter.listedOn)', tier: 'FULL' });
    expect(answer.body.errors![0].message).toContain('search profile allows');
  });
});

describe('search by travel place', () => {
  it('matches either end of a movement, by city ignoring case or by country', async () => {
    const gaziantep = await net.query(SEARCH, { filter: { travelPlace: { city: 'gaziantep' } } }, await beAnalyst());
    expect(gaziantep.body.errors).toBeUndefined();
    expect(ids(gaziantep.body)).toEqual(['NL:NL-1']);
    const brussels = await net.query(SEARCH, { filter: { travelPlace: { city: 'Brussels', country: 'be' } } }, await beAnalyst());
    expect(ids(brussels.body)).toEqual(['BE:BE-1', 'NL:NL-1']);
    const turkey = await net.query(SEARCH, { filter: { travelPlace: { country: 'TR' } } }, await beAnalyst());
    expect(ids(turkey.body)).toEqual(['BE:BE-1', 'NL:NL-1', 'NL:NL-3']);
  });

  it('keeps movements within the dates (whole days) and planned trips only when asked', async () => {
    const since2025 = await net.query(SEARCH, { filter: { travelPlace: { country: 'TR', from: '2025-01-01', until: '2025-12-31' } } }, await beAnalyst());
    expect(ids(since2025.body)).toEqual(['NL:NL-3']);
    const planned = await net.query(SEARCH, { filter: { travelPlace: { country: 'TR', plannedOnly: true } } }, await beAnalyst());
    expect(ids(planned.body)).toEqual(['BE:BE-1', 'NL:NL-1']);
    const onTheDay = await net.query(SEARCH, { filter: { travelPlace: { city: 'Athens', plannedOnly: true, until: '2026-12-03' } } }, await beAnalyst());
    expect(ids(onTheDay.body)).toEqual(['NL:NL-1']);
    const before = await net.query(SEARCH, { filter: { travelPlace: { city: 'Athens', until: '2026-12-02' } } }, await beAnalyst());
    expect(ids(before.body)).toEqual([]);
  });

  it('combines with the other criteria', async () => {
    const answer = await net.query(SEARCH, { filter: { name: 'Belhaouari', travelPlace: { city: 'Kilis' } } }, await beAnalyst());
    expect(ids(answer.body)).toEqual(['BE:BE-1']);
  });

  it('refuses a place without city or country, or a country that is not a code, before any state is asked', async () => {
    net.resetCounts();
    for (const travelPlace of [{}, { city: '  ' }, { country: 'Turkey' }, { city: 'Athens', from: '2026-12-05', until: '2026-12-01' }]) {
      const answer = await net.query(SEARCH, { filter: { travelPlace } }, await beAnalyst());
      expect(answer.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    }
    // Blank text would match every record.
    for (const filter of [{ listedOn: '   ' }, { organisation: ' ' }]) {
      const answer = await net.query(SEARCH, { filter }, await beAnalyst());
      expect(answer.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: `filter.${Object.keys(filter)[0]}` });
    }
    expect(net.requestCounts()).toEqual({ NL: 0, BE: 0, DE: 0 });
  });

  it('is refused to a caller the owner does not release travel to: a fact one may not see cannot be searched by', async () => {
    // DE gets SUMMARY from NL: travel is FULL-tier. NL's refusal reads nothing; BE (open) still answers.
    const de = await net.as({ state: 'DE', roles: ['analyst'], clearance: 'SECRET' });
    const search = await net.query(SEARCH, { filter: { travelPlace: { city: 'Gaziantep' } } }, de);
    expect(search.body.data.persons).toEqual([]);
    expect(search.body.errors).toHaveLength(1);
    expect(search.body.errors![0].extensions).toMatchObject({ code: 'NOT_RELEASED', memberState: 'NL', field: 'persons(filter.travelPlace)', tier: 'SUMMARY' });
    // The same caller reading the fact directly is refused by the same rule.
    const read = await net.query(`{ person(memberState: NL, id: "NL-1") { id travel { at } } }`, undefined, de);
    expect(read.body.errors?.[0].extensions).toMatchObject({ code: 'NOT_RELEASED', memberState: 'NL' });

    // A FULL-tier partner below the field's clearance: refused by the field rule, naming it.
    const confidential = await net.query(SEARCH, { filter: { travelPlace: { city: 'Gaziantep' } } }, await beAnalyst({ clearance: 'CONFIDENTIAL' }));
    expect(ids(confidential.body)).toEqual([]);
    expect(confidential.body.errors![0].extensions).toMatchObject({ code: 'NOT_RELEASED', memberState: 'NL', field: 'persons(filter.travelPlace)' });
    expect(confidential.body.errors![0].message).toContain('SECRET clearance');
  });

  it('is refused to a SUMMARY partner even when the owner has no narrower rule on travel', async () => {
    // BE releases FULL to everyone: DE may search it. NL releases SUMMARY to DE: refused, whatever NL's profile.
    const de = await net.as({ state: 'DE', roles: ['analyst'], clearance: 'SECRET' });
    const answer = await net.query(SEARCH, { filter: { listedOn: 'national' } }, de);
    expect(ids(answer.body)).toEqual(['BE:BE-1']);
    expect(answer.body.errors![0].extensions).toMatchObject({ code: 'NOT_RELEASED', memberState: 'NL', field: 'persons(filter.listedOn)' });
  });
});

describe('search by organisation', () => {
  it("finds the persons linked to an organisation by the owner's id or by its name in another spelling", async () => {
    const byId = await net.query(SEARCH, { filter: { organisation: 'NL-O-1' } }, await beAnalyst());
    expect(byId.body.errors).toBeUndefined();
    expect(ids(byId.body)).toEqual(['NL:NL-2']);
    const byName = await net.query(SEARCH, { filter: { organisation: 'Katibat al Batar' } }, await beAnalyst());
    expect(ids(byName.body)).toEqual(['NL:NL-2']);
    const mocro = await net.query(SEARCH, { filter: { organisation: 'mocro network' } }, await beAnalyst());
    expect(ids(mocro.body)).toEqual(['BE:BE-2']);
  });

  it('is refused for a purpose the owner does not release affiliations for', async () => {
    const answer = await net.query(SEARCH, { filter: { organisation: 'Katibat al-Battar' } }, await beAnalyst({}, 'organised-crime'));
    expect(ids(answer.body)).toEqual([]);
    expect(answer.body.errors![0].extensions).toMatchObject({ code: 'NOT_RELEASED', memberState: 'NL', field: 'persons(filter.organisation)' });
    expect(answer.body.errors![0].message).toContain('counter-terrorism');
  });
});

describe('search profiles in policy files', () => {
  it('name the new criteria like the others, and cannot open a fact to a tier it is not released to', async () => {
    const policy = parseReleasePolicy(
      `memberState: FR
defaultTier: SUMMARY
searchProfiles:
  persons:
    SUMMARY:
      - all: [travelPlace]
        also: [listedOn, organisation]
`,
      'FR.yaml',
      'FR',
    );
    expect(policy.searchProfiles?.persons?.SUMMARY).toEqual([{ all: ['travelPlace'], also: ['listedOn', 'organisation'], exactNames: false }]);
    const summary: Caller = {
      state: 'BE',
      agency: null,
      subject: 'be-analyst',
      roles: ['analyst'],
      clearance: 'SECRET',
      scopes: [],
      purpose: 'counter-terrorism',
      caseReference: null,
      requestId: 'req-1',
    };
    // The profile offers it, but FR releases BE no travel (SUMMARY): the release decides.
    expect(() => checkSearch(policy, summary, 'persons', { travelPlace: { city: 'Kilis' } })).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'NOT_RELEASED', memberState: 'FR', field: 'persons(filter.travelPlace)' }) }),
    );
    expect(() =>
      parseReleasePolicy('memberState: FR\ndefaultTier: FULL\nsearchProfiles:\n  persons:\n    FULL:\n      - also: [travelCity]\n', 'FR.yaml', 'FR'),
    ).toThrow(/travelCity|listedOn, travelPlace, organisation/);
  });
});

describe('search budgets', () => {
  it('charges a search by a fact like any other search', async () => {
    const budgeted = await startNetwork({
      states: ['BE'],
      policies: { BE: { ...openPolicy('BE'), searchBudgets: { FULL: { perHour: 1, perDay: 1 } } } },
      data: { BE: [{ id: 'BE-1', givenName: 'Karim', familyName: 'Belhaouari' }] },
    });
    try {
      await insertFacts(budgeted.members.get('BE')!.store, { travel: [['BE-T-1', 'BE-1', '2026-12-10T07:00:00Z', ['Brussels', 'BE'], ['Kilis', 'TR'], true]] });
      const headers = await budgeted.as({ state: 'NL', roles: ['analyst'], clearance: 'SECRET', subject: 'budget-analyst' });
      const first = await budgeted.query(SEARCH, { filter: { travelPlace: { city: 'Kilis' } } }, headers);
      expect(ids(first.body)).toEqual(['BE:BE-1']);
      const second = await budgeted.query(SEARCH, { filter: { travelPlace: { city: 'Kilis' } } }, headers);
      expect(second.body.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', memberState: 'BE' });
    } finally {
      await budgeted.close();
    }
  }, 60_000);
});

describePostgres('the searches on PostgreSQL', () => {
  it('runs migration 0007 and the three searches with the same results as on SQLite', async () => {
    const store = await openStore(await createTestDatabase(), 'NL');
    try {
      await insertPersons(store, [
        { id: 'NL-1', givenName: 'Karim', familyName: 'Belhaouari' },
        { id: 'NL-2', givenName: 'Yassine', familyName: 'Ouali' },
      ]);
      await insertFacts(store, {
        listings: [['NL-L-1', 'NL-1', 'NL national terrorism list']],
        travel: [
          ['NL-T-1', 'NL-1', '2014-01-15T09:10:00Z', ['Istanbul', 'TR'], ['Gaziantep', 'TR']],
          ['NL-T-2', 'NL-2', '2026-12-03T10:00:00Z', ['Izmir', 'TR'], ['Athens', 'GR'], true],
        ],
        organisations: [['NL-O-1', 'Katibat al-Battar']],
        affiliations: [['NL-A-1', 'NL-2', 'NL-O-1']],
      });
      const found = async (filter: PersonFilter) => (await searchPersons(store, filter, 10)).map((row) => row.id);
      expect(await found({ listedOn: 'National TERRORISM' })).toEqual(['NL-1']);
      expect(await found({ listedOn: '_' })).toEqual([]);
      expect(await found({ travelPlace: { city: 'GAZIANTEP' } })).toEqual(['NL-1']);
      expect(await found({ travelPlace: { country: 'tr', plannedOnly: true } })).toEqual(['NL-2']);
      expect(await found({ travelPlace: { country: 'TR', from: '2014-01-15', until: '2014-01-15' } })).toEqual(['NL-1']);
      expect(await found({ organisation: 'katibat al batar' })).toEqual(['NL-2']);
      expect(await found({ organisation: 'NL-O-1', name: 'Yassine Ouali' })).toEqual(['NL-2']);
    } finally {
      await store.close();
    }
  });
});
