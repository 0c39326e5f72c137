import { GraphQLError, type ExecutionResult, type FormattedExecutionResult } from 'graphql';
import type { MercuriusContext } from 'mercurius';
import { formattedError, isHagueErrorCode } from '../../common/errors.ts';
import type { MemberState } from '../../common/member-states.ts';

/** graphql-js's message when parsing stops at `maxTokens` ("more that": its own spelling). */
const TOO_MANY_TOKENS = /^Syntax Error: Document contains more th(?:at|an) (\d+) tokens\. Parsing aborted\.$/;

/**
 * Mask by default: deliberate errors (a Hague code, or a GraphQL validation error of the query
 * itself) reach the caller with their code and path plus this member state; anything else (a
 * database failure, a bug) becomes INTERNAL_SERVER_ERROR, and only the log sees the detail.
 * Never a stack trace, never SQL.
 */
export function maskErrors(
  execution: ExecutionResult,
  context: Partial<MercuriusContext> | undefined,
  state: MemberState,
): { statusCode: number; response: FormattedExecutionResult } {
  // Errors before execution (a malformed body) come with a context that may lack the reply.
  const log = context?.reply?.log ?? context?.app?.log;
  // mercurius wraps the query's validation errors in one MER_ERR_GQL_VALIDATION error: unwrap them.
  const reported = (execution.errors ?? []).flatMap((error) => {
    const original = error.originalError;
    const inner: unknown = original && 'errors' in original ? original.errors : undefined;
    return Array.isArray(inner) ? inner.map(asGraphQLError) : [error];
  });
  const validationFailed = reported.length !== (execution.errors ?? []).length;
  const errors = reported.map((error) => {
    const tokens = TOO_MANY_TOKENS.exec(error.message);
    // graphql-js's parser stops at the member's token bound (query-bounds.ts): a query too large, not a mistake in it.
    if (tokens) {
      const maxTokens = Number(tokens[1]);
      return formattedError('QUERY_TOO_COMPLEX', `The query is too complex: more than ${maxTokens} tokens: send a smaller document`, undefined, {
        maxTokens,
        memberState: state,
      });
    }
    // @apollo/subgraph puts `_entities` indices into paths as strings; clients expect numbers.
    // GraphQL names never start with a digit, so a digit-only segment is always a list index.
    const path = error.path?.map((segment) => (typeof segment === 'string' && /^\d+$/.test(segment) ? Number(segment) : segment));
    const graphqlError = error;
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
  const original = execution.errors?.[0]?.originalError;
  const refusedStatus = original && 'statusCode' in original ? original.statusCode : undefined;
  return {
    statusCode: validationFailed ? 400 : execution.data == null && typeof refusedStatus === 'number' ? refusedStatus : 200,
    response: { data: execution.data ?? null, errors },
  };
}

/**
 * mercurius's wrapped errors may be request-validation errors that are not GraphQLErrors ("body
 * must be object"): they describe the request, so they become GraphQLErrors without an original
 * error (deliberate, BAD_USER_INPUT). Checked structurally: a second copy of graphql in the
 * process must not turn a GraphQLError into something else.
 */
function asGraphQLError(value: unknown): GraphQLError {
  if (value instanceof Error && 'extensions' in value && 'path' in value && 'originalError' in value) return value as GraphQLError;
  return new GraphQLError(value instanceof Error ? value.message : String(value));
}
