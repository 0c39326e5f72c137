import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { getIntrospectionQuery } from 'graphql';
import { startNetwork, type TestNetwork } from './support/network.ts';

/** Operations past the network's bounds are refused before planning: no member state is asked. */

let net: TestNetwork;
beforeAll(async () => {
  net = await startNetwork({ states: ['NL', 'BE'], data: { NL: [{ id: 'NL-1', givenName: 'Salah', familyName: 'Abdeslam' }] } });
});
afterAll(async () => {
  await net?.close();
});
beforeEach(() => net.resetCounts());

const tooComplex = (message: string, measure: Record<string, number>) => ({
  errors: [{ message: `The query is too complex: ${message}`, extensions: { ...measure, code: 'QUERY_TOO_COMPLEX' } }],
});

it('refuses more root fields than the limit: each alias is a fan-out to every state', async () => {
  const aliases = Array.from({ length: 11 }, (_, i) => `a${i}: persons(filter: { name: "Abdeslam" }) { id }`).join(' ');
  const { body } = await net.query(`{ ${aliases} }`);
  expect(body).toEqual(
    tooComplex('11 root fields (at most 10; each fans out to every member state): split it into several requests', { rootFields: 11, maxRootFields: 10 }),
  );
  expect(net.requestCounts()).toEqual({ NL: 0, BE: 0 });
  const ten = await net.query(`{ ${aliases.split(' a10:')[0]} }`);
  expect(ten.body.data.a9).toEqual([{ id: 'NL-1' }]);
});

it('refuses deep nesting, counting fields inside fragments where they are used', async () => {
  const query = `{ persons(filter: { name: "Abdeslam" }) { ...A } }
    fragment A on Person { affiliations { organisation { members { person { affiliations { organisation { members { person { affiliations { organisation { members { person { id } } } } } } } } } } } } }`;
  const { body } = await net.query(query);
  expect(body).toEqual(tooComplex('fields nested 14 deep (at most 12): ask for less nesting', { depth: 14, maxDepth: 12 }));
  expect(net.requestCounts()).toEqual({ NL: 0, BE: 0 });
});

it('refuses by cost before planning: persons(first: 500) nested through affiliations, organisation and members (depth 10)', async () => {
  const query = `query($first: Int) { persons(filter: { name: "Abdeslam" }, first: $first) { affiliations { organisation { members { person {
    affiliations { organisation { members { person { id } } } } } } } } } }`;
  const { body } = await net.query(query, { first: 500 });
  // 500 × (1 + 5 × (1 + 1 × (1 + 50 × (1 + 1 × (1 + 5 × (1 + 1 × (1 + 50 × 2)))))))
  expect(body).toEqual(
    tooComplex('it would cost 64005500 (at most 50000; each record read counts, times the lists around it): ask for fewer records (first) or less nesting', {
      cost: 64_005_500,
      maxCost: 50_000,
    }),
  );
  expect(net.requestCounts()).toEqual({ NL: 0, BE: 0 });
  // The cost reads the variables: the same document over one person costs 128011 and is refused too; a shallower one passes.
  const one = await net.query(query, { first: 1 });
  expect(one.body.errors?.[0]?.extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', cost: 128_011, maxCost: 50_000 });
  const shallow = await net.query('{ persons(filter: { name: "Abdeslam" }, first: 500) { id affiliations { organisation { id } } } }');
  expect(shallow.body.errors).toBeUndefined();
  expect(shallow.body.data.persons).toEqual([{ id: 'NL-1', affiliations: [] }]);
});

it("refuses introspection repeated under aliases; answers GraphiQL's own introspection query", async () => {
  const schemaQuery = '__schema { types { name fields { name type { name ofType { name } } } } }';
  const repeated = Array.from({ length: 50 }, (_, i) => `s${i}: ${schemaQuery}`).join(' ');
  const { body } = await net.query(`{ ${repeated} }`);
  expect(body).toEqual(
    tooComplex('__schema asked 50 times (at most 1, aliases and fragments included): introspect the schema once', { schemaFields: 50, maxSchemaFields: 1 }),
  );
  for (const options of [{ inputValueDeprecation: true, schemaDescription: true }, {}]) {
    const graphiql = await net.query(getIntrospectionQuery(options));
    expect(graphiql.body.errors).toBeUndefined();
    expect(graphiql.body.data.__schema.types.some((t: { name: string }) => t.name === 'Person')).toBe(true);
  }
  expect(net.requestCounts()).toEqual({ NL: 0, BE: 0 });
});

it('leaves introspection alone: the gateway answers it itself', async () => {
  const typeRef =
    'kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }';
  const { body } = await net.query(`{ __schema { types { name fields { name type { ${typeRef} } } } } }`);
  expect(body.errors).toBeUndefined();
  expect(body.data.__schema.types.some((t: { name: string }) => t.name === 'Person')).toBe(true);
});

it("refuses an oversized name at the gateway with the members' own bound: no state is asked", async () => {
  net.resetCounts();
  const { body } = await net.query('query($name: String) { persons(filter: { name: $name }) { id } }', { name: 'ab '.repeat(25_000) });
  expect(body).toEqual({
    errors: [
      {
        message: 'filter.name may have at most 100 characters (got 75000): search for one name at a time',
        extensions: { argumentName: 'filter.name', code: 'BAD_USER_INPUT' },
      },
    ],
  });
  expect(net.requestCounts()).toEqual({ NL: 0, BE: 0 });
  // Each member refuses it too when asked directly: test/member-limits.test.ts.
});
