import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { FastifyInstance } from 'fastify';
import { createMercuriusTestClient } from 'mercurius-integration-testing';
import { CONTEXT_TOKEN_HEADER, contextAudience, importKey, signContextToken } from '../../common/context-token.ts';
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

/**
 * The header a gateway would send to member state `audience` for `who` with exactly `body`,
 * signed with `privateJwk`, deadline 30 s from now (or as given).
 */
export async function contextHeaders(
  privateJwk: JWK,
  audience: MemberState,
  who: Caller,
  body: string,
  deadline = Date.now() + 30_000,
): Promise<Record<string, string>> {
  return { [CONTEXT_TOKEN_HEADER]: await signContextToken(who, contextAudience(audience), await importKey(privateJwk), { body, deadline }) };
}

/**
 * mercurius-integration-testing's client with a fresh context token per query, bound to the body
 * the client sends (it serialises `{ query, variables, operationName }` in that order).
 */
export function signedTestClient(app: FastifyInstance, privateJwk: JWK, audience: MemberState, who: Caller) {
  const client = createMercuriusTestClient(app);
  return {
    async query(query: string, options: { variables?: Record<string, unknown>; operationName?: string | null } = {}) {
      const variables = options.variables ?? {};
      const operationName = options.operationName ?? null;
      const body = JSON.stringify({ query, variables, operationName });
      return client.query(query, { variables, operationName, headers: await contextHeaders(privateJwk, audience, who, body) });
    },
  };
}
