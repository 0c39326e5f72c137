import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JWK } from 'jose';
import { CONTEXT_TOKEN_HEADER, contextAudience, importKey, signContextToken } from '../common/context-token.ts';
import { composeTest, deadUrl, gatewayCliArgs, runCli, startCli } from './support/network.ts';
import { caller } from './support/tokens.ts';

/**
 * `hague member --gateway-key <JWK Set file>` as an operator runs it during a rotation: keys made
 * with `hague gateway-key new`, the set with `hague gateway-key set`, replaced while the member
 * process runs; and the one-line errors of the trust flags.
 */

const folder = mkdtempSync(join(tmpdir(), 'hague-gwkey-cli-'));
const key1File = join(folder, 'gateway-1.jwk');
const key2File = join(folder, 'gateway-2.jwk');
const setFile = join(folder, 'gateway-keys.json');
const BODY = JSON.stringify({ query: '{ __typename }' });

async function send(url: string, keyFile: string) {
  const jwk = JSON.parse(readFileSync(keyFile, 'utf8')) as JWK;
  const token = await signContextToken(caller(), contextAudience('NL'), await importKey(jwk), { body: BODY, deadline: Date.now() + 20_000 }, jwk.kid);
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', [CONTEXT_TOKEN_HEADER]: token }, body: BODY });
  return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: Array<{ message: string }> } };
}

beforeAll(async () => {
  for (const [file, kid] of [
    [key1File, 'gateway-1'],
    [key2File, 'gateway-2'],
  ]) {
    const made = await runCli(['gateway-key', 'new', '--out', file, '--kid', kid]);
    expect(made.code).toBe(0);
  }
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('hague member --gateway-key <key set>', () => {
  it('follows the set file while it runs: key 2 added, key 1 retired, no restart', async () => {
    expect((await runCli(['gateway-key', 'set', '--out', setFile, key1File])).code).toBe(0);
    const member = startCli(['member', '--state', 'NL', '--port', '0', '--database', join(folder, 'nl.db'), '--gateway-key', setFile, '--keys-dir', folder]);
    try {
      const [, url] = await member.waitFor(/subgraph at (http:\/\/\S+\/graphql)/);
      await member.waitFor(/Ctrl-C to stop/);
      expect(member.output()).toMatch(/answers only context tokens signed with the gateway key\(s\) in .*gateway-keys\.json \(re-read when it changes\)/);
      expect(await send(url, key1File)).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
      expect((await send(url, key2File)).status).toBe(401);

      expect((await runCli(['gateway-key', 'set', '--out', setFile, key1File, key2File])).code).toBe(0);
      expect(await send(url, key2File)).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });

      expect((await runCli(['gateway-key', 'set', '--out', setFile, key2File])).code).toBe(0);
      const refused = await send(url, key1File);
      expect(refused.status).toBe(401);
      expect(refused.body.errors?.[0]?.message).toMatch(/^context token rejected \(no key with kid 'gateway-1' in key file .*gateway-keys\.json\)/);
      expect((await send(url, key2File)).status).toBe(200);
    } finally {
      expect(await member.stop()).toBe(0);
    }
  });

  it.each([
    [
      'both flags',
      () => ['--gateway-key', setFile, '--gateway-jwks', 'https://gateway.example/.well-known/hague-gateway-keys.json'],
      /^hague: give --gateway-key <file> or --gateway-jwks <url>, not both/,
    ],
    [
      'a URL that is not http(s)',
      () => ['--gateway-jwks', 'ftp://gateway.example/keys'],
      /^hague: --gateway-jwks ftp:\/\/gateway\.example\/keys is not an http\(s\) URL/,
    ],
    [
      'a file that is no key',
      () => ['--gateway-key', join(folder, 'not-a-key.json')],
      /^hague: --gateway-key .*not-a-key\.json is not a usable JWK or JWK Set file/,
    ],
  ])('refuses %s in one line, exit code 2', async (_what, flags, message) => {
    writeFileSync(join(folder, 'not-a-key.json'), '{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}');
    const result = await runCli(['member', '--state', 'NL', '--port', '0', '--database', join(folder, 'nl.db'), '--keys-dir', folder, ...flags()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('hague gateway --context-key --publish-keys', () => {
  it('signs with the given key and publishes it with the extra keys at /.well-known/hague-gateway-keys.json', async () => {
    const memberUrl = await deadUrl();
    const supergraph = join(folder, 'supergraph.graphql');
    writeFileSync(supergraph, composeTest(memberUrl, []));
    const membersYaml = join(folder, 'members.yaml');
    writeFileSync(membersYaml, `members:\n  - code: NL\n    url: ${memberUrl}\n`);
    expect((await runCli(['gateway-key', 'set', '--out', setFile, key1File])).code).toBe(0);
    const common = gatewayCliArgs({ supergraph, members: membersYaml, port: 0, keysDir: folder, audit: join(folder, 'gw.audit.db') });

    const missing = await runCli([...common, '--context-key', join(folder, 'none.jwk')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^hague: --context-key .*none\.jwk is not a readable JWK file .*hague gateway-key new --out/);
    const publicOnly = await runCli([...common, '--context-key', setFile]);
    expect(publicOnly.code).toBe(2);
    expect(publicOnly.stderr).toMatch(/^hague: --context-key .*gateway-keys\.json is not a private P-256 \(ES256\) JWK/);

    const gateway = startCli([...common, '--context-key', key2File, '--publish-keys', setFile]);
    try {
      const [, keysUrl] = await gateway.waitFor(/context tokens signed with .*gateway-2\.jwk \(kid gateway-2\), public keys at (http:\/\/\S+)/);
      await gateway.waitFor(/Ctrl-C to stop/);
      const published = (await (await fetch(keysUrl)).json()) as { keys: JWK[] };
      expect(published.keys.map((k) => k.kid)).toEqual(['gateway-2', 'gateway-1']);
      for (const key of published.keys) expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      for (const key of published.keys) expect(key).not.toHaveProperty('d');
      // The file is read at every fetch: key 1 retired without a restart.
      expect((await runCli(['gateway-key', 'set', '--out', setFile, key2File])).code).toBe(0);
      expect(((await (await fetch(keysUrl)).json()) as { keys: JWK[] }).keys.map((k) => k.kid)).toEqual(['gateway-2']);
    } finally {
      expect(await gateway.stop('SIGTERM')).toBe(0);
    }
  });
});
