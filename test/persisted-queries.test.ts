import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMembersConfig } from '../gateway/members-config.ts';
import { PERSISTED_QUERY_PREFIX } from '../gateway/persisted-queries.ts';
import { startGateway, type RunningGateway } from '../gateway/server.ts';
import { startNetwork, type TestNetwork } from './support/network.ts';
import { skipRedis, startRedis, warnIfNoRedis, type TestRedis } from './support/redis.ts';

/**
 * Automatic persisted queries across gateway replicas: a hash one replica learnt is understood by
 * the others when they share a Redis (members.yaml gateway.persistedQueries.redis), so a load
 * balancer needs no sticky sessions; without Redis each replica knows only its own. A Redis lost
 * while running costs a miss (the client resends the full query), never an error.
 */

const QUERY = '{ persons(filter: { name: "Abdeslam" }) { memberState id familyName } }';
const HASH = createHash('sha256').update(QUERY).digest('hex');
const EXPECTED = { persons: [{ memberState: 'NL', id: 'NL-1', familyName: 'Abdeslam' }] };
const apq = { persistedQuery: { version: 1, sha256Hash: HASH } };

warnIfNoRedis('persisted-queries');

describe.skipIf(skipRedis)('persisted queries shared by gateway replicas through Redis', () => {
  let net: TestNetwork;
  let redis: TestRedis;
  let client: Redis;
  const gateways: RunningGateway[] = [];
  let headers: Record<string, string>;

  const replica = async (redisUrl?: string) => {
    const gateway = await startGateway({
      supergraphSdl: net.supergraphSdl,
      members: net.memberConfigs,
      security: net.security,
      persistedQueries: { ttlMs: 600_000, ...(redisUrl ? { redis: redisUrl } : {}) },
    });
    gateways.push(gateway);
    return gateway;
  };
  /** POST as a partner app's Apollo Client sends it: the hash alone, or the hash with the query. */
  const send = async (gateway: RunningGateway, withQuery: boolean) => {
    const res = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ ...(withQuery ? { query: QUERY } : {}), extensions: apq }),
    });
    return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> } };
  };

  beforeAll(async () => {
    net = await startNetwork({ states: ['NL', 'BE'], data: { NL: [{ id: 'NL-1', givenName: 'Salah', familyName: 'Abdeslam' }] } });
    redis = await startRedis();
    client = new Redis(redis.url);
    client.on('error', () => {}); // the last test stops the server under it
    headers = await net.as({ state: 'BE', roles: ['analyst'], clearance: 'SECRET' }, 'counter-terrorism');
  }, 30_000);
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    client?.disconnect();
    await redis?.stop();
    await net?.close();
  });

  it('a hash registered with one replica is answered by hash alone on another; replicas without Redis know only their own', async () => {
    const [a, b] = [await replica(redis.url), await replica(redis.url)];
    const alone = await replica();

    const unknown = await send(b, false);
    expect(unknown.body.errors?.map((e) => e.extensions?.code)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect(unknown.body.data).toBeUndefined();

    const registered = await send(a, true);
    expect(registered.status).toBe(200);
    expect(registered.body.data).toEqual(EXPECTED);
    expect(await client.get(PERSISTED_QUERY_PREFIX + `apq:${HASH}`)).toBe(QUERY);
    const ttl = await client.ttl(PERSISTED_QUERY_PREFIX + `apq:${HASH}`);
    expect(ttl > 500 && ttl <= 600).toBe(true);

    const byHash = await send(b, false);
    expect(byHash.status).toBe(200);
    expect(byHash.body).toMatchObject({ data: EXPECTED });
    expect(byHash.body.errors).toBeUndefined();

    // A replica keeping its cache in memory has not seen the hash.
    expect((await send(alone, false)).body.errors?.map((e) => e.extensions?.code)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
  });

  it('a hash is still authorised per caller: a token without the rights gets what its own rules allow', async () => {
    const [b] = gateways;
    const none = await fetch(b.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hague-purpose': 'counter-terrorism' },
      body: JSON.stringify({ extensions: apq }),
    });
    expect(none.status).toBe(401);
    expect(JSON.stringify(await none.json())).not.toContain('Abdeslam');
  });

  it('members.yaml gateway.persistedQueries: ttl and redis, with errors that say what to fix', () => {
    const parse = (yaml: string) =>
      parseMembersConfig(`gateway:\n  persistedQueries:${yaml}\nmembers:\n  - code: NL\n    name: Netherlands\n    url: http://127.0.0.1:4101/graphql\n`);
    expect(parse('\n    ttl: 30m\n    redis: redis://cache.internal:6379/1').gateway.persistedQueries).toEqual({
      ttlMs: 1_800_000,
      redis: 'redis://cache.internal:6379/1',
    });
    expect(parseMembersConfig('members:\n  - code: NL\n    name: Netherlands\n    url: http://127.0.0.1:4101/graphql\n').gateway.persistedQueries).toEqual({
      ttlMs: 3_600_000,
    });
    expect(() => parse('\n    ttl: forever')).toThrow(/members\.yaml:3: gateway\.persistedQueries\.ttl: 'forever' is not a time from 1 s to 720 h/);
    expect(() => parse('\n    redis: http://cache')).toThrow(/gateway\.persistedQueries\.redis: 'http:\/\/cache' is not a Redis URL/);
    expect(() => parse('\n    size: 5')).toThrow(/gateway\.persistedQueries\.size: unknown key; allowed here: ttl, redis/);
  });

  it('a Redis lost while running: hash alone is a miss, the full query is answered (last: stops the server)', async () => {
    const [a] = gateways;
    await redis.stop();
    const miss = await send(a, false);
    expect(miss.status).toBe(200);
    expect(miss.body.errors?.map((e) => e.extensions?.code)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    const full = await send(a, true);
    expect(full.status).toBe(200);
    expect(full.body.data).toEqual(EXPECTED);
  });
});
