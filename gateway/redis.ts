import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import { ConfigError } from '../common/config-error.ts';

/**
 * One Redis connection for state the gateway's replicas share (rate-limit counters, the persisted
 * query cache). Connects at start, so a wrong URL stops the gateway with one line naming the URL
 * (password masked); afterwards a lost connection fails fast instead of queueing commands, and
 * each user decides what a failed command means (the rate limit lets the request through, the
 * persisted-query cache answers "not found" and the client sends the full query).
 */
export async function connectRedis(url: string, what: string, log: FastifyBaseLogger): Promise<Redis> {
  // Loaded only when a Redis is configured: most gateways keep this state in memory, and start faster without it.
  // ioredis is CommonJS: Node's ESM loader gives its named export, the compiled bundle (esbuild) only
  // `default` (module.exports, whose Redis is the class).
  const loaded = (await import('ioredis')) as unknown as { Redis?: typeof Redis; default?: { Redis?: typeof Redis } };
  const RedisClient = loaded.Redis ?? loaded.default?.Redis;
  if (!RedisClient) throw new Error('ioredis did not load: no Redis class in the module');
  const redis = new RedisClient(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 1000, connectTimeout: 5000 });
  let lastError = '';
  redis.on('error', (error: Error) => {
    if (error.message !== lastError) log.warn({ err: error }, `${what} Redis connection failed; retrying`);
    lastError = error.message;
  });
  redis.on('ready', () => {
    lastError = '';
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    // connect() rejects with "Connection is closed."; the 'error' event had the cause (ECONNREFUSED, ENOTFOUND, ...).
    const why = lastError || (error instanceof Error ? error.message : String(error));
    throw new ConfigError(`${what} Redis ${redactUrl(url)}: cannot connect (${why})`);
  }
  return redis;
}

/** A Redis URL may carry a password: never in a message. */
export function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

/** Closes a connection made by connectRedis: QUIT when it is up, else drop it. */
export async function closeRedis(redis: Redis): Promise<void> {
  await redis.quit().catch(() => redis.disconnect());
}
