/**
 * Bench role: one gateway in its own process, so its CPU time and RSS are its own.
 *  - 'hague':        startGateway as `hague gateway` runs it (caller tokens verified, network rules,
 *                    signed context token per state, fan-out), without its rate limits
 *                    (`--hostile` turns them on: `rateLimit` in the start message);
 *  - 'hague-noauthz': the same with an empty rule set (emptyAuthorizationRules): no field is checked
 *                    or removed, query limits still apply;
 *  - 'stock':        a plain ApolloServer + ApolloGateway with Apollo's own RemoteGraphQLDataSource in
 *                    front of ONE member state: what Apollo costs without Hague's layer. The member
 *                    still demands a gateway-signed context token: the stock gateway sends one signed
 *                    for the bench persona, re-signed every 20 s (tokens live 60 s).
 */
import '../../gateway/no-telemetry.ts';
import { join } from 'node:path';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { composeSupergraph, type SubgraphConfig } from '../../gateway/compose.ts';
import { startGateway, type GatewaySafeguards, type RunningGateway } from '../../gateway/server.ts';
import type { JWK } from 'jose';
import { unverifiedAuthenticator } from '../unverified-caller.ts';
import { buildGatewaySecurity } from '../../gateway/security.ts';
import { emptyAuthorizationRules, readAuthorizationRules } from '../../gateway/authorize.ts';
import { stripSecurityPurpose } from '../../gateway/supergraph.ts';
import type { MemberConfig } from '../../gateway/members-config.ts';
import type { RateLimitOptions } from '../../gateway/plugins/rate-limit.ts';
import { memberSchemaSdl } from '../../schema/contract.ts';
import { MEMBER_STATE_NAMES, type MemberState } from '../../common/member-states.ts';
import { devIssuer, devKeyName } from '../../common/dev-identity.ts';
import { ensureKeyPair } from '../../common/dev-keys.ts';
import { CONTEXT_TOKEN_HEADER, contextAudience, importKey, signContextToken } from '../../common/context-token.ts';
import { BENCH_PERSONA, BENCH_PURPOSE } from '../policy.ts';
import { serveParent } from '../child.ts';
import { serveStockGateway } from './stock-server.ts';

export type GatewayVariant = 'hague' | 'hague-noauthz' | 'stock';

interface Start {
  variant: GatewayVariant;
  /** timeoutMs: this state's own budget (members.yaml), else `timeoutMs` below. */
  members: Array<{ code: MemberState; url: string; timeoutMs?: number }>;
  /** Other subgraphs composed next to `member` (the case-file subgraph of the dossier-by-entities scenario). */
  subgraphs: Array<{ name: string; url: string; sdl: string }>;
  keysDir: string;
  timeoutMs: number;
  /** The gateway's rate limits; default off (false). */
  rateLimit?: Partial<RateLimitOptions> | false;
  /** bench/safeguards.ts: the gateway's own switches (GatewaySafeguards), its audit log, and caller tokens read without verification. */
  safeguards?: GatewaySafeguards;
  audit?: { location: string; signingKey: JWK };
  callerTokens?: false;
}

let close: (() => Promise<void>) | undefined;

function supergraph(memberUrl: string, subgraphs: Start['subgraphs']): string {
  const configs: SubgraphConfig[] = [
    { name: 'member', routingUrl: memberUrl, source: 'schema/member.graphql', sdl: memberSchemaSdl },
    ...subgraphs.map((s) => ({ name: s.name, routingUrl: s.url, source: `${s.name} (bench)`, sdl: s.sdl })),
  ];
  return composeSupergraph({ file: 'bench supergraph', federationVersion: '=2.14.4', subgraphs: configs }).supergraphSdl;
}

async function startHague(o: Start): Promise<string> {
  const members: MemberConfig[] = o.members.map((m) => ({
    code: m.code,
    name: MEMBER_STATE_NAMES[m.code],
    url: m.url,
    timeoutMs: m.timeoutMs ?? o.timeoutMs,
    issuer: devIssuer(m.code),
    publicKeys: [{ file: join(o.keysDir, `${devKeyName(m.code)}.jwk`) }],
  }));
  const verified = await buildGatewaySecurity({ members, keysDir: o.keysDir, acceptDevKeys: true });
  const security = o.callerTokens === false ? { ...verified, authenticator: unverifiedAuthenticator(members) } : verified;
  const supergraphSdl = supergraph(members[0].url, o.subgraphs);
  const gateway: RunningGateway = await startGateway({
    supergraphSdl,
    members,
    security,
    // The bench sends thousands of requests as one caller: it measures the gateway, not its limits
    // (off unless the start message says otherwise: `--hostile` keeps them on).
    rateLimit: o.rateLimit ?? false,
    ...(o.safeguards ? { safeguards: o.safeguards } : {}),
    ...(o.audit ? { audit: o.audit } : {}),
    ...(o.variant === 'hague-noauthz' ? { authorizationRules: emptyAuthorizationRules(readAuthorizationRules(supergraphSdl).schema) } : {}),
  });
  close = () => gateway.close();
  return gateway.url;
}

async function startStock(o: Start): Promise<string> {
  if (o.members.length !== 1) throw new Error('the stock gateway fronts exactly one member state');
  const state = o.members[0].code;
  const key = await importKey((await ensureKeyPair(o.keysDir, 'gateway')).privateJwk);
  const caller = {
    ...BENCH_PERSONA,
    roles: [...BENCH_PERSONA.roles],
    scopes: [...BENCH_PERSONA.scopes],
    agency: 'bench',
    purpose: BENCH_PURPOSE,
    caseReference: null,
    requestId: 'bench-stock-gateway',
  };
  const gateway = new ApolloGateway({
    supergraphSdl: stripSecurityPurpose(supergraph(o.members[0].url, o.subgraphs)),
    buildService: ({ url }) => {
      // Stock's own fetcher, with the one thing a member demands: a context token for each request body.
      const source = new RemoteGraphQLDataSource({ url });
      const fetcher = source.fetcher;
      source.fetcher = async (input, init) => {
        const body = typeof init?.body === 'string' ? init.body : '';
        const token = await signContextToken(caller, contextAudience(state), key, { body, deadline: Date.now() + 10_000 });
        return fetcher(input, { ...init, headers: { ...init?.headers, [CONTEXT_TOKEN_HEADER]: token } });
      };
      return source;
    },
  });
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
