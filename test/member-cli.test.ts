import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureKeyPair } from '../common/dev-keys.ts';
import { postQuery, runCli, startCli } from './support/network.ts';

/**
 * `hague member` and `hague seed` as a newcomer runs them: seed a state, serve it, query it with a
 * context token; and the one-line errors of every start-up mistake.
 */

const folder = mkdtempSync(join(tmpdir(), 'hague-member-cli-'));
const keysDir = join(folder, 'keys');
const database = join(folder, 'nl.db');
beforeAll(async () => {
  await ensureKeyPair(keysDir, 'gateway');
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

it('seeds a state, serves it, and answers a query carrying a context token (and nothing without one)', async () => {
  const seeded = await runCli(['seed', '--state', 'NL', '--persons', '50', '--database', database]);
  expect(seeded.code).toBe(0);
  const member = startCli(['member', '--state', 'NL', '--port', '0', '--database', database, '--gateway-key', join(keysDir, 'gateway.jwk')]);
  try {
    const [, url] = await member.waitFor(/subgraph at (http:\/\/\S+\/graphql)/);
    await member.waitFor(/Ctrl-C to stop/);
    const query = '{ persons(filter: { documentNumber: "EM482913" }) { memberState id familyName } }';
    const body = JSON.stringify({ query }); // what postQuery sends
    const token = await runCli([
      'token',
      '--state',
      'NL',
      '--roles',
      'analyst',
      '--clearance',
      'SECRET',
      '--context-for',
      'NL',
      '--body',
      body,
      '--keys-dir',
      keysDir,
    ]);
    expect(token.code).toBe(0);
    const answer = await postQuery(url, query, undefined, { 'x-hague-context': token.stdout.trim() });
    expect(answer.body).toEqual({
      data: { persons: [{ memberState: 'NL', id: 'NL-P-000001', familyName: 'Belhawari' }] },
      extensions: { hague: { lists: { persons: { returned: 1, more: false, scores: [null] } } } },
    });
    const refused = await postQuery(url, query);
    expect(refused.status).toBe(401);
    // The same token again: one token authorizes one request.
    const replayed = await postQuery(url, query, undefined, { 'x-hague-context': token.stdout.trim() });
    expect(replayed.status).toBe(401);
    expect(replayed.body.errors).toEqual([
      {
        message: 'context token rejected (already used: one token authorizes one request); member states answer only requests relayed by the Hague gateway',
        extensions: { code: 'UNAUTHENTICATED', memberState: 'NL' },
      },
    ]);
  } finally {
    expect(await member.stop('SIGTERM')).toBe(0);
  }
});

describe('start-up mistakes: one line that says what to fix, exit code 2', () => {
  let busyPort: number;
  let closeBusy: () => void;
  beforeAll(async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    busyPort = (server.address() as { port: number }).port;
    closeBusy = () => server.close();
    const foreign = new SQLite(join(folder, 'crm.db'));
    foreign.exec('create table customers (id integer primary key, name text)');
    foreign.close();
    mkdirSync(join(folder, 'a-folder.db'));
    mkdirSync(join(folder, 'policies'));
    writeFileSync(join(folder, 'policies', 'NL.yaml'), 'memberState: NL\ndefaultTier: EVERYTHING\n');
  });
  afterAll(() => closeBusy());

  const key = () => ['--gateway-key', join(keysDir, 'gateway.jwk')];
  it.each([
    ['a wrong state code', () => ['--state', 'XX', '--database', database, ...key()], /hague: --state: 'XX' is not a member state; use one of AT BE BG/],
    [
      'a port in use',
      () => ['--state', 'NL', '--port', String(busyPort), '--database', database, ...key()],
      /hague: member NL: port \d+ is already in use; stop the other process or choose another --port/,
    ],
    [
      'an unreachable PostgreSQL',
      () => ['--state', 'NL', '--database', 'postgres://hague@127.0.0.1:1/hague', ...key()],
      /hague: cannot reach PostgreSQL at postgres:\/\/127\.0\.0\.1:1\/hague: .*; start the server or fix --database/,
    ],
    [
      "another application's database",
      () => ['--state', 'NL', '--database', join(folder, 'crm.db'), ...key()],
      /hague: database .*crm\.db already holds tables of another application \(customers\); give Hague an empty database or its own/,
    ],
    [
      "another state's database",
      () => ['--state', 'BE', '--database', database, ...key()],
      /hague: database .*nl\.db holds the records of member state NL, not BE; give each state its own database/,
    ],
    [
      'a database path that is a folder',
      () => ['--state', 'NL', '--database', join(folder, 'a-folder.db'), ...key()],
      /hague: database .*a-folder\.db is not a file; fix --database/,
    ],
    [
      'a missing folder',
      () => ['--state', 'NL', '--database', join(folder, 'nowhere', 'nl.db'), ...key()],
      /hague: database folder .*nowhere does not exist; create it or fix --database/,
    ],
    [
      'no gateway key',
      () => ['--state', 'NL', '--database', database, '--gateway-key', join(folder, 'none.jwk')],
      /hague: --gateway-key .*none\.jwk does not exist; give the gateway's public key file/,
    ],
    [
      'a bad policy file',
      () => ['--state', 'NL', '--database', database, ...key(), '--policies', join(folder, 'policies')],
      /^hague: .*policies\/NL\.yaml:2: defaultTier: 'EVERYTHING' is not a tier; expected one of HIT, SUMMARY, FULL$/m,
    ],
    [
      'a policies folder that does not exist',
      () => ['--state', 'NL', '--database', database, ...key(), '--policies', join(folder, 'no-such-policies')],
      /^hague: --policies .*no-such-policies: no such folder; give the folder holding the release policies/m,
    ],
  ])('%s', async (_what, args, message) => {
    const result = await runCli(['member', '--port', '0', ...args()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
