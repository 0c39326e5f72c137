import { mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from 'jose';
import { CONTEXT_TOKEN_HEADER, contextAudience, importKey, signContextToken } from '../common/context-token.ts';
import { fileKeySet, remoteKeySet } from '../common/key-set.ts';
import { GATEWAY_KEYS_PATH } from '../gateway/published-keys.ts';
import { startGateway, type RunningGateway } from '../gateway/server.ts';
import { startMember, type RunningMember } from '../subgraphs/member/server.ts';
import { openPolicy, postQuery, runCli, startNetwork, type TestNetwork } from './support/network.ts';
import { caller } from './support/tokens.ts';

/**
 * Rotating the gateway's context-token key without restarting a member state (docs/identity-providers.md,
 * the runbook): the member trusts a key SET file, re-read as it changes; the gateway signs with a
 * kid. Real members and gateways on 127.0.0.1; the key set file is written as an operator would
 * (`hague gateway-key set`, an atomic replace).
 */

const folder = mkdtempSync(join(tmpdir(), 'hague-gwkeys-'));
const trustFile = join(folder, 'gateway-keys.json');
const QUERY = '{ persons(filter: { name: "Karimi" }) { id familyName } }';
const DATA = { NL: [{ id: 'NL-1', givenName: 'Ahmed', familyName: 'Karimi' }] };

interface GatewayKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

async function gatewayKey(kid: string): Promise<GatewayKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { kid, privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'ES256' }, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256' } };
}

/** Replaces the trusted set atomically, as `hague gateway-key set` does. */
function trust(...keys: GatewayKey[]): void {
  const temporary = `${trustFile}.tmp`;
  writeFileSync(temporary, JSON.stringify({ keys: keys.map((k) => k.publicJwk) }));
  renameSync(temporary, trustFile);
}

let key1: GatewayKey;
let key2: GatewayKey;
let net: TestNetwork;
const gateways: RunningGateway[] = [];

/** A context token for NL signed with `key`, for exactly `body`, sent straight to the member. */
async function direct(member: RunningMember, key: GatewayKey, body = JSON.stringify({ query: '{ __typename }' })) {
  const token = await signContextToken(caller(), contextAudience('NL'), await importKey(key.privateJwk), { body, deadline: Date.now() + 20_000 }, key.kid);
  const send = async () => {
    const res = await fetch(member.url, { method: 'POST', headers: { 'content-type': 'application/json', [CONTEXT_TOKEN_HEADER]: token }, body });
    return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> } };
  };
  return { token, send };
}

beforeAll(async () => {
  key1 = await gatewayKey('gateway-2026-01');
  key2 = await gatewayKey('gateway-2026-07');
  trust(key1);
  net = await startNetwork({
    states: ['NL'],
    data: DATA,
    memberGatewayKeys: await fileKeySet(trustFile, ['ES256']),
    gatewaySigningKey: key1.privateJwk,
  });
});

afterAll(async () => {
  await Promise.all(gateways.map((g) => g.close()));
  await net?.close();
  rmSync(folder, { recursive: true, force: true });
});

describe('gateway key rotation, member never restarted', () => {
  it('adds key 2, switches the gateway to it, retires key 1', async () => {
    const member = net.members.get('NL')!;
    // 1. The gateway signs with key 1, which the member trusts.
    const before = await net.query(QUERY);
    expect(before.status).toBe(200);
    expect(before.body.data.persons).toEqual([{ id: 'NL-1', familyName: 'Karimi' }]);
    expect(before.body.errors).toBeUndefined();
    // The gateway names its key in every context token.
    const sent = await direct(member, key1);
    expect(decodeProtectedHeader(sent.token)).toMatchObject({ alg: 'ES256', kid: 'gateway-2026-01', typ: 'hague-context+jwt' });

    // Key 2 is not trusted yet: a token signed with it is refused.
    const early = await (await direct(member, key2)).send();
    expect(early.status).toBe(401);
    expect(early.body.errors?.[0]?.message).toMatch(/^context token rejected \(no key with kid 'gateway-2026-07' in key file .*gateway-keys\.json\);/);

    // 2. The operator adds key 2 to the set every member trusts; the member reads it on its next request.
    trust(key1, key2);
    expect((await net.query(QUERY)).body.data.persons).toHaveLength(1);

    // 3. A gateway signing with key 2 (restarted with --context-key) is answered.
    await net.gateway.close();
    const gateway2 = await startGateway({
      supergraphSdl: net.supergraphSdl,
      members: net.memberConfigs,
      security: { ...net.security, signingKey: key2.privateJwk },
    });
    gateways.push(gateway2);
    const headers = await net.as({ state: 'NL', roles: ['analyst'], clearance: 'SECRET' });
    const after = await postQuery(gateway2.url, QUERY, undefined, headers);
    expect(after.status).toBe(200);
    expect(after.body.data.persons).toEqual([{ id: 'NL-1', familyName: 'Karimi' }]);
    expect(after.body.errors).toBeUndefined();

    // 4. Key 1 is retired: a context token signed with it is refused from the next request on.
    const stillKey1 = await direct(member, key1);
    trust(key2);
    const refused = await stillKey1.send();
    expect(refused.status).toBe(401);
    expect(refused.body.data).toBeNull();
    expect(refused.body.errors?.[0]).toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
      message: expect.stringMatching(/^context token rejected \(no key with kid 'gateway-2026-01' in key file/),
    });
    expect((await postQuery(gateway2.url, QUERY, undefined, headers)).body.data.persons).toHaveLength(1);

    // Replay-proofing holds across the rotation: a key-2 token is answered once, refused the second time.
    const once = await direct(member, key2);
    const first = await once.send();
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ data: { __typename: 'Query' } });
    const replay = await once.send();
    expect(replay.status).toBe(401);
    expect(replay.body.errors?.[0]?.message).toMatch(/already used: one token authorizes one request/);
  });

  it('keeps the last good set when the file is replaced by something unreadable', async () => {
    const member = net.members.get('NL')!;
    trust(key2);
    expect((await (await direct(member, key2)).send()).status).toBe(200);
    writeFileSync(`${trustFile}.tmp`, '{ "keys": [ half written');
    renameSync(`${trustFile}.tmp`, trustFile);
    const answer = await (await direct(member, key2)).send();
    expect(answer.status).toBe(200);
    expect((await (await direct(member, key1)).send()).status).toBe(401);
    trust(key2);
  });
});

describe('the gateway publishes its key set', () => {
  it('serves the signing key and the keys of --publish-keys at /.well-known, and a member trusting that URL follows it', async () => {
    const publishFile = join(folder, 'publish.json');
    writeFileSync(publishFile, JSON.stringify({ keys: [key1.privateJwk] })); // private parts are never published
    const gateway = await startGateway({
      supergraphSdl: net.supergraphSdl,
      members: net.memberConfigs,
      security: { ...net.security, signingKey: key2.privateJwk, publishKeysFile: publishFile },
    });
    gateways.push(gateway);
    const url = new URL(GATEWAY_KEYS_PATH, gateway.url).href;
    const published = (await (await fetch(url)).json()) as { keys: JWK[] };
    expect(published.keys.map((k) => k.kid)).toEqual(['gateway-2026-07', 'gateway-2026-01']);
    for (const key of published.keys) expect(key).not.toHaveProperty('d');

    // A member trusting the gateway's URL (hague member --gateway-jwks): key 1 accepted while published, refused once retired.
    const member = await startMember({
      state: 'NL',
      database: join(folder, 'jwks-member.db'),
      gatewayPublicKey: remoteKeySet(url, ['ES256'], { maxAgeMs: 1000, minRefreshIntervalMs: 0 }),
      policy: openPolicy('NL'),
    });
    try {
      expect((await (await direct(member, key1)).send()).status).toBe(200);
      expect((await (await direct(member, key2)).send()).status).toBe(200);
      writeFileSync(publishFile, JSON.stringify({ keys: [] }));
      const stale = await direct(member, key1);
      await new Promise((resolve) => setTimeout(resolve, 1200)); // past the member's cache age
      const refused = await stale.send();
      expect(refused.status).toBe(401);
      expect(refused.body.errors?.[0]?.message).toMatch(/^context token rejected \(no key with kid 'gateway-2026-01' in the key set at http/);
      expect((await (await direct(member, key2)).send()).status).toBe(200);
    } finally {
      await member.close();
    }
  });

  it('hague gateway-key new and set write a private key (0600) and the public key set', async () => {
    const next = join(folder, 'next.jwk');
    const made = await runCli(['gateway-key', 'new', '--out', next, '--kid', 'gateway-2027-01']);
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(/private key .*next\.jwk \(kid gateway-2027-01\)/);
    expect(statSync(next).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(next, 'utf8'))).toMatchObject({ kty: 'EC', crv: 'P-256', kid: 'gateway-2027-01', d: expect.any(String) });
    const again = await runCli(['gateway-key', 'new', '--out', next]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists; a key file is never overwritten/);

    const setFile = join(folder, 'set.json');
    const written = await runCli(['gateway-key', 'set', '--out', setFile, next, trustFile]);
    expect(written.code).toBe(0);
    const set = JSON.parse(readFileSync(setFile, 'utf8')) as { keys: JWK[] };
    expect(set.keys.map((k) => k.kid)).toEqual(['gateway-2027-01', 'gateway-2026-07']);
    for (const key of set.keys) expect(key).not.toHaveProperty('d');
  });
});
