import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../subgraphs/member/store.ts';
import { nameKeys } from '../subgraphs/member/name-match.ts';
import {
  AlreadySeededError,
  NL_LISTED_ORGANISATION_IDS,
  NL_NATIONAL_LIST,
  SHARED_ORGANISATIONS,
  SHARED_SUBJECTS,
  isSeeded,
  organisationCount,
  seedMember,
  type SeedResult,
} from '../subgraphs/member/seed.ts';
import type { Database } from '../subgraphs/member/store-schema.ts';
import type { MemberState } from '../common/member-states.ts';
import { createTestDatabase, describePostgres } from './support/postgres.ts';

const TABLES = [
  'persons',
  'person_aliases',
  'person_nationalities',
  'person_name_keys',
  'identity_documents',
  'travel_movements',
  'financial_measures',
  'watchlist_listings',
  'organisations',
  'organisation_aliases',
  'organisation_name_keys',
  'affiliations',
  'hague_meta',
] as const satisfies ReadonlyArray<keyof Database>;

/** Every row of every data table, in a stable order (all columns), as plain JSON. */
async function dump(store: Store): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    const rows = (await store.db.selectFrom(table).selectAll().execute()) as Array<Record<string, unknown>>;
    out[table] = rows
      .map((row) =>
        JSON.stringify(
          Object.keys(row)
            .sort()
            .map((k) => [k, row[k]]),
        ),
      )
      .sort();
  }
  return out;
}

const DEMO: MemberState[] = ['NL', 'BE', 'FR', 'DE', 'ES', 'AT', 'IT', 'SE'];
const PERSONS = 120;

let dir: string;
const stores = new Map<MemberState, Store>();
const results = new Map<MemberState, SeedResult>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hague-seed-'));
  for (const state of DEMO) {
    const store = await openStore(join(dir, `${state}.db`), state);
    stores.set(state, store);
    results.set(state, await seedMember(store, { persons: PERSONS }));
  }
});

afterAll(async () => {
  for (const store of stores.values()) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const store = (state: MemberState) => stores.get(state)!;

async function personsWithDocument(state: MemberState, number: string) {
  return store(state)
    .db.selectFrom('identity_documents as d')
    .innerJoin('persons as p', 'p.id', 'd.person_id')
    .select(['p.id', 'p.given_name', 'p.family_name', 'p.date_of_birth', 'd.kind', 'd.issuing_state'])
    .where('d.number', '=', number)
    .execute();
}

describe('seedMember', () => {
  it('is deterministic: two fresh databases seeded alike hold identical rows in every table', async () => {
    const a = await openStore(join(dir, 'NL-a.db'), 'NL');
    const b = await openStore(join(dir, 'NL-b.db'), 'NL');
    try {
      await seedMember(a, { persons: 700, seed: 3 });
      await seedMember(b, { persons: 700, seed: 3 });
      const [rowsA, rowsB] = [await dump(a), await dump(b)];
      expect(rowsA.persons).toHaveLength(700);
      for (const table of TABLES) expect(rowsB[table], table).toEqual(rowsA[table]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('gives other data for another seed, but the same shared cast', async () => {
    const other = await openStore(join(dir, 'NL-seed2.db'), 'NL');
    try {
      await seedMember(other, { persons: PERSONS, seed: 2 });
      const cast = (s: Store) => s.db.selectFrom('persons').selectAll().where('id', '<=', 'NL-P-000004').orderBy('id').execute();
      expect(await cast(other)).toEqual(await cast(store('NL')));
      const generated = (s: Store) =>
        s.db.selectFrom('persons').select(['given_name', 'family_name', 'date_of_birth']).where('id', '>', 'NL-P-000004').orderBy('id').execute();
      expect(await generated(other)).not.toEqual(await generated(store('NL')));
    } finally {
      await other.close();
    }
  });

  it('writes the requested persons, organisations by the rule, and only contract enum values', async () => {
    for (const state of DEMO) {
      const r = results.get(state)!;
      expect(r.persons).toBe(PERSONS);
      expect(r.organisations).toBe(organisationCount(PERSONS));
      const db = store(state).db;
      expect(await db.selectFrom('persons').select('id').execute()).toHaveLength(PERSONS);
      const values = async (table: keyof Database, column: string) =>
        (
          await db
            .selectFrom(table)
            .select(column as never)
            .distinct()
            .execute()
        ).map((row) => Object.values(row as object)[0]);
      expect(['SUSPECT', 'FOREIGN_TERRORIST_FIGHTER', 'RETURNEE', 'CONVICTED', 'ASSOCIATE', 'CLOSED']).toEqual(
        expect.arrayContaining(await values('persons', 'status')),
      );
      expect(['PASSPORT', 'IDENTITY_CARD', 'RESIDENCE_PERMIT', 'DRIVING_LICENCE', 'VISA']).toEqual(
        expect.arrayContaining(await values('identity_documents', 'kind')),
      );
      expect(['AIR', 'RAIL', 'ROAD', 'SEA', 'BORDER_CROSSING']).toEqual(expect.arrayContaining(await values('travel_movements', 'mode')));
      expect(['ASSET_FREEZE', 'CASH_WITHDRAWAL', 'MONEY_TRANSFER', 'SUSPICIOUS_TRANSACTION_REPORT', 'ACCOUNT_CLOSURE']).toEqual(
        expect.arrayContaining(await values('financial_measures', 'kind')),
      );
      expect(['TERRORIST', 'ORGANISED_CRIME', 'FACILITATION_NETWORK', 'FRONT_COMPANY']).toEqual(expect.arrayContaining(await values('organisations', 'kind')));
    }
  });

  it('writes well-formed ids, contacts, dates and country codes', async () => {
    const db = store('BE').db;
    const persons = await db.selectFrom('persons').selectAll().execute();
    for (const p of persons) {
      expect(p.id).toMatch(/^BE-P-\d{6}$/);
      expect(p.contact_reference).toMatch(/^BE-CT-20\d\d-\d{6}$/);
      expect(p.contact_email).toMatch(/@be\.hague\.example$/);
      expect(p.contact_unit).toBeTruthy();
      expect(p.date_of_birth).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(p.background).toBeTruthy();
    }
    const documents = await db.selectFrom('identity_documents').selectAll().execute();
    const perPerson = new Map<string, number>();
    for (const d of documents) perPerson.set(d.person_id, (perPerson.get(d.person_id) ?? 0) + 1);
    expect(perPerson.size).toBe(PERSONS);
    expect(Math.max(...perPerson.values())).toBeLessThanOrEqual(3);
    expect(new Set(documents.map((d) => d.number_key)).size).toBe(documents.length);
    for (const d of documents) expect(d.issuing_state).toMatch(/^[A-Z]{2}$/);
    const travel = await db.selectFrom('travel_movements').selectAll().execute();
    for (const t of travel) {
      expect(t.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00Z$/);
      expect(t.from_country).toMatch(/^[A-Z]{2}$/);
      expect(t.to_country).toMatch(/^[A-Z]{2}$/);
      expect(t.planned).toBe(t.at > '2026-11-01' ? 1 : 0);
    }
    expect(travel.some((t) => t.planned === 1)).toBe(true);
    const organisations = await db.selectFrom('organisations').select('id').execute();
    for (const o of organisations) expect(o.id).toMatch(/^BE-O-\d{3}$/);
  });

  it('stores the name keys of every person (names and aliases) and organisation', async () => {
    const db = store('FR').db;
    const persons = await db.selectFrom('persons').selectAll().execute();
    const aliases = await db.selectFrom('person_aliases').selectAll().orderBy('position').execute();
    const keys = await db.selectFrom('person_name_keys').selectAll().execute();
    for (const p of persons.slice(0, 40)) {
      const names = [p.given_name, p.family_name, ...aliases.filter((a) => a.person_id === p.id).map((a) => a.alias)];
      const expected = nameKeys(names)
        .map((k) => `${k.key}/${k.skeleton}`)
        .sort();
      const stored = keys
        .filter((k) => k.person_id === p.id)
        .map((k) => `${k.name_key}/${k.skeleton}`)
        .sort();
      expect(stored, p.id).toEqual(expected);
    }
    const organisationKeys = await db.selectFrom('organisation_name_keys').select('organisation_id').distinct().execute();
    expect(organisationKeys).toHaveLength(results.get('FR')!.organisations);
  });

  it('puts every shared subject first in exactly the states that know it, with the same passport', async () => {
    for (const subject of SHARED_SUBJECTS) {
      for (const state of DEMO) {
        const holders = await personsWithDocument(state, subject.passport.number);
        const record = subject.records[state];
        if (!record) {
          expect(holders, `${subject.key} in ${state}`).toHaveLength(0);
          continue;
        }
        expect(holders, `${subject.key} in ${state}`).toHaveLength(1);
        const [holder] = holders;
        expect(holder).toMatchObject({
          given_name: record.givenName,
          family_name: record.familyName,
          date_of_birth: subject.dateOfBirth,
          kind: 'PASSPORT',
          issuing_state: subject.passport.issuingState,
        });
        const position = SHARED_SUBJECTS.filter((s) => s.records[state]).indexOf(subject) + 1;
        expect(holder.id).toBe(`${state}-P-${String(position).padStart(6, '0')}`);
      }
      expect(Object.keys(subject.records).length).toBeGreaterThanOrEqual(2);
    }
  });

  it('spells shared subjects differently per state, and the tolerant keys still connect them', async () => {
    const belhaouari = SHARED_SUBJECTS.find((s) => s.key === 'belhaouari')!;
    const names = (['BE', 'FR', 'NL'] as const).map((s) => `${belhaouari.records[s]!.givenName} ${belhaouari.records[s]!.familyName}`);
    expect(new Set(names).size).toBe(3);
    const [be, fr, nl] = await Promise.all((['BE', 'FR', 'NL'] as const).map((s) => personsWithDocument(s, 'EM482913')));
    expect([be[0].family_name, fr[0].family_name, nl[0].family_name]).toEqual(['Belhaouari', 'Belhaouary', 'Belhawari']);
  });

  it('tells the cross-state travel story: Brussels -> Istanbul (BE), Istanbul -> Gaziantep (FR), Athens -> Amsterdam (NL)', async () => {
    const legs = async (state: MemberState) => {
      const [holder] = await personsWithDocument(state, 'EM482913');
      return store(state).db.selectFrom('travel_movements').selectAll().where('person_id', '=', holder.id).orderBy('at').execute();
    };
    const [be, fr, nl] = [await legs('BE'), await legs('FR'), await legs('NL')];
    expect(be[0]).toMatchObject({ from_city: 'Brussels', to_city: 'Istanbul', carrier: 'Turkish Airlines', reference: 'TK1938', mode: 'AIR' });
    expect(fr[0]).toMatchObject({ from_city: 'Istanbul', to_city: 'Gaziantep', mode: 'AIR' });
    expect(fr[0].at > be[0].at).toBe(true);
    expect(nl.map((t) => `${t.from_city}->${t.to_city}`)).toEqual(['Izmir->Athens', 'Athens->Amsterdam', 'Amsterdam->Istanbul']);
    expect(nl[2].planned).toBe(1);
  });

  it('freezes assets in NL and records cash withdrawals in BE days later, for the same passport', async () => {
    const measures = async (state: MemberState) => {
      const [holder] = await personsWithDocument(state, 'NR5K8T2H4');
      return store(state).db.selectFrom('financial_measures').selectAll().where('person_id', '=', holder.id).execute();
    };
    const freeze = (await measures('NL')).find((m) => m.kind === 'ASSET_FREEZE')!;
    expect(freeze).toMatchObject({ legal_basis: 'Sanctieregeling terrorisme 2007-II', currency: 'EUR' });
    const withdrawals = (await measures('BE')).filter((m) => m.kind === 'CASH_WITHDRAWAL');
    expect(withdrawals.length).toBeGreaterThanOrEqual(2);
    for (const w of withdrawals) {
      expect(w.since > freeze.since).toBe(true);
      expect(Date.parse(w.since) - Date.parse(freeze.since)).toBeLessThanOrEqual(7 * 86_400_000);
    }
    expect((await measures('NL')).some((m) => m.kind === 'CASH_WITHDRAWAL')).toBe(false);
  });

  it('links subjects to terrorist and organised-crime organisations known to several states', async () => {
    for (const organisation of SHARED_ORGANISATIONS) {
      for (const [state, record] of Object.entries(organisation.records) as Array<[MemberState, { name: string }]>) {
        if (!stores.has(state)) continue;
        const found = await store(state).db.selectFrom('organisations').selectAll().where('name', '=', record.name).execute();
        expect(found, `${organisation.key} in ${state}`).toHaveLength(1);
        expect(found[0].kind).toBe(organisation.kind);
      }
    }
    const kinds = await store('NL')
      .db.selectFrom('affiliations as a')
      .innerJoin('organisations as o', 'o.id', 'a.organisation_id')
      .select('o.kind')
      .where('a.person_id', '=', 'NL-P-000003')
      .execute();
    expect(kinds.map((k) => k.kind).sort()).toEqual(['ORGANISED_CRIME', 'TERRORIST']);
  });

  it('holds the Dutch national list: exactly 39 persons and the 3 organisations NL-O-001..003', async () => {
    const db = store('NL').db;
    const listed = await db.selectFrom('watchlist_listings').select('person_id').where('list', '=', NL_NATIONAL_LIST).execute();
    expect(listed).toHaveLength(39);
    expect(new Set(listed.map((l) => l.person_id)).size).toBe(39);
    expect(results.get('NL')!.nationalListPersons).toBe(39);
    const organisations = await db
      .selectFrom('organisations')
      .select(['id', 'name'])
      .where('id', 'in', [...NL_LISTED_ORGANISATION_IDS])
      .execute();
    expect(organisations.map((o) => o.name)).toEqual(['Katibat al-Muhajirin', 'Shabakat al-Ubur', 'Anatolia Exchange B.V.']);
    for (const id of NL_LISTED_ORGANISATION_IDS) {
      const members = await db
        .selectFrom('affiliations')
        .select('person_id')
        .where('organisation_id', '=', id)
        .where(
          'person_id',
          'in',
          listed.map((l) => l.person_id),
        )
        .execute();
      expect(members.length, id).toBeGreaterThan(0);
    }
    for (const state of DEMO.filter((s) => s !== 'NL')) {
      const elsewhere = await store(state).db.selectFrom('watchlist_listings').select('id').where('list', '=', NL_NATIONAL_LIST).execute();
      expect(elsewhere, state).toHaveLength(0);
    }
  });

  it('seeds what fits when NL gets fewer persons than its list, and says so', async () => {
    const small = await openStore(join(dir, 'NL-small.db'), 'NL');
    try {
      const result = await seedMember(small, { persons: 20 });
      expect(result.persons).toBe(20);
      expect(result.nationalListPersons).toBe(20);
      expect(result.notes.join(' ')).toMatch(/39/);
      const listed = await small.db.selectFrom('watchlist_listings').select('id').where('list', '=', NL_NATIONAL_LIST).execute();
      expect(listed).toHaveLength(20);
    } finally {
      await small.close();
    }
  });

  it('refuses a seeded database unless reset, and reset replaces the records', async () => {
    const s = await openStore(join(dir, 'DE-reset.db'), 'DE');
    try {
      expect(await isSeeded(s)).toBe(false);
      await seedMember(s, { persons: 60 });
      expect(await isSeeded(s)).toBe(true);
      await expect(seedMember(s, { persons: 60 })).rejects.toBeInstanceOf(AlreadySeededError);
      const before = await dump(s);
      await seedMember(s, { persons: 80, reset: true });
      expect(await s.db.selectFrom('persons').select('id').execute()).toHaveLength(80);
      await seedMember(s, { persons: 60, reset: true });
      expect(await dump(s)).toEqual(before);
    } finally {
      await s.close();
    }
  });

  it('reports progress up to the total', async () => {
    const s = await openStore(join(dir, 'ES-progress.db'), 'ES');
    try {
      const calls: Array<[number, number]> = [];
      await seedMember(s, { persons: 4_500, onProgress: (done, total) => calls.push([done, total]) });
      expect(calls.length).toBeGreaterThan(1);
      expect(calls[calls.length - 1]).toEqual([4_500, 4_500]);
      for (let i = 1; i < calls.length; i++) expect(calls[i][0]).toBeGreaterThan(calls[i - 1][0]);
    } finally {
      await s.close();
    }
  });
});

describePostgres('seedMember on PostgreSQL', () => {
  it('writes the same rows as on SQLite', async () => {
    const pgStore = await openStore(await createTestDatabase(), 'NL');
    try {
      await seedMember(pgStore, { persons: PERSONS });
      const [onPostgres, onSqlite] = [await dump(pgStore), await dump(store('NL'))];
      for (const table of TABLES) expect(onPostgres[table], table).toEqual(onSqlite[table]);
      await expect(seedMember(pgStore, { persons: PERSONS })).rejects.toBeInstanceOf(AlreadySeededError);
      await seedMember(pgStore, { persons: PERSONS, reset: true });
      expect((await dump(pgStore)).persons).toEqual(onSqlite.persons);
    } finally {
      await pgStore.close();
    }
  });
});
