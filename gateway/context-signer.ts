import { calculateJwkThumbprint, type JWK } from 'jose';
import { CONTEXT_TOKEN_ALGORITHM, CONTEXT_TOKEN_HEADER, importKey, signContextToken, unsignedContextToken } from '../common/context-token.ts';
import type { HeadersFor } from './context.ts';

/**
 * The headers that carry the caller to a member state (or another subgraph): a context token
 * signed by the gateway's key for that recipient, that exact request body and that deadline.
 * One token per call, never reused: a token that leaks authorizes nothing but the request it
 * came with, once, for at most a minute (docs/decisions/0003-context-tokens.md).
 */
export async function contextTokenHeaders(privateJwk: JWK): Promise<HeadersFor> {
  const key = await importKey(privateJwk);
  const kid = await signingKeyId(privateJwk);
  return async (audience, context, call) => {
    const { caller } = context;
    if (!caller) throw new Error('no caller in the request context: authentication must run before the fan-out');
    return { [CONTEXT_TOKEN_HEADER]: await signContextToken(caller, audience, key, call, kid) };
  };
}

/** BENCH ONLY (GatewaySafeguards.contextTokens false): the same claims, unsigned; only a member with its own check off accepts them. */
export const unsignedContextTokenHeaders: HeadersFor = async (audience, context, call) => {
  if (!context.caller) throw new Error('no caller in the request context: authentication must run before the fan-out');
  return { [CONTEXT_TOKEN_HEADER]: unsignedContextToken(context.caller, audience, call) };
};

/** The `kid` of the gateway's signing key: its own, or its RFC 7638 thumbprint when the JWK has none. */
export async function signingKeyId(jwk: JWK): Promise<string> {
  return jwk.kid ?? (await calculateJwkThumbprint(publicJwk(jwk)));
}

/** The public part of a JWK, with its kid (a thumbprint when it has none): what the gateway publishes. */
export async function publishedJwk(jwk: JWK): Promise<JWK> {
  const publicPart = publicJwk(jwk);
  return { ...publicPart, kid: await signingKeyId(jwk), use: 'sig', alg: CONTEXT_TOKEN_ALGORITHM };
}

function publicJwk(jwk: JWK): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, k: _k, ...rest } = jwk;
  return rest;
}
