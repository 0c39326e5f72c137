import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DEFAULT_QUERY_LIMITS, checkQueryLimits, queryLimitsRule, type QueryLimits } from '../../gateway/query-limits.ts';

/** Query limits as a graphql-js validation rule, pure: a small schema, documents measured. */

const schema = buildSchema(`
  type Query { persons: [Person!]! person(id: ID): Person }
  type Person { id: ID! name: String friends: [Person!] }
`);

const check = (query: string, operationName?: string | null, limits?: QueryLimits) =>
  checkQueryLimits(schema, parse(query), operationName, limits)?.toJSON() ?? null;
const tooComplex = (problem: string) => ({ message: `The query is too complex: ${problem}`, extensions: { code: 'QUERY_TOO_COMPLEX' } });

/** `person { friends { friends { … { id } } } }`: `depth` levels of fields, the root field at 1. */
const nested = (depth: number) => `{ person { ${'friends { '.repeat(depth - 2)}id${' }'.repeat(depth - 2)} } }`;
const roots = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: person { id }`).join(' ')} }`;

describe('queryLimitsRule / checkQueryLimits', () => {
  it('default limits', () => {
    expect(DEFAULT_QUERY_LIMITS).toEqual({ maxDepth: 12, maxRootFields: 10, maxFields: 1000 });
  });

  it('root fields: at the bound passes, one more is refused (aliases count)', () => {
    expect(check(roots(10))).toBeNull();
    expect(check(roots(11))).toEqual(tooComplex('11 root fields (at most 10; each fans out to every member state): split it into several requests'));
  });

  it('depth: at the bound passes, one more is refused', () => {
    expect(check(nested(12))).toBeNull();
    expect(check(nested(13))).toEqual(tooComplex('fields nested 13 deep (at most 12): ask for less nesting'));
  });

  it('fields: at the bound passes, one more is refused', () => {
    const fields = (n: number) => `{ person { ${'id '.repeat(n - 1)}} }`;
    expect(check(fields(1000))).toBeNull();
    expect(check(fields(1001))).toEqual(tooComplex('1001 fields (at most 1000, fragments expanded): select fewer fields'));
  });

  it('the first limit passed is the one reported: root fields, then depth, then fields', () => {
    const limits = { maxDepth: 2, maxRootFields: 1, maxFields: 2 };
    expect(check('{ a: person { friends { id } } b: person { id } }', null, limits)).toEqual(
      tooComplex('2 root fields (at most 1; each fans out to every member state): split it into several requests'),
    );
    expect(check('{ person { friends { id } } }', null, limits)).toEqual(tooComplex('fields nested 3 deep (at most 2): ask for less nesting'));
    expect(check('{ person { id name } }', null, limits)).toEqual(tooComplex('3 fields (at most 2, fragments expanded): select fewer fields'));
  });

  it('a fragment is measured where it is used: spread twice, counted twice; its depth counts from the spread', () => {
    const query = '{ a: person { ...P } b: person { friends { ...P } } } fragment P on Person { id ... on Person { name } }';
    // a, a.id, a.name, b, b.friends, b.friends.id, b.friends.name = 7 fields, 3 deep.
    expect(check(query, null, { maxDepth: 3, maxRootFields: 2, maxFields: 7 })).toBeNull();
    expect(check(query, null, { maxDepth: 3, maxRootFields: 2, maxFields: 6 })).toEqual(
      tooComplex('7 fields (at most 6, fragments expanded): select fewer fields'),
    );
    expect(check(query, null, { maxDepth: 2, maxRootFields: 2, maxFields: 7 })).toEqual(tooComplex('fields nested 3 deep (at most 2): ask for less nesting'));
    // Root fields inside a root fragment count too.
    expect(check('{ ...R ...R } fragment R on Query { person { id } }', null, { maxDepth: 12, maxRootFields: 1, maxFields: 100 })).toEqual(
      tooComplex('2 root fields (at most 1; each fans out to every member state): split it into several requests'),
    );
  });

  it('root introspection fields (and __typename) are not counted, nor anything under them', () => {
    const limits = { maxDepth: 2, maxRootFields: 1, maxFields: 2 };
    const query = '{ __typename __schema { types { fields { type { ofType { name } } } } } __type(name: "Person") { name } person { id } }';
    expect(check(query, null, limits)).toBeNull();
    expect(check(query.replace('person { id }', 'person { id name }'), null, limits)).toEqual(
      tooComplex('3 fields (at most 2, fragments expanded): select fewer fields'),
    );
    // Below the root, __typename is an ordinary field.
    expect(check('{ person { __typename id } }', null, limits)).toEqual(tooComplex('3 fields (at most 2, fragments expanded): select fewer fields'));
  });

  it('a fragment cycle (validation refuses it) is followed once and the rule terminates', () => {
    const document = parse('{ person { ...A } } fragment A on Person { friends { ...B } } fragment B on Person { friends { ...A } }');
    // person, A.friends, B.friends; the second ...A is not followed.
    const errors = validate(schema, document, [queryLimitsRule({ maxDepth: 2, maxRootFields: 10, maxFields: 100 })]);
    expect(errors.map((e) => e.toJSON())).toEqual([tooComplex('fields nested 3 deep (at most 2): ask for less nesting')]);
    expect(validate(schema, document, [queryLimitsRule({ maxDepth: 3, maxRootFields: 10, maxFields: 3 })])).toEqual([]);
  });

  it('only the executed operation is measured', () => {
    const query = `query Small { person { id } } query Big ${roots(11)}`;
    expect(check(query, 'Small')).toBeNull();
    expect(check(query, 'Big')).toEqual(tooComplex('11 root fields (at most 10; each fans out to every member state): split it into several requests'));
    // Without an operation name every operation is measured (an anonymous operation is alone in its document).
    expect(validate(schema, parse(query), [queryLimitsRule()]).map((e) => e.toJSON())).toEqual([
      tooComplex('11 root fields (at most 10; each fans out to every member state): split it into several requests'),
    ]);
    expect(validate(schema, parse(query), [queryLimitsRule(DEFAULT_QUERY_LIMITS, { operationName: 'Small' })])).toEqual([]);
  });

  it("is an ordinary ValidationRule: runs in parallel with graphql-js's own (it reports on entering the operation)", () => {
    const errors = validate(schema, parse(`{ nope ${roots(11).slice(1, -1)} }`), [...specifiedRules, queryLimitsRule()]);
    expect(errors.map((e) => e.message)).toEqual([
      'The query is too complex: 12 root fields (at most 10; each fans out to every member state): split it into several requests',
      'Cannot query field "nope" on type "Query".',
    ]);
  });
});
