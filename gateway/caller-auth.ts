import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { GraphQLError } from 'graphql';
import type { Caller } from '../common/caller.ts';
import type { Authenticator } from './authenticate.ts';

declare module 'fastify' {
  interface FastifyRequest { caller?: Caller }
}

/** An explorer page request (a browser asking for HTML), not a GraphQL request. */
export function wantsExplorerPage(request: FastifyRequest): boolean {
  return request.method === 'GET' && (request.headers.accept ?? '').includes('text/html') && !(request.query as Record<string, unknown> | undefined)?.query;
}

/**
 * Every GraphQL request, introspection included, needs a caller: a valid token from a member
 * state's identity provider and a stated purpose. Refused requests never reach Apollo: no parsing,
 * no planning, no member state is asked.
 */
export function useCallerAuth(app: FastifyInstance, authenticator: Authenticator, path = '/graphql'): void {
  app.addHook('preHandler', async (request, reply) => {
    if (request.routeOptions.url !== path || request.method === 'OPTIONS' || wantsExplorerPage(request)) return;
    try {
      request.caller = await authenticator.authenticate(request.headers, request.id);
    } catch (error) {
      const graphqlError = error as GraphQLError;
      const extensions = graphqlError.extensions ?? {};
      const status = (extensions.http as { status?: number } | undefined)?.status ?? 401;
      request.log.info({ code: extensions.code, reason: graphqlError.message }, 'request refused before execution');
      await reply.code(status).header('content-type', 'application/json; charset=utf-8').send({
        errors: [{ message: graphqlError.message, extensions: { code: extensions.code ?? 'UNAUTHENTICATED' } }],
      });
    }
  });
}
