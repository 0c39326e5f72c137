import { X509Certificate, createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { TLSSocket, checkServerIdentity, type PeerCertificate } from 'node:tls';
import { Agent, Pool, buildConnector, request, type Dispatcher } from 'undici';
import type { GraphQLFormattedError } from 'graphql';
import type { UnavailableReason } from '../common/errors.ts';
import { DEFAULT_MAX_ANSWER_BYTES } from '../common/defaults.ts';
import { isPlainObject } from '../common/yaml-file.ts';
import type { AnswerMemory } from './answer-memory.ts';

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

/**
 * How a call failed. too_large: the answer passed its cap while streaming; memory_full: it was the
 * largest when the gateway's in-flight answer memory was full (answer-memory.ts), no fault of the
 * peer's (both are TOO_LARGE to a caller); database_unavailable: the peer
 * said its own database is down (HTTP 503 with code DATABASE_UNAVAILABLE); circuit_open: not sent,
 * the peer's circuit breaker is open (replicas.ts); aborted: ended by the gateway itself because a
 * hedged sibling answered first (never reported to a caller); tls: the mutual TLS handshake failed
 * (the peer's certificate is not of its CA, not for its address, expired, or its key does not
 * match the pin; or the peer refused the gateway's client certificate): never retried in plain text.
 */
export type FailureKind =
  'timeout' | 'unreachable' | 'http_error' | 'invalid_response' | 'too_large' | 'memory_full' | 'database_unavailable' | 'circuit_open' | 'aborted' | 'tls';

export interface Failure {
  kind: FailureKind;
  /** What went wrong, phrased to follow the peer's name: "did not answer within 2000 ms". */
  detail: string;
  /**
   * The connection failed before any answer started (refused, or closed before the response
   * headers): the only failure a call may be retried on another replica for (replicas.ts).
   */
  beforeAnswer?: boolean;
}

/** The MEMBER_UNAVAILABLE reason a caller sees for a failure. */
export function unavailableReason(failure: Failure): UnavailableReason {
  const reasons: Record<FailureKind, UnavailableReason> = {
    timeout: 'TIMEOUT',
    unreachable: 'UNREACHABLE',
    http_error: 'HTTP_ERROR',
    invalid_response: 'INVALID_RESPONSE',
    too_large: 'TOO_LARGE',
    memory_full: 'TOO_LARGE',
    database_unavailable: 'DATABASE_UNAVAILABLE',
    circuit_open: 'CIRCUIT_OPEN',
    aborted: 'UNREACHABLE',
    tls: 'TLS',
  };
  return reasons[failure.kind];
}

export type CallResult = { ok: true; status: number; body: GraphQLResponseBody; ms: number } | { ok: false; failure: Failure; ms: number };

/** Largest answer a call accepts unless told otherwise (members.yaml maxAnswerBytes): twice a member's own answer cap. */
export const DEFAULT_GATEWAY_MAX_ANSWER_BYTES = 2 * DEFAULT_MAX_ANSWER_BYTES;

export interface CallOptions {
  /** Largest answer accepted, in bytes: counted as it streams in, refused past it before anything is parsed. */
  maxAnswerBytes?: number;
  /** The gateway's in-flight answer memory, shared by every call (answer-memory.ts). */
  memory?: AnswerMemory;
  /** Ends the call early (a hedged sibling answered first): reported as `aborted`. */
  signal?: AbortSignal;
}

/** How the gateway connects to the peers reached over mutual TLS, by origin (https://host:port). */
export interface PeerTls {
  /** The CA (PEM) the peer's certificate must chain to. */
  ca: string;
  /** The gateway's client certificate and key (PEM). */
  cert: string;
  key: string;
  /** Base64 SHA-256 pins of the peer's SubjectPublicKeyInfo: one must match (after the CA and the host name). */
  pins?: string[];
}

/** The error a peer's refusal of the gateway's client certificate is reported with (see watchAcceptance). */
export const CLIENT_CERTIFICATE_REFUSED = 'ERR_HAGUE_TLS_CLIENT_CERTIFICATE_REFUSED';

/**
 * TLS 1.3 connections to peers that have not (yet) shown they accepted the gateway's client
 * certificate, by local address and port. Under TLS 1.3 the client's side of the handshake is done
 * before the server checks the client's certificate: a peer that refuses it sends an alert that
 * undici reads only as the socket's end ("other side closed"). A peer that accepts it sends session
 * tickets at once (or the session was resumed from one). So a connection that ends before any
 * ticket is a refusal of the certificate, and is reported as a TLS failure, not as unreachable.
 */
const unaccepted = new Set<string>();
const socketKey = (address: string | undefined, port: number | undefined) => `${address}:${port}`;

function watchAcceptance(socket: TLSSocket): void {
  if (socket.getProtocol() !== 'TLSv1.3' || socket.isSessionReused() || socket.getTLSTicket()) return;
  const key = socketKey(socket.localAddress, socket.localPort);
  unaccepted.add(key);
  socket.once('session', () => unaccepted.delete(key));
  // Kept a little after the close: the failed request is reported after its socket closed.
  socket.once('close', () => setTimeout(() => unaccepted.delete(key), 5000).unref());
}

/** A socket error of undici's ("other side closed") on a TLS 1.3 connection the peer never accepted. */
function refusedCertificate(error: unknown): boolean {
  const e = error as { code?: string; socket?: { localAddress?: string; localPort?: number; bytesRead?: number } } | undefined;
  if (e?.code !== 'UND_ERR_SOCKET' || !e.socket) return false;
  return unaccepted.has(socketKey(e.socket.localAddress, e.socket.localPort));
}

/** The error a pin mismatch fails the handshake with. */
export const PIN_MISMATCH = 'ERR_HAGUE_TLS_PIN_MISMATCH';

/**
 * The TLS options for one peer: its CA only (not the system's), the gateway's client certificate,
 * the host name checked as usual, then the public key against the pins.
 */
export function peerTlsOptions(tls: PeerTls) {
  return {
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2' as const,
    checkServerIdentity: (host: string, cert: PeerCertificate): Error | undefined => {
      const wrongName = checkServerIdentity(host, cert);
      if (wrongName || !tls.pins?.length) return wrongName;
      // SHA-256 of the DER SubjectPublicKeyInfo (PeerCertificate.pubkey is the bare key for EC keys, not the SPKI).
      const spki = new X509Certificate(cert.raw).publicKey.export({ type: 'spki', format: 'der' });
      const pin = createHash('sha256').update(spki).digest('base64');
      if (tls.pins.includes(pin)) return undefined;
      return Object.assign(new Error(`its certificate's public key (pin ${pin}) matches no pinned key (${tls.pins.join(', ')})`), { code: PIN_MISMATCH });
    },
  };
}

/**
 * A shared keep-alive pool for all peers. No flat response size limit here: every call counts its
 * answer's bytes against its own cap and the gateway's in-flight memory (postGraphQL). Peers in
 * `tls` (by origin) are connected with their own CA, pins and the gateway's client certificate;
 * any other origin as usual.
 */
export function createAgent(tls: ReadonlyMap<string, PeerTls> = new Map()): Agent {
  const byOrigin = new Map([...tls].map(([origin, peer]) => [new URL(origin).origin, peerTlsOptions(peer)]));
  return new Agent({
    factory: (origin, options) => {
      const base = options as Pool.Options;
      const peer = byOrigin.get(new URL(String(origin)).origin);
      if (!peer) return new Pool(origin, base);
      const connector = buildConnector({ ...(base.connect as buildConnector.BuildOptions), ...peer });
      const connect: buildConnector.connector = (options, callback) =>
        connector(options, (...args) => {
          if (args[1] instanceof TLSSocket) watchAcceptance(args[1]);
          callback(...args);
        });
      return new Pool(origin, { ...base, connect });
    },
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 120_000,
    connections: 128,
    pipelining: 1,
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
  options: CallOptions = {},
): Promise<CallResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const maxBytes = options.maxAnswerBytes ?? DEFAULT_GATEWAY_MAX_ANSWER_BYTES;
  // One budget for connect + headers + body: the signal also aborts a body that trickles in.
  const timeout = AbortSignal.timeout(timeoutMs);
  // Aborted when the gateway's answer memory drops this answer as the largest in flight.
  const refusal = new AbortController();
  const ticket = options.memory?.open(() => refusal.abort());
  const signal = AbortSignal.any([timeout, refusal.signal, ...(options.signal ? [options.signal] : [])]);
  const fail = (kind: FailureKind, detail: string, beforeAnswer = false): CallResult => ({
    ok: false,
    failure: { kind, detail, ...(beforeAnswer ? { beforeAnswer } : {}) },
    ms: elapsed(),
  });
  const tooLarge = () => fail('too_large', `answered more than ${formatBytes(maxBytes)} (its answer size cap)`);
  const memoryFull = () =>
    fail('memory_full', `sent the largest answer in flight when the gateway's answer memory (${formatBytes(options.memory?.maxBytes ?? 0)}) was full`);
  let answered = false;
  try {
    const response = await request(url, {
      dispatcher,
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
      body,
      signal,
    });
    answered = true;
    const status = response.statusCode;
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      response.body.destroy();
      return tooLarge();
    }
    // Counted chunk by chunk as they arrive, refused past the cap before anything is parsed.
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) return tooLarge();
      if (ticket && !ticket.grow(chunk.length)) return memoryFull();
      chunks.push(chunk);
    }
    const text = Buffer.concat(chunks, size).toString('utf8');
    chunks.length = 0;
    if (status === 503 && isDatabaseUnavailable(text)) {
      const retryAfter = response.headers['retry-after'];
      return fail(
        'database_unavailable',
        `answered that its database is unavailable (HTTP 503${typeof retryAfter === 'string' ? `, retry after ${retryAfter} s` : ''})`,
      );
    }
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
    if (options.signal?.aborted) return fail('aborted', 'was not waited for: another replica answered first');
    if (ticket?.refused) return memoryFull();
    if (timeout.aborted) return fail('timeout', `did not answer within ${timeoutMs} ms`);
    if (refusedCertificate(error)) {
      return fail('tls', "failed the mutual TLS handshake (it refused the gateway's client certificate: it closed the connection right after the handshake)");
    }
    const code = errorCode(error) ?? (error instanceof Error ? errorCode(error.cause) : undefined);
    if (isTlsFailure(code)) return fail('tls', `failed the mutual TLS handshake (${describeTls(code!, error)})`);
    return fail('unreachable', `is not reachable (${describe(code, error)})`, !answered && RETRYABLE_CODES.has(code ?? ''));
  } finally {
    ticket?.release();
  }
}

/** Connection failures that happen before the peer could answer: safe to try another replica. */
const RETRYABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/** OpenSSL's and Node's TLS failures, certificate checks and the gateway's own pin check. */
function isTlsFailure(code: string | undefined): boolean {
  if (!code) return false;
  return (
    code.startsWith('ERR_SSL_') ||
    code.startsWith('ERR_TLS_') ||
    code === PIN_MISMATCH ||
    code === CLIENT_CERTIFICATE_REFUSED ||
    /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME_MISMATCH|ALTNAME/.test(code)
  );
}

/** What the log and the caller read: which check failed. */
function describeTls(code: string, error: unknown): string {
  const message = error instanceof Error ? (errorCode(error) ? error.message : ((error.cause as Error | undefined)?.message ?? error.message)) : '';
  if (code === PIN_MISMATCH || code === CLIENT_CERTIFICATE_REFUSED) return message;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `its certificate is not for this address: ${message}`;
  if (/SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(code)) return `its certificate was not issued by the CA configured for it (${code})`;
  if (/EXPIRED|NOT_YET_VALID/.test(code)) return `its certificate is not valid now (${code})`;
  if (/ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_REQUIRED|CERTIFICATE_UNKNOWN|HANDSHAKE_FAILURE)/.test(code)) {
    return `it refused the gateway's client certificate (${code})`;
  }
  return `${code}${message ? `: ${message}` : ''}`;
}

/** A member's "my database is down" answer: HTTP 503 whose errors carry code DATABASE_UNAVAILABLE. */
function isDatabaseUnavailable(text: string): boolean {
  try {
    const json: unknown = JSON.parse(text);
    if (!isPlainObject(json) || !Array.isArray(json.errors)) return false;
    return json.errors.some((e) => isPlainObject(e) && isPlainObject(e.extensions) && e.extensions.code === 'DATABASE_UNAVAILABLE');
  } catch {
    return false;
  }
}

/** 8388608 -> "8 MiB", 1536 -> "1.5 KiB". */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`;
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
