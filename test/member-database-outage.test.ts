import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JWK } from 'jose';
import { ensureKeyPair } from '../common/dev-keys.ts';
import { createDatabase, findPostgresBinDir } from './support/postgres.ts';
import { freePort } from './support/ports.ts';
import { PrivatePostgres } from './support/private-postgres.ts';
import { postQuery, runCli, startCli, startNetwork, type GraphQLAnswer, type RunningCli } from './support/network.ts';
import { caller, contextHeaders } from './support/tokens.ts';

/**
 * A member state on PostgreSQL survives its database: `hague member` runs as a real child process
 * (a crash would end it) over a private PostgreSQL cluster that this test stops (`pg_ctl stop -m
 * fast`) and starts again under a steady stream of queries. The suite's shared PostgreSQL is never
 * touched: other test files use it.
 *
 * While the database is down every answer is HTTP 503, Retry-After 1, and exactly the wire
 * contract the gateway maps to MEMBER_UNAVAILABLE / DATABASE_UNAVAILABLE; /readyz is 503 and
 * /healthz stays 200. When it is back, data returns without a restart and /readyz is 200.
 */

const found = findPostgresBinDir();

const QUERY = '{ persons(filter: { documentNumber: "EM482913" }) { memberState id familyName } }';
// The per-list counts ride along (extensions.hague: lists from a member, states from the gateway; search-counts.test.ts).
const DATA = { data: { persons: [{ memberState: 'NL', id: 'NL-P-000001', familyName: 'Belhawari' }] }, extensions: { hague: expect.any(Object) } };
const UNAVAILABLE = {
  errors: [{ message: 'member state NL: its database is unavailable', extensions: { code: 'DATABASE_UNAVAILABLE', memberState: 'NL' } }],
};

interface Answer {
  phase: string;
  startedAt: number;
  endedAt: number;
  status: number;
  retryAfter: string | null;
  body: GraphQLAnswer['body'];
}

if ('reason' in found) {
  describe.skip(`member over a PostgreSQL that restarts (skipped: ${found.reason})`, () => it('needs the PostgreSQL server binaries', () => {}));
} else {
  describe('member over a PostgreSQL that restarts under load', () => {
    const cluster = new PrivatePostgres(found.dir);
    const folder = mkdtempSync(join(tmpdir(), 'hague-outage-'));
    const keysDir = join(folder, 'keys');
    let gatewayKey: JWK;
    let database: string;
    let member: RunningCli;
    let url: string;

    beforeAll(async () => {
      await cluster.init();
      await cluster.start();
      database = await createDatabase(cluster.url, 'hague_nl');
      gatewayKey = (await ensureKeyPair(keysDir, 'gateway')).privateJwk;
      const seeded = await runCli(['seed', '--state', 'NL', '--persons', '50', '--database', database]);
      expect(seeded.code, seeded.stderr).toBe(0);
      member = startCli([
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
      ]);
      [, url] = await member.waitFor(/subgraph at (http:\/\/\S+\/graphql)/);
    });
    afterAll(async () => {
      await member?.stop('SIGKILL');
      await cluster.destroy();
      rmSync(folder, { recursive: true, force: true });
    });

    let sent = 0;
    /** One query with a fresh context token (one token, one request), from a caller of its own (no search budget runs out). */
    const ask = async (phase: () => string, target = url): Promise<Answer> => {
      const body = JSON.stringify({ query: QUERY });
      const headers = await contextHeaders(gatewayKey, 'NL', caller({ subject: `load-${++sent}` }), body);
      const at = phase();
      const startedAt = performance.now();
      try {
        const answer = await postQuery(target, QUERY, undefined, headers);
        return { phase: at, startedAt, endedAt: performance.now(), status: answer.status, retryAfter: answer.headers.get('retry-after'), body: answer.body };
      } catch (error) {
        // No answer at all (the member died?): kept as status 0, so the assertions below name it.
        const reason = error instanceof Error ? `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ''}` : String(error);
        return { phase: at, startedAt, endedAt: performance.now(), status: 0, retryAfter: null, body: { errors: [{ message: reason }] } };
      }
    };
    const probe = async (path: 'readyz' | 'healthz', target = url) => {
      const res = await fetch(target.replace(/graphql$/, path));
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const until = async (what: string, condition: () => boolean, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!condition()) {
        if (member.child.exitCode !== null || member.child.signalCode !== null)
          throw new Error(`the member exited while waiting for ${what}:\n${member.output()}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    it('answers 503 DATABASE_UNAVAILABLE while PostgreSQL is stopped, stays alive, and serves data again once it is back', async () => {
      expect(await probe('readyz')).toEqual({ status: 200, body: { status: 'ready', memberState: 'NL' } });
      const cycles = 2;
      const answers: Answer[] = [];
      let phase = 'up';
      let loading = true;
      // A steady stream: 12 callers, each asking again 2 ms after its answer (without the fix, this load killed the member in each of 3 runs), until the test ends (bounded below).
      const workers = Array.from({ length: 12 }, async () => {
        while (loading && answers.length < 5000) {
          answers.push(await ask(() => phase));
          await new Promise((r) => setTimeout(r, 2));
        }
      });
      const count = (p: string) => answers.filter((a) => a.phase === p).length;
      const report: string[] = [];
      try {
        for (let cycle = 1; cycle <= cycles; cycle++) {
          await until(`answers before stop ${cycle}`, () => count(phase) >= 20);
          phase = `stopping-${cycle}`;
          await cluster.stop('fast');
          phase = `down-${cycle}`;
          const downFrom = performance.now();
          await until(`answers while down ${cycle}`, () => count(phase) >= 40);
          const ready = await probe('readyz');
          expect(ready.status).toBe(503);
          expect(ready.body).toEqual({ status: 'unavailable', memberState: 'NL', reason: 'DATABASE_UNAVAILABLE', message: 'its database does not answer' });
          expect(await probe('healthz')).toEqual({ status: 200, body: { status: 'ok', memberState: 'NL' } }); // liveness only
          expect(member.child.exitCode).toBeNull();

          phase = `starting-${cycle}`;
          await cluster.start();
          const startedAt = performance.now();
          phase = `recovering-${cycle}`;
          await until(`data after restart ${cycle}`, () => answers.some((a) => a.phase === `recovering-${cycle}` && a.status === 200));
          const firstGood = answers.find((a) => a.phase === `recovering-${cycle}` && a.status === 200)!;
          phase = `up-${cycle}`;
          const upFrom = firstGood.endedAt;
          await until(`answers after recovery ${cycle}`, () => answers.filter((a) => a.startedAt > upFrom).length >= 20);
          expect(await probe('readyz')).toEqual({ status: 200, body: { status: 'ready', memberState: 'NL' } });

          const down = answers.filter((a) => a.phase === `down-${cycle}`);
          // While the database is down: every answer is the contract, nothing else.
          for (const a of down)
            expect({ status: a.status, retryAfter: a.retryAfter, body: a.body }).toEqual({ status: 503, retryAfter: '1', body: UNAVAILABLE });
          // Once one answer carried data again, every request started after it does.
          for (const a of answers.filter((x) => x.startedAt > upFrom)) expect({ status: a.status, body: a.body }).toEqual({ status: 200, body: DATA });
          report.push(
            `cycle ${cycle}: ${down.length} answers in ${Math.round(startedAt - downFrom)} ms down, all 503 DATABASE_UNAVAILABLE; ` +
              `first data ${Math.round(firstGood.endedAt - startedAt)} ms after pg_ctl start returned`,
          );
        }
      } finally {
        loading = false;
        await Promise.all(workers);
      }
      // Around each stop and start (in flight when it happened) the answer is either data or the contract: never a 500, never SQL.
      for (const a of answers) {
        if (a.status === 200) expect(a.body).toEqual(DATA);
        else expect({ status: a.status, retryAfter: a.retryAfter, body: a.body }).toEqual({ status: 503, retryAfter: '1', body: UNAVAILABLE });
      }
      expect(member.child.exitCode).toBeNull();
      expect(member.output()).toMatch(/database unavailable: answering 503 DATABASE_UNAVAILABLE/);
      expect(member.output()).toMatch(/database answers again/);
      console.log(`member database outage: ${answers.length} answers in all; ${report.join('; ')}`);
      expect(await member.stop('SIGTERM')).toBe(0);
    }, 240_000);

    it('releases nothing it cannot audit: records on SQLite, audit log on the stopped PostgreSQL, the answer is 503 and no data', async () => {
      const auditDatabase = await createDatabase(cluster.url, 'hague_nl_audit');
      const records = join(folder, 'nl.db');
      expect((await runCli(['seed', '--state', 'NL', '--persons', '50', '--database', records])).code).toBe(0);
      const second = startCli([
        'member',
        '--state',
        'NL',
        '--port',
        '0',
        '--database',
        records,
        '--audit',
        auditDatabase,
        ...['--gateway-key', join(keysDir, 'gateway.jwk')],
        ...['--keys-dir', keysDir],
      ]);
      try {
        const [, target] = await second.waitFor(/subgraph at (http:\/\/\S+\/graphql)/);
        const before = await ask(() => 'up', target);
        expect({ status: before.status, body: before.body }).toEqual({ status: 200, body: DATA });
        await cluster.stop('fast');
        for (let i = 0; i < 5; i++) {
          const down = await ask(() => 'audit down', target);
          expect({ status: down.status, retryAfter: down.retryAfter, body: down.body }).toEqual({ status: 503, retryAfter: '1', body: UNAVAILABLE });
        }
        expect(second.child.exitCode).toBeNull();
        await cluster.start();
        let after: Answer | undefined;
        for (let i = 0; i < 200 && after?.status !== 200; i++) {
          after = await ask(() => 'audit back', target);
          if (after.status !== 200) expect({ status: after.status, body: after.body }).toEqual({ status: 503, body: UNAVAILABLE });
          else expect(after.body).toEqual(DATA);
          if (after.status !== 200) await new Promise((r) => setTimeout(r, 100));
        }
        expect(after?.status).toBe(200);
      } finally {
        expect(await second.stop('SIGTERM')).toBe(0);
      }
    }, 120_000);

    it('through the gateway: MEMBER_UNAVAILABLE with reason DATABASE_UNAVAILABLE for NL while its PostgreSQL is stopped, the other states answer, NL data back after', async () => {
      const port = await freePort();
      const net = await startNetwork({ states: ['BE'], peers: [{ code: 'NL', url: `http://127.0.0.1:${port}/graphql` }] });
      const nl = startCli([
        'member',
        '--state',
        'NL',
        '--port',
        String(port),
        '--database',
        database,
        '--gateway-key',
        join(net.keysDir, 'gateway.jwk'),
        '--keys-dir',
        keysDir,
      ]);
      try {
        await nl.waitFor(/Ctrl-C to stop/);
        const up = await net.query(QUERY);
        expect(up.body).toEqual(DATA);
        await cluster.stop('fast');
        // Fewer calls than the gateway's breaker counts before it opens (5): each one is the member's own answer.
        for (let i = 0; i < 3; i++) {
          const down = await net.query(QUERY);
          expect(down.status).toBe(200);
          expect(down.body.data).toEqual({ persons: [] }); // BE answered (it holds nothing on this passport)
          expect(down.body.errors).toEqual([
            {
              message: expect.stringContaining('NL answered that its database is unavailable'),
              extensions: { code: 'MEMBER_UNAVAILABLE', memberState: 'NL', reason: 'DATABASE_UNAVAILABLE' },
            },
          ]);
        }
        await cluster.start();
        let back = await net.query(QUERY);
        for (let i = 0; i < 50 && back.body.errors; i++) {
          await new Promise((r) => setTimeout(r, 200));
          back = await net.query(QUERY);
        }
        expect(back.body).toEqual(DATA);
        expect(nl.child.exitCode).toBeNull();
      } finally {
        expect(await nl.stop('SIGTERM')).toBe(0);
        await net.close();
      }
    }, 120_000);
  });
}

describe('member over a SQLite file that another process holds locked', () => {
  it('answers 503 DATABASE_UNAVAILABLE while it cannot write (SQLITE_BUSY), and data once the lock is gone', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'hague-outage-sqlite-'));
    const keysDir = join(folder, 'keys');
    const database = join(folder, 'nl.db');
    const gatewayKey = (await ensureKeyPair(keysDir, 'gateway')).privateJwk;
    expect((await runCli(['seed', '--state', 'NL', '--persons', '20', '--database', database])).code).toBe(0);
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
    ]);
    const locker = new SQLite(database);
    try {
      const [, url] = await member.waitFor(/subgraph at (http:\/\/\S+\/graphql)/);
      const ask = async () => {
        const body = JSON.stringify({ query: QUERY });
        const answer = await postQuery(url, QUERY, undefined, await contextHeaders(gatewayKey, 'NL', caller(), body));
        return { status: answer.status, retryAfter: answer.headers.get('retry-after'), body: answer.body };
      };
      expect(await ask()).toMatchObject({ status: 200, body: DATA });
      locker.exec('BEGIN EXCLUSIVE'); // every write waits for it (SQLite's busy timeout), then fails with SQLITE_BUSY
      expect(await ask()).toEqual({ status: 503, retryAfter: '1', body: UNAVAILABLE });
      locker.exec('COMMIT');
      let after = await ask();
      for (let i = 0; i < 50 && after.status !== 200; i++) {
        expect(after).toEqual({ status: 503, retryAfter: '1', body: UNAVAILABLE });
        await new Promise((r) => setTimeout(r, 100));
        after = await ask();
      }
      expect(after).toMatchObject({ status: 200, body: DATA });
      expect(member.child.exitCode).toBeNull();
    } finally {
      locker.close();
      expect(await member.stop('SIGTERM')).toBe(0);
      rmSync(folder, { recursive: true, force: true });
    }
  }, 60_000);
});
