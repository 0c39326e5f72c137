/**
 * The monolith (comparison d, "the limit"): the same data in ONE database behind ONE plain GraphQL
 * server, no federation, no fan-out, no tokens, no release rules. fastify + mercurius (as the
 * members), a plain schema with the contract's types (printed from schema/member.graphql without
 * its federation and tier directives), the members' own resolvers and DataLoaders over the merged
 * tables, and one SQL search across the states instead of one per state. It answers a query with
 * the same records, order and scores as the network: each state's best `first` matches, merged as
 * the gateway merges the states' lists (best match score first, ties in network order; see
 * inMergedOrder in bench/scenarios.ts).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import mercurius from 'mercurius';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { buildASTSchema, printSchema } from 'graphql';
import { memberTypeDefs } from '../../schema/contract.ts';
import { resolvers as memberResolvers } from '../../subgraphs/member/resolvers.ts';
import { createLoaders, type Loaders } from '../../subgraphs/member/loaders.ts';
import { checkFirst, documentNumberKey } from '../../subgraphs/member/search.ts';
import { MATCH_THRESHOLD, matchScore, queryKeys, type NameKey } from '../../subgraphs/member/name-match.ts';
import type { Database } from '../../subgraphs/member/store-schema.ts';
import type { Store } from '../../subgraphs/member/store.ts';
import { MEMBER_STATE_NAMES, type MemberState } from '../../common/member-states.ts';
import { hagueError } from '../../common/errors.ts';
import { inMergedOrder } from '../scenarios.ts';

/** A case file of another agency, naming records by key (the dossier-by-entities scenario). */
export interface Casefile {
  reference: string;
  title: string;
  subjects: Array<{ memberState: MemberState; id: string }>;
}

export const CASEFILE_SDL = `
  "A case file of another agency: it refers to member-state records by key, never copies them."
  type Casefile { reference: String! title: String! subjects: [Person!]! }
  extend type Query { casefile(reference: String!): Casefile }
`;

/** Same bound as a member state's search (subgraphs/member/search.ts): name candidates scored per state. */
const MAX_CANDIDATES = 2000;

type Db = Kysely<Database & { persons: Database['persons'] & { member_state: string } }>;
type PersonRow = Database['persons'] & { member_state: MemberState; matchScore: number | null };

interface PersonFilter {
  name?: string | null;
  dateOfBirth?: string | null;
  documentNumber?: string | null;
  nationality?: string | null;
  status?: string | null;
}

interface MonolithContext {
  loaders: Loaders;
  states: MemberState[];
}

function plainSchemaSdl(): string {
  // The contract's types without federation: built leniently (its @link/@key imports are not defined here), printed plain.
  return printSchema(buildASTSchema(memberTypeDefs, { assumeValid: true, assumeValidSDL: true }));
}

/** The states a root field asks, in network order. */
function asked(states: MemberState[], memberStates: MemberState[] | null | undefined): MemberState[] {
  return memberStates ? states.filter((s) => memberStates.includes(s)) : states;
}

async function searchPersons(db: Db, states: MemberState[], filter: PersonFilter, first: number): Promise<PersonRow[]> {
  if (!Object.values(filter).some((v) => v !== null && v !== undefined && v !== '')) {
    throw hagueError('BAD_USER_INPUT', 'filter needs at least one criterion: name, dateOfBirth, documentNumber, nationality or status', {
      argumentName: 'filter',
    });
  }
  if (states.length === 0) return [];
  const filtered = (ids: string[] | null) => {
    let query = db.selectFrom('persons as p').where('p.member_state', 'in', states);
    if (ids) query = query.where('p.id', 'in', ids);
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
    return query;
  };
  const inOrder = async (ids: string[], scores: Map<string, number> | null) => {
    if (ids.length === 0) return [];
    const rows = (await db.selectFrom('persons').selectAll().where('id', 'in', ids).execute()) as unknown as PersonRow[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => ({ ...byId.get(id)!, matchScore: scores ? scores.get(id)! : null }));
  };
  if (!filter.name) {
    // Each state's first `first` by id, in one statement.
    const { rows } = await sql<{ id: string; member_state: string }>`SELECT id, member_state FROM (
        SELECT p.id, row_number() OVER (PARTITION BY p.member_state ORDER BY p.id) AS rank, p.member_state
        FROM (${filtered(null).select(['p.id', 'p.member_state'])}) AS p
      ) WHERE rank <= ${first}`.execute(db);
    const byState = new Map<string, string[]>(states.map((s) => [s, []]));
    for (const row of rows) byState.get(row.member_state)?.push(row.id);
    return inOrder(
      [...byState.values()].flatMap((ids) => ids.sort()),
      null,
    );
  }
  const keys = queryKeys(filter.name);
  if (keys.length === 0) throw hagueError('BAD_USER_INPUT', 'filter.name has no letters to search for', { argumentName: 'filter.name' });
  // One statement for every state: each state's best MAX_CANDIDATES by key hits (as each member ranks its own).
  const { rows } = await sql<{ owner: string; state: string; name_key: string; skeleton: string }>`
    SELECT c.person_id AS owner, c.member_state AS state, k.name_key, k.skeleton FROM (
      SELECT person_id, member_state FROM (
        SELECT person_id, member_state, row_number() OVER (PARTITION BY member_state ORDER BY count(*) DESC, person_id) AS rank
        FROM person_name_keys
        WHERE member_state IN (${sql.join(states)})
          AND (name_key IN (${sql.join(keys.map((k) => k.key))}) OR skeleton IN (${sql.join(keys.map((k) => k.skeleton))}))
        GROUP BY member_state, person_id
      ) WHERE rank <= ${MAX_CANDIDATES}
    ) c CROSS JOIN person_name_keys k ON k.person_id = c.person_id`.execute(db);
  const keysByOwner = new Map<string, { state: string; keys: NameKey[] }>();
  for (const hit of rows) {
    let entry = keysByOwner.get(hit.owner);
    if (!entry) keysByOwner.set(hit.owner, (entry = { state: hit.state, keys: [] }));
    entry.keys.push({ key: hit.name_key, skeleton: hit.skeleton });
  }
  const scores = new Map<string, number>();
  const candidates = new Map<string, string[]>(states.map((s) => [s, []]));
  for (const [id, entry] of keysByOwner) {
    const score = matchScore(filter.name, entry.keys);
    if (score >= MATCH_THRESHOLD) {
      scores.set(id, score);
      candidates.get(entry.state)!.push(id);
    }
  }
  const otherCriteria = Object.entries(filter).some(([k, v]) => k !== 'name' && v !== null && v !== undefined && v !== '');
  const best: string[] = [];
  for (const ids of candidates.values()) {
    let kept = ids;
    if (otherCriteria) {
      const passing = new Set<string>();
      for (let i = 0; i < ids.length; i += 5000) {
        for (const row of await filtered(ids.slice(i, i + 5000))
          .select('p.id')
          .execute())
          passing.add(row.id);
      }
      kept = ids.filter((id) => passing.has(id));
    }
    kept.sort((a, b) => scores.get(b)! - scores.get(a)! || a.localeCompare(b));
    best.push(...kept.slice(0, first));
  }
  return inOrder(best, scores);
}

function agency(state: string): string {
  return `${MEMBER_STATE_NAMES[state as MemberState]} counter-terrorism liaison`;
}

type RowWithState = {
  member_state: string;
  contact_unit: string | null;
  contact_email: string | null;
  contact_phone: string | null;
  contact_reference: string;
};
const contact = (row: RowWithState) => ({
  agency: agency(row.member_state),
  unit: row.contact_unit,
  email: row.contact_email,
  phone: row.contact_phone,
  reference: row.contact_reference,
});

export async function startMonolith(options: {
  database: string;
  states: MemberState[];
  casefiles?: Casefile[];
  port?: number;
}): Promise<{ url: string; app: FastifyInstance; close(): Promise<void> }> {
  const sqlite = new SQLite(options.database, { readonly: true });
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) }) as unknown as Db;
  const store = { db } as unknown as Store;
  const casefiles = new Map((options.casefiles ?? []).map((c) => [c.reference, c]));
  const { Person, Organisation, Query: _federated, ...valueTypes } = memberResolvers as Record<string, Record<string, unknown>>;
  const { __resolveReference: _p, ...personFields } = Person;
  const { __resolveReference: _o, ...organisationFields } = Organisation;
  const resolvers = {
    ...valueTypes,
    Query: {
      async persons(_: unknown, args: { filter: PersonFilter; first?: number | null; memberStates?: MemberState[] | null }, context: MonolithContext) {
        // Each state's best `first`, state by state in network order, then merged as the gateway merges them.
        const rows = inMergedOrder(
          await searchPersons(db, asked(context.states, args.memberStates), args.filter, checkFirst(args.first)),
          (row) => row.matchScore,
        );
        for (const row of rows) context.loaders.person.prime(row.id, row);
        return rows;
      },
      async person(_: unknown, args: { memberState: MemberState; id: string }, context: MonolithContext) {
        const row = (await context.loaders.person.load(args.id)) as unknown as RowWithState | null;
        return row && row.member_state === args.memberState && context.states.includes(args.memberState) ? row : null;
      },
      async organisations() {
        throw hagueError('BAD_USER_INPUT', 'the bench monolith serves persons only');
      },
      async casefile(_: unknown, args: { reference: string }, context: MonolithContext) {
        const casefile = casefiles.get(args.reference);
        if (!casefile) return null;
        const rows = await Promise.all(casefile.subjects.map((s) => context.loaders.person.load(s.id)));
        return { ...casefile, subjects: rows.filter((r, i) => r && (r as unknown as RowWithState).member_state === casefile.subjects[i].memberState) };
      },
    },
    Person: { ...personFields, memberState: (row: RowWithState) => row.member_state, contact },
    Organisation: { ...organisationFields, memberState: (row: RowWithState) => row.member_state, contact },
  };
  const app = Fastify({ logger: false });
  await app.register(mercurius, {
    schema: `${plainSchemaSdl()}\n${CASEFILE_SDL}`,
    resolvers: resolvers as never,
    path: '/graphql',
    graphiql: false,
    context: (): MonolithContext => ({ loaders: createLoaders(store), states: options.states }),
  });
  await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const address = app.server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/graphql`,
    app,
    close: async () => {
      await app.close();
      await db.destroy();
    },
  };
}
