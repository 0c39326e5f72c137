/**
 * Throwaway PostgreSQL for the test suite.
 *
 * `startPostgres()` runs in vitest's global setup (test/support/global-setup.ts):
 * one private cluster for the whole run, in a temp dir, on a free port on
 * 127.0.0.1, trust auth, user `hague`, fsync off. Its URL reaches the tests
 * through vitest's provide/inject as `postgresUrl` (null when PostgreSQL could
 * not be started outside CI; under CI=true that is an error instead).
 *
 * In a test file:
 *
 *   import { createTestDatabase, describePostgres } from './support/postgres.ts';
 *
 *   describePostgres('member store on PostgreSQL', () => {
 *     let url: string;
 *     beforeAll(async () => { url = await createTestDatabase(); });
 *     it('...', async () => { ... new pg.Pool({ connectionString: url }) ... });
 *   });
 *
 * Every test (file) that touches PostgreSQL must use its own database from
 * `createTestDatabase()` / `createDatabase()`: test files run in parallel.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, inject, it } from 'vitest';
import { freePort } from './ports.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the run's PostgreSQL server (database `postgres`), or null when it could not be started. */
    postgresUrl: string | null;
  }
}

export interface PostgresServer {
  /** e.g. postgres://hague@127.0.0.1:54321/postgres */
  url: string;
  /** Major.minor of the server binaries, e.g. "15.14". */
  version: string;
  /** Milliseconds from the call to a server answering `select 1`. */
  startupMs: number;
  stop(): Promise<void>;
}

const SUPERUSER = 'hague';
const OS_USER_WHEN_ROOT = 'postgres';

/* ------------------------------------------------------------------------ */
/* finding the binaries                                                      */
/* ------------------------------------------------------------------------ */

const hasServerBinaries = (dir: string): boolean => ['initdb', 'pg_ctl', 'postgres'].every((bin) => existsSync(path.join(dir, bin)));

/** Directory holding initdb, pg_ctl and postgres, or a reason why there is none. */
export function findPostgresBinDir(): { dir: string } | { reason: string } {
  const forced = process.env.HAGUE_PG_BINDIR;
  if (forced) {
    return hasServerBinaries(forced) ? { dir: forced } : { reason: `HAGUE_PG_BINDIR=${forced} has no initdb, pg_ctl and postgres` };
  }
  const candidates: string[] = [];

  const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (pgConfig.status === 0 && pgConfig.stdout.trim()) candidates.push(pgConfig.stdout.trim());

  // Debian/Ubuntu layout: /usr/lib/postgresql/<major>/bin, newest first.
  const debianRoot = '/usr/lib/postgresql';
  if (existsSync(debianRoot)) {
    const majors = readdirSync(debianRoot)
      .filter((name) => /^\d+(\.\d+)?$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
    for (const major of majors) candidates.push(path.join(debianRoot, major, 'bin'));
  }

  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) if (dir) candidates.push(dir);

  for (const dir of candidates) if (hasServerBinaries(dir)) return { dir };
  return {
    reason:
      'no PostgreSQL server binaries (initdb, pg_ctl, postgres) found via pg_config --bindir, ' +
      '/usr/lib/postgresql/*/bin or PATH; install them with `apt-get install postgresql`',
  };
}

/* ------------------------------------------------------------------------ */
/* running commands, as the `postgres` OS user when we are root              */
/* ------------------------------------------------------------------------ */

interface RunResult {
  code: number | null;
  output: string;
}

function run(cmd: string, args: string[], cwd: string, timeoutMs = 120_000): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd,
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      output += `\n[timed out after ${timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, output: output + String(err) });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** How to run a PostgreSQL binary: directly, or (as root) as the `postgres` OS user. */
type Wrapper = (bin: string, args: string[]) => [string, string[]];

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

function findExecutable(name: string, dirs: string[]): string | null {
  for (const dir of dirs) {
    const file = path.join(dir, name);
    if (existsSync(file)) return file;
  }
  return null;
}

async function userIds(user: string): Promise<{ uid: number; gid: number } | null> {
  const uid = spawnSync('id', ['-u', user], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', user], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return null;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/**
 * initdb and postgres refuse to run as root. As root, run them as the
 * `postgres` OS user (creating it if needed) and hand it the temp dir.
 */
async function wrapperFor(tmpDir: string): Promise<Wrapper> {
  if (!isRoot()) return (bin, args) => [bin, args];

  let ids = await userIds(OS_USER_WHEN_ROOT);
  if (!ids) {
    const created = await run(
      'useradd',
      ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/bin/sh', OS_USER_WHEN_ROOT],
      '/',
    );
    ids = await userIds(OS_USER_WHEN_ROOT);
    if (!ids) throw new Error(`running as root and could not create OS user ${OS_USER_WHEN_ROOT}: ${created.output.trim()}`);
  }
  await chown(tmpDir, ids.uid, ids.gid);

  const sbin = ['/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  const runuser = findExecutable('runuser', sbin);
  if (runuser) return (bin, args) => [runuser, ['-u', OS_USER_WHEN_ROOT, '--', bin, ...args]];
  const su = findExecutable('su', sbin);
  if (su) {
    return (bin, args) => [su, [OS_USER_WHEN_ROOT, '-s', '/bin/sh', '-c', [bin, ...args].map(shellQuote).join(' ')]];
  }
  throw new Error('running as root, and neither runuser nor su is available to drop to the postgres user');
}

/* ------------------------------------------------------------------------ */
/* starting and stopping the cluster                                         */
/* ------------------------------------------------------------------------ */

const lastLines = (text: string, n = 15): string => text.trim().split('\n').slice(-n).join('\n');

async function waitUntilQueryable(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.query('select 1');
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await client.end().catch(() => {});
    }
  }
}

/**
 * Starts a fresh PostgreSQL cluster in a temp dir on a free 127.0.0.1 port.
 * Throws with a readable reason (and the server log) when it cannot.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const started = Date.now();
  const found = findPostgresBinDir();
  if ('reason' in found) throw new Error(found.reason);
  const bin = (name: string) => path.join(found.dir, name);

  // Short path (the socket lives here; unix socket paths are limited to ~107 bytes).
  // As root the dir must be reachable by the postgres user, so /tmp rather than $TMPDIR.
  const tmpDir = await mkdtemp(path.join(isRoot() ? '/tmp' : os.tmpdir(), 'hague-pg-'));
  const dataDir = path.join(tmpDir, 'data');
  const logFile = path.join(tmpDir, 'server.log');

  let exitHook: (() => void) | undefined;
  const cleanupSync = () => {
    spawnSync(bin('pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop'], { stdio: 'ignore', timeout: 10_000, ...(isRoot() ? asUserSync() : {}) });
    spawnSync('rm', ['-rf', tmpDir], { stdio: 'ignore' });
  };

  try {
    const wrap = await wrapperFor(tmpDir);
    const exec = (name: string, args: string[], timeoutMs?: number) => {
      const [cmd, argv] = wrap(bin(name), args);
      return run(cmd, argv, tmpDir, timeoutMs);
    };

    const versionOut = await exec('postgres', ['--version']);
    const version = /(\d+(?:\.\d+)?)/.exec(versionOut.output)?.[1] ?? 'unknown';

    const init = await exec('initdb', ['-D', dataDir, '-U', SUPERUSER, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync']);
    if (init.code !== 0) throw new Error(`initdb failed (exit ${init.code}):\n${lastLines(init.output)}`);

    let lastError = '';
    for (let attempt = 1; attempt <= 3; attempt++) {
      const port = await freePort();
      const serverOptions = [
        `-k ${tmpDir}`,
        `-p ${port}`,
        '-c listen_addresses=127.0.0.1',
        '-c fsync=off',
        '-c synchronous_commit=off',
        '-c full_page_writes=off',
        '-c max_connections=200',
      ].join(' ');
      const start = await exec('pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', serverOptions, 'start'], 90_000);
      if (start.code === 0) {
        const url = `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`;
        exitHook = cleanupSync;
        process.once('exit', exitHook);
        await waitUntilQueryable(url, 30_000);
        let stopped = false;
        return {
          url,
          version,
          startupMs: Date.now() - started,
          async stop() {
            if (stopped) return;
            stopped = true;
            if (exitHook) process.removeListener('exit', exitHook);
            const fast = await exec('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '30', 'stop'], 40_000);
            if (fast.code !== 0) await exec('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop'], 20_000);
            await rm(tmpDir, { recursive: true, force: true });
          },
        };
      }
      const log = await readFile(logFile, 'utf8').catch(() => '');
      lastError = `pg_ctl start failed (exit ${start.code}):\n${lastLines(start.output)}\n${lastLines(log)}`;
      if (!/address already in use|could not bind/i.test(lastError)) break;
    }
    throw new Error(lastError);
  } catch (err) {
    if (exitHook) process.removeListener('exit', exitHook);
    cleanupSync();
    throw err;
  }
}

/** spawnSync options that run as the postgres OS user (only used for the exit-time cleanup as root). */
function asUserSync(): { uid?: number; gid?: number } {
  const uid = spawnSync('id', ['-u', OS_USER_WHEN_ROOT], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', OS_USER_WHEN_ROOT], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return {};
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/* ------------------------------------------------------------------------ */
/* per-test databases                                                        */
/* ------------------------------------------------------------------------ */

let databaseCounter = 0;

/**
 * Creates a fresh, empty database on the server behind `baseUrl` and returns
 * its URL. Without `name`, a unique one is generated (safe across parallel
 * test files). The cluster is thrown away after the run, so nobody drops it.
 */
export async function createDatabase(baseUrl: string, name?: string): Promise<string> {
  const dbName = name ?? `hague_test_${process.pid}_${++databaseCounter}_${randomBytes(4).toString('hex')}`;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(dbName)) {
    throw new Error(`invalid database name ${JSON.stringify(dbName)}: use [a-z_][a-z0-9_]*, at most 63 chars`);
  }
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(`create database "${dbName}"`);
  } finally {
    await client.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${dbName}`;
  return url.toString();
}

/* ------------------------------------------------------------------------ */
/* helpers for test files (they run inside vitest workers)                    */
/* ------------------------------------------------------------------------ */

/** The run's PostgreSQL server URL (database `postgres`), or null when PostgreSQL tests are skipped. */
export function postgresUrl(): string | null {
  return inject('postgresUrl') ?? null;
}

/** A fresh database of its own for the calling test; throws if there is no PostgreSQL this run. */
export async function createTestDatabase(name?: string): Promise<string> {
  const base = postgresUrl();
  if (!base) throw new Error('no PostgreSQL server in this run (wrap the test in describePostgres)');
  return createDatabase(base, name);
}

/**
 * `describe` when the run has a PostgreSQL server, `describe.skip` otherwise
 * (the skip reason was printed once by the global setup).
 */
export function describePostgres(name: string, fn: () => void): void {
  if (postgresUrl()) describe(name, fn);
  else describe.skip(name, () => it('needs PostgreSQL', () => {}));
}
