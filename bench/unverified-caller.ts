import { decodeJwt } from 'jose';
import type { Authenticator } from '../gateway/authenticate.ts';
import { PURPOSE_HEADER } from '../gateway/authenticate.ts';
import type { MemberConfig } from '../gateway/members-config.ts';
import { isClearance, isPurpose, type Caller } from '../common/caller.ts';

/**
 * BENCH ONLY (bench/safeguards.ts, "caller-token verification off"): builds the caller from the
 * bearer token's claims WITHOUT verifying its signature, issuer keys, audience or expiry. Lives in
 * bench/, never in the gateway: no configuration of a real gateway can reach it.
 */
export function unverifiedAuthenticator(members: MemberConfig[]): Authenticator {
  const stateOf = new Map(members.map((m) => [m.issuer, m.code]));
  const authenticate = async (headers: Record<string, string | string[] | undefined>, requestId: string): Promise<Caller> => {
    const token = String(headers.authorization ?? '').replace(/^Bearer\s+/i, '');
    const claims = decodeJwt(token);
    const state = stateOf.get(String(claims.iss));
    const purpose = headers[PURPOSE_HEADER];
    if (!state || !isClearance(claims.clearance) || !isPurpose(purpose))
      throw new Error('bench: the unverified caller token lacks issuer, clearance or purpose');
    const list = (value: unknown) => (Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(/\s+/).filter(Boolean) : []);
    return {
      state,
      agency: typeof claims.agency === 'string' ? claims.agency : null,
      subject: String(claims.sub),
      roles: list(claims.roles),
      clearance: claims.clearance,
      scopes: list(claims.scope ?? claims.scopes),
      purpose,
      caseReference: null,
      requestId,
    };
  };
  return { authenticate } as unknown as Authenticator;
}
