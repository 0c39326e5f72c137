import { SignJWT, importJWK } from 'jose';
import { DEFAULT_KEYS_DIR, ensureKeyPair } from './dev-keys.ts';
import { TOKEN_AUDIENCE, type Clearance } from './caller.ts';
import type { MemberState } from './member-states.ts';

/**
 * The dev identity provider of each state: a key pair under .hague/keys (generated on first use,
 * never committed) and the issuer `hague-dev:<STATE>`. A gateway accepts these tokens only when
 * started with --accept-dev-keys (hague dev does).
 */
export const DEV_ISSUER_PREFIX = 'hague-dev:';

export function devIssuer(state: MemberState): string {
  return `${DEV_ISSUER_PREFIX}${state}`;
}

export function devKeyName(state: MemberState): string {
  return `idp-${state}`;
}

export interface DevTokenRequest {
  state: MemberState;
  roles: string[];
  clearance: Clearance;
  scopes?: string[];
  agency?: string;
  subject?: string;
  /** Lifetime in seconds (default one hour). */
  ttlSeconds?: number;
  keysDir?: string;
}

export async function issueDevToken(request: DevTokenRequest): Promise<string> {
  const { privateJwk } = await ensureKeyPair(request.keysDir ?? DEFAULT_KEYS_DIR, devKeyName(request.state));
  const key = await importJWK(privateJwk, 'ES256');
  return new SignJWT({
    agency: request.agency ?? `${request.state} dev agency`,
    roles: request.roles,
    clearance: request.clearance,
    scope: (request.scopes ?? []).join(' '),
  })
    .setProtectedHeader({ alg: 'ES256', kid: privateJwk.kid, typ: 'JWT' })
    .setIssuer(devIssuer(request.state))
    .setAudience(TOKEN_AUDIENCE)
    .setSubject(request.subject ?? `dev-${request.state.toLowerCase()}-${request.roles.join('-') || 'user'}`)
    .setIssuedAt()
    .setExpirationTime(`${request.ttlSeconds ?? 3600}s`)
    .sign(key);
}
