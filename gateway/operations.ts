import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { ApolloServerPlugin } from '@apollo/server';
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { request, type Dispatcher } from 'undici';
import type { GatewayContext, StateCall } from './fanout.ts';
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
          (contextValue.log as { info?: (o: object, m: string) => void } | undefined)?.info?.(
            { operationName: operationName ?? null, operationType, ms, errors: codes, unavailable: states.length ? states : undefined },
            'graphql request answered');
        },
      };
    },
  };
}

interface Probe { name: string; kind: 'member' | 'subgraph'; up: boolean; ms: number; detail?: string }

export interface OperationsOptions {
  members: MemberConfig[];
  /** Other subgraphs: probed with `{ __typename }` since they have no /healthz of ours. */
  subgraphs: Array<{ name: string; url: string }>;
  metrics: GatewayMetrics;
  dispatcher: Dispatcher;
  /** False until the gateway has loaded its supergraph. */
  isLoaded: () => boolean;
}

export function registerOperations(app: FastifyInstance, options: OperationsOptions): void {
  const { members, subgraphs, metrics, dispatcher, isLoaded } = options;

  app.addHook('onRequest', async (req, reply) => { reply.header('x-request-id', req.id); });

  app.get('/healthz', async () => ({ status: 'ok' }));

  // Probes are shared for a second so a busy load balancer does not multiply traffic to the states.
  let last: { at: number; result: Promise<Probe[]> } | undefined;
  const probeAll = () => {
    if (!last || performance.now() - last.at > 1000) {
      last = {
        at: performance.now(),
        result: Promise.all([
          ...members.map((m) => probe(dispatcher, m.code, 'member', new URL('/healthz', m.url).href, 'GET', Math.min(m.timeoutMs, 1000))),
          ...subgraphs.map((s) => probe(dispatcher, s.name, 'subgraph', s.url, 'POST', 1000)),
        ]),
      };
    }
    return last.result;
  };

  app.get('/readyz', async (_req, reply) => {
    const probes = await probeAll();
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

async function probe(dispatcher: Dispatcher, name: string, kind: Probe['kind'], url: string, method: 'GET' | 'POST', timeoutMs: number): Promise<Probe> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await request(url, {
      dispatcher, method, signal,
      ...(method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) } : {}),
    });
    await res.body.dump();
    return res.statusCode < 300 ? { name, kind, up: true, ms: ms() } : { name, kind, up: false, ms: ms(), detail: `HTTP ${res.statusCode}` };
  } catch (error) {
    const detail = signal.aborted ? `no answer within ${timeoutMs} ms` : ((error as { code?: string }).code ?? 'unreachable');
    return { name, kind, up: false, ms: ms(), detail };
  }
}
