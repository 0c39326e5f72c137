import { KeyObject, sign } from 'node:crypto';
import { jwtVerify, type JWK, importJWK, type CryptoKey } from 'jose';
import { isClearance, isPurpose, type Caller } from './caller.ts';
import { isMemberState, type MemberState } from './member-states.ts';

/**
 * The context token: how the gateway tells a member state who is asking. Signed with the
 * gateway's own key, addressed to one state (audience), valid for a minute. A member trusts
 * nothing else about the caller.
 */
export const CONTEXT_TOKEN_HEADER = 'x-hague-context';
export const CONTEXT_TOKEN_ISSUER = 'hague-gateway';
export const CONTEXT_TOKEN_ALGORITHM = 'ES256';
/** Lifetime of a context token, in seconds: long enough for one fan-out, short enough to be useless if stolen. */
export const CONTEXT_TOKEN_TTL_SECONDS = 60;

export function contextAudience(state: MemberState): string {
  return `hague-member:${state}`;
}

type Key = CryptoKey | KeyObject | Uint8Array;

export async function importKey(jwk: JWK): Promise<Key> {
  return importJWK(jwk, CONTEXT_TOKEN_ALGORITHM);
}

/** The protected header of every context token. */
const HEADER = Buffer.from(JSON.stringify({ alg: CONTEXT_TOKEN_ALGORITHM, typ: 'hague-context+jwt' })).toString('base64url');

const signingKeys = new WeakMap<CryptoKey, KeyObject>();

/** node:crypto's handle on the gateway's private key (one per imported key). */
function signingKey(key: Key): KeyObject {
  if (key instanceof KeyObject) return key;
  if (key instanceof Uint8Array) throw new TypeError(`context tokens are signed with an ${CONTEXT_TOKEN_ALGORITHM} private key, not a secret`);
  let keyObject = signingKeys.get(key);
  if (!keyObject) signingKeys.set(key, (keyObject = KeyObject.from(key)));
  return keyObject;
}

/**
 * Signs the context token for one state: a compact JWS (ES256, RFC 7515/7518) that jose verifies
 * like any other. Signed with node:crypto directly: the gateway signs one token per state per
 * request (27 for a joint query), and a synchronous ECDSA signature costs a fraction of WebCrypto's
 * asynchronous job (bench/README.md).
 */
export async function signContextToken(caller: Caller, audience: MemberState, privateKey: Key): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    st: caller.state,
    agency: caller.agency,
    roles: caller.roles,
    clearance: caller.clearance,
    scopes: caller.scopes,
    purpose: caller.purpose,
    case: caller.caseReference,
    rid: caller.requestId,
    iss: CONTEXT_TOKEN_ISSUER,
    aud: contextAudience(audience),
    sub: caller.subject,
    iat: now,
    exp: now + CONTEXT_TOKEN_TTL_SECONDS,
  };
  const input = `${HEADER}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const signature = sign('sha256', Buffer.from(input), { key: signingKey(privateKey), dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

/** Verifies a context token for `state`; throws with a reason when it is missing, forged, expired or for another state. */
export async function verifyContextToken(token: string, state: MemberState, publicKey: Key): Promise<Caller> {
  const { payload } = await jwtVerify(token, publicKey, {
    issuer: CONTEXT_TOKEN_ISSUER,
    audience: contextAudience(state),
    algorithms: [CONTEXT_TOKEN_ALGORITHM],
    typ: 'hague-context+jwt',
    requiredClaims: ['exp', 'iat', 'sub'],
  });
  const { st, agency, roles, clearance, scopes, purpose, case: caseReference, rid } = payload as Record<string, unknown>;
  if (!isMemberState(st) || !isClearance(clearance) || !isPurpose(purpose) || !Array.isArray(roles) || !Array.isArray(scopes) || typeof rid !== 'string') {
    throw new Error('context token lacks caller claims');
  }
  return {
    state: st,
    agency: typeof agency === 'string' ? agency : null,
    subject: String(payload.sub),
    roles: roles.map(String),
    clearance,
    scopes: scopes.map(String),
    purpose,
    caseReference: typeof caseReference === 'string' ? caseReference : null,
    requestId: rid,
  };
}
