import type { FastifyInstance } from 'fastify';
import { GraphQLError } from 'graphql';
import type { Caller } from '../common/caller.ts';
import type { Authenticator } from './authenticate.ts';
import { isExplorerPageRequest } from './explorer.ts';
import { formattedError } from '../common/errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

/**
 * Every GraphQL request, introspection included, needs a caller: a valid token from a member
 * state's identity provider and a stated purpose. Refused requests never reach Apollo: no parsing,
 * no planning, no member state is asked.
 */
export function useCallerAuth(app: FastifyInstance, authenticator: Authenticator, path = '/graphql'): void {
  app.addHook('preHandler', async (request, reply) => {
    if (request.routeOptions.url !== path || request.method === 'OPTIONS' || isExplorerPageRequest(request, path)) return;
    try {
      request.caller = await authenticator.authenticate(request.headers, request.id);
    } catch (error) {
      if (!(error instanceof GraphQLError)) {
        // A bug or an unexpected library failure: masked like every internal error, detail in the log.
        request.log.error({ err: error }, 'caller authentication failed unexpectedly');
        await reply
          .code(500)
          .header('content-type', 'application/json; charset=utf-8')
          .send({
            errors: [
              formattedError(
                'INTERNAL_SERVER_ERROR',
                'Internal error while checking the token; the operators can find the detail under the X-Request-Id of this response',
                undefined,
              ),
            ],
          });
        return;
      }
      const { code, http } = error.extensions;
      const status = typeof http === 'object' && http !== null && 'status' in http && typeof http.status === 'number' ? http.status : 401;
      request.log.info({ code, reason: error.message }, 'request refused before execution');
      await reply
        .code(status)
        .header('content-type', 'application/json; charset=utf-8')
        .send({
          errors: [{ message: error.message, extensions: { code: typeof code === 'string' ? code : 'UNAUTHENTICATED' } }],
        });
    }
  });
}
