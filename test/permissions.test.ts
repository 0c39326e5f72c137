import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT, importJWK, type JWK } from 'jose';
import { postQuery, startNetwork, type TestNetwork, type TestPerson } from './support/network.ts';
import { devIssuer } from '../common/dev-identity.ts';

/**
 * Permissions end to end: real member states with their real policies (config/policies), the
 * gateway with authentication, network rules and signed context tokens. Every withheld value is
 * checked with its code, path and member state; every way around the rules must release nothing.
 */

const DATA: Record<string, TestPerson[]> = {
  NL: [{ id: 'NL-1', givenName: 'Abdelhamid', familyName: 'Abaaoud', passport: 'EH1234567', dateOfBirth: '1987-04-08' }],
  BE: [{ id: 'BE-7', givenName: 'Abdel-Hamid', familyName: 'Abaoud', passport: 'EH 123 4567', dateOfBirth: '1987-04-08' }],
};

let net: TestNetwork;
beforeAll(async () => {
  net = await startNetwork({ states: ['NL', 'BE', 'DE'], data: DATA, policies: 'config' });
});
afterAll(async () => {
  await net?.close();
});
beforeEach(() => net.resetCounts());

const NL_SUBJECT = `{ person(memberState: NL, id: "NL-1") { memberState id contact { reference } givenName familyName documents { number } background } }`;

type Answer = Awaited<ReturnType<TestNetwork['query']>>;
const codesAndPaths = (answer: Answer) => (answer.body.errors ?? []).map((e) => [e.extensions?.code, e.path, e.extensions?.memberState ?? null]);

describe('who is asking: tokens and purposes', () => {
  async function forged(claims: Record<string, unknown>, options: { issuer: string; keyOf: string; exp?: number }) {
    const jwk = JSON.parse(readFileSync(join(net.keysDir, `idp-${options.keyOf}.jwk`), 'utf8')) as JWK;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ roles: ['analyst'], clearance: 'SECRET', ...claims })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(options.issuer)
      .setAudience('hague')
      .setSubject('x')
      .setIssuedAt(now - 100)
      .setExpirationTime(options.exp ?? now + 600)
      .sign(await importJWK(jwk, 'ES256'));
  }

  it.each([
    ['no token', {}, 'Not authenticated: send Authorization: Bearer <token>'],
    ['a token that is not a JWT', { authorization: 'Bearer abc.def' }, 'Not authenticated: the bearer token is not a signed JWT'],
    ['an expired token', 'expired', 'Not authenticated: token rejected: it has expired (exp)'],
    ["DE's key signing as NL's issuer", 'forged', 'Not authenticated: token rejected: its signature does not verify'],
    ['an unknown issuer', 'unknown', 'Not authenticated: token issuer "https://idp.example" is not the identity provider of any member state'],
  ])('%s: 401 UNAUTHENTICATED and no member state is asked', async (_name, headers, message) => {
    const auth =
      headers === 'expired'
        ? { authorization: `Bearer ${await forged({}, { issuer: devIssuer('NL'), keyOf: 'NL', exp: Math.floor(Date.now() / 1000) - 120 })}` }
        : headers === 'forged'
          ? { authorization: `Bearer ${await forged({}, { issuer: devIssuer('NL'), keyOf: 'DE' })}` }
          : headers === 'unknown'
            ? { authorization: `Bearer ${await forged({}, { issuer: 'https://idp.example', keyOf: 'NL' })}` }
            : headers;
    const answer = await postQuery(net.url, NL_SUBJECT, undefined, { 'x-hague-purpose': 'counter-terrorism', ...auth });
    expect(answer.status).toBe(401);
    expect(answer.body.data).toBeUndefined();
    expect(answer.body.errors).toEqual([{ message: expect.stringContaining(message), extensions: { code: 'UNAUTHENTICATED' } }]);
    expect(net.requestCounts()).toEqual({ NL: 0, BE: 0, DE: 0 });
  });

  it("a token from DE's identity provider claiming to be NL is a DE caller", async () => {
    const token = await forged({ state: 'NL', memberState: 'NL', st: 'NL' }, { issuer: devIssuer('DE'), keyOf: 'DE' });
    const answer = await postQuery(net.url, NL_SUBJECT, undefined, { authorization: `Bearer ${token}`, 'x-hague-purpose': 'counter-terrorism' });
    expect(answer.body.data.person).toEqual({
      memberState: 'NL',
      id: 'NL-1',
      contact: { reference: 'REF-NL-NL-1' },
      givenName: 'Abdelhamid',
      familyName: 'Abaaoud',
      documents: null,
      background: null,
    });
    expect(answer.body.errors?.map((e) => e.message)).toEqual([
      "NL releases SUMMARY-tier fields to DE; documents is FULL-tier. Ask NL's contact point for more",
      "NL releases SUMMARY-tier fields to DE; background is FULL-tier. Ask NL's contact point for more",
    ]);
  });

  it('no purpose: 400 PURPOSE_REQUIRED; an unknown purpose: 400 BAD_USER_INPUT listing the allowed ones', async () => {
    const { authorization } = await net.as({ state: 'NL', roles: ['analyst'], clearance: 'SECRET' });
    const none = await postQuery(net.url, NL_SUBJECT, undefined, { authorization });
    expect(none.status).toBe(400);
    expect(none.body.errors).toEqual([
      {
        message:
          'state the purpose of this request in the X-Hague-Purpose header: one of counter-terrorism, terrorism-financing, border-security, organised-crime',
        extensions: { code: 'PURPOSE_REQUIRED' },
      },
    ]);
    const unknown = await postQuery(net.url, NL_SUBJECT, undefined, { authorization, 'x-hague-purpose': 'curiosity' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([
      {
        message: "X-Hague-Purpose 'curiosity' is not one of the network's purposes: counter-terrorism, terrorism-financing, border-security, organised-crime",
        extensions: { code: 'BAD_USER_INPUT' },
      },
    ]);
    expect(net.requestCounts()).toEqual({ NL: 0, BE: 0, DE: 0 });
  });

  it('introspection needs a token too', async () => {
    const anonymous = await postQuery(net.url, '{ __schema { queryType { name } } }', undefined, { 'x-hague-purpose': 'counter-terrorism' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.data).toBeUndefined();
    const signedIn = await net.query('{ __schema { queryType { name } } }');
    expect(signedIn.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });

  it('a member state called directly, around the gateway, answers nothing', async () => {
    const nl = net.members.get('NL')!;
    const { authorization } = await net.as({ state: 'NL', roles: ['analyst'], clearance: 'SECRET' });
    const direct = await postQuery(nl.url, NL_SUBJECT, undefined, { authorization, 'x-hague-purpose': 'counter-terrorism' });
    expect(direct.status).toBe(401);
    expect(direct.body).toEqual({
      data: null,
      errors: [
        {
          message: 'no context token: member states answer only requests relayed by the Hague gateway',
          extensions: { code: 'UNAUTHENTICATED', memberState: 'NL' },
        },
      ],
    });
  });
});

describe('the same query, different callers: each owner decides', () => {
  const QUERY = `{ persons(filter: { documentNumber: "EH1234567" }) { memberState id givenName familyName documents { number } } }`;

  it('a BE analyst gets FULL from NL and its own BE record; a DE analyst gets a SUMMARY from NL and all of BE except FULL fields', async () => {
    const be = await net.query(QUERY, undefined, await net.as({ state: 'BE', roles: ['analyst'], clearance: 'SECRET' }));
    expect(be.body.data.persons).toEqual([
      { memberState: 'NL', id: 'NL-1', givenName: 'Abdelhamid', familyName: 'Abaaoud', documents: [{ number: 'EH1234567' }] },
      { memberState: 'BE', id: 'BE-7', givenName: 'Abdel-Hamid', familyName: 'Abaoud', documents: [{ number: 'EH 123 4567' }] },
    ]);
    expect(be.body.errors).toBeUndefined();

    const de = await net.query(QUERY, undefined, await net.as({ state: 'DE', roles: ['analyst'], clearance: 'SECRET' }));
    expect(de.body.data.persons).toEqual([
      { memberState: 'NL', id: 'NL-1', givenName: 'Abdelhamid', familyName: 'Abaaoud', documents: null },
      { memberState: 'BE', id: 'BE-7', givenName: 'Abdel-Hamid', familyName: 'Abaoud', documents: null },
    ]);
    expect(de.body.errors).toEqual([
      {
        message: "NL releases SUMMARY-tier fields to DE; documents is FULL-tier. Ask NL's contact point for more",
        path: ['persons', 0, 'documents'],
        extensions: { code: 'NOT_RELEASED', memberState: 'NL', field: 'Person.documents', tier: 'FULL' },
      },
      {
        message: "BE releases SUMMARY-tier fields to DE; documents is FULL-tier. Ask BE's contact point for more",
        path: ['persons', 1, 'documents'],
        extensions: { code: 'NOT_RELEASED', memberState: 'BE', field: 'Person.documents', tier: 'FULL' },
      },
    ]);
  });
});

describe('network-wide rules: @requiresScopes and @policy at the gateway', () => {
  const QUERY = `{ persons(filter: { name: "Abaaoud" }) { memberState id fm: financialMeasures { kind } ...Bg } } fragment Bg on Person { background }`;

  it('removes forbidden fields, answers them null with FORBIDDEN at every place, and runs the rest', async () => {
    const headers = await net.as({ state: 'BE', roles: ['analyst'], clearance: 'RESTRICTED', scopes: [] });
    const answer = await net.query(QUERY, undefined, headers);
    expect(answer.body.data.persons).toEqual([
      { memberState: 'NL', id: 'NL-1', fm: null, background: null },
      { memberState: 'BE', id: 'BE-7', fm: null, background: null },
    ]);
    expect(codesAndPaths(answer)).toEqual([
      ['FORBIDDEN', ['persons', 0, 'fm'], null],
      ['FORBIDDEN', ['persons', 1, 'fm'], null],
      ['FORBIDDEN', ['persons', 0, 'background'], null],
      ['FORBIDDEN', ['persons', 1, 'background'], null],
    ]);
    expect(answer.body.errors?.[0].message).toBe('Person.financialMeasures needs the scope financial:read in your token');
    expect(answer.body.errors?.[2].message).toBe('Person.background is released by the network only to callers with clearance:CONFIDENTIAL');
  });

  it('a selection left empty by removals answers only the nulls, nothing the caller did not ask', async () => {
    const headers = await net.as({ state: 'NL', roles: ['analyst'], clearance: 'RESTRICTED', scopes: [] });
    const answer = await net.query(`query($n: String) { persons(filter: { name: $n }) { a: background b: background } }`, { n: 'Abaaoud' }, headers);
    expect(answer.body.data).toEqual({
      persons: [
        { a: null, b: null },
        { a: null, b: null },
      ],
    });
    expect(codesAndPaths(answer)).toEqual([
      ['FORBIDDEN', ['persons', 0, 'a'], null],
      ['FORBIDDEN', ['persons', 1, 'a'], null],
      ['FORBIDDEN', ['persons', 0, 'b'], null],
      ['FORBIDDEN', ['persons', 1, 'b'], null],
    ]);
  });

  it('never serves one caller the plan filtered for another', async () => {
    const restricted = await net.as({ state: 'BE', roles: ['fiu'], clearance: 'RESTRICTED', scopes: [] }, 'terrorism-financing');
    const cleared = await net.as({ state: 'BE', roles: ['fiu'], clearance: 'SECRET', scopes: ['financial:read'] }, 'terrorism-financing');
    const first = await net.query(QUERY, undefined, restricted);
    const second = await net.query(QUERY, undefined, cleared);
    const third = await net.query(QUERY, undefined, restricted);
    expect(first.body.data.persons[0]).toEqual({ memberState: 'NL', id: 'NL-1', fm: null, background: null });
    expect(second.body.errors).toBeUndefined();
    expect(second.body.data.persons[0]).toEqual({ memberState: 'NL', id: 'NL-1', fm: [], background: null });
    expect(third.body).toEqual(first.body);
  });

  it('strict mode rejects the whole request and asks no member state', async () => {
    const strict = await startNetwork({ states: ['NL'], data: DATA, policies: 'config', strictAuthorization: true });
    try {
      const answer = await strict.query(QUERY, undefined, await strict.as({ state: 'NL', roles: ['analyst'], clearance: 'SECRET', scopes: [] }));
      expect(answer.body.data).toBeUndefined();
      expect(answer.body.errors).toEqual([
        {
          message: 'Person.financialMeasures needs the scope financial:read in your token; the request was rejected whole (strict authorization)',
          extensions: { code: 'FORBIDDEN', field: 'Person.financialMeasures', fieldPath: 'persons.@.fm' },
        },
      ]);
      expect(strict.requestCounts()).toEqual({ NL: 0 });
    } finally {
      await strict.close();
    }
  });

  it('refuses batched HTTP requests', async () => {
    const headers = await net.as({ state: 'DE', roles: ['analyst'], clearance: 'SECRET' });
    const response = await fetch(net.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify([{ query: NL_SUBJECT }, { query: NL_SUBJECT }]),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).not.toContain('EH1234567');
    expect(net.requestCounts()).toEqual({ NL: 0, BE: 0, DE: 0 });
  });
});
