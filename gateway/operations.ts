import type { Caller } from '../common/caller.ts';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { ApolloServerPlugin } from '@apollo/server';
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Dispatcher } from 'undici';
import type { GatewayContext, HeadersFor, StateCall } from './fanout.ts';
import { postGraphQL } from './http-client.ts';
import type { MemberConfig } from './members-config.ts';

/**
 * What operators see: /healthz (alive), /readyz (which states answer), /metrics (Prometheus),
 * and one request id per request, taken from X-Request-Id or generated, logged, returned and
 * forwarded to every state so one query can be followed through the gateway and every member log.
 */

export interface GatewayMetrics {
  registry: Registry;
  requests: Counter<'operation_type'>;
  errors: Counter<'code'>;
  duration: Histogram<never>;
  stateLatency: Histogram<'member_state' | 'kind'>;
  stateFailures: Counter<'member_state' | 'reason'>;
}

/** One registry per gateway (not prom-client's global one), so several gateways can share a process. */
export function createMetrics(): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hague_gateway_process_' });
  const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10];
  return {
    registry,
    requests: new Counter({ name: 'hague_gateway_requests_total', help: 'GraphQL requests answered by the gateway', labelNames: ['operation_type'], registers: [registry] }),
    errors: new Counter({ name: 'hague_gateway_errors_total', help: 'Errors in gateway answers, by extensions.code', labelNames: ['code'], registers: [registry] }),
    duration: new Histogram({ name: 'hague_gateway_request_duration_seconds', help: 'Time to answer a GraphQL request', buckets, registers: [registry] }),
    stateLatency: new Histogram({ name: 'hague_member_request_duration_seconds', help: 'Time a member state (or other subgraph) took to answer one gateway request', labelNames: ['member_state', 'kind'], buckets, registers: [registry] }),
    stateFailures: new Counter({ name: 'hague_member_failures_total', help: 'Member state requests that failed (timeout, unreachable, http_error, invalid_response)', labelNames: ['member_state', 'reason'], registers: [registry] }),
  };
}

/** Records one call to a state: the fan-out's onCall hook. */
export function recordCall(metrics: GatewayMetrics, call: StateCall): void {
  metrics.stateLatency.observe({ member_state: call.state, kind: call.kind }, call.ms / 1000);
  if (call.outcome !== 'ok') metrics.stateFailures.inc({ member_state: call.state, reason: call.outcome });
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A caller's X-Request-Id is kept when it is a sane token (it ends up in every log); otherwise a new UUID. */
export function requestIdFrom(header: unknown): string {
  const value = Array.isArray(header) ? header[0] : header;
  return typeof value === 'string' && REQUEST_ID.test(value) ? value : randomUUID();
}

/** Counts requests and errors by code, and logs one structured line per GraphQL request. */
export function metricsPlugin(metrics: GatewayMetrics): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      let operationType = 'unknown';
      return {
        async didResolveOperation({ operation }) { operationType = operation?.operation ?? 'unknown'; },
        async willSendResponse({ response, operationName }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors ?? [] : [];
          const codes = errors.map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
          const ms = Math.round(performance.now() - started);
          metrics.requests.inc({ operation_type: operationType });
          metrics.duration.observe(ms / 1000);
          for (const code of codes) metrics.errors.inc({ code });
          const states = [...new Set(errors.map((e) => e.extensions?.memberState).filter(Boolean))];
          // The gateway's side of the audit trail: who asked, why, and what came back, under the
          // request id every member state also writes into its own audit record.
          const caller = contextValue.caller as Caller | undefined;
          (contextValue.log as { info?: (o: object, m: string) => void } | undefined)?.info?.({
            operationName: operationName ?? null, operationType, ms, errors: codes, statesWithErrors: states.length ? states : undefined,
            caller: caller && { state: caller.state, agency: caller.agency, subject: caller.subject, purpose: caller.purpose, case: caller.caseReference },
          }, 'graphql request answered');
        },
      };
    },
  };
}

interface Probe { name: string; kind: 'member' | 'subgraph'; up: boolean; ms: number; detail?: string }

export interface OperationsOptions {
  members: MemberConfig[];
  /** Other subgraphs, probed like the states. */
  subgraphs: Array<{ name: string; url: string }>;
  metrics: GatewayMetrics;
  dispatcher: Dispatcher;
  /** False until the gateway has loaded its supergraph. */
  isLoaded: () => boolean;
  /** The fan-out's header hook, so probes carry the same credentials as real requests. */
  headersFor?: HeadersFor;
}

export function registerOperations(app: FastifyInstance, options: OperationsOptions): void {
  const { members, subgraphs, metrics, dispatcher, isLoaded } = options;

  app.addHook('onRequest', async (req, reply) => { reply.header('x-request-id', req.id); });

  app.get('/healthz', async () => ({ status: 'ok' }));

  // Probes are shared for a second so a busy load balancer does not multiply traffic to the states.
  let last: { at: number; result: Promise<Probe[]> } | undefined;
  const memberHeaders = async (member: MemberConfig, requestId: string) =>
    ({ 'x-request-id': requestId, ...(options.headersFor ? await options.headersFor(member, { requestId }) : {}) });
  const probeAll = (requestId: string) => {
    if (!last || performance.now() - last.at > 1000) {
      last = {
        at: performance.now(),
        result: Promise.all([
          ...members.map(async (m) => probe(dispatcher, m.code, 'member', m.url, await memberHeaders(m, requestId), Math.min(m.timeoutMs, 1000))),
          ...subgraphs.map((s) => probe(dispatcher, s.name, 'subgraph', s.url, { 'x-request-id': requestId }, 1000)),
        ]),
      };
    }
    return last.result;
  };

  app.get('/readyz', async (req, reply) => {
    const probes = await probeAll(req.id);
    const memberProbes = probes.filter((p) => p.kind === 'member');
    const up = memberProbes.filter((p) => p.up).length;
    // Ready = can serve: supergraph loaded and at least one state (or, without states, the subgraphs) answering.
    const ready = isLoaded() && (memberProbes.length ? up > 0 : probes.every((p) => p.up));
    reply.code(ready ? 200 : 503);
    return {
      ready,
      supergraphLoaded: isLoaded(),
      memberStates: Object.fromEntries(memberProbes.map((p) => [p.name, { up: p.up, ms: p.ms, ...(p.detail ? { detail: p.detail } : {}) }])),
      ...(subgraphs.length ? { subgraphs: Object.fromEntries(probes.filter((p) => p.kind === 'subgraph').map((p) => [p.name, { up: p.up, ms: p.ms, ...(p.detail ? { detail: p.detail } : {}) }])) } : {}),
      summary: `${up} of ${memberProbes.length} member states answering`,
    };
  });

  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}

/**
 * A state is up when it answers `{ __typename }` as GraphQL, through the same client, headers and
 * timeout budget as real traffic (capped at 1 s): a state that answers /healthz but garbage on
 * /graphql, or rejects the gateway's credentials, is not up.
 */
async function probe(dispatcher: Dispatcher, name: string, kind: Probe['kind'], url: string, headers: Record<string, string>, timeoutMs: number): Promise<Probe> {
  const result = await postGraphQL(dispatcher, url, { query: '{ __typename }' }, headers, timeoutMs);
  if (!result.ok) return { name, kind, up: false, ms: result.ms, detail: result.failure.detail };
  const error = result.body.errors?.[0];
  if (error || typeof result.body.data?.__typename !== 'string') {
    return { name, kind, up: false, ms: result.ms, detail: `answered with an error: ${String(error?.extensions?.code ?? error?.message ?? 'no data')}` };
  }
  return { name, kind, up: true, ms: result.ms };
}
