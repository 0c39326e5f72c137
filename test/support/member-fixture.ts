import type { Store } from '../../subgraphs/member/store.ts';
import { nameKeys } from '../../subgraphs/member/name-match.ts';
import { documentNumberKey } from '../../subgraphs/member/search.ts';

/** The known records member tests assert against: exact values, so a wrong answer fails. */
export const ABAOUD = { id: 'T-P-0001', givenName: 'Abdelhamid', familyName: 'Abaaoud', dateOfBirth: '1987-04-08', passport: 'EH 123 456 7' };

/**
 * Inserts a small, fully known data set plus `bulk` filler persons, each with one row in every
 * relation (document, 2 travel legs, financial measure, listing, affiliation), for batching tests.
 */
export async function insertFixture(store: Store, bulk = 0): Promise<void> {
  const { db } = store;
  const persons = [
    {
      id: ABAOUD.id,
      given_name: ABAOUD.givenName,
      family_name: ABAOUD.familyName,
      date_of_birth: ABAOUD.dateOfBirth,
      status: 'FOREIGN_TERRORIST_FIGHTER',
      aliases: ['Abu Omar al-Baljiki'],
      nationalities: ['BE', 'MA'],
    },
    { id: 'T-P-0002', given_name: 'Salma', family_name: 'Abdeslam', date_of_birth: '1989-09-15', status: 'SUSPECT', aliases: [], nationalities: ['FR'] },
    {
      id: 'T-P-0003',
      given_name: 'Mohammed',
      family_name: 'Belkaïd',
      date_of_birth: '1980-07-05',
      status: 'RETURNEE',
      aliases: ['Muhammad Belkaid'],
      nationalities: ['DZ'],
    },
    { id: 'T-P-0004', given_name: 'Jürgen', family_name: 'Schäfer', date_of_birth: '1975-01-30', status: 'ASSOCIATE', aliases: [], nationalities: ['DE'] },
  ];
  for (let i = 0; i < bulk; i++) {
    persons.push({
      id: `T-B-${String(i).padStart(4, '0')}`,
      given_name: `Filler${i}`,
      family_name: 'Bulkperson',
      date_of_birth: '1990-01-01',
      status: 'CLOSED',
      aliases: [`Alias${i}`],
      nationalities: ['NL'],
    });
  }
  const personRows = persons.map((p) => ({
    id: p.id,
    given_name: p.given_name,
    family_name: p.family_name,
    date_of_birth: p.date_of_birth,
    status: p.status,
    background: `Background of ${p.given_name} ${p.family_name}.`,
    contact_unit: 'CT desk',
    contact_email: 'ct@test.example',
    contact_phone: '+31 70 000 0000',
    contact_reference: `REF-${p.id}`,
  }));
  const chunks = <T>(rows: T[], size = 300) => Array.from({ length: Math.ceil(rows.length / size) }, (_, i) => rows.slice(i * size, i * size + size));
  for (const chunk of chunks(personRows)) await db.insertInto('persons').values(chunk).execute();
  const aliases = persons.flatMap((p) => p.aliases.map((alias, position) => ({ person_id: p.id, position, alias })));
  for (const chunk of chunks(aliases)) await db.insertInto('person_aliases').values(chunk).execute();
  for (const chunk of chunks(persons.flatMap((p) => p.nationalities.map((country) => ({ person_id: p.id, country })))))
    await db.insertInto('person_nationalities').values(chunk).execute();
  const keys = persons.flatMap((p) =>
    nameKeys([p.given_name, p.family_name, ...p.aliases]).map((k) => ({ person_id: p.id, name_key: k.key, skeleton: k.skeleton })),
  );
  for (const chunk of chunks(keys)) await db.insertInto('person_name_keys').values(chunk).execute();

  await db
    .insertInto('organisations')
    .values([
      {
        id: 'T-O-001',
        name: 'Katibat al-Battar',
        kind: 'TERRORIST',
        contact_unit: 'CT desk',
        contact_email: null,
        contact_phone: null,
        contact_reference: 'REF-O-001',
      },
      {
        id: 'T-O-002',
        name: 'Mocro Network',
        kind: 'ORGANISED_CRIME',
        contact_unit: 'OC desk',
        contact_email: null,
        contact_phone: null,
        contact_reference: 'REF-O-002',
      },
    ])
    .execute();
  await db
    .insertInto('organisation_aliases')
    .values([{ organisation_id: 'T-O-001', position: 0, alias: 'Battar Brigade' }])
    .execute();
  await db
    .insertInto('organisation_name_keys')
    .values([
      ...nameKeys(['Katibat al-Battar', 'Battar Brigade']).map((k) => ({ organisation_id: 'T-O-001', name_key: k.key, skeleton: k.skeleton })),
      ...nameKeys(['Mocro Network']).map((k) => ({ organisation_id: 'T-O-002', name_key: k.key, skeleton: k.skeleton })),
    ])
    .execute();

  const documents = [
    { id: 'T-D-0001', person_id: ABAOUD.id, number: ABAOUD.passport, kind: 'PASSPORT', issuing_state: 'BE', valid_until: '2019-03-01' },
    { id: 'T-D-0002', person_id: 'T-P-0002', number: '18FF42133', kind: 'IDENTITY_CARD', issuing_state: 'FR', valid_until: '2028-05-05' },
    ...persons.slice(4).map((p, i) => ({
      id: `T-D-B${i}`,
      person_id: p.id,
      number: `NX${String(i).padStart(7, '0')}`,
      kind: 'PASSPORT',
      issuing_state: 'NL',
      valid_until: '2030-01-01',
    })),
  ].map((d) => ({ ...d, number_key: documentNumberKey(d.number) }));
  for (const chunk of chunks(documents)) await db.insertInto('identity_documents').values(chunk).execute();

  const leg = (id: string, personId: string, at: string, from: [string, string], to: [string, string], carrier: string, planned = 0) => ({
    id,
    person_id: personId,
    at,
    from_city: from[0],
    from_country: from[1],
    to_city: to[0],
    to_country: to[1],
    mode: 'AIR',
    carrier,
    reference: null,
    source: 'PNR',
    planned,
  });
  const travel = [
    leg('T-T-0001', ABAOUD.id, '2014-01-14T06:35:00Z', ['Brussels', 'BE'], ['Istanbul', 'TR'], 'Turkish Airlines TK1938'),
    leg('T-T-0002', ABAOUD.id, '2014-01-15T09:10:00Z', ['Istanbul', 'TR'], ['Gaziantep', 'TR'], 'Pegasus PC2680'),
    leg('T-T-0003', ABAOUD.id, '2027-02-01T10:00:00Z', ['Athens', 'GR'], ['Brussels', 'BE'], 'Aegean A3620', 1),
    ...persons
      .slice(4)
      .flatMap((p, i) => [
        leg(`T-T-B${i}a`, p.id, '2025-01-01T08:00:00Z', ['Amsterdam', 'NL'], ['Istanbul', 'TR'], 'KLM KL1959'),
        leg(`T-T-B${i}b`, p.id, '2025-02-01T08:00:00Z', ['Istanbul', 'TR'], ['Amsterdam', 'NL'], 'KLM KL1960'),
      ]),
  ];
  for (const chunk of chunks(travel)) await db.insertInto('travel_movements').values(chunk).execute();

  const measures = [
    {
      id: 'T-F-0001',
      person_id: ABAOUD.id,
      kind: 'ASSET_FREEZE',
      since: '2015-02-01',
      institution: 'All institutions',
      amount: null,
      currency: null,
      legal_basis: 'Regulation (EU) 2580/2001',
    },
    ...persons.slice(4).map((p, i) => ({
      id: `T-F-B${i}`,
      person_id: p.id,
      kind: 'CASH_WITHDRAWAL',
      since: '2025-01-02',
      institution: 'Test Bank',
      amount: 950,
      currency: 'EUR',
      legal_basis: null,
    })),
  ];
  for (const chunk of chunks(measures)) await db.insertInto('financial_measures').values(chunk).execute();
  const listings = [
    { id: 'T-L-0001', person_id: ABAOUD.id, list: 'EU 2580/2001', listed_since: '2015-02-01', reason: 'Member of a terrorist group', action: 'arrest' },
    ...persons.slice(4).map((p, i) => ({ id: `T-L-B${i}`, person_id: p.id, list: 'Test list', listed_since: '2024-01-01', reason: null, action: 'report' })),
  ];
  for (const chunk of chunks(listings)) await db.insertInto('watchlist_listings').values(chunk).execute();
  const affiliations = [
    { id: 'T-A-0001', person_id: ABAOUD.id, organisation_id: 'T-O-001', role: 'leader', since: '2013-06-01' },
    { id: 'T-A-0002', person_id: 'T-P-0002', organisation_id: 'T-O-001', role: 'facilitator', since: '2014-01-01' },
    ...persons.slice(4).map((p, i) => ({ id: `T-A-B${i}`, person_id: p.id, organisation_id: 'T-O-002', role: 'member', since: '2020-01-01' })),
  ];
  for (const chunk of chunks(affiliations)) await db.insertInto('affiliations').values(chunk).execute();
}
