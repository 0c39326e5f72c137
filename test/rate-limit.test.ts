import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Purpose } from '../common/caller.ts';
import type { DevTokenRequest } from '../common/dev-identity.ts';
import { parseMembersConfig } from '../gateway/members-config.ts';
import type { RateLimitOptions } from '../gateway/plugins/rate-limit.ts';
import { startGateway, type RunningGateway } from '../gateway/server.ts';
import { freePort } from './support/ports.ts';
import { skipRedis, startRedis, warnIfNoRedis, type TestRedis } from './support/redis.ts';
import { postQuery, startBrokenPeer, startNetwork, type GraphQLAnswer, type TestNetwork } from './support/network.ts';

/**
 * Rate limits at the gateway: per caller (state + token subject) after authentication, per client
 * address for refused requests before it; 429 + Retry-After + RATE_LIMITED; the GraphQL route only;
 * counters in memory, or shared by several gateways through a real redis-server.
 */

const DATA = { NL: [{ id: 'NL-1', givenName: 'Salah', familyName: 'Abdeslam' }] };
const QUERY = '{ persons(filter: { name: "Abdeslam" }) { memberState id } }';
// The per-state counts ride along with every search (search-counts.test.ts asserts them).
const ANSWER = { data: { persons: [{ memberState: 'NL', id: 'NL-1' }] }, extensions: { hague: { states: expect.any(Object) } } };
const analyst = (subject: string, state: DevTokenRequest['state'] = 'NL'): Omit<DevTokenRequest, 'keysDir'> => ({
  state,
  roles: ['analyst'],
  clearance: 'SECRET',
  subject,
});

let net: TestNetwork;
const extra: RunningGateway[] = [];
beforeAll(async () => {
  // The network's own gateway has the defaults (300 per caller per minute, 4 at once); each test starts the gateways it limits.
  net = await startNetwork({ states: ['NL', 'BE'], data: DATA });
});
afterAll(async () => {
  await Promise.all(extra.map((g) => g.close()));
  await net?.close();
});

/** Another gateway over the same member states and identity providers, with these limits. */
async function gatewayWith(rateLimit: Partial<RateLimitOptions>): Promise<RunningGateway> {
  const gateway = await startGateway({ supergraphSdl: net.supergraphSdl, members: net.memberConfigs, security: net.security, rateLimit });
  extra.push(gateway);
  return gateway;
}

async function ask(gateway: RunningGateway, who: Omit<DevTokenRequest, 'keysDir'>, purpose?: Purpose): Promise<GraphQLAnswer> {
  return postQuery(gateway.url, QUERY, undefined, await net.as(who, purpose));
}

/** The whole 429 answer, with the Retry-After the gateway chose (1..window). */
function expectLimited(answer: GraphQLAnswer, message: (retryAfter: number) => string, windowS: number): number {
  const retryAfter = Number(answer.headers.get('retry-after'));
  expect(answer.status).toBe(429);
  expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= windowS).toBe(true);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(answer.body).toEqual({ errors: [{ message: message(retryAfter), extensions: { code: 'RATE_LIMITED', retryAfter } }] });
  return retryAfter;
}

const callerMessage = (max: number, window: string) => (s: number) => `Too many requests from this caller: at most ${max} per ${window}; retry in ${s} s`;
const addressMessage = (max: number, window: string) => (s: number) =>
  `Too many refused requests from this address: at most ${max} per ${window}; retry in ${s} s`;

describe('per caller, in memory', () => {
  it('a burst past the limit gets 429 + Retry-After + RATE_LIMITED; another caller in the same window is answered', async () => {
    const gateway = await gatewayWith({ perCaller: 3, windowMs: 60_000 });
    net.resetCounts();
    for (let i = 0; i < 3; i++) {
      const ok = await ask(gateway, analyst('burst'));
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual(ANSWER);
      expect(ok.headers.get('x-ratelimit-remaining')).toBe(String(2 - i));
    }
    expect(net.requestCounts()).toEqual({ NL: 3, BE: 3 });
    const limited = await ask(gateway, analyst('burst'));
    expectLimited(limited, callerMessage(3, '60 s'), 60);
    expect(net.requestCounts()).toEqual({ NL: 3, BE: 3 }); // refused before Apollo: no state asked

    // Same window: another subject of the same state, and the same subject of another state.
    for (const other of [analyst('someone-else'), analyst('burst', 'BE')]) {
      const answered = await ask(gateway, other);
      expect(answered.status).toBe(200);
      expect(answered.body).toEqual(ANSWER);
    }
    // Still limited, over GET too (the same route).
    const url = `${gateway.url}?query=${encodeURIComponent(QUERY)}`;
    const get = await fetch(url, { headers: { ...(await net.as(analyst('burst'))), 'apollo-require-preflight': 'true' } });
    expect(get.status).toBe(429);
    expect(((await get.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('RATE_LIMITED');
  });

  it('limits the GraphQL route only: health, readiness, metrics and the explorer page are answered; 429s are counted', async () => {
    const gateway = await gatewayWith({ perCaller: 1, windowMs: 60_000 });
    const token = await net.as(analyst('ops'));
    expect((await ask(gateway, analyst('ops'))).status).toBe(200);
    expect((await ask(gateway, analyst('ops'))).status).toBe(429);
    expect((await ask(gateway, analyst('ops'))).status).toBe(429);
    const base = gateway.url.replace(/\/graphql$/, '');
    for (const path of ['/healthz', '/readyz', '/metrics', '/', '/explorer/config.json']) {
      expect([path, (await fetch(`${base}${path}`, { headers: token })).status]).toEqual([path, 200]);
    }
    const page = await fetch(gateway.url, { headers: { ...token, accept: 'text/html' } });
    expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('hague_gateway_errors_total{code="RATE_LIMITED"} 2');
  });

  it('the window resets: after Retry-After seconds the caller is answered again', async () => {
    const gateway = await gatewayWith({ perCaller: 2, windowMs: 1000 });
    expect((await ask(gateway, analyst('patient'))).status).toBe(200);
    expect((await ask(gateway, analyst('patient'))).status).toBe(200);
    const retryAfter = expectLimited(await ask(gateway, analyst('patient')), callerMessage(2, '1 s'), 1);
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 50)); // a timer may fire a millisecond early
    const again = await ask(gateway, analyst('patient'));
    expect(again.status).toBe(200);
    expect(again.body).toEqual(ANSWER);
  });

  it('throttles a flood of bad tokens by client address, before verifying them; callers are then refused from that address too', async () => {
    const gateway = await gatewayWith({ perCaller: 100, refusedPerAddress: 3, windowMs: 60_000 });
    const bad = { authorization: 'Bearer not-a-token', 'x-hague-purpose': 'counter-terrorism' };
    for (let i = 0; i < 3; i++) {
      const refused = await postQuery(gateway.url, QUERY, undefined, bad);
      expect([refused.status, refused.body.errors?.[0].extensions?.code]).toEqual([401, 'UNAUTHENTICATED']);
    }
    // A request without a purpose is refused before execution too, and counts the same way; but
    // the address is at its limit now.
    expectLimited(await postQuery(gateway.url, QUERY, undefined, bad), addressMessage(3, '60 s'), 60);
    expectLimited(await postQuery(gateway.url, QUERY, undefined, {}), addressMessage(3, '60 s'), 60);
    // The check runs before authentication, so a good token from the same address waits as well
    // (all tests run from 127.0.0.1); the explorer page and health are not limited.
    expectLimited(await ask(gateway, analyst('same-address')), addressMessage(3, '60 s'), 60);
    const base = gateway.url.replace(/\/graphql$/, '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(gateway.url, { headers: { accept: 'text/html' } })).status).toBe(200);
  });

  it('counts only refused requests against the address: answered callers never use it up', async () => {
    const gateway = await gatewayWith({ perCaller: 100, refusedPerAddress: 2, windowMs: 60_000 });
    for (let i = 0; i < 5; i++) expect((await ask(gateway, analyst(`caller-${i}`))).status).toBe(200);
    expect((await postQuery(gateway.url, QUERY, undefined, { 'x-hague-purpose': 'counter-terrorism' })).status).toBe(401);
    expect((await ask(gateway, analyst('caller-6'))).status).toBe(200);
  });

  it('the network gateway (defaults) answers normally and says how much is left', async () => {
    const answer = await ask(net.gateway, analyst('defaults'));
    expect(answer.status).toBe(200);
    expect([answer.headers.get('x-ratelimit-limit'), answer.headers.get('x-ratelimit-remaining')]).toEqual(['300', '299']);
  });
});

// ---------------------------------------------------------------------------------------------
// Redis: several replicas share one budget per caller.

warnIfNoRedis('rate-limit');

describe.skipIf(skipRedis)('per caller, shared through Redis', () => {
  let redis: TestRedis | undefined;
  let client: Redis | undefined;
  let a: RunningGateway;
  let b: RunningGateway;
  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
    client.on('error', () => {}); // the last test stops the server under it
    a = await gatewayWith({ perCaller: 4, windowMs: 60_000, redis: redis.url });
    b = await gatewayWith({ perCaller: 4, windowMs: 60_000, redis: redis.url });
  }, 30_000);
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  it('requests split across two gateways hit the limit at the configured total; another caller is still answered by both', async () => {
    for (const gateway of [a, b, a, b]) {
      const ok = await ask(gateway, analyst('shared'));
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual(ANSWER);
    }
    expectLimited(await ask(a, analyst('shared')), callerMessage(4, '60 s'), 60);
    expectLimited(await ask(b, analyst('shared')), callerMessage(4, '60 s'), 60);
    expect(await client!.get('hague-rate-limit:caller:NL:shared')).toBe('6');
    for (const gateway of [a, b]) expect((await ask(gateway, analyst('shared-other'))).body).toEqual(ANSWER);
  });

  it('a Redis that cannot be reached stops the gateway at start, with the URL and no password', async () => {
    const port = await freePort();
    await expect(
      startGateway({
        supergraphSdl: net.supergraphSdl,
        members: net.memberConfigs,
        security: net.security,
        rateLimit: { redis: `redis://:secret@127.0.0.1:${port}` },
      }),
    ).rejects.toThrow(new RegExp(`^rate-limit Redis redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}: cannot connect \\(.*ECONNREFUSED`));
  });

  it('a Redis lost while running: requests are answered unlimited rather than refused (last: stops the server)', async () => {
    await redis!.stop();
    for (let i = 0; i < 6; i++) expect((await ask(a, analyst('during-outage'))).status).toBe(200);
  });
});

describe('gateway.rateLimit in members.yaml', () => {
  const members = 'members:\n  - code: NL\n    url: http://127.0.0.1:4101/graphql\n';
  const parse = (rateLimit: string) => parseMembersConfig(`gateway:\n  rateLimit:${rateLimit}\n${members}`).gateway.rateLimit;

  it('defaults when absent; keys override them; false turns it off', () => {
    expect(parseMembersConfig(members).gateway.rateLimit).toEqual({ perCaller: 300, concurrentPerCaller: 4, refusedPerAddress: 1200, windowMs: 60_000 });
    expect(parse('\n    perCaller: 50\n    window: 10s\n    redis: redis://cache.internal:6379/2')).toEqual({
      perCaller: 50,
      concurrentPerCaller: 4,
      refusedPerAddress: 1200,
      windowMs: 10_000,
      redis: 'redis://cache.internal:6379/2',
    });
    expect(parse('\n    refusedPerAddress: 0\n    window: 1m')).toEqual({ perCaller: 300, concurrentPerCaller: 4, refusedPerAddress: 0, windowMs: 60_000 });
    expect(parse('\n    window: 1500')).toMatchObject({ windowMs: 1500 });
    expect(parse(' false')).toBe(false);
  });

  it.each([
    [' true', /members\.yaml:2: gateway\.rateLimit: true is not a map or false; expected perCaller, concurrentPerCaller, refusedPerAddress, window, redis/],
    ['\n    max: 10', /members\.yaml:3: gateway\.rateLimit\.max: unknown key; allowed here: perCaller, concurrentPerCaller, refusedPerAddress, window, redis/],
    ['\n    perCaller: -1', /members\.yaml:3: gateway\.rateLimit\.perCaller: -1 is not a number of requests per window \(0 to 1000000; 0: no limit\)/],
    ['\n    refusedPerAddress: lots', /members\.yaml:3: gateway\.rateLimit\.refusedPerAddress: 'lots' is not a number of requests per window/],
    [
      '\n    window: 1 minute',
      /members\.yaml:3: gateway\.rateLimit\.window: '1 minute' is not a time window from 1 s to 24 h; expected e\.g\. 60s, 1m or 60000/,
    ],
    ['\n    window: 500ms', /members\.yaml:3: gateway\.rateLimit\.window: '500ms' is not a time window from 1 s to 24 h/],
    [
      '\n    redis: http://127.0.0.1:6379',
      /members\.yaml:3: gateway\.rateLimit\.redis: 'http:\/\/127\.0\.0\.1:6379' is not a Redis URL; expected redis:\/\/host:port/,
    ],
  ])('refuses %j with file:line', (rateLimit, message) => {
    expect(() => parse(rateLimit)).toThrow(message);
  });
});

describe('per caller, at once', () => {
  let slowNet: TestNetwork;
  let closePeer: () => Promise<void>;
  beforeAll(async () => {
    // FR holds every request until the gateway's 1.5 s timeout: requests stay in flight meanwhile.
    const slow = await startBrokenPeer('slow', 10_000);
    closePeer = slow.close;
    slowNet = await startNetwork({ states: ['NL'], data: DATA, peers: [{ code: 'FR', url: slow.url }], timeoutMs: 1500 });
  });
  afterAll(async () => {
    await slowNet?.close();
    await closePeer?.();
  });

  it('a caller past its requests in flight is answered 429 at once; another caller is not held up by it', async () => {
    const gateway = await startGateway({
      supergraphSdl: slowNet.supergraphSdl,
      members: slowNet.memberConfigs,
      security: slowNet.security,
      rateLimit: { perCaller: 0, refusedPerAddress: 0, concurrentPerCaller: 2 },
    });
    try {
      const burst = await slowNet.as(analyst('burst'));
      const other = await slowNet.as(analyst('other'));
      const answers = await Promise.all([
        ...Array.from({ length: 3 }, () => postQuery(gateway.url, QUERY, undefined, burst)),
        postQuery(gateway.url, QUERY, undefined, other),
      ]);
      const burstStatuses = answers.slice(0, 3).map((a) => a.status);
      expect(burstStatuses.filter((s) => s === 429)).toHaveLength(1);
      expect(burstStatuses.filter((s) => s === 200)).toHaveLength(2);
      const limited = answers.find((a) => a.status === 429)!;
      expect(limited.headers.get('retry-after')).toBe('1');
      expect(limited.body).toEqual({
        errors: [
          { message: 'Too many requests from this caller at once: at most 2 in flight; retry in 1 s', extensions: { code: 'RATE_LIMITED', retryAfter: 1 } },
        ],
      });
      // The other caller was answered (NL's data, FR timed out), and once the burst's requests ended the caller may ask again.
      expect(answers[3].status).toBe(200);
      expect(answers[3].body.data).toEqual(ANSWER.data);
      expect((await postQuery(gateway.url, QUERY, undefined, burst)).status).toBe(200);
    } finally {
      await gateway.close();
    }
  });
});
