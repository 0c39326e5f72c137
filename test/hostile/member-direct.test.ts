import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { SignJWT, importJWK, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../common/caller.ts';
import { CONTEXT_TOKEN_HEADER, bodyDigest, contextAudience } from '../../common/context-token.ts';
import { loadReleasePolicy } from '../../subgraphs/member/release-policy.ts';
import { buildMemberApp } from '../../subgraphs/member/server.ts';
import { openStore, type Store } from '../../subgraphs/member/store.ts';
import { ABAOUD, insertFixture } from '../support/member-fixture.ts';
import { caller, contextHeaders, testGatewayKeys } from '../support/tokens.ts';

/**
 * Around the gateway, straight at a member, as an attacker would: no token, a token for another
 * request, another state or another time, a replayed token, odd paths and methods. And with a valid
 * token (one that leaked from a log, say): the member still applies the network's rules itself.
 * Every refusal must be 401 with no data, and nothing withheld may be released.
 */

const folder = mkdtempSync(join(tmpdir(), 'hague-hostile-member-'));
let store: Store;
let app: FastifyInstance;
let keys: { privateJwk: JWK; publicJwk: JWK };

beforeAll(async () => {
  store = await openStore(join(folder, 'nl.db'), 'NL');
  await insertFixture(store);
  keys = await testGatewayKeys();
  app = await buildMemberApp({ state: 'NL', store, gatewayPublicKey: keys.publicJwk, policy: loadReleasePolicy('config/policies', 'NL') });
});
afterAll(async () => {
  await app?.close();
  await store?.close();
  rmSync(folder, { recursive: true, force: true });
});

const QUERY = `{ person(memberState: NL, id: "${ABAOUD.id}") { id familyName background } }`;
const BODY = JSON.stringify({ query: QUERY });

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const response = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload: body });
  return { status: response.statusCode, body: response.json<{ data?: unknown; errors?: Array<{ message: string; extensions: Record<string, unknown> }> }>() };
}

const refusal = (reason: string) => ({
  data: null,
  errors: [
    {
      message: `${reason}${reason === 'no context token' ? ':' : ';'} member states answer only requests relayed by the Hague gateway`,
      extensions: { code: 'UNAUTHENTICATED', memberState: 'NL' },
    },
  ],
});

/** A token signed with the real gateway key but with claims of the attacker's choosing. */
async function handMade(claims: Record<string, unknown>, body = BODY): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const who = caller({ state: 'BE' });
  return new SignJWT({
    st: who.state,
    agency: who.agency,
    roles: who.roles,
    clearance: who.clearance,
    scopes: who.scopes,
    purpose: who.purpose,
    case: null,
    rid: 'hostile',
    dig: bodyDigest(body),
    dl: (now + 30) * 1000,
    jti: `hostile-${Math.random()}`,
    ...claims,
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'hague-context+jwt' })
    .setIssuer('hague-gateway')
    .setAudience(contextAudience('NL'))
    .setSubject('be-analyst')
    .setIssuedAt(typeof claims.iat === 'number' ? claims.iat : now)
    .setExpirationTime(typeof claims.exp === 'number' ? claims.exp : now + 30)
    .sign(await importJWK(keys.privateJwk, 'ES256'));
}

describe('no way around the gateway', () => {
  it.each([
    ['/graphql', 'the GraphQL route'],
    ['/%67raphql', 'the same route, percent-encoded'],
    ['/graphql/', 'a trailing slash'],
    ['/GRAPHQL', 'another case'],
    ['/graphql?x=1', 'a query string'],
    ['/nothing-here', 'a route that does not exist'],
  ])('refuses %s without a token (%s): 401, no data', async (url) => {
    const answer = await post(url, BODY);
    expect(answer).toEqual({ status: 401, body: refusal('no context token') });
  });

  it('refuses a GET that carries the query in the URL, token or not', async () => {
    const url = `/graphql?query=${encodeURIComponent(QUERY)}`;
    const bare = await app.inject({ method: 'GET', url });
    expect(bare.statusCode).toBe(401);
    // A token the gateway signed for a POST body says nothing about a GET.
    const signed = await app.inject({ method: 'GET', url, headers: await contextHeaders(keys.privateJwk, 'NL', caller({ state: 'BE' }), BODY) });
    expect(signed.statusCode).toBe(401);
    expect(signed.json()).toEqual(refusal('context token rejected (context token was issued for another request (body digest differs))'));
  });

  it('answers /healthz without a token, revealing nothing but that it is alive', async () => {
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(response.json()).toEqual({ status: 'ok', memberState: 'NL' });
  });

  it('refuses a token issued for another request body', async () => {
    const other = JSON.stringify({ query: `{ persons(filter: { name: "Abaaoud" }) { id } }` });
    const answer = await post('/graphql', BODY, await contextHeaders(keys.privateJwk, 'NL', caller({ state: 'BE' }), other));
    expect(answer).toEqual({ status: 401, body: refusal('context token rejected (context token was issued for another request (body digest differs))') });
  });

  it('refuses a token replayed for the same request: one token, one request', async () => {
    const headers = await contextHeaders(keys.privateJwk, 'NL', caller({ state: 'BE' }), BODY);
    const first = await post('/graphql', BODY, headers);
    expect(first.status).toBe(200);
    expect(first.body.data).toEqual({
      person: { id: ABAOUD.id, familyName: ABAOUD.familyName, background: `Background of ${ABAOUD.givenName} ${ABAOUD.familyName}.` },
    });
    for (let i = 0; i < 3; i++) {
      expect(await post('/graphql', BODY, headers)).toEqual({
        status: 401,
        body: refusal('context token rejected (already used: one token authorizes one request)'),
      });
    }
  });

  it('refuses a token addressed to another state', async () => {
    const answer = await post('/graphql', BODY, await contextHeaders(keys.privateJwk, 'BE', caller({ state: 'BE' }), BODY));
    expect(answer.status).toBe(401);
    expect(answer.body.errors?.[0].message).toMatch(/^context token rejected \(unexpected "aud" claim value\)/);
  });

  it('refuses a token that claims to live a year, even signed with the gateway key', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await handMade({ exp: now + 365 * 86_400, dl: (now + 365 * 86_400) * 1000 });
    expect(await post('/graphql', BODY, { [CONTEXT_TOKEN_HEADER]: token })).toEqual({
      status: 401,
      body: refusal('context token rejected (context token lives longer than 60 s)'),
    });
  });

  it('refuses a token without its request binding, an expired one and one whose deadline has passed', async () => {
    const now = Math.floor(Date.now() / 1000);
    const unbound = await handMade({ dig: undefined });
    expect((await post('/graphql', BODY, { [CONTEXT_TOKEN_HEADER]: unbound })).body).toEqual(
      refusal('context token rejected (context token lacks its request binding (jti, dig, dl))'),
    );
    const expired = await handMade({ iat: now - 120, exp: now - 60, dl: (now - 60) * 1000 });
    expect((await post('/graphql', BODY, { [CONTEXT_TOKEN_HEADER]: expired })).body.errors?.[0].message).toMatch(/^context token rejected \(.*"exp" claim/);
    const late = await post('/graphql', BODY, await contextHeaders(keys.privateJwk, 'NL', caller({ state: 'BE' }), BODY, Date.now() - 1));
    expect(late).toEqual({ status: 401, body: refusal('context token rejected (its deadline has passed)') });
  });

  it("refuses a token signed by any key but the gateway's", async () => {
    const forger = await testGatewayKeys();
    const answer = await post('/graphql', BODY, await contextHeaders(forger.privateJwk, 'NL', caller({ state: 'BE' }), BODY));
    expect(answer).toEqual({ status: 401, body: refusal('context token rejected (signature verification failed)') });
  });
});

describe("the network's rules, enforced again by the owner", () => {
  const ask = async (who: Caller, query: string) => {
    const body = JSON.stringify({ query });
    return post('/graphql', body, await contextHeaders(keys.privateJwk, 'NL', who, body));
  };

  it('withholds background from a RESTRICTED caller whom the gateway would have refused it (FORBIDDEN, null)', async () => {
    const answer = await ask(caller({ state: 'BE', clearance: 'RESTRICTED' }), QUERY);
    expect(answer.body).toEqual({
      data: { person: { id: ABAOUD.id, familyName: ABAOUD.familyName, background: null } },
      errors: [
        {
          message: 'Person.background is released by the network only to callers with clearance:CONFIDENTIAL',
          locations: [{ line: 1, column: 59 }],
          path: ['person', 'background'],
          extensions: { code: 'FORBIDDEN', field: 'Person.background', memberState: 'NL' },
        },
      ],
    });
  });

  it('withholds financial measures from a caller without the financial:read scope, whatever its role and purpose', async () => {
    const fiu = caller({ state: 'BE', roles: ['fiu'], purpose: 'terrorism-financing', scopes: [] });
    const answer = await ask(fiu, `{ person(memberState: NL, id: "${ABAOUD.id}") { financialMeasures { kind amount } } }`);
    expect(answer.body.data).toEqual({ person: { financialMeasures: null } });
    expect(answer.body.errors?.map((e) => e.extensions)).toEqual([{ code: 'FORBIDDEN', field: 'Person.financialMeasures', memberState: 'NL' }]);
    // With the scope, the owner's own rule (role fiu, purpose terrorism-financing) decides.
    const scoped = await ask({ ...fiu, scopes: ['financial:read'] }, `{ person(memberState: NL, id: "${ABAOUD.id}") { financialMeasures { kind } } }`);
    expect(scoped.body.errors).toBeUndefined();
    expect(scoped.body.data).toEqual({ person: { financialMeasures: expect.any(Array) } });
  });
});
