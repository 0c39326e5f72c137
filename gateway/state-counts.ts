import type { Answer } from './merge.ts';
import type { Analysis, Targets } from './routing.ts';

/**
 * Per state and per list root field (response key): how many records the state returned and
 * whether more match (it read one more than `first`, member search-counts.ts). Collected by the
 * fan-out for each request and sent to the caller in `extensions.hague.states`
 * (plugins/state-counts.ts):
 *
 *   { "NL": { "persons": { "returned": 20, "more": true } }, "BE": { "persons": { "returned": 3, "more": false } } }
 *
 * A state is listed for a field only when it answered that field with a list and counted it (the
 * searches: persons, organisations; not hitNotifications); a state that was unavailable or refused
 * the search is not (its error says why).
 */
export interface StateCount {
  returned: number;
  more: boolean;
}

export type StateCounts = Record<string, Record<string, StateCount>>;

/**
 * The count of one state's answer to one list, asked under `listKey` and counted for the caller's
 * response key `key` (for `subjects`, each state's `persons` answer: how many of its records were
 * linked, and whether it holds more matching records than it was asked for).
 */
export function countAnswer(into: StateCounts, state: string, key: string, answer: Answer | undefined, listKey = key): void {
  const value = answer?.body?.data?.[listKey];
  if (!Array.isArray(value)) return;
  const reported = (answer?.body?.extensions?.hague as { lists?: Record<string, { more?: unknown }> } | undefined)?.lists?.[listKey];
  if (!reported) return;
  (into[state] ??= {})[key] = { returned: value.length, more: reported.more === true };
}

/** The counts of one root fetch's answers, added to `into` (a request may make several root fetches). */
export function collectCounts(
  analysis: Analysis,
  targets: Map<string, Targets>,
  answers: Map<string, Answer>,
  lists: ReadonlySet<string>,
  into: StateCounts,
): void {
  for (const field of analysis.fields) {
    if (!lists.has(field.name)) continue;
    // Only the searches the state counted (persons, organisations): it alone knows whether more match.
    for (const state of targets.get(field.key)?.states ?? []) countAnswer(into, state, field.key, answers.get(state));
  }
}
