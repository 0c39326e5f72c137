import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ExecutionResult, FormattedExecutionResult } from 'graphql';
import type { MemberState } from '../../common/member-states.ts';
import type { Store } from './store.ts';

/**
 * A member state outlives its database. While the database does not answer (PostgreSQL stopped
 * or restarting, a network cut, a SQLite file locked or unreadable), every GraphQL request is
 * answered at once with HTTP 503, `Retry-After: 1` and one error, the wire contract the gateway
 * turns into MEMBER_UNAVAILABLE with reason DATABASE_UNAVAILABLE:
 *
 *   {"errors":[{"message":"member state NL: its database is unavailable","extensions":{"code":"DATABASE_UNAVAILABLE","memberState":"NL"}}]}
 *
 * never INTERNAL_SERVER_ERROR, never SQL or the database's address. `/readyz` says the same to
 * probes (503 with a JSON reason); `/healthz` stays liveness only. When the database answers
 * again the member serves data again by itself, without a restart.
 *
 * How: a failed statement is classed as the database being unreachable (isDatabaseUnavailable)
 * or as a real failure (masked as before). An unreachable one (or a connection the pool lost)
 * makes the next request wait for one cheap probe (store.ping, bounded by a timeout), shared by
 * every request meanwhile: a lost connection the pool replaces costs no refusal. Once a probe found
 * the database down, requests are refused before any work, and at most one probe runs per second,
 * whatever the load. The first probe that succeeds lets requests through again.
 */

export const DATABASE_UNAVAILABLE = 'DATABASE_UNAVAILABLE';
/** Seconds a caller (the gateway) should wait before asking this state again. */
export const RETRY_AFTER_SECONDS = 1;
/** How long one probe result is trusted: probes cannot load the database however often they come. */
export const DATABASE_CHECK_CACHE_MS = 1000;
/** A probe not answered within this is a database that is down (a black-holed host never refuses). */
export const DATABASE_CHECK_TIMEOUT_MS = 1000;

/** PostgreSQL SQLSTATEs of a database that is not there: class 08 (connection exception), admin/crash shutdown, cannot connect now, too many connections. */
const PG_UNAVAILABLE = /^(08[0-9A-Z]{3}|57P01|57P02|57P03|53300)$/;
/** Socket errors of a database host that refuses, resets or cannot be reached. */
const NET_UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** SQLite: the file is locked by another process, cannot be opened, cannot be read or written, or its disk is full. */
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR|FULL)(_|$)/;
/** Messages of node-postgres (pg, pg-pool) for a connection that ended or could not be made; they carry no code. */
const PG_CONNECTION_MESSAGES =
  /Connection terminated|connection error and is not queryable|Client was closed and is not queryable|timeout exceeded when trying to connect|terminating connection due to administrator command|the database system is (shutting down|starting up|not yet accepting connections|in recovery mode)/i;

/**
 * Whether `error` (or what it wraps: a GraphQLError's originalError, a cause, an AggregateError's
 * errors) says the database cannot be reached, as opposed to a failing query (a bug, a constraint):
 * only the first is answered DATABASE_UNAVAILABLE.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number): boolean => {
    if (value === null || typeof value !== 'object' || seen.has(value) || depth > 5) return false;
    seen.add(value);
    const { code, message, originalError, cause, errors } = value as {
      code?: unknown;
      message?: unknown;
      originalError?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    if (typeof code === 'string' && (PG_UNAVAILABLE.test(code) || NET_UNAVAILABLE.has(code) || SQLITE_UNAVAILABLE.test(code))) return true;
    if (typeof message === 'string' && PG_CONNECTION_MESSAGES.test(message)) return true;
    if (visit(originalError, depth + 1) || visit(cause, depth + 1)) return true;
    return Array.isArray(errors) && errors.some((inner) => visit(inner, depth + 1));
  };
  return visit(error, 0);
}

/** The one error of the wire contract (key order as agreed with the gateway). */
export function databaseUnavailableError(state: MemberState): { message: string; extensions: { code: typeof DATABASE_UNAVAILABLE; memberState: MemberState } } {
  return { message: `member state ${state}: its database is unavailable`, extensions: { code: DATABASE_UNAVAILABLE, memberState: state } };
}

/** Whether the database answered the last check, with a probe shared by every caller for DATABASE_CHECK_CACHE_MS. */
export class DatabaseHealth {
  /** The last probe's verdict and when, or a suspicion (a failure since: at 0, so the next check probes at once). */
  #last: { ok: boolean; at: number } | undefined;
  /** What the last probe said (changes are reported to onChange). */
  #confirmed: boolean | undefined;
  #checking: Promise<boolean> | undefined;
  /** The store's ping still running (it may outlive its timeout): never more than one at a time. */
  #pinging: Promise<Error | undefined> | undefined;

  constructor(
    private readonly ping: () => Promise<void>,
    private readonly options: {
      cacheMs?: number;
      timeoutMs?: number;
      /** Called when the database goes down or comes back (not per request). */
      onChange?: (ok: boolean, error?: unknown) => void;
    } = {},
  ) {}

  /** True after a failure or a failed probe, until a probe succeeds. */
  get down(): boolean {
    return this.#last?.ok === false;
  }

  /**
   * A statement just failed because the database is unreachable, or a connection was lost. The
   * next check probes at once (a lost connection is not always an outage: the pool reconnects);
   * once a probe has said the database is down, its verdict stands for cacheMs.
   */
  markDown(): void {
    if (!this.down) this.#last = { ok: false, at: 0 };
  }

  /** Whether the database answers, probing at most once per cacheMs. */
  check(): Promise<boolean> {
    const last = this.#last;
    if (last && Date.now() - last.at < (this.options.cacheMs ?? DATABASE_CHECK_CACHE_MS)) return Promise.resolve(last.ok);
    this.#checking ??= this.#probe().finally(() => {
      this.#checking = undefined;
    });
    return this.#checking;
  }

  async #probe(): Promise<boolean> {
    this.#pinging ??= this.ping().then(
      () => undefined,
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    );
    const pinging = this.#pinging;
    void pinging.finally(() => {
      if (this.#pinging === pinging) this.#pinging = undefined;
    });
    const timeoutMs = this.options.timeoutMs ?? DATABASE_CHECK_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<Error>((resolve) => {
      timer = setTimeout(() => resolve(new Error(`the database did not answer within ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
    });
    const error = await Promise.race([pinging, timedOut]).finally(() => clearTimeout(timer));
    this.#record(error === undefined, error);
    return error === undefined;
  }

  #record(ok: boolean, error?: unknown): void {
    const was = this.#confirmed;
    this.#last = { ok, at: Date.now() };
    this.#confirmed = ok;
    if (was !== ok && (was !== undefined || !ok)) this.options.onChange?.(ok, error);
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set when this request failed because the database is unreachable (read by the error handler). */
    databaseUnavailable?: boolean;
  }
}

/**
 * Installs the outage handling on a member app, before its GraphQL routes are registered: the
 * `/readyz` route, the refusal of requests while the database is known down, and the error handler
 * that answers a request whose statement found the database unreachable. Returns the GraphQL
 * errorFormatter wrapper for failures inside execution.
 */
export function useDatabaseHealth(
  app: FastifyInstance,
  state: MemberState,
  store: Store,
  options: { cacheMs?: number; timeoutMs?: number } = {},
): {
  health: DatabaseHealth;
  /** Wraps mercurius's errorFormatter: an execution that failed on an unreachable database becomes the 503 answer. */
  formatErrors<C extends { reply?: FastifyReply }>(
    execution: ExecutionResult,
    context: C | undefined,
    format: (execution: ExecutionResult, context: C | undefined) => { statusCode: number; response: FormattedExecutionResult },
  ): { statusCode: number; response: FormattedExecutionResult };
} {
  const health = new DatabaseHealth(() => store.ping(), {
    ...options,
    onChange: (ok, error) => {
      if (ok) app.log.info({ memberState: state }, 'database answers again: serving requests');
      else app.log.warn({ memberState: state, err: error }, 'database unavailable: answering 503 DATABASE_UNAVAILABLE until it answers again');
    },
  });
  store.onConnectionError((error) => {
    app.log.warn({ err: error }, 'database connection lost');
    health.markDown();
  });

  const refuse = (reply: FastifyReply): FastifyReply =>
    reply
      .code(503)
      .header('retry-after', String(RETRY_AFTER_SECONDS))
      .header('content-type', 'application/json; charset=utf-8')
      .send(JSON.stringify({ errors: [databaseUnavailableError(state)] }));

  // Readiness: can this member answer queries now? A cheap statement, cached, never the data.
  app.get('/readyz', async (_request, reply) => {
    if (await health.check()) return { status: 'ready', memberState: state };
    reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS));
    return { status: 'unavailable', memberState: state, reason: DATABASE_UNAVAILABLE, message: 'its database does not answer' };
  });

  // While the database is known down, refuse before any work (one probe per second decides when it is back).
  app.addHook('onRequest', async (request: FastifyRequest, reply) => {
    if (request.routeOptions.url !== '/graphql' || !health.down) return;
    if (await health.check()) return;
    return refuse(reply);
  });

  // A hook (context token, search budget, audit) whose statement found the database unreachable.
  // The first error is marked here: mercurius's own error handler may fail on a request that has
  // no context yet, and then the root handler below sees its error instead of this one.
  app.addHook('onError', async (request, _reply, error) => {
    if (isDatabaseUnavailable(error)) request.databaseUnavailable = true;
  });
  app.setErrorHandler(async (error, request, reply) => {
    if (request.databaseUnavailable || isDatabaseUnavailable(error)) {
      health.markDown();
      return refuse(reply);
    }
    throw error; // fastify's own handling, as before
  });

  return {
    health,
    formatErrors(execution, context, format) {
      if (!(execution.errors ?? []).some(isDatabaseUnavailable)) return format(execution, context);
      health.markDown();
      context?.reply?.header('retry-after', String(RETRY_AFTER_SECONDS));
      return { statusCode: 503, response: { errors: [databaseUnavailableError(state)] } };
    },
  };
}
