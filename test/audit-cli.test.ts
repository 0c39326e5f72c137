import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAuditLog } from '../common/audit-log.ts';
import { ensureKeyPair } from '../common/dev-keys.ts';
import { runCli } from './support/network.ts';
import { createTestDatabase, describePostgres } from './support/postgres.ts';

/**
 * `hague audit verify` and `hague audit export` as child processes, over the dev network's layout
 * (<data-dir>/<STATE>.audit.db, <keys-dir>/audit-<STATE>.jwk): exit 0 intact, 1 not, 2 bad flags.
 */

const folder = mkdtempSync(join(tmpdir(), 'hague-audit-cli-'));
const dataDir = join(folder, 'data');
const keysDir = join(folder, 'keys');
const dev = ['--data-dir', dataDir, '--keys-dir', keysDir];
let publicKeyFile: string;

async function writeLog(owner: string, count: number): Promise<string> {
  const { privateJwk } = await ensureKeyPair(keysDir, `audit-${owner}`);
  const location = join(dataDir, `${owner}.audit.db`);
  const log = await openAuditLog(location, { owner, signingKey: privateJwk, checkpointEvery: 4 });
  for (let i = 1; i <= count; i++) await log.append('answer', { requestId: `req-${i}`, caller: { state: 'BE' } });
  await log.close();
  return location;
}

beforeAll(async () => {
  mkdirSync(dataDir, { recursive: true });
  await writeLog('NL', 6);
  await writeLog('gateway', 3);
  const { publicJwk } = await ensureKeyPair(keysDir, 'audit-NL');
  publicKeyFile = join(folder, 'audit-NL.public.jwk');
  writeFileSync(publicKeyFile, JSON.stringify(publicJwk));
  const records = new SQLite(join(folder, 'records.db'));
  records.exec('CREATE TABLE persons (id TEXT)');
  records.close();
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('hague audit verify', () => {
  it("exits 0 with the entry count and the last signed checkpoint of a state's log", async () => {
    const result = await runCli(['audit', 'verify', '--state', 'NL', ...dev]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^audit log \S+NL\.audit\.db \(NL\): 6 entries, chain intact; last signed checkpoint: entry 6 at \d{4}-\d\d-\d\dT[\d:.]+Z\n$/,
    );
  });

  it("verifies the gateway's log, and a log given by file and public key", async () => {
    const gateway = await runCli(['audit', 'verify', '--gateway', ...dev]);
    expect(gateway.code).toBe(0);
    expect(gateway.stdout).toMatch(/\(gateway\): 3 entries, chain intact/);
    const byFile = await runCli(['audit', 'verify', '--database', join(dataDir, 'NL.audit.db'), '--key', publicKeyFile]);
    expect(byFile.code).toBe(0);
    expect(byFile.stdout).toMatch(/\(NL\): 6 entries, chain intact/);
  });

  it('exits 1 naming the first bad entry of a tampered log', async () => {
    const location = await writeLog('BE', 5);
    const db = withoutTriggers(new SQLite(location));
    db.exec(`UPDATE entries SET entry = '{"requestId":"req-3"}' WHERE seq = 3`);
    db.close();
    const result = await runCli(['audit', 'verify', '--state', 'BE', ...dev]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^audit log \S+BE\.audit\.db \(BE\) DOES NOT VERIFY: entry 3: hash does not match its content \(altered\?\)\n$/);
  });

  it('exits 1 when the log was cut after a checkpoint', async () => {
    const location = await writeLog('FR', 8);
    const db = withoutTriggers(new SQLite(location));
    db.exec('DELETE FROM entries WHERE seq > 6');
    db.close();
    const result = await runCli(['audit', 'verify', '--state', 'FR', ...dev]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /DOES NOT VERIFY: checkpoint at entry 8: signed a log reaching entry 8, but the log ends at entry 6 \(cut after a checkpoint/,
    );
  });

  for (const [what, args, message] of [
    [
      'no log named',
      ['audit', 'verify', ...dev],
      /^hague: which audit log\? give --state <code>, --gateway, or --database <file\|postgres-url> --key <JWK file>\n$/,
    ],
    ['two logs named', ['audit', 'verify', '--state', 'NL', '--gateway', ...dev], /^hague: give one of --state, --gateway, not several\n$/],
    ['an unknown state', ['audit', 'verify', '--state', 'XX', ...dev], /^hague: --state: 'XX' is not a member state; use one of /],
    ['a state without a log', ['audit', 'verify', '--state', 'DE', ...dev], /^hague: audit log \S+DE\.audit\.db does not exist; fix --data-dir\n$/],
    ['--database without --key', ['audit', 'verify', '--database', 'x.db'], /^hague: --database needs --key <JWK file>/],
    [
      'a missing key file',
      ['audit', 'verify', '--state', 'NL', '--data-dir', dataDir, '--keys-dir', join(folder, 'nowhere')],
      /^hague: key file \S+ does not exist/,
    ],
    [
      'a file that is not an audit log',
      ['audit', 'verify', '--database', join(folder, 'records.db'), '--key', join(folder, 'audit-NL.public.jwk')],
      /^hague: \S+records\.db is not a Hague audit log \(it holds persons\)/,
    ],
    [
      'a key file that is not a JWK',
      ['audit', 'verify', '--state', 'NL', '--data-dir', dataDir, '--key', join(folder, 'records.db')],
      /^hague: --key \S+ is not an ES256 JWK file/,
    ],
  ] as const) {
    it.concurrent(`exits 2 with one line for ${what}`, async () => {
      const result = await runCli([...args]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    });
  }
});

describe('hague audit export', () => {
  it('writes JSON lines and <file>.sig, which verify --export accepts; a changed line exits 1', async () => {
    const out = join(folder, 'nl.jsonl');
    const exported = await runCli(['audit', 'export', '--state', 'NL', ...dev, '--since', '1h', '--out', out]);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    expect(exported.stdout).toBe(`exported 6 entries to ${out}, signature in ${out}.sig\n`);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    expect(JSON.parse(lines[0])).toMatchObject({ seq: 1, kind: 'answer', entry: { requestId: 'req-1' } });

    const verified = await runCli(['audit', 'verify', '--export', out, '--key', publicKeyFile]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^export \S+nl\.jsonl: 6 entries of NL's audit log, exported \S+; signature verified\n$/);

    writeFileSync(out, readFileSync(out, 'utf8').replace('"req-2"', '"req-9"'));
    const changed = await runCli(['audit', 'verify', '--export', out, '--state', 'NL', ...dev]);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toMatch(/DOES NOT VERIFY: export does not match its signature: lines were changed, added or removed\n$/);
  });

  it('filters by request id, prints to stdout with the signature on stderr, and refuses a bad time', async () => {
    const one = await runCli(['audit', 'export', '--state', 'NL', ...dev, '--request-id', 'req-4']);
    expect(one.code).toBe(0);
    expect(one.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(JSON.parse(one.stdout)).toMatchObject({ seq: 4, entry: { requestId: 'req-4' } });
    expect(one.stderr).toMatch(/^hague: 1 entries; signature .*\n[\w-]+\.[\w-]+\.[\w-]+\n$/);

    const none = await runCli(['audit', 'export', '--state', 'NL', ...dev, '--until', '2020-01-01T00:00:00Z']);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('');

    const bad = await runCli(['audit', 'export', '--state', 'NL', ...dev, '--since', 'yesterday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("hague: --since 'yesterday' is neither an ISO time (2025-03-01T12:00:00Z) nor a duration back from now (10m, 2h, 3d)\n");

    const publicOnly = await runCli(['audit', 'export', '--database', join(dataDir, 'NL.audit.db'), '--key', publicKeyFile]);
    expect(publicOnly.code).toBe(2);
    expect(publicOnly.stderr).toMatch(/is a public key; an export is signed with the owner's private audit key/);
  });
});

describePostgres('hague audit verify on PostgreSQL', () => {
  it('verifies a log in the hague_audit schema given by URL and key', async () => {
    const url = await createTestDatabase();
    const { privateJwk } = await ensureKeyPair(keysDir, 'audit-NL');
    const log = await openAuditLog(url, { owner: 'NL', signingKey: privateJwk });
    for (let i = 1; i <= 3; i++) await log.append('answer', { requestId: `req-${i}` });
    await log.close();
    const result = await runCli(['audit', 'verify', '--database', url, '--key', publicKeyFile]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^audit log postgres:\/\/127\.0\.0\.1:\d+\/\w+ \(NL\): 3 entries, chain intact; last signed checkpoint: entry 3 at /);
  });
});

/** The log's insert-only triggers dropped, as anyone who can write the file can do. */
function withoutTriggers(db: SQLite.Database): SQLite.Database {
  for (const name of db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all() as string[]) db.exec(`DROP TRIGGER ${name}`);
  return db;
}

describePostgres('hague audit init on PostgreSQL', () => {
  it('creates the log as its owning role and leaves the role the member logs in as able to append and read only', async () => {
    const url = await createTestDatabase();
    const role = `hague_nl_${Math.random().toString(36).slice(2, 8)}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${role} LOGIN`);
      const keyFile = join(keysDir, 'audit-NL.jwk');
      await ensureKeyPair(keysDir, 'audit-NL');
      const init = await runCli(['audit', 'init', '--database', url, '--owner', 'NL', '--key', keyFile, '--append-role', role]);
      expect(init.stderr).toBe('');
      expect(init.code).toBe(0);
      expect(init.stdout).toMatch(/^audit log postgres:\/\/127\.0\.0\.1:\d+\/\w+ \(NL\) ready, schema hague_audit, insert-only\n/);
      expect(init.stdout).toMatch(new RegExp(`role ${role} may append and read, never change or delete: give the member --audit with it as the user\\n$`));

      // The member, logged in as the role: appends and closes (a signed checkpoint), cannot change anything.
      const asRole = new URL(url);
      asRole.username = role;
      const { privateJwk } = await ensureKeyPair(keysDir, 'audit-NL');
      const log = await openAuditLog(asRole.toString(), { owner: 'NL', signingKey: privateJwk, retainMs: 0 });
      expect(await log.append('answer', { requestId: 'as-role-1' })).toMatchObject({ seq: 1 });
      await log.close();
      const plain = new pg.Client({ connectionString: asRole.toString() });
      await plain.connect();
      try {
        await expect(plain.query("UPDATE hague_audit.entries SET kind = 'x'")).rejects.toThrow(/permission denied/);
        await expect(plain.query('DELETE FROM hague_audit.checkpoints')).rejects.toThrow(/permission denied/);
      } finally {
        await plain.end();
      }
      const verified = await runCli(['audit', 'verify', '--database', url, '--key', publicKeyFile]);
      expect(verified.stdout).toMatch(/\(NL\): 1 entries, chain intact; last signed checkpoint: entry 1 at /);

      const sqliteFile = await runCli(['audit', 'init', '--database', join(folder, 'x.audit.db'), '--owner', 'NL', '--key', keyFile]);
      expect(sqliteFile.code).toBe(2);
      expect(sqliteFile.stderr).toMatch(/--database must be a postgres:\/\/ URL \(a SQLite audit log needs no init/);
      const badRole = await runCli(['audit', 'init', '--database', url, '--owner', 'NL', '--key', keyFile, '--append-role', 'x; DROP TABLE y']);
      expect(badRole.code).toBe(2);
      expect(badRole.stderr).toMatch(/--append-role 'x; DROP TABLE y' is not a plain PostgreSQL role name/);
    } finally {
      await admin.query(`DROP OWNED BY ${role}`).catch(() => {});
      await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => {});
      await admin.end();
    }
  }, 120_000);
});
