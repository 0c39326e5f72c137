import type { JWK } from 'jose';
import { CONTEXT_TOKEN_HEADER, importKey, signContextToken } from '../common/context-token.ts';
import type { HeadersFor } from './context.ts';

/**
 * The headers that carry the caller to a member state (or another subgraph): a context token
 * signed by the gateway's key for that recipient, that exact request body and that deadline.
 * One token per call, never reused: a token that leaks authorizes nothing but the request it
 * came with, once, for at most a minute (docs/decisions/0003-context-tokens.md).
 */
export async function contextTokenHeaders(privateJwk: JWK): Promise<HeadersFor> {
  const key = await importKey(privateJwk);
  return async (audience, context, call) => {
    const { caller } = context;
    if (!caller) throw new Error('no caller in the request context: authentication must run before the fan-out');
    return { [CONTEXT_TOKEN_HEADER]: await signContextToken(caller, audience, key, call) };
  };
}
