import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { EU_SANCTIONS_LIST } from '../subgraphs/member/import/eu-sanctions.ts';
import { openStore } from '../subgraphs/member/store.ts';
import { addPeriod, reviewToday } from '../subgraphs/member/review.ts';
import { runCli } from './support/network.ts';
import { ENTERPRISE, PERSONS, TAQA, entity, exportXml } from './support/eu-sanctions-xml.ts';

const folder = mkdtempSync(join(tmpdir(), 'hague-eu-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('hague import-eu-sanctions into a real store', () => {
  const database = join(folder, 'nl.db');
  const file = join(folder, 'eu-fsf.xml');
  writeFileSync(file, exportXml([...PERSONS.map((p) => entity(p)), ENTERPRISE]));
  // NL's policy gives suspects a review date a year on (the list carries none).
  const policies = join(folder, 'policies');
  mkdirSync(policies);
  writeFileSync(join(policies, 'NL.yaml'), 'memberState: NL\ndefaultTier: HIT\nreview:\n  defaults: { SUSPECT: 1y }\n');

  it('imports the persons with their listing and freeze, skips the enterprise, and a re-import changes nothing', async () => {
    const audit = join(folder, 'NL.audit.db');
    const first = await runCli([
      'import-eu-sanctions',
      file,
      ...['--state', 'NL', '--database', database, '--audit', audit, '--keys-dir', join(folder, 'keys'), '--policies', policies],
    ]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('NL: EU financial sanctions list of 2026-11-01T09:00:00.000+01:00 from');
    expect(first.stdout).toContain('3 persons read: 3 inserted, 0 changed, 0 unchanged');
    expect(first.stdout).toContain('skipped (not persons): 1 enterprise');
    expect(first.stdout).toContain(`review dates: 3 set to 1y from today (review.defaults.SUSPECT of ${join(policies, 'NL.yaml')})`);

    const store = await openStore(database, 'NL');
    try {
      const reviews = await store.db.selectFrom('persons').select('review_due').execute();
      expect(reviews.map((r) => r.review_due)).toEqual(Array(3).fill(addPeriod(reviewToday(), { count: 1, unit: 'y' })));
      const persons = await store.db
        .selectFrom('persons')
        .select(['id', 'given_name', 'family_name', 'date_of_birth', 'contact_reference'])
        .orderBy('id')
        .execute();
      expect(persons).toEqual([
        { id: 'EU-13001', given_name: 'Tariq', family_name: 'Al-Marwani', date_of_birth: '1984-06-02', contact_reference: 'EU EU.901.12' },
        { id: 'EU-13002', given_name: 'Omar Haddouchi', family_name: 'Benali', date_of_birth: null, contact_reference: 'EU EU.902.55' },
        { id: 'EU-13003', given_name: 'Leila Samira', family_name: 'Qasimi', date_of_birth: null, contact_reference: 'EU logicalId 13003' },
      ]);
      const listings = await store.db.selectFrom('watchlist_listings').select(['person_id', 'list', 'listed_since']).orderBy('person_id').execute();
      expect(listings).toEqual([
        { person_id: 'EU-13001', list: EU_SANCTIONS_LIST, listed_since: '2019-03-11' },
        { person_id: 'EU-13002', list: EU_SANCTIONS_LIST, listed_since: '2002-05-29' },
        { person_id: 'EU-13003', list: EU_SANCTIONS_LIST, listed_since: '2021-07-20' },
      ]);
      const freezes = await store.db.selectFrom('financial_measures').select(['person_id', 'kind', 'legal_basis']).orderBy('person_id').execute();
      expect(freezes.map((f) => [f.person_id, f.kind, f.legal_basis])).toEqual([
        ['EU-13001', 'ASSET_FREEZE', '881/2002 (OJ L139)'],
        ['EU-13002', 'ASSET_FREEZE', '881/2002 (OJ L139)'],
        ['EU-13003', 'ASSET_FREEZE', '2021/1190 (OJ L258)'],
      ]);
      const documents = await store.db.selectFrom('identity_documents').select(['person_id', 'number', 'kind', 'issuing_state']).orderBy('id').execute();
      expect(documents).toEqual([
        { person_id: 'EU-13001', number: 'Z 1234567', kind: 'PASSPORT', issuing_state: 'TN' },
        { person_id: 'EU-13001', number: '09876543', kind: 'IDENTITY_CARD', issuing_state: 'TN' },
        { person_id: 'EU-13002', number: 'MA4455667', kind: 'PASSPORT', issuing_state: 'MA' },
      ]);
      const aliases = await store.db.selectFrom('person_aliases').select(['person_id', 'alias']).orderBy('person_id').orderBy('position').execute();
      expect(aliases).toEqual([
        { person_id: 'EU-13001', alias: 'Tarek Marouani' },
        { person_id: 'EU-13001', alias: 'Abu Hafs al-Tunisi' },
      ]);
    } finally {
      await store.close();
    }

    const again = await runCli([
      'import-eu-sanctions',
      file,
      ...['--state', 'NL', '--database', database, '--audit', audit, '--keys-dir', join(folder, 'keys'), '--policies', policies],
    ]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('3 persons read: 0 inserted, 0 changed, 3 unchanged');
    expect(again.stdout).toContain('review dates: 0 set to 1y');
    // The owner's audit chain holds the three inserts, and nothing of the re-import.
    const log = new SQLite(audit, { readonly: true });
    try {
      const kinds = log.prepare('select kind, entry from entries order by seq').all() as Array<{ kind: string; entry: string }>;
      expect(kinds.map((k) => k.kind)).toEqual(['record-insert', 'record-insert', 'record-insert']);
      expect(kinds.map((k) => JSON.stringify(JSON.parse(k.entry)))).toEqual([
        expect.stringContaining('EU-13001'),
        expect.stringContaining('EU-13002'),
        expect.stringContaining('EU-13003'),
      ]);
    } finally {
      log.close();
    }
  }, 60_000);

  it('hague import --eu-sanctions does the same, without a mapping', async () => {
    const other = join(folder, 'other.db');
    const result = await runCli(['import', '--eu-sanctions', file, '--state', 'NL', '--database', other, '--policies', policies]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('3 persons read: 3 inserted, 0 changed, 0 unchanged');
    const store = await openStore(other, 'NL');
    try {
      expect((await store.db.selectFrom('persons').select('id').orderBy('id').execute()).map((p) => p.id)).toEqual(['EU-13001', 'EU-13002', 'EU-13003']);
    } finally {
      await store.close();
    }
    const mixed = await runCli(['import', '--eu-sanctions', file, '--mapping', 'examples/national-export/mapping.yaml', '--state', 'NL', '--database', other]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('--eu-sanctions is a file of its own: give it without --input, --changes or --mapping');
  }, 60_000);

  it('stops at a malformed entry with its line and logicalId, and writes nothing', async () => {
    const broken = join(folder, 'broken.xml');
    const xml = exportXml([
      entity({ ...PERSONS[0], logicalId: '14001' }),
      entity({ logicalId: '14002', designationDate: '2020-01-01', names: [], regulations: [TAQA] }),
    ]);
    writeFileSync(broken, xml);
    const fresh = join(folder, 'fresh.db');
    const result = await runCli(['import-eu-sanctions', broken, '--state', 'NL', '--database', fresh]);
    expect(result.code).toBe(1);
    const line = xml.split('\n').findIndex((l) => l.includes('logicalId="14002"')) + 1;
    expect(result.stderr).toContain(`${broken}:${line}: sanctionEntity logicalId=14002: nameAlias: null; expected at least one name`);
    expect(result.stderr).toContain('nothing was written.');
    const store = await openStore(fresh, 'NL');
    try {
      expect(await store.db.selectFrom('persons').select('id').execute()).toEqual([]);
    } finally {
      await store.close();
    }
  }, 60_000);
});
