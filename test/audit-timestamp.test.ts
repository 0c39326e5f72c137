import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAuditLog, verifyAuditLog } from '../common/audit-log.ts';
import { ensureKeyPair } from '../common/dev-keys.ts';
import { postQuery, runCli, startCli } from './support/network.ts';
import { makeCertificate, startOpensslTsa, type TestTsa } from './support/openssl-tsa.ts';
import { createTestDatabase, describePostgres } from './support/postgres.ts';

/**
 * RFC 3161 time-stamps on audit checkpoints, against a real time-stamp authority (OpenSSL's `ts`
 * behind HTTP, with its own CA): every checkpoint stamped, the stamps checked offline with the
 * TSA's CA certificate, a stamp moved between checkpoints or from an untrusted TSA refused, a TSA
 * that is down costing only the stamp; OpenSSL itself accepts the tokens we store. And the SQLite
 * log's insert-only triggers.
 */

const run = promisify(execFile);
const folder = mkdtempSync(join(tmpdir(), 'hague-audit-tsa-'));
let tsa: TestTsa;
let keys: { privateJwk: JWK; publicJwk: JWK };
beforeAll(async () => {
  tsa = await startOpensslTsa();
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), alg: 'ES256', kid: 'audit-NL-tsa-test' };
  const { d: _d, ...publicJwk } = privateJwk;
  keys = { privateJwk, publicJwk };
});
afterAll(async () => {
  await tsa?.close();
  rmSync(folder, { recursive: true, force: true });
});

interface Storage {
  location(): Promise<string>;
  /** Runs SQL against the log's tables ({checkpoints}) as someone with write access would, triggers off. */
  tamper(location: string, sql: string): Promise<void>;
  checkpoints(location: string): Promise<Array<{ seq: number; signature: string; tsa_token: string | null }>>;
}

let files = 0;
const sqlite: Storage = {
  location: async () => join(folder, `log-${++files}.audit.db`),
  tamper: async (location, sql) => {
    const db = new SQLite(location);
    for (const name of db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all() as string[]) db.exec(`DROP TRIGGER ${name}`);
    db.exec(sql.replaceAll('{checkpoints}', 'checkpoints'));
    db.close();
  },
  checkpoints: async (location) => {
    const db = new SQLite(location, { readonly: true });
    const rows = db.prepare('SELECT seq, signature, tsa_token FROM checkpoints ORDER BY seq').all() as Array<{
      seq: number;
      signature: string;
      tsa_token: string | null;
    }>;
    db.close();
    return rows;
  },
};

const postgres: Storage = {
  location: () => createTestDatabase(),
  tamper: async (location, sql) => {
    const client = new pg.Client({ connectionString: location });
    await client.connect();
    await client.query('SET session_replication_role = replica');
    await client.query(sql.replaceAll('{checkpoints}', 'hague_audit.checkpoints'));
    await client.end();
  },
  checkpoints: async (location) => {
    const client = new pg.Client({ connectionString: location });
    await client.connect();
    const { rows } = await client.query('SELECT seq, signature, tsa_token FROM hague_audit.checkpoints ORDER BY seq');
    await client.end();
    return rows.map((r: { seq: string; signature: string; tsa_token: string | null }) => ({ ...r, seq: Number(r.seq) }));
  },
};

/** A log with two stamped checkpoints: at entry 5 and (at close) at entry 8. */
async function stampedLog(storage: Storage): Promise<string> {
  const location = await storage.location();
  const errors: unknown[] = [];
  const log = await openAuditLog(location, {
    owner: 'NL',
    signingKey: keys.privateJwk,
    checkpointIntervalMs: 0,
    timestampAuthority: { url: tsa.url },
    onError: (e) => errors.push(e),
  });
  for (let i = 1; i <= 5; i++) await log.append('answer', { requestId: `req-${i}` });
  const first = await log.checkpoint();
  expect(first?.timestamp).toMatch(/^[A-Za-z0-9+/]+=*$/);
  for (let i = 6; i <= 8; i++) await log.append('answer', { requestId: `req-${i}` });
  await log.close();
  expect(errors).toEqual([]);
  return location;
}

function suite(storage: Storage): void {
  it('stamps every checkpoint; the stamps verify against the TSA CA, and OpenSSL accepts the stored tokens', async () => {
    const location = await stampedLog(storage);
    const rows = await storage.checkpoints(location);
    expect(rows.map((r) => r.seq)).toEqual([5, 8]);
    expect(rows.every((r) => typeof r.tsa_token === 'string')).toBe(true);

    const checked = await verifyAuditLog(location, keys.publicJwk, { tsaCertificates: [tsa.certificate] });
    expect(checked).toMatchObject({ ok: true, entries: 8, timestamps: { stamped: 2, signerChecked: true, last: { seq: 8 } } });
    if (!checked.ok) return;
    expect(Number.isNaN(Date.parse(checked.timestamps.last!.genTime))).toBe(false);
    // Without the TSA's certificate the stamps are still matched to their checkpoints, not to a signer.
    expect(await verifyAuditLog(location, keys.publicJwk)).toMatchObject({ ok: true, timestamps: { stamped: 2, signerChecked: false } });

    // An independent check of the token: OpenSSL's own verifier, with the CA alone.
    const token = join(folder, `token-${files}-${rows[1].seq}.der`);
    const data = join(folder, `checkpoint-${files}-${rows[1].seq}.jws`);
    writeFileSync(token, Buffer.from(rows[1].tsa_token!, 'base64'));
    writeFileSync(data, rows[1].signature);
    const { stdout } = await run('openssl', ['ts', '-verify', '-data', data, '-in', token, '-token_in', '-CAfile', join(tsa.dir, 'tsa-ca.crt')]);
    expect(stdout).toMatch(/Verification: OK/);
  });

  it("refuses a stamp moved to another checkpoint, an altered token, and a TSA that is not the trusted one's", async () => {
    const moved = await stampedLog(storage);
    await storage.tamper(moved, 'UPDATE {checkpoints} SET tsa_token = (SELECT tsa_token FROM {checkpoints} WHERE seq = 5) WHERE seq = 8');
    expect(await verifyAuditLog(moved, keys.publicJwk)).toEqual({
      ok: false,
      owner: 'NL',
      firstBad: { seq: 8, reason: 'checkpoint at entry 8: the time-stamp is for other data (moved from another checkpoint, or the checkpoint altered?)' },
    });

    const altered = await stampedLog(storage);
    await storage.tamper(altered, "UPDATE {checkpoints} SET tsa_token = 'AAAA' || tsa_token WHERE seq = 5");
    expect(await verifyAuditLog(altered, keys.publicJwk)).toMatchObject({
      ok: false,
      firstBad: { seq: 5, reason: 'checkpoint at entry 5: the time-stamp token cannot be read (altered?)' },
    });

    const other = await makeCertificate(tsa.dir, 'other', 'Some Other TSA');
    const untrusted = await verifyAuditLog(await stampedLog(storage), keys.publicJwk, { tsaCertificates: [other] });
    expect(untrusted.ok).toBe(false);
    if (untrusted.ok) return;
    expect(untrusted.firstBad.seq).toBe(5);
    expect(untrusted.firstBad.reason).toMatch(/^checkpoint at entry 5: the time-stamp is not signed by a trusted TSA \(/);
  });

  it('a TSA that is down leaves the checkpoint signed but unstamped, says so, and the next checkpoint is stamped again', async () => {
    const location = await storage.location();
    const errors: string[] = [];
    const log = await openAuditLog(location, {
      owner: 'NL',
      signingKey: keys.privateJwk,
      checkpointIntervalMs: 0,
      timestampAuthority: { url: tsa.url },
      onError: (e) => errors.push((e as Error).message),
    });
    try {
      await log.append('answer', { requestId: 'down-1' });
      tsa.down = true;
      const unstamped = await log.checkpoint();
      tsa.down = false;
      expect(unstamped).toMatchObject({ seq: 1 });
      expect(unstamped?.timestamp).toBeUndefined();
      expect(errors).toEqual([
        expect.stringMatching(/: checkpoint at entry 1 signed without a time-stamp: time-stamp authority http:\/\/127\.0\.0\.1:\d+\/tsr answered HTTP 503$/),
      ]);
      await log.append('answer', { requestId: 'down-2' });
      expect((await log.checkpoint())?.timestamp).toBeDefined();
    } finally {
      tsa.down = false;
      await log.close();
    }
    expect(await verifyAuditLog(location, keys.publicJwk, { tsaCertificates: [tsa.certificate] })).toMatchObject({
      ok: true,
      entries: 2,
      lastCheckpoint: { seq: 2 },
      timestamps: { stamped: 1, signerChecked: true, last: { seq: 2 } },
    });
  });
}

describe('time-stamped audit checkpoints on SQLite', () => {
  suite(sqlite);

  it('is insert-only by trigger: a plain UPDATE or DELETE is refused, an expiry behind its anchor passes', async () => {
    const location = await stampedLog(sqlite);
    const db = new SQLite(location);
    try {
      expect(() => db.exec("UPDATE entries SET kind = 'x' WHERE seq = 2")).toThrow(/insert-only: UPDATE on entries refused/);
      expect(() => db.exec('DELETE FROM entries WHERE seq = 8')).toThrow(/insert-only: entries expire only behind a signed anchor/);
      expect(() => db.exec('DELETE FROM checkpoints')).toThrow(/insert-only: DELETE on checkpoints refused/);
      expect(() => db.exec('UPDATE checkpoints SET tsa_token = NULL WHERE seq = 5')).toThrow(/insert-only: UPDATE on checkpoints refused/);
    } finally {
      db.close();
    }
    const log = await openAuditLog(location, { owner: 'NL', signingKey: keys.privateJwk, checkpointIntervalMs: 0, retainMs: 0 });
    expect(await log.expire(new Date(Date.now() + 60_000))).toMatchObject({ seq: 8, removed: 8 });
    await log.close();
    expect(await verifyAuditLog(location, keys.publicJwk)).toMatchObject({ ok: true, entries: 0, expiredThrough: { seq: 8 } });
  });
});

describePostgres('time-stamped audit checkpoints on PostgreSQL', () => {
  suite(postgres);
});

describe('the CLI: hague member --audit-tsa, hague audit verify --tsa-cert', () => {
  it('a member run with --audit-tsa stamps its checkpoints; verify checks them with --tsa-cert', async () => {
    const keysDir = join(folder, 'keys');
    const database = join(folder, 'nl.db');
    const auditFile = join(folder, 'nl-cli.audit.db');
    await ensureKeyPair(keysDir, 'gateway');
    expect((await runCli(['seed', '--state', 'NL', '--persons', '20', '--database', database])).code).toBe(0);
    const member = startCli([
      ...['member', '--state', 'NL', '--port', '0', '--database', database, '--gateway-key', join(keysDir, 'gateway.jwk')],
      ...['--audit', auditFile, '--audit-tsa', tsa.url, '--keys-dir', keysDir],
    ]);
    try {
      const [, url] = await member.waitFor(/subgraph at (http:\/\/\S+\/graphql)/);
      const query = '{ persons(filter: { documentNumber: "EM482913" }) { id } }';
      const token = await runCli([
        ...['token', '--state', 'BE', '--roles', 'analyst', '--clearance', 'SECRET', '--context-for', 'NL'],
        ...['--body', JSON.stringify({ query }), '--keys-dir', keysDir],
      ]);
      expect(token.code).toBe(0);
      const answer = await postQuery(url, query, undefined, { 'x-hague-context': token.stdout.trim() });
      expect(answer.status).toBe(200);
    } finally {
      expect(await member.stop('SIGTERM')).toBe(0); // closing signs (and stamps) a last checkpoint
    }
    const caFile = join(folder, 'tsa-ca.pem');
    writeFileSync(caFile, tsa.certificate);
    const verified = await runCli(['audit', 'verify', '--database', auditFile, '--key', join(keysDir, 'audit-NL.jwk'), '--tsa-cert', caFile]);
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(
      /\(NL\): 1 entries, chain intact; last signed checkpoint: entry 1 at \S+; 1 checkpoint time-stamped, the last \(entry 1\) at \S+ by a trusted TSA\n$/,
    );

    const unchecked = await runCli(['audit', 'verify', '--database', auditFile, '--key', join(keysDir, 'audit-NL.jwk')]);
    expect(unchecked.stdout).toMatch(/1 checkpoint time-stamped, the last \(entry 1\) at \S+ \(TSA signatures not checked: give --tsa-cert\)\n$/);

    const notPem = join(folder, 'not.pem');
    writeFileSync(notPem, 'hello');
    const bad = await runCli(['audit', 'verify', '--database', auditFile, '--key', join(keysDir, 'audit-NL.jwk'), '--tsa-cert', notPem]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--tsa-cert \S+not\.pem is not a PEM X\.509 certificate; give the time-stamp authority's certificate or its CA's/);

    const badUrl = await runCli([
      'member',
      '--state',
      'NL',
      '--database',
      database,
      '--gateway-key',
      join(keysDir, 'gateway.jwk'),
      '--audit-tsa',
      'tsa.example',
    ]);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toMatch(/--audit-tsa 'tsa\.example' is not an http\(s\) URL/);
  }, 240_000); // seven CLI processes, one after the other
});
