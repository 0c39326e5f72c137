import {
  Kind,
  OperationTypeNode,
  parse as parseQuery,
  print,
  valueFromASTUntyped,
  visit,
  type ArgumentNode,
  type FieldNode,
  type GraphQLFormattedError,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import { formattedError } from '../common/errors.ts';
import { inlineFragmentSpreads } from './fragments.ts';
import { unavailable, type Answer } from './merge.ts';
import type { Analysis, RootField } from './routing.ts';

/**
 * `subjects`: the gateway links the owners' `persons` answers into subjects for one request and
 * keeps nothing (docs/linking-and-handling.md, "Subjects"). For each `subjects` root field every
 * state it targets is asked one `persons` query: the client's `records` selection as written, plus
 * the fields the merge needs under `hague_` aliases (match keys, contact, markings and the facts
 * the client asked about). Records sharing an equal (kind, epoch, value) match key are one subject
 * (union-find); the owners list only the keys whose source fields they release to this caller, so
 * the caller gets no link it could not make itself. Every fact comes from a member's answer; what a
 * member withheld (its NOT_RELEASED / FORBIDDEN errors on the `hague_` fields) is reported in
 * `withheld` with the owner's contact, never as data.
 */

export const SUBJECTS_FIELD = 'subjects';
/** Records asked of each state for one `subjects` field. */
export const RECORDS_PER_STATE = 50;
/** A planned trip departing within this many days raises PLANNED_TRIP. */
export const PLANNED_TRIP_DAYS = 30;
const MAX_FIRST = 100;

type Json = Record<string, unknown>;

const MARKINGS = '__typename handling { __typename code restriction } evaluation { __typename source information }';
const PLACE = '{ __typename city country }';
const NEEDS: Record<string, string> = {
  names: 'hague_given: givenName hague_family: familyName hague_aliases: aliases',
  travel: `hague_travel: travel { at from ${PLACE} to ${PLACE} mode carrier reference source planned ${MARKINGS} }`,
  financialMeasures: `hague_money: financialMeasures { kind since institution amount currency legalBasis ${MARKINGS} }`,
  organisations: `hague_orgs: affiliations { role since ${MARKINGS} organisation { __typename memberState id name kind } }`,
  listings: `hague_listings: listings { list listedSince reason action ${MARKINGS} }`,
};
const ALWAYS =
  'hague_state: memberState hague_id: id hague_score: matchScore hague_keys: matchKeys { kind epoch value } ' +
  'hague_contact: contact { __typename agency unit email phone reference } ' +
  'hague_handling: handling { __typename code restriction } hague_evaluation: evaluation { __typename source information }';

/** The top-level field names asked of Subject (fragments inlined), and the `records` selections with their response keys. */
function subjectSelection(field: RootField, analysis: Analysis): { names: Set<string>; records: Array<{ key: string; selections: readonly SelectionNode[] }> } {
  const names = new Set<string>();
  const records: Array<{ key: string; selections: readonly SelectionNode[] }> = [];
  const walk = (set: SelectionSetNode | undefined) => {
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.FIELD) {
        names.add(s.name.value);
        if (s.name.value === 'records' && s.selectionSet) records.push({ key: s.alias?.value ?? 'records', selections: s.selectionSet.selections });
      } else if (s.kind === Kind.INLINE_FRAGMENT) walk(s.selectionSet);
    }
  };
  walk(field.node.selectionSet ? inlineFragmentSpreads(field.node.selectionSet, analysis.fragments) : undefined);
  return { names, records };
}

/** The `persons` operation sent to each state for one `subjects` field. */
export function personsOperation(analysis: Analysis, field: RootField): { query: string; variables: string[]; recordsKey?: string; persons: FieldNode } {
  const { names, records } = subjectSelection(field, analysis);
  const wanted = new Set(names);
  if (wanted.has('alerts')) for (const n of ['travel', 'financialMeasures', 'organisations']) wanted.add(n);
  const extra = [
    ALWAYS,
    ...Object.entries(NEEDS)
      .filter(([n]) => wanted.has(n))
      .map(([, s]) => s),
  ].join(' ');
  const args = (field.node.arguments ?? []).filter((a) => a.name.value === 'filter' || a.name.value === 'memberStates');
  const first: ArgumentNode = { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'first' }, value: { kind: Kind.INT, value: String(RECORDS_PER_STATE) } };
  const client = records.flatMap((r) => r.selections);
  const persons: FieldNode = {
    kind: Kind.FIELD,
    name: { kind: Kind.NAME, value: 'persons' },
    arguments: [...args, first],
    selectionSet: { kind: Kind.SELECTION_SET, selections: [...client, ...parseSelections(extra)] },
  };
  const used = new Set<string>();
  visit(persons, {
    Variable: (v) => {
      used.add(v.name.value);
    },
  });
  const operation: OperationDefinitionNode = {
    kind: Kind.OPERATION_DEFINITION,
    operation: OperationTypeNode.QUERY,
    ...(analysis.operation.name ? { name: analysis.operation.name } : {}),
    variableDefinitions: analysis.operation.variableDefinitions?.filter((v) => used.has(v.variable.name.value)),
    selectionSet: { kind: Kind.SELECTION_SET, selections: [persons] },
  };
  return { query: print(operation), variables: [...used], persons, ...(records[0] ? { recordsKey: records[0].key } : {}) };
}

const parsedExtra = new Map<string, readonly SelectionNode[]>();
function parseSelections(source: string): readonly SelectionNode[] {
  let hit = parsedExtra.get(source);
  if (!hit) {
    // One small fixed fragment set per combination of needs.
    const doc = parseQuery(`{ ${source} }`);
    hit = (doc.definitions[0] as OperationDefinitionNode).selectionSet.selections;
    parsedExtra.set(source, hit);
  }
  return hit;
}

interface RecordNode {
  state: string;
  index: number;
  person: Json;
}

class UnionFind {
  private readonly parent: number[];
  constructor(n: number) {
    this.parent = Array.from({ length: n }, (_, i) => i);
  }
  find(i: number): number {
    while (this.parent[i] !== i) i = this.parent[i] = this.parent[this.parent[i]];
    return i;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

function source(record: RecordNode, fact?: Json): Json {
  return {
    __typename: 'FactSource',
    memberState: record.person.hague_state ?? record.state,
    recordId: record.person.hague_id,
    handling: (fact ? fact.handling : record.person.hague_handling) ?? null,
    evaluation: (fact ? fact.evaluation : record.person.hague_evaluation) ?? null,
  };
}

const list = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export interface SubjectsResult {
  data: unknown[] | null;
  errors: GraphQLFormattedError[];
}

/**
 * Merges the states' `persons` answers for one `subjects` field. `answers` holds only the states the
 * field targets, in network order; `now` places the planned-trip window.
 */
export function mergeSubjects(
  field: RootField,
  answers: Answer[],
  recordsKey: string | undefined,
  variables: Record<string, unknown>,
  now: Date,
  analysis: Analysis,
): SubjectsResult {
  const errors: GraphQLFormattedError[] = [];
  const firstNode = field.node.arguments?.find((a) => a.name.value === 'first');
  const given = firstNode ? valueFromASTUntyped(firstNode.value, { ...analysis.defaults, ...variables }) : undefined;
  const first = given === undefined || given === null ? 20 : given;
  if (typeof first !== 'number' || !Number.isInteger(first) || first < 1 || first > MAX_FIRST) {
    return {
      data: null,
      errors: [
        formattedError('BAD_USER_INPUT', `first must be an integer from 1 to ${MAX_FIRST}; got ${JSON.stringify(first)}`, [field.key], {
          argumentName: 'first',
        }),
      ],
    };
  }

  const nodes: RecordNode[] = [];
  const stateErrors = new Map<string, GraphQLFormattedError[]>();
  let anyList = false;
  let rejected = false;
  for (const answer of answers) {
    if (answer.failure || !answer.body) {
      errors.push(unavailable(answer.state, answer.failure ?? { kind: 'invalid_response', detail: 'gave no answer' }));
      continue;
    }
    const persons = answer.body.data?.persons;
    if (Array.isArray(persons)) {
      anyList = true;
      persons.forEach((person, index) => {
        if (person && typeof person === 'object') nodes.push({ state: answer.state, index, person: person as Json });
      });
    } else if (answer.body.errors?.length) rejected = true;
    stateErrors.set(answer.state, [...(answer.body.errors ?? [])]);
  }

  // Link: union-find over equal match keys; a second pass over DOCUMENT keys alone for the confidence.
  const all = new UnionFind(nodes.length);
  const byDocument = new UnionFind(nodes.length);
  const seen = new Map<string, number>();
  const kindsOf = new Map<string, Set<number>>();
  nodes.forEach((node, i) => {
    for (const key of list(node.person.hague_keys)) {
      const id = `${str(key.kind)}\u0000${str(key.epoch)}\u0000${str(key.value)}`;
      const other = seen.get(id);
      if (other === undefined) seen.set(id, i);
      else {
        all.union(i, other);
        if (key.kind === 'DOCUMENT') byDocument.union(i, other);
      }
      let holders = kindsOf.get(id);
      if (!holders) kindsOf.set(id, (holders = new Set()));
      holders.add(i);
    }
  });
  const groups = new Map<number, number[]>();
  nodes.forEach((_, i) => {
    const root = all.find(i);
    let g = groups.get(root);
    if (!g) groups.set(root, (g = []));
    g.push(i);
  });

  const withheldOf = collectWithheld(nodes, stateErrors);
  const subjects = [...groups.values()].map((members) => {
    const linkedBy = new Set<string>();
    for (const [id, holders] of kindsOf) {
      const inGroup = [...holders].filter((h) => members.includes(h));
      if (inGroup.length > 1) linkedBy.add(id.split('\u0000')[0]);
    }
    const records = members.map((i) => nodes[i]);
    const strong = members.every((i) => byDocument.find(i) === byDocument.find(members[0]));
    const scores = records.map((r) => r.person.hague_score).filter((s): s is number => typeof s === 'number');
    return {
      members,
      subject: buildSubject(records, {
        linkedBy: ['DOCUMENT', 'NAME_DOB'].filter((k) => linkedBy.has(k)),
        confidence: members.length === 1 ? 'SINGLE_RECORD' : strong ? 'STRONG' : 'WEAK',
        matchScore: scores.length ? Math.max(...scores) : null,
        withheld: withheldOf,
        now,
      }),
    };
  });
  subjects.sort((a, b) => {
    const sa = (a.subject.matchScore as number | null) ?? -1;
    const sb = (b.subject.matchScore as number | null) ?? -1;
    return sb - sa || b.members.length - a.members.length || a.members[0] - b.members[0];
  });
  const kept = subjects.slice(0, first);

  // Where each record landed, for the errors on the client's own `records` fields.
  const place = new Map<string, [number, number]>();
  kept.forEach(({ members }, s) => members.forEach((i, r) => place.set(`${nodes[i].state}\u0000${nodes[i].index}`, [s, r])));
  for (const [state, list] of stateErrors) {
    for (const error of list) {
      const path = (error.path ?? []).map((p) => (typeof p === 'string' && /^\d+$/.test(p) ? Number(p) : p));
      const [head, index, key, ...rest] = path;
      const extensions = { ...(error.extensions ?? {}), memberState: state };
      if (head === 'persons' && typeof index === 'number' && typeof key === 'string') {
        if (key.startsWith('hague_')) continue; // reported in `withheld`
        const at = place.get(`${state}\u0000${index}`);
        if (!at || !recordsKey) continue; // the record did not make the answer
        errors.push({ message: error.message, path: [field.key, at[0], recordsKey, at[1], key, ...rest], extensions });
      } else {
        errors.push({ message: error.message, path: [field.key], extensions });
      }
    }
  }
  const data = anyList || !rejected ? kept.map((k) => project(k.subject, field.node.selectionSet, variables, analysis)) : null;
  return { data, errors };
}

interface WithheldEntry {
  fields: Set<string>;
  reasons: Set<string>;
}

/** Per record (state + index): the fields its owner withheld from the `hague_` selections, and why. */
function collectWithheld(nodes: RecordNode[], stateErrors: Map<string, GraphQLFormattedError[]>): Map<string, WithheldEntry> {
  const out = new Map<string, WithheldEntry>();
  const known = new Set(nodes.map((n) => `${n.state}\u0000${n.index}`));
  for (const [state, errors] of stateErrors) {
    for (const error of errors) {
      const [head, rawIndex, key] = error.path ?? [];
      const index = typeof rawIndex === 'string' && /^\d+$/.test(rawIndex) ? Number(rawIndex) : rawIndex;
      if (head !== 'persons' || typeof index !== 'number' || typeof key !== 'string' || !key.startsWith('hague_')) continue;
      const id = `${state}\u0000${index}`;
      if (!known.has(id)) continue;
      let entry = out.get(id);
      if (!entry) out.set(id, (entry = { fields: new Set(), reasons: new Set() }));
      const named = error.extensions?.field;
      entry.fields.add(typeof named === 'string' ? named : `Person.${key}`);
      entry.reasons.add(error.message);
    }
  }
  return out;
}

interface SubjectMeta {
  linkedBy: string[];
  confidence: string;
  matchScore: number | null;
  withheld: Map<string, WithheldEntry>;
  now: Date;
}

function buildSubject(records: RecordNode[], meta: SubjectMeta): Json {
  const refs = records.map((r) => `${str(r.person.hague_state)}:${str(r.person.hague_id)}`);
  const heldBy = [...new Set(records.map((r) => str(r.person.hague_state)))];
  const names: Json[] = [];
  const travel: Json[] = [];
  const money: Json[] = [];
  const organisations: Json[] = [];
  const listings: Json[] = [];
  const withheld: Json[] = [];
  for (const r of records) {
    const p = r.person;
    if (p.hague_given != null || p.hague_family != null)
      names.push({ __typename: 'SubjectName', givenName: p.hague_given ?? null, familyName: p.hague_family ?? null, alias: null, source: source(r) });
    for (const alias of Array.isArray(p.hague_aliases) ? p.hague_aliases : [])
      names.push({ __typename: 'SubjectName', givenName: null, familyName: null, alias, source: source(r) });
    for (const m of list(p.hague_travel)) travel.push({ __typename: 'SubjectTravel', movement: m, source: source(r, m) });
    for (const m of list(p.hague_money)) money.push({ __typename: 'SubjectFinancialMeasure', measure: m, source: source(r, m) });
    for (const l of list(p.hague_listings)) listings.push({ __typename: 'SubjectListing', listing: l, source: source(r, l) });
    for (const a of list(p.hague_orgs)) {
      const org = (a.organisation ?? {}) as Json;
      organisations.push({
        __typename: 'SubjectOrganisation',
        memberState: org.memberState,
        id: org.id,
        name: org.name ?? null,
        kind: org.kind ?? null,
        role: a.role ?? null,
        since: a.since ?? null,
        source: source(r, a),
      });
    }
    const w = meta.withheld.get(`${r.state}\u0000${r.index}`);
    if (w)
      withheld.push({
        __typename: 'SubjectWithheld',
        memberState: p.hague_state,
        recordId: p.hague_id,
        fields: [...w.fields],
        reasons: [...w.reasons],
        contact: p.hague_contact,
      });
  }
  const stateOrder = (s: Json) => heldBy.indexOf(str((s.source as Json).memberState));
  travel.sort((a, b) => str((a.movement as Json).at).localeCompare(str((b.movement as Json).at)) || stateOrder(a) - stateOrder(b));
  money.sort((a, b) => str((a.measure as Json).since).localeCompare(str((b.measure as Json).since)) || stateOrder(a) - stateOrder(b));
  listings.sort((a, b) => str((a.listing as Json).listedSince).localeCompare(str((b.listing as Json).listedSince)));
  return {
    __typename: 'Subject',
    id: refs.join('+'),
    linkedBy: meta.linkedBy,
    confidence: meta.confidence,
    matchScore: meta.matchScore,
    records: records.map((r) => stripHague(r.person)),
    heldBy,
    contacts: records.map((r) => ({
      __typename: 'SubjectContact',
      memberState: r.person.hague_state,
      recordId: r.person.hague_id,
      contact: r.person.hague_contact,
    })),
    names,
    travel: (args: Json) =>
      travel.filter((t) => {
        const day = str((t.movement as Json).at).slice(0, 10);
        return (typeof args.since !== 'string' || day >= args.since) && (typeof args.until !== 'string' || day <= args.until);
      }),
    financialMeasures: money,
    organisations,
    listings,
    alerts: alerts(travel, money, organisations, meta.now),
    withheld,
  };
}

function stripHague(person: Json): Json {
  return Object.fromEntries(Object.entries(person).filter(([k]) => !k.startsWith('hague_')));
}

const place = (p: unknown) => `${str((p as Json)?.city)} (${str((p as Json)?.country)})`;

/** What the merged facts show together and no single record does. */
export function alerts(travel: Json[], money: Json[], organisations: Json[], now: Date): Json[] {
  const out: Json[] = [];
  const of = (fact: Json) => fact.measure as Json;
  const stateOf = (fact: Json) => str((fact.source as Json).memberState);
  for (const freeze of money.filter((m) => of(m).kind === 'ASSET_FREEZE')) {
    const after = money.filter(
      (m) =>
        (of(m).kind === 'CASH_WITHDRAWAL' || of(m).kind === 'MONEY_TRANSFER') && stateOf(m) !== stateOf(freeze) && str(of(m).since) >= str(of(freeze).since),
    );
    if (!after.length) continue;
    const where = [...new Set(after.map(stateOf))].join(', ');
    const totals = new Map<string, number>();
    for (const m of after)
      if (typeof of(m).amount === 'number') totals.set(str(of(m).currency), (totals.get(str(of(m).currency)) ?? 0) + (of(m).amount as number));
    const sum = [...totals].map(([c, a]) => `${a} ${c}`.trim()).join(' + ');
    const withdrawals = after.filter((m) => of(m).kind === 'CASH_WITHDRAWAL').length;
    const transfers = after.length - withdrawals;
    out.push({
      __typename: 'SubjectAlert',
      kind: 'FREEZE_EVASION',
      message:
        `Assets frozen in ${stateOf(freeze)} on ${str(of(freeze).since)}; afterwards ${withdrawals} cash withdrawal(s) and ${transfers} transfer(s) in ${where} ` +
        `(${str(of(after[0]).since)} to ${str(of(after[after.length - 1]).since)}${sum ? `, ${sum}` : ''})`,
      sources: [freeze, ...after].map((m) => m.source),
    });
  }
  const horizon = now.getTime() + PLANNED_TRIP_DAYS * 86_400_000;
  for (const leg of travel) {
    const m = leg.movement as Json;
    const at = Date.parse(str(m.at));
    if (m.planned !== true || !(at >= now.getTime() && at <= horizon)) continue;
    const days = Math.ceil((at - now.getTime()) / 86_400_000);
    const ref = [m.carrier, m.reference].filter((x) => typeof x === 'string').join(' ');
    out.push({
      __typename: 'SubjectAlert',
      kind: 'PLANNED_TRIP',
      message: `Booked trip ${place(m.from)} -> ${place(m.to)} on ${str(m.at)}${ref ? ` (${ref})` : ''}, in ${days} day(s); known to ${stateOf(leg)}`,
      sources: [leg.source],
    });
  }
  for (const org of organisations.filter((o) => o.kind === 'ORGANISED_CRIME')) {
    out.push({
      __typename: 'SubjectAlert',
      kind: 'ORGANISED_CRIME_LINK',
      message: `Linked to ${str(org.name) || str(org.id)} (organised crime)${org.role ? ` as ${str(org.role)}` : ''}, recorded by ${stateOf(org)}`,
      sources: [org.source],
    });
  }
  return out;
}

/** The client's selection over a merged value: aliases, inline fragments, `__typename` and `travel`'s arguments. */
function project(value: unknown, set: SelectionSetNode | undefined, variables: Record<string, unknown>, analysis: Analysis): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((v) => project(v, set, variables, analysis));
  if (!set || typeof value !== 'object') return value;
  const obj = value as Json;
  const out: Json = {};
  const fill = (selections: readonly SelectionNode[]) => {
    for (const s of selections) {
      if (!included(s, variables)) continue;
      if (s.kind === Kind.INLINE_FRAGMENT) {
        if (!s.typeCondition || !obj.__typename || s.typeCondition.name.value === obj.__typename) fill(s.selectionSet.selections);
        continue;
      }
      if (s.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = analysis.fragments.get(s.name.value);
        if (fragment && (!obj.__typename || fragment.typeCondition.name.value === obj.__typename)) fill(fragment.selectionSet.selections);
        continue;
      }
      const key = s.alias?.value ?? s.name.value;
      const name = s.name.value;
      let v = name === '__typename' ? obj.__typename : obj[name];
      if (typeof v === 'function') {
        const args: Json = {};
        for (const a of s.arguments ?? []) args[a.name.value] = valueFromASTUntyped(a.value, variables);
        v = (v as (args: Json) => unknown)(args);
      }
      // A member's Person record is already shaped by the client's selection: passed on as answered.
      out[key] = name === 'records' ? v : project(v, s.selectionSet, variables, analysis);
    }
  };
  fill(set.selections);
  return out;
}

/** `@skip(if:)` and `@include(if:)`, as an executor would apply them. */
function included(selection: SelectionNode, variables: Record<string, unknown>): boolean {
  for (const directive of selection.directives ?? []) {
    const name = directive.name.value;
    if (name !== 'skip' && name !== 'include') continue;
    const arg = directive.arguments?.find((a) => a.name.value === 'if');
    const value = arg ? valueFromASTUntyped(arg.value, variables) === true : false;
    if ((name === 'skip' && value) || (name === 'include' && !value)) return false;
  }
  return true;
}
