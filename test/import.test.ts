import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { openStore, type Store } from '../subgraphs/member/store.ts';
import { loadMapping, parseMapping } from '../subgraphs/member/import/mapping.ts';
import { importFile } from '../subgraphs/member/import/input.ts';
import { RECORD_FIELDS, importRecords, type ImportRecord } from '../subgraphs/member/import/apply.ts';
import { PERSON_TABLES as STORED_PERSON_TABLES } from '../subgraphs/member/demo-data/rows.ts';
import { ensureMatchKeys, ensureNetworkKeyring, matchKeysOf, type NetworkKeyring } from '../subgraphs/member/match-keys.ts';
import { openAuditLog, verifyAuditLog, type AuditLog } from '../common/audit-log.ts';
import { ensureKeyPair } from '../common/dev-keys.ts';
import { ConfigError } from '../common/config-error.ts';
import { createTestDatabase, describePostgres } from './support/postgres.ts';
import { runCli, startNetwork, type TestNetwork } from './support/network.ts';

const EXAMPLE = 'examples/national-export';
const MAPPING = `${EXAMPLE}/mapping.yaml`;
const EXPORT = `${EXAMPLE}/nl-export.ndjson`;
const CHANGES = `${EXAMPLE}/changes.ndjson`;
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const CORRECTED = 'NL-CT-2024-0102';
const ERASED = 'NL-CT-2024-0107';

let folder: string;
beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'hague-import-'));
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

interface AuditRow {
  kind: string;
  entry: Record<string, unknown>;
}

function auditRows(file: string): AuditRow[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT kind, entry FROM entries ORDER BY seq').all() as Array<{ kind: string; entry: string }>).map((r) => ({
      kind: r.kind,
      entry: JSON.parse(r.entry) as Record<string, unknown>,
    }));
  } finally {
    db.close();
  }
}

/** Every table holding one person's rows besides the person itself. */
const PERSON_TABLES = [...STORED_PERSON_TABLES.filter((t) => t !== 'persons'), 'person_match_keys'] as const;

async function rowsOf(store: Store, id: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  counts.persons = (await store.db.selectFrom('persons').select('id').where('id', '=', id).execute()).length;
  for (const table of PERSON_TABLES) counts[table] = (await store.db.selectFrom(table).select('person_id').where('person_id', '=', id).execute()).length;
  return counts;
}

/** The worked example on one database: import, re-import, changes; audit in a real chain. */
function exampleScenario(name: string, database: () => Promise<string>) {
  describe(name, () => {
    let store: Store;
    let keyring: NetworkKeyring;
    let audit: AuditLog;
    let auditFile: string;

    beforeAll(async () => {
      const dir = mkdtempSync(join(folder, 'example-'));
      store = await openStore(await database(), 'NL');
      keyring = ensureNetworkKeyring(join(dir, 'network-pseudonym.key'));
      await ensureMatchKeys(store, keyring); // as a member does at start: keys current, imports keep them so
      auditFile = join(dir, 'NL.audit.db');
      audit = await openAuditLog(auditFile, { owner: 'NL', signingKey: (await ensureKeyPair(dir, 'audit-NL')).privateJwk, checkpointIntervalMs: 0 });
    });
    afterAll(async () => {
      await audit?.close();
      await store?.close();
    });

    it('imports the shipped export through its mapping into a fresh member', async () => {
      const mapping = loadMapping(MAPPING);
      const result = await importFile(store, { mapping, input: EXPORT, keyring, audit, now: new Date('2026-11-01T00:00:00Z') });
      expect(result).toMatchObject({ read: 8, inserted: 8, changed: 0, unchanged: 0, erased: 0, committed: true, problems: [] });

      const p = await store.db.selectFrom('persons').selectAll().where('id', '=', 'NL-CT-2024-0101').executeTakeFirstOrThrow();
      expect(p).toMatchObject({
        given_name: 'Youssef',
        family_name: 'El Amrani',
        date_of_birth: '1994-03-14',
        status: 'FOREIGN_TERRORIST_FIGHTER',
        contact_unit: 'DLR Contraterrorisme, desk 3',
        contact_reference: 'CT-2024-0101',
        handling_code: 'H1',
        evaluation_source: 'B',
        evaluation_information: '2',
      });
      const travel = await store.db.selectFrom('travel_movements').selectAll().where('person_id', '=', 'NL-CT-2024-0101').orderBy('at').execute();
      // 03-02-2025 06:40 Dutch time (+01:00) is 05:40 UTC.
      expect(travel.map((t) => [t.id, t.at, t.from_city, t.to_city, t.mode, t.planned])).toEqual([
        ['R-88120', '2025-02-03T05:40:00Z', 'Amsterdam', 'Istanbul', 'AIR', 0],
        ['R-88121', '2025-02-05T21:15:00Z', 'Istanbul', 'Gaziantep', 'ROAD', 0],
      ]);
      const freeze = await store.db.selectFrom('financial_measures').selectAll().where('person_id', '=', 'NL-CT-2024-0101').executeTakeFirstOrThrow();
      expect(freeze).toMatchObject({
        id: 'NL-CT-2024-0101-F1',
        kind: 'ASSET_FREEZE',
        since: '2025-02-18',
        amount: 12450,
        currency: 'EUR',
        handling_code: 'H0',
      });
      const listings = await store.db
        .selectFrom('watchlist_listings')
        .select(['list', 'listed_since'])
        .where('person_id', '=', 'NL-CT-2024-0108')
        .orderBy('id')
        .execute();
      expect(listings).toEqual([
        { list: 'NL national terrorism list', listed_since: '2017-02-15' },
        { list: 'EU consolidated financial sanctions list', listed_since: '2017-05-30' },
      ]);
      const org = await store.db.selectFrom('organisations').select(['name', 'kind']).where('id', '=', 'NL-ORG-K17').executeTakeFirstOrThrow();
      expect(org).toEqual({ name: 'Kataib al-Muhajirin', kind: 'TERRORIST' });
      const h3 = await store.db
        .selectFrom('persons')
        .select(['handling_code', 'handling_restriction'])
        .where('id', '=', 'NL-CT-2024-0106')
        .executeTakeFirstOrThrow();
      expect(h3.handling_code).toBe('H3');
      expect(h3.handling_restriction).toMatch(/^Lopend onderzoek/);
      expect(await rowsOf(store, ERASED)).toMatchObject({ persons: 1, person_name_keys: 2 });
      // Match keys follow the import: NAME_DOB for everyone, DOCUMENT per document.
      expect((await rowsOf(store, 'NL-CT-2024-0101')).person_match_keys).toBe(3);
      // The planned trip (after the import's clock) is planned.
      const planned = await store.db.selectFrom('travel_movements').select('planned').where('id', '=', 'R-90310').executeTakeFirstOrThrow();
      expect(planned.planned).toBe(1);
    });

    it('changes nothing when the same file is imported again', async () => {
      const before = await store.db.selectFrom('persons').select(['id', 'record_digest']).orderBy('id').execute();
      const entries = auditRows(auditFile).length;
      const result = await importFile(store, { mapping: loadMapping(MAPPING), input: EXPORT, keyring, audit });
      expect(result).toMatchObject({ read: 8, inserted: 0, changed: 0, unchanged: 8, erased: 0, committed: true });
      expect(await store.db.selectFrom('persons').select(['id', 'record_digest']).orderBy('id').execute()).toEqual(before);
      expect(auditRows(auditFile).length).toBe(entries);
    });

    it('applies the change file in order: corrects one record and erases another with every relation', async () => {
      const result = await importFile(store, { mapping: loadMapping(MAPPING), input: CHANGES, changes: true, keyring, audit });
      expect(result).toMatchObject({ read: 2, inserted: 0, changed: 1, unchanged: 0, erased: 1, committed: true, problems: [] });
      const corrected = await store.db.selectFrom('persons').selectAll().where('id', '=', CORRECTED).executeTakeFirstOrThrow();
      expect(corrected).toMatchObject({ family_name: 'Verhoeve', status: 'CONVICTED' });
      expect(await rowsOf(store, ERASED)).toEqual(Object.fromEntries(['persons', ...PERSON_TABLES].map((t) => [t, 0])));
      // The corrected record's name keys and match keys are those of the new name.
      const keys = await store.db
        .selectFrom('person_match_keys')
        .select(['kind', 'epoch', 'value'])
        .where('person_id', '=', CORRECTED)
        .orderBy('kind')
        .orderBy('value')
        .execute();
      const expected = matchKeysOf(
        CORRECTED,
        { givenName: 'Daan', familyName: 'Verhoeve', dateOfBirth: '1989-11-02', documents: [{ number: 'NW19PL3K7', issuingState: 'NL' }] },
        keyring,
      )
        .map(({ kind, epoch, value }) => ({ kind, epoch, value }))
        .sort((a, b) => a.kind.localeCompare(b.kind) || a.value.localeCompare(b.value));
      expect(keys).toEqual(expected);
      const nameKeys = await store.db.selectFrom('person_name_keys').select('skeleton').where('person_id', '=', CORRECTED).execute();
      expect(nameKeys.length).toBe(2);
      // Nothing else changed: the organisation of the erased record's partners stays.
      expect(await store.db.selectFrom('persons').select('id').execute()).toHaveLength(7);
    });

    it('keeps every insert, change and erasure in the owner’s audit chain, with field names and the file', () => {
      const rows = auditRows(auditFile);
      expect(rows.map((r) => r.kind)).toEqual([...Array<string>(8).fill('record-insert'), 'record-change', 'record-erase']);
      expect(rows[0].entry).toEqual({
        state: 'NL',
        record: 'NL-CT-2024-0101',
        // The record sets every field the digest covers.
        fields: [...RECORD_FIELDS],
        import: { file: 'nl-export.ndjson', sha256: sha256(EXPORT) },
        line: 1,
      });
      expect(rows[8].entry).toEqual({
        state: 'NL',
        record: CORRECTED,
        fields: ['familyName', 'status', 'background'],
        import: { file: 'changes.ndjson', sha256: sha256(CHANGES) },
        line: 1,
      });
      expect(rows[9].entry).toEqual({ state: 'NL', record: ERASED, import: { file: 'changes.ndjson', sha256: sha256(CHANGES) }, line: 2 });
      // Names of fields, never the erased values.
      expect(JSON.stringify(rows[9])).not.toContain('Jansen');
    });
  });
}

exampleScenario('the shipped national export on SQLite', async () => join(folder, `example-${Date.now()}.db`));
describePostgres('the shipped national export on PostgreSQL', () => {
  exampleScenario('through its mapping', () => createTestDatabase());

  it('appends an import’s audit entries in one commit to a PostgreSQL audit log, chained and verifiable', async () => {
    const url = await createTestDatabase();
    const keys = await ensureKeyPair(mkdtempSync(join(folder, 'pg-audit-')), 'audit-NL');
    const log = await openAuditLog(url, { owner: 'NL', signingKey: keys.privateJwk, checkpointIntervalMs: 0, checkpointEvery: 2 });
    try {
      await log.append('member-request', { note: 'before' });
      const last = await log.appendMany([
        { kind: 'record-insert', entry: { record: 'A' } },
        { kind: 'record-change', entry: { record: 'A', fields: ['status'] } },
        { kind: 'record-erase', entry: { record: 'A' } },
      ]);
      expect(last?.seq).toBe(4);
      expect(await log.appendMany([])).toBeNull();
    } finally {
      await log.close();
    }
    const verified = await verifyAuditLog(url, keys.publicJwk);
    expect(verified).toMatchObject({ ok: true, entries: 4 });
  });
});

describe('bad rows', () => {
  const mappingText = readFileSync(MAPPING, 'utf8');
  const good = readFileSync(EXPORT, 'utf8').split('\n')[0];
  const record = JSON.parse(good) as Record<string, unknown>;
  const line = (changes: Record<string, unknown>) => JSON.stringify({ ...record, ...changes });
  const lines = [
    good,
    line({ registratienummer: 'NL-X-2', status: 'FFT' }),
    line({ registratienummer: 'NL-X-3', geboortedatum: '31-02-1990', documenten: [{ nummer: 'A1', soort: 'PP', land: 'Nederland' }] }),
    '{"registratienummer": "NL-X-4", ',
    line({ registratienummer: 'NL-X-5', voornaam: '' }),
  ];

  async function run(partial: boolean) {
    const dir = mkdtempSync(join(folder, 'bad-'));
    const input = join(dir, 'bad.ndjson');
    writeFileSync(input, `${lines.join('\n')}\n`);
    const store = await openStore(join(dir, 'NL.db'), 'NL');
    try {
      const result = await importFile(store, { mapping: parseMapping(mappingText, MAPPING), input, partial, rejectFile: join(dir, 'rejected.ndjson') });
      const persons = (await store.db.selectFrom('persons').select('id').execute()).map((p) => p.id);
      return { result, persons, input, rejected: readFileSync(join(dir, 'rejected.ndjson'), 'utf8') };
    } finally {
      await store.close();
    }
  }

  it('reports every bad row as file:line: field: value; expected …, writes them to the reject file, and writes nothing (all or nothing)', async () => {
    const { result, persons, input, rejected } = await run(false);
    expect(result.problems).toEqual([
      `${input}:2: status: 'FFT'; expected one of FTF, VERD, TKR, VEROORD, CONT, AFG (codes at ${MAPPING}:14: record.status)`,
      `${input}:3: geboortedatum: '31-02-1990'; expected a date DD-MM-YYYY`,
      `${input}:4: line: '{"registratienummer": "NL-X-4", '; expected one JSON object per line`,
      `${input}:5: voornaam: missing; expected a given name`,
    ]);
    expect(result.committed).toBe(false);
    expect(result.inserted).toBe(0);
    expect(persons).toEqual([]);
    expect(rejected).toBe(`${[lines[1], lines[2], lines[3], lines[4]].join('\n')}\n`);
  });

  it('with partial, writes the good rows and rejects the bad ones', async () => {
    const { result, persons, rejected } = await run(true);
    expect(result).toMatchObject({ read: 5, inserted: 1, committed: true });
    expect(result.problems).toHaveLength(4);
    expect(persons).toEqual(['NL-CT-2024-0101']);
    expect(rejected.split('\n').filter(Boolean)).toHaveLength(4);
  });

  it('reports a bad value in a collection under its national field and position', async () => {
    const dir = mkdtempSync(join(folder, 'bad-doc-'));
    const input = join(dir, 'doc.ndjson');
    writeFileSync(input, `${line({ documenten: [{ nummer: 'A1', soort: 'PP', land: 'Nederland' }] })}\n`);
    const store = await openStore(join(dir, 'NL.db'), 'NL');
    try {
      const result = await importFile(store, { mapping: parseMapping(mappingText, MAPPING), input });
      expect(result.problems).toEqual([`${input}:1: documenten[0].land: 'Nederland'; expected a country code of two capital letters`]);
    } finally {
      await store.close();
    }
  });
});

describe('CSV exports', () => {
  it('reads nested collections from numbered columns and lists split on a separator', async () => {
    const dir = mkdtempSync(join(folder, 'csv-'));
    const mapping = join(dir, 'mapping.yaml');
    writeFileSync(
      mapping,
      [
        'format: csv',
        'csv: { delimiter: ";" }',
        'dates: { day: DD-MM-YYYY }',
        'record:',
        '  id: nr',
        '  givenName: voornaam',
        '  familyName: achternaam',
        '  dateOfBirth: geboren',
        '  status: { field: status, codes: { VERD: SUSPECT } }',
        '  aliases: { field: aliassen, split: "|" }',
        '  documents: { from: doc, number: nummer, kind: { field: soort, codes: { PP: PASSPORT } }, issuingState: land }',
        '',
      ].join('\n'),
    );
    const input = join(dir, 'export.csv');
    writeFileSync(
      input,
      [
        'nr;voornaam;achternaam;geboren;status;aliassen;doc.1.nummer;doc.1.soort;doc.1.land;doc.2.nummer;doc.2.soort;doc.2.land',
        'NL-C-1;Jan;"de Vries; jr.";01-02-1980;VERD;J. de V.|Jantje;NA123;PP;NL;;;',
        'NL-C-2;Piet;Bakker;;VERD;;NB1;PP;NL;NB2;PP;BE',
      ].join('\n'),
    );
    const store = await openStore(join(dir, 'NL.db'), 'NL');
    try {
      const result = await importFile(store, { mapping: loadMapping(mapping), input });
      expect(result).toMatchObject({ format: 'csv', read: 2, inserted: 2, problems: [] });
      expect(await store.db.selectFrom('persons').select(['id', 'family_name', 'date_of_birth']).orderBy('id').execute()).toEqual([
        { id: 'NL-C-1', family_name: 'de Vries; jr.', date_of_birth: '1980-02-01' },
        { id: 'NL-C-2', family_name: 'Bakker', date_of_birth: null },
      ]);
      expect(await store.db.selectFrom('person_aliases').select('alias').orderBy('position').execute()).toEqual([{ alias: 'J. de V.' }, { alias: 'Jantje' }]);
      expect(await store.db.selectFrom('identity_documents').select(['id', 'number', 'issuing_state']).orderBy('id').execute()).toEqual([
        { id: 'NL-C-1-D1', number: 'NA123', issuing_state: 'NL' },
        { id: 'NL-C-2-D1', number: 'NB1', issuing_state: 'NL' },
        { id: 'NL-C-2-D2', number: 'NB2', issuing_state: 'BE' },
      ]);
    } finally {
      await store.close();
    }
  });
});

describe('mapping file errors', () => {
  const error = (text: string) => {
    try {
      parseMapping(text, 'm.yaml');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message;
    }
    throw new Error('no error');
  };
  const base = 'record:\n  id: nr\n  givenName: vn\n  familyName: an\n';

  it('names file:line, the key and what to write', () => {
    expect(error(`${base}  status: { field: st, codes: { FTF: FOREIGN_FIGHTER } }\n`)).toBe(
      "m.yaml:5: record.status.codes.FTF: 'FOREIGN_FIGHTER' is not a value of the contract here; expected one of SUSPECT, FOREIGN_TERRORIST_FIGHTER, RETURNEE, CONVICTED, ASSOCIATE, CLOSED",
    );
    expect(error(base)).toBe('m.yaml:2: record: does not map status; add status: <national field>');
    expect(error(`${base}  status: st\n  geboortedatum: gd\n`)).toMatch(
      /^m\.yaml:6: record\.geboortedatum: unknown key; allowed here: id, givenName, familyName, dateOfBirth/,
    );
    expect(error(`dates: { day: DD/MM/YY }\n${base}  status: st\n`)).toBe(
      "m.yaml:1: dates.day: 'DD/MM/YY' is not a date pattern; expected YYYY, MM and DD (and hh, mm, ss for a time) with separators, e.g. DD-MM-YYYY",
    );
    expect(error(`${base}  status: st\n  documents: { from: docs, number: nr }\n`)).toBe(
      'm.yaml:6: record.documents: does not map kind; add kind: <national field>',
    );
  });
});

describe('hague import and hague audit export', () => {
  it('imports, syncs, refuses a bad batch with exit 1, and the audit export shows the import, the correction and the erasure', async () => {
    const dir = mkdtempSync(join(folder, 'cli-'));
    const base = ['import', '--state', 'NL', '--database', join(dir, 'NL.db'), '--mapping', MAPPING, '--keys-dir', join(dir, 'keys')];
    const first = await runCli([...base, '--input', EXPORT]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('8 read, 8 inserted, 0 changed, 0 unchanged, 0 erased, 0 rejected');
    const again = await runCli([...base, '--input', EXPORT]);
    expect(again.stdout).toContain('8 read, 0 inserted, 0 changed, 8 unchanged, 0 erased, 0 rejected');
    const sync = await runCli([...base, '--changes', CHANGES]);
    expect(sync.stdout).toContain('2 read, 0 inserted, 1 changed, 0 unchanged, 1 erased, 0 rejected');

    const bad = join(dir, 'bad.ndjson');
    writeFileSync(bad, `${readFileSync(EXPORT, 'utf8').split('\n')[0].replace('"FTF"', '"XYZ"')}\n`);
    const refused = await runCli([...base, '--input', bad, '--reject-file', join(dir, 'rejected.ndjson')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${bad}:1: status: 'XYZ'; expected one of FTF, VERD`);
    expect(refused.stdout).toContain('nothing imported from');
    expect(readFileSync(join(dir, 'rejected.ndjson'), 'utf8')).toContain('"XYZ"');

    const exported = await runCli(['audit', 'export', '--state', 'NL', '--data-dir', dir, '--keys-dir', join(dir, 'keys'), '--out', join(dir, 'audit.jsonl')]);
    expect(exported.code).toBe(0);
    const entries = readFileSync(join(dir, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; entry: Record<string, unknown> });
    expect(entries.map((e) => e.kind)).toEqual([...Array<string>(8).fill('record-insert'), 'record-change', 'record-erase']);
    expect(entries[8].entry).toMatchObject({ record: CORRECTED, fields: ['familyName', 'status', 'background'], import: { file: 'changes.ndjson' } });
    expect(entries[9].entry).toMatchObject({ record: ERASED, import: { file: 'changes.ndjson', sha256: sha256(CHANGES) } });
    const verified = await runCli(['audit', 'verify', '--state', 'NL', '--data-dir', dir, '--keys-dir', join(dir, 'keys')]);
    expect(verified.code).toBe(0);
    // The report for a data-protection officer lists the owner's changes apart from consultations.
    const report = await runCli(['audit', 'report', '--state', 'NL', '--data-dir', dir, '--keys-dir', join(dir, 'keys')]);
    expect(report.code).toBe(0);
    expect(report.stdout).toContain('record changes by the owner: 8 inserted, 1 changed, 1 erased');
    expect(report.stdout).toContain(`8 records inserted by nl-export.ndjson (sha256 ${sha256(EXPORT).slice(0, 12)})`);
    expect(report.stdout).toMatch(
      new RegExp(`changed ${CORRECTED}: familyName, status, background \\(changes\\.ndjson \\(sha256 ${sha256(CHANGES).slice(0, 12)}\\) line 1\\)`),
    );
    expect(report.stdout).toMatch(new RegExp(`erased ${ERASED} \\(changes\\.ndjson`));
    expect(report.stdout).toContain('0 partner states');
  }, 120_000);
});

describe('a joint query after the sync', () => {
  let network: TestNetwork;
  beforeAll(async () => {
    network = await startNetwork({ states: ['NL', 'BE'], data: { BE: [{ id: 'BE-1', givenName: 'Daan', familyName: 'Verhoeve' }] } });
    const store = network.members.get('NL')!.store;
    const mapping = loadMapping(MAPPING);
    expect((await importFile(store, { mapping, input: EXPORT })).inserted).toBe(8);
    expect((await importFile(store, { mapping, input: CHANGES, changes: true })).erased).toBe(1);
  });
  afterAll(async () => {
    await network?.close();
  });

  it('shows the corrected record and not the erased one', async () => {
    const byName = await network.query(`{ persons(filter: { name: "Verhoeve" }) { memberState id familyName status } }`);
    expect(byName.body.errors).toBeUndefined();
    const found = (byName.body.data.persons as Array<{ memberState: string; id: string; familyName: string; status: string }>).map(
      (p) => `${p.memberState} ${p.id} ${p.familyName} ${p.status}`,
    );
    expect(found.sort()).toEqual(['BE BE-1 Verhoeve SUSPECT', `NL ${CORRECTED} Verhoeve CONVICTED`]);
    const old = await network.query(`{ persons(filter: { name: "Ilse Jansen" }) { memberState id } }`);
    expect(old.body.data.persons).toEqual([]);
    const direct = await network.query(
      `{ erased: person(memberState: NL, id: "${ERASED}") { id } kept: person(memberState: NL, id: "NL-CT-2024-0101") { id familyName } }`,
    );
    expect(direct.body.data).toEqual({ erased: null, kept: { id: 'NL-CT-2024-0101', familyName: 'El Amrani' } });
  });
});

describe('importRecords, the core other importers use', () => {
  it('names the fields that changed in a record written before imports kept digests (seeded)', async () => {
    const store = await openStore(join(mkdtempSync(join(folder, 'seeded-')), 'NL.db'), 'NL');
    try {
      await store.db
        .insertInto('persons')
        .values({
          id: 'NL-P-0000001',
          given_name: 'Anna',
          family_name: 'Smit',
          date_of_birth: '1990-01-02',
          status: 'SUSPECT',
          contact_reference: 'NL-P-0000001',
          handling_code: 'H1',
          evaluation_source: 'B',
          evaluation_information: '2',
        })
        .execute();
      await store.db
        .insertInto('identity_documents')
        .values({ id: 'NL-D-0000001', person_id: 'NL-P-0000001', number: 'NS1', number_key: 'NS1', kind: 'PASSPORT', issuing_state: 'NL', valid_until: null })
        .execute();
      const record: ImportRecord = {
        id: 'NL-P-0000001',
        givenName: 'Anna',
        familyName: 'Smits',
        dateOfBirth: '1990-01-02',
        status: 'SUSPECT',
        handling: 'H1',
        evaluation: 'B2',
        documents: [{ id: 'NL-D-0000001', number: 'NS1', kind: 'PASSPORT', issuingState: 'NL' }],
      };
      const entries: Array<{ kind: string; entry: Record<string, unknown> }> = [];
      const audit = { appendMany: async (batch: typeof entries) => (entries.push(...batch), null) };
      const result = await importRecords(store, [record], { source: { operator: 'duty officer' }, audit });
      expect(result).toMatchObject({ changed: 1, committed: true });
      expect(entries).toEqual([{ kind: 'record-change', entry: { state: 'NL', record: 'NL-P-0000001', fields: ['familyName'], operator: 'duty officer' } }]);
      const again = await importRecords(store, [record], { source: { operator: 'duty officer' }, audit });
      expect(again).toMatchObject({ changed: 0, unchanged: 1 });
    } finally {
      await store.close();
    }
  });

  it('rejects a record whose affiliation names an organisation the member does not hold, without name and kind', async () => {
    const store = await openStore(join(mkdtempSync(join(folder, 'core-')), 'NL.db'), 'NL');
    try {
      const record: ImportRecord = {
        id: 'NL-Z-1',
        givenName: 'A',
        familyName: 'B',
        status: 'SUSPECT',
        affiliations: [{ organisation: { id: 'NL-ORG-NONE' } }],
      };
      const result = await importRecords(store, [record], { source: { operator: 'test' } });
      expect(result.committed).toBe(false);
      expect(result.rejected[0].problems).toEqual([
        {
          field: 'affiliations[0].organisation.id',
          value: 'NL-ORG-NONE',
          expected: 'expected an organisation the member holds, or its name and kind to create it',
          origin: undefined,
        },
      ]);
    } finally {
      await store.close();
    }
  });
});
