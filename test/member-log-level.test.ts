import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { JWK } from 'jose';
import { ensureKeyPair } from '../common/dev-keys.ts';
import { postQuery, runCli, startCli } from './support/network.ts';
import { caller, contextHeaders } from './support/tokens.ts';

/**
 * `hague member --log-level`: at the default (info) a member logs nothing per request; at debug,
 * fastify's "incoming request" and "request completed" lines appear for each request. A bad level
 * is one line naming the flag.
 */

const folder = mkdtempSync(join(tmpdir(), 'hague-member-log-'));
const keysDir = join(folder, 'keys');
const database = join(folder, 'nl.db');
let gatewayKey: JWK;
beforeAll(async () => {
  gatewayKey = (await ensureKeyPair(keysDir, 'gateway')).privateJwk;
  const seeded = await runCli(['seed', '--state', 'NL', '--persons', '20', '--database', database]);
  expect(seeded.code, seeded.stderr).toBe(0);
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const QUERY = '{ persons(filter: { documentNumber: "EM482913" }) { id } }';

/** Serves NL at `level` (none: the default), asks it three queries, stops it, and returns everything it printed. */
async function serveAndQuery(level?: string): Promise<string> {
  const member = startCli([
    'member',
    '--state',
    'NL',
    '--port',
    '0',
    '--database',
    database,
    '--gateway-key',
    join(keysDir, 'gateway.jwk'),
    '--keys-dir',
    keysDir,
    ...(level ? ['--log-level', level] : []),
  ]);
  try {
    const [, url] = await member.waitFor(/subgraph at (http:\/\/\S+\/graphql)/);
    for (let i = 0; i < 3; i++) {
      const body = JSON.stringify({ query: QUERY });
      const answer = await postQuery(url, QUERY, undefined, await contextHeaders(gatewayKey, 'NL', caller(), body));
      expect(answer.body).toEqual({ data: { persons: [{ id: 'NL-P-000001' }] }, extensions: { hague: { lists: { persons: expect.any(Object) } } } });
    }
  } finally {
    expect(await member.stop('SIGTERM')).toBe(0); // everything it logged is out once it has exited
  }
  return member.output();
}

it('logs no line per request at the default level (info)', async () => {
  const output = await serveAndQuery();
  expect(output).toMatch(/subgraph at http/);
  expect(output).not.toMatch(/incoming request|request completed/);
});

it('logs each request at debug', async () => {
  const output = await serveAndQuery('debug');
  const lines = output.split('\n').filter((line) => line.startsWith('{'));
  const messages = lines.map((line) => (JSON.parse(line) as { msg?: string; level?: number }).msg);
  expect(messages.filter((msg) => msg === 'incoming request')).toHaveLength(3);
  expect(messages.filter((msg) => msg === 'request completed')).toHaveLength(3);
  expect(lines.every((line) => (JSON.parse(line) as { level: number }).level >= 20)).toBe(true); // debug and up, nothing at trace
});

it('refuses an unknown level with one line naming the flag', async () => {
  const result = await runCli(['member', '--state', 'NL', '--database', database, '--gateway-key', join(keysDir, 'gateway.jwk'), '--log-level', 'loud']);
  expect(result.code).toBe(2);
  expect(result.stderr.trim()).toBe("hague: --log-level 'loud' is not one of fatal, error, warn, info, debug, trace, silent");
});
