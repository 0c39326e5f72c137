import { CORRELATION_ID_HEADER, REQUEST_ID_HEADER, requestIdHeader } from '../../common/request-id.ts';
import type { GatewayPlugin } from '../plugin.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The client's own X-Request-Id, when well formed: logged and echoed, never the id audits join on. */
    correlationId?: string;
  }
}

/**
 * Request ids: the gateway makes its own (fastify's genReqId, set in server.ts to
 * common/request-id.ts's newRequestId) and returns it in X-Request-Id; that id goes to every
 * state and into every audit record. A client's own X-Request-Id is kept as the correlation id,
 * echoed in X-Correlation-Id and written next to the request id in the logs.
 */
export function useRequestId(): GatewayPlugin {
  return {
    name: 'request-id',
    onApp(app) {
      app.addHook('onRequest', async (request, reply) => {
        const correlationId = requestIdHeader(request.headers[REQUEST_ID_HEADER]);
        reply.header(REQUEST_ID_HEADER, request.id);
        if (correlationId) {
          request.correlationId = correlationId;
          request.log = request.log.child({ correlationId });
          reply.header(CORRELATION_ID_HEADER, correlationId);
        }
      });
    },
  };
}
