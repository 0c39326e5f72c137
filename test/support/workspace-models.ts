import { readFileSync } from 'node:fs';
import type { SubjectModel, WorkspaceModel } from '../../gateway/explorer/workspace/model.ts';
import { emptySubject, readAnswer, type Answer } from '../../gateway/explorer/workspace/read-answer.ts';

/**
 * Workspace models for the tests of the workspace's views: read by the workspace's own reader from
 * the real answers in test/fixtures (test/fixtures/README.md says how they were captured), or made
 * small for the edge cases.
 */

/** readAnswer's model of the answer in test/fixtures/`fixture`. */
export function fixtureModel(fixture: string): WorkspaceModel {
  return readAnswer(JSON.parse(readFileSync(new URL(`../fixtures/${fixture}`, import.meta.url), 'utf8')) as Answer);
}

/** The kinds of the timeline's items for passport EM482913 asked by a BE analyst, in time order. */
export const PASSPORT_TIMELINE_KINDS = ['travel', 'travel', 'travel', 'listing', 'listing', 'travel', 'travel', 'listing', 'money', 'money', 'money', 'travel'];

/** A subject holding only `parts`. */
export function subject(id: string, parts: Partial<SubjectModel>): SubjectModel {
  return { ...emptySubject(id), ...parts };
}

/** A model of `subjects`, without contacts, counts or network errors. */
export function model(...subjects: SubjectModel[]): WorkspaceModel {
  return { subjects, contacts: [], counts: [], networkErrors: [] };
}
