import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { parseReleasePolicy, type ReleasePolicy } from '../subgraphs/member/release-policy.ts';
import { addPeriod, defaultReviewDue, dueRecords, reviewToday } from '../subgraphs/member/review.ts';
import { openStore } from '../subgraphs/member/store.ts';
import { SHARED_SUBJECTS, seedMember } from '../subgraphs/member/seed.ts';
import { runCli, startNetwork, type TestNetwork, type TestPerson } from './support/network.ts';

const DAY = 86_400_000;
const today = reviewToday();
const daysFromToday = (days: number) => new Date(Date.parse(`${today}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);

describe('review: in the release policy', () => {
  const policy = (review: string) => parseReleasePolicy(`memberState: NL\ndefaultTier: HIT\nreview:\n${review}\n`, 'config/policies/NL.yaml', 'NL');

  it('reads review periods per status and the overdue mode', () => {
    const parsed = policy('  defaults: { FOREIGN_TERRORIST_FIGHTER: 3y, SUSPECT: 1y, CLOSED: 6m, ASSOCIATE: 90d }\n  overdue: hits-only');
    expect(parsed.review).toEqual({
      defaults: {
        FOREIGN_TERRORIST_FIGHTER: { count: 3, unit: 'y' },
        SUSPECT: { count: 1, unit: 'y' },
        CLOSED: { count: 6, unit: 'm' },
        ASSOCIATE: { count: 90, unit: 'd' },
      },
      overdue: 'hits-only',
    });
    expect(defaultReviewDue(parsed, 'SUSPECT', '2026-11-01')).toBe('2027-11-01');
    expect(defaultReviewDue(parsed, 'CLOSED', '2026-11-01')).toBe('2027-05-01');
    expect(defaultReviewDue(parsed, 'RETURNEE', '2026-11-01')).toBeNull();
    expect(addPeriod('2026-11-01', { count: 2, unit: 'w' })).toBe('2026-11-15');
    expect(policy('  overdue: withhold').review).toEqual({ defaults: {}, overdue: 'withhold' });
  });

  it('names the file, line and key of a bad review section', () => {
    expect(() => policy('  defaults: { SUSPECT: 1 year }')).toThrow(
      "config/policies/NL.yaml:4: review.defaults.SUSPECT: '1 year' is not a review period; expected a whole number of days, weeks, months or years",
    );
    expect(() => policy('  defaults:\n    WANTED: 1y')).toThrow(
      "config/policies/NL.yaml:5: review.defaults.WANTED: 'WANTED' is not a status; expected one of SUSPECT, FOREIGN_TERRORIST_FIGHTER",
    );
    expect(() => policy('  overdue: hide')).toThrow(
      "config/policies/NL.yaml:4: review.overdue: 'hide' is not what happens to overdue records; expected withhold",
    );
    expect(() => policy('  every: 1y')).toThrow('config/policies/NL.yaml:4: review.every: unknown key; allowed here: defaults, overdue');
  });
});

/**
 * NL withholds overdue records as hits only, BE withholds them whole; FR (no records) is the
 * partner asking. Each state holds an overdue record, one reviewed in time and one without a date.
 */
describe('review: what partners get of overdue records, through a real gateway', () => {
  let network: TestNetwork;
  const people = (state: string): TestPerson[] => [
    { id: `${state}-OVERDUE`, givenName: 'Karim', familyName: 'Revueltas', dateOfBirth: '1990-01-01', passport: `${state}1234567` },
    { id: `${state}-CURRENT`, givenName: 'Samir', familyName: 'Revueltas', dateOfBirth: '1991-02-02' },
    { id: `${state}-UNDATED`, givenName: 'Yusuf', familyName: 'Revueltas', dateOfBirth: '1992-03-03' },
  ];
  const policyOf = (state: 'NL' | 'BE', overdue: 'hits-only' | 'withhold'): ReleasePolicy => ({
    memberState: state,
    defaultTier: 'FULL',
    partners: {},
    fields: {},
    review: { defaults: {}, overdue },
    source: `test policy of ${state}`,
  });

  beforeAll(async () => {
    network = await startNetwork({
      states: ['NL', 'BE', 'FR'],
      data: { NL: people('NL'), BE: people('BE') },
      policies: { NL: policyOf('NL', 'hits-only'), BE: policyOf('BE', 'withhold') },
    });
    for (const state of ['NL', 'BE'] as const) {
      const { db } = network.members.get(state)!.store;
      await db
        .updateTable('persons')
        .set({ review_due: daysFromToday(-10) })
        .where('id', '=', `${state}-OVERDUE`)
        .execute();
      await db
        .updateTable('persons')
        .set({ review_due: daysFromToday(100) })
        .where('id', '=', `${state}-CURRENT`)
        .execute();
      // An affiliation of the overdue person: an organisation's member list must not show it to partners.
      await db
        .insertInto('organisations')
        .values({
          id: `${state}-O-1`,
          name: 'Katibat Revueltas',
          kind: 'TERRORIST',
          contact_unit: null,
          contact_email: null,
          contact_phone: null,
          contact_reference: 'R',
        })
        .execute();
      await db
        .insertInto('affiliations')
        .values([
          { id: `${state}-A-1`, person_id: `${state}-OVERDUE`, organisation_id: `${state}-O-1`, role: 'member', since: null },
          { id: `${state}-A-2`, person_id: `${state}-CURRENT`, organisation_id: `${state}-O-1`, role: 'member', since: null },
        ])
        .execute();
    }
  }, 60_000);
  afterAll(async () => {
    await network?.close();
  });

  const asFr = () => network.as({ state: 'FR', roles: ['analyst'], clearance: 'SECRET', scopes: ['financial:read'] });
  const asOwn = (state: 'NL' | 'BE') => network.as({ state, roles: ['analyst'], clearance: 'SECRET', scopes: ['financial:read'] });
  const SEARCH = `query($f: PersonFilter!) { persons(filter: $f, memberStates: [NL, BE]) { memberState id familyName documents { number } matchKeys { kind } } }`;
  const ids = (answer: { body: { data?: { persons?: Array<{ id: string }> } } }) => (answer.body.data?.persons ?? []).map((p) => p.id).sort();

  it('withhold: a partner searching by name gets the other records, never the overdue one, and its counts say so', async () => {
    const answer = await network.query(SEARCH, { f: { name: 'Revueltas' } }, await asFr());
    expect(answer.status).toBe(200);
    const be = ids(answer).filter((id) => id.startsWith('BE-'));
    expect(be).toEqual(['BE-CURRENT', 'BE-UNDATED']);
    expect((answer.body as { extensions?: { hague: { states: Record<string, unknown> } } }).extensions?.hague.states.BE).toEqual({
      persons: { returned: 2, more: false },
    });
    // No error of BE's tells that something was kept back.
    expect((answer.body.errors ?? []).filter((e) => e.extensions?.memberState === 'BE')).toEqual([]);
  });

  it('withhold: a lookup by id, a document search and an organisation member list answer as if it were absent', async () => {
    const headers = await asFr();
    const byId = await network.query(`{ person(memberState: BE, id: "BE-OVERDUE") { id familyName } }`, undefined, headers);
    expect(byId.body.data).toEqual({ person: null });
    expect(byId.body.errors).toBeUndefined();
    const byDocument = await network.query(SEARCH, { f: { documentNumber: 'BE1234567' } }, headers);
    expect(ids(byDocument)).toEqual([]);
    const members = await network.query(
      `{ organisations(filter: { kind: TERRORIST }, memberStates: [BE]) { id members { role person { id } } } }`,
      undefined,
      headers,
    );
    expect(members.body.data.organisations).toEqual([{ id: 'BE-O-1', members: [{ role: 'member', person: { id: 'BE-CURRENT' } }] }]);
  });

  it("withhold: BE's own callers still get the overdue record whole", async () => {
    const answer = await network.query(SEARCH, { f: { name: 'Revueltas' } }, await asOwn('BE'));
    const overdue = answer.body.data.persons.find((p: { id: string }) => p.id === 'BE-OVERDUE');
    expect(overdue).toMatchObject({ memberState: 'BE', familyName: 'Revueltas', documents: [{ number: 'BE1234567' }] });
    const byId = await network.query(`{ person(memberState: BE, id: "BE-OVERDUE") { id familyName } }`, undefined, await asOwn('BE'));
    expect(byId.body.data).toEqual({ person: { id: 'BE-OVERDUE', familyName: 'Revueltas' } });
  });

  it('hits-only: a HIT-tier search finds the overdue record with its HIT fields only, each other field NOT_RELEASED "under review"', async () => {
    const answer = await network.query(SEARCH, { f: { name: 'Karim Revueltas', dateOfBirth: '1990-01-01' } }, await asFr());
    const nl = answer.body.data.persons.filter((p: { memberState: string }) => p.memberState === 'NL');
    expect(nl).toEqual([{ memberState: 'NL', id: 'NL-OVERDUE', familyName: null, documents: null, matchKeys: [] }]);
    const errors = (answer.body.errors ?? []).filter((e) => e.extensions?.memberState === 'NL');
    expect(errors.map((e) => e.extensions?.field).sort()).toEqual(['Person.documents', 'Person.familyName']);
    for (const error of errors) {
      expect(error.extensions?.code).toBe('NOT_RELEASED');
      expect(error.message).toContain('NL holds this record under review');
    }
  });

  it('hits-only: a search beyond what a HIT-tier partner may ask (name alone) leaves the overdue record out', async () => {
    const answer = await network.query(SEARCH, { f: { name: 'Revueltas' } }, await asFr());
    expect(ids(answer).filter((id) => id.startsWith('NL-'))).toEqual(['NL-CURRENT', 'NL-UNDATED']);
    // The records reviewed in time come whole.
    const current = answer.body.data.persons.find((p: { id: string }) => p.id === 'NL-CURRENT');
    expect(current.familyName).toBe('Revueltas');
    expect((answer.body.errors ?? []).filter((e) => e.extensions?.memberState === 'NL')).toEqual([]);
  });

  it("hits-only: NL's own callers still get the overdue record whole", async () => {
    const answer = await network.query(SEARCH, { f: { name: 'Karim Revueltas', dateOfBirth: '1990-01-01' } }, await asOwn('NL'));
    const nl = answer.body.data.persons.filter((p: { memberState: string }) => p.memberState === 'NL');
    expect(nl).toEqual([{ memberState: 'NL', id: 'NL-OVERDUE', familyName: 'Revueltas', documents: [{ number: 'NL1234567' }], matchKeys: expect.any(Array) }]);
    expect((answer.body.errors ?? []).filter((e) => e.extensions?.memberState === 'NL')).toEqual([]);
  });

  it('a review moves the record out of both rules', async () => {
    const { db } = network.members.get('BE')!.store;
    await db
      .updateTable('persons')
      .set({ review_due: daysFromToday(365) })
      .where('id', '=', 'BE-OVERDUE')
      .execute();
    try {
      const byId = await network.query(`{ person(memberState: BE, id: "BE-OVERDUE") { id familyName } }`, undefined, await asFr());
      expect(byId.body.data).toEqual({ person: { id: 'BE-OVERDUE', familyName: 'Revueltas' } });
    } finally {
      await db
        .updateTable('persons')
        .set({ review_due: daysFromToday(-10) })
        .where('id', '=', 'BE-OVERDUE')
        .execute();
    }
  });
});

describe('review: seeded demo data and hague review', () => {
  const folder = mkdtempSync(join(tmpdir(), 'hague-review-'));
  const database = join(folder, 'nl.db');
  const asOf = '2026-11-01';
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('hague seed gives every person a review date on the demo clock, a few overdue, never the shared cast', async () => {
    const store = await openStore(database, 'NL');
    try {
      await seedMember(store, { persons: 400, asOf });
      const rows = await store.db.selectFrom('persons').select(['id', 'review_due']).execute();
      expect(rows.every((r) => typeof r.review_due === 'string')).toBe(true);
      const overdue = rows.filter((r) => r.review_due! < asOf);
      expect(overdue.length).toBeGreaterThanOrEqual(4);
      expect(overdue.length).toBeLessThanOrEqual(30);
      const cast = new Set(SHARED_SUBJECTS.filter((s) => s.records.NL).map((_s, i) => `NL-P-${String(i + 1).padStart(6, '0')}`));
      expect(overdue.filter((r) => cast.has(r.id))).toEqual([]);
      const due = await dueRecords(store, asOf);
      expect(due.length).toBeGreaterThanOrEqual(overdue.length);
      expect(due[0].daysOverdue).toBeGreaterThan(0);
      expect(due.map((d) => d.reviewDue)).toEqual([...due.map((d) => d.reviewDue)].sort());
    } finally {
      await store.close();
    }
  }, 60_000);

  it('hague review lists what is due as a table and as JSON, and says so when nothing is', async () => {
    const table = await runCli(['review', '--state', 'NL', '--database', database, '--as-of', asOf]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NL: \d+ records due for review on or before 2026-11-01 \(\d+ overdue\):\nid +name +status +review date +days overdue\n/);
    expect(table.stdout).toMatch(/NL-P-\d{6} .* (SUSPECT|FOREIGN_TERRORIST_FIGHTER|RETURNEE|CONVICTED|ASSOCIATE|CLOSED) +20\d\d-\d\d-\d\d +\d+\n/);
    const json = await runCli(['review', '--state', 'NL', '--database', database, '--as-of', asOf, '--format', 'json']);
    const due = JSON.parse(json.stdout) as Array<{ id: string; name: string; status: string; reviewDue: string; daysOverdue: number }>;
    expect(due.length).toBeGreaterThan(0);
    expect(Object.keys(due[0]).sort()).toEqual(['daysOverdue', 'id', 'name', 'reviewDue', 'status']);
    const none = await runCli(['review', '--state', 'NL', '--database', database, '--as-of', '2020-01-01']);
    expect(none).toMatchObject({ code: 0, stdout: 'NL: no record is due for review on or before 2020-01-01.\n' });
    const bad = await runCli(['review', '--state', 'NL', '--database', database, '--as-of', '2026-13-01']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--as-of '2026-13-01' is not a date YYYY-MM-DD");
  }, 60_000);

  it('hague review --mark-reviewed sets the next date and appends a review entry to the audit chain', async () => {
    const before = JSON.parse((await runCli(['review', '--state', 'NL', '--database', database, '--as-of', asOf, '--format', 'json'])).stdout) as Array<{
      id: string;
      reviewDue: string;
    }>;
    const target = before[0];
    const audit = join(folder, 'NL.audit.db');
    const marked = await runCli([
      'review',
      '--state',
      'NL',
      '--database',
      database,
      '--mark-reviewed',
      target.id,
      '--next',
      '2027-11-01',
      '--audit',
      audit,
      '--keys-dir',
      join(folder, 'keys'),
      '--operator',
      'reviewer-7',
    ]);
    expect(marked.stderr).toBe('');
    expect(marked.stdout).toContain(`NL ${target.id} reviewed: next review 2027-11-01 (was ${target.reviewDue}); audit entry appended to`);
    const after = JSON.parse((await runCli(['review', '--state', 'NL', '--database', database, '--as-of', asOf, '--format', 'json'])).stdout) as Array<{
      id: string;
    }>;
    expect(after.map((d) => d.id)).not.toContain(target.id);
    expect(after.length).toBe(before.length - 1);
    const log = new SQLite(audit, { readonly: true });
    try {
      const entries = log.prepare("select kind, entry from entries where kind = 'review'").all() as Array<{ kind: string; entry: string }>;
      expect(entries.map((e) => JSON.parse(e.entry))).toEqual([
        expect.objectContaining({
          memberState: 'NL',
          record: { type: 'Person', id: target.id },
          previousReviewDue: target.reviewDue,
          nextReviewDue: '2027-11-01',
          operator: 'reviewer-7',
        }),
      ]);
    } finally {
      log.close();
    }
    const unknown = await runCli(['review', '--state', 'NL', '--database', database, '--mark-reviewed', 'NL-P-999999', '--next', '2027-11-01']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--mark-reviewed: NL holds no person record NL-P-999999');
    const noNext = await runCli(['review', '--state', 'NL', '--database', database, '--mark-reviewed', target.id]);
    expect(noNext.code).toBe(2);
    expect(noNext.stderr).toContain('--mark-reviewed needs --next');
  }, 90_000);
});

describe('review: hague import gives records without a review date the policy default for their status', () => {
  const folder = mkdtempSync(join(tmpdir(), 'hague-review-import-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('dates the fictitious national export by status, and a second import keeps the dates', async () => {
    const policies = join(folder, 'policies');
    mkdirSync(policies);
    writeFileSync(
      join(policies, 'NL.yaml'),
      'memberState: NL\ndefaultTier: HIT\nreview:\n  defaults: { FOREIGN_TERRORIST_FIGHTER: 3y, SUSPECT: 1y, RETURNEE: 2y }\n',
    );
    const database = join(folder, 'nl.db');
    const args = ['import', '--state', 'NL', '--database', database, '--mapping', 'examples/national-export/mapping.yaml'];
    const more = ['--input', 'examples/national-export/nl-export.ndjson', '--keys-dir', join(folder, 'keys'), '--policies', policies];
    const first = await runCli([...args, ...more]);
    expect(first.stderr).toBe('');
    const store = await openStore(database, 'NL');
    try {
      const rows = await store.db.selectFrom('persons').select(['id', 'status', 'review_due']).orderBy('id').execute();
      const periods: Record<string, { count: number; unit: 'y' }> = {
        FOREIGN_TERRORIST_FIGHTER: { count: 3, unit: 'y' },
        SUSPECT: { count: 1, unit: 'y' },
        RETURNEE: { count: 2, unit: 'y' },
      };
      // Three records carry the national system's own review date (herbeoordeling, mapped to reviewDue); the rest get the policy's.
      const fromExport: Record<string, string> = { 'NL-CT-2024-0101': '2026-06-01', 'NL-CT-2024-0102': '2028-01-15', 'NL-CT-2024-0103': '2026-09-30' };
      expect(rows.length).toBeGreaterThan(4);
      for (const row of rows) expect(row.review_due).toBe(fromExport[row.id] ?? (periods[row.status] ? addPeriod(today, periods[row.status]) : null));
      const dated = rows.filter((r) => r.review_due !== null && !fromExport[r.id]).length;
      expect(dated).toBeGreaterThan(0);
      expect(first.stdout).toContain(`review dates: ${dated} record(s) without one got the review.defaults of ${join(policies, 'NL.yaml')}`);
      // A review recorded here: kept through the next import for a record the export gives no date; the export's own date wins for one it dates.
      const local = rows.find((r) => !fromExport[r.id] && r.review_due !== null)!;
      await store.db.updateTable('persons').set({ review_due: '2030-01-01' }).where('id', 'in', [local.id, 'NL-CT-2024-0101']).execute();
    } finally {
      await store.close();
    }
    const second = await runCli([...args, ...more]);
    expect(second.stdout).toContain('review dates: 0 record(s) without one got');
    const again = await openStore(database, 'NL');
    try {
      const kept = await again.db.selectFrom('persons').select(['id', 'review_due']).where('review_due', '=', '2030-01-01').execute();
      expect(kept).toHaveLength(1);
      expect(kept[0].id).not.toBe('NL-CT-2024-0101');
      const dated = await again.db.selectFrom('persons').select('review_due').where('id', '=', 'NL-CT-2024-0101').executeTakeFirstOrThrow();
      expect(dated.review_due).toBe('2026-06-01');
    } finally {
      await again.close();
    }
  }, 90_000);
});

describe('review: migrations 0008 and 0009 in either order', () => {
  it('opens a database that took 0009 before 0008 existed, and adds 0008', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'hague-migrations-'));
    try {
      const database = join(folder, 'nl.db');
      await (await openStore(database, 'NL')).close();
      // As a database migrated between the two commits: 0009 applied, 0008 not.
      const raw = new SQLite(database);
      raw.prepare("delete from kysely_migration where name = '0008-import-digests'").run();
      raw.prepare('alter table persons drop column record_digest').run();
      raw.close();
      const store = await openStore(database, 'NL');
      try {
        const names = (await store.db
          .selectFrom('kysely_migration' as never)
          .select('name' as never)
          .execute()) as Array<{ name: string }>;
        expect(names.map((n) => n.name)).toContain('0008-import-digests');
        await store.db
          .insertInto('persons')
          .values({ id: 'P1', given_name: 'A', family_name: 'B', status: 'SUSPECT', contact_reference: 'R', record_digest: 'x', review_due: '2027-01-01' })
          .execute();
      } finally {
        await store.close();
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
