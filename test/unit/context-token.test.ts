import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import type { JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { bodyDigest, contextAudience, importKey, signContextToken, verifyContextToken } from '../../common/context-token.ts';
import { caller, testGatewayKeys } from '../support/tokens.ts';

/**
 * The context token's verification (node:crypto, synchronous): everything jose checked before is
 * still checked. Tokens are signed with the gateway's real key unless the case is the key itself,
 * so each refusal is the check named, not a bad signature.
 */

const BODY = '{"query":"{ persons(filter: { name: \\"Abaaoud\\" }) { id } }"}';
const NL = contextAudience('NL');
let keys: { privateJwk: JWK; publicJwk: JWK };

beforeAll(async () => {
  keys = await testGatewayKeys();
});

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A compact JWS over any header and claims, signed ES256 with the gateway's private key. */
function handMade(header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const input = `${b64(header)}.${b64(claims)}`;
  const key = createPrivateKey({ key: keys.privateJwk as never, format: 'jwk' });
  return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    st: 'BE',
    agency: 'Test agency',
    roles: ['analyst'],
    clearance: 'SECRET',
    scopes: [],
    purpose: 'counter-terrorism',
    case: null,
    rid: 'req-1',
    dig: bodyDigest(BODY),
    dl: (now + 10) * 1000,
    jti: 'token-1',
    iss: 'hague-gateway',
    aud: NL,
    sub: 'be-analyst',
    iat: now,
    exp: now + 10,
    ...overrides,
  };
}

const HEADER = { alg: 'ES256', typ: 'hague-context+jwt' };
const verifyAsNl = async (token: string) => verifyContextToken(token, NL, await importKey(keys.publicJwk), bodyDigest(BODY));

describe('context token verification', () => {
  it("accepts the gateway's own token and returns its caller, binding and deadline", async () => {
    const token = await signContextToken(caller({ state: 'BE', requestId: 'req-9' }), NL, await importKey(keys.privateJwk), {
      body: BODY,
      deadline: Date.now() + 5000,
    });
    const verified = await verifyAsNl(token);
    expect(verified.caller).toMatchObject({ state: 'BE', requestId: 'req-9', clearance: 'SECRET' });
    expect(verified.deadline).toBeGreaterThan(Date.now());
    expect(await verifyAsNl(handMade(HEADER, claims()))).toMatchObject({ tokenId: 'token-1', caller: { subject: 'be-analyst' } });
  });

  it.each([
    [
      'alg none, no signature',
      () => `${b64({ alg: 'none', typ: 'hague-context+jwt' })}.${b64(claims())}.`,
      /"alg" \(Algorithm\) Header Parameter value not allowed/,
    ],
    ['alg HS256', () => handMade({ ...HEADER, alg: 'HS256' }, claims()), /"alg" \(Algorithm\) Header Parameter value not allowed/],
    ['a crit header', () => handMade({ ...HEADER, crit: ['b64'], b64: false }, claims()), /"crit" is not recognized/],
    ['another typ', () => handMade({ ...HEADER, typ: 'JWT' }, claims()), /unexpected "typ"/],
    ['two parts', () => `${b64(HEADER)}.${b64(claims())}`, /Invalid Compact JWS/],
    ['a header that is not JSON', () => `${b64('not json')}.${b64(claims())}.AAAA`, /Invalid Compact JWS/],
    [
      'a changed payload',
      () => handMade(HEADER, claims()).replace(/\.[^.]+\./, `.${b64(claims({ clearance: 'TOP_SECRET' }))}.`),
      /signature verification failed/,
    ],
    ['a truncated signature', () => handMade(HEADER, claims()).slice(0, -4), /signature verification failed/],
    ['another issuer', () => handMade(HEADER, claims({ iss: 'someone-else' })), /unexpected "iss" claim value/],
    ['another state as audience', () => handMade(HEADER, claims({ aud: contextAudience('BE') })), /unexpected "aud" claim value/],
    [
      'expired',
      () => handMade(HEADER, claims({ iat: Math.floor(Date.now() / 1000) - 120, exp: Math.floor(Date.now() / 1000) - 60 })),
      /"exp" claim timestamp check failed/,
    ],
    ['not valid yet (nbf)', () => handMade(HEADER, claims({ nbf: Math.floor(Date.now() / 1000) + 30 })), /"nbf" claim timestamp check failed/],
    ['no jti', () => handMade(HEADER, claims({ jti: undefined })), /missing required "jti" claim/],
    ['no sub', () => handMade(HEADER, claims({ sub: undefined })), /missing required "sub" claim/],
    ['a payload that is a list', () => handMade(HEADER, [1, 2] as never), /JWT Claims Set must be a top-level JSON object/],
    ['another body', () => handMade(HEADER, claims({ dig: bodyDigest('{}') })), /another request \(body digest differs\)/],
  ])('refuses %s', async (_name, token, reason) => {
    await expect(verifyAsNl(token())).rejects.toThrow(reason);
  });

  it('refuses a token signed by another key, and verifies with no key but a P-256 one', async () => {
    const other = await testGatewayKeys();
    const forged = await signContextToken(caller(), NL, await importKey(other.privateJwk), { body: BODY, deadline: Date.now() + 5000 });
    await expect(verifyAsNl(forged)).rejects.toThrow(/signature verification failed/);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
    await expect(verifyContextToken(handMade(HEADER, claims()), NL, p384, bodyDigest(BODY))).rejects.toThrow(/not a P-256 key/);
  });
});
