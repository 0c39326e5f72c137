import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { buildGatewaySecurity } from '../gateway/security.ts';
import { parseMembersConfig } from '../gateway/members-config.ts';
import { DEFAULT_JWKS_MAX_AGE_MS, DEFAULT_JWKS_MIN_REFRESH_INTERVAL_MS, type RemoteKeySetOptions } from '../common/key-set.ts';
import { startGateway, type RunningGateway } from '../gateway/server.ts';
import { postQuery, startNetwork, type TestNetwork } from './support/network.ts';

/**
 * An identity provider rotating its keys while the gateway runs: a real JWKS server on 127.0.0.1
 * (port 0) whose key list the test changes, counting the fetches it answers; real gateways over it,
 * never restarted.
 */

const ISSUER = 'https://idp.nl.example/realms/police';

interface Key {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function newKey(kid: string): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

function sign(key: Key, kid = key.kid): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ clearance: 'SECRET', roles: ['analyst'] })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience('hague')
    .setSubject(`officer-${randomUUID()}`)
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(key.privateKey);
}

/** The identity provider's JWKS endpoint: publishes `published`, counts the fetches. */
class JwksServer {
  published: Key[] = [];
  fetches = 0;
  private server: Server = createServer((req, res) => {
    if (req.url !== '/jwks') return void res.writeHead(404).end();
    this.fetches++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: this.published.map((k) => k.publicJwk) }));
  });
  url = '';

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/jwks`;
    return this;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

let net: TestNetwork;
const gateways: RunningGateway[] = [];
const servers: JwksServer[] = [];

/** A real gateway whose NL callers are verified against `jwksUrl`, cached as `jwks` says. */
async function gatewayOver(jwksUrl: string, jwks: RemoteKeySetOptions): Promise<RunningGateway> {
  const security = await buildGatewaySecurity({ members: [{ ...net.memberConfigs[0], issuer: ISSUER, jwksUrl }], keysDir: net.keysDir, jwks });
  const gateway = await startGateway({ supergraphSdl: net.supergraphSdl, members: net.memberConfigs, security, rateLimit: false });
  gateways.push(gateway);
  return gateway;
}

function ask(gateway: RunningGateway, bearer: string) {
  return postQuery(gateway.url, '{ __typename }', undefined, { authorization: `Bearer ${bearer}`, 'x-hague-purpose': 'counter-terrorism' });
}

async function expectAccepted(gateway: RunningGateway, bearer: string) {
  const answer = await ask(gateway, bearer);
  expect(answer.body).toEqual({ data: { __typename: 'Query' } });
  expect(answer.status).toBe(200);
}

async function expectRefused(gateway: RunningGateway, bearer: string, message: RegExp, status = 401) {
  const answer = await ask(gateway, bearer);
  expect(answer.status).toBe(status);
  expect(answer.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  expect(answer.body.errors?.[0]?.message).toMatch(message);
}

const UNKNOWN_KID = /^Not authenticated: token rejected: it is signed with a key its identity provider does not publish \(unknown kid\)$/;

beforeAll(async () => {
  net = await startNetwork({ states: ['NL'] });
});

afterAll(async () => {
  await Promise.all(gateways.map((g) => g.close()));
  await Promise.all(servers.map((s) => s.close()));
  await net?.close();
});

describe('identity provider key rotation, gateway never restarted', () => {
  it('accepts a new key on first sight and refuses a removed key once the cached set has expired', async () => {
    const idp = await new JwksServer().start();
    servers.push(idp);
    const a = await newKey('key-a');
    const b = await newKey('key-b');
    idp.published = [a];
    const maxAgeMs = 1000;
    const gateway = await gatewayOver(idp.url, { maxAgeMs, minRefreshIntervalMs: 0 });

    const tokenA = await sign(a);
    await expectAccepted(gateway, tokenA);
    expect(idp.fetches).toBe(1);

    // The provider adds key B and signs with it at once: the unknown kid makes the gateway fetch again.
    idp.published = [a, b];
    await expectAccepted(gateway, await sign(b));
    expect(idp.fetches).toBe(2);
    await expectAccepted(gateway, await sign(a));

    // The provider retires key A. Until the cached set expires the gateway cannot know; after it, A is refused,
    // the very token accepted before included (its earlier verification does not outlive the key).
    idp.published = [b];
    await sleep(maxAgeMs + 200);
    await expectRefused(gateway, tokenA, UNKNOWN_KID);
    await expectRefused(gateway, await sign(a), UNKNOWN_KID);
    expect(idp.fetches).toBeGreaterThanOrEqual(3);
    await expectAccepted(gateway, await sign(b));
  });

  it('fetches at most once per minimum interval, whatever a flood of made-up kids asks for', async () => {
    const idp = await new JwksServer().start();
    servers.push(idp);
    const a = await newKey('key-a');
    idp.published = [a];
    const gateway = await gatewayOver(idp.url, { maxAgeMs: 600_000, minRefreshIntervalMs: 60_000 });
    await expectAccepted(gateway, await sign(a));
    expect(idp.fetches).toBe(1);

    const attacker = await newKey('whatever');
    const flood = await Promise.all(Array.from({ length: 60 }, async () => ask(gateway, await sign(attacker, `kid-${randomUUID()}`))));
    expect(flood.map((answer) => answer.status)).toEqual(Array(60).fill(401));
    for (const answer of flood) expect(answer.body.errors?.[0]?.message).toMatch(UNKNOWN_KID);
    // At most one fetch per interval: the set was fetched less than a minute ago, so the flood caused none.
    expect(idp.fetches).toBe(1);
    await expectAccepted(gateway, await sign(a));
  });

  it('answers 503 while the identity provider cannot be reached and no keys were ever fetched', async () => {
    const idp = await new JwksServer().start();
    const url = idp.url;
    await idp.close();
    const gateway = await gatewayOver(url, { maxAgeMs: 600_000, minRefreshIntervalMs: 1000, timeoutMs: 2000 });
    await expectRefused(
      gateway,
      await sign(await newKey('key-a')),
      /^Not authenticated: the keys of your state's identity provider cannot be fetched right now; try again shortly$/,
      503,
    );
  });
});

describe('members.yaml gateway.jwks', () => {
  const yaml = (jwks: string) => `gateway:\n${jwks}\nmembers:\n  - code: NL\n    url: http://127.0.0.1:4101/graphql\n`;

  it('defaults to a 10 minute cache, refreshed at most every 10 s', () => {
    const config = parseMembersConfig(yaml('  port: 4000'));
    expect(config.gateway.jwks).toEqual({ maxAgeMs: DEFAULT_JWKS_MAX_AGE_MS, minRefreshIntervalMs: DEFAULT_JWKS_MIN_REFRESH_INTERVAL_MS, timeoutMs: 5000 });
    expect(DEFAULT_JWKS_MAX_AGE_MS).toBe(600_000);
    expect(DEFAULT_JWKS_MIN_REFRESH_INTERVAL_MS).toBe(10_000);
  });

  it('takes maxAge, minRefreshInterval and timeout, and says what is wrong', () => {
    expect(parseMembersConfig(yaml('  jwks: { maxAge: 1h, minRefreshInterval: 30s, timeout: 2s }')).gateway.jwks).toEqual({
      maxAgeMs: 3_600_000,
      minRefreshIntervalMs: 30_000,
      timeoutMs: 2000,
    });
    expect(() => parseMembersConfig(yaml('  jwks: { maxAge: 0s }'))).toThrow(/gateway\.jwks\.maxAge.*is not a time from 1 s to 24 h/);
    expect(() => parseMembersConfig(yaml('  jwks: { maxAge: 10s, minRefreshInterval: 1m }'))).toThrow(/minRefreshInterval.*more than maxAge/);
    expect(() => parseMembersConfig(yaml('  jwks: { cooldown: 1m }'))).toThrow(/cooldown/);
  });
});
