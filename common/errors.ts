import { GraphQLError } from 'graphql';

/**
 * Every `extensions.code` Hague emits, with its meaning. Clients switch on these codes;
 * keep them stable.
 */
export const ERROR_CODES = {
  UNAUTHENTICATED: 'No valid token: missing, expired, forged, or from an issuer the network does not know.',
  FORBIDDEN: 'A network-wide rule (gateway) withholds this field from the caller.',
  NOT_RELEASED: "The owning member state's release policy withholds this field from the caller.",
  PURPOSE_REQUIRED: 'The request does not state its purpose (X-Hague-Purpose).',
  MEMBER_UNAVAILABLE: 'A member state did not answer in time, or answered with something unusable.',
  BAD_USER_INPUT: 'The query, a variable or an argument is invalid; the message says what to fix.',
  QUERY_TOO_COMPLEX: 'The query asks for more than the network serves in one request.',
  INTERNAL_SERVER_ERROR: 'Something failed inside Hague; the log has the detail under the request id.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Builds a deliberate, client-facing error: these pass error masking, everything else is masked. */
export function hagueError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

export function isHagueErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && code in ERROR_CODES;
}
