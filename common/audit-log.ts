/**
 * A tamper-evident audit log, kept apart from the records it describes: every member state's
 * audit, and later the gateway's.
 *
 *   const log = await openAuditLog('.hague/data/NL.audit.db', { owner: 'NL', signingKey: privateJwk });
 *   await log.append('answer', { requestId, caller, released, withheld }); // durable when it resolves
 *   await log.close();                                                      // signs a last checkpoint
 *
 *   await log.expire(before);                                               // entries older than before go, behind a signed anchor
 *
 *   await verifyAuditLog(location, publicJwk);
 *     // { ok: true, owner, entries, lastCheckpoint: { seq, at } | null, unsignedTail, expiredThrough: { seq, at } | null }
 *     // { ok: false, owner, firstBad: { seq, reason } }
 *   const { lines, signature } = await exportAuditLog(location, { signingKey, since, until, requestId });
 *   await verifyExport(lines, signature, publicJwk); // { ok: true, entries, ... } | { ok: false, reason }
 *
 * Where: `location` is a SQLite file of its own (never the records' database; it is refused if it
 * holds other tables) or a `postgres://` URL, where the log lives in the schema `hague_audit`.
 * Tables: `entries` (seq, at, kind, entry, prev_hash, hash), `checkpoints` (seq, hash, at,
 * signature, key_id) and `meta` (the owner). They are created at open.
 *
 * How it is tamper-evident:
 * - Hash chain: entry n's `hash` is the SHA-256 (hex) of the canonical JSON (keys sorted) of
 *   `{ seq, at, kind, entry, prev_hash }`, where `prev_hash` is entry n-1's hash (64 zeros for
 *   entry 1). Editing any column, deleting, inserting or reordering entries breaks it.
 * - Appends are serialized per log, across processes too: SQLite `BEGIN IMMEDIATE`, PostgreSQL a
 *   transaction holding an advisory lock. `append` resolves once the transaction committed
 *   (SQLite `synchronous = FULL`).
 * - Signed checkpoints: `{ owner, seq, hash, at }` signed with the owner's audit key (ES256 compact
 *   JWS, header typ `hague-audit-checkpoint`), every `checkpointEvery` entries (default 1000),
 *   every `checkpointIntervalMs` (default 60 s) when entries were added, and at `close()`. Anyone
 *   with write access can recompute the whole chain, but not sign: a checkpoint pins everything up
 *   to its entry, and a log cut after a checkpoint is detected.
 * - Time-stamps (optional, `timestampAuthority`): each checkpoint's signature is sent to an RFC
 *   3161 time-stamp authority and its token stored with the checkpoint (`tsa_token`). A verifier
 *   with the TSA's certificate (VerifyOptions.tsaCertificates) then knows the checkpoint existed at
 *   the TSA's time, not only at the owner's word; a token moved to another checkpoint fails.
 * - SQLite insert-only guard: triggers refuse UPDATE, DELETE of checkpoints and anchors, and a
 *   DELETE of entries not covered by a stored anchor. Whoever writes the file can drop them; the
 *   chain and the signatures are what catch that.
 * - What it cannot see offline: entries after the last checkpoint can be removed (or the last
 *   checkpoints with them) without trace, and a whole log can be replaced by an empty one. Only a
 *   copy of the checkpoints kept elsewhere closes that; `unsignedTail` says how many entries are
 *   not yet covered.
 *
 * Retention: `expire(before)` (and, with `retainMs` (default three years), at open and daily)
 * signs an anchor `{ owner, seq, hash, at, before }` (typ `hague-audit-anchor`) at the last entry
 * older than `before`, stores it in `anchors` and deletes the entries up to it in the same
 * transaction. Verification then starts the chain at the newest verified anchor below the first
 * entry held: that entry's prev_hash must be the anchor's hash. Entries deleted without such an
 * anchor (a checkpoint is not one) still fail. When every entry expired, the anchor is the head
 * and the chain continues from it.
 *
 * PostgreSQL insert-only: the connecting role creates and owns the schema. Triggers refuse UPDATE,
 * DELETE and TRUNCATE on `entries`, `checkpoints` and `anchors`; only a DELETE on `entries` inside
 * `expire`'s transaction (`hague.audit_expiry = on`, set locally) passes. `appendRole` gets USAGE on
 * the schema, INSERT and SELECT on its tables and USAGE on its sequences, nothing else: a process
 * logging in as it can append and verify, but not expire (expiry needs the owning role).
 *
 * Export: one canonical JSON line per entry (`seq, at, kind, entry, prev_hash, hash`), and a
 * detached ES256 compact JWS (typ `hague-audit-export`) over the SHA-256 of the exact text, signed
 * by whoever exports (the owner's audit key). The log is verified before it is exported.
 */
import { isPostgresUrl, redactPostgresUrl } from './postgres-url.ts';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { CompactSign, calculateJwkThumbprint, compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { ConfigError } from './config-error.ts';
import { DEFAULT_AUDIT_RETENTION_MS } from './defaults.ts';
import { isHttpUrl } from './yaml-file.ts';

export interface AuditLogOptions {
  /** Who keeps this log: a member state code ('NL') or 'gateway'. A log of another owner is refused. */
  owner: string;
  /** The owner's audit key: an ES256 private JWK (`ensureKeyPair(keysDir, auditKeyName(owner))` in dev). */
  signingKey: JWK;
  /** Sign a checkpoint every this many entries (default 1000; 0: never by count). */
  checkpointEvery?: number;
  /** Sign a checkpoint this often when entries were added (default 60 000 ms; 0: never by time). The timer does not keep the process alive. */
  checkpointIntervalMs?: number;
  /** Failures of background checkpoints and expiries (the next one retries); default: ignored. */
  onError?: (error: unknown) => void;
  /**
   * Keep entries this long: at open and then daily, `expire(now - retainMs)` runs in the
   * background. Default DEFAULT_AUDIT_RETENTION_MS (three years); 0: never expire.
   */
  retainMs?: number;
  /**
   * PostgreSQL only: a role that may only append (USAGE on the schema, INSERT and SELECT on its
   * tables, USAGE on its sequences; never UPDATE, DELETE or TRUNCATE). Granted at open by the
   * connecting role, which owns the schema.
   */
  appendRole?: string;
  /**
   * An RFC 3161 time-stamp authority: each checkpoint's signature is stamped before the checkpoint
   * is stored. A TSA that fails leaves that checkpoint signed but unstamped (reported to onError).
   */
  timestampAuthority?: { url: string; timeoutMs?: number };
}

export interface AuditLog {
  readonly owner: string;
  /** The file path, or postgres://host:port/db without credentials. */
  readonly location: string;
  /** Appends one entry; resolves once it is committed. `entry` must be JSON (undefined values are dropped). */
  append(kind: string, entry: Record<string, unknown>): Promise<{ seq: number; hash: string }>;
  /**
   * Appends entries in order in one transaction (one commit for all: a bulk import's thousands of
   * record entries); resolves once they are committed, with the last one's seq and hash (null: none given).
   */
  appendMany(entries: Array<{ kind: string; entry: Record<string, unknown> }>): Promise<{ seq: number; hash: string } | null>;
  /** Signs the current head now (null when the log is empty or the head is already signed). */
  checkpoint(): Promise<AuditCheckpoint | null>;
  /**
   * Removes the entries older than `before`, behind a signed anchor: an anchor at the last entry
   * removed (its seq and hash, typ `hague-audit-anchor`) is stored first, in the same transaction
   * as the deletion. Null when nothing is old enough.
   */
  expire(before: Date): Promise<(AuditCheckpoint & { removed: number }) | null>;
  /** Stops the timer, signs a last checkpoint and closes the connection. */
  close(): Promise<void>;
}

export interface AuditCheckpoint {
  seq: number;
  hash: string;
  at: string;
  signature: string;
  keyId: string;
  /** The TSA's token over `signature` (base64 DER), when a TSA is configured and answered. */
  timestamp?: string;
}

export interface VerifyOptions {
  /** PEM certificates of the time-stamp authorities (or their CAs) to trust: stamps are then checked to them. */
  tsaCertificates?: readonly string[];
}

export type AuditVerification =
  | {
      ok: true;
      owner: string | null;
      /** Entries held (those expired behind an anchor not counted). */
      entries: number;
      lastCheckpoint: { seq: number; at: string } | null;
      unsignedTail: number;
      /** The last expiry: entries up to seq were removed behind an anchor signed at `at`; null when none were. */
      expiredThrough: { seq: number; at: string } | null;
      /**
       * RFC 3161 stamps on checkpoints: how many carry one, the newest (its TSA time), and whether
       * their TSA signatures were checked (only with VerifyOptions.tsaCertificates).
       */
      timestamps: { stamped: number; last: { seq: number; genTime: string } | null; signerChecked: boolean };
    }
  | { ok: false; owner: string | null; firstBad: { seq: number; reason: string } };

export interface ExportFilter {
  /** ISO time: entries at or after it. */
  since?: string;
  /** ISO time: entries at or before it. */
  until?: string;
  /** Entries whose `entry.requestId` is this. */
  requestId?: string;
}

export interface AuditExport {
  /** One JSON object per line, each ending in "\n"; the signature covers exactly this text. */
  lines: string;
  /** Detached ES256 compact JWS over { typ, owner, sha256, count, exportedAt, filter }. */
  signature: string;
  count: number;
}

export type ExportVerification = { ok: true; owner: string; entries: number; exportedAt: string; filter: ExportFilter } | { ok: false; reason: string };

/** A log whose chain or checkpoints do not verify (export refuses it). */
export class AuditLogBroken extends Error {
  override name = 'AuditLogBroken';
  constructor(
    readonly location: string,
    readonly firstBad: { seq: number; reason: string },
  ) {
    super(`audit log ${location} does not verify: ${firstBad.reason}`);
  }
}

/** The dev key name of an owner's audit key (`.hague/keys/audit-NL.jwk`). */
export function auditKeyName(owner: string): string {
  return `audit-${owner}`;
}

/** The dev network's audit file of an owner: `<dataDir>/<owner>.audit.db`. */
export function devAuditLocation(dataDir: string, owner: string): string {
  return `${dataDir}/${owner}.audit.db`;
}

export const GENESIS_HASH = '0'.repeat(64);
const CHECKPOINT_TYP = 'hague-audit-checkpoint';
const ANCHOR_TYP = 'hague-audit-anchor';
const DAY_MS = 86_400_000;
const EXPORT_TYP = 'hague-audit-export';
const APPLICATION = 'hague-audit';
const SCHEMA = 'hague_audit';
/** pg_advisory_xact_lock key serializing appends and migrations of the hague_audit schema ('hague' in ASCII). */
const PG_LOCK_KEY = '448345978213';
const PAGE = 2000;

/* ------------------------------------------------------------------------ */
/* hashing                                                                   */
/* ------------------------------------------------------------------------ */

/** JSON with object keys sorted at every level: the serialisation every hash and signature covers. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object)
    .filter((key) => object[key] !== undefined)
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key])}`).join(',')}}`;
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export function entryHash(row: { seq: number; at: string; kind: string; entry: unknown; prev_hash: string }): string {
  return sha256(canonicalJson({ seq: row.seq, at: row.at, kind: row.kind, entry: row.entry, prev_hash: row.prev_hash }));
}

/** An entry as it is stored: checked, made plain JSON (dates as strings, no undefined), canonical. */
function entryText(kind: unknown, entry: unknown): string {
  if (typeof kind !== 'string' || kind.length === 0) throw new TypeError('audit entry kind must be a non-empty string');
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new TypeError('audit entry must be an object');
  return canonicalJson(JSON.parse(JSON.stringify(entry)));
}

/**
 * entryHash of an entry already in canonical JSON (`text`): the same canonical text (keys at,
 * entry, kind, prev_hash, seq in that order) built around it instead of canonicalising the entry
 * again. Appends hash this way; verification recomputes with entryHash from the stored entry.
 */
function entryTextHash(row: { seq: number; at: string; kind: string; text: string; prev_hash: string }): string {
  return sha256(
    `{"at":${JSON.stringify(row.at)},"entry":${row.text},"kind":${JSON.stringify(row.kind)},"prev_hash":${JSON.stringify(row.prev_hash)},"seq":${row.seq}}`,
  );
}

/* ------------------------------------------------------------------------ */
/* storage: one small interface over SQLite and PostgreSQL                    */
/* ------------------------------------------------------------------------ */

interface EntryRow {
  seq: number;
  at: string;
  kind: string;
  entry: string;
  prev_hash: string;
  hash: string;
}

interface SignedRow {
  seq: number;
  hash: string;
  at: string;
  signature: string;
  key_id: string | null;
}

interface CheckpointRow extends SignedRow {
  /** RFC 3161 token over the signature (base64 DER), or null. */
  tsa_token: string | null;
}

interface AnchorRow extends SignedRow {
  /** The `before` of the expiry (ISO time). */
  before: string;
}

interface Backend {
  readonly location: string;
  /** The newest anchor: where the chain continues from when every entry has expired. */
  anchors(): Promise<AnchorRow[]>;
  /** Stores the anchor and deletes the entries up to its seq, in one serialized transaction; returns how many were deleted. */
  expireThrough(anchor: AnchorRow): Promise<number>;
  /** The last entry at before `before` (ISO), if any. */
  lastEntryBefore(before: string): Promise<{ seq: number; hash: string } | null>;
  /** Runs build(head) and inserts its row in one serialized write transaction. */
  appendRow(build: (head: { seq: number; hash: string } | null) => EntryRow): Promise<EntryRow>;
  /** Runs build(head) and inserts its rows, in order, in one serialized write transaction. */
  appendRows(build: (head: { seq: number; hash: string } | null) => EntryRow[]): Promise<EntryRow[]>;
  head(): Promise<{ seq: number; hash: string } | null>;
  lastCheckpointSeq(): Promise<number>;
  insertCheckpoint(row: CheckpointRow): Promise<void>;
  /** Entries with seq > after, in seq order, at most `limit`. */
  entries(after: number, limit: number): Promise<EntryRow[]>;
  checkpoints(): Promise<CheckpointRow[]>;
  owner(): Promise<string | null>;
  /** Records the owner of a new log; returns the log's owner (the one recorded first). */
  setOwner(owner: string): Promise<string>;
  close(): Promise<void>;
}

/** Whether an audit log location is a PostgreSQL URL (else: a SQLite file). */
export const isPostgresLocation = isPostgresUrl;

/** How a location is shown: the absolute file path, or the URL without credentials. */
export function displayLocation(location: string): string {
  return isPostgresLocation(location) ? redactPostgresUrl(location) : resolve(location);
}

const num = (value: unknown): number => Number(value);

/** RFC 3161 (pkijs) is loaded only by a log that has a time-stamp authority or stamps to check: it costs start-up time. */
const timestamps = () => import('./timestamp.ts');

function openSqlite(file: string, mode: 'write' | 'read'): Backend {
  const location = resolve(file);
  if (mode === 'read' && !existsSync(location)) throw new ConfigError(`audit log ${location} does not exist; check the path (or --state / --database)`);
  if (!existsSync(dirname(location))) throw new ConfigError(`audit log folder ${dirname(location)} does not exist; create it or fix the location`);
  if (existsSync(location)) {
    if (!statSync(location).isFile()) throw new ConfigError(`audit log ${location} is not a file`);
    try {
      accessSync(location, mode === 'read' ? constants.R_OK : constants.R_OK | constants.W_OK);
    } catch {
      throw new ConfigError(`audit log ${location} is not ${mode === 'read' ? 'readable' : 'readable and writable'} by this user; fix its permissions`);
    }
  }
  let db: SQLite.Database;
  try {
    db = new SQLite(location, { fileMustExist: mode === 'read', timeout: 15_000 });
    if (mode === 'write') {
      // Switching to WAL takes a lock SQLite does not wait for: a second process opening the same
      // log at the same moment gets "database is locked". WAL persists in the file, so retry briefly.
      for (let attempt = 0; ; attempt++) {
        try {
          if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
          break;
        } catch (error) {
          if (attempt >= 50 || !/locked|busy/i.test((error as Error).message)) throw error;
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
        }
      }
      db.pragma('synchronous = FULL');
    }
  } catch (error) {
    throw new ConfigError(`cannot open audit log ${location}: ${(error as Error).message}`);
  }
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((t) => t.name);
  const ours = tables.includes('meta') && db.prepare("SELECT value FROM meta WHERE key = 'application'").pluck().get() === APPLICATION;
  if (!ours) {
    if (tables.length > 0) {
      db.close();
      const shown = tables.slice(0, 5).join(', ') + (tables.length > 5 ? ', …' : '');
      throw new ConfigError(`${location} is not a Hague audit log (it holds ${shown}); give the audit log a file of its own, apart from the records`);
    }
    if (mode === 'read') {
      db.close();
      throw new ConfigError(`${location} is not a Hague audit log (it is empty)`);
    }
    db.exec(`
      BEGIN IMMEDIATE;
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS entries (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, kind TEXT NOT NULL, entry TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS checkpoints (seq INTEGER PRIMARY KEY, hash TEXT NOT NULL, at TEXT NOT NULL, signature TEXT NOT NULL, key_id TEXT, tsa_token TEXT);
      ${SQLITE_ANCHORS}
      INSERT OR IGNORE INTO meta (key, value) VALUES ('application', '${APPLICATION}'), ('schema_version', '1');
      COMMIT;
    `);
  }
  const hasAnchors = (): boolean => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'anchors'").get() !== undefined;
  if (mode === 'write' && !hasAnchors()) db.exec(SQLITE_ANCHORS); // a log made before expiry existed
  const checkpointColumns = (db.prepare('PRAGMA table_info(checkpoints)').all() as Array<{ name: string }>).map((c) => c.name);
  const withTokens = checkpointColumns.includes('tsa_token');
  if (mode === 'write') {
    if (!withTokens) db.exec('ALTER TABLE checkpoints ADD COLUMN tsa_token TEXT'); // a log made before time-stamps existed
    db.exec(SQLITE_INSERT_ONLY);
  }
  const tokenColumn = mode === 'write' || withTokens ? 'tsa_token' : 'NULL AS tsa_token';
  const anchorsOf = (): AnchorRow[] =>
    hasAnchors() ? (db.prepare('SELECT seq, hash, at, before, signature, key_id FROM anchors ORDER BY seq').all() as AnchorRow[]) : [];
  const entryHead = db.prepare('SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1');
  const headStatement = {
    get: (): { seq: number; hash: string } | undefined => {
      const head = entryHead.get() as { seq: number; hash: string } | undefined;
      if (head || !hasAnchors()) return head;
      return db.prepare('SELECT seq, hash FROM anchors ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
    },
  };
  const insert =
    mode === 'write' ? db.prepare('INSERT INTO entries (seq, at, kind, entry, prev_hash, hash) VALUES (@seq, @at, @kind, @entry, @prev_hash, @hash)') : null;
  const write = db.transaction((build: (head: { seq: number; hash: string } | null) => EntryRow) => {
    const row = build(headStatement.get() ?? null);
    insert!.run(row);
    return row;
  });
  const writeMany = db.transaction((build: (head: { seq: number; hash: string } | null) => EntryRow[]) => {
    const rows = build(headStatement.get() ?? null);
    for (const row of rows) insert!.run(row);
    return rows;
  });
  const expire = db.transaction((anchor: AnchorRow) => {
    db.prepare('INSERT OR IGNORE INTO anchors (seq, hash, at, before, signature, key_id) VALUES (@seq, @hash, @at, @before, @signature, @key_id)').run(anchor);
    return db.prepare('DELETE FROM entries WHERE seq <= ?').run(anchor.seq).changes;
  });
  return {
    location,
    anchors: async () => anchorsOf(),
    expireThrough: async (anchor) => expire.immediate(anchor),
    lastEntryBefore: async (before) =>
      (db.prepare('SELECT seq, hash FROM entries WHERE at < ? ORDER BY seq DESC LIMIT 1').get(before) as { seq: number; hash: string } | undefined) ?? null,
    appendRow: async (build) => write.immediate(build),
    appendRows: async (build) => writeMany.immediate(build),
    head: async () => headStatement.get() ?? null,
    lastCheckpointSeq: async () => num(db.prepare('SELECT COALESCE(MAX(seq), 0) FROM checkpoints').pluck().get()),
    insertCheckpoint: async (row) => {
      db.prepare(
        'INSERT OR IGNORE INTO checkpoints (seq, hash, at, signature, key_id, tsa_token) VALUES (@seq, @hash, @at, @signature, @key_id, @tsa_token)',
      ).run(row);
    },
    entries: async (after, limit) =>
      db.prepare('SELECT seq, at, kind, entry, prev_hash, hash FROM entries WHERE seq > ? ORDER BY seq LIMIT ?').all(after, limit) as EntryRow[],
    checkpoints: async () => db.prepare(`SELECT seq, hash, at, signature, key_id, ${tokenColumn} FROM checkpoints ORDER BY seq`).all() as CheckpointRow[],
    owner: async () => (db.prepare("SELECT value FROM meta WHERE key = 'owner'").pluck().get() as string | undefined) ?? null,
    setOwner: async (owner) => {
      db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('owner', ?)").run(owner);
      return db.prepare("SELECT value FROM meta WHERE key = 'owner'").pluck().get() as string;
    },
    close: async () => {
      db.close();
    },
  };
}

const SQLITE_ANCHORS =
  'CREATE TABLE IF NOT EXISTS anchors (seq INTEGER PRIMARY KEY, hash TEXT NOT NULL, at TEXT NOT NULL, before TEXT NOT NULL, signature TEXT NOT NULL, key_id TEXT);';

/**
 * SQLite insert-only guard: no UPDATE anywhere, no DELETE of checkpoints or anchors, and a DELETE
 * of entries only up to a stored anchor (which verification checks is signed). Whoever can write
 * the file can drop these triggers; they stop mistakes and casual edits, the chain catches the rest.
 */
const SQLITE_INSERT_ONLY = [
  ...['entries', 'checkpoints', 'anchors'].map(
    (table) =>
      `CREATE TRIGGER IF NOT EXISTS ${table}_insert_only_update BEFORE UPDATE ON ${table} BEGIN SELECT RAISE(ABORT, 'the Hague audit log is insert-only: UPDATE on ${table} refused'); END;`,
  ),
  ...['checkpoints', 'anchors'].map(
    (table) =>
      `CREATE TRIGGER IF NOT EXISTS ${table}_insert_only_delete BEFORE DELETE ON ${table} BEGIN SELECT RAISE(ABORT, 'the Hague audit log is insert-only: DELETE on ${table} refused'); END;`,
  ),
  `CREATE TRIGGER IF NOT EXISTS entries_insert_only_delete BEFORE DELETE ON entries WHEN OLD.seq > COALESCE((SELECT MAX(seq) FROM anchors), 0)
     BEGIN SELECT RAISE(ABORT, 'the Hague audit log is insert-only: entries expire only behind a signed anchor (AuditLog.expire)'); END;`,
].join('\n');

/**
 * PostgreSQL: the entries are insert-only. Triggers refuse UPDATE, DELETE and TRUNCATE on
 * `entries`, except a DELETE inside `expire`'s transaction (which sets `hague.audit_expiry = on`
 * locally, after storing its signed anchor). Checkpoints and anchors are insert-only too.
 */
const PG_INSERT_ONLY = [
  `CREATE TABLE IF NOT EXISTS ${SCHEMA}.anchors (seq BIGINT PRIMARY KEY, hash TEXT NOT NULL, at TEXT NOT NULL, before TEXT NOT NULL, signature TEXT NOT NULL, key_id TEXT)`,
  `CREATE OR REPLACE FUNCTION ${SCHEMA}.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'entries' AND current_setting('hague.audit_expiry', true) = 'on' THEN
       RETURN OLD;
     END IF;
     RAISE EXCEPTION 'the Hague audit log is insert-only: % on ${SCHEMA}.% refused (entries expire only behind a signed anchor: AuditLog.expire)', TG_OP, TG_TABLE_NAME
       USING ERRCODE = 'insufficient_privilege';
   END $$`,
  ...['entries', 'checkpoints', 'anchors'].flatMap((table) => [
    `DROP TRIGGER IF EXISTS insert_only ON ${SCHEMA}.${table}`,
    `CREATE TRIGGER insert_only BEFORE UPDATE OR DELETE ON ${SCHEMA}.${table} FOR EACH ROW EXECUTE FUNCTION ${SCHEMA}.refuse_change()`,
    `DROP TRIGGER IF EXISTS insert_only_truncate ON ${SCHEMA}.${table}`,
    `CREATE TRIGGER insert_only_truncate BEFORE TRUNCATE ON ${SCHEMA}.${table} FOR EACH STATEMENT EXECUTE FUNCTION ${SCHEMA}.refuse_change()`,
  ]),
  `UPDATE ${SCHEMA}.meta SET value = '2' WHERE key = 'schema_version'`,
];

const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

async function openPostgres(url: string, mode: 'write' | 'read', appendRole?: string): Promise<Backend> {
  const location = redactPostgresUrl(url);
  const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 5000 });
  pool.on('error', () => {
    /* an idle client was lost: the pool replaces it; queries report their own errors */
  });
  // A client checked out (inside a transaction) whose connection ends emits `error` on itself;
  // unhandled, it would kill the process when PostgreSQL restarts. The statement in flight fails
  // with its own error (so the entry is not written and its answer not sent), and the pool drops the client.
  pool.on('connect', (client) => client.on('error', () => {}));
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => {});
    throw new ConfigError(`cannot reach PostgreSQL at ${location}: ${(error as Error).message}; start the server or fix the URL`);
  }
  const inTransaction = async <T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [PG_LOCK_KEY]);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  };
  const exists = await pool.query<{ ok: boolean }>(`SELECT to_regclass('${SCHEMA}.meta') IS NOT NULL AS ok`);
  if (!exists.rows[0].ok) {
    if (mode === 'read') {
      await pool.end();
      throw new ConfigError(`${location} has no Hague audit log (no schema ${SCHEMA}); check the URL`);
    }
    await inTransaction(async (client) => {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${SCHEMA}.meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${SCHEMA}.entries (seq BIGINT PRIMARY KEY, at TEXT NOT NULL, kind TEXT NOT NULL, entry TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)`,
      );
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${SCHEMA}.checkpoints (seq BIGINT PRIMARY KEY, hash TEXT NOT NULL, at TEXT NOT NULL, signature TEXT NOT NULL, key_id TEXT, tsa_token TEXT)`,
      );
      await client.query(
        `INSERT INTO ${SCHEMA}.meta (key, value) VALUES ('application', '${APPLICATION}'), ('schema_version', '1') ON CONFLICT (key) DO NOTHING`,
      );
      for (const statement of PG_INSERT_ONLY) await client.query(statement);
    });
  }
  const anchorsExist = async (): Promise<boolean> =>
    (await pool.query<{ ok: boolean }>(`SELECT to_regclass('${SCHEMA}.anchors') IS NOT NULL AS ok`)).rows[0].ok;
  if (mode === 'write' && !(await anchorsExist())) {
    // a log made before expiry and the insert-only triggers existed
    await inTransaction(async (client) => {
      for (const statement of PG_INSERT_ONLY) await client.query(statement);
    });
  }
  const tokensExist = async (): Promise<boolean> =>
    (
      await pool.query<{ ok: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = '${SCHEMA}' AND table_name = 'checkpoints' AND column_name = 'tsa_token') AS ok`,
      )
    ).rows[0].ok;
  if (mode === 'write' && !(await tokensExist())) {
    // a log made before time-stamps existed
    await inTransaction((client) => client.query(`ALTER TABLE ${SCHEMA}.checkpoints ADD COLUMN IF NOT EXISTS tsa_token TEXT`));
  }
  const tokenColumn = mode === 'write' || (await tokensExist()) ? 'tsa_token' : 'NULL AS tsa_token';
  /** Whether the log has an anchors table (a log made before expiry existed, read only, has none). */
  const withAnchors = mode === 'write' || (await anchorsExist());
  const hasAnchors = async (): Promise<boolean> => withAnchors;
  if (mode === 'write' && appendRole !== undefined) {
    const role = quoteIdent(appendRole);
    try {
      await inTransaction(async (client) => {
        await client.query(`REVOKE ALL ON ALL TABLES IN SCHEMA ${SCHEMA} FROM ${role}`);
        await client.query(`GRANT USAGE ON SCHEMA ${SCHEMA} TO ${role}`);
        await client.query(`GRANT INSERT, SELECT ON ALL TABLES IN SCHEMA ${SCHEMA} TO ${role}`);
        await client.query(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA ${SCHEMA} TO ${role}`);
      });
    } catch (error) {
      await pool.end().catch(() => {});
      throw new ConfigError(`cannot grant append-only access to the audit log ${location} to role ${appendRole}: ${(error as Error).message}`);
    }
  }
  const entryRow = (r: Record<string, unknown>): EntryRow => ({ ...(r as unknown as EntryRow), seq: num(r.seq) });
  const headOf = async (client: pg.Pool | pg.PoolClient): Promise<{ seq: number; hash: string } | null> => {
    const head = await client.query<{ seq: string; hash: string }>(
      `(SELECT seq, hash FROM ${SCHEMA}.entries ORDER BY seq DESC LIMIT 1)` +
        ((await hasAnchors()) ? ` UNION ALL (SELECT seq, hash FROM ${SCHEMA}.anchors ORDER BY seq DESC LIMIT 1)` : ''),
    );
    const top = head.rows.map((r) => ({ seq: num(r.seq), hash: r.hash })).sort((a, b) => b.seq - a.seq)[0];
    return top ?? null;
  };
  /** Entries appended in one transaction after the chain's head, read under its lock. */
  const appendRows: Backend['appendRows'] = (build) =>
    inTransaction(async (client) => {
      const rows = build(await headOf(client));
      for (const row of rows) {
        await client.query(`INSERT INTO ${SCHEMA}.entries (seq, at, kind, entry, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6)`, [
          row.seq,
          row.at,
          row.kind,
          row.entry,
          row.prev_hash,
          row.hash,
        ]);
      }
      return rows;
    });
  return {
    location,
    anchors: async () =>
      (await hasAnchors())
        ? (await pool.query(`SELECT seq, hash, at, before, signature, key_id FROM ${SCHEMA}.anchors ORDER BY seq`)).rows.map((r: Record<string, unknown>) => ({
            ...(r as unknown as AnchorRow),
            seq: num(r.seq),
          }))
        : [],
    expireThrough: (anchor) =>
      inTransaction(async (client) => {
        await client.query(
          `INSERT INTO ${SCHEMA}.anchors (seq, hash, at, before, signature, key_id) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (seq) DO NOTHING`,
          [anchor.seq, anchor.hash, anchor.at, anchor.before, anchor.signature, anchor.key_id],
        );
        await client.query("SELECT set_config('hague.audit_expiry', 'on', true)");
        const deleted = await client.query(`DELETE FROM ${SCHEMA}.entries WHERE seq <= $1`, [anchor.seq]);
        await client.query("SELECT set_config('hague.audit_expiry', 'off', true)");
        return deleted.rowCount ?? 0;
      }),
    lastEntryBefore: async (before) => {
      const row = (await pool.query<{ seq: string; hash: string }>(`SELECT seq, hash FROM ${SCHEMA}.entries WHERE at < $1 ORDER BY seq DESC LIMIT 1`, [before]))
        .rows[0];
      return row ? { seq: num(row.seq), hash: row.hash } : null;
    },
    appendRows,
    appendRow: async (build) => (await appendRows((head) => [build(head)]))[0],
    head: () => headOf(pool),
    lastCheckpointSeq: async () => num((await pool.query<{ seq: string }>(`SELECT COALESCE(MAX(seq), 0) AS seq FROM ${SCHEMA}.checkpoints`)).rows[0].seq),
    insertCheckpoint: async (row) => {
      await pool.query(
        `INSERT INTO ${SCHEMA}.checkpoints (seq, hash, at, signature, key_id, tsa_token) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (seq) DO NOTHING`,
        [row.seq, row.hash, row.at, row.signature, row.key_id, row.tsa_token],
      );
    },
    entries: async (after, limit) =>
      (await pool.query(`SELECT seq, at, kind, entry, prev_hash, hash FROM ${SCHEMA}.entries WHERE seq > $1 ORDER BY seq LIMIT $2`, [after, limit])).rows.map(
        entryRow,
      ),
    checkpoints: async () =>
      (await pool.query(`SELECT seq, hash, at, signature, key_id, ${tokenColumn} FROM ${SCHEMA}.checkpoints ORDER BY seq`)).rows.map(
        (r: Record<string, unknown>) => ({
          ...(r as unknown as CheckpointRow),
          seq: num(r.seq),
        }),
      ),
    owner: async () => (await pool.query<{ value: string }>(`SELECT value FROM ${SCHEMA}.meta WHERE key = 'owner'`)).rows[0]?.value ?? null,
    setOwner: (owner) =>
      inTransaction(async (client) => {
        await client.query(`INSERT INTO ${SCHEMA}.meta (key, value) VALUES ('owner', $1) ON CONFLICT (key) DO NOTHING`, [owner]);
        return (await client.query<{ value: string }>(`SELECT value FROM ${SCHEMA}.meta WHERE key = 'owner'`)).rows[0].value;
      }),
    close: () => pool.end(),
  };
}

async function openBackend(location: string, mode: 'write' | 'read', owner?: string, appendRole?: string): Promise<Backend> {
  const backend = isPostgresLocation(location) ? await openPostgres(location, mode, appendRole) : openSqlite(location, mode);
  if (owner !== undefined) await claim(backend, owner);
  return backend;
}

async function claim(backend: Backend, owner: string): Promise<void> {
  const current = await backend.setOwner(owner).catch(async (error: unknown) => {
    await backend.close().catch(() => {});
    throw error;
  });
  if (current !== owner) {
    await backend.close().catch(() => {});
    throw new ConfigError(`audit log ${backend.location} is ${current}'s, not ${owner}'s; give each owner its own audit log`);
  }
}

/* ------------------------------------------------------------------------ */
/* signing                                                                   */
/* ------------------------------------------------------------------------ */

async function keyIdOf(jwk: JWK): Promise<string> {
  return jwk.kid ?? (await calculateJwkThumbprint(jwk));
}

async function signingKeyOf(jwk: JWK): Promise<{ key: CryptoKey | Uint8Array; kid: string }> {
  if (!jwk.d) throw new ConfigError('the audit signing key is a public key; give the private JWK (ES256)');
  try {
    return { key: await importJWK({ ...jwk, alg: 'ES256' }, 'ES256'), kid: await keyIdOf(jwk) };
  } catch (error) {
    throw new ConfigError(`the audit signing key is not an ES256 JWK (${(error as Error).message})`);
  }
}

async function sign(payload: unknown, typ: string, key: { key: CryptoKey | Uint8Array; kid: string }): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg: 'ES256', typ, kid: key.kid }).sign(key.key);
}

/** Checks a compact JWS of the given typ with the public key; returns its payload or why it fails. */
async function verifySigned(jws: string, typ: string, publicKey: CryptoKey | Uint8Array, givenKid: string): Promise<{ payload: unknown } | { error: string }> {
  let header;
  try {
    header = decodeProtectedHeader(jws);
  } catch {
    return { error: 'signature is not a compact JWS' };
  }
  if (header.typ !== typ) return { error: `signature is a ${String(header.typ)}, not a ${typ}` };
  try {
    const { payload } = await compactVerify(jws, publicKey, { algorithms: ['ES256'] });
    return { payload: JSON.parse(new TextDecoder().decode(payload)) as unknown };
  } catch {
    const keyHint = header.kid && header.kid !== givenKid ? ` (signed with key ${header.kid}, checked with ${givenKid}: the wrong key?)` : ' (forged?)';
    return { error: `signature does not verify with the given key${keyHint}` };
  }
}

async function publicKeyOf(jwk: JWK): Promise<{ key: CryptoKey | Uint8Array; kid: string }> {
  const { d: _d, ...publicJwk } = jwk;
  try {
    return { key: await importJWK({ ...publicJwk, alg: 'ES256' }, 'ES256'), kid: await keyIdOf(publicJwk) };
  } catch (error) {
    throw new ConfigError(`the audit public key is not an ES256 JWK (${(error as Error).message})`);
  }
}

/* ------------------------------------------------------------------------ */
/* the log                                                                   */
/* ------------------------------------------------------------------------ */

/** Opens (creating and migrating if needed) the owner's audit log at `location`. */
export async function openAuditLog(location: string, options: AuditLogOptions): Promise<AuditLog> {
  const { owner } = options;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(owner)) throw new ConfigError(`audit log owner '${owner}' must be letters, digits, - or _ (e.g. NL or gateway)`);
  const key = await signingKeyOf(options.signingKey);
  const every = options.checkpointEvery ?? 1000;
  const intervalMs = options.checkpointIntervalMs ?? 60_000;
  const onError = options.onError ?? (() => {});
  const tsa = options.timestampAuthority;
  if (tsa && !isHttpUrl(tsa.url)) throw new ConfigError(`time-stamp authority '${tsa.url}' is not an http(s) URL; give the TSA's RFC 3161 endpoint`);
  const retainMs = options.retainMs ?? DEFAULT_AUDIT_RETENTION_MS;
  if (!Number.isFinite(retainMs) || retainMs < 0) throw new ConfigError(`audit retention ${retainMs} ms is not a duration; give 0 (keep forever) or more`);
  if (options.appendRole !== undefined && !isPostgresLocation(location)) throw new ConfigError('an audit appendRole applies only to a PostgreSQL audit log');
  const backend = await openBackend(location, 'write', owner, options.appendRole);

  let closed = false;
  let lastSigned = await backend.lastCheckpointSeq();
  let pending: Promise<unknown> = Promise.resolve();

  /** Signs `target` (an entry just appended), or the head of the log. */
  const checkpoint = async (target?: { seq: number; hash: string }): Promise<AuditCheckpoint | null> => {
    const head = target ?? (await backend.head());
    if (!head || head.seq <= lastSigned) return null;
    const at = new Date().toISOString();
    const signature = await sign({ owner, seq: head.seq, hash: head.hash, at }, CHECKPOINT_TYP, key);
    let token: string | null = null;
    if (tsa) {
      try {
        const { requestTimestamp } = await timestamps();
        token = await requestTimestamp(tsa.url, new TextEncoder().encode(signature), { timeoutMs: tsa.timeoutMs });
      } catch (error) {
        onError(new Error(`audit log ${backend.location}: checkpoint at entry ${head.seq} signed without a time-stamp: ${(error as Error).message}`));
      }
    }
    await backend.insertCheckpoint({ seq: head.seq, hash: head.hash, at, signature, key_id: key.kid, tsa_token: token });
    lastSigned = Math.max(lastSigned, head.seq);
    return { seq: head.seq, hash: head.hash, at, signature, keyId: key.kid, ...(token ? { timestamp: token } : {}) };
  };
  /** One checkpoint at a time; background ones report to onError. */
  const queueCheckpoint = (target?: { seq: number; hash: string }): Promise<AuditCheckpoint | null> => {
    const next = pending.then(() => checkpoint(target));
    pending = next.catch(onError);
    return next;
  };

  const expire = async (before: Date): Promise<(AuditCheckpoint & { removed: number }) | null> => {
    if (Number.isNaN(before.getTime())) throw new TypeError('expire: before is not a date');
    const last = await backend.lastEntryBefore(before.toISOString());
    if (!last) return null;
    const at = new Date().toISOString();
    const signature = await sign({ owner, seq: last.seq, hash: last.hash, at, before: before.toISOString() }, ANCHOR_TYP, key);
    const removed = await backend.expireThrough({ seq: last.seq, hash: last.hash, at, before: before.toISOString(), signature, key_id: key.kid });
    return { seq: last.seq, hash: last.hash, at, signature, keyId: key.kid, removed };
  };
  /** Expiries take their turn with checkpoints. */
  const queueExpire = (before: Date): Promise<(AuditCheckpoint & { removed: number }) | null> => {
    const next = pending.then(() => expire(before));
    pending = next.catch(onError);
    return next;
  };
  const expireOld = (): void => {
    if (retainMs > 0 && !closed) void queueExpire(new Date(Date.now() - retainMs)).catch(() => {});
  };
  expireOld();
  const expiryTimer = retainMs > 0 ? setInterval(expireOld, DAY_MS) : null;
  expiryTimer?.unref();

  const timer =
    intervalMs > 0
      ? setInterval(() => {
          void queueCheckpoint().catch(() => {}); // signs nothing when the head is already signed
        }, intervalMs)
      : null;
  timer?.unref();

  /**
   * Writes entries (canonical JSON already) after the chain's head in one serialized transaction,
   * each hashed with its predecessor; queues a checkpoint when they cross a multiple of `every`.
   */
  const writeChained = async (entries: Array<{ kind: string; text: string }>): Promise<EntryRow[]> => {
    const rows = await backend.appendRows((head) => {
      let previous = head;
      const at = new Date().toISOString();
      return entries.map(({ kind, text }) => {
        const seq = (previous?.seq ?? 0) + 1;
        const prev_hash = previous?.hash ?? GENESIS_HASH;
        const row = { seq, at, kind, entry: text, prev_hash, hash: entryTextHash({ seq, at, kind, text, prev_hash }) };
        previous = row;
        return row;
      });
    });
    const last = rows[rows.length - 1];
    if (every > 0 && Math.floor(last.seq / every) > Math.floor((rows[0].seq - 1) / every))
      void queueCheckpoint({ seq: last.seq, hash: last.hash }).catch(() => {});
    return rows;
  };

  /** Entries waiting for the next group commit (append). */
  let batch: Array<{ kind: string; text: string; resolve: (head: { seq: number; hash: string }) => void; reject: (error: unknown) => void }> = [];
  const flush = async (): Promise<void> => {
    const taken = batch;
    batch = [];
    if (taken.length === 0) return; // close() flushed them already
    try {
      const rows = await writeChained(taken);
      rows.forEach((row, i) => taken[i].resolve({ seq: row.seq, hash: row.hash }));
    } catch (error) {
      for (const waiting of taken) waiting.reject(error);
    }
  };

  return {
    owner,
    location: backend.location,
    async append(kind, entry) {
      if (closed) throw new Error(`audit log ${backend.location} is closed`);
      const text = entryText(kind, entry);
      // Group commit: the entries appended while the event loop turns are written in one
      // transaction (one sync to disk for all); each append still resolves only once its entry is
      // committed, at its own place in the chain.
      return new Promise((resolve, reject) => {
        batch.push({ kind, text, resolve, reject });
        if (batch.length === 1) setImmediate(flush);
      });
    },
    async appendMany(entries) {
      if (closed) throw new Error(`audit log ${backend.location} is closed`);
      if (entries.length === 0) return null;
      const prepared = entries.map(({ kind, entry }) => ({ kind, text: entryText(kind, entry) }));
      const last = (await writeChained(prepared)).at(-1)!;
      return { seq: last.seq, hash: last.hash };
    },
    checkpoint: () => queueCheckpoint(),
    expire(before) {
      if (closed) return Promise.reject(new Error(`audit log ${backend.location} is closed`));
      return queueExpire(before);
    },
    async close() {
      if (closed) return;
      closed = true;
      if (batch.length) await flush();
      if (timer) clearInterval(timer);
      if (expiryTimer) clearInterval(expiryTimer);
      try {
        await queueCheckpoint();
      } finally {
        await backend.close();
      }
    },
  };
}

/* ------------------------------------------------------------------------ */
/* verification                                                              */
/* ------------------------------------------------------------------------ */

interface Bad {
  seq: number;
  reason: string;
}

/** Why one stored entry does not hash to its own hash column. */
function whyHashDiffers(row: EntryRow, entry: unknown): string {
  for (let delta = 1; delta <= 8; delta++) {
    for (const seq of [row.seq - delta, row.seq + delta]) {
      if (seq >= 1 && entryHash({ ...row, seq, entry }) === row.hash) {
        return `entry ${row.seq}: holds the entry chained as entry ${seq} (moved or renumbered: entries inserted, deleted or reordered before it?)`;
      }
    }
  }
  return `entry ${row.seq}: hash does not match its content (altered?)`;
}

/** Walks the whole log offline with the owner's public audit key: the chain, then every checkpoint. */
export async function verifyAuditLog(location: string, publicKey: JWK, options: VerifyOptions = {}): Promise<AuditVerification> {
  const key = await publicKeyOf(publicKey);
  const tsaCertificates = options.tsaCertificates ?? [];
  if (tsaCertificates.length > 0) {
    const { certificateOf } = await timestamps();
    for (const pem of tsaCertificates) certificateOf(pem); // a bad certificate is the caller's error, not the log's
  }
  const backend = await openBackend(location, 'read');
  try {
    const owner = await backend.owner();
    const checkpoints = await backend.checkpoints();
    const checkpointAt = new Map(checkpoints.map((c) => [c.seq, c]));
    const chainHashAt = new Map<number, string>();

    // Anchors: entries up to an anchor's seq were expired behind it; only a verified one counts.
    let anchorBad: Bad | null = null;
    const verifiedAnchors: AnchorRow[] = [];
    for (const a of await backend.anchors()) {
      const signed = await verifySigned(a.signature, ANCHOR_TYP, key.key, key.kid);
      let reason: string | null = null;
      if ('error' in signed) reason = signed.error;
      else {
        const p = signed.payload as { owner?: unknown; seq?: unknown; hash?: unknown; at?: unknown };
        if (p.seq !== a.seq || p.hash !== a.hash || p.at !== a.at) reason = 'its row differs from what was signed (altered?)';
        else if (owner !== null && p.owner !== owner) reason = `signed for owner ${String(p.owner)}, but this log is ${owner}'s`;
      }
      if (reason === null) verifiedAnchors.push(a);
      else if (!anchorBad) anchorBad = { seq: a.seq + 1, reason: `anchor at entry ${a.seq}: ${reason}` };
    }
    const first = (await backend.entries(0, 1))[0];
    /** The newest verified anchor before the first entry held: the chain continues from it. */
    const base = verifiedAnchors.filter((a) => !first || a.seq < first.seq).at(-1) ?? null;

    let chainBad: Bad | null = null;
    let expected = base ? base.seq + 1 : 1;
    let prevHash = base ? base.hash : GENESIS_HASH;
    let after = 0;
    let held = 0;
    walk: for (;;) {
      const rows = await backend.entries(after, PAGE);
      if (rows.length === 0) break;
      for (const row of rows) {
        after = row.seq;
        if (row.seq !== expected) {
          chainBad = {
            seq: expected,
            reason:
              expected === 1
                ? `${row.seq === 2 ? 'entry 1' : `entries 1 to ${row.seq - 1}`}: missing (the log starts at entry ${row.seq}, with no signed anchor of an expiry at entry ${row.seq - 1}: deleted?)`
                : row.seq === expected + 1
                  ? `entry ${expected}: missing (the log goes from entry ${expected - 1} to entry ${row.seq}: deleted?)`
                  : `entries ${expected} to ${row.seq - 1}: missing (the log goes from entry ${expected - 1} to entry ${row.seq}: deleted?)`,
          };
          break walk;
        }
        let entry: unknown;
        try {
          entry = JSON.parse(row.entry);
        } catch {
          chainBad = { seq: row.seq, reason: `entry ${row.seq}: its entry column is not JSON (altered?)` };
          break walk;
        }
        if (entryHash({ ...row, entry }) !== row.hash) {
          chainBad = { seq: row.seq, reason: whyHashDiffers(row, entry) };
          break walk;
        }
        if (row.prev_hash !== prevHash) {
          chainBad = {
            seq: row.seq,
            reason: `entry ${row.seq}: does not follow entry ${row.seq - 1} (its prev_hash is not entry ${row.seq - 1}'s hash: an entry before it inserted, deleted or replaced?)`,
          };
          break walk;
        }
        if (checkpointAt.has(row.seq)) chainHashAt.set(row.seq, row.hash);
        prevHash = row.hash;
        expected++;
        held++;
      }
    }
    const lastSeq = expected - 1;

    let checkpointBad: Bad | null = null;
    let stamped = 0;
    let lastStamp: { seq: number; genTime: string } | null = null;
    for (const c of checkpoints) {
      const bad = (reason: string, seq = c.seq): Bad => ({ seq, reason: `checkpoint at entry ${c.seq}: ${reason}` });
      let found: Bad | null = null;
      const signed = await verifySigned(c.signature, CHECKPOINT_TYP, key.key, key.kid);
      if ('error' in signed) found = bad(signed.error);
      else {
        const p = signed.payload as { owner?: unknown; seq?: unknown; hash?: unknown; at?: unknown };
        if (p.seq !== c.seq || p.hash !== c.hash || p.at !== c.at) found = bad('its row differs from what was signed (altered?)');
        else if (owner !== null && p.owner !== owner) found = bad(`signed for owner ${String(p.owner)}, but this log is ${owner}'s`);
        else if (chainBad && c.seq >= chainBad.seq)
          continue; // the chain is already broken before it
        else if (base && c.seq <= base.seq)
          continue; // its entries expired behind a verified anchor
        else if (c.seq > lastSeq)
          found = bad(`signed a log reaching entry ${c.seq}, but the log ends at entry ${lastSeq} (cut after a checkpoint: entries deleted?)`, lastSeq + 1);
        else if (chainHashAt.get(c.seq) !== c.hash) found = bad(`the chain's hash of entry ${c.seq} is not the one signed (entries up to ${c.seq} rewritten?)`);
      }
      if (!found && c.tsa_token) {
        const stamp = await (await timestamps()).checkTimestamp(c.tsa_token, new TextEncoder().encode(c.signature), tsaCertificates);
        if (!stamp.ok) found = bad(stamp.reason);
        else {
          stamped++;
          lastStamp = { seq: c.seq, genTime: stamp.genTime.toISOString() };
        }
      }
      if (found && (!checkpointBad || found.seq < checkpointBad.seq)) checkpointBad = found;
    }

    const firstBad = [chainBad, checkpointBad, anchorBad].filter((b): b is Bad => b !== null).sort((a, b) => a.seq - b.seq)[0];
    if (firstBad) return { ok: false, owner, firstBad };
    const last = checkpoints.at(-1);
    return {
      ok: true,
      owner,
      entries: held,
      lastCheckpoint: last ? { seq: last.seq, at: last.at } : null,
      unsignedTail: lastSeq - Math.max(last?.seq ?? 0, base?.seq ?? 0),
      expiredThrough: base ? { seq: base.seq, at: base.at } : null,
      timestamps: { stamped, last: lastStamp, signerChecked: tsaCertificates.length > 0 },
    };
  } finally {
    await backend.close();
  }
}

/* ------------------------------------------------------------------------ */
/* export                                                                    */
/* ------------------------------------------------------------------------ */

/**
 * Exports the entries matching the filter as JSON lines with a detached signature by
 * `signingKey`. The whole log is verified first; a broken log throws AuditLogBroken.
 */
export async function exportAuditLog(location: string, options: ExportFilter & { signingKey: JWK }): Promise<AuditExport> {
  const key = await signingKeyOf(options.signingKey);
  const verification = await verifyAuditLog(location, options.signingKey);
  if (!verification.ok) throw new AuditLogBroken(displayLocation(location), verification.firstBad);
  const filter: ExportFilter = {};
  if (options.since !== undefined) filter.since = options.since;
  if (options.until !== undefined) filter.until = options.until;
  if (options.requestId !== undefined) filter.requestId = options.requestId;
  const since = filter.since === undefined ? null : new Date(filter.since).getTime();
  const until = filter.until === undefined ? null : new Date(filter.until).getTime();

  const backend = await openBackend(location, 'read');
  let lines = '';
  let count = 0;
  try {
    let after = 0;
    for (;;) {
      const rows = await backend.entries(after, PAGE);
      if (rows.length === 0) break;
      for (const row of rows) {
        after = row.seq;
        const at = new Date(row.at).getTime();
        if (since !== null && at < since) continue;
        if (until !== null && at > until) continue;
        const entry = JSON.parse(row.entry) as Record<string, unknown>;
        if (filter.requestId !== undefined && entry.requestId !== filter.requestId) continue;
        lines += `${canonicalJson({ seq: row.seq, at: row.at, kind: row.kind, entry, prev_hash: row.prev_hash, hash: row.hash })}\n`;
        count++;
      }
    }
  } finally {
    await backend.close();
  }
  const signature = await sign(
    { typ: EXPORT_TYP, owner: verification.owner, sha256: sha256(lines), count, exportedAt: new Date().toISOString(), filter },
    EXPORT_TYP,
    key,
  );
  return { lines, signature, count };
}

/** Checks an export with the public key alone: the signature over the exact text, and each line's own hash. */
export async function verifyExport(lines: string, signature: string, publicKey: JWK): Promise<ExportVerification> {
  const key = await publicKeyOf(publicKey);
  const signed = await verifySigned(signature.trim(), EXPORT_TYP, key.key, key.kid);
  if ('error' in signed) return { ok: false, reason: `export ${signed.error}` };
  const p = signed.payload as { owner: string; sha256: string; count: number; exportedAt: string; filter: ExportFilter };
  if (p.sha256 !== sha256(lines)) return { ok: false, reason: 'export does not match its signature: lines were changed, added or removed' };
  const rows = lines.split('\n').filter((line) => line.length > 0);
  for (const [index, line] of rows.entries()) {
    try {
      const row = JSON.parse(line) as { seq: number; at: string; kind: string; entry: unknown; prev_hash: string; hash: string };
      if (entryHash(row) !== row.hash) return { ok: false, reason: `export line ${index + 1} (entry ${row.seq}): hash does not match its content` };
    } catch {
      return { ok: false, reason: `export line ${index + 1}: not JSON` };
    }
  }
  if (rows.length !== p.count) return { ok: false, reason: `export has ${rows.length} lines, its signature says ${p.count}` };
  return { ok: true, owner: p.owner, entries: rows.length, exportedAt: p.exportedAt, filter: p.filter };
}
