/**
 * Bench role: one gateway of the federation benchmark (bench/federation.ts) in its own process,
 * so its CPU time is its own.
 *  - 'hague': startGateway as `hague gateway` runs it, caller auth on (dev tokens of one identity
 *             provider, NL's), the network rules of the supergraph (none: open fields), query
 *             limits, compression; the four subgraphs are non-member subgraphs
 *             (gateway/subgraph-source.ts). Rate limits off: the bench is one caller.
 *  - 'stock': @apollo/gateway in @apollo/server on fastify (@as-integrations/fastify), Apollo's
 *             own RemoteGraphQLDataSource, no plugins beyond the disabled reporting.
 */
import '../../gateway/no-telemetry.ts';
import { join } from 'node:path';
import { ApolloGateway } from '@apollo/gateway';
import { composeSupergraph } from '../../gateway/compose.ts';
import { startGateway } from '../../gateway/server.ts';
import { buildGatewaySecurity } from '../../gateway/security.ts';
import type { MemberConfig } from '../../gateway/members-config.ts';
import { MEMBER_STATE_NAMES } from '../../common/member-states.ts';
import { devIssuer, devKeyName } from '../../common/dev-identity.ts';
import { serveParent } from '../child.ts';
import { serveStockGateway } from './stock-server.ts';

interface Start {
  variant: 'hague' | 'stock';
  subgraphs: Array<{ name: string; url: string; sdl: string }>;
  keysDir: string;
}

let close: (() => Promise<void>) | undefined;

export function federationSupergraph(subgraphs: Start['subgraphs']): string {
  return composeSupergraph({
    file: 'federation bench supergraph',
    federationVersion: '=2.14.4',
    subgraphs: subgraphs.map((s) => ({ name: s.name, routingUrl: s.url, source: `${s.name} (bench/federation/subgraphs.ts)`, sdl: s.sdl })),
  }).supergraphSdl;
}

async function startHague(o: Start): Promise<string> {
  // The identity provider whose dev tokens the bench sends; no member subgraph in this supergraph,
  // so its URL is never called.
  const members: MemberConfig[] = [
    {
      code: 'NL',
      name: MEMBER_STATE_NAMES.NL,
      url: 'http://127.0.0.1:9/graphql',
      timeoutMs: 10_000,
      issuer: devIssuer('NL'),
      publicKeys: [{ file: join(o.keysDir, `${devKeyName('NL')}.jwk`) }],
    },
  ];
  const security = await buildGatewaySecurity({ members, keysDir: o.keysDir, acceptDevKeys: true });
  const gateway = await startGateway({
    supergraphSdl: federationSupergraph(o.subgraphs),
    members,
    security,
    rateLimit: false,
    subgraphTimeoutMs: 10_000,
  });
  close = () => gateway.close();
  return gateway.url;
}

async function startStock(o: Start): Promise<string> {
  const gateway = new ApolloGateway({ supergraphSdl: federationSupergraph(o.subgraphs) });
  const served = await serveStockGateway(gateway);
  close = served.close;
  return served.url;
}

serveParent({
  start: async (m) => {
    const o = m as unknown as Start;
    return { url: o.variant === 'stock' ? await startStock(o) : await startHague(o) };
  },
  stop: async () => {
    await close?.();
  },
});
process.send?.({ type: 'ready' });
