import type { JWK } from 'jose';
import { CONTEXT_TOKEN_HEADER, importKey, signContextToken } from '../common/context-token.ts';
import type { MemberState } from '../common/member-states.ts';
import type { GatewayContext, HeadersFor } from './context.ts';

/**
 * The headers that carry the caller to each member state: a context token signed by the gateway's
 * key, addressed to that state only. Signed once per state per request, reused by every plan step.
 */
export async function contextTokenHeaders(privateJwk: JWK): Promise<HeadersFor> {
  const key = await importKey(privateJwk);
  const tokens = new WeakMap<GatewayContext, Map<MemberState, Promise<string>>>();
  return async (state, context) => {
    const { caller } = context;
    if (!caller) throw new Error('no caller in the request context: authentication must run before the fan-out');
    let perState = tokens.get(context);
    if (!perState) tokens.set(context, (perState = new Map<MemberState, Promise<string>>()));
    let token = perState.get(state.code);
    if (!token) perState.set(state.code, (token = signContextToken(caller, state.code, key)));
    return { [CONTEXT_TOKEN_HEADER]: await token };
  };
}
