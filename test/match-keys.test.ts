import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNetwork, type TestNetwork } from './support/network.ts';
import { seedMember } from '../subgraphs/member/seed.ts';
import { openStore, type Store } from '../subgraphs/member/store.ts';
import { startMember } from '../subgraphs/member/server.ts';
import { ensureKeyPair } from '../common/dev-keys.ts';
import { parseReleasePolicy } from '../subgraphs/member/release-policy.ts';
import { ConfigError } from '../common/config-error.ts';
import type { Caller } from '../common/caller.ts';
import type { MemberState } from '../common/member-states.ts';
import { createTestDatabase, describePostgres } from './support/postgres.ts';
import { caller as testCaller } from './support/tokens.ts';
import {
  NETWORK_KEY_FILE,
  documentIdentifier,
  ensureMatchKeys,
  ensureNetworkKeyring,
  loadNetworkKeyring,
  matchKeyValue,
  nameDobIdentifier,
  releasedMatchKeys,
  rotateNetworkKey,
  type MatchKeyRow,
} from '../subgraphs/member/match-keys.ts';

/**
 * Match keys computed at home (subgraphs/member/match-keys.ts): keyed pseudonyms of identifiers,
 * under a network key only members hold, released only where the owner releases their source
 * fields, narrowed by the policy's `linking:` rules; rotatable by epoch. The shared cast of the demo
 * data (NL Belhawari, BE Belhaouari, FR Belhaouary: passport EM482913) over a real network with the
 * real release policies.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EM = 'EM482913';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hague-match-keys-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A caller of `state` (the shared test caller: analyst, SECRET, counter-terrorism). */
const caller = (state: MemberState, over: Partial<Caller> = {}): Caller => testCaller({ state, ...over });

describe('the network pseudonymisation key', () => {
  it('is created once, 0600, epoch e1, and read back alike by every member', () => {
    const file = join(dir, 'keys', NETWORK_KEY_FILE);
    const first = ensureNetworkKeyring(file);
    const second = ensureNetworkKeyring(file);
    expect(first.current).toBe('e1');
    expect([...first.keys.keys()]).toEqual(['e1']);
    expect(second.keys.get('e1')!.equals(first.keys.get('e1')!)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('rotates: the new epoch is current, the previous one still accepted, older ones dropped', () => {
    const file = join(dir, 'rotating', NETWORK_KEY_FILE);
    ensureNetworkKeyring(file);
    expect(rotateNetworkKey(file)).toBe('e2');
    const two = loadNetworkKeyring(file);
    expect(two.current).toBe('e2');
    expect([...two.keys.keys()].sort()).toEqual(['e1', 'e2']);
    expect(rotateNetworkKey(file)).toBe('e3');
    expect([...loadNetworkKeyring(file).keys.keys()].sort()).toEqual(['e2', 'e3']);
  });

  it('refuses a missing or malformed key file with a message naming the file and what to do', () => {
    const missing = join(dir, 'nowhere', NETWORK_KEY_FILE);
    expect(() => loadNetworkKeyring(missing)).toThrow(ConfigError);
    expect(() => loadNetworkKeyring(missing)).toThrow(`network pseudonymisation key ${missing} does not exist`);
    const short = join(dir, 'short.key');
    writeFileSync(short, JSON.stringify({ current: 'e1', keys: { e1: 'c2hvcnQ' } }));
    expect(() => loadNetworkKeyring(short)).toThrow(`network pseudonymisation key ${short}: the key of e1 is not at least 32 bytes of base64url`);
    const noCurrent = join(dir, 'no-current.key');
    writeFileSync(noCurrent, JSON.stringify({ current: 'e2', keys: { e1: Buffer.alloc(32, 1).toString('base64url') } }));
    expect(() => loadNetworkKeyring(noCurrent)).toThrow('no key for the current epoch e2');
  });
});

describe('match key values', () => {
  const key = Buffer.alloc(32, 7);
  it('normalise identifiers: document number with issuing state; name skeleton with date of birth', () => {
    expect(documentIdentifier('em 482-913', 'be')).toBe('BE|EM482913');
    expect(nameDobIdentifier('Abdel-Karim', 'Belhaouary', '1991-02-07')).toBe(nameDobIdentifier('Abdelkarim', 'Belhawari', '1991-02-07'));
    expect(nameDobIdentifier('Belhawari', 'Abdelkarim', '1991-02-07')).toBe(nameDobIdentifier('Abdelkarim', 'Belhawari', '1991-02-07'));
    expect(nameDobIdentifier('Rachid', 'Bennis', '1994-06-30')).toBe(nameDobIdentifier('Raschid', 'Bennis', '1994-06-30'));
    expect(nameDobIdentifier('Abdelkarim', 'Belhawari', '1991-02-08')).not.toBe(nameDobIdentifier('Abdelkarim', 'Belhawari', '1991-02-07'));
  });

  it('are keyed: not a plain hash, and another key or epoch gives an unrelated value', () => {
    const identifier = documentIdentifier(EM, 'BE');
    const value = matchKeyValue(key, 'DOCUMENT', identifier);
    expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(value).toBe(createHmac('sha256', key).update(`DOCUMENT\u0000${identifier}`).digest('base64url'));
    // Whoever lacks the key cannot confirm a guess: a plain hash of the identifier is something else.
    for (const guess of [identifier, `DOCUMENT\u0000${identifier}`, EM]) {
      expect(value).not.toBe(createHash('sha256').update(guess).digest('base64url'));
    }
    expect(value).not.toContain(EM);
    expect(matchKeyValue(Buffer.alloc(32, 8), 'DOCUMENT', identifier)).not.toBe(value);
    // Kinds are separated: the same text as a name key is another value.
    expect(matchKeyValue(key, 'NAME_DOB', identifier)).not.toBe(value);
  });
});

describe('linking rules of the release policy', () => {
  const rows: MatchKeyRow[] = [
    { person_id: 'NL-P-000001', kind: 'DOCUMENT', epoch: 'e1', value: 'doc' },
    { person_id: 'NL-P-000001', kind: 'NAME_DOB', epoch: 'e1', value: 'name' },
  ];
  const kinds = (released: Array<{ kind: string }>) => released.map((k) => k.kind);

  it('release a key where the owner releases its source fields, narrowed per kind', () => {
    const policy = parseReleasePolicy(
      [
        'memberState: NL',
        'defaultTier: HIT',
        'partners: { BE: FULL, FR: FULL, DE: SUMMARY, ES: FULL }',
        'fields:',
        '  Person.documents: { minClearance: CONFIDENTIAL }',
        'linking:',
        '  DOCUMENT: { partners: [BE, FR] }',
        '  NAME_DOB: { purposes: [counter-terrorism] }',
      ].join('\n'),
      'NL.yaml',
      'NL',
    );
    expect(kinds(releasedMatchKeys(rows, policy, caller('BE')))).toEqual(['DOCUMENT', 'NAME_DOB']);
    // DE gets names and dates of birth (SUMMARY), not documents: no document key.
    expect(kinds(releasedMatchKeys(rows, policy, caller('DE')))).toEqual(['NAME_DOB']);
    // ES gets documents (FULL) but the linking rule keeps document keys to BE and FR.
    expect(kinds(releasedMatchKeys(rows, policy, caller('ES')))).toEqual(['NAME_DOB']);
    // The field rule applies to keys too: documents need CONFIDENTIAL.
    expect(kinds(releasedMatchKeys(rows, policy, caller('BE', { clearance: 'RESTRICTED' })))).toEqual(['NAME_DOB']);
    expect(kinds(releasedMatchKeys(rows, policy, caller('BE', { purpose: 'border-security' })))).toEqual(['DOCUMENT']);
    // HIT only: nothing links.
    expect(releasedMatchKeys(rows, policy, caller('IT'))).toEqual([]);
    // The owner's own callers: every key its rules allow them (partners do not narrow own callers).
    expect(kinds(releasedMatchKeys(rows, policy, caller('NL')))).toEqual(['DOCUMENT', 'NAME_DOB']);
  });

  it('refuses a malformed linking section with the file, the path and what to write', () => {
    const parse = (linking: string) => () =>
      parseReleasePolicy(['memberState: NL', 'defaultTier: HIT', 'linking:', linking].join('\n'), 'config/policies/NL.yaml', 'NL');
    expect(parse('  PASSPORT: { partners: [BE] }')).toThrow(
      /config\/policies\/NL\.yaml.*linking\.PASSPORT.*is not a kind of match key; expected one of DOCUMENT, NAME_DOB/,
    );
    expect(parse('  DOCUMENT: { partners: [XX] }')).toThrow(/linking\.DOCUMENT\.partners.*is not a list of member states/);
    expect(parse('  DOCUMENT: { minClearance: TOP }')).toThrow(/linking\.DOCUMENT\.minClearance.*is not a clearance/);
    expect(parse('  DOCUMENT: { who: [BE] }')).toThrow(/linking\.DOCUMENT/);
  });
});

describe('match keys over the network, under the real release policies', () => {
  let net: TestNetwork;
  const keyFile = () => join(dir, 'members', NETWORK_KEY_FILE);
  beforeAll(async () => {
    net = await startNetwork({ states: ['NL', 'BE', 'FR', 'DE'], policies: 'config' });
    const keyring = ensureNetworkKeyring(keyFile());
    for (const member of net.members.values()) await seedMember(member.store, { persons: 40, keyring });
  });
  afterAll(async () => {
    await net?.close();
  });

  const QUERY = `query($doc: String!) { persons(filter: { documentNumber: $doc }) { memberState id matchKeys { kind epoch value } } }`;
  type Record = { memberState: string; id: string; matchKeys: Array<{ kind: string; epoch: string; value: string }> };
  const ask = async (state: MemberState, clearance: 'SECRET' | 'RESTRICTED' = 'SECRET') => {
    const answer = await net.query(QUERY, { doc: EM }, await net.as({ state, roles: ['analyst'], clearance }, 'counter-terrorism'));
    return answer.body as { data: { persons: Record[] }; errors?: unknown[] };
  };
  const keyOf = (records: Record[], state: string, kind: string) =>
    records.find((r) => r.memberState === state)?.matchKeys.filter((k) => k.kind === kind) ?? [];

  it('the cast: NL, BE and FR carry one equal document key for a caller all three release documents to (a BE analyst)', async () => {
    const body = await ask('BE');
    expect(body.errors).toBeUndefined();
    const records = body.data.persons;
    expect(records.map((r) => `${r.memberState} ${r.id}`).sort()).toEqual(['BE BE-P-000001', 'FR FR-P-000001', 'NL NL-P-000001']);
    const passport = (state: string) => new Set(keyOf(records, state, 'DOCUMENT').map((k) => k.value));
    const shared = [...passport('NL')].filter((v) => passport('BE').has(v) && passport('FR').has(v));
    expect(shared).toHaveLength(1);
    // The BE identity card is BE's alone: it links nothing.
    expect(passport('BE').size).toBe(2);
    // Name and date of birth link the three spellings too.
    const names = ['NL', 'BE', 'FR'].map((s) => keyOf(records, s, 'NAME_DOB').map((k) => k.value));
    expect(names.every((n) => n.length === 1 && n[0] === names[0][0])).toBe(true);
    expect(records.flatMap((r) => r.matchKeys.map((k) => k.epoch))).toEqual(expect.arrayContaining(['e1']));
    // No raw identifier among the keys.
    expect(JSON.stringify(records)).not.toContain(EM);
  });

  it("NL's document key is not released to DE, whom NL's policy gives no documents; name keys are, without an error", async () => {
    const body = await ask('DE');
    expect(body.errors).toBeUndefined();
    const records = body.data.persons;
    const nl = records.find((r) => r.memberState === 'NL')!;
    expect(nl.matchKeys.map((k) => k.kind)).toEqual(['NAME_DOB']);
    const be = await ask('BE');
    expect(keyOf(be.data.persons, 'NL', 'NAME_DOB')).toEqual(nl.matchKeys);
  });

  it('a field rule narrows the key with the field: a RESTRICTED caller gets no document key from NL (CONFIDENTIAL) or FR (SECRET)', async () => {
    const body = await ask('BE', 'RESTRICTED');
    // NL and FR do not let a caller search by a document number it may not see; ask by name and date of birth.
    const byName = await net.query(
      `{ persons(filter: { name: "Belhaouari", dateOfBirth: "1991-02-07" }) { memberState id matchKeys { kind epoch value } } }`,
      undefined,
      await net.as({ state: 'BE', roles: ['analyst'], clearance: 'RESTRICTED' }, 'counter-terrorism'),
    );
    const records = [...(byName.body.data?.persons ?? []), ...(body.data?.persons ?? [])] as Record[];
    for (const state of ['NL', 'FR']) {
      const record = records.find((r) => r.memberState === state);
      expect(record, `${state} record`).toBeDefined();
      expect(record!.matchKeys.map((k) => k.kind)).toEqual(['NAME_DOB']);
    }
    // BE's own callers see BE's documents whatever their clearance: its own record keeps its document keys.
    expect(keyOf(records, 'BE', 'DOCUMENT')).toHaveLength(2);
  });

  it('a rotation changes every key; members accept the previous epoch, so keys of both are served', async () => {
    const nl = net.members.get('NL')!;
    const before = await nl.store.db.selectFrom('person_match_keys').selectAll().where('person_id', '=', 'NL-P-000001').execute();
    expect(new Set(before.map((k) => k.epoch))).toEqual(new Set(['e1']));
    const file = join(dir, 'rotated', NETWORK_KEY_FILE);
    ensureNetworkKeyring(file);
    // The same network key as the members', then rotated.
    writeFileSync(file, readFileSync(keyFile()));
    rotateNetworkKey(file);
    expect(await ensureMatchKeys(nl.store, loadNetworkKeyring(file))).toBe(true);
    expect(await ensureMatchKeys(nl.store, loadNetworkKeyring(file))).toBe(false);
    const after = await nl.store.db.selectFrom('person_match_keys').selectAll().where('person_id', '=', 'NL-P-000001').execute();
    const e1 = after.filter((k) => k.epoch === 'e1');
    const e2 = after.filter((k) => k.epoch === 'e2');
    expect(e1.map((k) => k.value).sort()).toEqual(before.map((k) => k.value).sort());
    expect(e2).toHaveLength(e1.length);
    for (const key of e2) expect(e1.map((k) => k.value)).not.toContain(key.value);
  });
});

describe('computed at member start', () => {
  let store: Store | undefined;
  afterAll(async () => {
    await store?.close();
  });

  it('a member started with its key file computes the keys of records seeded without one', async () => {
    const database = join(dir, 'start.db');
    store = await openStore(database, 'BE');
    await seedMember(store, { persons: 10 });
    expect(await store.db.selectFrom('person_match_keys').selectAll().execute()).toEqual([]);
    await store.close();
    store = undefined;
    const gateway = await ensureKeyPair(join(dir, 'start-keys'), 'gateway');
    const keyFile = join(dir, 'start-keys', NETWORK_KEY_FILE);
    const member = await startMember({ state: 'BE', database, gatewayPublicKey: gateway.publicJwk, policiesDir: 'config/policies', networkKeyFile: keyFile });
    try {
      expect(existsSync(keyFile)).toBe(true);
      const keys = await member.store.db.selectFrom('person_match_keys').selectAll().where('person_id', '=', 'BE-P-000001').execute();
      const keyring = loadNetworkKeyring(keyFile);
      expect(keys.map((k) => k.value)).toContain(matchKeyValue(keyring.keys.get('e1')!, 'DOCUMENT', documentIdentifier(EM, 'BE')));
    } finally {
      await member.close();
    }
  });
});

describePostgres('match keys on PostgreSQL', () => {
  it('are the same as on SQLite, and two replicas computing them at once both start', async () => {
    const url = await createTestDatabase();
    const [a, b] = [await openStore(url, 'NL'), await openStore(url, 'NL')];
    const sqlite = await openStore(join(dir, 'pg-twin.db'), 'NL');
    try {
      const keyring = ensureNetworkKeyring(join(dir, 'pg-keys', NETWORK_KEY_FILE));
      await seedMember(a, { persons: 60 });
      await seedMember(sqlite, { persons: 60, keyring });
      const results = await Promise.all([ensureMatchKeys(a, keyring), ensureMatchKeys(b, keyring)]);
      expect(results).toContain(true);
      const all = async (store: Store) =>
        (await store.db.selectFrom('person_match_keys').selectAll().execute()).map((k) => `${k.person_id} ${k.kind} ${k.epoch} ${k.value}`).sort();
      const onPostgres = await all(a);
      expect(onPostgres.length).toBeGreaterThan(120);
      expect(onPostgres).toEqual(await all(sqlite));
    } finally {
      await Promise.all([a.close(), b.close(), sqlite.close()]);
    }
  });
});

describe('the gateway never holds the network key', () => {
  /** Every project file a module reaches through its static and dynamic relative imports. */
  function reachable(entry: string, seen = new Set<string>()): Set<string> {
    if (seen.has(entry)) return seen;
    seen.add(entry);
    const text = readFileSync(entry, 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = resolve(dirname(entry), m[1]);
      if (existsSync(target) && target.endsWith('.ts')) reachable(target, seen);
    }
    return seen;
  }
  const gatewayFiles = (folder: string): string[] =>
    readdirSync(folder, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? gatewayFiles(join(folder, e.name)) : e.name.endsWith('.ts') ? [join(folder, e.name)] : [],
    );

  it('no module the gateway process loads reaches match-keys.ts or names the key file', () => {
    const entries = [join(ROOT, 'cli/gateway.ts'), ...gatewayFiles(join(ROOT, 'gateway'))];
    const loaded = new Set<string>();
    for (const entry of entries) reachable(entry, loaded);
    expect(loaded.size).toBeGreaterThan(10);
    const names = [...loaded].map((f) => relative(ROOT, f));
    expect(names).not.toContain('subgraphs/member/match-keys.ts');
    for (const file of loaded) expect(readFileSync(file, 'utf8')).not.toContain('network-pseudonym');
    expect(names.filter((f) => f.startsWith('subgraphs/'))).toEqual([]);
  });
});
