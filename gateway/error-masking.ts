import type { GraphQLFormattedError } from 'graphql';
import { formattedError, isHagueErrorCode } from '../common/errors.ts';

/**
 * Callers see deliberate errors only: Hague's catalogue (common/errors.ts) and GraphQL's own
 * request errors pass; anything else (a bug, a library's message, something a subgraph leaked)
 * becomes INTERNAL_SERVER_ERROR with a fixed message, and the detail goes to the log, where the
 * request id (also in the X-Request-Id response header) finds it. No stack traces, no SQL.
 */

/** Request-level codes Apollo Server emits for problems in the request itself. */
const GRAPHQL_REQUEST_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

const INTERNAL = 'Internal error; the operators can find the detail under the X-Request-Id of this response';

interface Log {
  error(obj: object, msg?: string): void;
}

export function maskError(log: Log) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const { code, serviceName, stacktrace: _stack, exception: _exception, ...rest } = (formatted.extensions ?? {}) as Record<string, unknown>;
    // Which subgraph answered is topology; member errors say their state, other subgraphs their name.
    const extensions: Record<string, unknown> = { ...rest };
    if (serviceName && serviceName !== 'member' && !extensions.memberState && !extensions.subgraph) extensions.subgraph = serviceName;
    const where = { ...(formatted.path ? { path: formatted.path } : {}), ...(formatted.locations ? { locations: formatted.locations } : {}) };

    const deliberate = (isHagueErrorCode(code) && code !== 'INTERNAL_SERVER_ERROR') || (typeof code === 'string' && GRAPHQL_REQUEST_CODES.has(code));
    if (deliberate) return { message: formatted.message, ...where, extensions: { ...extensions, code } };

    log.error({ err: error, code, memberState: extensions.memberState, path: formatted.path }, `masked error: ${formatted.message}`);
    const state = typeof extensions.memberState === 'string' ? extensions.memberState : undefined;
    const subgraph = typeof extensions.subgraph === 'string' ? extensions.subgraph : undefined;
    const masked = formattedError(
      'INTERNAL_SERVER_ERROR',
      state ? `Internal error in member state ${state}; its operators can find the detail under the X-Request-Id of this response` : INTERNAL,
      formatted.path,
      { ...(state ? { memberState: state } : {}), ...(subgraph ? { subgraph } : {}) },
    );
    return { ...masked, ...(formatted.locations ? { locations: formatted.locations } : {}) };
  };
}
