import type { ExecutionResult, GraphQLResolveInfo } from 'graphql';

/**
 * Per-state counts of search results. Each list root field (persons, organisations) reads one record
 * more than asked: the state returns at most `first`, and says whether more match. The answer
 * carries, per response key, in `extensions.hague.lists`:
 *
 *   { returned: 20, more: true, scores: [1, 0.93, ...] }
 *
 * `scores` are the records' match scores in the order returned (null when no name was searched):
 * the gateway orders the merged list by them whether or not the caller selected matchScore, and
 * keeps them to itself; callers read `returned` and `more` per state in the gateway's
 * `extensions.hague.states` (gateway/plugins/state-counts.ts).
 */

export interface ListCount {
  returned: number;
  more: boolean;
  scores: Array<number | null>;
}

export type ListCounts = Record<string, ListCount>;

/** Keeps the first `first` of `rows` (read with one more), noting the count under the field's response key. */
export function countList<T extends { matchScore: number | null }>(context: { lists?: ListCounts }, info: GraphQLResolveInfo, rows: T[], first: number): T[] {
  const kept = rows.slice(0, first);
  context.lists ??= {};
  context.lists[String(info.path.key)] = { returned: kept.length, more: rows.length > first, scores: kept.map((row) => row.matchScore) };
  return kept;
}

/**
 * Adds the counts to an answer's extensions. A list that did not reach the answer (its field was
 * nulled by an error, or the whole answer withheld) is not counted: counts describe what was sent.
 */
export function addListCounts(execution: ExecutionResult, lists: ListCounts | undefined): void {
  if (!lists) return;
  const data = execution.data;
  const sent = Object.fromEntries(Object.entries(lists).filter(([key]) => Array.isArray(data?.[key])));
  if (Object.keys(sent).length === 0) return;
  const extensions = (execution.extensions ?? {}) as Record<string, unknown>;
  const hague = (extensions.hague ?? {}) as Record<string, unknown>;
  execution.extensions = { ...extensions, hague: { ...hague, lists: sent } };
}
