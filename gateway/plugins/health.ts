import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import type { FastifyBaseLogger } from 'fastify';
import { codeOf } from '../../common/errors.ts';
import { REQUEST_ID_HEADER } from '../../common/request-id.ts';
import type { GatewayContext, OutgoingCall } from '../context.ts';
import { postGraphQL } from '../http-client.ts';
import type { MemberConfig } from '../members-config.ts';
import type { GatewayPlugin } from '../plugin.ts';

export interface HealthOptions {
  members: MemberConfig[];
  /** Subgraphs other than the member states, probed like them. */
  subgraphs: Array<{ name: string; url: string }>;
  dispatcher: Dispatcher;
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
}

/**
 * GET /healthz (the process is alive) and GET /readyz (the gateway can serve: supergraph loaded and
 * at least one state answering, each state's reachability listed, 503 otherwise). Probes are shared
 * for a second so a busy load balancer does not multiply traffic to the states.
 */
export function useHealth(options: HealthOptions): GatewayPlugin {
  const { members, subgraphs, dispatcher, isLoaded, headersFor } = options;
  let last: { at: number; result: Promise<Probe[]> } | undefined;
  const probeAll = (requestId: string, log: FastifyBaseLogger) => {
    if (!last || performance.now() - last.at > 1000) {
      const context = { requestId, log };
      last = {
        at: performance.now(),
        result: Promise.all([
          ...members.map(async (m) => {
            const timeoutMs = Math.min(m.timeoutMs, 1000);
            const headers = { [REQUEST_ID_HEADER]: requestId, ...(await headersFor(m, context, { body: PROBE, deadline: Date.now() + timeoutMs })) };
            return probe(dispatcher, m.code, 'member', m.url, headers, timeoutMs);
          }),
          ...subgraphs.map((s) => probe(dispatcher, s.name, 'subgraph', s.url, { [REQUEST_ID_HEADER]: requestId }, 1000)),
        ]),
      };
    }
    return last.result;
  };
  const entry = (p: Probe) => [p.name, { up: p.up, ms: p.ms, ...(p.detail ? { detail: p.detail } : {}) }] as const;

  return {
    name: 'health',
    onApp(app) {
      app.get('/healthz', async () => ({ status: 'ok' }));
      app.get('/readyz', async (request, reply) => {
        const probes = await probeAll(request.id, request.log);
        const memberProbes = probes.filter((p) => p.kind === 'member');
        const up = memberProbes.filter((p) => p.up).length;
        const ready = isLoaded() && (memberProbes.length ? up > 0 : probes.every((p) => p.up));
        reply.code(ready ? 200 : 503);
        return {
          ready,
          supergraphLoaded: isLoaded(),
          memberStates: Object.fromEntries(memberProbes.map(entry)),
          ...(subgraphs.length ? { subgraphs: Object.fromEntries(probes.filter((p) => p.kind === 'subgraph').map(entry)) } : {}),
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
