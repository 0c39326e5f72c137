import type { FastifyRequest } from 'fastify';

/**
 * The operation a GraphQL request sent, from its POST body or GET query string, as far as it is
 * well-formed: the query text, the operation name (an empty one is none) and the variables (an
 * object, or a JSON string of one in a GET). Used by the audit, which records what was asked.
 */
export function requestOperation(request: FastifyRequest): { query?: string; operationName?: string; variables?: Record<string, unknown> } {
  for (const source of [request.body, request.query]) {
    if (typeof source !== 'object' || source === null || !('query' in source)) continue;
    const { query, operationName, variables } = source as { query?: unknown; operationName?: unknown; variables?: unknown };
    let vars = variables;
    if (typeof vars === 'string') {
      try {
        vars = JSON.parse(vars) as unknown;
      } catch {
        vars = undefined;
      }
    }
    return {
      query: typeof query === 'string' ? query : undefined,
      operationName: typeof operationName === 'string' && operationName !== '' ? operationName : undefined,
      variables: typeof vars === 'object' && vars !== null && !Array.isArray(vars) ? (vars as Record<string, unknown>) : undefined,
    };
  }
  return {};
}
