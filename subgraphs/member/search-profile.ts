import type { Caller } from '../../common/caller.ts';
import { hagueError } from '../../common/errors.ts';
import type { ReleasePolicy } from './release-policy.ts';
import { contractNetworkRules, releaseTier, withholdingReason } from './release-rules.ts';
import { denialReason } from '../../common/network-rules.ts';
import { fieldTiers, type Tier } from './tiers.ts';

/**
 * Search profiles: which criteria a caller may search an owner's records by, decided by the owner
 * (as the EU search portal fixes the searchable fields per user profile). Searching is a release:
 * a record found by `dateOfBirth: X` tells the caller the date of birth is X. So a criterion the
 * caller's profile does not offer is refused before any data is read, with NOT_RELEASED naming the
 * criterion and the rule, and so is a criterion on a field the owner's field rules withhold from
 * this caller (clearance, roles, purposes).
 */

/** What each root search field can be searched by, and the field of the record each criterion reveals. */
export const SEARCH_CRITERIA = {
  persons: {
    name: 'Person.familyName',
    dateOfBirth: 'Person.dateOfBirth',
    documentNumber: 'Person.documents',
    nationality: 'Person.nationalities',
    status: 'Person.status',
    listedOn: 'Person.listings',
    travelPlace: 'Person.travel',
    organisation: 'Person.affiliations',
  },
  organisations: { name: 'Organisation.name', kind: 'Organisation.kind' },
} as const;

export type SearchField = keyof typeof SEARCH_CRITERIA;
export type Criterion<F extends SearchField = SearchField> = keyof (typeof SEARCH_CRITERIA)[F] & string;

/** One allowed way to search: every criterion of `all`, plus any of `also`; optionally only for some roles or purposes. */
export interface SearchForm {
  all: string[];
  also: string[];
  /** Names must match exactly (every word, after normalising case, diacritics and transliteration), not merely resemble. */
  exactNames: boolean;
  roles?: string[];
  purposes?: string[];
}

/** Per search field, per tier: the forms a caller of that tier may use. An empty list: that tier may not search. */
export type SearchProfiles = Record<SearchField, Partial<Record<Tier, SearchForm[]>>>;
/** A policy's own profiles: each (field, tier) it lists replaces the default forms; the others keep them. */
export type SearchProfileOverrides = Partial<Record<SearchField, Partial<Record<Tier, SearchForm[]>>>>;

const form = (all: string[], also: string[] = [], exactNames = false): SearchForm => ({ all, also, exactNames });

/**
 * The profiles of a state whose policy says nothing: a HIT partner confirms an identity it already
 * holds (name with date of birth, names matched exactly, or a document number); a SUMMARY partner
 * may also search by name alone and narrow by nationality or status; FULL may combine anything.
 */
export const DEFAULT_SEARCH_PROFILES: SearchProfiles = {
  persons: {
    HIT: [form(['name', 'dateOfBirth'], [], true), form(['documentNumber'])],
    SUMMARY: [
      form(['name'], ['dateOfBirth', 'nationality', 'status']),
      form(['documentNumber'], ['name', 'dateOfBirth']),
      form(['dateOfBirth', 'nationality'], ['status']),
    ],
    FULL: [form([], ['name', 'dateOfBirth', 'documentNumber', 'nationality', 'status', 'listedOn', 'travelPlace', 'organisation'])],
  },
  organisations: {
    HIT: [form(['name'], [], true)],
    SUMMARY: [form(['name'], ['kind'])],
    FULL: [form([], ['name', 'kind'])],
  },
};

/**
 * Criteria that find records by a fact rather than an identifier (a listing, a journey, a link to an
 * organisation): a hit tells the caller the fact, so the caller must be one the owner releases the
 * fact's field to in full (its tier, the contract's network rule and the owner's field rule), not
 * only one its narrower field rules let through, whatever the profile says.
 */
export const FACT_CRITERIA: ReadonlySet<string> = new Set(['listedOn', 'travelPlace', 'organisation']);

/** Why the owner would not release the field a fact criterion reveals to this caller; null when it would. */
function factWithheld(policy: ReleasePolicy, coordinate: string, caller: Caller): string | null {
  const requirement = contractNetworkRules().fields.get(coordinate);
  const denied = requirement ? denialReason(requirement, caller, coordinate) : null;
  if (denied) return denied;
  return withholdingReason(policy, coordinate, fieldTiers().get(coordinate) ?? 'FULL', caller);
}

/** The criteria actually given in a filter (empty strings and nulls are not criteria). */
export function givenCriteria(filter: Record<string, unknown> | null | undefined): string[] {
  return Object.entries(filter ?? {})
    .filter(([, value]) => value !== null && value !== undefined && value !== '')
    .map(([criterion]) => criterion);
}

function formHolds(f: SearchForm, given: string[], caller: Caller): boolean {
  if (f.roles && !f.roles.some((role) => caller.roles.includes(role))) return false;
  if (f.purposes && !f.purposes.includes(caller.purpose)) return false;
  return f.all.every((c) => given.includes(c)) && given.every((c) => f.all.includes(c) || f.also.includes(c));
}

function describeForm(f: SearchForm): string {
  const all = f.all.length ? f.all.join(' + ') : 'any of';
  const also = f.also.length ? `${f.all.length ? ' [+ ' : ' '}${f.also.join(', ')}${f.all.length ? ']' : ''}` : '';
  const conditions = [f.exactNames ? 'exact names' : '', f.roles ? `roles ${f.roles.join('/')}` : '', f.purposes ? `purposes ${f.purposes.join('/')}` : '']
    .filter(Boolean)
    .join(', ');
  return `${all}${also}${conditions ? ` (${conditions})` : ''}`;
}

/**
 * Checks a search against the owner's profile for this caller, before any data is read. Returns
 * the form it matched (its exactNames applies to the results); throws NOT_RELEASED otherwise.
 */
export function checkSearch(policy: ReleasePolicy, caller: Caller, field: SearchField, filter: Record<string, unknown> | null | undefined): SearchForm {
  const owner = policy.memberState;
  const tier = releaseTier(policy, caller);
  const given = givenCriteria(filter);
  const criteria: Record<string, string> = SEARCH_CRITERIA[field];
  // A criterion on a field the owner's narrower rules withhold from this caller would reveal it.
  for (const criterion of given) {
    const coordinate = criteria[criterion];
    if (!coordinate) continue;
    if (!FACT_CRITERIA.has(criterion) && !policy.fields[coordinate]) continue;
    const reason = FACT_CRITERIA.has(criterion) ? factWithheld(policy, coordinate, caller) : withholdingReason(policy, coordinate, 'HIT', caller);
    if (reason) {
      throw hagueError('NOT_RELEASED', `${owner} does not let you search ${field} by ${criterion}: ${reason}`, {
        memberState: owner,
        field: `${field}(filter.${criterion})`,
        tier,
      });
    }
  }
  const forms = policy.searchProfiles?.[field]?.[tier] ?? DEFAULT_SEARCH_PROFILES[field][tier] ?? [];
  const matched = forms.find((f) => formHolds(f, given, caller));
  if (matched) return matched;
  const offered = forms.filter((f) => (!f.roles || f.roles.some((r) => caller.roles.includes(r))) && (!f.purposes || f.purposes.includes(caller.purpose)));
  const outside = given.filter((c) => !offered.some((f) => f.all.includes(c) || f.also.includes(c)));
  const what = outside.length ? `by ${outside.join(' and ')}` : `by ${given.join(' + ') || 'nothing'} alone`;
  throw hagueError(
    'NOT_RELEASED',
    offered.length
      ? `${owner} does not let ${caller.state} (${tier} tier) search ${field} ${what}; its search profile allows: ${offered.map(describeForm).join('; ')}`
      : `${owner} does not let ${caller.state} (${tier} tier) search ${field} at all; ask ${owner}'s contact point`,
    { memberState: owner, field: `${field}(filter.${outside[0] ?? given[0] ?? 'filter'})`, tier },
  );
}

/** Checks at start that a profile names only criteria its field has. */
export function isCriterion(field: SearchField, value: unknown): boolean {
  return typeof value === 'string' && Object.hasOwn(SEARCH_CRITERIA[field], value);
}

/**
 * The form of `tier`'s profile this search fits (roles and purposes of the caller applied), or null:
 * whether a caller of that tier could have made it. Used for overdue records under
 * `review.overdue: hits-only` (review.ts): a partner finds such a record only by a HIT-tier search.
 */
export function formOfTier(
  policy: ReleasePolicy,
  caller: Caller,
  field: SearchField,
  filter: Record<string, unknown> | null | undefined,
  tier: Tier,
): SearchForm | null {
  const forms = policy.searchProfiles?.[field]?.[tier] ?? DEFAULT_SEARCH_PROFILES[field][tier] ?? [];
  const given = givenCriteria(filter);
  return forms.find((f) => formHolds(f, given, caller)) ?? null;
}
