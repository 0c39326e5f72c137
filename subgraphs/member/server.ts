import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import mercurius from 'mercurius';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, print, type GraphQLSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import type { JWK } from 'jose';
import { memberTypeDefs } from '../../schema/contract.ts';
import { resolvers, type MemberContext } from './resolvers.ts';
import { createLoaders } from './loaders.ts';
import { openStore, type Store } from './store.ts';
import { maskErrors } from './mask-errors.ts';
import { useDatabaseHealth } from './database-health.ts';
import { useContextAuth } from './context-auth.ts';
import type { KeySet } from '../../common/key-set.ts';
import { useSearchBudget } from './search-budget.ts';
import { releaseShield } from './release-rules.ts';
import { loadReleasePolicy, type ReleasePolicy } from './release-policy.ts';
import { recordEntry, type AuditTarget } from './audit.ts';
import { auditRejections, auditUnrecordedRefusals } from './audit-refusals.ts';
import { requestOperation } from './request-operation.ts';
import { openAuditLog, type AuditLog } from '../../common/audit-log.ts';
import { recordHits, startWebhookDelivery } from './hit-notifications.ts';
import { describeAnswer, describeRefusal, newAuditCollector, withRecordCapture } from './audit-entry.ts';
import { MAX_QUERY_TOKENS, memberBounds } from './query-bounds.ts';
import { storeWithDeadline, withListDeadlines } from './deadline.ts';
import { boundAnswer } from './answer-bounds.ts';
import { DEFAULT_AUDIT_RETENTION_MS, DEFAULT_MAX_ANSWER_BYTES, DEFAULT_POLICIES_DIR } from '../../common/defaults.ts';
import { CORRELATION_ID_HEADER, REQUEST_ID_HEADER, newRequestId, requestIdHeader } from '../../common/request-id.ts';
import { MEMBER_STATE_NAMES, type MemberState } from '../../common/member-states.ts';

import { ensureMatchKeys, ensureNetworkKeyring, type NetworkKeyring } from './match-keys.ts';
import { addListCounts } from './search-counts.ts';

declare module 'mercurius' {
  // What the context function below adds to every request's mercurius context (hooks read it too).
  interface MercuriusContext extends MemberContext {}
}

export interface MemberOptions {
  state: MemberState;
  store: Store;
  /** Name of the agency answering for this state, shown in every record's contact point. */
  agency?: string;
  /** The gateway's public key, or the set of gateway keys the state trusts (common/key-set.ts): only requests with a context token one of them signed are answered. */
  gatewayPublicKey: JWK | KeySet;
  /** This state's release policy (config/policies/<STATE>.yaml). */
  policy: ReleasePolicy;
  /**
   * Enforce the release policy with graphql-shield (default true). Off only for the benchmark
   * that measures what enforcement costs; the context token is checked either way.
   */
  enforceRelease?: boolean;
  /** BENCH ONLY: safeguards turned off to measure what each costs (bench/safeguards.ts). Absent: all on. */
  safeguards?: MemberSafeguards;
  /** fastify logger option: false (default), true, or pino options. */
  logger?: boolean | object;
  /** How often due hit notifications are pushed to the policy's webhook (default 1 s). */
  webhookEveryMs?: number;
  /** The state's own audit log (common/audit-log.ts), apart from its records; absent: entries go to the records database's audit_log table. */
  auditLog?: AuditLog;
  /** Largest answer sent (bytes of JSON); a larger one is withheld whole. @default DEFAULT_MAX_ANSWER_BYTES (8 MiB) */
  maxAnswerBytes?: number;
  /** Serve HTTPS with mutual TLS (memberTlsOptions): absent, plain HTTP. */
  tls?: MemberTls;
}

/**
 * BENCH ONLY: which of a member's safeguards run. Every one is on unless set false here, and no CLI
 * flag or config file reaches this: `bench/safeguards.ts` starts members with one safeguard off at
 * a time to put a price on each, beside the same member with all of them on.
 */
export interface MemberSafeguards {
  /** false: the caller is read from the context token without verifying its signature, binding or single use. */
  contextTokens?: boolean;
  /** false: no search profile check (resolvers) and no search budget charge. */
  searchBudget?: boolean;
  /** false: no query limits, cost or input bounds before execution (query-bounds.ts). */
  queryBounds?: boolean;
  /** false: no audit entry, no record capture for it. */
  audit?: boolean;
}

/** PEM texts: the state's own certificate and key, and the CA whose client certificates it accepts (the gateway's). */
export interface MemberTls {
  cert: string;
  key: string;
  clientCa: string;
}

/**
 * The member's TLS listener: its own certificate, and only clients presenting a certificate issued
 * by `clientCa` complete the handshake (requestCert + rejectUnauthorized). A client without one, or
 * with one from another CA, is cut off during the handshake: it never reaches a route, /healthz and
 * /readyz included (they share the listener). TLS 1.2 at least.
 */
export function memberTlsOptions(tls: MemberTls) {
  return { cert: tls.cert, key: tls.key, ca: tls.clientCa, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' as const };
}

/** The executable member schema: the contract built by @apollo/subgraph, so `_service` and `_entities` are Apollo's own. */
export function buildMemberSchema(): GraphQLSchema {
  return buildSubgraphSchema([{ typeDefs: memberTypeDefs, resolvers }]);
}

/**
 * fastify's two lines per request ("incoming request", "request completed") at debug instead of
 * info: a member at the default level logs starts, refusals, failures and outages, not traffic
 * (two info lines per request were ~100 MB of log per 260k requests). Failed requests stay at error.
 */
class RequestsAtDebug extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (!this.isLogDisabled(request)) request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) super.requestCompleted(error, request, reply);
    else if (!this.isLogDisabled(request)) reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

/** A fastify app serving one member state's subgraph at /graphql over its store. */
export async function buildMemberApp(options: MemberOptions): Promise<FastifyInstance> {
  const { state, store } = options;
  const agency = options.agency ?? `${MEMBER_STATE_NAMES[state]} counter-terrorism liaison`;
  const app = Fastify({
    // Typed as the plain HTTP server either way: the routes and hooks are the same over TLS.
    ...(options.tls ? ({ https: memberTlsOptions(options.tls) } as object) : {}),
    logger: options.logger ?? false,
    bodyLimit: 1_048_576,
    // Per-request lines at debug: a member at info logs nothing per request.
    logController: new RequestsAtDebug(),
    // The gateway's request id (also inside the context token): one id, one rule (common/request-id.ts),
    // across the gateway's and every member's logs.
    genReqId: (request) => requestIdHeader(request.headers[REQUEST_ID_HEADER]) ?? newRequestId(),
  });
  // Liveness only: the process is up and serving HTTP. Whether it can answer queries (its database
  // answers) is /readyz (database-health.ts).
  app.get('/healthz', async () => ({ status: 'ok', memberState: state }));
  // mercurius's response schema types error path segments as strings, turning list indices into
  // "0": serialize GraphQL responses as they are, so paths keep their numeric indices.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  // Refusals before execution are audited too: without a valid token (counted per address and
  // reason), and a known caller's request mercurius refused (audit-refusals.ts).
  const on = { contextTokens: true, searchBudget: true, queryBounds: true, audit: true, ...options.safeguards };
  await useContextAuth(app, state, options.gatewayPublicKey, store, auditRejections(app, options.auditLog), on.contextTokens);
  // A database outage is answered 503 DATABASE_UNAVAILABLE, never INTERNAL_SERVER_ERROR; /readyz reflects it.
  const outage = useDatabaseHealth(app, state, store);
  const audit: AuditTarget = { store, log: options.auditLog };
  if (on.audit) auditUnrecordedRefusals(app, audit);
  if (on.searchBudget) useSearchBudget(app, { state, store, policy: options.policy, audit });
  // Past the gateway's deadline no list resolves and no SQL statement starts (deadline.ts).
  // Every Person and Organisation a resolver returns is recorded for the audit entry (audit-entry.ts).
  const schema = on.audit ? withRecordCapture(withListDeadlines(buildMemberSchema())) : withListDeadlines(buildMemberSchema());
  const maxAnswerBytes = options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
  await app.register(mercurius, {
    schema: options.enforceRelease === false ? schema : applyMiddleware(schema, releaseShield(schema, options.policy)),
    path: '/graphql',
    graphiql: false,
    graphql: { parseOptions: { maxTokens: MAX_QUERY_TOKENS } },
    context: (request): MemberContext => {
      // context-auth.ts refused every /graphql request without a valid context token before this runs.
      const claims = request.contextClaims;
      if (!claims) throw new Error('member context built without a context token: the context-token check did not run');
      const timed = storeWithDeadline(store, claims.deadline);
      return {
        state,
        agency,
        store: timed,
        loaders: createLoaders(timed),
        caller: claims.caller,
        deadline: claims.deadline,
        policy: options.policy,
        ...(on.audit ? { audit: newAuditCollector() } : {}),
        ...(on.searchBudget ? {} : { searchProfiles: false as const }),
        correlationId: requestIdHeader(request.headers[CORRELATION_ID_HEADER]),
      };
    },
    errorFormatter: (execution, context) => outage.formatErrors(execution, context, (e, c) => maskErrors(e, c, state)),
  });
  // Query limits, cost and input bounds before execution, whatever the gateway sent (query-bounds.ts).
  // A refusal is audited too (outcome refused), with the criteria asked.
  const bounds = on.queryBounds ? memberBounds() : () => {};
  app.graphql.addHook('preExecution', async (executedSchema, document, context, variables) => {
    if (context.audit) Object.assign(context.audit, { document, variables });
    try {
      bounds(executedSchema, document, context, variables);
    } catch (error) {
      const first = (error as { errors?: { message: string; extensions?: { code?: unknown } }[] }).errors?.[0];
      const sent = requestOperation(context.reply.request);
      await recordEntry(
        audit,
        describeRefusal({
          caller: context.caller,
          correlationId: context.correlationId,
          query: sent.query ?? print(document),
          document,
          operationName: sent.operationName,
          variables,
          code: typeof first?.extensions?.code === 'string' ? first.extensions.code : 'BAD_USER_INPUT',
          reason: first?.message ?? String(error),
        }),
        context.reply.request,
      );
      throw error;
    }
  });
  // The audit entry is written before the answer leaves: no release without a trace.
  // An answer completed after the deadline, or larger than maxAnswerBytes, is replaced by one error
  // first (answer-bounds.ts): nothing of it is sent or audited as released.
  app.graphql.addHook('onResolution', async (execution, context) => {
    const bounded = boundAnswer(execution, { state, deadline: context.deadline, maxAnswerBytes });
    // How many records each search returned and whether more match (search-counts.ts).
    addListCounts(execution, context.lists);
    if (!on.audit) return;
    const sent = requestOperation(context.reply.request);
    const document = context.audit?.document ?? (sent.query ? parse(sent.query) : undefined);
    if (!document) throw new Error('audit: the executed operation is unknown');
    const entry = describeAnswer({
      caller: context.caller,
      correlationId: context.correlationId,
      policy: options.policy,
      schema,
      query: sent.query,
      document,
      operationName: sent.operationName,
      variables: context.audit?.variables,
      result: execution,
      records: context.audit?.records ?? newAuditCollector().records,
      bounded,
    });
    await recordEntry(audit, entry, context.reply.request);
    // A partner's hit on a record the owner flags: a notification, stored before the answer leaves.
    if (entry.outcome === 'answered') {
      const hits = entry.records.map((r) => ({ type: r.type, id: r.id, released: r.released }));
      await recordHits(store, options.policy.notifyOnHits, context.caller, hits, options.policy.notifyWebhook !== undefined);
    }
  });
  if (options.policy.notifyWebhook) {
    const stopDelivery = startWebhookDelivery(store, options.policy.notifyWebhook, app.log, options.webhookEveryMs);
    app.addHook('onClose', async () => stopDelivery());
  }
  return app;
}

export interface RunningMember {
  /** The subgraph endpoint, e.g. http://127.0.0.1:4101/graphql (https:// with TLS) */
  url: string;
  app: FastifyInstance;
  store: Store;
  close(): Promise<void>;
  /** The state's audit log, when it has one of its own. */
  auditLog?: AuditLog;
  /** The network key epochs the match keys were computed with at start (with `networkKeyFile`). */
  networkKeyring?: NetworkKeyring;
}

/** Opens the state's database (migrating it), and serves its subgraph on host:port (port 0 picks a free one). */
export async function startMember(options: {
  state: MemberState;
  database: string;
  port?: number;
  host?: string;
  agency?: string;
  logger?: boolean | object;
  /** The gateway's public key, or the set of gateway keys the state trusts (a JWK Set file or URL, followed while the member runs). */
  gatewayPublicKey: JWK | KeySet;
  /** Folder of release policies; `<dir>/<STATE>.yaml` is read (a state without one releases hits only). */
  policiesDir?: string;
  /** Or the policy itself (tests). */
  policy?: ReleasePolicy;
  enforceRelease?: boolean;
  /** BENCH ONLY (MemberSafeguards). */
  safeguards?: MemberSafeguards;
  maxAnswerBytes?: number;
  /** The state's own audit log: a SQLite file or a postgres:// URL (schema hague_audit), and the state's audit key. Absent: the records database's audit_log table. */
  audit?: { location: string; signingKey: JWK; timestampAuthority?: { url: string; timeoutMs?: number } };
  /**
   * The network pseudonymisation key file (match-keys.ts; created on first use): the records' match
   * keys are computed with it before the member serves. Absent: the keys stored are served as they are.
   */
  networkKeyFile?: string;
  /** Serve HTTPS with mutual TLS: absent, plain HTTP (tests, `hague dev --insecure-http`). */
  tls?: MemberTls;
}): Promise<RunningMember> {
  const policy = options.policy ?? loadReleasePolicy(options.policiesDir ?? DEFAULT_POLICIES_DIR, options.state);
  const store = await openStore(options.database, options.state);
  let app: FastifyInstance | undefined;
  let auditLog: AuditLog | undefined;
  try {
    const networkKeyring = options.networkKeyFile ? ensureNetworkKeyring(options.networkKeyFile) : undefined;
    if (networkKeyring) await ensureMatchKeys(store, networkKeyring);
    if (options.audit) {
      auditLog = await openAuditLog(options.audit.location, {
        owner: options.state,
        signingKey: options.audit.signingKey,
        retainMs: policy.auditRetentionMs ?? DEFAULT_AUDIT_RETENTION_MS,
        timestampAuthority: options.audit.timestampAuthority,
        // Background checkpoints, stamps and expiries that failed (the next one retries).
        onError: (error) => app?.log.warn({ err: error }, (error as Error).message),
      });
    }
    app = await buildMemberApp({
      auditLog,
      state: options.state,
      store,
      agency: options.agency,
      logger: options.logger,
      gatewayPublicKey: options.gatewayPublicKey,
      policy,
      enforceRelease: options.enforceRelease,
      safeguards: options.safeguards,
      maxAnswerBytes: options.maxAnswerBytes,
      tls: options.tls,
    });
    const host = options.host ?? '127.0.0.1';
    await app.listen({ port: options.port ?? 0, host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    const running = app;
    return {
      url: `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}/graphql`,
      app: running,
      store,
      auditLog,
      networkKeyring,
      async close() {
        await running.close();
        await auditLog?.close(); // signs a last checkpoint
        await store.close();
      },
    };
  } catch (error) {
    await app?.close().catch(() => {});
    await auditLog?.close().catch(() => {});
    await store.close().catch(() => {});
    throw error;
  }
}
