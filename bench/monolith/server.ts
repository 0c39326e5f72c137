/**
 * The monolith (comparison d, "the limit"): the same data in ONE database behind ONE plain GraphQL
 * server, no federation, no fan-out, no tokens, no release rules. fastify + mercurius (as the
 * members), a plain schema with the contract's types (printed from schema/member.graphql without
 * its federation and tier directives), the members' own resolvers and DataLoaders over the merged
 * tables, and one SQL search across the states instead of one per state. It answers a query with
 * the same records, order and scores as the network: each state's best `first` matches, states in
 * network order.
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

/** A case file of another agency, naming records by key (the dossier-by-entities scenario). */
export interface Casefile { reference: string; title: string; subjects: Array<{ memberState: MemberState; id: string }> }

export const CASEFILE_SDL = `
  "A case file of another agency: it refers to member-state records by key, never copies them."
  type Casefile { reference: String! title: String! subjects: [Person!]! }
  extend type Query { casefile(reference: String!): Casefile }
`;

/** Same bound as a member state's search (subgraphs/member/search.ts): name candidates scored per state. */
const MAX_CANDIDATES = 2000;

type Db = Kysely<Database & { persons: Database['persons'] & { member_state: string } }>;
type PersonRow = Database['persons'] & { member_state: MemberState; matchScore: number | null };

interface PersonFilter { name?: string | null; dateOfBirth?: string | null; documentNumber?: string | null; nationality?: string | null; status?: string | null }

interface MonolithContext { loaders: Loaders; states: MemberState[] }

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
    throw hagueError('BAD_USER_INPUT', 'filter needs at least one criterion: name, dateOfBirth, documentNumber, nationality or status', { argumentName: 'filter' });
  }
  if (states.length === 0) return [];
  let scores: Map<string, number> | null = null;
  if (filter.name) {
    const keys = queryKeys(filter.name);
    if (keys.length === 0) throw hagueError('BAD_USER_INPUT', 'filter.name has no letters to search for', { argumentName: 'filter.name' });
    // One statement for every state: each state's best MAX_CANDIDATES by key hits (as each member ranks its own).
    const { rows } = await sql<{ owner: string; name_key: string; skeleton: string }>`
      SELECT k.person_id AS owner, k.name_key, k.skeleton FROM person_name_keys k JOIN (
        SELECT person_id FROM (
          SELECT person_id, row_number() OVER (PARTITION BY member_state ORDER BY count(*) DESC, person_id) AS rank
          FROM person_name_keys
          WHERE (name_key IN (${sql.join(keys.map((k) => k.key))}) OR skeleton IN (${sql.join(keys.map((k) => k.skeleton))}))
            AND member_state IN (${sql.join(states)})
          GROUP BY member_state, person_id
        ) WHERE rank <= ${MAX_CANDIDATES}
      ) c ON k.person_id = c.person_id`.execute(db);
    const keysByOwner = new Map<string, NameKey[]>();
    for (const hit of rows) {
      let list = keysByOwner.get(hit.owner);
      if (!list) keysByOwner.set(hit.owner, (list = []));
      list.push({ key: hit.name_key, skeleton: hit.skeleton });
    }
    scores = new Map();
    for (const [id, recordKeys] of keysByOwner) {
      const score = matchScore(filter.name, recordKeys);
      if (score >= MATCH_THRESHOLD) scores.set(id, score);
    }
    if (scores.size === 0) return [];
  }
  let query = db.selectFrom('persons as p').selectAll('p').where('p.member_state', 'in', states);
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
  const rows = (await query.execute()) as unknown as PersonRow[];
  const byState = new Map<string, PersonRow[]>(states.map((s) => [s, []]));
  for (const row of rows) byState.get(row.member_state)?.push({ ...row, matchScore: scores ? scores.get(row.id) ?? 0 : null });
  const out: PersonRow[] = [];
  for (const list of byState.values()) {
    list.sort(scores ? (a, b) => b.matchScore! - a.matchScore! || a.id.localeCompare(b.id) : (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const row of list.slice(0, first)) out.push(row);
  }
  return out;
}

function agency(state: string): string {
  return `${MEMBER_STATE_NAMES[state as MemberState]} counter-terrorism liaison`;
}

type RowWithState = { member_state: string; contact_unit: string | null; contact_email: string | null; contact_phone: string | null; contact_reference: string };
const contact = (row: RowWithState) => ({ agency: agency(row.member_state), unit: row.contact_unit, email: row.contact_email, phone: row.contact_phone, reference: row.contact_reference });

export async function startMonolith(options: { database: string; states: MemberState[]; casefiles?: Casefile[]; port?: number }): Promise<{ url: string; app: FastifyInstance; close(): Promise<void> }> {
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
          const rows = await searchPersons(db, asked(context.states, args.memberStates), args.filter, checkFirst(args.first));
          for (const row of rows) context.loaders.person.prime(row.id, row as never);
          return rows;
        },
        async person(_: unknown, args: { memberState: MemberState; id: string }, context: MonolithContext) {
          const row = await context.loaders.person.load(args.id) as unknown as RowWithState | null;
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
    schema: `${plainSchemaSdl()}\n${CASEFILE_SDL}`, resolvers: resolvers as never, path: '/graphql', graphiql: false,
    context: (): MonolithContext => ({ loaders: createLoaders(store), states: options.states }),
  });
  await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const address = app.server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/graphql`,
    app,
    close: async () => { await app.close(); await db.destroy(); },
  };
}
