import { performance } from 'node:perf_hooks';
import { Agent, request, type Dispatcher } from 'undici';
import type { GraphQLFormattedError } from 'graphql';
import type { UnavailableReason } from '../common/errors.ts';
import { isPlainObject } from '../common/yaml-file.ts';

/**
 * The gateway's only way out: POST a GraphQL request over keep-alive connections with one hard
 * budget per call. Apollo's default fetcher (make-fetch-happen) has no per-request timeout and
 * resets connections under load; a state that hangs must cost its own timeout, nothing more.
 */

export interface GraphQLResponseBody {
  data?: Record<string, unknown> | null;
  errors?: GraphQLFormattedError[];
  extensions?: Record<string, unknown>;
}

export type FailureKind = 'timeout' | 'unreachable' | 'http_error' | 'invalid_response';

export interface Failure {
  kind: FailureKind;
  /** What went wrong, phrased to follow the peer's name: "did not answer within 2000 ms". */
  detail: string;
}

/** The MEMBER_UNAVAILABLE reason a caller sees for a failure. */
export function unavailableReason(failure: Failure): UnavailableReason {
  const reasons: Record<FailureKind, UnavailableReason> = {
    timeout: 'TIMEOUT',
    unreachable: 'UNREACHABLE',
    http_error: 'HTTP_ERROR',
    invalid_response: 'INVALID_RESPONSE',
  };
  return reasons[failure.kind];
}

export type CallResult = { ok: true; status: number; body: GraphQLResponseBody; ms: number } | { ok: false; failure: Failure; ms: number };

/** A shared keep-alive pool for all peers; answers larger than 64 MiB are treated as garbage. */
export function createAgent(): Agent {
  return new Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 120_000,
    connections: 128,
    pipelining: 1,
    maxResponseSize: 64 * 1024 * 1024,
    // Backstops only: every call carries its own, shorter AbortSignal budget.
    headersTimeout: 130_000,
    bodyTimeout: 130_000,
    connect: { timeout: 130_000 },
  });
}

export async function postGraphQL(
  dispatcher: Dispatcher,
  url: string,
  /** The JSON body exactly as it goes on the wire (a context token is bound to these bytes). */
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<CallResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  // One budget for connect + headers + body: the signal also aborts a body that trickles in.
  const signal = AbortSignal.timeout(timeoutMs);
  const fail = (kind: FailureKind, detail: string): CallResult => ({ ok: false, failure: { kind, detail }, ms: elapsed() });
  try {
    const response = await request(url, {
      dispatcher,
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
      body,
      signal,
    });
    const text = await response.body.text();
    const status = response.statusCode;
    if (status >= 500) return fail('http_error', `answered HTTP ${status}`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return fail('invalid_response', `answered HTTP ${status} with a body that is not JSON`);
    }
    if (!isGraphQLResponse(json)) return fail('invalid_response', `answered HTTP ${status} with JSON that is not a GraphQL response`);
    return { ok: true, status, body: json, ms: elapsed() };
  } catch (error) {
    if (signal.aborted) return fail('timeout', `did not answer within ${timeoutMs} ms`);
    const code = errorCode(error) ?? (error instanceof Error ? errorCode(error.cause) : undefined);
    if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return fail('invalid_response', 'answered more than 64 MiB');
    return fail('unreachable', `is not reachable (${describe(code, error)})`);
  }
}

function describe(code: string | undefined, error: unknown): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection closed before it answered';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'no route to host';
    default:
      return code ?? (error instanceof Error ? error.message : 'unknown error');
  }
}

/** The `code` of a Node or undici error (ECONNREFUSED, UND_ERR_SOCKET...), if it has one. */
function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/** A body is usable only if it has the GraphQL response shape; anything else counts as garbage. */
export function isGraphQLResponse(value: unknown): value is GraphQLResponseBody {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  if (!isPlainObject(value)) return false;
  const v = value;
  if (!('data' in v) && !('errors' in v)) return false;
  if ('data' in v && v.data !== null && v.data !== undefined && (typeof v.data !== 'object' || Array.isArray(v.data))) return false;
  if ('errors' in v && v.errors !== undefined) {
    if (!Array.isArray(v.errors)) return false;
    if (!v.errors.every((e) => isPlainObject(e) && typeof e.message === 'string')) return false;
  }
  return true;
}
