import { sql, type Selectable } from 'kysely';
import type { Database } from './store-schema.ts';
import type { Store } from './store.ts';
import { MATCH_THRESHOLD, matchScore, nameWords, queryKeys, type NameKey } from './name-match.ts';
import { hagueError } from '../../common/errors.ts';

export type PersonRow = Selectable<Database['persons']> & { matchScore: number | null };
export type OrganisationRow = Selectable<Database['organisations']> & { matchScore: number | null };

export interface PersonFilter {
  name?: string | null;
  dateOfBirth?: string | null;
  documentNumber?: string | null;
  nationality?: string | null;
  status?: string | null;
}

export interface OrganisationFilter {
  name?: string | null;
  kind?: string | null;
}

/** How many records one member state returns per root field, at most. */
export const MAX_FIRST = 500;
/**
 * Bounds on free-text criteria, checked before anything is read (and again here): a name is a
 * person's or an organisation's name, not a text. Name matching is linear in the words, and these
 * bounds keep one search to a few dozen keys.
 */
export const SEARCH_BOUNDS = {
  /** Characters of filter.name. */
  nameLength: 100,
  /** Words of filter.name (after hyphens and apostrophes join their parts: Abdel-Hamid is one). */
  nameWords: 8,
  /** Characters of filter.documentNumber (passport and ID numbers have at most about 20). */
  documentNumberLength: 40,
  /** Characters of an id argument (person(id:), entity keys). */
  idLength: 100,
} as const;
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

function tooLong(argument: string, length: number, max: number, what: string) {
  return hagueError('BAD_USER_INPUT', `${argument} may have at most ${max} characters (got ${length}): ${what}`, { argumentName: argument });
}

/** filter.name of persons and organisations: at most SEARCH_BOUNDS.nameLength characters and nameWords words. */
export function checkName(name: string | null | undefined, argument = 'filter.name'): void {
  if (name == null) return;
  if (name.length > SEARCH_BOUNDS.nameLength) throw tooLong(argument, name.length, SEARCH_BOUNDS.nameLength, 'search for one name at a time');
  const words = nameWords(name).length;
  if (words > SEARCH_BOUNDS.nameWords) {
    throw hagueError('BAD_USER_INPUT', `${argument} may have at most ${SEARCH_BOUNDS.nameWords} words (got ${words}): search for one name at a time`, {
      argumentName: argument,
    });
  }
}

/** The free-text criteria of a person search, bounded; the values themselves are never echoed. */
export function checkPersonFilter(filter: PersonFilter | null | undefined): void {
  if (!filter) return;
  checkName(filter.name);
  const number = filter.documentNumber;
  if (number != null && number.length > SEARCH_BOUNDS.documentNumberLength) {
    throw tooLong('filter.documentNumber', number.length, SEARCH_BOUNDS.documentNumberLength, 'give the document number as printed');
  }
  if (filter.nationality != null && !/^[A-Za-z]{2}$/.test(filter.nationality.trim())) {
    throw hagueError('BAD_USER_INPUT', 'filter.nationality must be an ISO 3166-1 alpha-2 code: two letters, e.g. BE', { argumentName: 'filter.nationality' });
  }
}

export function checkOrganisationFilter(filter: OrganisationFilter | null | undefined): void {
  if (filter) checkName(filter.name);
}

/** An id argument: record ids are short; anything longer is refused before it reaches SQL. */
export function checkId(id: unknown, argument = 'id'): void {
  if (typeof id === 'string' && id.length > SEARCH_BOUNDS.idLength)
    throw tooLong(argument, id.length, SEARCH_BOUNDS.idLength, 'give the id as the record shows it');
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

/** Persons matching every criterion given, best name matches first, at most `first`. */
export async function searchPersons(store: Store, filter: PersonFilter, first: number): Promise<PersonRow[]> {
  if (!hasCriterion(filter)) {
    throw hagueError('BAD_USER_INPUT', 'filter needs at least one criterion: name, dateOfBirth, documentNumber, nationality or status', {
      argumentName: 'filter',
    });
  }
  checkPersonFilter(filter);
  const scores = filter.name ? await nameCandidates(store, 'person_name_keys', 'person_id', filter.name) : null;
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
