import { KeyObject, createHash, randomUUID, sign, verify } from 'node:crypto';
import { decodeJwt, type JWK, importJWK, type CryptoKey } from 'jose';
import type { KeySet } from './key-set.ts';
import { isClearance, isPurpose, type Caller } from './caller.ts';
import { isMemberState, type MemberState } from './member-states.ts';

/**
 * The context token: how the gateway tells a member state (or another agency's subgraph) who is
 * asking, for exactly one request. Signed with the gateway's own key and addressed to one
 * recipient (audience), it is bound to a digest of the exact request body it travels with (query,
 * variables and operation name as sent), carries a unique id (the recipient refuses a second use)
 * and the deadline at which the gateway stops waiting; it lives at most a minute, whatever it says.
 * A member trusts nothing else about the caller.
 */
export const CONTEXT_TOKEN_HEADER = 'x-hague-context';
export const CONTEXT_TOKEN_ISSUER = 'hague-gateway';
export const CONTEXT_TOKEN_ALGORITHM = 'ES256';
/** Longest life a recipient accepts, in seconds, whatever the token's own exp says. */
export const CONTEXT_TOKEN_MAX_LIFETIME_SECONDS = 60;
/** Clock difference tolerated between gateway and member, in seconds. */
const CLOCK_TOLERANCE_SECONDS = 5;

/** The audience of a member state's context tokens. */
export function contextAudience(state: MemberState): string {
  return `hague-member:${state}`;
}

/** The audience of a context token for a subgraph other than the member states (e.g. case files). */
export function subgraphAudience(name: string): string {
  return `hague-subgraph:${name}`;
}

/** SHA-256 of the request body exactly as sent, base64url: what a context token is bound to. */
export function bodyDigest(body: string | Uint8Array): string {
  return createHash('sha256').update(body).digest('base64url');
}

/** What a verified context token says about its one request. */
export interface ContextClaims {
  caller: Caller;
  /** Unique id of this token: a recipient refuses it a second time until `expiresAt`. */
  tokenId: string;
  /** When the gateway stops waiting (epoch ms): the recipient releases nothing after it. */
  deadline: number;
  /** When the token expires (epoch ms), never more than a minute after it was issued. */
  expiresAt: number;
}

type Key = CryptoKey | KeyObject | Uint8Array;

export async function importKey(jwk: JWK): Promise<Key> {
  return importJWK(jwk, CONTEXT_TOKEN_ALGORITHM);
}

/** The protected header of a context token, per signing key id (`kid`: which of the gateway's published keys verifies it). */
const headers = new Map<string, string>();
function protectedHeader(kid: string | undefined): string {
  let header = headers.get(kid ?? '');
  if (!header) {
    header = Buffer.from(JSON.stringify({ alg: CONTEXT_TOKEN_ALGORITHM, typ: 'hague-context+jwt', ...(kid !== undefined ? { kid } : {}) })).toString(
      'base64url',
    );
    if (headers.size < 100) headers.set(kid ?? '', header);
  }
  return header;
}

const keyObjects = new WeakMap<CryptoKey, KeyObject>();

/** node:crypto's handle on an imported key: the gateway's private key, or a public key that verifies (one per imported key). */
function keyObject(key: Key): KeyObject {
  if (key instanceof KeyObject) return key;
  if (key instanceof Uint8Array) throw new TypeError(`context tokens are signed with an ${CONTEXT_TOKEN_ALGORITHM} key pair, not a secret`);
  let object = keyObjects.get(key);
  if (!object) keyObjects.set(key, (object = KeyObject.from(key)));
  return object;
}

/**
 * Signs the context token for one request to one recipient: a compact JWS (ES256, RFC 7515/7518)
 * that jose verifies like any other, bound to `body` (the exact bytes that will be sent) and to
 * `deadline` (epoch ms; the token expires with it, and at most a minute from now). Signed with
 * node:crypto directly: the gateway signs one token per call, and a synchronous ECDSA signature
 * costs a fraction of WebCrypto's asynchronous job (bench/README.md).
 */
export async function signContextToken(
  caller: Caller,
  audience: string,
  privateKey: Key,
  binding: { body: string | Uint8Array; deadline: number },
  /** The signing key's id, in the header: members find the public key by it in the gateway's key set. */
  kid?: string,
): Promise<string> {
  const payload = contextPayload(caller, audience, binding);
  const input = `${protectedHeader(kid)}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const signature = sign('sha256', Buffer.from(input), { key: keyObject(privateKey), dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

/** The claims of a context token for one request to one recipient. */
function contextPayload(caller: Caller, audience: string, binding: { body: string | Uint8Array; deadline: number }) {
  const now = Math.floor(Date.now() / 1000);
  const exp = Math.min(now + CONTEXT_TOKEN_MAX_LIFETIME_SECONDS, Math.ceil(binding.deadline / 1000));
  const deadline = Math.min(binding.deadline, exp * 1000);
  return {
    st: caller.state,
    agency: caller.agency,
    roles: caller.roles,
    clearance: caller.clearance,
    scopes: caller.scopes,
    purpose: caller.purpose,
    case: caller.caseReference,
    rid: caller.requestId,
    dig: bodyDigest(binding.body),
    dl: deadline,
    jti: randomUUID(),
    iss: CONTEXT_TOKEN_ISSUER,
    aud: audience,
    sub: caller.subject,
    iat: now,
    exp,
  };
}

/**
 * Verifies a context token for `audience` and the digest (bodyDigest) of the request body it
 * arrived with; throws with a reason when it is forged, expired, for another recipient or another
 * request, or claims to live longer than a minute. Single use is the recipient's to enforce (it
 * keeps the ids it has seen).
 *
 * The compact JWS is checked with node:crypto synchronously, as it is signed: ES256 only (the
 * header's alg, and a P-256 key), typ hague-context+jwt, no `crit`, a 64-byte signature over the
 * exact header and payload text; then iss, aud, exp, nbf, iat, sub and jti with a clock tolerance
 * of 5 s. WebCrypto's asynchronous job, through jose, cost a member more than the rest of the check
 * (bench/README.md, the price of each safeguard). The messages are jose's, as before.
 */
export async function verifyContextToken(token: string, audience: string, publicKey: Key | KeySet, digest: string): Promise<ContextClaims> {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('Invalid Compact JWS');
  const header = jsonPart(parts[0], 'Invalid Compact JWS');
  if (header.alg !== CONTEXT_TOKEN_ALGORITHM) throw new Error('"alg" (Algorithm) Header Parameter value not allowed');
  if ('crit' in header) throw new Error('Extension Header Parameter "crit" is not recognized');
  const key = 'getKey' in publicKey ? await publicKey.getKey(header) : keyObject(publicKey);
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
    throw new Error('the key does not verify ES256 (not a P-256 key)');
  const signature = Buffer.from(parts[2], 'base64url');
  if (signature.length !== 64 || !verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), { key, dsaEncoding: 'ieee-p1363' }, signature))
    throw new Error('signature verification failed');
  if (header.typ !== 'hague-context+jwt') throw new Error('unexpected "typ" JWT header value');
  const payload = jsonPart(parts[1], 'JWT Claims Set must be a top-level JSON object');
  for (const claim of ['exp', 'iat', 'sub', 'jti']) if (!(claim in payload)) throw new Error(`missing required "${claim}" claim`);
  if (payload.iss !== CONTEXT_TOKEN_ISSUER) throw new Error('unexpected "iss" claim value');
  if (!(Array.isArray(payload.aud) ? payload.aud.includes(audience) : payload.aud === audience)) throw new Error('unexpected "aud" claim value');
  const now = Math.floor(Date.now() / 1000);
  if (typeof payload.exp !== 'number') throw new Error('"exp" claim must be a number');
  if (payload.exp <= now - CLOCK_TOLERANCE_SECONDS) throw new Error('"exp" claim timestamp check failed');
  if (payload.nbf !== undefined && (typeof payload.nbf !== 'number' || payload.nbf > now + CLOCK_TOLERANCE_SECONDS))
    throw new Error('"nbf" claim timestamp check failed');
  if (typeof payload.iat !== 'number') throw new Error('"iat" claim must be a number');
  return claimsOf(payload, digest);
}

/** A base64url JSON object of a compact JWS (its header or payload), or throws `message`. */
function jsonPart(part: string, message: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new Error(message);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(message);
  return value as Record<string, unknown>;
}

/** The caller claims and request binding of a token's payload (signature already checked, or deliberately not: see readContextTokenUnverified). */
function claimsOf(payload: Record<string, unknown>, digest: string | null): ContextClaims {
  const { st, agency, roles, clearance, scopes, purpose, case: caseReference, rid, dig, dl, jti, iat, exp } = payload;
  if (!isMemberState(st) || !isClearance(clearance) || !isPurpose(purpose) || !Array.isArray(roles) || !Array.isArray(scopes) || typeof rid !== 'string') {
    throw new Error('context token lacks caller claims');
  }
  if (typeof iat !== 'number' || typeof exp !== 'number' || typeof jti !== 'string' || typeof dl !== 'number' || typeof dig !== 'string') {
    throw new Error('context token lacks its request binding (jti, dig, dl)');
  }
  const nowSeconds = Date.now() / 1000;
  if (exp - iat > CONTEXT_TOKEN_MAX_LIFETIME_SECONDS || exp > nowSeconds + CONTEXT_TOKEN_MAX_LIFETIME_SECONDS + CLOCK_TOLERANCE_SECONDS) {
    throw new Error(`context token lives longer than ${CONTEXT_TOKEN_MAX_LIFETIME_SECONDS} s`);
  }
  if (iat > nowSeconds + CLOCK_TOLERANCE_SECONDS) throw new Error('context token issued in the future');
  if (dl > exp * 1000) throw new Error('context token deadline is after its expiry');
  if (digest !== null && dig !== digest) throw new Error('context token was issued for another request (body digest differs)');
  return {
    caller: {
      state: st,
      agency: typeof agency === 'string' ? agency : null,
      subject: String(payload.sub),
      roles: roles.map(String),
      clearance,
      scopes: scopes.map(String),
      purpose,
      caseReference: typeof caseReference === 'string' ? caseReference : null,
      requestId: rid,
    },
    tokenId: jti,
    deadline: dl,
    expiresAt: exp * 1000,
  };
}

/**
 * BENCH ONLY (bench/safeguards.ts, to price the context token): the claims of a token read
 * WITHOUT verifying its signature, audience or body binding. Reachable only through a member
 * started with `safeguards: { contextTokens: false }`, which the CLI cannot set.
 */
export function readContextTokenUnverified(token: string): ContextClaims {
  return claimsOf(decodeJwt(token), null);
}

/** BENCH ONLY: an unsigned token (alg none) with the same claims, for a gateway started with `safeguards: { contextTokens: false }`. */
export function unsignedContextToken(caller: Caller, audience: string, binding: { body: string | Uint8Array; deadline: number }): string {
  const input = `${Buffer.from('{"alg":"none","typ":"hague-context+jwt"}').toString('base64url')}.${Buffer.from(JSON.stringify(contextPayload(caller, audience, binding))).toString('base64url')}`;
  return `${input}.`;
}
