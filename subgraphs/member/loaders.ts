import DataLoader from 'dataloader';
import type { Selectable } from 'kysely';
import type { Database } from './store-schema.ts';
import type { Store } from './store.ts';

type Row<T extends keyof Database> = Selectable<Database[T]>;

/** Keys per batch: far below SQLite's 32766 and PostgreSQL's 65535 bound parameters. */
const MAX_BATCH = 5000;

/** A loader of many rows per key: one SQL statement for every key asked in the same tick. */
function manyByKey<R>(fetch: (keys: readonly string[]) => Promise<R[]>, keyOf: (row: R) => string): DataLoader<string, R[]> {
  return new DataLoader(
    async (keys) => {
      const rows = await fetch(keys);
      const byKey = new Map<string, R[]>(keys.map((k) => [k, []]));
      for (const row of rows) byKey.get(keyOf(row))?.push(row);
      return keys.map((k) => byKey.get(k) ?? []);
    },
    { maxBatchSize: MAX_BATCH },
  );
}

function oneByKey<R>(fetch: (keys: readonly string[]) => Promise<R[]>, keyOf: (row: R) => string): DataLoader<string, R | null> {
  return new DataLoader(
    async (keys) => {
      const byKey = new Map((await fetch(keys)).map((row) => [keyOf(row), row]));
      return keys.map((k) => byKey.get(k) ?? null);
    },
    { maxBatchSize: MAX_BATCH },
  );
}

export interface TravelKey {
  personId: string;
  since: string | null;
  first: number | null;
}

/**
 * The DataLoaders of one request. Every relation a 200-person answer touches costs one SQL
 * statement, whatever the number of persons.
 */
export function createLoaders(store: Store) {
  const { db } = store;
  return {
    person: oneByKey<Row<'persons'>>(
      (ids) => db.selectFrom('persons').selectAll().where('id', 'in', ids).execute(),
      (r) => r.id,
    ),
    organisation: oneByKey<Row<'organisations'>>(
      (ids) => db.selectFrom('organisations').selectAll().where('id', 'in', ids).execute(),
      (r) => r.id,
    ),
    aliases: manyByKey(
      (ids) => db.selectFrom('person_aliases').selectAll().where('person_id', 'in', ids).orderBy('person_id').orderBy('position').execute(),
      (r) => r.person_id,
    ),
    nationalities: manyByKey(
      (ids) => db.selectFrom('person_nationalities').selectAll().where('person_id', 'in', ids).orderBy('person_id').orderBy('country').execute(),
      (r) => r.person_id,
    ),
    documents: manyByKey(
      (ids) => db.selectFrom('identity_documents').selectAll().where('person_id', 'in', ids).orderBy('id').execute(),
      (r) => r.person_id,
    ),
    financialMeasures: manyByKey(
      (ids) => db.selectFrom('financial_measures').selectAll().where('person_id', 'in', ids).orderBy('since', 'desc').orderBy('id').execute(),
      (r) => r.person_id,
    ),
    listings: manyByKey(
      (ids) => db.selectFrom('watchlist_listings').selectAll().where('person_id', 'in', ids).orderBy('listed_since', 'desc').orderBy('id').execute(),
      (r) => r.person_id,
    ),
    affiliationsOfPerson: manyByKey(
      (ids) => db.selectFrom('affiliations').selectAll().where('person_id', 'in', ids).orderBy('id').execute(),
      (r) => r.person_id,
    ),
    affiliationsOfOrganisation: manyByKey(
      (ids) => db.selectFrom('affiliations').selectAll().where('organisation_id', 'in', ids).orderBy('id').execute(),
      (r) => r.organisation_id,
    ),
    organisationAliases: manyByKey(
      (ids) => db.selectFrom('organisation_aliases').selectAll().where('organisation_id', 'in', ids).orderBy('organisation_id').orderBy('position').execute(),
      (r) => r.organisation_id,
    ),
    matchKeys: manyByKey(
      (ids) =>
        db
          .selectFrom('person_match_keys')
          .selectAll()
          .where('person_id', 'in', ids)
          .orderBy('person_id')
          .orderBy('kind')
          .orderBy('epoch')
          .orderBy('value')
          .execute(),
      (r) => r.person_id,
    ),
    travel: travelLoader(store),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

/**
 * Travel depends on arguments (since, first): keys with the same arguments share one statement,
 * so a list of persons asked with the same arguments still costs one statement.
 */
function travelLoader(store: Store): DataLoader<TravelKey, Row<'travel_movements'>[], string> {
  return new DataLoader<TravelKey, Row<'travel_movements'>[], string>(
    async (keys) => {
      const groups = new Map<string, TravelKey[]>();
      for (const key of keys) {
        const group = `${key.since ?? ''}|${key.first ?? ''}`;
        groups.set(group, [...(groups.get(group) ?? []), key]);
      }
      const results = new Map<string, Row<'travel_movements'>[]>();
      await Promise.all(
        [...groups.values()].map(async (group) => {
          const { since, first } = group[0];
          let query = store.db
            .selectFrom('travel_movements')
            .selectAll()
            .where(
              'person_id',
              'in',
              group.map((k) => k.personId),
            );
          if (since) query = query.where('at', '>=', since);
          const rows = await query.orderBy('person_id').orderBy('at', 'desc').orderBy('id').execute();
          const byPerson = new Map<string, Row<'travel_movements'>[]>();
          for (const row of rows) byPerson.set(row.person_id, [...(byPerson.get(row.person_id) ?? []), row]);
          for (const key of group) {
            const own = byPerson.get(key.personId) ?? [];
            results.set(cacheKey(key), first == null ? own : own.slice(0, first));
          }
        }),
      );
      return keys.map((k) => results.get(cacheKey(k)) ?? []);
    },
    { maxBatchSize: MAX_BATCH, cacheKeyFn: cacheKey },
  );
}

function cacheKey(key: TravelKey): string {
  return `${key.personId}|${key.since ?? ''}|${key.first ?? ''}`;
}
