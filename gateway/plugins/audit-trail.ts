import { createHash } from 'node:crypto';
import { codeOf } from '../../common/errors.ts';
import type { GatewayContext, StateCall } from '../context.ts';
import { isExplorerPageRequest } from '../explorer.ts';
import type { GatewayPlugin } from '../plugin.ts';

/** Where the gateway's audit entries go: common/audit-log.ts's hash-chained log (or anything with `append`). */
export interface AuditSink {
  append(kind: string, entry: Record<string, unknown>): Promise<unknown>;
}

/** What the gateway saw of one state during one request. */
interface StateSeen {
  calls: number;
  failed?: string;
  records: number;
}

interface Seen {
  states: Map<string, StateSeen>;
  removed: string[];
}

/**
 * The gateway's side of the accountability trail, written to its own audit log (apart from any
 * state's): per GraphQL request the caller, purpose, case, the operation (name and a digest of its
 * text, never the text itself: it holds search criteria, which the owners record), the states
 * asked, answered and failed (with the reason), the records each state returned, the fields the
 * network's rules removed; and every request refused before execution (401, 400, 429) with its
 * reason. Keyed by the gateway's request id, which every state's own audit entry carries too.
 */
export function useAuditTrail(sink: AuditSink, path = '/graphql'): GatewayPlugin {
  const seen = new WeakMap<GatewayContext, Seen>();
  const of = (context: GatewayContext): Seen => {
    let s = seen.get(context);
    if (!s) seen.set(context, (s = { states: new Map(), removed: [] }));
    return s;
  };

  return {
    name: 'audit-trail',
    onStateCall(call: StateCall, context: GatewayContext) {
      const state = of(context).states.get(call.state) ?? { calls: 0, records: 0 };
      state.calls++;
      if (call.outcome !== 'ok') state.failed = call.outcome.toUpperCase();
      of(context).states.set(call.state, state);
    },
    onRemoved(coordinates: string[], context: GatewayContext) {
      of(context).removed.push(...coordinates);
    },
    apollo: {
      async requestDidStart({ request }) {
        return {
          async willSendResponse({ response, operationName, contextValue, source }) {
            const { caller } = contextValue;
            const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
            const s = of(contextValue);
            const records = countRecords(body?.data);
            const states = Object.fromEntries(
              [...new Set([...s.states.keys(), ...Object.keys(records)])].map((state) => {
                const st = s.states.get(state);
                return [
                  state,
                  {
                    asked: (st?.calls ?? 0) > 0,
                    answered: st !== undefined && !st.failed,
                    ...(st?.failed ? { failed: st.failed } : {}),
                    records: records[state] ?? 0,
                  },
                ];
              }),
            );
            const text = source ?? request.query ?? '';
            await sink.append('gateway-request', {
              requestId: contextValue.requestId,
              ...(contextValue.correlationId ? { correlationId: contextValue.correlationId } : {}),
              at: new Date().toISOString(),
              caller: caller ? { state: caller.state, agency: caller.agency, subject: caller.subject, roles: caller.roles, clearance: caller.clearance } : null,
              purpose: caller?.purpose ?? null,
              caseReference: caller?.caseReference ?? null,
              operation: { name: operationName ?? null, digest: createHash('sha256').update(text).digest('hex') },
              states,
              removedByNetworkRules: [...new Set(s.removed)],
              errors: (body?.errors ?? []).map((e) => codeOf(e)),
            });
          },
        };
      },
    },
    onApp(app) {
      // Requests refused before Apollo ran (no or bad token, no purpose, rate limits): the reply
      // body is the refusal, so its first error says why.
      app.addHook('onSend', async (request, reply, payload) => {
        if (request.routeOptions.url !== path || request.method === 'OPTIONS' || isExplorerPageRequest(request, path)) return payload;
        // With a caller, Apollo answered (its entry is written above), unless a rate limit refused it first.
        if (reply.statusCode < 400 || (request.caller && reply.statusCode !== 429)) return payload;
        const error = firstError(payload);
        await sink.append('gateway-refusal', {
          requestId: request.id,
          ...(request.correlationId ? { correlationId: request.correlationId } : {}),
          at: new Date().toISOString(),
          status: reply.statusCode,
          code: error?.code ?? null,
          reason: error?.message ?? null,
          caller: request.caller ? { state: request.caller.state, agency: request.caller.agency, subject: request.caller.subject } : null,
          address: request.ip,
        });
        return payload;
      });
    },
  };
}

/** Records in an answer per member state: every object carrying a memberState. */
function countRecords(data: unknown): Record<string, number> {
  const counts: Record<string, number> = {};
  const walk = (value: unknown) => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (value === null || typeof value !== 'object') return;
    const object = value as Record<string, unknown>;
    if (typeof object.memberState === 'string' && ('id' in object || Object.keys(object).length > 1))
      counts[object.memberState] = (counts[object.memberState] ?? 0) + 1;
    Object.values(object).forEach(walk);
  };
  walk(data);
  return counts;
}

function firstError(payload: unknown): { code: string | null; message: string } | undefined {
  if (typeof payload !== 'string') return undefined;
  try {
    const body = JSON.parse(payload) as { errors?: Array<{ message?: unknown; extensions?: Record<string, unknown> }> };
    const error = body.errors?.[0];
    if (!error || typeof error.message !== 'string') return undefined;
    return { code: codeOf(error, ''), message: error.message };
  } catch {
    return undefined;
  }
}
