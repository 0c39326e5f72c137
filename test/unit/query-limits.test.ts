import { buildSchema, getIntrospectionQuery, parse, specifiedRules, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DEFAULT_QUERY_LIMITS, checkQueryLimits, queryLimitsRule, type QueryLimits } from '../../gateway/query-limits.ts';

/** Query limits as a graphql-js validation rule, pure: a small schema, documents measured. */

const schema = buildSchema(`
  type Query { persons: [Person!]! person(id: ID): Person }
  type Person { id: ID! name: String friends: [Person!] }
`);

/** The shape limits alone: this schema declares no list sizes, so its nested lists would cost 10 per level. */
const check = (query: string, operationName?: string | null, limits?: Partial<QueryLimits>) =>
  checkQueryLimits(schema, parse(query), operationName, { limits: { maxCost: Number.MAX_SAFE_INTEGER, ...limits } })?.toJSON() ?? null;
const tooComplex = (problem: string, measure: Record<string, number>) => ({
  message: `The query is too complex: ${problem}`,
  extensions: { ...measure, code: 'QUERY_TOO_COMPLEX' },
});
const ROOT_11 = '11 root fields (at most 10; each fans out to every member state): split it into several requests';

/** `person { friends { friends { … { id } } } }`: `depth` levels of fields, the root field at 1. */
const nested = (depth: number) => `{ person { ${'friends { '.repeat(depth - 2)}id${' }'.repeat(depth - 2)} } }`;
const roots = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: person { id }`).join(' ')} }`;

describe('queryLimitsRule / checkQueryLimits', () => {
  it('default limits', () => {
    expect(DEFAULT_QUERY_LIMITS).toEqual({
      maxDepth: 12,
      maxRootFields: 10,
      maxFields: 1000,
      maxAliases: 30,
      maxDirectives: 50,
      maxSchemaFields: 1,
      maxIntrospectionDepth: 20,
      maxIntrospectionFields: 500,
      maxCost: 50_000,
    });
  });

  it('root fields: at the bound passes, one more is refused (aliases count)', () => {
    expect(check(roots(10))).toBeNull();
    expect(check(roots(11))).toEqual(tooComplex(ROOT_11, { rootFields: 11, maxRootFields: 10 }));
  });

  it('depth: at the bound passes, one more is refused', () => {
    expect(check(nested(12))).toBeNull();
    expect(check(nested(13))).toEqual(tooComplex('fields nested 13 deep (at most 12): ask for less nesting', { depth: 13, maxDepth: 12 }));
  });

  it('fields: at the bound passes, one more is refused', () => {
    const fields = (n: number) => `{ person { ${'id '.repeat(n - 1)}} }`;
    expect(check(fields(1000))).toBeNull();
    expect(check(fields(1001))).toEqual(tooComplex('1001 fields (at most 1000, fragments expanded): select fewer fields', { fields: 1001, maxFields: 1000 }));
  });

  it('the first limit passed is the one reported: root fields, then depth, then fields', () => {
    const limits = { maxDepth: 2, maxRootFields: 1, maxFields: 2 };
    expect(check('{ a: person { friends { id } } b: person { id } }', null, limits)).toEqual(
      tooComplex('2 root fields (at most 1; each fans out to every member state): split it into several requests', { rootFields: 2, maxRootFields: 1 }),
    );
    expect(check('{ person { friends { id } } }', null, limits)).toEqual(
      tooComplex('fields nested 3 deep (at most 2): ask for less nesting', { depth: 3, maxDepth: 2 }),
    );
    expect(check('{ person { id name } }', null, limits)).toEqual(
      tooComplex('3 fields (at most 2, fragments expanded): select fewer fields', { fields: 3, maxFields: 2 }),
    );
  });

  it('a fragment is measured where it is used: spread twice, counted twice; its depth counts from the spread', () => {
    const query = '{ a: person { ...P } b: person { friends { ...P } } } fragment P on Person { id ... on Person { name } }';
    // a, a.id, a.name, b, b.friends, b.friends.id, b.friends.name = 7 fields, 3 deep.
    expect(check(query, null, { maxDepth: 3, maxRootFields: 2, maxFields: 7 })).toBeNull();
    expect(check(query, null, { maxDepth: 3, maxRootFields: 2, maxFields: 6 })).toEqual(
      tooComplex('7 fields (at most 6, fragments expanded): select fewer fields', { fields: 7, maxFields: 6 }),
    );
    expect(check(query, null, { maxDepth: 2, maxRootFields: 2, maxFields: 7 })).toEqual(
      tooComplex('fields nested 3 deep (at most 2): ask for less nesting', { depth: 3, maxDepth: 2 }),
    );
    // Root fields inside a root fragment count too.
    expect(check('{ ...R ...R } fragment R on Query { person { id } }', null, { maxDepth: 12, maxRootFields: 1, maxFields: 100 })).toEqual(
      tooComplex('2 root fields (at most 1; each fans out to every member state): split it into several requests', { rootFields: 2, maxRootFields: 1 }),
    );
  });

  it('root introspection fields (and __typename) are not counted, nor anything under them', () => {
    const limits = { maxDepth: 2, maxRootFields: 1, maxFields: 2 };
    const query = '{ __typename __schema { types { fields { type { ofType { name } } } } } __type(name: "Person") { name } person { id } }';
    expect(check(query, null, limits)).toBeNull();
    expect(check(query.replace('person { id }', 'person { id name }'), null, limits)).toEqual(
      tooComplex('3 fields (at most 2, fragments expanded): select fewer fields', { fields: 3, maxFields: 2 }),
    );
    // Below the root, __typename is an ordinary field.
    expect(check('{ person { __typename id } }', null, limits)).toEqual(
      tooComplex('3 fields (at most 2, fragments expanded): select fewer fields', { fields: 3, maxFields: 2 }),
    );
  });

  it('a fragment cycle (validation refuses it) is followed once and the rule terminates', () => {
    const document = parse('{ person { ...A } } fragment A on Person { friends { ...B } } fragment B on Person { friends { ...A } }');
    // person, A.friends, B.friends; the second ...A is not followed.
    const errors = validate(schema, document, [queryLimitsRule({ maxDepth: 2, maxRootFields: 10, maxFields: 100 })]);
    expect(errors.map((e) => e.toJSON())).toEqual([tooComplex('fields nested 3 deep (at most 2): ask for less nesting', { depth: 3, maxDepth: 2 })]);
    expect(validate(schema, document, [queryLimitsRule({ maxDepth: 3, maxRootFields: 10, maxFields: 3 })])).toEqual([]);
  });

  it('only the executed operation is measured', () => {
    const query = `query Small { person { id } } query Big ${roots(11)}`;
    expect(check(query, 'Small')).toBeNull();
    expect(check(query, 'Big')).toEqual(tooComplex(ROOT_11, { rootFields: 11, maxRootFields: 10 }));
    // Without an operation name every operation is measured (an anonymous operation is alone in its document).
    expect(validate(schema, parse(query), [queryLimitsRule()]).map((e) => e.toJSON())).toEqual([tooComplex(ROOT_11, { rootFields: 11, maxRootFields: 10 })]);
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

describe('aliases, directives and introspection', () => {
  it('aliases: at the bound passes, one more is refused (fragments expanded, introspection included)', () => {
    const aliased = (n: number) => `{ person { ${Array.from({ length: n }, (_, i) => `a${i}: id`).join(' ')} } }`;
    expect(check(aliased(30))).toBeNull();
    expect(check(aliased(31))).toEqual(
      tooComplex('31 aliases (at most 30, fragments expanded): ask for each field once, or split the request', { aliases: 31, maxAliases: 30 }),
    );
    expect(check('{ person { ...F ...F } } fragment F on Person { a: id b: name }', null, { maxAliases: 3 })).toEqual(
      tooComplex('4 aliases (at most 3, fragments expanded): ask for each field once, or split the request', { aliases: 4, maxAliases: 3 }),
    );
  });

  it('directives: at the bound passes, one more is refused (on the operation, fields, spreads and fragments)', () => {
    expect(
      check('query Q @skip(if: false) { person @include(if: true) { ...F @skip(if: false) } } fragment F on Person { id }', null, { maxDirectives: 3 }),
    ).toBeNull();
    expect(
      check('{ person @include(if: true) { ...F @skip(if: false) id @skip(if: false) } } fragment F on Person { id }', null, { maxDirectives: 2 }),
    ).toEqual(tooComplex('3 directives (at most 2, fragments expanded): use fewer @skip/@include', { directives: 3, maxDirectives: 2 }));
  });

  it('__schema at most once, under aliases or through fragments too', () => {
    expect(check('{ __schema { queryType { name } } }')).toBeNull();
    const twice = tooComplex('__schema asked 2 times (at most 1, aliases and fragments included): introspect the schema once', {
      schemaFields: 2,
      maxSchemaFields: 1,
    });
    expect(check('{ a: __schema { queryType { name } } b: __schema { queryType { name } } }')).toEqual(twice);
    expect(check('{ ...S ...S } fragment S on Query { __schema { queryType { name } } }')).toEqual(twice);
  });

  it("introspection depth and size are bounded apart; GraphiQL's own introspection query passes", () => {
    const typeRef = (levels: number) => `${'ofType { '.repeat(levels)}name${' }'.repeat(levels)}`;
    // __type (1) > fields (2) > type (3) > ofType × 16 (19) > name (20).
    expect(check(`{ __type(name: "Person") { fields { type { ${typeRef(16)} } } } }`)).toBeNull();
    expect(check(`{ __type(name: "Person") { fields { type { ${typeRef(17)} } } } }`)).toEqual(
      tooComplex('introspection nested 21 deep (at most 20): ask for less nesting', { introspectionDepth: 21, maxIntrospectionDepth: 20 }),
    );
    expect(check('{ __type(name: "Person") { name kind description } }', null, { maxIntrospectionFields: 3 })).toEqual(
      tooComplex('4 introspection fields (at most 3, fragments expanded): select fewer fields', { introspectionFields: 4, maxIntrospectionFields: 3 }),
    );
    for (const options of [{}, { inputValueDeprecation: true, schemaDescription: true }, { specifiedByUrl: true, directiveIsRepeatable: true, oneOf: true }]) {
      expect(check(getIntrospectionQuery(options), null, { maxCost: DEFAULT_QUERY_LIMITS.maxCost })).toBeNull();
    }
  });

  it('a fragment bomb is refused without being expanded', () => {
    // F0 has 2 fields; each Fn spreads F(n-1) twice: F40 expands to 2^41 fields. The walk stops after
    // 100000 selections (spreads included), having counted 49985 fields.
    const fragments = Array.from({ length: 40 }, (_, i) => `fragment F${i + 1} on Person { ...F${i} ...F${i} }`).join(' ');
    const errors = validate(schema, parse(`{ person { ...F40 } } fragment F0 on Person { id name } ${fragments}`), [queryLimitsRule()]);
    expect(errors.map((e) => e.toJSON())).toEqual([
      tooComplex('more than 49985 fields (at most 1000, fragments expanded): select fewer fields', { fields: 49985, maxFields: 1000 }),
    ]);
  });
});

/** The cost estimate: Federation's @cost / @listSize (common/cost.ts), weight × the list sizes around each field. */
describe('cost', () => {
  const costed = buildSchema(`
    directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
    directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
    type Query {
      persons(first: Int = 50): [Person!]! @listSize(slicingArguments: ["first"], assumedSize: 50, requireOneSlicingArgument: false)
      person(id: ID): Person
      byIds(ids: [ID!]!): [Person]! @listSize(slicingArguments: ["ids"])
      page(first: Int, last: Int): [Person!]! @listSize(slicingArguments: ["first", "last"])
      expensive: Int @cost(weight: 7)
    }
    type Person {
      id: ID!
      name: String
      place: Place
      aliases: [String!] @cost(weight: 1) @listSize(assumedSize: 5)
      documents: [Document!] @listSize(assumedSize: 4)
      friends: [Person!]
      travel(first: Int): [Document!] @listSize(slicingArguments: ["first"], assumedSize: 20, requireOneSlicingArgument: false)
    }
    type Document { number: String }
    type Place @cost(weight: 0) { city: String }
  `);
  const cost = (query: string, variables?: Record<string, unknown>, maxCost = 1) =>
    checkQueryLimits(costed, parse(query), null, { variables, limits: { maxCost } })?.toJSON() ?? null;
  const over = (value: number, maxCost = 1) =>
    tooComplex(
      `it would cost ${value} (at most ${maxCost}; each record read counts, times the lists around it): ask for fewer records (first) or less nesting`,
      { cost: value, maxCost },
    );

  it('weights: 1 per object, 0 per scalar, @cost on the field or its type', () => {
    expect(cost('{ person(id: 1) { id name } }')).toBeNull();
    expect(cost('{ person(id: 1) { id place { city } } }')).toBeNull(); // Place weighs 0
    expect(cost('{ expensive }', undefined, 6)).toEqual(over(7, 6));
    expect(cost('{ person(id: 1) { aliases } }', undefined, 5)).toEqual(over(6, 5)); // 1 + 5 rows of 1
  });

  it('list sizes: the slicing argument (literal, variable or schema default), else assumedSize, else 10', () => {
    expect(cost('{ persons(first: 200) { id } }', undefined, 199)).toEqual(over(200, 199));
    expect(cost('query($n: Int) { persons(first: $n) { id } }', { n: 300 }, 1)).toEqual(over(300));
    expect(cost('{ persons { id } }', undefined, 1)).toEqual(over(50)); // first: Int = 50
    expect(cost('{ persons(first: null) { id } }', undefined, 1)).toEqual(over(50)); // assumedSize
    expect(cost('{ person(id: 1) { friends { id } } }', undefined, 1)).toEqual(over(11)); // no @listSize: 10
    expect(cost('{ byIds(ids: [1, 2, 3]) { id } }', undefined, 1)).toEqual(over(3)); // a list argument: its length
  });

  it('nested lists multiply: persons(first: 500) × affiliations-like lists', () => {
    // 500 × (1 person + 4 documents + 20 travel + 10 × (1 friend + 4 documents))
    expect(cost('{ persons(first: 500) { documents { number } travel { number } friends { documents { number } } } }', undefined, 1)).toEqual(over(37_500));
    expect(cost('{ persons(first: 500) { travel(first: 2) { number } } }', undefined, 1)).toEqual(over(1500));
  });

  it('fragments count where used; @skip/@include with their variables; introspection costs nothing here', () => {
    // Spread twice, counted twice (as the query limits count it): 2 × (1 + 4 + 4).
    expect(cost('{ persons(first: 2) { ...F ...F } } fragment F on Person { documents { number } }', undefined, 1)).toEqual(over(18));
    expect(cost('query($s: Boolean!) { persons(first: 2) { documents @skip(if: $s) { number } } }', { s: true }, 1)).toEqual(over(2));
    expect(cost('query($s: Boolean!) { persons(first: 2) { documents @skip(if: $s) { number } } }', { s: false }, 1)).toEqual(over(10));
    expect(cost(getIntrospectionQuery(), undefined, 1)).toBeNull();
  });

  it('requireOneSlicingArgument: exactly one of the slicing arguments, else BAD_USER_INPUT', () => {
    const message = (got: number) => ({
      message: `Query.page needs exactly one of first, last (got ${got})`,
      extensions: { argumentName: 'first, last', code: 'BAD_USER_INPUT' },
    });
    expect(cost('{ page(first: 3) { id } }', undefined, 3)).toBeNull();
    expect(cost('{ page(first: 3, last: 3) { id } }', undefined, 100)).toEqual(message(2));
    expect(cost('{ page { id } }', undefined, 100)).toEqual(message(0));
  });

  it('a variable that does not coerce is reported as graphql-js reports it', () => {
    expect(cost('query($n: Int) { persons(first: $n) { id } }', { n: 'many' }, 100)).toEqual({
      message: 'Variable "$n" got invalid value "many"; Int cannot represent non-integer value: "many"',
      locations: [{ line: 1, column: 7 }],
    });
  });

  it('is the default maxCost that refuses the nested attack the issue describes', () => {
    const attack = '{ persons(first: 500) { friends { friends { friends { friends { friends { friends { friends { friends { id } } } } } } } } } }';
    const error = checkQueryLimits(costed, parse(attack), null)?.toJSON();
    expect(error?.extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', cost: expect.any(Number), maxCost: 50_000 });
    expect(error?.extensions?.cost).toBeGreaterThan(50_000);
  });
});
