import { GraphQLError, type ExecutionResult } from 'graphql';
import { formattedError, isHagueErrorCode } from '../../common/errors.ts';
import type { MemberState } from '../../common/member-states.ts';

interface LoggingContext {
  reply?: { log?: { error(obj: unknown, msg?: string): void } };
  app?: { log?: { error(obj: unknown, msg?: string): void } };
}

/**
 * Mask by default: deliberate errors (a Hague code, or a GraphQL validation error of the query
 * itself) reach the caller with their code and path plus this member state; anything else (a
 * database failure, a bug) becomes INTERNAL_SERVER_ERROR, and only the log sees the detail.
 * Never a stack trace, never SQL.
 */
export function maskErrors(execution: ExecutionResult, context: unknown, state: MemberState) {
  const log = (context as LoggingContext)?.reply?.log ?? (context as LoggingContext)?.app?.log;
  // mercurius wraps the query's validation errors in one MER_ERR_GQL_VALIDATION error: unwrap them.
  const reported = (execution.errors ?? []).flatMap((error) => {
    const inner = (error.originalError as { errors?: unknown })?.errors;
    return Array.isArray(inner) ? (inner as GraphQLError[]) : [error];
  });
  const validationFailed = reported.length !== (execution.errors ?? []).length;
  const errors = reported.map((error) => {
    // @apollo/subgraph puts `_entities` indices into paths as strings; clients expect numbers.
    // GraphQL names never start with a digit, so a digit-only segment is always a list index.
    const path = error.path?.map((segment) => (typeof segment === 'string' && /^\d+$/.test(segment) ? Number(segment) : segment));
    const graphqlError = error instanceof GraphQLError ? error : new GraphQLError(String((error as Error)?.message ?? error));
    const code = graphqlError.extensions?.code;
    // graphql-js's own validation and coercion errors have no originalError: they describe the query.
    const deliberate = isHagueErrorCode(code) || graphqlError.originalError === undefined;
    if (!deliberate) {
      log?.error({ err: graphqlError.originalError, path: graphqlError.path }, 'masked internal error');
      return formattedError('INTERNAL_SERVER_ERROR', 'Internal error in this member state; its log has the detail', path, { memberState: state });
    }
    return {
      message: graphqlError.message,
      ...(graphqlError.locations ? { locations: graphqlError.locations } : {}),
      ...(path ? { path } : {}),
      extensions: { ...graphqlError.extensions, code: isHagueErrorCode(code) ? code : 'BAD_USER_INPUT', memberState: state },
    };
  });
  // A request mercurius refused before execution (malformed body, batch) keeps its 4xx status.
  const refusedStatus = (execution.errors?.[0]?.originalError as { statusCode?: unknown } | undefined)?.statusCode;
  return {
    statusCode: validationFailed ? 400 : execution.data == null && typeof refusedStatus === 'number' ? refusedStatus : 200,
    response: { data: execution.data ?? null, errors } as unknown as ExecutionResult,
  };
}
