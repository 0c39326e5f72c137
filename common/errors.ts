import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/**
 * Every `extensions.code` Hague emits, with its meaning. Clients switch on these codes;
 * keep them stable. Every error Hague makes is built here (hagueError, formattedError), with the
 * extensions its code promises.
 */
export const ERROR_CODES = {
  UNAUTHENTICATED: 'No valid token: missing, expired, forged, or from an issuer the network does not know.',
  FORBIDDEN: 'A network-wide rule (gateway) withholds this field from the caller.',
  NOT_RELEASED: "The owning member state's release policy withholds this field from the caller.",
  PURPOSE_REQUIRED: 'The request does not state its purpose (X-Hague-Purpose).',
  MEMBER_UNAVAILABLE: 'A member state did not answer in time, or answered with something unusable.',
  BAD_USER_INPUT: 'The query, a variable or an argument is invalid; the message says what to fix.',
  QUERY_TOO_COMPLEX: 'The query asks for more than the network serves in one request.',
  RATE_LIMITED: 'Too many requests in this time window (HTTP 429); retry after retryAfter seconds (also the Retry-After header).',
  INTERNAL_SERVER_ERROR: 'Something failed inside Hague; the log has the detail under the request id.',
  DATABASE_UNAVAILABLE:
    "Between a member and the gateway only: the member's own database is down (HTTP 503 with Retry-After); callers see MEMBER_UNAVAILABLE with reason DATABASE_UNAVAILABLE.",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * Why a member state (or another subgraph) is missing from an answer. CIRCUIT_OPEN: the gateway's
 * circuit breaker for the state is open after consecutive failures, so it was not asked at all;
 * DATABASE_UNAVAILABLE: the state answered that its own database is down (HTTP 503); TOO_LARGE: its
 * answer passed the state's answer size cap, or was the largest when the gateway's in-flight answer
 * memory was full, and was refused while it streamed in; TLS: the mutual TLS handshake with the state
 * failed (its certificate or pin did not match, or it refused the gateway's certificate).
 */
export type UnavailableReason =
  'UNREACHABLE' | 'TIMEOUT' | 'HTTP_ERROR' | 'INVALID_RESPONSE' | 'CIRCUIT_OPEN' | 'DATABASE_UNAVAILABLE' | 'TOO_LARGE' | 'NO_MEMBER_STATE' | 'TLS';

/** The HTTP status of an error refused before execution; read by the gateway, never sent to the caller. */
interface HttpStatus {
  http?: { status: number };
}

/** What each code carries besides its message: the state, the field, the reason a person needs to act. */
export interface ErrorExtensions {
  UNAUTHENTICATED: HttpStatus & { memberState?: string };
  FORBIDDEN: { field: string; fieldPath?: string; memberState?: string };
  NOT_RELEASED: { memberState: string; field: string; tier?: string };
  PURPOSE_REQUIRED: HttpStatus;
  MEMBER_UNAVAILABLE: { reason: UnavailableReason; memberState?: string; subgraph?: string; entities?: number };
  BAD_USER_INPUT: HttpStatus & { argumentName?: string; memberState?: string };
  QUERY_TOO_COMPLEX: Record<string, unknown>;
  RATE_LIMITED: { retryAfter: number; memberState?: string };
  INTERNAL_SERVER_ERROR: { memberState?: string; subgraph?: string };
  DATABASE_UNAVAILABLE: { memberState: string };
}

/** The extensions argument: optional where every key of the code's extensions is. */
type ExtensionsArg<C extends ErrorCode> = object extends ErrorExtensions[C] ? [extensions?: ErrorExtensions[C]] : [extensions: ErrorExtensions[C]];

/** Builds a deliberate, client-facing error: these pass error masking, everything else is masked. */
export function hagueError<C extends ErrorCode>(code: C, message: string, ...[extensions]: ExtensionsArg<C>): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

/** The same error as a plain response object (the fan-out and the members build answers, not exceptions). */
export function formattedError<C extends ErrorCode>(
  code: C,
  message: string,
  path: ReadonlyArray<string | number> | undefined,
  ...[extensions]: ExtensionsArg<C>
): GraphQLFormattedError {
  return { message, ...(path ? { path } : {}), extensions: { ...extensions, code } };
}

/** The `extensions.code` of any error in an answer, as text; `fallback` when it has none. */
export function codeOf(error: { extensions?: Record<string, unknown> } | undefined, fallback = 'INTERNAL_SERVER_ERROR'): string {
  const code = error?.extensions?.code;
  return typeof code === 'string' ? code : fallback;
}

export function isHagueErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && code in ERROR_CODES;
}
