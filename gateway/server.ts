import './no-telemetry.ts'; // first: sets APOLLO_TELEMETRY_DISABLED before any Apollo module runs
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginLandingPageDisabled, ApolloServerPluginSchemaReportingDisabled, ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import fastifyApollo, { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import cors from '@fastify/cors';
import compress from '@fastify/compress';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { LoggerOptions } from 'pino';
import { ConfigError } from '../common/config-error.ts';
import { maskError } from './error-masking.ts';
import { MemberFanout, type GatewayContext, type HeadersFor } from './fanout.ts';
import { createAgent } from './http-client.ts';
import type { MemberConfig } from './members-config.ts';
import { createMetrics, metricsPlugin, recordCall, registerOperations, requestIdFrom, type GatewayMetrics } from './operations.ts';
import { SubgraphSource } from './subgraph-source.ts';
import { listRootFields, stripSecurityPurpose, subgraphNames } from './supergraph.ts';
import type { JWK } from 'jose';
import { PURPOSES, type Caller } from '../common/caller.ts';
import { registerExplorer, type ExplorerOptions } from './explorer.ts';
import type { MemberState } from '../common/member-states.ts';
import type { Authenticator } from './authenticate.ts';
import { useCallerAuth } from './caller-auth.ts';
import { contextTokenHeaders } from './context-signer.ts';
import { AuthorizingGateway } from './authorizing-gateway.ts';
import { readAuthorizationRules } from './authorize.ts';

/** The subgraph every member state implements; the gateway fans it out instead of calling one URL. */
export const MEMBER_SUBGRAPH = 'member';

export interface StartGatewayOptions {
  /** A composed supergraph (hague compose, or composeFile in-process). Static: no Uplink, no introspection at start. */
  supergraphSdl: string;
  /** The network, in merge order (config/members.yaml). */
  members: MemberConfig[];
  port?: number;
  host?: string;
  /** false: silent; true or pino options: fastify's pino logger; or an existing pino logger. */
  logger?: boolean | LoggerOptions | FastifyBaseLogger;
  corsOrigins?: string[];
  /** Who may ask, and how the gateway vouches for callers to the member states. Not optional: there is no open mode. */
  security: GatewaySecurity;
  /** More Apollo Server plugins, run after the built-in ones. */
  plugins?: ApolloServerPlugin<GatewayContext>[];
  /** Adds fields to every request's context (the caller, once tokens are verified). */
  context?: (request: import('fastify').FastifyRequest) => Promise<Record<string, unknown>> | Record<string, unknown>;
  /** Registers more routes before the gateway listens. */
  routes?: (app: FastifyInstance) => Promise<void> | void;
  /** Dev mode only: personas with ready tokens for the explorer's picker (absent: a token field only). */
  explorerPersonas?: ExplorerOptions['personas'];
  /** Timeout for subgraphs other than `member` (member states have theirs in members config). */
  subgraphTimeoutMs?: number;
}

function readinessCaller(state: MemberState, requestId: string): Caller {
  return {
    state, agency: 'Hague gateway', subject: 'hague-gateway/readiness', roles: [], clearance: 'UNCLASSIFIED',
    scopes: [], purpose: 'counter-terrorism', caseReference: null, requestId,
  };
}

export interface GatewaySecurity {
  /** Verifies caller tokens against each member state's identity provider (members config). */
  authenticator: Authenticator;
  /** The gateway's private key (JWK): signs the context token sent to each member state. */
  signingKey: JWK;
  /** Reject a whole request asking for a forbidden field, instead of answering that field null. */
  strictAuthorization?: boolean;
  /**
   * Benchmark only (bench/, never set from the CLI or members.yaml): false skips the network-wide
   * field rules to measure what they cost. Caller tokens are verified, query limits checked and
   * context tokens signed either way. Default: enforced.
   */
  authorization?: boolean;
}

export interface RunningGateway {
  /** http://host:port/graphql */
  url: string;
  app: FastifyInstance;
  metrics: GatewayMetrics;
  close(): Promise<void>;
}

export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  process.env.APOLLO_TELEMETRY_DISABLED = '1';
  const { supergraphSdl, members } = options;
  const names = subgraphNames(supergraphSdl);
  if (names.includes(MEMBER_SUBGRAPH) && members.length === 0) {
    throw new ConfigError('the supergraph has a member subgraph but the members config lists no member state');
  }
  const subgraphUrls = [...supergraphSdl.matchAll(/@join__graph\(name:\s*"([^"]+)",\s*url:\s*"([^"]*)"\)/g)]
    .map((m) => ({ name: m[1], url: m[2] }))
    .filter((s) => s.name !== MEMBER_SUBGRAPH);

  const dispatcher = createAgent();
  const metrics = createMetrics();
  const app = Fastify({
    ...loggerOption(options.logger),
    genReqId: (req) => requestIdFrom(req.headers['x-request-id']),
    requestIdHeader: false,
  });

  const onCall = (call: Parameters<typeof recordCall>[1]) => recordCall(metrics, call);
  const headersFor: HeadersFor = await contextTokenHeaders(options.security.signingKey);
  const fanout = new MemberFanout({ members, dispatcher, listFields: listRootFields(supergraphSdl), headersFor, onCall });
  const apolloGateway = new ApolloGateway({
    supergraphSdl: stripSecurityPurpose(supergraphSdl),
    // The planner's document travels with each fetch, so the fan-out need not re-parse it.
    queryPlannerConfig: { exposeDocumentNodeInFetchNode: true },
    logger: app.log.child({ component: 'apollo-gateway' }),
    buildService: ({ name, url }) => {
      if (name === MEMBER_SUBGRAPH) return fanout;
      if (!url) throw new ConfigError(`subgraph ${name} has no routing URL in the supergraph`);
      return new SubgraphSource({ name, url, dispatcher, timeoutMs: options.subgraphTimeoutMs ?? 5000, onCall });
    },
  });

  const gateway = new AuthorizingGateway(apolloGateway, {
    authorize: options.security.authorization !== false,
    rules: readAuthorizationRules(supergraphSdl),
    strict: options.security.strictAuthorization ?? false,
    onRemoved: (removals, context) => (context as GatewayContext).log?.debug({ removed: removals.map((r) => r.coordinate) }, 'network rules removed fields'),
  });

  let loaded = false;
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    includeStacktraceInErrorResponses: false,
    // Introspection is on, but like every request it needs a valid token (caller-auth.ts).
    introspection: true,
    // HTTP conventions partner apps rely on, made explicit: CSRF prevention (a GET or simple POST
    // must carry a non-simple header), automatic persisted queries, no batched requests.
    csrfPrevention: true,
    persistedQueries: { ttl: 3600 },
    allowBatchedHttpRequests: false,
    formatError: maskError(app.log),
    logger: app.log.child({ component: 'apollo-server' }),
    plugins: [
      fastifyApolloDrainPlugin(app),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      ApolloServerPluginLandingPageDisabled(),
      metricsPlugin(metrics),
      ...(options.plugins ?? []),
    ],
  });

  try {
    await apollo.start();
    loaded = true;
    if (options.corsOrigins?.length) await app.register(cors, { origin: options.corsOrigins, exposedHeaders: ['x-request-id'] });
    // Joint answers are large and repetitive JSON: compress them when the client accepts it.
    await app.register(compress, { global: true, threshold: 1024, encodings: ['br', 'gzip', 'deflate'] });
    // Readiness probes ask `{ __typename }` as the gateway itself: a caller that releases nothing.
    const probeHeaders: HeadersFor = (state, context) => headersFor(state, { ...context, caller: readinessCaller(state.code, context.requestId) });
    registerOperations(app, { members, subgraphs: subgraphUrls, metrics, dispatcher, isLoaded: () => loaded, headersFor: probeHeaders });
    useCallerAuth(app, options.security.authenticator);
    await app.register(fastifyApollo(apollo), {
      context: async (request) => ({
        requestId: request.id,
        log: request.log,
        caller: request.caller,
        ...(options.context ? await options.context(request) : {}),
      }),
    });
    // The analysts' explorer at / (and GET /graphql from a browser), served from the gateway's own files.
    await registerExplorer(app, { purposes: PURPOSES, members: members.map((m) => ({ code: m.code, name: m.name })), personas: options.explorerPersonas });
    if (options.routes) await options.routes(app);
    await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  } catch (error) {
    await apollo.stop().catch(() => {});
    await app.close().catch(() => {});
    await dispatcher.close().catch(() => {});
    if (!loaded && error instanceof Error && !(error instanceof ConfigError) && !('code' in error && (error as { code?: string }).code === 'EADDRINUSE')) {
      throw new ConfigError(`the gateway cannot load this supergraph: ${error.message.split('\n')[0]}`);
    }
    throw error;
  }

  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/graphql`;
  let closing: Promise<void> | undefined;
  return {
    url, app, metrics,
    close: () => (closing ??= (async () => {
      loaded = false;
      await apollo.stop(); // drains and closes fastify (drain plugin), then stops the gateway
      await app.close().catch(() => {});
      await dispatcher.destroy(); // in-flight calls ended with the drained requests; probes need not finish
    })()),
  };
}

function loggerOption(logger: StartGatewayOptions['logger']): { logger?: boolean | LoggerOptions; loggerInstance?: FastifyBaseLogger } {
  if (logger === undefined || logger === false) return { logger: false };
  if (logger === true) return { logger: { level: 'info' } };
  if (typeof (logger as FastifyBaseLogger).child === 'function') return { loggerInstance: logger as FastifyBaseLogger };
  return { logger: logger as LoggerOptions };
}
