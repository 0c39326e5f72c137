import fastifyRateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { closeRedis, connectRedis } from '../redis.ts';
import {
  DEFAULT_RATE_LIMIT_CONCURRENT_PER_CALLER,
  DEFAULT_RATE_LIMIT_PER_CALLER,
  DEFAULT_RATE_LIMIT_REFUSED_PER_ADDRESS,
  DEFAULT_RATE_LIMIT_WINDOW_MS,
} from '../../common/defaults.ts';
import { formattedError } from '../../common/errors.ts';
import { isExplorerPageRequest } from '../explorer.ts';
import type { GatewayPlugin } from '../plugin.ts';
import type { GatewayMetrics } from './metrics.ts';

/** members.yaml `gateway.rateLimit`; 0 turns one limit off. */
export interface RateLimitOptions {
  /** GraphQL requests one caller (member state + token subject) may send per window. */
  perCaller: number;
  /**
   * GraphQL requests one caller may have in flight at once at this gateway (0: no limit). A burst
   * beyond it is answered 429 at once (retry in 1 s) instead of taking the states' time from
   * every other caller. Counted in this gateway's memory: replicas each allow this many.
   */
  concurrentPerCaller: number;
  /**
   * Requests refused before authentication (no token, a bad one, no purpose) one client address
   * may cause per window. Past it, every GraphQL request from that address is answered 429, before
   * its token is looked at, until the window ends. Behind a proxy the address is the proxy's.
   */
  refusedPerAddress: number;
  windowMs: number;
  /** redis:// or rediss:// URL: counters shared by every gateway replica on that Redis. Absent: in this process's memory. */
  redis?: string;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = {
  perCaller: DEFAULT_RATE_LIMIT_PER_CALLER,
  concurrentPerCaller: DEFAULT_RATE_LIMIT_CONCURRENT_PER_CALLER,
  refusedPerAddress: DEFAULT_RATE_LIMIT_REFUSED_PER_ADDRESS,
  windowMs: DEFAULT_RATE_LIMIT_WINDOW_MS,
};

/** Keys in the store (and in Redis, after this prefix). */
const NAMESPACE = 'hague-rate-limit:';
const CALLER = 'caller:';
const ADDRESS = 'address:';

type Limit = 'caller' | 'address' | 'concurrency';

/**
 * Rate limits on the GraphQL route only (not /healthz, /readyz, /metrics or the explorer), with
 * @fastify/rate-limit's counters:
 *
 * - per caller, after authentication (a route-level preHandler, which fastify runs after
 *   caller-auth's): key `caller:<STATE>:<subject>`;
 * - per client address for refused requests: a request that ends without a caller counts, and once
 *   an address is at its limit its requests are refused in onRequest, before any token is verified.
 *
 * A refusal is HTTP 429 with Retry-After and a GraphQL answer (RATE_LIMITED, retryAfter in
 * seconds), counted in the errors metric. If the shared store fails (Redis down) the request goes
 * on unlimited and the log says so: the limits protect the network, they do not take it down.
 */
export function useRateLimit(options: Partial<RateLimitOptions> | false | undefined, metrics?: GatewayMetrics, path = '/graphql'): GatewayPlugin {
  if (options === false) return { name: 'rate-limit' };
  const settings: RateLimitOptions = { ...DEFAULT_RATE_LIMIT, ...definedOnly(options ?? {}) };
  if (settings.perCaller === 0 && settings.refusedPerAddress === 0 && settings.concurrentPerCaller === 0) return { name: 'rate-limit' };
  const window = settings.windowMs % 1000 === 0 ? `${settings.windowMs / 1000} s` : `${settings.windowMs} ms`;
  const isGraphQLRequest = (request: FastifyRequest) =>
    request.routeOptions.url === path && request.method !== 'OPTIONS' && !isExplorerPageRequest(request, path);
  const refusedHere = new WeakSet<FastifyRequest>();

  return {
    name: 'rate-limit',
    async onApp(app) {
      const redis = settings.redis ? await connectRedis(settings.redis, 'rate-limit', app.log) : undefined;
      if (redis) app.addHook('onClose', async () => closeRedis(redis));
      await app.register(fastifyRateLimit, {
        global: false,
        timeWindow: settings.windowMs,
        max: (_request, key) => (key.startsWith(CALLER) ? settings.perCaller : settings.refusedPerAddress),
        keyGenerator: (request) => (request.caller ? `${CALLER}${request.caller.state}:${request.caller.subject}` : `${ADDRESS}${normalizeIP(request.ip)}`),
        nameSpace: NAMESPACE,
        // In-memory store: keys kept (least recently used dropped first). The default 5000 would let a
        // flood from many addresses push callers' counts out; 100k keys are a few MB.
        cache: 100_000,
        ...(redis ? { redis } : {}),
      });
      const limiter = app.createRateLimit();
      let storeFailedAt = 0;
      const count = async (request: FastifyRequest, increment: boolean) => {
        try {
          const result = await limiter(request, { increment });
          return result.isAllowed ? undefined : result;
        } catch (error) {
          // At most one line per window: an outage must be visible, not flood the log.
          if (Date.now() - storeFailedAt > settings.windowMs)
            request.log.error({ err: error }, 'rate-limit store failed; requests are not limited until it answers');
          storeFailedAt = Date.now();
          return undefined;
        }
      };
      const refuse = (request: FastifyRequest, reply: FastifyReply, limit: Limit, max: number, ttlMs: number) => {
        const retryAfter = Math.max(1, Math.ceil(ttlMs / 1000));
        const message =
          limit === 'caller'
            ? `Too many requests from this caller: at most ${max} per ${window}; retry in ${retryAfter} s`
            : limit === 'concurrency'
              ? `Too many requests from this caller at once: at most ${max} in flight; retry in ${retryAfter} s`
              : `Too many refused requests from this address: at most ${max} per ${window}; retry in ${retryAfter} s`;
        refusedHere.add(request);
        metrics?.errors.inc({ code: 'RATE_LIMITED' });
        request.log.info({ limit, retryAfter }, 'request refused: rate limit');
        return reply
          .code(429)
          .header('retry-after', String(retryAfter))
          .header('content-type', 'application/json; charset=utf-8')
          .send({ errors: [formattedError('RATE_LIMITED', message, undefined, { retryAfter })] });
      };

      if (settings.refusedPerAddress > 0) {
        // Before authentication: an address at its limit of refused requests gets no token checked.
        app.addHook('onRequest', async (request, reply) => {
          if (!isGraphQLRequest(request)) return;
          const status = await count(request, false);
          if (status && status.remaining === 0) return refuse(request, reply, 'address', status.max, status.ttl);
        });
        // After the answer: a GraphQL request that ended without a caller was refused (or unreadable).
        app.addHook('onResponse', async (request) => {
          if (request.caller || refusedHere.has(request) || !isGraphQLRequest(request)) return;
          await count(request, true);
        });
      }

      // Requests each caller has in flight here, released when the answer is sent or the client goes away.
      const inFlight = new Map<string, number>();
      const holding = new Map<FastifyRequest, string>();
      const release = (request: FastifyRequest) => {
        const key = holding.get(request);
        if (key === undefined) return;
        holding.delete(request);
        const n = (inFlight.get(key) ?? 1) - 1;
        if (n > 0) inFlight.set(key, n);
        else inFlight.delete(key);
      };
      if (settings.concurrentPerCaller > 0) {
        app.addHook('onResponse', async (request) => release(request));
        app.addHook('onRequestAbort', async (request) => release(request));
      }

      if (settings.perCaller > 0 || settings.concurrentPerCaller > 0) {
        const perCaller = async (request: FastifyRequest, reply: FastifyReply) => {
          if (!request.caller) return;
          if (settings.concurrentPerCaller > 0) {
            const key = `${request.caller.state}:${request.caller.subject}`;
            const running = inFlight.get(key) ?? 0;
            if (running >= settings.concurrentPerCaller) return refuse(request, reply, 'concurrency', settings.concurrentPerCaller, 1000);
            inFlight.set(key, running + 1);
            holding.set(request, key);
          }
          if (settings.perCaller === 0) return;
          const status = await count(request, true);
          if (!status) return;
          reply.header('x-ratelimit-limit', status.max).header('x-ratelimit-remaining', status.remaining).header('x-ratelimit-reset', status.ttlInSeconds);
          if (status.isExceeded) return refuse(request, reply, 'caller', status.max, status.ttl);
        };
        // Route-level preHandlers run after the app's (caller-auth's), so the caller is known here.
        app.addHook('onRoute', (route) => {
          if (route.url !== path) return;
          const existing = route.preHandler === undefined ? [] : Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler];
          route.preHandler = [...existing, perCaller];
        });
      }
    },
  };
}

function definedOnly(options: Partial<RateLimitOptions>): Partial<RateLimitOptions> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}
