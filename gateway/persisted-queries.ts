import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';

/** Keys of the persisted-query cache in Redis, after this prefix (the rate limit uses its own). */
export const PERSISTED_QUERY_PREFIX = 'hague:apq:';

/**
 * Apollo Server's automatic persisted queries, shared by every gateway replica through Redis: a
 * client that registered a query's hash with one replica (hash and full query) is understood by
 * all of them (hash alone), so no sticky sessions are needed behind a load balancer.
 *
 * The cache only maps a SHA-256 hash to the query text Apollo Server verified it against; the
 * request is still authenticated and authorised like any other. When Redis fails, a lookup is a
 * miss (the client gets PERSISTED_QUERY_NOT_FOUND and sends the full query, as the protocol
 * provides) and a store is skipped: nothing fails because the cache is down.
 *
 * Structurally Apollo's KeyValueCache<string> (`persistedQueries.cache`).
 */
export class RedisPersistedQueryCache {
  private lastWarning = 0;

  constructor(
    private readonly redis: Redis,
    private readonly log: FastifyBaseLogger,
    private readonly defaultTtlSeconds: number,
  ) {}

  async get(key: string): Promise<string | undefined> {
    try {
      return (await this.redis.get(PERSISTED_QUERY_PREFIX + key)) ?? undefined;
    } catch (error) {
      this.warn(error);
      return undefined;
    }
  }

  async set(key: string, value: string, options?: { ttl?: number | null }): Promise<void> {
    const ttl = options?.ttl === null ? undefined : (options?.ttl ?? this.defaultTtlSeconds);
    try {
      if (ttl && ttl > 0) await this.redis.set(PERSISTED_QUERY_PREFIX + key, value, 'EX', Math.ceil(ttl));
      else await this.redis.set(PERSISTED_QUERY_PREFIX + key, value);
    } catch (error) {
      this.warn(error);
    }
  }

  async delete(key: string): Promise<boolean> {
    try {
      return (await this.redis.del(PERSISTED_QUERY_PREFIX + key)) > 0;
    } catch (error) {
      this.warn(error);
      return false;
    }
  }

  /** At most one warning a minute: a Redis outage under load must not flood the log. */
  private warn(error: unknown): void {
    const now = Date.now();
    if (now - this.lastWarning < 60_000) return;
    this.lastWarning = now;
    this.log.warn({ err: error }, 'persisted-query Redis unavailable: lookups miss (clients resend full queries) until it is back');
  }
}
