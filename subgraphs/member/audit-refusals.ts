import type { FastifyInstance } from 'fastify';
import { parse, type DocumentNode } from 'graphql';
import type { AuditLog } from '../../common/audit-log.ts';
import { CORRELATION_ID_HEADER, requestIdHeader } from '../../common/request-id.ts';
import { describeRefusal } from './audit-entry.ts';
import { recordEntry, wasAudited, type AuditTarget } from './audit.ts';
import { requestOperation } from './request-operation.ts';

/**
 * The owner's audit of requests it refused before any resolver ran, which the GraphQL hooks never
 * see:
 *
 * - **With a valid context token** (the caller is known): a document mercurius rejected (syntax,
 *   token limit, validation, a GET for a mutation…), or any other error answer on /graphql that no
 *   entry covers yet. One entry per request, `outcome: refused`, with the caller, the code and the
 *   message sent, written before the answer leaves (fastify `onSend`).
 * - **Without a valid context token** (no token, forged, replayed, past its deadline, for another
 *   state): an entry of kind `rejected` with the client address, the path, the reason and, for a
 *   token that verified but was replayed or late, the caller it names. These cost the sender
 *   nothing, so they are counted, not logged one by one: the first refusal of an address for a
 *   reason within a minute is an entry at once; the rest are summed into one entry when the minute
 *   ends (`count`, `from`, `until`). At most MAX_WINDOWS addresses are tracked at once; beyond
 *   that, refusals are summed under the address `*`. Only in a state's own audit log (not in the
 *   records database's fallback table, which has no room for a request without a caller).
 */

/** How long refusals of one address for one reason are summed into one entry. */
const WINDOW_MS = 60_000;
const MAX_WINDOWS = 10_000;

export interface RejectedRequest {
  /** Why: the refusal message's reason ('no context token', 'context token rejected (…)'). */
  reason: string;
  ip: string;
  method: string;
  path: string;
  /** The caller named by a token that verified but was refused (replayed, past its deadline). */
  caller?: { state: string; subject: string; requestId: string };
}

interface Window {
  first: RejectedRequest & { at: string };
  /** Refusals after the first, summed. */
  more: number;
  lastAt: string;
  timer: NodeJS.Timeout;
}

/** Records a refusal before the context token was accepted; returns at once (the 401 does not wait for the log). */
export type RejectionRecorder = (rejected: RejectedRequest) => void;

export function auditRejections(app: FastifyInstance, log: AuditLog | undefined): RejectionRecorder {
  if (!log) return () => {};
  const windows = new Map<string, Window>();
  const append = (entry: Record<string, unknown>) =>
    log.append('rejected', entry).catch((error: unknown) => app.log.error({ err: error }, 'audit: could not record a rejected request'));

  const close = (key: string): Promise<unknown> | undefined => {
    const window = windows.get(key);
    if (!window) return;
    windows.delete(key);
    clearTimeout(window.timer);
    if (window.more === 0) return;
    const { first } = window;
    return append({
      at: window.lastAt,
      outcome: 'rejected',
      code: 'UNAUTHENTICATED',
      reason: first.reason,
      from: key.startsWith('*|') ? '*' : first.ip,
      count: window.more,
      since: first.at,
      until: window.lastAt,
      summary: `${window.more} more refusals of this kind from ${key.startsWith('*|') ? 'addresses past the tracking limit' : first.ip} after the one recorded at ${first.at}`,
    });
  };
  app.addHook('onClose', async () => {
    await Promise.all([...windows.keys()].map((key) => close(key) ?? Promise.resolve()));
  });

  return (rejected) => {
    const at = new Date().toISOString();
    // A replayed or late token is summed per request it names; the rest per address and reason.
    const reason = `${rejected.reason}|${rejected.caller?.requestId ?? ''}`;
    let key = `${rejected.ip}|${reason}`;
    if (!windows.has(key) && windows.size >= MAX_WINDOWS) key = `*|${reason}`;
    const window = windows.get(key);
    if (window) {
      window.more++;
      window.lastAt = at;
      return;
    }
    const timer = setTimeout(() => void close(key), WINDOW_MS);
    timer.unref();
    windows.set(key, { first: { ...rejected, at }, more: 0, lastAt: at, timer });
    void append({
      at,
      outcome: 'rejected',
      code: 'UNAUTHENTICATED',
      reason: rejected.reason,
      from: rejected.ip,
      method: rejected.method,
      path: rejected.path,
      ...(rejected.caller ? { caller: rejected.caller, requestId: rejected.caller.requestId } : {}),
      count: 1,
    });
  };
}

/**
 * Error answers on /graphql to a known caller that no entry covers (mercurius's own refusals:
 * syntax, token limit, validation): one `refused` entry each, before the answer leaves.
 */
export function auditUnrecordedRefusals(app: FastifyInstance, audit: AuditTarget): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const claims = request.contextClaims;
    if (!claims || reply.statusCode < 400 || wasAudited(request) || request.routeOptions.url !== '/graphql') return payload;
    const first = firstError(payload);
    const sent = requestOperation(request);
    let document: DocumentNode | undefined;
    try {
      document = sent.query ? parse(sent.query) : undefined;
    } catch {
      document = undefined; // a syntax error: no criteria to record
    }
    // Nothing is released in a refusal: one the log cannot take (its database down) is still sent.
    await recordEntry(
      audit,
      describeRefusal({
        caller: claims.caller,
        correlationId: requestIdHeader(request.headers[CORRELATION_ID_HEADER]),
        query: sent.query ?? '',
        document,
        operationName: sent.operationName ?? null,
        variables: sent.variables,
        code: first.code ?? `HTTP_${reply.statusCode}`,
        reason: first.message ?? `answered HTTP ${reply.statusCode}`,
      }),
      request,
    ).catch((error: unknown) => request.log.error({ err: error }, 'audit: could not record a refused request'));
    return payload;
  });
}

function firstError(payload: unknown): { code?: string; message?: string } {
  const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : null;
  if (text === null) return {};
  try {
    const body = JSON.parse(text) as { errors?: Array<{ message?: unknown; extensions?: { code?: unknown } }> };
    const error = body.errors?.[0];
    return {
      code: typeof error?.extensions?.code === 'string' ? error.extensions.code : undefined,
      message: typeof error?.message === 'string' ? error.message : undefined,
    };
  } catch {
    return {};
  }
}
