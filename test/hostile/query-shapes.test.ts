import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNetwork, type TestNetwork } from '../support/network.ts';

/**
 * However a query is written, nothing withheld comes out: aliases, fragments, directives and
 * variables through the gateway to an owner that releases the caller hits only (NL to ES), and
 * SQL/LIKE metacharacters in every free-text criterion. (Already held before the hardening; kept
 * here so they keep holding. Plan-cache reuse across callers: test/permissions.test.ts;
 * hash-only persisted queries without a token: test/http-conventions.test.ts.)
 */

const SUBJECT = { id: 'NL-1', givenName: 'Abdelkarim', familyName: 'Belhawari', dateOfBirth: '1991-02-07', status: 'RETURNEE', passport: 'EM482913' };

let net: TestNetwork;
let es: Record<string, string>;
beforeAll(async () => {
  net = await startNetwork({ states: ['NL', 'BE', 'ES'], policies: 'config', data: { NL: [SUBJECT] } });
  es = await net.as({ state: 'ES', roles: ['analyst'], clearance: 'SECRET', subject: 'es-shapes' });
});
afterAll(async () => {
  await net?.close();
});

async function ask(query: string, variables?: Record<string, unknown>, as = es) {
  const res = await fetch(net.url, { method: 'POST', headers: { 'content-type': 'application/json', ...as }, body: JSON.stringify({ query, variables }) });
  return (await res.json()) as { data: Record<string, unknown> | null; errors?: Array<{ path?: unknown[]; extensions: Record<string, unknown> }> };
}

/** Every string value anywhere in an answer's data. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

const BY_DOCUMENT = `persons(filter: { documentNumber: "EM482913" }, memberStates: [NL])`;

describe('query shapes release nothing more', () => {
  it.each([
    ['aliases', `{ ${BY_DOCUMENT} { a: familyName b: dateOfBirth c: givenName id: familyName } }`],
    ['a named fragment used twice', `{ ${BY_DOCUMENT} { ...F ...F } } fragment F on Person { familyName dateOfBirth }`],
    ['inline fragments', `{ ${BY_DOCUMENT} { ... on Person { familyName ... on Person { dateOfBirth } } } }`],
    ['@include and @skip', `{ ${BY_DOCUMENT} { familyName @include(if: true) dateOfBirth @skip(if: false) } }`],
    ['__typename probing', `{ ${BY_DOCUMENT} { __typename documents { __typename } familyName } }`],
  ])('%s: the record is confirmed, no name or date leaves NL', async (_shape, query) => {
    const body = await ask(query);
    const values = strings(body.data);
    for (const secret of [SUBJECT.familyName, SUBJECT.givenName, SUBJECT.dateOfBirth, SUBJECT.passport]) expect(values).not.toContain(secret);
    const codes = (body.errors ?? []).map((e) => [e.extensions.code, e.extensions.memberState]);
    expect(codes.length).toBeGreaterThan(0);
    expect(codes.every(([code, state]) => code === 'NOT_RELEASED' && state === 'NL')).toBe(true);
  });

  it('variables carry values, never permissions', async () => {
    const body = await ask(
      'query($n: String!, $d: Date!, $f: Boolean!) { persons(filter: { documentNumber: $n, dateOfBirth: $d }, memberStates: [NL]) { id dateOfBirth @include(if: $f) } }',
      {
        n: SUBJECT.passport,
        d: SUBJECT.dateOfBirth,
        f: true,
      },
    );
    // documentNumber + dateOfBirth is not a HIT form: refused before reading, nothing confirmed.
    expect(body.data).toBeNull();
    expect(body.errors?.map((e) => e.extensions)).toEqual([{ code: 'NOT_RELEASED', memberState: 'NL', field: 'persons(filter.dateOfBirth)', tier: 'HIT' }]);
  });
});

describe('SQL and LIKE metacharacters are plain text', () => {
  // A caller of NL's own, so no search profile or budget stands in the way of the probing itself.
  let nl: Record<string, string>;
  beforeAll(async () => {
    nl = await net.as({ state: 'NL', roles: ['analyst'], clearance: 'SECRET', subject: 'nl-sql' });
  });

  it.each(['Bel%', 'B_lhawari', "' OR '1'='1", 'Belhawari"; DROP TABLE persons; --', 'x%', 'Bel[h]awar*'])(
    'name %j finds nothing it should not, and breaks nothing',
    async (name) => {
      const body = await ask('query($name: String!) { persons(filter: { name: $name, status: SUSPECT }) { id } }', { name }, nl);
      expect(body).toEqual({ data: { persons: [] }, extensions: { hague: { states: expect.any(Object) } } });
    },
  );

  it.each(['\\\\', "%' --", "'; --"])('name %j has no letters: BAD_USER_INPUT, nothing read', async (name) => {
    const body = await ask('query($name: String!) { persons(filter: { name: $name }, memberStates: [NL]) { id } }', { name }, nl);
    expect(body.data).toBeNull();
    expect(body.errors?.map((e) => e.extensions)).toEqual([{ code: 'BAD_USER_INPUT', argumentName: 'filter.name', memberState: 'NL' }]);
  });

  it('the store is intact afterwards', async () => {
    const body = await ask(`{ persons(filter: { name: "Abdelkarim Belhawari" }, memberStates: [NL]) { id status } }`, undefined, nl);
    expect(body).toEqual({ data: { persons: [{ id: 'NL-1', status: 'RETURNEE' }] }, extensions: { hague: { states: expect.any(Object) } } });
  });
});
