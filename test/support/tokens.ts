import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { CONTEXT_TOKEN_HEADER, importKey, signContextToken } from '../../common/context-token.ts';
import type { Caller } from '../../common/caller.ts';
import type { MemberState } from '../../common/member-states.ts';

/** A gateway signing key pair made for one test file, as JWKs. */
export async function testGatewayKeys(): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { privateJwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey) };
}

export function caller(overrides: Partial<Caller> = {}): Caller {
  return {
    state: 'NL',
    agency: 'Test agency',
    subject: 'analyst-1',
    roles: ['analyst'],
    clearance: 'SECRET',
    scopes: [],
    purpose: 'counter-terrorism',
    caseReference: null,
    requestId: 'test-request',
    ...overrides,
  };
}

/** The header a gateway would send to `audience` for `who`, signed with `privateJwk`. */
export async function contextHeaders(privateJwk: JWK, audience: MemberState, who: Caller): Promise<Record<string, string>> {
  return { [CONTEXT_TOKEN_HEADER]: await signContextToken(who, audience, await importKey(privateJwk)) };
}
