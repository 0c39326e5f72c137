import { Kind, parse, print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { analyse, parseOperation, pickVariables, subOperation, targetsOf, type Targets } from '../../gateway/routing.ts';

/** Which member states a subgraph operation reaches, and what each of them is sent. Pure, AST only. */

const NETWORK = ['NL', 'BE', 'DE'] as const;

/** Targets of every root field of `query`, by response key. */
function targets(query: string, variables: Record<string, unknown> = {}): Record<string, Targets> {
  const analysis = analyse(parse(query));
  return Object.fromEntries(analysis.fields.map((f) => [f.key, targetsOf(f, variables, analysis.defaults, NETWORK)]));
}
const only = (...states: string[]) => ({ states, outside: [] });
const all = only(...NETWORK);

describe('targetsOf', () => {
  it('memberState: only that state; one outside the network: no state, and it is named', () => {
    expect(targets('{ person(memberState: BE, id: "1") { id } }')).toEqual({ person: only('BE') });
    expect(targets('{ person(memberState: FR, id: "1") { id } }')).toEqual({ person: { states: [], outside: ['FR'] } });
  });

  it('memberStates as a literal list: those states in network order; outside ones named once', () => {
    expect(targets('{ persons(filter: {}, memberStates: [DE, NL]) { id } }')).toEqual({ persons: only('NL', 'DE') });
    expect(targets('{ persons(filter: {}, memberStates: [NL, FR, NL, XX]) { id } }')).toEqual({ persons: { states: ['NL'], outside: ['FR', 'XX'] } });
    expect(targets('{ persons(filter: {}, memberStates: []) { id } }')).toEqual({ persons: only() });
  });

  it('memberStates as a single value (list input coercion), null, or absent', () => {
    expect(targets('{ persons(filter: {}, memberStates: BE) { id } }')).toEqual({ persons: only('BE') });
    expect(targets('{ persons(filter: {}, memberStates: null) { id } }')).toEqual({ persons: all });
    expect(targets('{ persons(filter: {}) { id } }')).toEqual({ persons: all });
  });

  it('variables: the value sent, else the variable default; an explicit null means every state', () => {
    const query = 'query($s: [MemberState!]) { persons(filter: {}, memberStates: $s) { id } }';
    expect(targets(query, { s: ['DE', 'BE'] })).toEqual({ persons: only('BE', 'DE') });
    expect(targets(query, { s: 'DE' })).toEqual({ persons: only('DE') });
    expect(targets(query, { s: null })).toEqual({ persons: all });
    expect(targets(query)).toEqual({ persons: all });
    const withDefault = 'query($s: [MemberState!] = [DE]) { persons(filter: {}, memberStates: $s) { id } }';
    expect(targets(withDefault)).toEqual({ persons: only('DE') });
    expect(targets(withDefault, { s: undefined })).toEqual({ persons: only('DE') });
    expect(targets(withDefault, { s: null })).toEqual({ persons: all });
    expect(targets(withDefault, { s: ['NL', 'ES'] })).toEqual({ persons: { states: ['NL'], outside: ['ES'] } });
    expect(targets('query($a: MemberState!) { persons(filter: {}, memberStates: [$a, BE]) { id } }', { a: 'NL' })).toEqual({ persons: only('NL', 'BE') });
    expect(targets('query($st: MemberState!) { person(memberState: $st, id: "1") { id } }', { st: 'DE' })).toEqual({ person: only('DE') });
  });

  it('aliases: each response key routed on its own arguments; __typename goes nowhere', () => {
    expect(
      targets('{ nl: person(memberState: NL, id: "1") { id } be: person(memberState: BE, id: "2") { id } everyone: persons(filter: {}) { id } __typename }'),
    ).toEqual({
      nl: only('NL'),
      be: only('BE'),
      everyone: all,
      __typename: only(),
    });
  });

  it('the states list is a copy of the network, never the network itself', () => {
    const analysis = analyse(parse('{ persons(filter: {}) { id } }'));
    const network = ['NL', 'BE'];
    const result = targetsOf(analysis.fields[0], {}, {}, network);
    expect(result.states).toEqual(network);
    expect(result.states).not.toBe(network);
  });
});

describe('analyse', () => {
  const shape = (query: string, operationName?: string) =>
    analyse(parse(query), operationName).units.map((u) => ({ kind: u.selection.kind, keys: u.fields.map((f) => f.key) }));

  it('root fragments without directives are bags of root fields, routed one by one', () => {
    const query =
      '{ a: person(memberState: NL, id: "1") { id } ...F ... on Query { b: persons(filter: {}) { id } } } fragment F on Query { c: persons(filter: {}) { id } ... on Query { d: __typename } }';
    expect(shape(query)).toEqual([
      { kind: Kind.FIELD, keys: ['a'] },
      { kind: Kind.FIELD, keys: ['c'] },
      { kind: Kind.FIELD, keys: ['d'] },
      { kind: Kind.FIELD, keys: ['b'] },
    ]);
    const analysis = analyse(parse(query));
    expect(analysis.fields.map((f) => [f.key, f.name])).toEqual([
      ['a', 'person'],
      ['c', 'persons'],
      ['d', '__typename'],
      ['b', 'persons'],
    ]);
    expect([...analysis.fragments.keys()]).toEqual(['F']);
  });

  it('a root fragment with directives is one unit, sent or withheld whole, with every field inside it', () => {
    const query = `query($x: Boolean!) {
      a: persons(filter: {}) { id }
      ...F @include(if: $x)
      ... on Query @skip(if: $x) { b: person(memberState: NL, id: "1") { id } c: persons(filter: {}) { id } }
    }
    fragment F on Query { d: persons(filter: {}) { id } ... on Query { e: person(memberState: BE, id: "2") { id } } ...G }
    fragment G on Query { f: persons(filter: {}) { id } }`;
    expect(shape(query)).toEqual([
      { kind: Kind.FIELD, keys: ['a'] },
      { kind: Kind.FRAGMENT_SPREAD, keys: ['d', 'e', 'f'] },
      { kind: Kind.INLINE_FRAGMENT, keys: ['b', 'c'] },
    ]);
  });

  it('operation chosen by name (first when none), root type, _entities, variable defaults; cached per document and name', () => {
    const doc = parse(`query First { a: persons(filter: {}) { id } }
      mutation Second($n: Int = 3, $l: [String] = ["x", "y"], $none: Int) { b: note(n: $n) }
      query Third($representations: [_Any!]!) { _entities(representations: $representations) { ... on Person { id } } }`);
    const first = analyse(doc);
    expect([first.operation.name?.value, first.rootTypeName, first.isEntities, first.defaults]).toEqual(['First', 'Query', false, {}]);
    const second = analyse(doc, 'Second');
    expect([second.operation.name?.value, second.rootTypeName, second.isEntities, second.defaults]).toEqual([
      'Second',
      'Mutation',
      false,
      { n: 3, l: ['x', 'y'] },
    ]);
    expect(analyse(doc, 'Third').isEntities).toBe(true);
    expect(analyse(doc, 'Second')).toBe(second);
    expect(analyse(doc, null)).toBe(first);
    expect(() => analyse(doc, 'Fourth')).toThrow(new Error('subgraph operation Fourth not found'));
  });

  it('parseOperation remembers a query text', () => {
    const text = '{ persons(filter: {}) { id } }';
    expect(parseOperation(text)).toBe(parseOperation(text));
    expect(print(parseOperation(text))).toBe(print(parse(text)));
  });
});

describe('subOperation', () => {
  const doc = parse(`query Q($f: PersonFilter!, $s: [MemberState!], $n: Int, $unused: Int) {
      a: persons(filter: $f, memberStates: $s) { ...P }
      b: person(memberState: NL, id: "1") { ...R }
      c: persons(filter: $f) { id }
    }
    fragment P on Person { id ...N }
    fragment N on Person { name travel(first: $n) { at } }
    fragment R on Person { id }
    fragment Unused on Person { id }`);

  it('keeps only the units asked for, and only the variables and fragments they use (fragments inside fragments too)', () => {
    const analysis = analyse(doc);
    expect(subOperation(analysis, [0])).toEqual({
      query: print(
        parse(`query Q($f: PersonFilter!, $s: [MemberState!], $n: Int) { a: persons(filter: $f, memberStates: $s) { ...P } }
        fragment P on Person { id ...N } fragment N on Person { name travel(first: $n) { at } }`),
      ),
      variables: ['f', 's', 'n'],
    });
    expect(subOperation(analysis, [1])).toEqual({
      query: print(parse('query Q { b: person(memberState: NL, id: "1") { ...R } } fragment R on Person { id }')),
      variables: [],
    });
    expect(subOperation(analysis, [1, 2])).toEqual({
      query: print(
        parse('query Q($f: PersonFilter!) { b: person(memberState: NL, id: "1") { ...R } c: persons(filter: $f) { id } } fragment R on Person { id }'),
      ),
      variables: ['f'],
    });
    expect(subOperation(analysis, [1, 2])).toBe(subOperation(analysis, [1, 2]));
  });
});

describe('pickVariables', () => {
  it('only the names asked for that were sent (an explicit null or undefined is kept as sent)', () => {
    expect(pickVariables({ f: { name: 'x' }, s: null, u: undefined, other: 1 }, ['f', 's', 'u', 'missing'])).toStrictEqual({
      f: { name: 'x' },
      s: null,
      u: undefined,
    });
    expect(pickVariables(undefined, ['f'])).toStrictEqual({});
    expect(pickVariables({ f: 1 }, [])).toStrictEqual({});
  });
});
