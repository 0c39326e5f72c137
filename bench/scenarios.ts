import type { MemberState } from '../common/member-states.ts';
import { MEMBER_STATES } from '../common/member-states.ts';
import { SHARED_SUBJECTS } from '../subgraphs/member/seed.ts';
import { openStore, type Store } from '../subgraphs/member/store.ts';
import { documentNumberKey, searchPersons } from '../subgraphs/member/search.ts';
import type { Casefile } from './monolith/server.ts';

/**
 * What the bench asks, and what a correct answer holds. Expected answers come from each state's
 * own data layer (subgraphs/member/search.ts and SQL over the state's file), not from any GraphQL
 * server: a gateway, the stock gateway and the monolith must all match them.
 */

/** Network order: the five demo states first (NL BE FR DE ES), then the other 22. */
export const NETWORK_ORDER: MemberState[] = ['NL', 'BE', 'FR', 'DE', 'ES', ...MEMBER_STATES.filter((s) => !['NL', 'BE', 'FR', 'DE', 'ES'].includes(s))];

export function networkOf(size: number): MemberState[] {
  return NETWORK_ORDER.slice(0, size);
}

/** A full name common enough to hit in many states, rare enough to be a real analyst's search. */
export const SEARCH_NAME = 'Ali Hassan';
/** The passport of the shared subject 'belhaouari' (BE, FR and NL hold records on him). */
export const DOSSIER_PASSPORT = SHARED_SUBJECTS.find((s) => s.key === 'belhaouari')!.passport.number;
export const CASEFILE_REFERENCE = 'EU-CT-2026-0042';

export const SEARCH_QUERY = `query JointSearch($name: String!) {
  persons(filter: { name: $name }) {
    memberState id matchScore
    givenName familyName aliases dateOfBirth nationalities status
    contact { agency reference }
  }
}`;

const DOSSIER_FIELDS = `
    memberState id givenName familyName aliases dateOfBirth nationalities status background
    contact { agency unit email phone reference }
    documents { number kind issuingState validUntil }
    travel { at from { city country } to { city country } mode carrier reference source planned }
    financialMeasures { kind since institution amount currency legalBasis }
    listings { list listedSince reason action }
    affiliations { role since organisation { memberState id name kind aliases } }`;

export const DOSSIER_QUERY = `query Dossier($number: String!) {
  persons(filter: { documentNumber: $number }) {${DOSSIER_FIELDS}
  }
}`;

export const CASEFILE_QUERY = `query CasefileDossier($reference: String!) {
  casefile(reference: $reference) {
    reference title
    subjects {${DOSSIER_FIELDS}
    }
  }
}`;

export type ScenarioName = 'search' | 'dossier' | 'casefile';

export interface Scenario {
  name: ScenarioName;
  title: string;
  query: string;
  variables: Record<string, unknown>;
  /** Where the answer's records are. */
  records: (data: any) => any[] | undefined;
}

export const SCENARIOS: Record<ScenarioName, Scenario> = {
  search: {
    name: 'search',
    title: `joint search persons(filter: {name: "${SEARCH_NAME}"}), SUMMARY fields`,
    query: SEARCH_QUERY,
    variables: { name: SEARCH_NAME },
    records: (d) => d?.persons,
  },
  dossier: {
    name: 'dossier',
    title: `dossier persons(filter: {documentNumber: "${DOSSIER_PASSPORT}"}) with documents, travel, financial measures, listings, affiliations`,
    query: DOSSIER_QUERY,
    variables: { number: DOSSIER_PASSPORT },
    records: (d) => d?.persons,
  },
  casefile: {
    name: 'casefile',
    title: `dossier through a case file: casefile(reference) { subjects { ...same fields } }, the records fetched as _entities`,
    query: CASEFILE_QUERY,
    variables: { reference: CASEFILE_REFERENCE },
    records: (d) => d?.casefile?.subjects,
  },
};

export function requestBody(scenario: Scenario): string {
  return JSON.stringify({ query: scenario.query, variables: scenario.variables, operationName: scenario.query.match(/query (\w+)/)![1] });
}

/** One expected record: its key, how many related rows each relation must return, and its match score (search). */
export interface ExpectedRecord {
  key: string;
  relations?: Record<string, number>;
  matchScore?: number | null;
}

/**
 * The Hague gateway's order for a list root field (persons) merged across states, the rule of
 * gateway/merge.ts mergeRoot: best match score first (the scores each state reports, the records'
 * matchScore); records of equal score keep their order in `records`, and so do records without a
 * score, which come after every scored one (ranked as -1). A stable sort, like the gateway's, so
 * `records` must be given state by state in network order, each state's in its own order.
 * The monolith (variant d) and every bench that checks a merged search use this one function.
 */
export function inMergedOrder<T>(records: readonly T[], scoreOf: (record: T) => number | null | undefined): T[] {
  const score = (record: T) => {
    const s = scoreOf(record);
    return typeof s === 'number' && Number.isFinite(s) ? s : -1;
  };
  return [...records].sort((a, b) => score(b) - score(a));
}

const RELATIONS: Array<[string, string]> = [
  ['documents', 'identity_documents'],
  ['travel', 'travel_movements'],
  ['financialMeasures', 'financial_measures'],
  ['listings', 'watchlist_listings'],
  ['affiliations', 'affiliations'],
];

async function relationCounts(store: Store, personId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [field, table] of RELATIONS) {
    const row = await store.db
      .selectFrom(table as 'affiliations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('person_id', '=', personId)
      .executeTakeFirstOrThrow();
    counts[field] = Number(row.n);
  }
  return counts;
}

/** Expected answers, per state, straight from the states' data files. */
export class Expectations {
  private constructor(
    private readonly search: Map<MemberState, ExpectedRecord[]>,
    private readonly dossier: Map<MemberState, ExpectedRecord[]>,
    readonly casefile: Casefile,
    private readonly casefileRecords: ExpectedRecord[],
  ) {}

  static async load(fileOf: (state: MemberState) => string): Promise<Expectations> {
    const search = new Map<MemberState, ExpectedRecord[]>();
    const dossier = new Map<MemberState, ExpectedRecord[]>();
    const subjects: Array<{ memberState: MemberState; id: string; subject: number }> = [];
    const subjectRecords = new Map<string, ExpectedRecord>();
    for (const state of NETWORK_ORDER) {
      const store = await openStore(fileOf(state), state);
      try {
        search.set(
          state,
          (await searchPersons(store, { name: SEARCH_NAME }, 50)).map((r) => ({ key: `${state}:${r.id}:${r.matchScore}`, matchScore: r.matchScore })),
        );
        const holders = await store.db
          .selectFrom('identity_documents')
          .select('person_id')
          .where('number_key', '=', documentNumberKey(DOSSIER_PASSPORT))
          .orderBy('person_id')
          .execute();
        dossier.set(
          state,
          await Promise.all(holders.map(async (h) => ({ key: `${state}:${h.person_id}`, relations: await relationCounts(store, h.person_id) }))),
        );
        // The case file names every shared subject's record in every state that holds one.
        for (const [index, subject] of SHARED_SUBJECTS.entries()) {
          if (!subject.records[state]) continue;
          const holder = await store.db
            .selectFrom('identity_documents')
            .select('person_id')
            .where('number_key', '=', documentNumberKey(subject.passport.number))
            .orderBy('person_id')
            .executeTakeFirst();
          if (!holder) continue;
          subjects.push({ memberState: state, id: holder.person_id, subject: index });
          subjectRecords.set(`${state}:${holder.person_id}`, { key: `${state}:${holder.person_id}`, relations: await relationCounts(store, holder.person_id) });
        }
      } finally {
        await store.close();
      }
    }
    // Subjects ordered by subject, then by state: the representations interleave the owners.
    subjects.sort((a, b) => a.subject - b.subject || NETWORK_ORDER.indexOf(a.memberState) - NETWORK_ORDER.indexOf(b.memberState));
    const casefile: Casefile = {
      reference: CASEFILE_REFERENCE,
      title: 'Shared subjects of the network (bench)',
      subjects: subjects.map(({ memberState, id }) => ({ memberState, id })),
    };
    return new Expectations(
      search,
      dossier,
      casefile,
      subjects.map((s) => subjectRecords.get(`${s.memberState}:${s.id}`)!),
    );
  }

  /**
   * The records a scenario's answer must hold, in order, for a network of `states` (in network
   * order). A list root field is merged as the gateway merges it (inMergedOrder): the search by
   * match score across states; the dossier's records have no score, so they stay state by state.
   */
  records(scenario: ScenarioName, states: MemberState[]): ExpectedRecord[] {
    if (scenario === 'casefile') return this.casefileRecords.filter((r) => states.includes(r.key.split(':')[0] as MemberState));
    const byState = scenario === 'search' ? this.search : this.dossier;
    return inMergedOrder(
      states.flatMap((s) => byState.get(s) ?? []),
      (r) => r.matchScore,
    );
  }

  casefileStates(): MemberState[] {
    return [...new Set(this.casefile.subjects.map((s) => s.memberState))];
  }
}

/** Checks one answer; returns the problems found (empty: correct). */
export function checkAnswer(scenario: Scenario, expected: ExpectedRecord[], status: number, body: any): string[] {
  const problems: string[] = [];
  if (status !== 200) problems.push(`HTTP ${status}`);
  if (body?.errors?.length)
    problems.push(
      `${body.errors.length} error(s): ${body.errors
        .slice(0, 3)
        .map((e: any) => `${e.extensions?.code ?? ''} ${e.message}`)
        .join('; ')}`,
    );
  const records = scenario.records(body?.data);
  if (!Array.isArray(records)) {
    problems.push('no records list in the answer');
    return problems;
  }
  const got = records.map((r: any) => (scenario.name === 'search' ? `${r.memberState}:${r.id}:${r.matchScore}` : `${r.memberState}:${r.id}`));
  const want = expected.map((e) => e.key);
  if (got.join(',') !== want.join(',')) {
    problems.push(
      `records ${got.length} [${got.slice(0, 5).join(' ')}${got.length > 5 ? ' …' : ''}], expected ${want.length} [${want.slice(0, 5).join(' ')}${want.length > 5 ? ' …' : ''}]`,
    );
    return problems;
  }
  expected.forEach((e, i) => {
    for (const [field, count] of Object.entries(e.relations ?? {})) {
      const value = records[i][field];
      if (!Array.isArray(value) || value.length !== count)
        problems.push(`${e.key}.${field}: ${Array.isArray(value) ? value.length : JSON.stringify(value)} item(s), expected ${count}`);
    }
  });
  return problems;
}

/** How many states contributed records to an answer. */
export function statesIn(scenario: Scenario, body: any): number {
  return new Set((scenario.records(body?.data) ?? []).map((r: any) => r.memberState)).size;
}
