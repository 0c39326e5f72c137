import { performance } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { codeOf } from '../../common/errors.ts';
import { CIRCUIT_GAUGE, type StateReport } from '../replicas.ts';
import type { GatewayPlugin } from '../plugin.ts';

/** The gateway's Prometheus metrics, in a registry of its own (several gateways can share a process). */
export interface GatewayMetrics {
  registry: Registry;
  requests: Counter<'operation_type'>;
  errors: Counter<'code'>;
  duration: Histogram<never>;
  stateLatency: Histogram<'member_state' | 'kind'>;
  stateFailures: Counter<'member_state' | 'reason'>;
  /** 0 closed, 1 half-open, 2 open (open only when every replica of the state is). */
  circuitState: Gauge<'member_state'>;
  replicaCircuitState: Gauge<'member_state' | 'replica'>;
}

/** `circuits`: each state's breakers and replicas, read at every scrape (replicas.ts). */
export function createMetrics(circuits: () => StateReport[] = () => []): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hague_gateway_process_' });
  const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10];
  return {
    registry,
    requests: new Counter({
      name: 'hague_gateway_requests_total',
      help: 'GraphQL requests answered by the gateway',
      labelNames: ['operation_type'],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'hague_gateway_errors_total',
      help: 'Errors in gateway answers, by extensions.code',
      labelNames: ['code'],
      registers: [registry],
    }),
    duration: new Histogram({ name: 'hague_gateway_request_duration_seconds', help: 'Time to answer a GraphQL request', buckets, registers: [registry] }),
    stateLatency: new Histogram({
      name: 'hague_member_request_duration_seconds',
      help: 'Time a member state (or other subgraph) took to answer one gateway request',
      labelNames: ['member_state', 'kind'],
      buckets,
      registers: [registry],
    }),
    stateFailures: new Counter({
      name: 'hague_member_failures_total',
      help: 'Member state requests that failed (timeout, unreachable, http_error, invalid_response, too_large, memory_full, database_unavailable, circuit_open, tls)',
      labelNames: ['member_state', 'reason'],
      registers: [registry],
    }),
    circuitState: new Gauge({
      name: 'hague_member_circuit_state',
      help: "A member state's circuit breaker: 0 closed, 1 half-open (probing), 2 open (every replica open: the state is not asked)",
      labelNames: ['member_state'],
      registers: [registry],
      collect() {
        this.reset();
        for (const s of circuits()) this.set({ member_state: s.state }, CIRCUIT_GAUGE[s.circuit]);
      },
    }),
    replicaCircuitState: new Gauge({
      name: 'hague_member_replica_circuit_state',
      help: "One replica's circuit breaker: 0 closed, 1 half-open (probing), 2 open",
      labelNames: ['member_state', 'replica'],
      registers: [registry],
      collect() {
        this.reset();
        for (const s of circuits()) for (const r of s.replicas) this.set({ member_state: s.state, replica: r.url }, CIRCUIT_GAUGE[r.circuit]);
      },
    }),
  };
}

/** GET /metrics; counts GraphQL requests, errors by code, answer time, and every call to a state. */
export function useMetrics(metrics: GatewayMetrics): GatewayPlugin {
  return {
    name: 'metrics',
    onApp(app) {
      app.get('/metrics', async (_request, reply) => {
        reply.header('content-type', metrics.registry.contentType);
        return metrics.registry.metrics();
      });
    },
    apollo: {
      async requestDidStart() {
        const started = performance.now();
        let operationType = 'unknown';
        return {
          async didResolveOperation({ operation }) {
            operationType = operation?.operation ?? 'unknown';
          },
          async willSendResponse({ response }) {
            const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
            metrics.requests.inc({ operation_type: operationType });
            metrics.duration.observe((performance.now() - started) / 1000);
            for (const error of errors) metrics.errors.inc({ code: codeOf(error) });
          },
        };
      },
    },
    onStateCall(call) {
      metrics.stateLatency.observe({ member_state: call.state, kind: call.kind }, call.ms / 1000);
      if (call.outcome !== 'ok') metrics.stateFailures.inc({ member_state: call.state, reason: call.outcome });
    },
  };
}
