import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Kysely, Selectable } from 'kysely';
import { ConfigError } from '../../common/config-error.ts';
import { clearanceAtLeast, type Caller } from '../../common/caller.ts';
import type { MemberState } from '../../common/member-states.ts';
import type { Database } from './store-schema.ts';
import type { Store } from './store.ts';
import type { ReleasePolicy } from './release-policy.ts';
import { releasedTo } from './release-rules.ts';
import { nameWords, phoneticKey, skeleton } from './name-match.ts';
import { documentNumberKey } from './search.ts';

/**
 * Match keys, computed at home. Each member derives keyed pseudonyms of its records' identifiers:
 * HMAC-SHA256 under the network pseudonymisation key of an epoch, over a normalised identifier.
 * Records of different states with equal keys (same kind, same epoch) share the identifier; the
 * identifier cannot be read back from a key, nor checked against guesses without the network key,
 * which only the member states hold: the gateway never loads this module or its key file
 * (test/match-keys.test.ts checks the gateway's import graph).
 *
 * The owner decides what links: a key is released only to callers the owner releases its source
 * fields to (KEY_SOURCES), and the policy's `linking` rules can narrow that per kind.
 */

export const MATCH_KEY_KINDS = ['DOCUMENT', 'NAME_DOB'] as const;
export type MatchKeyKind = (typeof MATCH_KEY_KINDS)[number];

export function isMatchKeyKind(value: unknown): value is MatchKeyKind {
  return typeof value === 'string' && (MATCH_KEY_KINDS as readonly string[]).includes(value);
}

/** The contract fields each kind of key is derived from: a caller gets the key only if the owner releases all of them. */
export const KEY_SOURCES: Record<MatchKeyKind, string[]> = {
  DOCUMENT: ['Person.documents'],
  NAME_DOB: ['Person.givenName', 'Person.familyName', 'Person.dateOfBirth'],
};

/** The owner's narrower linking rule for one kind of key (release-policy.ts `linking:`). */
export interface LinkingRule {
  /** Partner states the key is released to (the owner's own callers always get it); absent: every partner the source fields are released to. */
  partners?: MemberState[];
  minClearance?: Caller['clearance'];
  roles?: string[];
  purposes?: Caller['purpose'][];
}

/** File name of the network pseudonymisation key in a member's keys folder (`--keys-dir`, default .hague/keys). */
export const NETWORK_KEY_FILE = 'network-pseudonym.key';

/** Version of the normalisation below: stored keys of another version are recomputed at start. */
export const MATCH_KEYS_VERSION = 1;

// ---------------------------------------------------------------------------------------------
// The network key, by epoch
// ---------------------------------------------------------------------------------------------

/** The network pseudonymisation keys a member holds: the current epoch's and the previous one's (accepted during a rotation). */
export interface NetworkKeyring {
  current: string;
  /** Epoch -> 32-byte key; only the current and previous epochs are kept in use. */
  keys: Map<string, Buffer>;
  /** The file it was read from, for messages. */
  file: string;
}

interface KeyFile {
  current: string;
  keys: Record<string, string>;
}

const EPOCH = /^e([1-9][0-9]{0,5})$/;
const epochNumber = (epoch: string) => Number(EPOCH.exec(epoch)?.[1] ?? NaN);

function writeKeyFile(file: string, content: KeyFile, exclusive: boolean): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const text = `${JSON.stringify(content, null, 2)}\n`;
  if (exclusive) {
    writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
  } else {
    // Atomically: a reader (a member starting) sees the old file or the new one, never half of it.
    const temporary = `${file}.${process.pid}.tmp`;
    rmSync(temporary, { force: true });
    try {
      const fd = openSync(temporary, 'wx', 0o600);
      try {
        writeFileSync(fd, text);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, file);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
  }
  chmodSync(file, 0o600);
}

/** Reads and validates a whole key file, every epoch it holds (the CLI's status and retire need the unused ones too). */
function readKeyFile(where: string): { current: string; keys: Map<string, Buffer> } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(where, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'is not a JSON key file';
    throw new ConfigError(`network pseudonymisation key ${where} ${reason}; a member creates it on first start, or copy the network's key file there`);
  }
  const bad = (what: string) =>
    new ConfigError(`network pseudonymisation key ${where}: ${what}; expected { "current": "e1", "keys": { "e1": "<32 bytes, base64url>" } }`);
  if (typeof parsed !== 'object' || parsed === null) throw bad('not a JSON object');
  const { current, keys } = parsed as Partial<KeyFile>;
  if (typeof current !== 'string' || !EPOCH.test(current)) throw bad(`current epoch ${JSON.stringify(current)} is not e1, e2, ...`);
  if (typeof keys !== 'object' || keys === null) throw bad('no keys');
  const ring = new Map<string, Buffer>();
  for (const [epoch, value] of Object.entries(keys)) {
    if (!EPOCH.test(epoch)) throw bad(`epoch ${JSON.stringify(epoch)} is not e1, e2, ...`);
    const key = typeof value === 'string' ? Buffer.from(value, 'base64url') : Buffer.alloc(0);
    if (key.length < 32) throw bad(`the key of ${epoch} is not at least 32 bytes of base64url`);
    ring.set(epoch, key);
  }
  if (!ring.has(current)) throw bad(`no key for the current epoch ${current}`);
  return { current, keys: ring };
}

/** The epoch before `epoch` (e2 -> e1; e1 -> e0, which no file holds). */
const previousEpoch = (epoch: string) => `e${epochNumber(epoch) - 1}`;

/** Reads and validates a network key file: `{ "current": "e2", "keys": { "e1": "<base64url>", "e2": "<base64url>" } }`. */
export function loadNetworkKeyring(file: string): NetworkKeyring {
  const where = resolve(file);
  const { current, keys: ring } = readKeyFile(where);
  // The current epoch and the one before it: a rotation does not unlink records of states not yet rotated.
  const accepted = new Map<string, Buffer>([[current, ring.get(current)!]]);
  const previous = previousEpoch(current);
  if (ring.has(previous)) accepted.set(previous, ring.get(previous)!);
  return { current, keys: accepted, file: where };
}

/** Reads `<keysDir>/network-pseudonym.key`, creating it with a fresh epoch e1 key on first use (dev mode; file mode 0600). */
export function ensureNetworkKeyring(file: string): NetworkKeyring {
  const where = resolve(file);
  if (!existsSync(where)) {
    try {
      writeKeyFile(where, { current: 'e1', keys: { e1: randomBytes(32).toString('base64url') } }, true);
    } catch (error) {
      // Another member of the same dev network created it first: read theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return loadNetworkKeyring(where);
}

/** Starts a new epoch: adds a fresh key e<n+1> and makes it current (members restarted on it accept the previous epoch too). */
export function rotateNetworkKey(file: string): string {
  const where = resolve(file);
  const { current, keys } = readKeyFile(where);
  const next = `e${epochNumber(current) + 1}`;
  const content: KeyFile = { current: next, keys: {} };
  for (const [epoch, key] of keys) content.keys[epoch] = key.toString('base64url');
  content.keys[next] = randomBytes(32).toString('base64url');
  writeKeyFile(where, content, false);
  return next;
}

/** How a member uses an epoch of the file: computes keys under it as current or previous, or not at all. */
export type EpochUse = 'current' | 'previous' | 'unused';

export interface NetworkKeyFileStatus {
  file: string;
  current: string;
  /** Newest first. The fingerprint identifies a key without revealing it; it is the one the member stores in hague_meta. */
  epochs: Array<{ epoch: string; fingerprint: string; use: EpochUse }>;
  /** Permission bits, e.g. 0o600. */
  mode: number;
}

/** What a key file holds, without the keys: for `hague linking status` and the member's start message. */
export function networkKeyFileStatus(file: string): NetworkKeyFileStatus {
  const where = resolve(file);
  const { current, keys } = readKeyFile(where);
  const use = (epoch: string): EpochUse => (epoch === current ? 'current' : epoch === previousEpoch(current) ? 'previous' : 'unused');
  const epochs = [...keys]
    .sort(([a], [b]) => epochNumber(b) - epochNumber(a))
    .map(([epoch, key]) => ({ epoch, fingerprint: keyFingerprint(key), use: use(epoch) }));
  return { file: where, current, epochs, mode: statSync(where).mode & 0o777 };
}

/**
 * Ends a rotation: keeps only the current epoch's key, so members restarted on the file stop
 * computing keys under the previous one. Safe once every member runs on the current epoch: during
 * the restarts, a member on the retired file and one still on the old file share the current
 * epoch's keys. Returns the epochs removed (none when the file held only the current one).
 */
export function retireNetworkKeys(file: string): string[] {
  const where = resolve(file);
  const { current, keys } = readKeyFile(where);
  const retired = [...keys.keys()].filter((epoch) => epoch !== current).sort((a, b) => epochNumber(a) - epochNumber(b));
  if (retired.length > 0) writeKeyFile(where, { current, keys: { [current]: keys.get(current)!.toString('base64url') } }, false);
  return retired;
}

/** A short fingerprint of one epoch's key (HMAC of a fixed text under it): shows which key a file or member holds, never the key. */
export function keyFingerprint(key: Buffer): string {
  return createHmac('sha256', key).update('hague key fingerprint').digest('base64url').slice(0, 16);
}

/** The default key file of a keys folder. */
export function networkKeyFile(keysDir: string): string {
  return join(keysDir, NETWORK_KEY_FILE);
}

// ---------------------------------------------------------------------------------------------
// Normalised identifiers and their keys
// ---------------------------------------------------------------------------------------------

/** A document as linked: issuing state and number, spaces, punctuation and case removed. */
export function documentIdentifier(number: string, issuingState: string): string {
  return `${issuingState.trim().toUpperCase()}|${documentNumberKey(number)}`;
}

/**
 * A name with a date of birth as linked: the consonant skeleton (name-match.ts) of the given names
 * and of the family name, each written as one word, in sorted order (spelling variants, hyphens and
 * swapped name order agree: Abdel-Karim Belhaouary = Abdelkarim Belhawari, Rachid = Raschid).
 */
export function nameDobIdentifier(givenName: string, familyName: string, dateOfBirth: string): string {
  // French "ch" is the "sh" of English and German spellings (Rachid = Rashid = Raschid): one letter pair for both.
  const frame = (name: string) => skeleton(phoneticKey(nameWords(name).join('')).replace(/sh/g, 'ch'));
  return `${[frame(givenName), frame(familyName)].sort().join(' ')}|${dateOfBirth}`;
}

/** HMAC-SHA256 of a kind's normalised identifier under one epoch's key, base64url. */
export function matchKeyValue(key: Buffer, kind: MatchKeyKind, identifier: string): string {
  return createHmac('sha256', key).update(`${kind}\u0000${identifier}`).digest('base64url');
}

export interface MatchKeySource {
  givenName: string;
  familyName: string;
  dateOfBirth: string | null;
  documents: Array<{ number: string; issuingState: string }>;
}

export type MatchKeyRow = Selectable<Database['person_match_keys']>;

/** Every match key of one person under every epoch of the keyring. */
export function matchKeysOf(personId: string, source: MatchKeySource, keyring: NetworkKeyring): MatchKeyRow[] {
  const identifiers: Array<[MatchKeyKind, string]> = [];
  for (const d of source.documents) identifiers.push(['DOCUMENT', documentIdentifier(d.number, d.issuingState)]);
  if (source.dateOfBirth) identifiers.push(['NAME_DOB', nameDobIdentifier(source.givenName, source.familyName, source.dateOfBirth)]);
  const rows = new Map<string, MatchKeyRow>();
  for (const [epoch, key] of keyring.keys) {
    for (const [kind, identifier] of identifiers) {
      const value = matchKeyValue(key, kind, identifier);
      rows.set(`${kind}|${epoch}|${value}`, { person_id: personId, kind, epoch, value });
    }
  }
  return [...rows.values()];
}

const META_KEY = 'match_keys';
const CHUNK = 2000;

/** What the stored keys were computed with: normalisation version and each epoch's key fingerprint (not the key). */
function keyringStamp(keyring: NetworkKeyring): string {
  const epochs = [...keyring.keys].map(([epoch, key]) => [epoch, keyFingerprint(key)]);
  return JSON.stringify({ version: MATCH_KEYS_VERSION, epochs: epochs.sort() });
}

/**
 * Makes the stored match keys those of this keyring: at member start, after seeding, after a
 * rotation. Recomputes every person's keys in one transaction when the keyring (or the
 * normalisation) changed since the last time, or when records were written since (seeding clears
 * the stamp). Returns whether it recomputed.
 */
export async function ensureMatchKeys(store: Pick<Store, 'db'>, keyring: NetworkKeyring): Promise<boolean> {
  const stamp = keyringStamp(keyring);
  const stored = await store.db.selectFrom('hague_meta').select('value').where('key', '=', META_KEY).executeTakeFirst();
  if (stored?.value === stamp) return false;
  await store.db.transaction().execute(async (trx: Kysely<Database>) => {
    const persons = await trx.selectFrom('persons').select(['id', 'given_name', 'family_name', 'date_of_birth']).execute();
    const documents = await trx.selectFrom('identity_documents').select(['person_id', 'number', 'issuing_state']).execute();
    const documentsOf = new Map<string, Array<{ number: string; issuingState: string }>>();
    for (const d of documents) documentsOf.set(d.person_id, [...(documentsOf.get(d.person_id) ?? []), { number: d.number, issuingState: d.issuing_state }]);
    await trx.deleteFrom('person_match_keys').execute();
    const rows = persons.flatMap((p) =>
      matchKeysOf(p.id, { givenName: p.given_name, familyName: p.family_name, dateOfBirth: p.date_of_birth, documents: documentsOf.get(p.id) ?? [] }, keyring),
    );
    // Replicas of a state starting together over one PostgreSQL database may both recompute: the
    // second one's rows are the same, so a row already there is skipped, not an error.
    for (let i = 0; i < rows.length; i += CHUNK)
      await trx
        .insertInto('person_match_keys')
        .values(rows.slice(i, i + CHUNK))
        .onConflict((oc) => oc.columns(['person_id', 'kind', 'epoch', 'value']).doNothing())
        .execute();
    await trx
      .insertInto('hague_meta')
      .values({ key: META_KEY, value: stamp })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: stamp }))
      .execute();
  });
  return true;
}

/** Forgets the stamp, so the next ensureMatchKeys recomputes (records were written). */
export async function invalidateMatchKeys(db: Kysely<Database>): Promise<void> {
  await db.deleteFrom('hague_meta').where('key', '=', META_KEY).execute();
}

// ---------------------------------------------------------------------------------------------
// Release: the owner decides what links
// ---------------------------------------------------------------------------------------------

/** Whether the owner releases a kind of key to the caller: every source field released, and the policy's linking rule met. */
export function linkingAllowed(policy: ReleasePolicy, kind: MatchKeyKind, caller: Caller): boolean {
  if (!KEY_SOURCES[kind].every((coordinate) => releasedTo(policy, coordinate, caller))) return false;
  const rule = policy.linking?.[kind];
  if (!rule) return true;
  if (rule.partners && caller.state !== policy.memberState && !rule.partners.includes(caller.state)) return false;
  if (rule.minClearance && !clearanceAtLeast(caller.clearance, rule.minClearance)) return false;
  if (rule.roles && !rule.roles.some((role) => caller.roles.includes(role))) return false;
  if (rule.purposes && !rule.purposes.includes(caller.purpose)) return false;
  return true;
}

/** The stored keys of a record this caller may have, as the contract's MatchKey. */
export function releasedMatchKeys(rows: MatchKeyRow[], policy: ReleasePolicy, caller: Caller): Array<{ kind: MatchKeyKind; epoch: string; value: string }> {
  const allowed = new Map<string, boolean>();
  const released: Array<{ kind: MatchKeyKind; epoch: string; value: string }> = [];
  for (const row of rows) {
    if (!isMatchKeyKind(row.kind)) continue;
    if (!allowed.has(row.kind)) allowed.set(row.kind, linkingAllowed(policy, row.kind, caller));
    if (allowed.get(row.kind)) released.push({ kind: row.kind, epoch: row.epoch, value: row.value });
  }
  return released;
}
