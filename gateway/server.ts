import './no-telemetry.ts'; // first: sets APOLLO_TELEMETRY_DISABLED before any Apollo module runs
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import fastifyApollo, { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import cors from '@fastify/cors';
import { useCompression } from './compression.ts';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { JWK } from 'jose';
import type { LoggerOptions } from 'pino';
import { PURPOSES, type Caller } from '../common/caller.ts';
import { closeRedis, connectRedis } from './redis.ts';
import { RedisPersistedQueryCache } from './persisted-queries.ts';
import { ConfigError } from '../common/config-error.ts';
import { contextAudience } from '../common/context-token.ts';
import { DEFAULT_SUBGRAPH_TIMEOUT_MS } from '../common/defaults.ts';
import type { MemberState } from '../common/member-states.ts';
import { MAX_QUERY_TOKENS } from '../common/query-limits.ts';
import { CORRELATION_ID_HEADER, REQUEST_ID_HEADER, newRequestId } from '../common/request-id.ts';
import type { Authenticator } from './authenticate.ts';
import { readAuthorizationRules, type AuthorizationRules } from './authorize.ts';
import { AuthorizingGateway } from './authorizing-gateway.ts';
import { useCallerAuth } from './caller-auth.ts';
import type { GatewayContext, HeadersFor, StateCall } from './context.ts';
import { contextTokenHeaders, unsignedContextTokenHeaders } from './context-signer.ts';
import { maskError } from './error-masking.ts';
import { registerExplorer, type ExplorerOptions } from './explorer.ts';
import { registerPublishedKeys } from './published-keys.ts';
import { MemberFanout } from './fanout.ts';
import { createAgent, type PeerTls } from './http-client.ts';
import { readPemFile } from '../common/tls.ts';
import { createSecureContext } from 'node:tls';
import { DEFAULT_MAX_IN_FLIGHT_ANSWER_BYTES, DEFAULT_PERSISTED_QUERY_TTL_MS, type MemberConfig, type PersistedQuerySettings } from './members-config.ts';
import { AnswerMemory } from './answer-memory.ts';
import { MemberReplicas } from './replicas.ts';
import type { GatewayPlugin } from './plugin.ts';
import { useAccessLog } from './plugins/access-log.ts';
import { useAuditTrail } from './plugins/audit-trail.ts';
import { openAuditLog } from '../common/audit-log.ts';
import { useHealth } from './plugins/health.ts';
import { createMetrics, useMetrics, type GatewayMetrics } from './plugins/metrics.ts';
import { useRateLimit, type RateLimitOptions } from './plugins/rate-limit.ts';
import { useRequestId } from './plugins/request-id.ts';
import { useStateCounts } from './plugins/state-counts.ts';
import { SubgraphSource } from './subgraph-source.ts';
import { listRootFields, stripSecurityPurpose, supergraphSubgraphs } from './supergraph.ts';

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
  /**
   * The network-wide field rules. Default: read from the supergraph's @authenticated,
   * @requiresScopes and @policy directives (the only source in production; the benchmark passes an
   * empty set to measure what the rules cost).
   */
  authorizationRules?: AuthorizationRules;
  /** More gateway plugins, wired after the built-in ones (request id, metrics, health, access log). */
  plugins?: GatewayPlugin[];
  /**
   * The gateway's own audit log (common/audit-log.ts): every request and every refusal,
   * hash-chained, signed with the gateway's audit key. A SQLite file or a postgres:// URL.
   */
  audit?: { location: string; signingKey: JWK; timestampAuthority?: { url: string; timeoutMs?: number } };
  /** Dev mode only: personas with ready tokens for the explorer's picker (absent: a token field only). */
  explorerPersonas?: ExplorerOptions['personas'];
  /** Timeout for subgraphs other than `member` (member states have theirs in members config). */
  subgraphTimeoutMs?: number;
  /** Rate limits on the GraphQL route (plugins/rate-limit.ts). Default: on, with common/defaults.ts; false: off. */
  rateLimit?: Partial<RateLimitOptions> | false;
  /** Cap on the bytes of member answers being read at once, over all states (answer-memory.ts; members.yaml gateway.maxInFlightAnswerBytes). */
  maxInFlightAnswerBytes?: number;
  /**
   * The gateway's client certificate and key (PEM; members.yaml gateway.tls), presented to every
   * state with `tls` (its CA and pins in its MemberConfig). Required when any state has `tls`.
   */
  clientCertificate?: { certFile: string; keyFile: string };
  /** BENCH ONLY: safeguards turned off to measure what each costs (bench/safeguards.ts); the CLI cannot set them. Absent: all on. */
  safeguards?: GatewaySafeguards;
  /** Automatic persisted queries (members.yaml gateway.persistedQueries): how long a hash is kept, and a Redis the replicas share it in (absent: this process's memory). */
  persistedQueries?: PersistedQuerySettings;
}

/**
 * BENCH ONLY: which of the gateway's own safeguards run; every one is on unless set false here.
 * The others have their own switches already: `authorizationRules` (network rules), `rateLimit`,
 * `audit`, and the authenticator in `security` (caller tokens).
 */
export interface GatewaySafeguards {
  /** false: no query limits, cost analysis or argument bounds before planning. */
  queryLimits?: boolean;
  /** false: context tokens go unsigned (members started with their check off read them). */
  contextTokens?: boolean;
}

export interface GatewaySecurity {
  /** Verifies caller tokens against each member state's identity provider (members config). */
  authenticator: Authenticator;
  /** The gateway's private key (JWK): signs the context token sent to each member state. */
  signingKey: JWK;
  /** A JWK Set file of further public keys the gateway publishes beside its signing key's (published-keys.ts): the next or previous key of a rotation. */
  publishKeysFile?: string;
  /** Reject a whole request asking for a forbidden field, instead of answering that field null. */
  strictAuthorization?: boolean;
}

export interface RunningGateway {
  /** http://host:port/graphql */
  url: string;
  app: FastifyInstance;
  metrics: GatewayMetrics;
  close(): Promise<void>;
}

/** Each TLS state's origins with its CA, pins and the gateway's client certificate: mutual TLS, never plain text. */
function memberTls(members: MemberConfig[], client: StartGatewayOptions['clientCertificate']): Map<string, PeerTls> {
  const byOrigin = new Map<string, PeerTls>();
  const owner = new Map<string, string>();
  // Read once, here: a missing or unreadable file stops the gateway with the key that names it.
  const read = (file: string, what: 'certificate' | 'private key', source: string) => {
    try {
      return readPemFile(file, what, source);
    } catch (error) {
      throw new ConfigError(`members config ${(error as Error).message}`);
    }
  };
  const cert = client && read(client.certFile, 'certificate', 'gateway.tls.cert');
  const key = client && read(client.keyFile, 'private key', 'gateway.tls.key');
  if (cert && key) {
    try {
      createSecureContext({ cert, key });
    } catch (error) {
      throw new ConfigError(`members config gateway.tls: ${client.keyFile} is not the key of ${client.certFile} (${(error as Error).message})`);
    }
  }
  for (const member of members) {
    if (!member.tls) continue;
    if (!cert || !key)
      throw new ConfigError(`${member.code} is reached over mutual TLS but the gateway has no client certificate (members.yaml gateway.tls: { cert, key })`);
    for (const url of member.urls ?? [member.url]) {
      const origin = new URL(url).origin;
      if (!url.startsWith('https:')) throw new ConfigError(`${member.code}: ${url} is not https:// but the state has tls`);
      const other = owner.get(origin);
      if (other && other !== member.code)
        throw new ConfigError(`${member.code} and ${other} share ${origin}: each state reached over TLS needs an origin of its own`);
      owner.set(origin, member.code);
      byOrigin.set(origin, { ca: read(member.tls.caFile, 'certificate', `${member.code}.tls.ca`), cert, key, pins: member.tls.pins });
    }
  }
  return byOrigin;
}

/** The caller readiness probes sign as: the gateway itself, asking `{ __typename }`, released nothing. */
function readinessCaller(state: MemberState, requestId: string): Caller {
  return {
    state,
    agency: 'Hague gateway',
    subject: 'hague-gateway/readiness',
    roles: [],
    clearance: 'UNCLASSIFIED',
    scopes: [],
    purpose: 'counter-terrorism',
    caseReference: null,
    requestId,
  };
}

/**
 * Wiring only: the request path (caller-auth -> Apollo Server -> AuthorizingGateway -> ApolloGateway
 * -> MemberFanout / SubgraphSource) and the plugins around it. Each concern lives in its own file.
 */
export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const { supergraphSdl, members } = options;
  const subgraphs = supergraphSubgraphs(supergraphSdl);
  if (subgraphs.some((s) => s.name === MEMBER_SUBGRAPH) && members.length === 0) {
    throw new ConfigError('the supergraph has a member subgraph but the members config lists no member state');
  }

  const dispatcher = createAgent(memberTls(members, options.clientCertificate));
  // Each state's replicas and circuit breakers, and one cap on answer bytes in flight: shared by the fan-out, /readyz and /metrics.
  // An open breaker is probed by the gateway itself, `{ __typename }` signed as its readiness caller (as /readyz is).
  const replicas = new MemberReplicas(members, dispatcher, new AnswerMemory(options.maxInFlightAnswerBytes ?? DEFAULT_MAX_IN_FLIGHT_ANSWER_BYTES), {
    headers: (member, call, requestId) =>
      headersFor(contextAudience(member.code), { requestId, log: app.log, caller: readinessCaller(member.code, requestId) }, call),
  });
  const metrics = createMetrics(() => replicas.report());
  // The gateway makes every request id itself; a client's X-Request-Id is only a correlation id (plugins/request-id.ts).
  const app = Fastify({ ...loggerOption(options.logger), genReqId: () => newRequestId(), requestIdHeader: false });
  const headersFor: HeadersFor =
    options.safeguards?.contextTokens === false ? unsignedContextTokenHeaders : await contextTokenHeaders(options.security.signingKey);
  const auditLog = options.audit
    ? await openAuditLog(options.audit.location, {
        owner: 'gateway',
        signingKey: options.audit.signingKey,
        timestampAuthority: options.audit.timestampAuthority,
        onError: (error) => app.log.warn({ err: error }, (error as Error).message),
      })
    : undefined;
  // Persisted queries shared by the replicas: connected before anything listens, so a wrong URL stops the start.
  const apqTtlSeconds = Math.round((options.persistedQueries?.ttlMs ?? DEFAULT_PERSISTED_QUERY_TTL_MS) / 1000);
  const apqRedis = options.persistedQueries?.redis ? await connectRedis(options.persistedQueries.redis, 'persisted-query', app.log) : undefined;
  if (apqRedis) app.addHook('onClose', async () => closeRedis(apqRedis));
  let loaded = false;
  /** Set by close(): every answer from then on closes its connection (see the onSend hook). */
  let draining = false;

  const plugins: GatewayPlugin[] = [
    useRequestId(),
    useMetrics(metrics),
    useRateLimit(options.rateLimit, metrics),
    useHealth({
      members,
      dispatcher,
      circuits: () => replicas.report(),
      isLoaded: () => loaded,
      subgraphs: subgraphs.filter((s) => s.name !== MEMBER_SUBGRAPH),
      headersFor: async (member, context, call) =>
        headersFor(contextAudience(member.code), { ...context, caller: readinessCaller(member.code, context.requestId) }, call),
    }),
    useAccessLog(),
    useStateCounts(),
    ...(auditLog ? [useAuditTrail(auditLog)] : []),
    ...(options.plugins ?? []),
  ];
  const onCall = (call: StateCall, context: GatewayContext) => {
    for (const p of plugins) p.onStateCall?.(call, context);
  };

  const fanout = new MemberFanout({ members, dispatcher, replicas, listFields: listRootFields(supergraphSdl), headersFor, onCall });
  const apolloGateway = new ApolloGateway({
    supergraphSdl: stripSecurityPurpose(supergraphSdl),
    // The planner's document travels with each fetch, so the fan-out need not re-parse it.
    queryPlannerConfig: { exposeDocumentNodeInFetchNode: true },
    logger: app.log.child({ component: 'apollo-gateway' }),
    buildService: ({ name, url }) => {
      if (name === MEMBER_SUBGRAPH) return fanout;
      if (!url) throw new ConfigError(`subgraph ${name} has no routing URL in the supergraph`);
      return new SubgraphSource({ name, url, dispatcher, timeoutMs: options.subgraphTimeoutMs ?? DEFAULT_SUBGRAPH_TIMEOUT_MS, onCall, headersFor });
    },
  });

  const gateway = new AuthorizingGateway(apolloGateway, {
    rules: options.authorizationRules ?? readAuthorizationRules(supergraphSdl),
    strict: options.security.strictAuthorization ?? false,
    ...(options.safeguards?.queryLimits === false ? { limits: false as const } : {}),
    onRemoved: (removals, context) => {
      const coordinates = removals.map((r) => r.coordinate);
      context.log.debug({ removed: coordinates }, 'network rules removed fields');
      for (const p of plugins) p.onRemoved?.(coordinates, context);
    },
  });

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    includeStacktraceInErrorResponses: false,
    // The CLI owns SIGINT/SIGTERM (cli/gateway.ts: drain, close the audit log, exit 0). Apollo's own
    // handlers would stop the server and re-raise the signal, killing the process before that ends.
    stopOnTerminationSignals: false,
    // Introspection is on, but like every request it needs a valid token (caller-auth.ts).
    introspection: true,
    // HTTP conventions partner apps rely on, made explicit: CSRF prevention (a GET or simple POST
    // must carry a non-simple header), automatic persisted queries, no batched requests.
    csrfPrevention: true,
    persistedQueries: apqRedis ? { ttl: apqTtlSeconds, cache: new RedisPersistedQueryCache(apqRedis, app.log, apqTtlSeconds) } : { ttl: apqTtlSeconds },
    allowBatchedHttpRequests: false,
    // A huge document is refused while parsing, at the same bound as the members'.
    parseOptions: { maxTokens: MAX_QUERY_TOKENS },
    formatError: maskError(app.log),
    logger: app.log.child({ component: 'apollo-server' }),
    plugins: [
      fastifyApolloDrainPlugin(app),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      ApolloServerPluginLandingPageDisabled(),
      ...plugins.flatMap((p) => (p.apollo ? [p.apollo] : [])),
    ],
  });

  try {
    await apollo.start();
    loaded = true;
    if (options.corsOrigins?.length) await app.register(cors, { origin: options.corsOrigins, exposedHeaders: [REQUEST_ID_HEADER, CORRELATION_ID_HEADER] });
    // Joint answers are large and repetitive JSON: compressed in one call when the client accepts it (compression.ts).
    useCompression(app);
    for (const plugin of plugins) await plugin.onApp?.(app);
    useCallerAuth(app, options.security.authenticator);
    // While draining, each answer (to a request that was in flight) closes its connection: a
    // keep-alive client or load balancer sends its next request elsewhere, and the server closes as
    // soon as the requests in flight are answered, not when idle keep-alive connections time out.
    app.addHook('onSend', async (_request, reply) => {
      if (draining) reply.header('connection', 'close');
    });
    await app.register(fastifyApollo(apollo), {
      context: async (request): Promise<GatewayContext> => ({
        requestId: request.id,
        correlationId: request.correlationId,
        caller: request.caller,
        log: request.log,
      }),
    });
    // The analysts' explorer at / (and GET /graphql from a browser), served from the gateway's own files.
    // The public keys members verify context tokens with (hague member --gateway-jwks).
    registerPublishedKeys(app, options.security.signingKey, options.security.publishKeysFile);
    await registerExplorer(app, { purposes: PURPOSES, members: members.map((m) => ({ code: m.code, name: m.name })), personas: options.explorerPersonas });
    await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  } catch (error) {
    await apollo.stop().catch(() => {});
    await app.close().catch(() => {});
    await dispatcher.close().catch(() => {});
    await auditLog?.close().catch(() => {});
    if (!loaded && error instanceof Error && !(error instanceof ConfigError) && (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') {
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
    url,
    app,
    metrics,
    close: () =>
      (closing ??= (async () => {
        loaded = false;
        draining = true;
        await apollo.stop(); // drains and closes fastify (drain plugin), then stops the gateway
        await app.close().catch(() => {});
        replicas.stop(); // no more breaker probes
        await dispatcher.destroy(); // in-flight calls ended with the drained requests; probes need not finish
        await auditLog?.close(); // signs a last checkpoint
      })()),
  };
}

function loggerOption(logger: StartGatewayOptions['logger']): { logger?: boolean | LoggerOptions; loggerInstance?: FastifyBaseLogger } {
  if (logger === undefined || logger === false) return { logger: false };
  if (logger === true) return { logger: { level: 'info' } };
  if (typeof (logger as FastifyBaseLogger).child === 'function') return { loggerInstance: logger as FastifyBaseLogger };
  return { logger: logger };
}
