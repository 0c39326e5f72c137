import { Kind, parse, print, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  PLACEHOLDER,
  authorizeOperation,
  denialReason,
  emptyAuthorizationRules,
  nullRemovedFields,
  readAuthorizationRules,
  stripPlaceholders,
  type Requirement,
} from '../../gateway/authorize.ts';
import { composeSupergraph } from '../../gateway/compose.ts';
import type { Caller } from '../../common/caller.ts';

/** Network-wide field rules, pure: a tiny subgraph composed in-process, operations rewritten per caller. */

const SUBGRAPH = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@authenticated", "@requiresScopes", "@policy"])
type Query {
  persons(filter: String): [Person!]! @authenticated
  person(id: ID!): Person
  search: [Result!]
  node(id: ID!): Node
  matrix: [[Cell]]
  secret: Secret
  vault: Secret @authenticated
  public: String
}
type Mutation { note(text: String): Person @requiresScopes(scopes: [["write"]]) }
interface Node { id: ID! vault: Secret }
union Result = Person | Organisation
type Person implements Node {
  id: ID!
  name: String
  background: String @policy(policies: [["clearance:CONFIDENTIAL"]])
  money: [Money!] @requiresScopes(scopes: [["financial:read"], ["audit", "finance"]])
  friends: [Person!]
  vault: Secret
}
type Organisation implements Node {
  id: ID!
  name: String
  members: [[Person!]] @policy(policies: [["role:admin", "state:NL"]])
  vault: Secret
}
type Money { amount: Float }
type Cell { value: Int hidden: String @policy(policies: [["state:NL"], ["scope:cells"]]) }
type Secret @requiresScopes(scopes: [["top"]]) { code: String @policy(policies: [["purpose:terrorism-financing"]]) }
`;

const SUPERGRAPH = composeSupergraph({
  file: 'authorize.test.ts',
  federationVersion: '=2.14.4',
  subgraphs: [{ name: 'one', routingUrl: 'http://127.0.0.1:1/graphql', source: 'authorize.test.ts', sdl: SUBGRAPH }],
}).supergraphSdl;
const rules = readAuthorizationRules(SUPERGRAPH);

function caller(overrides: Partial<Caller> = {}): Caller {
  return {
    state: 'BE',
    agency: 'Police',
    subject: 'analyst-1',
    roles: [],
    clearance: 'RESTRICTED',
    scopes: [],
    purpose: 'counter-terrorism',
    caseReference: null,
    requestId: 'req-1',
    ...overrides,
  };
}

/** The first operation of `text`, rewritten for `who`: the printed document and the removals. */
function rewrite(text: string, who: Caller | null = caller()) {
  const document = parse(text);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const { document: rewritten, removals } = authorizeOperation(rules, document, operation, who);
  return { printed: print(rewritten), definitions: rewritten.definitions.length, removals };
}

const printed = (text: string) => print(parse(text));

const BACKGROUND = 'Person.background is released by the network only to callers with clearance:CONFIDENTIAL';
const MONEY = 'Person.money needs the scope financial:read or audit + finance in your token';

describe('readAuthorizationRules', () => {
  it('reads @authenticated, @requiresScopes and @policy on fields, and on the types fields return', () => {
    const none = { authenticated: false, scopes: null, policies: null };
    const top = { ...none, scopes: [['top']] };
    expect(rules.fields).toEqual(
      new Map<string, Requirement>([
        ['Query.persons', { ...none, authenticated: true }],
        ['Query.secret', top],
        // The field's own @authenticated and its type's @requiresScopes together.
        ['Query.vault', { ...top, authenticated: true }],
        ['Mutation.note', { ...none, scopes: [['write']] }],
        ['Node.vault', top],
        ['Person.background', { ...none, policies: [['clearance:CONFIDENTIAL']] }],
        ['Person.money', { ...none, scopes: [['financial:read'], ['audit', 'finance']] }],
        ['Person.vault', top],
        ['Organisation.members', { ...none, policies: [['role:admin', 'state:NL']] }],
        ['Organisation.vault', top],
        ['Cell.hidden', { ...none, policies: [['state:NL'], ['scope:cells']] }],
        ['Secret.code', { ...none, policies: [['purpose:terrorism-financing']] }],
      ]),
    );
  });

  it('refuses a @policy it does not understand, naming it and its field', () => {
    const sdl = 'directive @policy(policies: [[String!]!]!) on FIELD_DEFINITION | OBJECT\ntype Query { a: String @policy(policies: [["clearence:SECRET"]]) }';
    expect(() => readAuthorizationRules(sdl)).toThrow(
      new Error(
        'supergraph: @policy "clearence:SECRET" on Query.a is not understood; use clearance:<UNCLASSIFIED|RESTRICTED|CONFIDENTIAL|SECRET>, role:<name>, purpose:<purpose>, state:<code> or scope:<name>',
      ),
    );
    expect(() => readAuthorizationRules(sdl.replace('clearence:SECRET', 'state:XX'))).toThrow('supergraph: @policy "state:XX" on Query.a is not understood');
  });

  it('a supergraph without authorization directives has no rules', () => {
    expect(readAuthorizationRules('type Query { a: String }').fields).toEqual(new Map());
  });
});

describe('denialReason', () => {
  const requirement: Requirement = { authenticated: false, scopes: [['a', 'b'], ['c']], policies: [['role:x', 'state:NL'], ['clearance:SECRET']] };

  it('no caller: authentication needed, whatever else the field requires', () => {
    expect(denialReason({ authenticated: true, scopes: null, policies: null }, null, 'Query.persons')).toBe('Query.persons needs an authenticated caller');
    expect(denialReason(requirement, null, 'T.f')).toBe('T.f needs an authenticated caller');
  });

  it('scopes first: any one inner list, all of its scopes', () => {
    expect(denialReason(requirement, caller({ scopes: ['a'] }), 'T.f')).toBe('T.f needs the scope a + b or c in your token');
    expect(denialReason(requirement, caller({ scopes: ['c'] }), 'T.f')).toBe(
      'T.f is released by the network only to callers with role:x + state:NL or clearance:SECRET',
    );
  });

  it('policies: any one inner list, all of its policies; each policy kind', () => {
    expect(denialReason(requirement, caller({ scopes: ['a', 'b'], roles: ['x'], state: 'NL' }), 'T.f')).toBeNull();
    expect(denialReason(requirement, caller({ scopes: ['c'], clearance: 'SECRET' }), 'T.f')).toBeNull();
    expect(denialReason(requirement, caller({ scopes: ['c'], roles: ['x'], state: 'BE', clearance: 'CONFIDENTIAL' }), 'T.f')).not.toBeNull();
    const policy = (p: string): Requirement => ({ authenticated: false, scopes: null, policies: [[p]] });
    expect(denialReason(policy('purpose:border-security'), caller({ purpose: 'border-security' }), 'T.f')).toBeNull();
    expect(denialReason(policy('purpose:border-security'), caller(), 'T.f')).toBe(
      'T.f is released by the network only to callers with purpose:border-security',
    );
    expect(denialReason(policy('scope:z'), caller({ scopes: ['z'] }), 'T.f')).toBeNull();
    expect(denialReason(policy('clearance:RESTRICTED'), caller({ clearance: 'SECRET' }), 'T.f')).toBeNull();
    expect(denialReason(policy('clearance:SECRET'), caller({ clearance: 'CONFIDENTIAL' }), 'T.f')).toBe(
      'T.f is released by the network only to callers with clearance:SECRET',
    );
  });
});

describe('authorizeOperation', () => {
  it('removes a forbidden field under its alias and keeps the rest of the selection', () => {
    const result = rewrite('{ p: person(id: "1") { id bg: background name } public }');
    expect(result).toEqual({
      printed: printed('{ p: person(id: "1") { id name } public }'),
      definitions: 1,
      removals: [{ path: ['p', 'bg'], coordinate: 'Person.background', reason: BACKGROUND }],
    });
  });

  it("a named fragment used twice is inlined at each place and checked with each path, keeping the spread's directives", () => {
    const result = rewrite(`query Q($full: Boolean!) { persons { ...P } one: person(id: "1") { ...P @include(if: $full) } }
      fragment P on Person { id background friends { ...Name } }
      fragment Name on Person { name money { amount } }`);
    expect(result).toEqual({
      printed: printed(`query Q($full: Boolean!) {
        persons { ... on Person { id friends { ... on Person { name } } } }
        one: person(id: "1") { ... on Person @include(if: $full) { id friends { ... on Person { name } } } }
      }`),
      definitions: 1,
      removals: [
        { path: ['persons', '@', 'background'], coordinate: 'Person.background', reason: BACKGROUND },
        { path: ['persons', '@', 'friends', '@', 'money'], coordinate: 'Person.money', reason: MONEY },
        { path: ['one', 'background'], coordinate: 'Person.background', reason: BACKGROUND },
        { path: ['one', 'friends', '@', 'money'], coordinate: 'Person.money', reason: MONEY },
      ],
    });
  });

  it('inline fragments on union members are checked against their own type; a fragment emptied by removals is dropped', () => {
    const result = rewrite('{ search { __typename ... on Person { name background } ... on Organisation { members { id } } } }');
    expect(result).toEqual({
      printed: printed('{ search { __typename ... on Person { name } } }'),
      definitions: 1,
      removals: [
        { path: ['search', '@', 'background'], coordinate: 'Person.background', reason: BACKGROUND },
        {
          path: ['search', '@', 'members'],
          coordinate: 'Organisation.members',
          reason: 'Organisation.members is released by the network only to callers with role:admin + state:NL',
        },
      ],
    });
  });

  it("a field asked through an interface is checked as the interface's field, inheriting its type's rule", () => {
    const result = rewrite('{ node(id: "1") { id vault { code } ... on Person { vault { code } } } }');
    const reason = (coordinate: string) => `${coordinate} needs the scope top in your token`;
    expect(result).toEqual({
      printed: printed('{ node(id: "1") { id } }'),
      definitions: 1,
      removals: [
        { path: ['node', 'vault'], coordinate: 'Node.vault', reason: reason('Node.vault') },
        { path: ['node', 'vault'], coordinate: 'Person.vault', reason: reason('Person.vault') },
      ],
    });
  });

  it("one '@' per list level in removal paths ([[Cell]], [[Person!]])", () => {
    const admin = caller({ roles: ['admin'], state: 'NL' });
    const result = rewrite('{ matrix { value hidden } search { ... on Organisation { members { name background } } } }', caller({ state: 'DE' }));
    expect(result.removals.map((r) => r.path)).toEqual([
      ['matrix', '@', '@', 'hidden'],
      ['search', '@', 'members'],
    ]);
    expect(rewrite('{ search { ... on Organisation { members { name background } } } }', admin)).toEqual({
      printed: printed('{ search { ... on Organisation { members { name } } } }'),
      definitions: 1,
      removals: [{ path: ['search', '@', 'members', '@', '@', 'background'], coordinate: 'Person.background', reason: BACKGROUND }],
    });
  });

  it(`a selection set left empty keeps a placeholder (${PLACEHOLDER}: __typename); so does the root`, () => {
    expect(rewrite('{ persons { bg: background money { amount } } matrix { hidden } }', caller({ state: 'DE' }))).toEqual({
      printed: printed(`{ persons { ${PLACEHOLDER}: __typename } matrix { ${PLACEHOLDER}: __typename } }`),
      definitions: 1,
      removals: [
        { path: ['persons', '@', 'bg'], coordinate: 'Person.background', reason: BACKGROUND },
        { path: ['persons', '@', 'money'], coordinate: 'Person.money', reason: MONEY },
        {
          path: ['matrix', '@', '@', 'hidden'],
          coordinate: 'Cell.hidden',
          reason: 'Cell.hidden is released by the network only to callers with state:NL or scope:cells',
        },
      ],
    });
    expect(rewrite('query Anonymous { persons { id } all: persons(filter: "x") { name } }', null)).toEqual({
      printed: printed(`query Anonymous { ${PLACEHOLDER}: __typename }`),
      definitions: 1,
      removals: [
        { path: ['persons'], coordinate: 'Query.persons', reason: 'Query.persons needs an authenticated caller' },
        { path: ['all'], coordinate: 'Query.persons', reason: 'Query.persons needs an authenticated caller' },
      ],
    });
  });

  it('type-level and field-level rules both apply, the field itself first', () => {
    const result = rewrite('{ secret { code } vault { code } }', caller({ scopes: ['top'] }));
    expect(result).toEqual({
      printed: printed(`{ secret { ${PLACEHOLDER}: __typename } vault { ${PLACEHOLDER}: __typename } }`),
      definitions: 1,
      removals: [
        {
          path: ['secret', 'code'],
          coordinate: 'Secret.code',
          reason: 'Secret.code is released by the network only to callers with purpose:terrorism-financing',
        },
        {
          path: ['vault', 'code'],
          coordinate: 'Secret.code',
          reason: 'Secret.code is released by the network only to callers with purpose:terrorism-financing',
        },
      ],
    });
    expect(rewrite('mutation { note(text: "x") { id } }').removals).toEqual([
      { path: ['note'], coordinate: 'Mutation.note', reason: 'Mutation.note needs the scope write in your token' },
    ]);
  });

  it('the output holds the rewritten operation only, every fragment inlined, other operations left out', () => {
    const result = rewrite(
      `query First { persons { ...P } } query Second { public } fragment P on Person { id ...N } fragment N on Person { name }`,
      caller({ clearance: 'SECRET', scopes: ['financial:read', 'top'], purpose: 'terrorism-financing' }),
    );
    expect(result).toEqual({
      printed: printed('query First { persons { ... on Person { id ... on Person { name } } } }'),
      definitions: 1,
      removals: [],
    });
  });

  it('a fragment cycle (validation refuses it) is followed once, then left as a spread', () => {
    expect(rewrite('{ persons { ...A } } fragment A on Person { friends { ...B } } fragment B on Person { name friends { ...A } }')).toEqual({
      printed: printed('{ persons { ... on Person { friends { ... on Person { name friends { ...A } } } } } }'),
      definitions: 1,
      removals: [],
    });
  });

  it('introspection and __typename are left as asked', () => {
    const query = '{ __schema { queryType { name } } __type(name: "Person") { fields { name } } __typename persons { __typename background } }';
    expect(rewrite(query)).toEqual({
      printed: printed('{ __schema { queryType { name } } __type(name: "Person") { fields { name } } __typename persons { __typename } }'),
      definitions: 1,
      removals: [{ path: ['persons', '@', 'background'], coordinate: 'Person.background', reason: BACKGROUND }],
    });
    // Not even rules naming introspection types reach into it: the gateway answers introspection itself.
    const introspectionRules = { schema: rules.schema, fields: new Map([['__Type.fields', { authenticated: true, scopes: null, policies: null }]]) };
    const document = parse('{ __type(name: "Person") { fields { name } } }');
    expect(authorizeOperation(introspectionRules, document, document.definitions[0] as OperationDefinitionNode, null).removals).toEqual([]);
  });

  it('an empty rule set removes nothing and returns the document as given', () => {
    const document: DocumentNode = parse('{ persons { ...P } } fragment P on Person { background }');
    const operation = document.definitions[0] as OperationDefinitionNode;
    const result = authorizeOperation(emptyAuthorizationRules(rules.schema), document, operation, null);
    expect(result.removals).toEqual([]);
    expect(result.document).toBe(document);
  });
});

describe('nullRemovedFields', () => {
  it('puts null at every place a removed field was asked, with concrete list indices', () => {
    const data = {
      persons: [
        { id: 'NL-1', friends: [{ name: 'a' }, { name: 'b' }] },
        { id: 'BE-7', friends: null },
        { id: 'DE-2', friends: [{ name: 'c' }] },
      ],
      person: null,
    };
    expect(nullRemovedFields(data, { path: ['persons', '@', 'friends', '@', 'money'], coordinate: 'Person.money', reason: MONEY })).toEqual([
      ['persons', 0, 'friends', 0, 'money'],
      ['persons', 0, 'friends', 1, 'money'],
      ['persons', 2, 'friends', 0, 'money'],
    ]);
    // A null parent (person) receives nothing.
    expect(nullRemovedFields(data, { path: ['person', 'background'], coordinate: 'Person.background', reason: BACKGROUND })).toEqual([]);
    expect(nullRemovedFields(data, { path: ['persons', '@', 'background'], coordinate: 'Person.background', reason: BACKGROUND })).toEqual([
      ['persons', 0, 'background'],
      ['persons', 1, 'background'],
      ['persons', 2, 'background'],
    ]);
    expect(data).toEqual({
      persons: [
        {
          id: 'NL-1',
          background: null,
          friends: [
            { name: 'a', money: null },
            { name: 'b', money: null },
          ],
        },
        { id: 'BE-7', background: null, friends: null },
        { id: 'DE-2', background: null, friends: [{ name: 'c', money: null }] },
      ],
      person: null,
    });
  });

  it('nested lists, a root field, and no data at all', () => {
    const data: Record<string, unknown> = { matrix: [[{ value: 1 }, null], [], [{ value: 2 }]] };
    expect(nullRemovedFields(data, { path: ['matrix', '@', '@', 'hidden'], coordinate: 'Cell.hidden', reason: 'r' })).toEqual([
      ['matrix', 0, 0, 'hidden'],
      ['matrix', 2, 0, 'hidden'],
    ]);
    expect(nullRemovedFields(data, { path: ['persons'], coordinate: 'Query.persons', reason: 'r' })).toEqual([['persons']]);
    expect(data).toEqual({ matrix: [[{ value: 1, hidden: null }, null], [], [{ value: 2, hidden: null }]], persons: null });
    expect(nullRemovedFields(null, { path: ['persons'], coordinate: 'Query.persons', reason: 'r' })).toEqual([]);
    expect(nullRemovedFields(undefined, { path: ['persons'], coordinate: 'Query.persons', reason: 'r' })).toEqual([]);
  });
});

describe('stripPlaceholders', () => {
  it(`removes every ${PLACEHOLDER} key, in objects and lists at any depth, and nothing else`, () => {
    const data = {
      [PLACEHOLDER]: 'Query',
      persons: [
        { [PLACEHOLDER]: 'Person', background: null },
        { [PLACEHOLDER]: 'Person', friends: [{ [PLACEHOLDER]: 'Person', name: 'x' }] },
      ],
      matrix: [[{ [PLACEHOLDER]: 'Cell' }, null]],
      public: 'hagueRemoved',
    };
    stripPlaceholders(data);
    expect(data).toEqual({ persons: [{ background: null }, { friends: [{ name: 'x' }] }], matrix: [[{}, null]], public: 'hagueRemoved' });
    expect(() => stripPlaceholders(null)).not.toThrow();
  });
});
