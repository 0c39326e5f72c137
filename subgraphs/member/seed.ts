/**
 * Deterministic synthetic demo data for one member state (`hague seed`, `hague dev`).
 *
 * Everything here is invented: names are drawn at random from pools of common names of many
 * origins, document numbers are generated, stories are fiction. Same state, same --persons, same
 * --seed: byte-identical rows (a seeded PRNG, a fixed reference date, no clock, no Math.random).
 *
 * The data is shaped to show why the network exists:
 * - SHARED_SUBJECTS: a fixed cast of subjects, each known to 2-4 specific member states under
 *   spelling variants of the name and the same passport number. A state that knows a subject holds
 *   it as one of its first persons (ids are stable: the cast comes first, in SHARED_SUBJECTS' order).
 * - Their travel crosses states, each leg recorded by a different state (Brussels -> Istanbul ->
 *   Gaziantep; Amsterdam -> Athens -> Izmir; Paris -> Istanbul -> Hatay; Madrid -> Ceuta -> Tangier...).
 * - An asset freeze in NL and cash withdrawals by the same subject (same passport) in BE days later.
 * - Links to terrorist and organised-crime organisations, the same organisation known to several
 *   states under spelling variants (SHARED_ORGANISATIONS).
 * - The Dutch national list: in NL exactly 39 persons carry a listing on 'NL national terrorism list'
 *   and the organisations NL-O-001..003 are the 3 listed organisations. The contract has no listing
 *   for organisations, so their listing is this convention (NL_LISTED_ORGANISATION_IDS); each of them
 *   has listed persons among its members.
 */
import type { Kysely } from 'kysely';
import type { Database } from './store-schema.ts';
import type { Store } from './store.ts';
import type { MemberState } from '../../common/member-states.ts';
import { Random, hashSeed } from './demo-data/random.ts';
import { REFERENCE_DATE } from './demo-data/dates.ts';
import { NL_LISTED_ORGANISATION_IDS, NL_LISTED_PERSONS, NL_NATIONAL_LIST } from './demo-data/national-lists.ts';
import type { OrganisationKind } from './demo-data/contract-enums.ts';
import { sharedSubjectsOf } from './demo-data/shared-subjects.ts';
import { organisationRows } from './demo-data/organisations.ts';
import { PERSON_TABLES, type OrganisationRef, type Row } from './demo-data/rows.ts';
import { StateGenerator, personId } from './demo-data/state-generator.ts';
import { markRows } from './demo-data/markings.ts';
import { assignReviewDates } from './demo-data/review-dates.ts';
import { isAsOfDate, placeOnClock, EARLIEST_AS_OF, LATEST_AS_OF } from './demo-data/clock.ts';
import { ensureMatchKeys, invalidateMatchKeys, type NetworkKeyring } from './match-keys.ts';

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

export interface SeedOptions {
  /** Persons to write, the shared subjects included (1 to MAX_SEED_PERSONS). */
  persons: number;
  /** Variant of the generated data; the shared cast does not depend on it. Default 1. */
  seed?: number;
  /** Delete the state's existing records first instead of refusing to seed a seeded database. */
  reset?: boolean;
  /** Called after each batch of persons is written. */
  onProgress?: (done: number, total: number) => void;
  /**
   * The demo clock, YYYY-MM-DD: travel, financial measures, listings and affiliations are placed
   * relative to it and a trip after it is planned (demo-data/clock.ts). Default REFERENCE_DATE
   * (2026-11-01), so the library stays deterministic; `hague seed` defaults to today.
   */
  asOf?: string;
  /** The network pseudonymisation keys: when given, every person's match keys are computed once seeded (else at member start). */
  keyring?: NetworkKeyring;
}

export interface SeedResult {
  state: MemberState;
  seed: number;
  persons: number;
  organisations: number;
  aliases: number;
  nationalities: number;
  personNameKeys: number;
  organisationNameKeys: number;
  documents: number;
  travelMovements: number;
  financialMeasures: number;
  listings: number;
  affiliations: number;
  /** Keys of the SHARED_SUBJECTS this state holds (a cast member's record in this state). */
  sharedSubjects: string[];
  /** Persons on this state's national terrorism list. */
  nationalListPersons: number;
  /** The demo clock the data was placed on. */
  asOf: string;
  /** Match keys written (0 without a keyring: the member computes them at start). */
  matchKeysComputed: boolean;
  /** Things a person should know about the result, e.g. fewer listed persons than the Dutch list has. */
  notes: string[];
}

export const MAX_SEED_PERSONS = 999_999;

export { REFERENCE_DATE } from './demo-data/dates.ts';
export { NL_LISTED_ORGANISATION_IDS, NL_LISTED_PERSONS, NL_NATIONAL_LIST, nationalList } from './demo-data/national-lists.ts';
export { Random, hashSeed } from './demo-data/random.ts';
export { SHARED_ORGANISATIONS, sharedOrganisationsOf } from './demo-data/shared-organisations.ts';
export type { SharedOrganisation, SharedOrganisationRecord } from './demo-data/shared-organisations.ts';
export { SHARED_SUBJECTS, sharedSubjectsOf } from './demo-data/shared-subjects.ts';
export type { SharedSubject, SharedSubjectRecord } from './demo-data/shared-subjects.ts';

/** Organisations a state gets for a number of persons: max(5, persons/200), at most 500. */
export function organisationCount(persons: number): number {
  return Math.min(500, Math.max(5, Math.floor(persons / 200)));
}

/** The seeding refused to overwrite existing records (pass reset). */
export class AlreadySeededError extends Error {
  constructor(
    readonly location: string,
    readonly state: MemberState,
    readonly persons: number,
  ) {
    super(`database ${location} already holds ${persons} person record(s) of ${state}`);
  }
}

/** True when the store holds any person record. */
export async function isSeeded(store: Pick<Store, 'db'>): Promise<boolean> {
  const row = await store.db.selectFrom('persons').select('id').limit(1).executeTakeFirst();
  return row !== undefined;
}

/** What the last seed wrote (hague_meta 'seed'): persons, variant and demo clock; undefined when never seeded by seedMember. */
export async function seedInfo(store: Pick<Store, 'db'>): Promise<{ persons: number; seed: number; asOf: string } | undefined> {
  const row = await store.db.selectFrom('hague_meta').select('value').where('key', '=', 'seed').executeTakeFirst();
  if (!row) return undefined;
  try {
    const meta = JSON.parse(row.value) as { persons?: unknown; seed?: unknown; asOf?: unknown };
    // Stores seeded before the demo clock existed were written on the reference date.
    const asOf = typeof meta.asOf === 'string' ? meta.asOf : REFERENCE_DATE;
    return typeof meta.persons === 'number' && typeof meta.seed === 'number' ? { persons: meta.persons, seed: meta.seed, asOf } : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

/** Tables holding a state's records, children before parents (for deletion). audit_log is kept. */
const DATA_TABLES = [
  'affiliations',
  'person_match_keys',
  'person_name_keys',
  'person_aliases',
  'person_nationalities',
  'identity_documents',
  'travel_movements',
  'financial_measures',
  'watchlist_listings',
  'persons',
  'organisation_name_keys',
  'organisation_aliases',
  'organisations',
] as const;

/** Bound parameters per statement stay well below SQLite's 32766 and PostgreSQL's 65535. */
const MAX_PARAMETERS = 30_000;
const MAX_ROWS_PER_STATEMENT = 1_000;

async function insertRows<T extends keyof Database>(db: Kysely<Database>, table: T, rows: Row<T>[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]).length;
  const size = Math.max(1, Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(MAX_PARAMETERS / columns)));
  for (let i = 0; i < rows.length; i += size) {
    // Kysely cannot type a generic table's insert; the rows are typed by Row<T> above.
    await db
      .insertInto(table)
      .values(rows.slice(i, i + size))
      .execute();
  }
}

/** Persons generated and written per batch (and per progress report). */
const BATCH_PERSONS = 2_000;

/**
 * Writes a member state's demo data into its store, in one transaction: all or nothing. Refuses a
 * store that already holds records unless `reset` (which deletes them first; the audit log stays).
 */
export async function seedMember(store: Store, options: SeedOptions): Promise<SeedResult> {
  const { persons, reset = false, onProgress } = options;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(persons) || persons < 1 || persons > MAX_SEED_PERSONS) {
    throw new RangeError(`persons must be a whole number from 1 to ${MAX_SEED_PERSONS}, got ${persons}`);
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be a whole number from 0 to ${0xffffffff}, got ${seed}`);
  const asOf = options.asOf ?? REFERENCE_DATE;
  if (!isAsOfDate(asOf)) throw new RangeError(`asOf must be a date YYYY-MM-DD from ${EARLIEST_AS_OF} to ${LATEST_AS_OF}, got ${asOf}`);
  const state = store.state;

  const orgs = organisationRows(state, organisationCount(persons), seed);
  const refs: OrganisationRef[] = orgs.organisations.map((o) => ({ id: o.id, kind: o.kind as OrganisationKind, name: o.name }));
  const generator = new StateGenerator(state, refs, orgs.sharedIds);
  const shared = sharedSubjectsOf(state).slice(0, persons);
  const notes: string[] = [];
  const sharedAll = sharedSubjectsOf(state);
  if (shared.length < sharedAll.length) {
    notes.push(`only ${shared.length} of the ${sharedAll.length} shared subjects ${state} holds fit in ${persons} persons`);
  }

  // The Dutch list: the listed shared subjects plus generated persons drawn from the first 400
  // generated ones (so the same persons are listed for every --persons of 407 or more).
  const listedGenerated = new Map<number, string>();
  let nationalListPersons = 0;
  if (state === 'NL') {
    const listedShared = shared.filter((s) => s.records.NL!.listings?.some((l) => l.list === NL_NATIONAL_LIST)).length;
    const available = persons - shared.length;
    const wanted = NL_LISTED_PERSONS - listedShared;
    const window = Math.min(available, 400);
    const pickRng = new Random(hashSeed(`NL:${seed}:national-list`));
    const chosen = new Set<number>();
    // Floyd's sampling: `wanted` distinct positions out of `window`, deterministic.
    for (let j = window - Math.min(wanted, window); j < window; j++) {
      const t = pickRng.int(0, j);
      chosen.add(chosen.has(t) ? j : t);
    }
    [...chosen]
      .sort((a, b) => a - b)
      .forEach((offset, i) => {
        listedGenerated.set(shared.length + 1 + offset, NL_LISTED_ORGANISATION_IDS[i % NL_LISTED_ORGANISATION_IDS.length]);
      });
    nationalListPersons = listedShared + listedGenerated.size;
    if (nationalListPersons < NL_LISTED_PERSONS) {
      notes.push(
        `the Dutch national list holds ${NL_LISTED_PERSONS} persons but only ${nationalListPersons} fit in ${persons} persons; seed at least ${NL_LISTED_PERSONS + sharedAll.length - listedShared} for the full list`,
      );
    }
  }

  const result: SeedResult = {
    state,
    seed,
    persons,
    organisations: orgs.organisations.length,
    aliases: 0,
    nationalities: 0,
    personNameKeys: 0,
    organisationNameKeys: orgs.keys.length,
    documents: 0,
    travelMovements: 0,
    financialMeasures: 0,
    listings: 0,
    affiliations: 0,
    sharedSubjects: shared.map((s) => s.key),
    nationalListPersons,
    asOf,
    matchKeysComputed: false,
    notes,
  };

  const castIds = new Set(shared.map((_s, i) => personId(state, i + 1)));
  await store.db.transaction().execute(async (trx) => {
    const db: Kysely<Database> = trx;
    const existing = await db
      .selectFrom('persons')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
      .executeTakeFirstOrThrow();
    const existingOrganisations = await db.selectFrom('organisations').select('id').limit(1).executeTakeFirst();
    if (Number(existing.n) > 0 || existingOrganisations) {
      if (!reset) throw new AlreadySeededError(store.location, state, Number(existing.n));
      for (const table of DATA_TABLES) await db.deleteFrom(table).execute();
    }

    await insertRows(db, 'organisations', orgs.organisations);
    await insertRows(db, 'organisation_aliases', orgs.aliases);
    await insertRows(db, 'organisation_name_keys', orgs.keys);

    const personRng = new Random(hashSeed(`${state}:${seed}:persons`));
    const listRng = new Random(hashSeed(`${state}:${seed}:listed`));
    let position = 0;
    while (position < persons) {
      const end = Math.min(persons, position + BATCH_PERSONS);
      for (; position < end; position++) {
        const number = position + 1;
        if (position < shared.length) generator.addShared(number, shared[position]);
        else {
          const organisationId = listedGenerated.get(number);
          generator.addGenerated(personRng, number, organisationId ? { organisationId, rng: listRng } : undefined);
        }
      }
      const rows = generator.take();
      placeOnClock(rows, asOf);
      markRows(rows);
      assignReviewDates(rows, asOf, castIds);
      for (const table of PERSON_TABLES) await insertRows(db, table, rows[table] as Row<typeof table>[]);
      result.aliases += rows.person_aliases.length;
      result.nationalities += rows.person_nationalities.length;
      result.personNameKeys += rows.person_name_keys.length;
      result.documents += rows.identity_documents.length;
      result.travelMovements += rows.travel_movements.length;
      result.financialMeasures += rows.financial_measures.length;
      result.listings += rows.watchlist_listings.length;
      result.affiliations += rows.affiliations.length;
      onProgress?.(position, persons);
    }

    // New records: the stored match keys no longer cover them (recomputed below or at member start).
    await invalidateMatchKeys(db);
    const meta = JSON.stringify({ generator: 1, persons, seed, referenceDate: REFERENCE_DATE, asOf });
    await db
      .insertInto('hague_meta')
      .values({ key: 'seed', value: meta })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: meta }))
      .execute();
  });
  if (options.keyring) result.matchKeysComputed = await ensureMatchKeys(store, options.keyring);
  return result;
}
