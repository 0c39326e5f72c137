import { existsSync, statSync, accessSync, constants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type LogEvent, type SqliteDatabase } from 'kysely';
import { migrations, type Database } from './store-schema.ts';
import { ensureNameKeys } from './name-index.ts';
import type { MemberState } from '../../common/member-states.ts';
import { ConfigError } from '../../common/config-error.ts';
import { isPostgresUrl, redactPostgresUrl } from '../../common/postgres-url.ts';

/** A member state's own database: SQLite file (embedded default) or PostgreSQL, behind one Kysely query layer. */
export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: 'sqlite' | 'postgres';
  /** Where the data lives, without credentials: a file path or postgres://host:port/db. */
  readonly location: string;
  readonly state: MemberState;
  /** SQL statements executed so far; tests and benchmarks read it to prove batching. */
  statementCount(): number;
  /**
   * SQLite only (absent on PostgreSQL): runs `work` as one IMMEDIATE transaction, synchronously.
   * Nothing is awaited inside, so no other statement of this process interleaves and no lock is
   * held across an await (a replica of the same state in this process would otherwise wait on it
   * while blocking the thread). `statement(sql)` gives a prepared statement (reused by SQL text);
   * each one handed out counts as one statement executed.
   */
  transactNow?<T>(work: (statement: (sql: string) => SQLite.Statement) => T): T;
  /**
   * One cheap statement (`SELECT 1` on PostgreSQL, one row of hague_meta on SQLite), outside the
   * statement count: resolves when the database answers, rejects with its error when it does not.
   */
  ping(): Promise<void>;
  /**
   * Connections lost in the background (PostgreSQL restarted, a network cut): reported to these
   * listeners and never thrown, so the process survives its database. Returns the unsubscribe.
   */
  onConnectionError(listener: (error: Error) => void): () => void;
  close(): Promise<void>;
}

export { isPostgresUrl };

/**
 * Opens (and migrates) the database of one member state. Refuses a database that holds another
 * application's tables, or another member state's Hague data.
 */
export async function openStore(database: string, state: MemberState): Promise<Store> {
  let statements = 0;
  const log = (event: LogEvent) => {
    if (event.level === 'query') statements++;
  };
  let db: Kysely<Database>;
  let dialect: Store['dialect'];
  let location: string;
  let ping: () => Promise<void>;
  let closePinger = async (): Promise<void> => {};
  let transactNow: Store['transactNow'];
  const listeners = new Set<(error: Error) => void>();
  const connectionLost = (error: Error) => {
    for (const listener of listeners) listener(error);
  };

  if (isPostgresUrl(database)) {
    dialect = 'postgres';
    location = redactPostgresUrl(database);
    const pool = new pg.Pool({ connectionString: database, max: 10, connectionTimeoutMillis: 5000 });
    // A database restart ends every connection. pg emits `error` on the pool for an idle client and
    // on the client itself for one checked out between two statements (a transaction, a Kysely
    // connection): unhandled, either kills the process ("Connection terminated unexpectedly").
    // Both are reported, never thrown: the statement in flight fails with its own error, and the
    // pool drops a client that is no longer queryable and connects anew on the next statement.
    pool.on('error', connectionLost);
    pool.on('connect', (client) => client.on('error', connectionLost));
    // Readiness pings use a connection of their own, outside the pool: a pool busy with ten long
    // queries is not a database that is down. One ping at a time (database-health.ts).
    let pinger: pg.Client | undefined;
    ping = async () => {
      if (!pinger) {
        // Bounded whatever the network does (a host that drops packets): the next ping can start.
        const client = new pg.Client({ connectionString: database, connectionTimeoutMillis: 5000, query_timeout: 5000 });
        client.on('error', (error) => {
          if (pinger === client) pinger = undefined;
          connectionLost(error);
        });
        try {
          await client.connect();
        } catch (error) {
          await client.end().catch(() => {});
          throw error;
        }
        pinger = client;
      }
      try {
        await pinger.query('SELECT 1');
      } catch (error) {
        const lost = pinger;
        pinger = undefined;
        await lost?.end().catch(() => {});
        throw error;
      }
    };
    closePinger = async () => {
      const client = pinger;
      pinger = undefined;
      await client?.end().catch(() => {});
    };
    try {
      const client = await pool.connect();
      client.release();
    } catch (error) {
      await pool.end().catch(() => {});
      throw new ConfigError(`cannot reach PostgreSQL at ${location}: ${(error as Error).message}; start the server or fix --database`);
    }
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log });
  } else {
    dialect = 'sqlite';
    location = resolve(database);
    const folder = dirname(location);
    if (!existsSync(folder)) throw new ConfigError(`database folder ${folder} does not exist; create it or fix --database`);
    if (existsSync(location)) {
      if (!statSync(location).isFile()) throw new ConfigError(`database ${location} is not a file; fix --database`);
      try {
        accessSync(location, constants.R_OK | constants.W_OK);
      } catch {
        throw new ConfigError(`database file ${location} is not readable and writable by this user; fix its permissions or --database`);
      }
    }
    let sqlite: SQLite.Database;
    try {
      sqlite = new SQLite(location);
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('synchronous = NORMAL');
      sqlite.pragma('foreign_keys = ON');
    } catch (error) {
      throw new ConfigError(`cannot open SQLite database ${location}: ${(error as Error).message}; fix --database`);
    }
    const reusing = reusingStatements(sqlite);
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: reusing }), log });
    const statement = (sql: string) => {
      statements++;
      return reusing.prepare(sql) as unknown as SQLite.Statement;
    };
    transactNow = <T>(work: (statement: (sql: string) => SQLite.Statement) => T): T => sqlite.transaction(() => work(statement)).immediate();
    let probe: SQLite.Statement | undefined; // prepared at the first ping: the table exists once the store is migrated
    ping = async () => {
      probe ??= sqlite.prepare('SELECT 1 FROM hague_meta LIMIT 1');
      probe.get();
    };
  }

  try {
    await prepare(db, state, location);
  } catch (error) {
    await db.destroy().catch(() => {});
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`cannot prepare database ${location}: ${(error as Error).message}`);
  }

  return {
    db,
    dialect,
    location,
    state,
    statementCount: () => statements,
    ...(transactNow ? { transactNow } : {}),
    ping: () => ping(),
    onConnectionError(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: async () => {
      await closePinger();
      await db.destroy();
    },
  };
}

/** Prepared statements kept per connection, by SQL text (least recently used dropped first). */
const STATEMENT_CACHE = 500;

/**
 * The SQLite connection as Kysely sees it, reusing prepared statements: Kysely prepares every
 * query anew, and compiling the SQL cost about as much as running these small indexed queries
 * (bench/README.md). A statement still being iterated (a stream) is never handed out twice.
 */
function reusingStatements(sqlite: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => {
      statements.clear();
      sqlite.close();
    },
    prepare(sql: string) {
      const cached = statements.get(sql);
      if (cached && !cached.busy) {
        statements.delete(sql);
        statements.set(sql, cached);
        return cached;
      }
      const statement = sqlite.prepare(sql);
      if (!cached) {
        if (statements.size >= STATEMENT_CACHE) statements.delete(statements.keys().next().value as string);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

async function prepare(db: Kysely<Database>, state: MemberState, location: string): Promise<void> {
  const tables = (await db.introspection.getTables({ withInternalKyselyTables: true })).map((t) => t.name);
  const ours = tables.includes('hague_meta') && tables.includes('kysely_migration');
  if (tables.length > 0 && !ours) {
    const shown = tables.slice(0, 5).join(', ') + (tables.length > 5 ? ', …' : '');
    throw new ConfigError(`database ${location} already holds tables of another application (${shown}); give Hague an empty database or its own`);
  }
  if (ours) {
    const owner = await db.selectFrom('hague_meta').select('value').where('key', '=', 'state').executeTakeFirst();
    if (owner && owner.value !== state) {
      throw new ConfigError(`database ${location} holds the records of member state ${owner.value}, not ${state}; give each state its own database`);
    }
  }
  // Unordered: 0008 (import digests) and 0009 (review dates) landed in the other order, and each only
  // adds a column, so a database that has 0009 but not 0008 takes 0008 now instead of refusing to start.
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(`migration failed: ${JSON.stringify(error)}`);
  await db
    .insertInto('hague_meta')
    .values({ key: 'state', value: state })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  await ensureNameKeys(db);
}
