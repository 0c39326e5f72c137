import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import type { ReleasePolicy } from './release-policy.ts';
import { checkSearch, formOfTier, type SearchForm } from './search-profile.ts';
import { isOverdue, overdueModeFor, reviewToday } from './review.ts';
import { notificationView } from './hit-notifications.ts';
import type { Selectable } from 'kysely';
import type { Database } from './store-schema.ts';
import type { Store } from './store.ts';
import type { Loaders } from './loaders.ts';
import { checkFirst, searchOrganisations, searchPersons, type OrganisationFilter, type PersonFilter, type PersonRow, type OrganisationRow } from './search.ts';
import { DateScalar, DateTimeScalar } from '../../schema/scalars.ts';
import type { MemberState } from '../../common/member-states.ts';
import type { Caller } from '../../common/caller.ts';
import { hagueError } from '../../common/errors.ts';
import type { AuditCollector } from './audit-entry.ts';
import { handlingResolvers } from './handling.ts';
import { releasedMatchKeys } from './match-keys.ts';
import { countList, type ListCounts } from './search-counts.ts';
import type { GraphQLResolveInfo } from 'graphql';

/** What every resolver of one request sees. */
export interface MemberContext {
  state: MemberState;
  agency: string;
  store: Store;
  loaders: Loaders;
  /** Who asks, from the gateway's context token (verified before any resolver runs). */
  caller: Caller;
  /** When the gateway stops waiting (epoch ms, from the context token): nothing is released after it. */
  deadline: number;
  /** This state's release policy: tiers, field rules, search profiles and budgets. */
  policy: ReleasePolicy;
  /** The records this request's resolvers returned, for its audit entry (audit-entry.ts). */
  audit?: AuditCollector;
  /** The client's correlation id, when the gateway passed it on (X-Correlation-Id). */
  correlationId?: string;
  /**
   * Per list root field (response key): how many records this state returned, whether more match,
   * and their match scores in order; sent in the answer's extensions.hague.lists (search-counts.ts).
   */
  lists?: ListCounts;
  /** BENCH ONLY (MemberSafeguards.searchBudget false): no search profile check. */
  searchProfiles?: false;
}

/** BENCH ONLY: the form of a search when profiles are off (MemberSafeguards.searchBudget false). */
const ANY_FORM: SearchForm = { all: [], also: [], exactNames: false };

/** A search the profile allows only with exact names keeps the records whose names match fully. */
function exactWhereRequired<T extends { matchScore: number | null }>(rows: T[], form: SearchForm): T[] {
  return form.exactNames ? rows.filter((row) => row.matchScore === null || row.matchScore >= 1) : rows;
}

type Row<T extends keyof Database> = Selectable<Database[T]>;
type WithScore<T> = T & { matchScore?: number | null };

/**
 * A person row as this caller may have it: null when the owner withholds it as overdue
 * (`review.overdue: withhold`, review.ts): a lookup by id answers as if the record were absent.
 */
function visiblePerson<T extends { review_due?: string | null } | null | undefined>(row: T, context: MemberContext): T | null {
  if (row && overdueModeFor(context.policy, context.caller) === 'withhold' && isOverdue(row)) return null;
  return row;
}

/** Whether a root field's memberStates argument includes this state (all states when omitted). */
function asked(memberStates: MemberState[] | null | undefined, state: MemberState): boolean {
  return !memberStates || memberStates.includes(state);
}

function contact(row: Row<'persons'> | Row<'organisations'>, context: MemberContext) {
  return {
    agency: context.agency,
    unit: row.contact_unit,
    email: row.contact_email,
    phone: row.contact_phone,
    reference: row.contact_reference,
  };
}

/** Resolves an entity representation only when this state owns it; another state's key is not ours to answer. */
function ownKey(reference: { memberState?: string; id?: string }, context: MemberContext): string | null {
  return reference.memberState === context.state && typeof reference.id === 'string' ? reference.id : null;
}

export const resolvers: GraphQLResolverMap<MemberContext> = {
  Date: DateScalar,
  DateTime: DateTimeScalar,
  Query: {
    async persons(
      _: unknown,
      args: { filter: PersonFilter; first?: number | null; memberStates?: MemberState[] | null },
      context: MemberContext,
      info: GraphQLResolveInfo,
    ) {
      const first = checkFirst(args.first);
      if (!asked(args.memberStates, context.state)) return [];
      // The owner's search profile first: a criterion it does not offer this caller reads nothing.
      const form = context.searchProfiles === false ? ANY_FORM : checkSearch(context.policy, context.caller, 'persons', args.filter as Record<string, unknown>);
      // Overdue records (review.ts): withheld from partners, or found only by a search a HIT-tier partner may make.
      const mode = overdueModeFor(context.policy, context.caller);
      const today = reviewToday();
      const hitForm = mode === 'hits-only' ? formOfTier(context.policy, context.caller, 'persons', args.filter as Record<string, unknown>, 'HIT') : null;
      const hide = mode === 'withhold' || (mode === 'hits-only' && hitForm === null);
      let found = await searchPersons(context.store, args.filter, first + 1, hide ? { hideOverdueOn: today } : {});
      if (hitForm?.exactNames) found = found.filter((row) => !isOverdue(row, today) || row.matchScore === null || row.matchScore >= 1);
      // One more than asked tells whether more records match.
      const rows = countList(context, info, exactWhereRequired(found, form), first);
      for (const row of rows) context.loaders.person.prime(row.id, row);
      return rows;
    },
    async person(_: unknown, args: { memberState: MemberState; id: string }, context: MemberContext) {
      if (args.memberState !== context.state) return null;
      return visiblePerson(await context.loaders.person.load(args.id), context);
    },
    // Linking across states happens at the gateway (gateway/subjects.ts), which asks each state `persons`.
    subjects(_: unknown, _args: unknown, context: MemberContext) {
      throw hagueError('BAD_USER_INPUT', `subjects is computed by the gateway from persons answers; ${context.state} answers persons`, {
        memberState: context.state,
      });
    },
    async hitNotifications(_: unknown, args: { since?: string | null; first?: number | null }, context: MemberContext) {
      const first = checkFirst(args.first);
      // Every other state's callers get nothing from this state: the field fans out to every state.
      if (context.caller.state !== context.state) return [];
      if (!context.caller.roles.includes('duty')) {
        throw hagueError('NOT_RELEASED', `${context.state} shows its hit notifications only to its own duty officers (role duty)`, {
          memberState: context.state,
          field: 'Query.hitNotifications',
        });
      }
      let query = context.store.db.selectFrom('hit_notifications').selectAll().orderBy('at', 'desc').orderBy('id').limit(first);
      if (args.since) query = query.where('at', '>=', args.since);
      return (await query.execute()).map((row) => notificationView(row, context.state));
    },
    async organisations(
      _: unknown,
      args: { filter: OrganisationFilter; first?: number | null; memberStates?: MemberState[] | null },
      context: MemberContext,
      info: GraphQLResolveInfo,
    ) {
      const first = checkFirst(args.first);
      if (!asked(args.memberStates, context.state)) return [];
      const form =
        context.searchProfiles === false ? ANY_FORM : checkSearch(context.policy, context.caller, 'organisations', args.filter as Record<string, unknown>);
      const rows = countList(context, info, exactWhereRequired(await searchOrganisations(context.store, args.filter, first + 1), form), first);
      for (const row of rows) context.loaders.organisation.prime(row.id, row);
      return rows;
    },
  },
  Person: {
    async __resolveReference(reference: { memberState?: string; id?: string }, context: MemberContext) {
      const id = ownKey(reference, context);
      return id === null ? null : visiblePerson(await context.loaders.person.load(id), context);
    },
    memberState: (_row: PersonRow, _args: unknown, context: MemberContext) => context.state,
    id: (row: PersonRow) => row.id,
    contact: (row: PersonRow, _args: unknown, context: MemberContext) => contact(row, context),
    givenName: (row: PersonRow) => row.given_name,
    familyName: (row: PersonRow) => row.family_name,
    dateOfBirth: (row: PersonRow) => row.date_of_birth,
    status: (row: PersonRow) => row.status,
    background: (row: PersonRow) => row.background,
    matchScore: (row: WithScore<PersonRow>) => row.matchScore ?? null,
    aliases: async (row: PersonRow, _args: unknown, context: MemberContext) => (await context.loaders.aliases.load(row.id)).map((a) => a.alias),
    nationalities: async (row: PersonRow, _args: unknown, context: MemberContext) => (await context.loaders.nationalities.load(row.id)).map((n) => n.country),
    documents: (row: PersonRow, _args: unknown, context: MemberContext) => context.loaders.documents.load(row.id),
    travel(row: PersonRow, args: { since?: string | null; first?: number | null }, context: MemberContext) {
      const first = args.first == null ? null : checkFirst(args.first, 'travel.first');
      return context.loaders.travel.load({ personId: row.id, since: args.since ?? null, first });
    },
    financialMeasures: (row: PersonRow, _args: unknown, context: MemberContext) => context.loaders.financialMeasures.load(row.id),
    listings: (row: PersonRow, _args: unknown, context: MemberContext) => context.loaders.listings.load(row.id),
    affiliations: (row: PersonRow, _args: unknown, context: MemberContext) => context.loaders.affiliationsOfPerson.load(row.id),
    ...handlingResolvers,
    // Only the keys the owner releases to this caller (match-keys.ts): a withheld key is absent, not an error.
    // An overdue record released as a hit only (review.ts) links by nothing: every key's sources are above HIT.
    matchKeys: async (row: PersonRow, _args: unknown, context: MemberContext) =>
      overdueModeFor(context.policy, context.caller) === 'hits-only' && isOverdue(row)
        ? []
        : releasedMatchKeys(await context.loaders.matchKeys.load(row.id), context.policy, context.caller),
  },
  Organisation: {
    __resolveReference(reference: { memberState?: string; id?: string }, context: MemberContext) {
      const id = ownKey(reference, context);
      return id === null ? null : context.loaders.organisation.load(id);
    },
    memberState: (_row: OrganisationRow, _args: unknown, context: MemberContext) => context.state,
    id: (row: OrganisationRow) => row.id,
    contact: (row: OrganisationRow, _args: unknown, context: MemberContext) => contact(row, context),
    name: (row: OrganisationRow) => row.name,
    kind: (row: OrganisationRow) => row.kind,
    matchScore: (row: WithScore<OrganisationRow>) => row.matchScore ?? null,
    aliases: async (row: OrganisationRow, _args: unknown, context: MemberContext) =>
      (await context.loaders.organisationAliases.load(row.id)).map((a) => a.alias),
    async members(row: OrganisationRow, _args: unknown, context: MemberContext) {
      const affiliations = await context.loaders.affiliationsOfOrganisation.load(row.id);
      // A member's affiliation is a FULL-tier fact of an overdue record: partners do not get it under either mode (review.ts).
      if (overdueModeFor(context.policy, context.caller) === null) return affiliations;
      const persons = await context.loaders.person.loadMany(affiliations.map((a) => a.person_id));
      return affiliations.filter((_a, i) => {
        const person = persons[i];
        return !(person && !(person instanceof Error) && isOverdue(person));
      });
    },
  },
  IdentityDocument: {
    issuingState: (row: Row<'identity_documents'>) => row.issuing_state,
    validUntil: (row: Row<'identity_documents'>) => row.valid_until,
  },
  TravelMovement: {
    from: (row: Row<'travel_movements'>) => ({ city: row.from_city, country: row.from_country }),
    to: (row: Row<'travel_movements'>) => ({ city: row.to_city, country: row.to_country }),
    planned: (row: Row<'travel_movements'>) => Boolean(row.planned),
    ...handlingResolvers,
  },
  FinancialMeasure: {
    legalBasis: (row: Row<'financial_measures'>) => row.legal_basis,
    amount: (row: Row<'financial_measures'>) => (row.amount === null ? null : Number(row.amount)),
    ...handlingResolvers,
  },
  WatchlistListing: {
    listedSince: (row: Row<'watchlist_listings'>) => row.listed_since,
    ...handlingResolvers,
  },
  Affiliation: {
    ...handlingResolvers,
    async organisation(row: Row<'affiliations'>, _args: unknown, context: MemberContext) {
      const organisation = await context.loaders.organisation.load(row.organisation_id);
      if (!organisation) throw hagueError('INTERNAL_SERVER_ERROR', 'affiliation points to a missing organisation');
      return organisation;
    },
    async person(row: Row<'affiliations'>, _args: unknown, context: MemberContext) {
      const person = await context.loaders.person.load(row.person_id);
      if (!person) throw hagueError('INTERNAL_SERVER_ERROR', 'affiliation points to a missing person');
      return person;
    },
  },
};
