import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { JWK } from 'jose';
import { formattedError } from '../../common/errors.ts';
import { CONTEXT_TOKEN_HEADER, importKey, verifyContextToken } from '../../common/context-token.ts';
import type { Caller } from '../../common/caller.ts';
import type { MemberState } from '../../common/member-states.ts';

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

/**
 * Nobody reaches a member state's data around the gateway: every request to /graphql
 * (queries, `_service`, `_entities` alike) must carry a context token signed by the gateway's key
 * and addressed to this state. Anything else gets 401 and no data. Caller headers on their own
 * are never trusted.
 */
export async function useContextAuth(app: FastifyInstance, state: MemberState, gatewayPublicKey: JWK): Promise<void> {
  const key = await importKey(gatewayPublicKey);
  app.addHook('onRequest', async (request: FastifyRequest, reply) => {
    if (!request.url.startsWith('/graphql')) return;
    const header = request.headers[CONTEXT_TOKEN_HEADER];
    const token = Array.isArray(header) ? header[0] : header;
    let reason: string;
    if (!token) {
      reason = 'no context token: member states answer only requests relayed by the Hague gateway';
    } else {
      try {
        request.caller = await verifyContextToken(token, state, key);
        return;
      } catch (error) {
        reason = `context token rejected (${(error as Error).message}); member states answer only requests relayed by the Hague gateway`;
      }
    }
    request.log.warn({ reason, ip: request.ip }, 'request without a valid context token refused');
    await reply
      .code(401)
      .header('content-type', 'application/json')
      .send({
        data: null,
        errors: [formattedError('UNAUTHENTICATED', reason, undefined, { memberState: state })],
      });
  });
}
