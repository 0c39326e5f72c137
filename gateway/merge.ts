import type { GraphQLFormattedError } from 'graphql';
import { formattedError } from '../common/errors.ts';
import { unavailableReason, type Failure, type GraphQLResponseBody } from './http-client.ts';
import type { Analysis, Targets } from './routing.ts';

/**
 * Puts the member states' answers back together as if one subgraph had answered:
 * lists merged best match first (the scores each state reports in extensions.hague.lists; ties and
 * unscored records in network order), single objects from their owner, `_entities` back in the
 * order of the representations. Every error a state sent keeps its path, re-indexed into the
 * merged list (a state's persons.0 may be the merged persons.7), and gains extensions.memberState.
 * A state that failed costs one MEMBER_UNAVAILABLE error naming it; the rest still answers.
 */

export interface Answer {
  state: string;
  body?: GraphQLResponseBody;
  failure?: Failure;
  timeoutMs: number;
}

export interface Merged {
  data: Record<string, unknown> | null;
  errors: GraphQLFormattedError[];
}

export function unavailable(state: string, failure: Failure, extra: { path?: (string | number)[]; entities?: number } = {}): GraphQLFormattedError {
  return formattedError('MEMBER_UNAVAILABLE', `${state} ${failure.detail}; its records are missing from this answer`, extra.path, {
    memberState: state,
    reason: unavailableReason(failure),
    ...(extra.entities !== undefined ? { entities: extra.entities } : {}),
  });
}

export function notInNetwork(state: string, path?: (string | number)[]): GraphQLFormattedError {
  return unavailable(state, { kind: 'unreachable', detail: 'is not part of this network (not in the members config)' }, { path });
}

/** Tags a state's error with the state, re-indexing its path with `reindex` when given. */
function tag(error: GraphQLFormattedError, state: string, reindex?: (path: readonly (string | number)[]) => (string | number)[]): GraphQLFormattedError {
  const extensions = { ...(error.extensions ?? {}), memberState: state };
  const normalised = error.path ? normalisePath(error.path) : undefined;
  const path = normalised && reindex ? reindex(normalised) : normalised;
  return { message: error.message, ...(error.locations ? { locations: error.locations } : {}), ...(path ? { path } : {}), extensions };
}

/**
 * List indices as numbers. Some servers (graphql-jit under mercurius) send "0"; GraphQL names
 * never start with a digit, so a numeric string is always an index. The planner's own path
 * mapping for _entities also needs numbers.
 */
function normalisePath(path: readonly (string | number)[]): (string | number)[] {
  return path.map((p) => (typeof p === 'string' && /^\d+$/.test(p) ? Number(p) : p));
}

/** Merges answers to a root-field operation. `targets` is per response key, `lists` are list-valued root field names. */
export function mergeRoot(
  analysis: Analysis,
  targets: Map<string, Targets>,
  answers: Map<string, Answer>,
  lists: ReadonlySet<string>,
  network: readonly string[],
): Merged {
  const data: Record<string, unknown> = {};
  const positions = new Map<string, Map<string, number[]>>(); // state -> key -> index in the merged list of each of its items

  for (const field of analysis.fields) {
    if (field.key in data) continue;
    if (field.name === '__typename') {
      data[field.key] = analysis.rootTypeName;
      continue;
    }
    const states = targets.get(field.key)?.states ?? [];
    const answered = states.map((s) => answers.get(s)).filter((a): a is Answer => !!a?.body);
    if (lists.has(field.name)) {
      const items: Array<{ item: unknown; state: string; index: number; score: number | null }> = [];
      let any = false;
      for (const answer of answered) {
        const value = answer.body!.data?.[field.key];
        if (!Array.isArray(value)) continue;
        any = true;
        const scores = reportedScores(answer, field.key, value.length);
        value.forEach((item, index) => items.push({ item, state: answer.state, index, score: scores[index] }));
      }
      // Best match first across states; ties, and records without a score, keep network order (the sort is stable).
      items.sort((a, b) => (b.score ?? -1) - (a.score ?? -1));
      const merged = items.map((entry, at) => {
        let byKey = positions.get(entry.state);
        if (!byKey) positions.set(entry.state, (byKey = new Map<string, number[]>()));
        let list = byKey.get(field.key);
        if (!list) byKey.set(field.key, (list = []));
        list[entry.index] = at;
        return entry.item;
      });
      // No state produced a list: if one rejected the field itself (e.g. BAD_USER_INPUT), answer null
      // like a single subgraph would; if they were only unreachable (or none was asked), an empty list.
      const rejected = answered.some((a) => a.body!.errors?.length && a.body!.data?.[field.key] == null);
      data[field.key] = any || !rejected ? merged : null;
    } else {
      const value = answered.map((a) => a.body!.data?.[field.key]).find((v) => v !== null && v !== undefined);
      data[field.key] = value ?? null;
    }
  }

  const errors: GraphQLFormattedError[] = [];
  for (const state of network) {
    const answer = answers.get(state);
    if (!answer) continue;
    if (answer.failure) {
      // Point at the field when the state was asked for exactly one single-object field (person).
      const own = analysis.fields.filter((f) => targets.get(f.key)?.states.includes(state));
      const single = own.length === 1 && !lists.has(own[0].name) ? [own[0].key] : undefined;
      errors.push(unavailable(state, answer.failure, { path: single }));
      continue;
    }
    const byKey = positions.get(state);
    for (const error of answer.body?.errors ?? []) {
      errors.push(
        tag(error, state, (path) => {
          const [head, index, ...rest] = path;
          const at = typeof head === 'string' && typeof index === 'number' ? byKey?.get(head)?.[index] : undefined;
          return at === undefined ? [...path] : [head, at, ...rest];
        }),
      );
    }
  }
  const outside = new Set<string>();
  for (const t of targets.values()) for (const s of t.outside) outside.add(s);
  for (const state of outside) errors.push(notInNetwork(state));
  return { data, errors: dedupe(errors) };
}

/**
 * The match scores a state reported for the items of one list (extensions.hague.lists, member
 * search-counts.ts), in order; null where it reported none or something that is not a score.
 */
function reportedScores(answer: Answer, key: string, length: number): Array<number | null> {
  const lists = (answer.body?.extensions?.hague as { lists?: Record<string, { scores?: unknown }> } | undefined)?.lists;
  const scores = lists?.[key]?.scores;
  return Array.from({ length }, (_, i) => {
    const score: unknown = Array.isArray(scores) ? scores[i] : undefined;
    return typeof score === 'number' && Number.isFinite(score) ? score : null;
  });
}

/**
 * The same root-level rejection from several states (e.g. every state refusing an empty filter)
 * is reported once, listing the states, instead of once per state.
 */
function dedupe(errors: GraphQLFormattedError[]): GraphQLFormattedError[] {
  const seen = new Map<string, GraphQLFormattedError>();
  const out: GraphQLFormattedError[] = [];
  for (const error of errors) {
    const code = error.extensions?.code;
    if ((error.path?.length ?? 0) > 1 || code === 'MEMBER_UNAVAILABLE') {
      out.push(error);
      continue;
    }
    const key = `${String(code)}\u0000${error.message}\u0000${JSON.stringify(error.path ?? null)}`;
    const first = seen.get(key);
    if (!first) {
      seen.set(key, error);
      out.push(error);
      continue;
    }
    // The same rejection from several states: one error naming them all.
    const ext = first.extensions;
    if (!ext) continue;
    const named = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : typeof v === 'string' ? [v] : []);
    ext.memberStates = [...(ext.memberStates === undefined ? named(ext.memberState) : named(ext.memberStates)), ...named(error.extensions?.memberState)];
  }
  return out;
}

/** Partition name for representations without a memberState key (another subgraph's mistake). */
export const NO_STATE = '(no memberState)';

export interface Partition {
  state: string;
  /** Positions of this state's representations in the original `representations` list. */
  indexes: number[];
}

/** Merges answers to an `_entities` operation: each state's entities back at their original positions. */
export function mergeEntities(count: number, partitions: Partition[], answers: Map<string, Answer>, network: readonly string[]): Merged {
  const entities: unknown[] = new Array(count).fill(null);
  const errors: GraphQLFormattedError[] = [];
  for (const { state, indexes } of partitions) {
    const at = ['_entities', indexes[0]];
    if (state === NO_STATE) {
      errors.push(
        formattedError('MEMBER_UNAVAILABLE', `${indexes.length} record reference(s) name no memberState and cannot be routed to an owner`, at, {
          reason: 'NO_MEMBER_STATE',
        }),
      );
      continue;
    }
    if (!network.includes(state)) {
      errors.push(notInNetwork(state, at));
      continue;
    }
    const answer = answers.get(state);
    if (!answer) continue;
    if (answer.failure || !answer.body) {
      errors.push(unavailable(state, answer.failure ?? { kind: 'invalid_response', detail: 'gave no answer' }, { path: at, entities: indexes.length }));
      continue;
    }
    const list = answer.body.data?._entities;
    if (list !== undefined && list !== null && (!Array.isArray(list) || list.length !== indexes.length)) {
      const detail = `answered ${Array.isArray(list) ? list.length : 'no list of'} entities for ${indexes.length} requested`;
      errors.push(unavailable(state, { kind: 'invalid_response', detail }, { path: at, entities: indexes.length }));
      continue;
    }
    if (Array.isArray(list))
      list.forEach((entity, j) => {
        entities[indexes[j]] = entity ?? null;
      });
    for (const error of answer.body.errors ?? []) {
      errors.push(
        tag(error, state, (path) => {
          const [head, j, ...rest] = path;
          return head === '_entities' && typeof j === 'number' && j < indexes.length ? [head, indexes[j], ...rest] : [...path];
        }),
      );
    }
  }
  return { data: { _entities: entities }, errors };
}
