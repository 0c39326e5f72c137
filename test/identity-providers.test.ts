import { createSecretKey, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type JWK, type KeyObject } from 'jose';
import { buildGatewaySecurity } from '../gateway/security.ts';
import { CALLER_TOKEN_CLOCK_TOLERANCE_SECONDS } from '../gateway/authenticate.ts';
import { startGateway, type RunningGateway } from '../gateway/server.ts';
import { postQuery, startNetwork, type TestNetwork } from './support/network.ts';

/**
 * The token contract of docs/identity-providers.md, against a real gateway: a state's identity
 * provider with an ES256, an RS256 and an Ed25519 key (as inline JWKs and a PEM, as members.yaml
 * gives them); tokens signed with each are accepted, HS256 and alg none are refused, and the clock
 * skew tolerance holds on both sides of its bound. Each refusal's status, code and message as the
 * caller gets them.
 */

const ISSUER = 'https://idp.nl.example/realms/police';
const ACCEPTED = { data: { __typename: 'Query' } };

interface SigningKey {
  alg: 'ES256' | 'RS256' | 'EdDSA';
  kid: string;
  privateKey: CryptoKey | KeyObject;
}

let net: TestNetwork;
let gateway: RunningGateway;
const keys: Record<string, SigningKey> = {};
let rsaPublicPem: string;

async function makeKey(alg: SigningKey['alg'], kid: string): Promise<{ key: SigningKey; publicJwk: JWK; publicKey: CryptoKey | KeyObject }> {
  const { privateKey, publicKey } = await generateKeyPair(alg === 'EdDSA' ? 'Ed25519' : alg, { extractable: true });
  const key = { alg, kid, privateKey };
  keys[alg] = key;
  return { key, publicJwk: { ...(await exportJWK(publicKey)), kid }, publicKey };
}

/** A token with the contract's claims, overridable; `header` replaces the protected header's fields. */
async function token(key: SigningKey, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload = { iss: ISSUER, aud: 'hague', sub: `officer-${randomUUID()}`, iat: now, exp: now + 300, clearance: 'SECRET', roles: ['analyst'], ...claims };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete (payload as Record<string, unknown>)[name];
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header }).sign(key.privateKey);
}

function ask(bearer: string) {
  return postQuery(gateway.url, '{ __typename }', undefined, { authorization: `Bearer ${bearer}`, 'x-hague-purpose': 'counter-terrorism' });
}

async function refused(bearer: string, message: RegExp, status = 401) {
  const answer = await ask(bearer);
  expect(answer.status).toBe(status);
  expect(answer.body.data).toBeUndefined();
  expect(answer.body.errors).toHaveLength(1);
  expect(answer.body.errors![0].extensions?.code).toBe('UNAUTHENTICATED');
  expect(answer.body.errors![0].message).toMatch(message);
}

beforeAll(async () => {
  net = await startNetwork({ states: ['NL'] });
  const es = await makeKey('ES256', 'nl-es256-2026');
  const rs = await makeKey('RS256', 'nl-rs256-2026');
  const ed = await makeKey('EdDSA', 'nl-ed25519-2026');
  // A second ES256 key (the previous one, still published): tokens must name theirs by kid.
  const previous = await makeKey('ES256', 'nl-es256-2025');
  keys.previousES256 = previous.key;
  keys.ES256 = es.key;
  rsaPublicPem = await exportSPKI(rs.publicKey);
  // The RS256 key given as PEM (no kid: found as the only RS256 key, or by its thumbprint); the others as JWKs.
  keys.RS256 = { ...rs.key, kid: '' };
  const security = await buildGatewaySecurity({
    members: [{ ...net.memberConfigs[0], issuer: ISSUER, publicKeys: [es.publicJwk, rsaPublicPem, ed.publicJwk, previous.publicJwk] }],
    keysDir: net.keysDir,
  });
  gateway = await startGateway({ supergraphSdl: net.supergraphSdl, members: net.memberConfigs, security, rateLimit: false });
});

afterAll(async () => {
  await gateway?.close();
  await net?.close();
});

describe('accepted algorithms', () => {
  it('accepts tokens signed with ES256, RS256 and EdDSA (Ed25519)', async () => {
    for (const alg of ['ES256', 'RS256', 'EdDSA']) {
      const key = keys[alg];
      const answer = await ask(await token(key, {}, key.kid ? {} : { kid: undefined }));
      expect(answer.status, alg).toBe(200);
      expect(answer.body, alg).toEqual(ACCEPTED);
    }
  });

  it('refuses HS256, even keyed with the RSA public key (algorithm confusion)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: ISSUER, aud: 'hague', sub: 'mallory', exp: now + 300, clearance: 'SECRET' };
    for (const secret of [createSecretKey(Buffer.from('a shared secret of thirty-two bytes!')), createSecretKey(Buffer.from(rsaPublicPem))]) {
      const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(secret);
      await refused(hs, /^Not authenticated: token rejected: its algorithm is not accepted \(only ES256, RS256, EdDSA\)$/);
    }
  });

  it('refuses alg none', async () => {
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: ISSUER, aud: 'hague', sub: 'mallory', exp: now + 300, clearance: 'SECRET' })}.`;
    await refused(unsigned, /^Not authenticated: token rejected: its algorithm is not accepted/);
  });

  it('refuses a token whose header names another algorithm than its key', async () => {
    await refused(
      await token(keys.ES256, {}, { kid: 'nl-ed25519-2026' }),
      /^Not authenticated: token rejected: (its signature does not verify|key 'nl-ed25519-2026' .* is for EdDSA)/,
    );
  });
});

describe(`clock skew (tolerance ${CALLER_TOKEN_CLOCK_TOLERANCE_SECONDS} s)`, () => {
  const now = () => Math.floor(Date.now() / 1000);
  const inside = CALLER_TOKEN_CLOCK_TOLERANCE_SECONDS - 20;
  const outside = CALLER_TOKEN_CLOCK_TOLERANCE_SECONDS + 20;

  it('accepts a token expired less than the tolerance ago, refuses one expired longer ago', async () => {
    expect((await ask(await token(keys.ES256, { iat: now() - 600, exp: now() - inside }))).body).toEqual(ACCEPTED);
    await refused(await token(keys.ES256, { iat: now() - 600, exp: now() - outside }), /^Not authenticated: token rejected: it has expired \(exp\)$/);
  });

  it('accepts nbf and iat a little in the future, refuses them further ahead', async () => {
    expect((await ask(await token(keys.ES256, { nbf: now() + inside, iat: now() + inside }))).body).toEqual(ACCEPTED);
    await refused(await token(keys.ES256, { nbf: now() + outside }), /^Not authenticated: token rejected: it is not valid yet \(nbf\)$/);
    await refused(await token(keys.ES256, { iat: now() + outside }), /^Not authenticated: token rejected: it was issued in the future \(iat\)/);
  });
});

describe('claims', () => {
  it('needs audience hague, sub, exp and a clearance', async () => {
    await refused(await token(keys.ES256, { aud: 'account' }), /^Not authenticated: token rejected: its audience \(aud\) is not 'hague'$/);
    await refused(await token(keys.ES256, { sub: undefined }), /^Not authenticated: token rejected: it has no sub claim$/);
    await refused(await token(keys.ES256, { exp: undefined }), /^Not authenticated: token rejected: it has no exp claim$/);
    await refused(await token(keys.ES256, { sub: '' }), /^Not authenticated: token rejected: its sub claim is not a non-empty string$/);
    await refused(
      await token(keys.ES256, { clearance: 'TOP SECRET' }),
      /^Not authenticated: token has no valid clearance claim \(one of UNCLASSIFIED, RESTRICTED, CONFIDENTIAL, SECRET\)$/,
    );
  });

  it('refuses an unknown issuer, an unknown kid and a forged signature', async () => {
    await refused(
      await token(keys.ES256, { iss: 'https://idp.evil.example' }),
      /^Not authenticated: token issuer "https:\/\/idp.evil.example" is not the identity provider of any member state/,
    );
    await refused(
      await token(keys.ES256, {}, { kid: 'nl-es256-2019' }),
      /^Not authenticated: token rejected: it is signed with a key its identity provider does not publish \(unknown kid\)$/,
    );
    const { privateKey } = await generateKeyPair('ES256');
    await refused(await token({ alg: 'ES256', kid: 'nl-es256-2026', privateKey }), /^Not authenticated: token rejected: its signature does not verify$/);
    await refused('not.a.jwt', /^Not authenticated: the bearer token is not a signed JWT$/);
    expect((await ask(await token(keys.previousES256))).body).toEqual(ACCEPTED);
    await refused(
      await token(keys.ES256, {}, { kid: undefined }),
      /^Not authenticated: token rejected: it names no key \(kid\) and its identity provider publishes several for its algorithm$/,
    );
  });

  it('says what a request without a token or purpose lacks', async () => {
    const none = await postQuery(gateway.url, '{ __typename }', undefined, { 'x-hague-purpose': 'counter-terrorism' });
    expect(none.status).toBe(401);
    expect(none.body.errors![0]).toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
      message: expect.stringMatching(/^Not authenticated: send Authorization: Bearer <token>/),
    });
    const noPurpose = await postQuery(gateway.url, '{ __typename }', undefined, { authorization: `Bearer ${await token(keys.ES256)}` });
    expect(noPurpose.status).toBe(400);
    expect(noPurpose.body.errors![0].extensions?.code).toBe('PURPOSE_REQUIRED');
  });
});
