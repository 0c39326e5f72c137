import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { JWK } from 'jose';
import {
  CONTEXT_TOKEN_HEADER,
  bodyDigest,
  contextAudience,
  importKey,
  readContextTokenUnverified,
  verifyContextToken,
  type ContextClaims,
} from '../../common/context-token.ts';
import { formattedError } from '../../common/errors.ts';
import type { MemberState } from '../../common/member-states.ts';
import type { RejectionRecorder } from './audit-refusals.ts';
import type { Store } from './store.ts';
import type { KeySet } from '../../common/key-set.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified context token of this request: caller, deadline, token id. */
    contextClaims?: ContextClaims;
    /** SHA-256 of the request body as received (base64url), for the token's binding. */
    bodyDigest?: string;
  }
}

/** The only routes answered without a context token: the liveness and readiness probes, which reveal nothing. */
const OPEN_ROUTES = new Set(['/healthz', '/readyz']);
const NO_TOKEN = 'no context token';
/** The digest of a body no parser hashed: no token carries it (a SHA-256 in base64url is 43 characters). */
const UNHASHED = 'body-not-hashed';
/** How often used token ids past their expiry are deleted. */
const CLEANUP_EVERY_MS = 30_000;

/**
 * Nobody reaches a member state's data around the gateway: every request to any route but
 * /healthz and /readyz (the route the request actually reaches, after fastify decoded and normalised its path:
 * /%67raphql is /graphql) must carry a context token that the gateway signed for this state, for
 * this exact request body, used once, within its minute. Anything else gets 401 and no data.
 * Caller headers on their own are never trusted.
 */
export async function useContextAuth(
  app: FastifyInstance,
  state: MemberState,
  /** The gateway's public key, or the key set the state trusts (by kid; a file or URL followed while the member runs). */
  gatewayKeys: JWK | KeySet,
  store: Store,
  /** Every refusal, for the owner's audit (audit-refusals.ts). */
  onRefused: RejectionRecorder = () => {},
  /** BENCH ONLY (MemberSafeguards.contextTokens): false reads the caller from the token without verifying anything. */
  verify = true,
): Promise<void> {
  const key = 'getKey' in gatewayKeys ? gatewayKeys : await importKey(gatewayKeys);
  const audience = contextAudience(state);
  const emptyDigest = bodyDigest('');
  // Used token ids are kept until they expire, then deleted in the background.
  const cleanup = setInterval(() => {
    store.db
      .deleteFrom('context_token_uses')
      .where('expires_at', '<', Date.now())
      .execute()
      .catch((error: unknown) => app.log.warn({ err: error }, 'could not delete expired context token ids'));
  }, CLEANUP_EVERY_MS);
  cleanup.unref();
  app.addHook('onClose', async () => clearInterval(cleanup));

  const refuse = async (request: FastifyRequest, reply: FastifyReply, reason: string, claims?: ContextClaims) => {
    request.log.warn({ reason, ip: request.ip, url: request.url }, 'request without a valid context token refused');
    onRefused({
      reason,
      ip: request.ip,
      method: request.method,
      // The route, or the path without its query string (which may carry a query's criteria).
      path: request.routeOptions.url ?? request.url.split('?')[0].slice(0, 200),
      ...(claims ? { caller: { state: claims.caller.state, subject: claims.caller.subject, requestId: claims.caller.requestId } } : {}),
    });
    await reply
      .code(401)
      .header('content-type', 'application/json')
      .send({
        data: null,
        errors: [
          formattedError(
            'UNAUTHENTICATED',
            `${reason}${reason === NO_TOKEN ? ':' : ';'} member states answer only requests relayed by the Hague gateway`,
            undefined,
            { memberState: state },
          ),
        ],
      });
    return reply;
  };
  const tokenOf = (request: FastifyRequest) => {
    const header = request.headers[CONTEXT_TOKEN_HEADER];
    return Array.isArray(header) ? header[0] : header;
  };

  // Cheap refusal first, before any body is read.
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url !== undefined && OPEN_ROUTES.has(request.routeOptions.url)) return;
    if (!tokenOf(request)) return refuse(request, reply, NO_TOKEN);
    // A request without a body is bound to the empty body; one with a body, to what the JSON parser hashes.
    const length = request.headers['content-length'];
    if (request.headers['transfer-encoding'] === undefined && (length === undefined || length === '0')) request.bodyDigest = emptyDigest;
  });

  if (!verify) {
    app.addHook('preValidation', async (request, reply) => {
      if (request.routeOptions.url !== undefined && OPEN_ROUTES.has(request.routeOptions.url)) return;
      try {
        request.contextClaims = readContextTokenUnverified(tokenOf(request) ?? '');
      } catch (error) {
        return refuse(request, reply, `context token rejected (${(error as Error).message})`);
      }
    });
    return;
  }

  // A JSON body (all the gateway sends) is hashed as fastify's own (safe) JSON parser reads it. Any
  // other body is never hashed: its digest matches no token, so it is refused.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    request.bodyDigest = bodyDigest(body);
    void parseJson(request, body.toString(), done);
  });

  app.addHook('preValidation', async (request, reply) => {
    if (request.routeOptions.url !== undefined && OPEN_ROUTES.has(request.routeOptions.url)) return;
    const token = tokenOf(request);
    if (!token) return refuse(request, reply, NO_TOKEN);
    let claims: ContextClaims;
    try {
      claims = await verifyContextToken(token, audience, key, request.bodyDigest ?? UNHASHED);
    } catch (error) {
      return refuse(request, reply, `context token rejected (${(error as Error).message})`);
    }
    const now = Date.now();
    if (claims.deadline <= now) return refuse(request, reply, 'context token rejected (its deadline has passed)', claims);
    // Single use, shared by every replica of this state through its database.
    const firstUse = store.transactNow
      ? store.transactNow(
          (statement) =>
            statement('INSERT INTO context_token_uses (token_id, expires_at) VALUES (?, ?) ON CONFLICT (token_id) DO NOTHING').run(
              claims.tokenId,
              claims.expiresAt,
            ).changes > 0,
        )
      : Number(
          (
            await store.db
              .insertInto('context_token_uses')
              .values({ token_id: claims.tokenId, expires_at: claims.expiresAt })
              .onConflict((oc) => oc.column('token_id').doNothing())
              .executeTakeFirst()
          ).numInsertedOrUpdatedRows ?? 0,
        ) > 0;
    if (!firstUse) return refuse(request, reply, 'context token rejected (already used: one token authorizes one request)', claims);
    request.contextClaims = claims;
  });
}
