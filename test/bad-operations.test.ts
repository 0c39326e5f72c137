import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startNetwork, type TestNetwork } from './support/network.ts';

/**
 * Operations the gateway cannot run are the caller's mistake: HTTP 400 with a GraphQL error code
 * and a message that says what to fix, never a masked 500, and no member state is asked. (Before
 * the fix, all four answered 500 INTERNAL_SERVER_ERROR: the executor read the name of an operation
 * Apollo had not resolved, and the planner threw on a root type the supergraph lacks.)
 */

const TWO = 'query A { __typename } query B { __typename }';

let net: TestNetwork;
let auth: Record<string, string>;
beforeAll(async () => {
  net = await startNetwork({ states: ['NL', 'BE'] });
  auth = await net.as({ state: 'NL', roles: ['analyst'], clearance: 'SECRET' });
});
afterAll(async () => {
  await net?.close();
});
beforeEach(() => net.resetCounts());

async function post(body: object): Promise<{ status: number; body: unknown }> {
  const res = await fetch(net.url, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

async function get(params: Record<string, string>): Promise<{ status: number; allow: string | null; body: unknown }> {
  const url = new URL(net.url);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const res = await fetch(url, { headers: { ...auth, 'apollo-require-preflight': 'true' } });
  return { status: res.status, allow: res.headers.get('allow'), body: await res.json() };
}

const resolution = (message: string) => ({ errors: [{ message, extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } }] });
const noRootType = (type: string) => ({
  errors: [
    {
      message: `The schema has no ${type} type: the network answers queries only`,
      locations: [{ line: 1, column: 1 }],
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    },
  ],
});

describe('a document with several operations', () => {
  it('without operationName: 400 OPERATION_RESOLUTION_FAILURE naming the operations', async () => {
    expect(await post({ query: TWO })).toEqual({
      status: 400,
      body: resolution('The document has 2 operations (A, B); send operationName to choose one'),
    });
  });

  it('with an unknown operationName: 400 OPERATION_RESOLUTION_FAILURE', async () => {
    expect(await post({ query: TWO, operationName: 'C' })).toEqual({
      status: 400,
      body: resolution(`Unknown operation named "C"; the document's operations: A, B`),
    });
  });

  it('with a known operationName: answered', async () => {
    expect(await post({ query: TWO, operationName: 'B' })).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
  });

  it('the same over GET', async () => {
    expect(await get({ query: TWO })).toEqual({
      status: 400,
      allow: null,
      body: resolution('The document has 2 operations (A, B); send operationName to choose one'),
    });
    expect(await get({ query: TWO, operationName: 'C' })).toEqual({
      status: 400,
      allow: null,
      body: resolution(`Unknown operation named "C"; the document's operations: A, B`),
    });
    expect(await get({ query: TWO, operationName: 'A' })).toEqual({ status: 200, allow: null, body: { data: { __typename: 'Query' } } });
  });
});

describe('a root type the network does not have', () => {
  it.each(['mutation', 'subscription'])('%s { x }: 400 GRAPHQL_VALIDATION_FAILED, no state asked', async (type) => {
    expect(await post({ query: `${type} { x }` })).toEqual({ status: 400, body: noRootType(type) });
    expect(await post({ query: `${type} { __typename }` })).toEqual({ status: 400, body: noRootType(type) });
    expect(net.requestCounts()).toEqual({ NL: 0, BE: 0 });
  });

  it.each(['mutation', 'subscription'])('%s over GET: 405 with Allow: POST, as Apollo Server answers any non-query GET', async (type) => {
    expect(await get({ query: `${type} { x }` })).toEqual({
      status: 405,
      allow: 'POST',
      body: { errors: [{ message: `GET requests only support query operations, not ${type} operations`, extensions: { code: 'BAD_REQUEST' } }] },
    });
  });
});
