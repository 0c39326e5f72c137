import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import type { FastifyBaseLogger } from 'fastify';
import { codeOf } from '../../common/errors.ts';
import { REQUEST_ID_HEADER } from '../../common/request-id.ts';
import type { GatewayContext, OutgoingCall } from '../context.ts';
import { postGraphQL } from '../http-client.ts';
import type { MemberConfig } from '../members-config.ts';
import type { GatewayPlugin } from '../plugin.ts';
import type { CircuitName, StateReport } from '../replicas.ts';

export interface HealthOptions {
  members: MemberConfig[];
  /** Subgraphs other than the member states, probed like them. */
  subgraphs: Array<{ name: string; url: string }>;
  dispatcher: Dispatcher;
  /** Each state's circuit breakers and replicas (replicas.ts); absent: one url per state, no breaker shown. */
  circuits?: () => StateReport[];
  /** False until the gateway has loaded its supergraph, and again once it is closing. */
  isLoaded: () => boolean;
  /** Headers for a probe to one state: the same credentials as real traffic (server.ts signs as the gateway's readiness caller). */
  headersFor: (member: MemberConfig, context: GatewayContext, call: OutgoingCall) => Promise<Record<string, string>>;
}

/** What a probe asks: the cheapest operation every GraphQL server answers. */
const PROBE = JSON.stringify({ query: '{ __typename }' });

interface Probe {
  name: string;
  kind: 'member' | 'subgraph';
  up: boolean;
  ms: number;
  detail?: string;
  /** A state with several replicas: each one's probe (the state is up when one is). */
  replicas?: Array<{ url: string; up: boolean; ms: number; detail?: string }>;
}

/**
 * GET /healthz (the process is alive) and GET /readyz (the gateway can serve: supergraph loaded and
 * at least one state answering, each state's reachability listed, 503 otherwise). Probes are shared
 * for a second so a busy load balancer does not multiply traffic to the states.
 */
export function useHealth(options: HealthOptions): GatewayPlugin {
  const { members, subgraphs, dispatcher, isLoaded, headersFor, circuits } = options;
  let last: { at: number; result: Promise<Probe[]> } | undefined;
  const probeAll = (requestId: string, log: FastifyBaseLogger) => {
    if (!last || performance.now() - last.at > 1000) {
      const context = { requestId, log };
      last = {
        at: performance.now(),
        result: Promise.all([
          ...members.map(async (m): Promise<Probe> => {
            const timeoutMs = Math.min(m.timeoutMs, 1000);
            // Every replica is probed, each with its own token (a token authorizes one request).
            const replicas = await Promise.all(
              (m.urls?.length ? m.urls : [m.url]).map(async (url) => {
                const headers = { [REQUEST_ID_HEADER]: requestId, ...(await headersFor(m, context, { body: PROBE, deadline: Date.now() + timeoutMs })) };
                return { url, ...(await probe(dispatcher, m.code, 'member', url, headers, timeoutMs)) };
              }),
            );
            if (replicas.length === 1) return replicas[0];
            const up = replicas.filter((r) => r.up);
            return {
              name: m.code,
              kind: 'member',
              up: up.length > 0,
              ms: Math.min(...(up.length ? up : replicas).map((r) => r.ms)),
              ...(up.length ? {} : { detail: replicas[0].detail }),
              replicas: replicas.map((r) => ({ url: r.url, up: r.up, ms: r.ms, ...(r.detail ? { detail: r.detail } : {}) })),
            };
          }),
          ...subgraphs.map((s) => probe(dispatcher, s.name, 'subgraph', s.url, { [REQUEST_ID_HEADER]: requestId }, 1000)),
        ]),
      };
    }
    return last.result;
  };
  const entry = (p: Probe, breakers?: Map<string, StateReport>) => {
    const report = breakers?.get(p.name);
    const circuit: { circuit?: CircuitName } = report ? { circuit: report.circuit } : {};
    const replicas = p.replicas?.map((r) => ({ ...r, ...(report ? { circuit: report.replicas.find((x) => x.url === r.url)?.circuit } : {}) }));
    return [p.name, { up: p.up, ms: p.ms, ...(p.detail ? { detail: p.detail } : {}), ...circuit, ...(replicas ? { replicas } : {}) }] as const;
  };

  return {
    name: 'health',
    onApp(app) {
      app.get('/healthz', async () => ({ status: 'ok' }));
      app.get('/readyz', async (request, reply) => {
        const probes = await probeAll(request.id, request.log);
        const breakers = circuits ? new Map(circuits().map((r) => [r.state, r])) : undefined;
        const open = [...(breakers?.values() ?? [])].filter((r) => r.circuit !== 'closed').map((r) => r.state);
        const memberProbes = probes.filter((p) => p.kind === 'member');
        const up = memberProbes.filter((p) => p.up).length;
        const ready = isLoaded() && (memberProbes.length ? up > 0 : probes.every((p) => p.up));
        reply.code(ready ? 200 : 503);
        return {
          ready,
          supergraphLoaded: isLoaded(),
          memberStates: Object.fromEntries(memberProbes.map((p) => entry(p, breakers))),
          ...(subgraphs.length ? { subgraphs: Object.fromEntries(probes.filter((p) => p.kind === 'subgraph').map((p) => entry(p))) } : {}),
          ...(open.length ? { openCircuits: open } : {}),
          summary: `${up} of ${memberProbes.length} member states answering`,
        };
      });
    },
  };
}

/**
 * A state is up when it answers `{ __typename }` as GraphQL, through the same client, headers and
 * timeout budget as real traffic (capped at 1 s): a state that answers /healthz but garbage on
 * /graphql, or rejects the gateway's credentials, is not up.
 */
async function probe(
  dispatcher: Dispatcher,
  name: string,
  kind: Probe['kind'],
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<Probe> {
  const result = await postGraphQL(dispatcher, url, PROBE, headers, timeoutMs);
  if (!result.ok) return { name, kind, up: false, ms: result.ms, detail: result.failure.detail };
  const error = result.body.errors?.[0];
  if (error || typeof result.body.data?.__typename !== 'string') {
    return { name, kind, up: false, ms: result.ms, detail: `answered with an error: ${error ? codeOf(error, error.message) : 'no data'}` };
  }
  return { name, kind, up: true, ms: result.ms };
}
