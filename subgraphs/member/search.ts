import { sql, type Selectable } from 'kysely';
import type { Database } from './store-schema.ts';
import type { Store } from './store.ts';
import { MATCH_THRESHOLD, matchScore, queryKeys, type NameKey } from './name-match.ts';
import {
  checkId,
  checkName,
  checkOrganisationFilter,
  checkPersonFilter,
  SEARCH_BOUNDS,
  type OrganisationFilter,
  type PersonFilter,
} from '../../common/search-bounds.ts';

export { checkId, checkName, checkOrganisationFilter, checkPersonFilter, SEARCH_BOUNDS, type OrganisationFilter, type PersonFilter };
import { hagueError } from '../../common/errors.ts';

export type PersonRow = Selectable<Database['persons']> & { matchScore: number | null };
export type OrganisationRow = Selectable<Database['organisations']> & { matchScore: number | null };

/** How many records one member state returns per root field, at most. */
export const MAX_FIRST = 500;
/** Name candidates scored per search; more hits than this on one name key are ranked by key hits first. */
const MAX_CANDIDATES = 2000;

export function checkFirst(first: number | null | undefined, argument = 'first'): number {
  const value = first ?? 50;
  if (!Number.isInteger(value) || value < 1 || value > MAX_FIRST) {
    throw hagueError('BAD_USER_INPUT', `${argument} must be between 1 and ${MAX_FIRST} (got ${value}); page through larger results with narrower filters`, {
      argumentName: argument,
    });
  }
  return value;
}

/** Document numbers compare without spaces, dashes and case. */
export function documentNumberKey(number: string): string {
  return number.replace(/[^0-9a-z]/gi, '').toUpperCase();
}

function hasCriterion(filter: object): boolean {
  return Object.values(filter).some((v) => v !== null && v !== undefined && v !== '');
}

/**
 * Scores name candidates: persons (or organisations) sharing a key or skeleton with the search,
 * ranked by how many of their keys hit, then scored word by word.
 */
async function nameCandidates(
  store: Store,
  table: 'person_name_keys' | 'organisation_name_keys',
  owner: 'person_id' | 'organisation_id',
  name: string,
): Promise<Map<string, number>> {
  const keys = queryKeys(name);
  if (keys.length === 0) throw hagueError('BAD_USER_INPUT', 'filter.name has no letters to search for', { argumentName: 'filter.name' });
  // One statement: the candidates sharing most keys (key or skeleton), with all of their keys.
  const { rows: hits } = await sql<{ owner: string; name_key: string; skeleton: string }>`
    select k.${sql.ref(owner)} as owner, k.name_key, k.skeleton
    from ${sql.table(table)} k
    join (
      select ${sql.ref(owner)} as hit_owner, count(*) as hits from ${sql.table(table)}
      where name_key in (${sql.join(keys.map((k) => k.key))}) or skeleton in (${sql.join(keys.map((k) => k.skeleton))})
      group by ${sql.ref(owner)} order by hits desc, ${sql.ref(owner)} limit ${MAX_CANDIDATES}
    ) c on k.${sql.ref(owner)} = c.hit_owner`.execute(store.db);
  const keysByOwner = new Map<string, NameKey[]>();
  for (const hit of hits) keysByOwner.set(hit.owner, [...(keysByOwner.get(hit.owner) ?? []), { key: hit.name_key, skeleton: hit.skeleton }]);
  const scores = new Map<string, number>();
  for (const [id, recordKeys] of keysByOwner) {
    const score = matchScore(name, recordKeys);
    if (score >= MATCH_THRESHOLD) scores.set(id, score);
  }
  return scores;
}

/** How a search treats overdue records (review.ts): `hideOverdueOn` leaves out every record whose review date is before that day. */
export interface PersonSearchOptions {
  hideOverdueOn?: string;
}

/** Persons matching every criterion given, best name matches first, at most `first`. */
export async function searchPersons(store: Store, filter: PersonFilter, first: number, options: PersonSearchOptions = {}): Promise<PersonRow[]> {
  if (!hasCriterion(filter)) {
    throw hagueError(
      'BAD_USER_INPUT',
      'filter needs at least one criterion: name, dateOfBirth, documentNumber, nationality, status, listedOn, travelPlace or organisation',
      {
        argumentName: 'filter',
      },
    );
  }
  checkPersonFilter(filter);
  const scores = filter.name ? await nameCandidates(store, 'person_name_keys', 'person_id', filter.name) : null;
  const hideOverdueOn = options.hideOverdueOn;
  if (scores && scores.size > 0 && hideOverdueOn) {
    // Withheld as overdue: out of the candidates before they are ranked, so `first` counts only the others.
    const overdue = await store.db
      .selectFrom('persons')
      .select('id')
      .where('id', 'in', [...scores.keys()])
      .where('review_due', '<', hideOverdueOn)
      .execute();
    for (const { id } of overdue) scores.delete(id);
  }
  if (scores && scores.size === 0) return [];
  if (scores && !Object.entries(filter).some(([criterion, value]) => criterion !== 'name' && value !== null && value !== undefined && value !== '')) {
    // A name alone: rank the candidates on their scores and read the rows of the best `first` only
    // (a common name has up to MAX_CANDIDATES candidates; reading all their rows to keep `first`
    // was 7% of a search at 100k persons, bench/README.md).
    const best = [...scores.keys()].sort((a, b) => scores.get(b)! - scores.get(a)! || a.localeCompare(b)).slice(0, first);
    const rows = new Map((await store.db.selectFrom('persons').selectAll().where('id', 'in', best).execute()).map((row) => [row.id, row]));
    return best.filter((id) => rows.has(id)).map((id) => ({ ...rows.get(id)!, matchScore: scores.get(id)! }));
  }
  let query = store.db.selectFrom('persons as p').selectAll('p');
  if (scores) query = query.where('p.id', 'in', [...scores.keys()]);
  if (hideOverdueOn) query = query.where((eb) => eb.or([eb('p.review_due', 'is', null), eb('p.review_due', '>=', hideOverdueOn)]));
  if (filter.dateOfBirth) query = query.where('p.date_of_birth', '=', filter.dateOfBirth);
  if (filter.status) query = query.where('p.status', '=', filter.status);
  if (filter.nationality) {
    const country = filter.nationality.trim().toUpperCase();
    query = query.where('p.id', 'in', (eb) => eb.selectFrom('person_nationalities').select('person_id').where('country', '=', country));
  }
  if (filter.documentNumber) {
    const key = documentNumberKey(filter.documentNumber);
    query = query.where('p.id', 'in', (eb) => eb.selectFrom('identity_documents').select('person_id').where('number_key', '=', key));
  }
  if (filter.listedOn?.trim()) {
    // Contains, ignoring case: "UN 1267" finds "UN 1267 (ISIL/Al-Qaida)". Listings are few per person.
    const text = `%${filter.listedOn
      .trim()
      .toLowerCase()
      .replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where('p.id', 'in', (eb) =>
      eb
        .selectFrom('watchlist_listings')
        .select('person_id')
        .where(sql<boolean>`lower(list) like ${text} escape '\\'`),
    );
  }
  if (filter.travelPlace) {
    const place = filter.travelPlace;
    const city = place.city?.trim().toLowerCase() || null;
    const country = place.country?.trim().toUpperCase() || null;
    query = query.where('p.id', 'in', (eb) => {
      let movements = eb.selectFrom('travel_movements').select('person_id');
      // Either end of the movement: a trip from Gaziantep is travel to and through it.
      movements = movements.where((m) =>
        m.or([
          m.and([...(city ? [m(sql<string>`lower(from_city)`, '=', city)] : []), ...(country ? [m('from_country', '=', country)] : [])]),
          m.and([...(city ? [m(sql<string>`lower(to_city)`, '=', city)] : []), ...(country ? [m('to_country', '=', country)] : [])]),
        ]),
      );
      if (place.from) movements = movements.where('at', '>=', place.from);
      // A date covers the whole day: any time on `until` is on or before it.
      if (place.until) movements = movements.where('at', '<=', `${place.until}T23:59:59.999Z`);
      if (place.plannedOnly) movements = movements.where('planned', '=', 1);
      return movements;
    });
  }
  if (filter.organisation?.trim()) {
    const wanted = filter.organisation.trim();
    // The owner's id of the organisation, or its name or alias as tolerantly as names are matched.
    const byName = queryKeys(wanted).length ? [...(await nameCandidates(store, 'organisation_name_keys', 'organisation_id', wanted)).keys()] : [];
    const ids = [wanted, ...byName];
    query = query.where('p.id', 'in', (eb) => eb.selectFrom('affiliations').select('person_id').where('organisation_id', 'in', ids));
  }
  if (!scores) return (await query.orderBy('p.id').limit(first).execute()).map((row) => ({ ...row, matchScore: null }));
  const rows = await query.execute();
  return rows
    .map((row) => ({ ...row, matchScore: scores.get(row.id) ?? 0 }))
    .sort((a, b) => b.matchScore - a.matchScore || a.id.localeCompare(b.id))
    .slice(0, first);
}

/** Organisations matching every criterion given, best name matches first, at most `first`. */
export async function searchOrganisations(store: Store, filter: OrganisationFilter, first: number): Promise<OrganisationRow[]> {
  if (!hasCriterion(filter)) throw hagueError('BAD_USER_INPUT', 'filter needs at least one criterion: name or kind', { argumentName: 'filter' });
  checkOrganisationFilter(filter);
  const scores = filter.name ? await nameCandidates(store, 'organisation_name_keys', 'organisation_id', filter.name) : null;
  if (scores && scores.size === 0) return [];
  let query = store.db.selectFrom('organisations').selectAll();
  if (scores) query = query.where('id', 'in', [...scores.keys()]);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  if (!scores) return (await query.orderBy('id').limit(first).execute()).map((row) => ({ ...row, matchScore: null }));
  return (await query.execute())
    .map((row) => ({ ...row, matchScore: scores.get(row.id) ?? 0 }))
    .sort((a, b) => b.matchScore - a.matchScore || a.id.localeCompare(b.id))
    .slice(0, first);
}
