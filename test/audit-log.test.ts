import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { CompactSign, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../common/config-error.ts';
import { AuditLogBroken, GENESIS_HASH, entryHash, exportAuditLog, openAuditLog, verifyAuditLog, verifyExport } from '../common/audit-log.ts';
import { createTestDatabase, describePostgres } from './support/postgres.ts';

/**
 * The tamper-evident audit log (common/audit-log.ts) on SQLite and on PostgreSQL: the chain, the
 * signed checkpoints, every kind of tampering done with plain SQL, concurrent writers, and signed
 * exports.
 */

const folder = mkdtempSync(join(tmpdir(), 'hague-audit-log-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function keyPair(kid: string): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), alg: 'ES256', kid };
  const { d: _d, ...publicJwk } = privateJwk;
  return { privateJwk, publicJwk };
}

let keys: { privateJwk: JWK; publicJwk: JWK };
let otherKeys: { privateJwk: JWK; publicJwk: JWK };
beforeAll(async () => {
  keys = await keyPair('audit-NL-test');
  otherKeys = await keyPair('audit-XX-other');
});

/** Plain SQL against a log's tables, as someone with write access to the database would do. */
interface Tamper {
  run(sql: string): Promise<void>;
  rows(sql: string): Promise<Array<Record<string, unknown>>>;
}

interface Backend {
  /** A fresh, empty location. */
  location(): Promise<string>;
  /** SQL access to it; `{entries}`, `{checkpoints}` name the tables. */
  tamper(location: string): Promise<Tamper & { close(): Promise<void> }>;
}

let fileCounter = 0;
const sqliteBackend: Backend = {
  location: async () => join(folder, `log-${++fileCounter}.audit.db`),
  tamper: async (location) => {
    const db = new SQLite(location);
    // the log is insert-only by trigger; whoever can write the file can drop the triggers
    for (const name of db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all() as string[]) db.exec(`DROP TRIGGER ${name}`);
    const t = (sql: string) => sql.replaceAll('{entries}', 'entries').replaceAll('{checkpoints}', 'checkpoints').replaceAll('{anchors}', 'anchors');
    return {
      run: async (sql) => {
        db.exec(t(sql));
      },
      rows: async (sql) => db.prepare(t(sql)).all() as Array<Record<string, unknown>>,
      close: async () => {
        db.close();
      },
    };
  },
};

const postgresBackend: Backend = {
  location: () => createTestDatabase(),
  tamper: async (location) => {
    const client = new pg.Client({ connectionString: location });
    await client.connect();
    // the entries are insert-only by trigger; a superuser tampering switches triggers off
    await client.query('SET session_replication_role = replica');
    const t = (sql: string) =>
      sql.replaceAll('{entries}', 'hague_audit.entries').replaceAll('{checkpoints}', 'hague_audit.checkpoints').replaceAll('{anchors}', 'hague_audit.anchors');
    return {
      run: async (sql) => {
        await client.query(t(sql));
      },
      rows: async (sql) => (await client.query(t(sql))).rows.map((r: Record<string, unknown>) => ({ ...r, seq: Number(r.seq) })),
      close: () => client.end(),
    };
  },
};

const entryOf = (i: number) => ({ requestId: `req-${i}`, caller: { state: 'BE', subject: `user-${i % 3}` }, released: { records: [`NL-P-${i}`] } });

/** A closed log of `count` entries, checkpoints every 10. */
async function filledLog(backend: Backend, count = 20): Promise<string> {
  const location = await backend.location();
  const log = await openAuditLog(location, { owner: 'NL', signingKey: keys.privateJwk, checkpointEvery: 10 });
  for (let i = 1; i <= count; i++) await log.append('answer', entryOf(i));
  await log.close();
  return location;
}

async function tampered(backend: Backend, sql: string | ((t: Tamper) => Promise<void>)): Promise<Awaited<ReturnType<typeof verifyAuditLog>>> {
  const location = await filledLog(backend);
  const t = await backend.tamper(location);
  try {
    if (typeof sql === 'string') await t.run(sql);
    else await sql(t);
  } finally {
    await t.close();
  }
  return verifyAuditLog(location, keys.publicJwk);
}

function expectBad(result: Awaited<ReturnType<typeof verifyAuditLog>>, seq: number, reason: RegExp): void {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.firstBad.seq).toBe(seq);
  expect(result.firstBad.reason).toMatch(reason);
}

function suite(backend: Backend): void {
  it('chains appends: each entry hashes its content and its predecessor, checkpoints are signed every N and at close', async () => {
    const location = await backend.location();
    const log = await openAuditLog(location, { owner: 'NL', signingKey: keys.privateJwk, checkpointEvery: 10 });
    const appended: Array<{ seq: number; hash: string }> = [];
    for (let i = 1; i <= 25; i++) appended.push(await log.append('answer', entryOf(i)));
    expect(appended.map((a) => a.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    await log.close();

    const t = await backend.tamper(location);
    try {
      const rows = await t.rows('SELECT seq, at, kind, entry, prev_hash, hash FROM {entries} ORDER BY seq');
      expect(rows).toHaveLength(25);
      expect(rows[0].prev_hash).toBe(GENESIS_HASH);
      for (const [i, row] of rows.entries()) {
        if (i > 0) expect(row.prev_hash).toBe(rows[i - 1].hash);
        expect(row.hash).toBe(appended[i].hash);
        expect(
          entryHash({
            seq: row.seq as number,
            at: row.at as string,
            kind: row.kind as string,
            entry: JSON.parse(row.entry as string),
            prev_hash: row.prev_hash as string,
          }),
        ).toBe(row.hash);
      }
      expect(JSON.parse(rows[4].entry as string)).toEqual(entryOf(5));
      const checkpoints = await t.rows('SELECT seq, key_id FROM {checkpoints} ORDER BY seq');
      expect(checkpoints).toEqual([
        { seq: 10, key_id: 'audit-NL-test' },
        { seq: 20, key_id: 'audit-NL-test' },
        { seq: 25, key_id: 'audit-NL-test' },
      ]);
    } finally {
      await t.close();
    }

    const result = await verifyAuditLog(location, keys.publicJwk);
    expect(result).toMatchObject({ ok: true, owner: 'NL', entries: 25, lastCheckpoint: { seq: 25 }, unsignedTail: 0 });

    // Reopened, it continues the chain.
    const again = await openAuditLog(location, { owner: 'NL', signingKey: keys.privateJwk, checkpointIntervalMs: 0 });
    expect(await again.append('refusal', { requestId: 'req-26' })).toMatchObject({ seq: 26 });
    await again.close();
    expect(await verifyAuditLog(location, keys.publicJwk)).toMatchObject({ ok: true, entries: 26, lastCheckpoint: { seq: 26 } });
  });

  it('signs a checkpoint on the interval timer when entries were added', async () => {
    const location = await backend.location();
    const log = await openAuditLog(location, { owner: 'NL', signingKey: keys.privateJwk, checkpointIntervalMs: 50 });
    await log.append('answer', entryOf(1));
    await log.append('answer', entryOf(2));
    await new Promise((r) => setTimeout(r, 300));
    expect(await verifyAuditLog(location, keys.publicJwk)).toMatchObject({ ok: true, entries: 2, lastCheckpoint: { seq: 2 }, unsignedTail: 0 });
    await log.close();
  });

  it('reports entries not yet covered by a checkpoint, and an empty log', async () => {
    const location = await backend.location();
    const log = await openAuditLog(location, { owner: 'NL', signingKey: keys.privateJwk, checkpointIntervalMs: 0 });
    expect(await verifyAuditLog(location, keys.publicJwk)).toEqual({
      ok: true,
      owner: 'NL',
      entries: 0,
      lastCheckpoint: null,
      unsignedTail: 0,
      expiredThrough: null,
      timestamps: { stamped: 0, last: null, signerChecked: false },
    });
    await log.append('answer', entryOf(1));
    expect(await verifyAuditLog(location, keys.publicJwk)).toEqual({
      ok: true,
      owner: 'NL',
      entries: 1,
      lastCheckpoint: null,
      unsignedTail: 1,
      expiredThrough: null,
      timestamps: { stamped: 0, last: null, signerChecked: false },
    });
    await log.close();
  });

  describe('tampering with plain SQL makes verification fail at the first bad entry', () => {
    for (const [column, value] of [
      ['at', "'2020-01-01T00:00:00.000Z'"],
      ['kind', "'refusal'"],
      ['entry', `'{"requestId":"req-7","released":{"records":[]}}'`],
      ['prev_hash', `'${'1'.repeat(64)}'`],
      ['hash', `'${'2'.repeat(64)}'`],
    ]) {
      it(`an edited ${column}`, async () => {
        expectBad(
          await tampered(backend, `UPDATE {entries} SET ${column} = ${value} WHERE seq = 7`),
          7,
          /^entry 7: hash does not match its content \(altered\?\)$/,
        );
      });
    }

    it('an edited entry whose hash was recomputed (and the rest of the chain after it)', async () => {
      const result = await tampered(backend, async (t) => {
        const rows = await t.rows('SELECT seq, at, kind, entry, prev_hash, hash FROM {entries} ORDER BY seq');
        let prev = rows[5].hash as string;
        for (const row of rows.slice(6)) {
          const entry = row.seq === 7 ? { requestId: 'req-7', released: { records: [] } } : JSON.parse(row.entry as string);
          const hash = entryHash({ seq: row.seq as number, at: row.at as string, kind: row.kind as string, entry, prev_hash: prev });
          await t.run(`UPDATE {entries} SET entry = '${JSON.stringify(entry)}', prev_hash = '${prev}', hash = '${hash}' WHERE seq = ${row.seq as number}`);
          prev = hash;
        }
      });
      expectBad(result, 10, /^checkpoint at entry 10: the chain's hash of entry 10 is not the one signed \(entries up to 10 rewritten\?\)$/);
    });

    it('a deleted entry', async () => {
      expectBad(await tampered(backend, 'DELETE FROM {entries} WHERE seq = 7'), 7, /^entry 7: missing \(the log goes from entry 6 to entry 8: deleted\?\)$/);
    });

    it('a forged entry inserted at the end', async () => {
      const forged = `INSERT INTO {entries} (seq, at, kind, entry, prev_hash, hash) SELECT 21, at, kind, entry, hash, '${'3'.repeat(64)}' FROM {entries} WHERE seq = 20`;
      expectBad(await tampered(backend, forged), 21, /^entry 21: hash does not match its content \(altered\?\)$/);
    });

    it('a forged entry inserted in the middle with a correct hash (the entries after it renumbered)', async () => {
      const result = await tampered(backend, async (t) => {
        await t.run('UPDATE {entries} SET seq = -(seq + 1) WHERE seq >= 8');
        await t.run('UPDATE {entries} SET seq = -seq WHERE seq < 0');
        const [seven] = await t.rows('SELECT hash FROM {entries} WHERE seq = 7');
        const at = new Date().toISOString();
        const entry = { requestId: 'forged' };
        const hash = entryHash({ seq: 8, at, kind: 'answer', entry, prev_hash: seven.hash as string });
        await t.run(
          `INSERT INTO {entries} (seq, at, kind, entry, prev_hash, hash) VALUES (8, '${at}', 'answer', '${JSON.stringify(entry)}', '${seven.hash as string}', '${hash}')`,
        );
      });
      expectBad(result, 9, /^entry 9: holds the entry chained as entry 8 \(moved or renumbered: entries inserted, deleted or reordered before it\?\)$/);
    });

    it('two entries swapped', async () => {
      const result = await tampered(backend, async (t) => {
        await t.run('UPDATE {entries} SET seq = -seq WHERE seq IN (5, 6)');
        await t.run('UPDATE {entries} SET seq = 6 WHERE seq = -5');
        await t.run('UPDATE {entries} SET seq = 5 WHERE seq = -6');
      });
      expectBad(result, 5, /^entry 5: holds the entry chained as entry 6 /);
    });

    it('the log cut after a checkpoint', async () => {
      expectBad(
        await tampered(backend, 'DELETE FROM {entries} WHERE seq > 15'),
        16,
        /^checkpoint at entry 20: signed a log reaching entry 20, but the log ends at entry 15 \(cut after a checkpoint: entries deleted\?\)$/,
      );
    });

    it('a checkpoint signed with another key', async () => {
      const result = await tampered(backend, async (t) => {
        const [row] = await t.rows('SELECT seq, hash, at FROM {checkpoints} WHERE seq = 10');
        const forged = await new CompactSign(new TextEncoder().encode(JSON.stringify({ owner: 'NL', seq: 10, hash: row.hash, at: row.at })))
          .setProtectedHeader({ alg: 'ES256', typ: 'hague-audit-checkpoint', kid: 'audit-NL-test' })
          .sign(await importJWK(otherKeys.privateJwk, 'ES256'));
        await t.run(`UPDATE {checkpoints} SET signature = '${forged}' WHERE seq = 10`);
      });
      expectBad(result, 10, /^checkpoint at entry 10: signature does not verify with the given key \(forged\?\)$/);
    });

    it('a checkpoint row that differs from what was signed', async () => {
      expectBad(
        await tampered(backend, `UPDATE {checkpoints} SET hash = '${'4'.repeat(64)}' WHERE seq = 20`),
        20,
        /^checkpoint at entry 20: its row differs from what was signed \(altered\?\)$/,
      );
    });

    it('verification with the wrong public key', async () => {
      const location = await filledLog(backend);
      expectBad(await verifyAuditLog(location, otherKeys.publicJwk), 10, /signed with key audit-NL-test, checked with audit-XX-other: the wrong key\?/);
    });
  });

  it('keeps one chain when two logs on the same storage append concurrently (2 x 200 interleaved)', async () => {
    const location = await backend.location();
    const a = await openAuditLog(location, { owner: 'NL', signingKey: keys.privateJwk, checkpointEvery: 50 });
    const b = await openAuditLog(location, { owner: 'NL', signingKey: keys.privateJwk, checkpointEvery: 50 });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => [a.append('answer', { requestId: `a-${i}` }), b.append('answer', { requestId: `b-${i}` })]).flat(),
    );
    await Promise.all([a.close(), b.close()]);
    expect(new Set(results.map((r) => r.seq)).size).toBe(400);
    expect(Math.max(...results.map((r) => r.seq))).toBe(400);
    expect(await verifyAuditLog(location, keys.publicJwk)).toMatchObject({ ok: true, entries: 400, lastCheckpoint: { seq: 400 } });
  });

  it('commits appends made in the same turn together, each at its place in call order, each resolved only once written', async () => {
    const location = await backend.location();
    const log = await openAuditLog(location, { owner: 'NL', signingKey: keys.privateJwk, checkpointEvery: 0 });
    const first = await log.append('answer', { requestId: 'before' });
    const burst = await Promise.all(
      Array.from({ length: 30 }, (_, i) => log.append(i % 2 ? 'refused' : 'answer', { requestId: `r-${i}`, n: i, at: new Date(0) })),
    );
    expect(burst.map((r) => r.seq)).toEqual(Array.from({ length: 30 }, (_, i) => first.seq + 1 + i));
    const tamper = await backend.tamper(location);
    const rows = await tamper.rows('SELECT seq, at, kind, entry, prev_hash, hash FROM {entries} ORDER BY seq');
    await tamper.close();
    // Written in call order, each hash the chain's own rule over the stored entry (a Date stored as JSON gives it).
    expect(rows.map((r) => JSON.parse(String(r.entry)).requestId)).toEqual(['before', ...Array.from({ length: 30 }, (_, i) => `r-${i}`)]);
    for (const row of rows)
      expect(row.hash).toBe(
        entryHash({ seq: Number(row.seq), at: String(row.at), kind: String(row.kind), entry: JSON.parse(String(row.entry)), prev_hash: String(row.prev_hash) }),
      );
    expect(JSON.parse(String(rows[1].entry)).at).toBe('1970-01-01T00:00:00.000Z');
    // An entry still waiting for its commit when the log closes is written first, then signed.
    const late = log.append('answer', { requestId: 'at-close' });
    await log.close();
    expect((await late).seq).toBe(first.seq + 31);
    expect(await verifyAuditLog(location, keys.publicJwk)).toMatchObject({ ok: true, entries: 32, lastCheckpoint: { seq: 32 } });
    await expect(log.append('answer', { requestId: 'after' })).rejects.toThrow(/closed/);
  });

  it('keeps one chain when two processes append to the same storage at once (2 x 200)', async () => {
    const location = await backend.location();
    const keyFile = join(folder, `key-${++fileCounter}.jwk`);
    writeFileSync(keyFile, JSON.stringify(keys.privateJwk));
    const appender = fileURLToPath(new URL('./support/audit-appender.ts', import.meta.url));
    const goFile = join(folder, `go-${fileCounter}`);
    const run = (name: string) =>
      new Promise<string>((resolve, reject) => {
        execFile(process.execPath, ['--import', 'tsx', appender, location, keyFile, name, '200', goFile], { timeout: 60_000 }, (error, stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
        );
      });
    const finished = Promise.all([run('a'), run('b')]);
    // Both processes have opened the log: let them go at once.
    const until = Date.now() + 30_000;
    while (!(existsSync(`${goFile}.a.ready`) && existsSync(`${goFile}.b.ready`)) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    writeFileSync(goFile, '');
    expect(await finished).toEqual(['done 200\n', 'done 200\n']);
    expect(await verifyAuditLog(location, keys.publicJwk)).toMatchObject({ ok: true, entries: 400, lastCheckpoint: { seq: 400 } });
    const t = await backend.tamper(location);
    try {
      const writers = (await t.rows('SELECT entry FROM {entries} ORDER BY seq')).map(
        (row) => (JSON.parse(row.entry as string) as { requestId: string }).requestId[0],
      );
      expect(writers.filter((w) => w === 'a')).toHaveLength(200);
      const switches = writers.filter((w, i) => i > 0 && w !== writers[i - 1]).length;
      expect(switches).toBeGreaterThan(1); // the two processes really did interleave
    } finally {
      await t.close();
    }
  });

  describe('retention: entries expire only behind a signed anchor', () => {
    const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

    /** A log of 10 entries, the first 5 older than the returned cutoff. */
    async function agedLog(): Promise<{ location: string; cutoff: Date }> {
      const location = await backend.location();
      const log = await openAuditLog(location, { owner: 'NL', signingKey: keys.privateJwk, checkpointEvery: 0, checkpointIntervalMs: 0 });
      for (let i = 1; i <= 5; i++) await log.append('answer', entryOf(i));
      await sleep(15);
      const cutoff = new Date();
      await sleep(15);
      for (let i = 6; i <= 10; i++) await log.append('answer', entryOf(i));
      await log.close();
      return { location, cutoff };
    }

    it('expire keeps the chain verifiable, reopening continues it, and a deletion beyond the anchor fails', async () => {
      const { location, cutoff } = await agedLog();
      const log = await openAuditLog(location, { owner: 'NL', signingKey: keys.privateJwk, checkpointIntervalMs: 0 });
      const anchor = await log.expire(cutoff);
      expect(anchor).toMatchObject({ seq: 5, removed: 5 });
      expect(await log.expire(cutoff)).toBeNull(); // nothing older left
      await log.close();
      expect(await verifyAuditLog(location, keys.publicJwk)).toMatchObject({
        ok: true,
        entries: 5,
        unsignedTail: 0,
        expiredThrough: { seq: 5, at: anchor!.at },
      });

      const reopened = await openAuditLog(location, { owner: 'NL', signingKey: keys.privateJwk, checkpointIntervalMs: 0 });
      expect(await reopened.append('answer', entryOf(11))).toMatchObject({ seq: 11 });
      await reopened.close();
      expect(await verifyAuditLog(location, keys.publicJwk)).toMatchObject({ ok: true, entries: 6, lastCheckpoint: { seq: 11 }, expiredThrough: { seq: 5 } });

      const t = await backend.tamper(location);
      await t.run('DELETE FROM {entries} WHERE seq = 6');
      await t.close();
      expectBad(await verifyAuditLog(location, keys.publicJwk), 6, /^entry 6: missing \(the log goes from entry 5 to entry 7: deleted\?\)$/);
    });

    it('an expiry of every entry leaves the anchor as the head: the chain continues from it', async () => {
      const { location } = await agedLog();
      const log = await openAuditLog(location, { owner: 'NL', signingKey: keys.privateJwk, checkpointIntervalMs: 0 });
      const anchor = await log.expire(new Date(Date.now() + 60_000));
      expect(anchor).toMatchObject({ seq: 10, removed: 10 });
      expect(await verifyAuditLog(location, keys.publicJwk)).toMatchObject({ ok: true, entries: 0, unsignedTail: 0, expiredThrough: { seq: 10 } });
      const next = await log.append('answer', entryOf(11));
      expect(next.seq).toBe(11);
      await log.close();
      const t = await backend.tamper(location);
      const [row] = await t.rows('SELECT prev_hash FROM {entries} WHERE seq = 11');
      await t.close();
      expect(row.prev_hash).toBe(anchor!.hash);
      expect(await verifyAuditLog(location, keys.publicJwk)).toMatchObject({ ok: true, entries: 1, expiredThrough: { seq: 10 } });
    });

    it('expires by retainMs at open (and daily after)', async () => {
      const { location } = await agedLog();
      await sleep(20);
      const log = await openAuditLog(location, { owner: 'NL', signingKey: keys.privateJwk, checkpointIntervalMs: 0, retainMs: 10 });
      await log.checkpoint(); // takes its turn after the expiry at open
      await log.close();
      expect(await verifyAuditLog(location, keys.publicJwk)).toMatchObject({ ok: true, entries: 0, expiredThrough: { seq: 10 } });
    });

    it('entries deleted without an anchor, or behind a checkpoint passed off as an anchor, fail as before', async () => {
      const plain = await filledLog(backend);
      let t = await backend.tamper(plain);
      await t.run('DELETE FROM {entries} WHERE seq <= 10');
      await t.close();
      expectBad(await verifyAuditLog(plain, keys.publicJwk), 1, /^entries 1 to 10: missing \(the log starts at entry 11, with no signed anchor/);

      const forged = await filledLog(backend);
      const log = await openAuditLog(forged, { owner: 'NL', signingKey: keys.privateJwk, checkpointIntervalMs: 0, retainMs: 0 });
      await log.close(); // creates the anchors table of an older log
      t = await backend.tamper(forged);
      await t.run(
        'INSERT INTO {anchors} (seq, hash, at, before, signature, key_id) SELECT seq, hash, at, at, signature, key_id FROM {checkpoints} WHERE seq = 10',
      );
      await t.run('DELETE FROM {entries} WHERE seq <= 10');
      await t.close();
      const result = await verifyAuditLog(forged, keys.publicJwk);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.firstBad.reason).toMatch(/entries 1 to 10: missing|anchor at entry 10: signature is a hague-audit-checkpoint/);
    });
  });

  it('refuses a log of another owner, and a public key as the signing key', async () => {
    const location = await filledLog(backend, 2);
    await expect(openAuditLog(location, { owner: 'BE', signingKey: keys.privateJwk })).rejects.toThrow(/is NL's, not BE's; give each owner its own audit log/);
    await expect(openAuditLog(location, { owner: 'NL', signingKey: keys.publicJwk })).rejects.toThrow(ConfigError);
  });

  it('exports entries as signed JSON lines that the public key alone verifies; a changed line fails', async () => {
    const location = await filledLog(backend, 12);
    const all = await exportAuditLog(location, { signingKey: keys.privateJwk });
    expect(all.count).toBe(12);
    const lines = all.lines.trimEnd().split('\n');
    expect(lines).toHaveLength(12);
    const third = JSON.parse(lines[2]);
    expect(Object.keys(third).sort()).toEqual(['at', 'entry', 'hash', 'kind', 'prev_hash', 'seq']);
    expect(third).toMatchObject({ seq: 3, kind: 'answer', entry: entryOf(3) });
    expect(await verifyExport(all.lines, all.signature, keys.publicJwk)).toMatchObject({ ok: true, owner: 'NL', entries: 12 });

    const changed = all.lines.replace('"req-3"', '"req-4"');
    expect(await verifyExport(changed, all.signature, keys.publicJwk)).toEqual({
      ok: false,
      reason: 'export does not match its signature: lines were changed, added or removed',
    });
    expect(await verifyExport(lines.slice(1).join('\n') + '\n', all.signature, keys.publicJwk)).toMatchObject({ ok: false });
    expect(await verifyExport(all.lines, all.signature, otherKeys.publicJwk)).toMatchObject({ ok: false, reason: expect.stringMatching(/does not verify/) });

    const one = await exportAuditLog(location, { signingKey: keys.privateJwk, requestId: 'req-7' });
    expect(one.count).toBe(1);
    expect(JSON.parse(one.lines)).toMatchObject({ seq: 7, entry: { requestId: 'req-7' } });
    expect(await verifyExport(one.lines, one.signature, keys.publicJwk)).toMatchObject({ ok: true, entries: 1, filter: { requestId: 'req-7' } });

    expect((await exportAuditLog(location, { signingKey: keys.privateJwk, since: new Date(Date.now() + 60_000).toISOString() })).count).toBe(0);
    expect((await exportAuditLog(location, { signingKey: keys.privateJwk, since: new Date(Date.now() - 60_000).toISOString() })).count).toBe(12);
    expect((await exportAuditLog(location, { signingKey: keys.privateJwk, until: new Date(Date.now() - 60_000).toISOString() })).count).toBe(0);
  });

  it('refuses to export a log that does not verify', async () => {
    const location = await filledLog(backend, 5);
    const t = await backend.tamper(location);
    await t.run("UPDATE {entries} SET kind = 'x' WHERE seq = 2");
    await t.close();
    await expect(exportAuditLog(location, { signingKey: keys.privateJwk })).rejects.toThrow(AuditLogBroken);
  });
}

describe('audit log on SQLite', () => {
  suite(sqliteBackend);

  it("refuses a file that holds other tables (the records' database), and verifies no file that does not exist", async () => {
    const records = join(folder, 'records.db');
    const db = new SQLite(records);
    db.exec('CREATE TABLE persons (id TEXT)');
    db.close();
    await expect(openAuditLog(records, { owner: 'NL', signingKey: keys.privateJwk })).rejects.toThrow(/is not a Hague audit log \(it holds persons\)/);
    await expect(verifyAuditLog(join(folder, 'missing.audit.db'), keys.publicJwk)).rejects.toThrow(/does not exist/);
  });
});

describePostgres('audit log on PostgreSQL', () => {
  suite(postgresBackend);

  it('keeps its tables in the schema hague_audit', async () => {
    const location = await filledLog(postgresBackend, 1);
    const client = new pg.Client({ connectionString: location });
    await client.connect();
    try {
      const { rows } = await client.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'hague_audit' ORDER BY table_name");
      expect(rows.map((r) => r.table_name)).toEqual(['anchors', 'checkpoints', 'entries', 'meta']);
    } finally {
      await client.end();
    }
  });

  it('is insert-only: a plain client may not UPDATE or DELETE entries, expire still can; an appendRole may only insert and read', async () => {
    const location = await filledLog(postgresBackend, 10);
    const role = `hague_append_${Math.random().toString(36).slice(2, 10)}`;
    const admin = new pg.Client({ connectionString: location });
    await admin.connect();
    try {
      await expect(admin.query("UPDATE hague_audit.entries SET kind = 'x' WHERE seq = 2")).rejects.toThrow(
        /insert-only: UPDATE on hague_audit.entries refused/,
      );
      await expect(admin.query('DELETE FROM hague_audit.entries WHERE seq = 10')).rejects.toThrow(/insert-only: DELETE on hague_audit.entries refused/);
      await expect(admin.query('TRUNCATE hague_audit.entries')).rejects.toThrow(/insert-only: TRUNCATE/);
      await expect(admin.query('DELETE FROM hague_audit.checkpoints')).rejects.toThrow(/insert-only/);

      await admin.query(`CREATE ROLE ${role} LOGIN`);
      const owner = await openAuditLog(location, { owner: 'NL', signingKey: keys.privateJwk, checkpointIntervalMs: 0, appendRole: role });
      await owner.close();
      const asRole = new URL(location);
      asRole.username = role;
      const appender = await openAuditLog(asRole.toString(), { owner: 'NL', signingKey: keys.privateJwk, checkpointIntervalMs: 0 });
      expect(await appender.append('answer', entryOf(11))).toMatchObject({ seq: 11 });
      await appender.close();
      const plain = new pg.Client({ connectionString: asRole.toString() });
      await plain.connect();
      try {
        await expect(plain.query("UPDATE hague_audit.entries SET kind = 'x' WHERE seq = 2")).rejects.toThrow(/permission denied/);
        await expect(
          plain.query("SELECT set_config('hague.audit_expiry', 'on', false)").then(() => plain.query('DELETE FROM hague_audit.entries WHERE seq = 1')),
        ).rejects.toThrow(/permission denied/);
        await expect(plain.query('TRUNCATE hague_audit.entries')).rejects.toThrow(/permission denied/);
      } finally {
        await plain.end();
      }

      const log = await openAuditLog(location, { owner: 'NL', signingKey: keys.privateJwk, checkpointIntervalMs: 0 });
      expect(await log.expire(new Date(Date.now() + 60_000))).toMatchObject({ seq: 11, removed: 11 });
      await log.close();
      expect(await verifyAuditLog(location, keys.publicJwk)).toMatchObject({ ok: true, entries: 0, expiredThrough: { seq: 11 } });
    } finally {
      await admin.query(`DROP OWNED BY ${role}`).catch(() => {});
      await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => {});
      await admin.end();
    }
  });
});
