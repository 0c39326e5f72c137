import { SignJWT, jwtVerify, type JWK, importJWK, type CryptoKey, type KeyObject } from 'jose';
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

export async function signContextToken(caller: Caller, audience: MemberState, privateKey: Key): Promise<string> {
  return new SignJWT({
    st: caller.state, agency: caller.agency, roles: caller.roles, clearance: caller.clearance,
    scopes: caller.scopes, purpose: caller.purpose, case: caller.caseReference, rid: caller.requestId,
  })
    .setProtectedHeader({ alg: CONTEXT_TOKEN_ALGORITHM, typ: 'hague-context+jwt' })
    .setIssuer(CONTEXT_TOKEN_ISSUER)
    .setAudience(contextAudience(audience))
    .setSubject(caller.subject)
    .setIssuedAt()
    .setExpirationTime(`${CONTEXT_TOKEN_TTL_SECONDS}s`)
    .sign(privateKey);
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
    state: st, agency: typeof agency === 'string' ? agency : null, subject: String(payload.sub),
    roles: roles.map(String), clearance, scopes: scopes.map(String), purpose,
    caseReference: typeof caseReference === 'string' ? caseReference : null, requestId: rid,
  };
}
