import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { mergeSubjects, personsOperation } from '../../gateway/subjects.ts';
import type { Answer } from '../../gateway/merge.ts';
import { analyse } from '../../gateway/routing.ts';
import type { GraphQLResponseBody } from '../../gateway/http-client.ts';

/** The `subjects` link and merge, pure: the persons query each state is sent, and answers made by hand. */

const QUERY = `query Q($name: String) { found: subjects(filter: { name: $name }, first: 5) { id heldBy linkedBy confidence
  people: records { id }
  travel(since: "2026-01-01") { movement { at } source { memberState recordId } }
  withheld { memberState recordId fields contact { reference } } } }`;
const analysis = analyse(parse(QUERY));
const field = analysis.fields[0];
const answered = (state: string, body: GraphQLResponseBody): Answer => ({ state, body, timeoutMs: 2000 });
const key = (kind: string, value: string) => ({ kind, epoch: 'e1', value });
const record = (state: string, id: string, keys: unknown[], extra: Record<string, unknown> = {}) => ({
  id,
  hague_state: state,
  hague_id: id,
  hague_score: 0.9,
  hague_keys: keys,
  hague_contact: { __typename: 'ContactPoint', reference: `${id}-REF` },
  hague_travel: [],
  ...extra,
});
const leg = (at: string) => ({ __typename: 'TravelMovement', at, handling: null, evaluation: null });

describe('subjects', () => {
  it("asks each state persons with the client's record selection, the filter, and the fields the merge needs", () => {
    const op = personsOperation(analysis, field);
    expect(op.recordsKey).toBe('people');
    expect(op.variables).toEqual(['name']);
    expect(op.query).toContain('persons(filter: {name: $name}, first: 50)');
    expect(op.query).toContain('hague_keys: matchKeys');
    expect(op.query).toContain('hague_travel: travel');
    expect(op.query).not.toContain('hague_money');
  });

  it('links records sharing a key, keeps the rest apart, orders travel, and reports withheld fields only in withheld', () => {
    const merged = mergeSubjects(
      field,
      [
        answered('NL', {
          data: { persons: [record('NL', 'NL-1', [key('NAME_DOB', 'n1')], { hague_travel: null })] },
          errors: [
            { message: 'NL releases SUMMARY', path: ['persons', 0, 'hague_travel'], extensions: { code: 'NOT_RELEASED', field: 'Person.travel' } },
            { message: 'NL withholds id', path: ['persons', 0, 'id'], extensions: { code: 'NOT_RELEASED', field: 'Person.id' } },
          ],
        }),
        answered('BE', {
          data: {
            persons: [
              record('BE', 'BE-1', [key('DOCUMENT', 'd1'), key('NAME_DOB', 'n2')], {
                hague_travel: [leg('2026-05-01T00:00:00Z'), leg('2025-01-01T00:00:00Z')],
              }),
            ],
          },
        }),
        answered('FR', { data: { persons: [record('FR', 'FR-1', [key('DOCUMENT', 'd1')], { hague_travel: [leg('2026-03-01T00:00:00Z')] })] } }),
      ],
      'people',
      { name: 'x' },
      new Date('2026-11-01T00:00:00Z'),
      analysis,
    );
    expect(merged.data).toEqual([
      {
        id: 'BE:BE-1+FR:FR-1',
        heldBy: ['BE', 'FR'],
        linkedBy: ['DOCUMENT'],
        confidence: 'STRONG',
        people: [{ id: 'BE-1' }, { id: 'FR-1' }],
        travel: [
          { movement: { at: '2026-03-01T00:00:00Z' }, source: { memberState: 'FR', recordId: 'FR-1' } },
          { movement: { at: '2026-05-01T00:00:00Z' }, source: { memberState: 'BE', recordId: 'BE-1' } },
        ],
        withheld: [],
      },
      {
        id: 'NL:NL-1',
        heldBy: ['NL'],
        linkedBy: [],
        confidence: 'SINGLE_RECORD',
        people: [{ id: 'NL-1' }],
        travel: [],
        withheld: [{ memberState: 'NL', recordId: 'NL-1', fields: ['Person.travel'], contact: { reference: 'NL-1-REF' } }],
      },
    ]);
    // The client's own record field keeps its error, re-pointed into the subject; the merge's own fields do not leak errors.
    expect(merged.errors).toEqual([
      { message: 'NL withholds id', path: ['found', 1, 'people', 0, 'id'], extensions: { code: 'NOT_RELEASED', field: 'Person.id', memberState: 'NL' } },
    ]);
  });

  it('applies @skip and @include, and answers first out of range with BAD_USER_INPUT', () => {
    const shaped = analyse(parse('query($full: Boolean!) { subjects(filter: { name: "x" }) { id heldBy @include(if: $full) linkedBy @skip(if: $full) } }'));
    const answers = [answered('NL', { data: { persons: [record('NL', 'NL-1', [])] } })];
    const now = new Date('2026-11-01T00:00:00Z');
    expect(mergeSubjects(shaped.fields[0], answers, undefined, { full: true }, now, shaped).data).toEqual([{ id: 'NL:NL-1', heldBy: ['NL'] }]);
    expect(mergeSubjects(shaped.fields[0], answers, undefined, { full: false }, now, shaped).data).toEqual([{ id: 'NL:NL-1', linkedBy: [] }]);
    const tooMany = analyse(parse('{ subjects(filter: { name: "x" }, first: 101) { id } }'));
    const refused = mergeSubjects(tooMany.fields[0], answers, undefined, {}, now, tooMany);
    expect(refused.data).toBeNull();
    expect(refused.errors).toEqual([
      expect.objectContaining({ path: ['subjects'], extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', argumentName: 'first' }) }),
    ]);
  });

  it('a name and date of birth key alone links weakly; a state that failed is named', () => {
    const merged = mergeSubjects(
      field,
      [
        answered('NL', { data: { persons: [record('NL', 'NL-1', [key('NAME_DOB', 'n1')])] } }),
        answered('BE', { data: { persons: [record('BE', 'BE-1', [key('NAME_DOB', 'n1'), key('DOCUMENT', 'd9')])] } }),
        { state: 'DE', failure: { kind: 'timeout', detail: 'did not answer within 2000 ms' }, timeoutMs: 2000 },
      ],
      'people',
      {},
      new Date('2026-11-01T00:00:00Z'),
      analysis,
    );
    expect((merged.data as Array<{ confidence: string; linkedBy: string[] }>).map((s) => [s.confidence, s.linkedBy])).toEqual([['WEAK', ['NAME_DOB']]]);
    expect(merged.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'MEMBER_UNAVAILABLE', memberState: 'DE' }) })]);
  });
});
