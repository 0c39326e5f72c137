import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { NO_STATE, mergeEntities, mergeRoot, type Answer, type Partition } from '../../gateway/merge.ts';
import { analyse, targetsOf, type Targets } from '../../gateway/routing.ts';
import type { Failure, GraphQLResponseBody } from '../../gateway/http-client.ts';

/** Member states' answers put back together, pure: the Analysis and Targets the fan-out builds, answers made by hand. */

const NETWORK = ['NL', 'BE', 'DE'];
const LISTS = new Set(['persons', 'organisations']);

function merge(query: string, answers: Answer[], variables: Record<string, unknown> = {}) {
  const analysis = analyse(parse(query));
  const targets = new Map<string, Targets>(analysis.fields.map((f) => [f.key, targetsOf(f, variables, analysis.defaults, NETWORK)]));
  return mergeRoot(analysis, targets, new Map(answers.map((a) => [a.state, a])), LISTS, NETWORK);
}
const answered = (state: string, body: GraphQLResponseBody): Answer => ({ state, body, timeoutMs: 2000 });
const failed = (state: string, failure: Failure): Answer => ({ state, failure, timeoutMs: 2000 });
const TIMEOUT: Failure = { kind: 'timeout', detail: 'did not answer within 2000 ms' };
const people = (state: string, n: number) => Array.from({ length: n }, (_, i) => ({ id: `${state}-${i}` }));

describe('mergeRoot', () => {
  it('concatenates lists in network order; each error keeps its path, re-indexed into the merged list, and names its state', () => {
    const merged = merge('{ persons(filter: { name: "x" }) { id dateOfBirth } }', [
      // Answers arrive in any order; the merge follows the network's.
      answered('DE', { data: { persons: [] } }),
      answered('BE', {
        data: { persons: people('BE', 2) },
        errors: [
          {
            message: 'BE withholds dateOfBirth',
            locations: [{ line: 1, column: 40 }],
            path: ['persons', '1', 'dateOfBirth'],
            extensions: { code: 'FORBIDDEN' },
          },
        ],
      }),
      answered('NL', {
        data: { persons: people('NL', 7) },
        errors: [{ message: 'NL withholds dateOfBirth', path: ['persons', 2, 'dateOfBirth'], extensions: { code: 'FORBIDDEN' } }],
      }),
    ]);
    expect(merged).toEqual({
      data: { persons: [...people('NL', 7), ...people('BE', 2)] },
      errors: [
        { message: 'NL withholds dateOfBirth', path: ['persons', 2, 'dateOfBirth'], extensions: { code: 'FORBIDDEN', memberState: 'NL' } },
        {
          message: 'BE withholds dateOfBirth',
          locations: [{ line: 1, column: 40 }],
          path: ['persons', 8, 'dateOfBirth'],
          extensions: { code: 'FORBIDDEN', memberState: 'BE' },
        },
      ],
    });
  });

  it("a state's persons.0 is the merged persons.7 when the states before it answered 7", () => {
    const merged = merge('{ persons(filter: {}) { id background } }', [
      answered('NL', { data: { persons: people('NL', 4) } }),
      answered('BE', { data: { persons: people('BE', 3) } }),
      answered('DE', { data: { persons: people('DE', 1) }, errors: [{ message: 'withheld', path: ['persons', 0, 'background'] }] }),
    ]);
    expect(merged.errors).toEqual([{ message: 'withheld', path: ['persons', 7, 'background'], extensions: { memberState: 'DE' } }]);
    expect((merged.data!.persons as unknown[]).length).toBe(8);
  });

  it('single-object fields come from their owner; a failed state costs one MEMBER_UNAVAILABLE error, the rest still answers', () => {
    const merged = merge('{ nl: person(memberState: NL, id: "NL-1") { id } de: person(memberState: DE, id: "DE-1") { id } persons(filter: {}) { id } }', [
      answered('NL', { data: { nl: { id: 'NL-1' }, persons: people('NL', 1) } }),
      answered('BE', { data: { persons: people('BE', 2) } }),
      failed('DE', TIMEOUT),
    ]);
    expect(merged).toEqual({
      data: { nl: { id: 'NL-1' }, de: null, persons: [...people('NL', 1), ...people('BE', 2)] },
      errors: [
        {
          message: 'DE did not answer within 2000 ms; its records are missing from this answer',
          extensions: { code: 'MEMBER_UNAVAILABLE', memberState: 'DE', reason: 'TIMEOUT' },
        },
      ],
    });
  });

  it('a state asked for exactly one single-object field that fails: the error points at that field', () => {
    expect(
      merge('{ p: person(memberState: BE, id: "BE-1") { id } }', [failed('BE', { kind: 'unreachable', detail: 'is unreachable (connection refused)' })]),
    ).toEqual({
      data: { p: null },
      errors: [
        {
          message: 'BE is unreachable (connection refused); its records are missing from this answer',
          path: ['p'],
          extensions: { code: 'MEMBER_UNAVAILABLE', memberState: 'BE', reason: 'UNREACHABLE' },
        },
      ],
    });
  });

  it('states asked for but outside the network are reported once each, without a path', () => {
    const merged = merge(
      'query($s: [MemberState!]) { a: persons(filter: {}, memberStates: $s) { id } b: persons(filter: {}, memberStates: [FR, NL]) { id } }',
      [answered('NL', { data: { a: people('NL', 1), b: people('NL', 1) } })],
      { s: ['NL', 'FR', 'ES'] },
    );
    const outside = (state: string) => ({
      message: `${state} is not part of this network (not in the members config); its records are missing from this answer`,
      extensions: { code: 'MEMBER_UNAVAILABLE', memberState: state, reason: 'UNREACHABLE' },
    });
    expect(merged).toEqual({ data: { a: people('NL', 1), b: people('NL', 1) }, errors: [outside('FR'), outside('ES')] });
  });

  it('a list every state rejected is null, the same rejection reported once with its states; a list nobody could answer is empty', () => {
    const rejection = (state: string) =>
      answered(state, { data: null, errors: [{ message: 'filter: name something', path: ['persons'], extensions: { code: 'BAD_USER_INPUT' } }] });
    expect(merge('{ persons(filter: {}) { id } }', NETWORK.map(rejection))).toEqual({
      data: { persons: null },
      errors: [
        { message: 'filter: name something', path: ['persons'], extensions: { code: 'BAD_USER_INPUT', memberState: 'NL', memberStates: ['NL', 'BE', 'DE'] } },
      ],
    });
    const merged = merge(
      '{ persons(filter: {}) { id } }',
      NETWORK.map((s) => failed(s, TIMEOUT)),
    );
    expect(merged.data).toEqual({ persons: [] });
    expect(merged.errors.map((e) => [e.extensions?.code, e.extensions?.memberState, e.path])).toEqual([
      ['MEMBER_UNAVAILABLE', 'NL', undefined],
      ['MEMBER_UNAVAILABLE', 'BE', undefined],
      ['MEMBER_UNAVAILABLE', 'DE', undefined],
    ]);
  });

  it('__typename is answered by the gateway; a response key asked twice is merged once', () => {
    expect(
      merge('{ __typename t: __typename persons(filter: {}) { id } ... on Query { persons(filter: {}) { id } } }', [
        answered('NL', { data: { persons: people('NL', 1) } }),
      ]),
    ).toEqual({ data: { __typename: 'Query', t: 'Query', persons: people('NL', 1) }, errors: [] });
  });
});

describe('mergeEntities', () => {
  // Representations: 0 NL, 1 BE, 2 NL, 3 (no memberState), 4 FR, 5 DE, in the fan-out's partition order.
  const partitions: Partition[] = [
    { state: 'NL', indexes: [0, 2] },
    { state: 'BE', indexes: [1] },
    { state: 'DE', indexes: [5] },
    { state: NO_STATE, indexes: [3] },
    { state: 'FR', indexes: [4] },
  ];

  it("puts each state's entities back at their representations' positions, re-indexing _entities error paths; failures per state", () => {
    const answers = new Map<string, Answer>([
      [
        'NL',
        answered('NL', {
          data: { _entities: [{ id: 'NL-0' }, { id: 'NL-2' }] },
          errors: [{ message: 'withheld', path: ['_entities', 1, 'background'], extensions: { code: 'FORBIDDEN' } }],
        }),
      ],
      ['BE', failed('BE', TIMEOUT)],
      ['DE', answered('DE', { data: { _entities: [{ id: 'DE-5' }, { id: 'DE-9' }] } })],
    ]);
    expect(mergeEntities(6, partitions, answers, NETWORK)).toEqual({
      data: { _entities: [{ id: 'NL-0' }, null, { id: 'NL-2' }, null, null, null] },
      errors: [
        { message: 'withheld', path: ['_entities', 2, 'background'], extensions: { code: 'FORBIDDEN', memberState: 'NL' } },
        {
          message: 'BE did not answer within 2000 ms; its records are missing from this answer',
          path: ['_entities', 1],
          extensions: { code: 'MEMBER_UNAVAILABLE', memberState: 'BE', reason: 'TIMEOUT', entities: 1 },
        },
        {
          message: 'DE answered 2 entities for 1 requested; its records are missing from this answer',
          path: ['_entities', 5],
          extensions: { code: 'MEMBER_UNAVAILABLE', memberState: 'DE', reason: 'INVALID_RESPONSE', entities: 1 },
        },
        {
          message: '1 record reference(s) name no memberState and cannot be routed to an owner',
          path: ['_entities', 3],
          extensions: { code: 'MEMBER_UNAVAILABLE', reason: 'NO_MEMBER_STATE' },
        },
        {
          message: 'FR is not part of this network (not in the members config); its records are missing from this answer',
          path: ['_entities', 4],
          extensions: { code: 'MEMBER_UNAVAILABLE', memberState: 'FR', reason: 'UNREACHABLE' },
        },
      ],
    });
  });

  it('null entities stay null; an answer without a list keeps its errors; paths outside the partition are left as sent', () => {
    const answers = new Map<string, Answer>([
      [
        'NL',
        answered('NL', {
          data: { _entities: [null, { id: 'NL-2' }] },
          errors: [
            { message: 'gone', path: ['_entities', '0'] },
            { message: 'odd', path: ['_entities', 5] },
          ],
        }),
      ],
      ['BE', answered('BE', { data: null, errors: [{ message: 'refused', path: ['_entities'] }] })],
    ]);
    expect(mergeEntities(3, partitions.slice(0, 2), answers, NETWORK)).toEqual({
      data: { _entities: [null, null, { id: 'NL-2' }] },
      errors: [
        { message: 'gone', path: ['_entities', 0], extensions: { memberState: 'NL' } },
        { message: 'odd', path: ['_entities', 5], extensions: { memberState: 'NL' } },
        { message: 'refused', path: ['_entities'], extensions: { memberState: 'BE' } },
      ],
    });
  });
});
