import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAuditLog } from '../common/audit-log.ts';
import { ensureKeyPair } from '../common/dev-keys.ts';
import { runCli } from './support/network.ts';

/**
 * `hague audit report` over a real NL audit log (common/audit-log.ts, signed with a dev key): the
 * requests grouped by partner state and subject, and the flagged patterns (a name searched six
 * times with varying dates of birth, a caller refused by budget and profile again and again).
 */

const folder = mkdtempSync(join(tmpdir(), 'hague-audit-report-'));
const dataDir = join(folder, 'data');
const keysDir = join(folder, 'keys');
const dev = ['--data-dir', dataDir, '--keys-dir', keysDir];

const be = { state: 'BE', agency: 'VSSE', subject: 'be-analyst-1', roles: ['analyst'], clearance: 'SECRET' };
const beProbe = { state: 'BE', agency: 'VSSE', subject: 'be-analyst-2', roles: ['analyst'], clearance: 'CONFIDENTIAL' };
const fr = { state: 'FR', agency: 'DGSI', subject: 'fr-officer-7', roles: ['analyst'], clearance: 'SECRET' };
const op = (name: string) => ({ name, digest: 'd'.repeat(64) });
const at = (minute: number) => `2026-03-02T09:${String(minute).padStart(2, '0')}:00.000Z`;

const person = (id: string, released: string[], withheld: Array<{ field: string; code: string; reason: string }> = []) => ({
  type: 'Person',
  id,
  tier: 'FULL',
  released,
  withheld,
  hitOnly: false,
});

const entries: Array<[string, Record<string, unknown>]> = [
  [
    'answered',
    {
      requestId: 'req-01',
      at: at(0),
      caller: be,
      purpose: 'counter-terrorism',
      caseReference: 'BE-CT-2026-014',
      operation: op('FindPerson'),
      criteria: [{ field: 'persons', args: { filter: { name: 'Jan de Vries', dateOfBirth: '1984-05-12' } } }],
      records: [
        person('NL-P-000001', ['Person.dateOfBirth', 'Person.name'], [{ field: 'Person.address', code: 'NOT_RELEASED', reason: 'not released to BE' }]),
      ],
      outcome: 'answered',
    },
  ],
  // the probing sequence: one name (spelled three ways), six searches, four dates of birth
  ...['1980-01-01', '1981-01-01', '1982-01-01', '1983-01-01', '1980-01-01', '1981-01-01'].map((dateOfBirth, i): [string, Record<string, unknown>] => [
    'answered',
    {
      requestId: `req-p${i + 1}`,
      at: at(10 + i),
      caller: beProbe,
      purpose: 'organised-crime',
      caseReference: null,
      operation: op('Search'),
      criteria: [{ field: 'persons', args: { filter: { name: ['Ana Müller', 'ana muller', 'MÜLLER Ana'][i % 3], dateOfBirth } } }],
      records: [],
      outcome: 'answered',
    },
  ]),
  // refused by the search profile, then by the budget twice
  [
    'refused',
    {
      requestId: 'req-f1',
      at: at(20),
      caller: fr,
      purpose: 'border-security',
      caseReference: 'FR-BS-9',
      operation: op('ByDocument'),
      criteria: [
        {
          field: 'persons',
          args: { filter: { documentNumber: 'X1' } },
          refused: { code: 'NOT_RELEASED', reason: 'search by documentNumber not released to FR' },
        },
      ],
      records: [],
      outcome: 'refused',
      code: 'NOT_RELEASED',
      reason: 'search by documentNumber not released to FR',
    },
  ],
  ...[21, 22].map((minute, i): [string, Record<string, unknown>] => [
    'refused',
    {
      requestId: `req-f${i + 2}`,
      at: at(minute),
      caller: fr,
      purpose: 'border-security',
      caseReference: 'FR-BS-9',
      operation: op('Search'),
      criteria: [{ field: 'persons', args: { filter: { name: 'Jean Dupont' } } }],
      records: [],
      outcome: 'refused',
      code: 'RATE_LIMITED',
      reason: 'NL allows FR callers (FULL tier) 2 searches per 1m',
    },
  ]),
];

beforeAll(async () => {
  mkdirSync(dataDir, { recursive: true });
  const { privateJwk } = await ensureKeyPair(keysDir, 'audit-NL');
  const log = await openAuditLog(join(dataDir, 'NL.audit.db'), { owner: 'NL', signingKey: privateJwk, checkpointEvery: 5 });
  for (const [kind, entry] of entries) await log.append(kind, entry);
  await log.close();
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const EXPECTED = `
window: the whole log; 10 entries from 2 partner states

BE: 7 requests, 0 refused, 1 record released, 2 subjects
  VSSE/be-analyst-1 (analyst; SECRET)
    2026-03-02T09:00:00.000Z req-01 FindPerson [counter-terrorism, case BE-CT-2026-014]: answered
      persons(dateOfBirth: "1984-05-12", name: "Jan de Vries")
      Person NL-P-000001 tier FULL
        released: Person.dateOfBirth, Person.name
        withheld: Person.address (NOT_RELEASED)
  VSSE/be-analyst-2 (analyst; CONFIDENTIAL)
    2026-03-02T09:10:00.000Z req-p1 Search [organised-crime, no case]: answered
      persons(dateOfBirth: "1980-01-01", name: "Ana Müller")
    2026-03-02T09:11:00.000Z req-p2 Search [organised-crime, no case]: answered
      persons(dateOfBirth: "1981-01-01", name: "ana muller")
    2026-03-02T09:12:00.000Z req-p3 Search [organised-crime, no case]: answered
      persons(dateOfBirth: "1982-01-01", name: "MÜLLER Ana")
    2026-03-02T09:13:00.000Z req-p4 Search [organised-crime, no case]: answered
      persons(dateOfBirth: "1983-01-01", name: "Ana Müller")
    2026-03-02T09:14:00.000Z req-p5 Search [organised-crime, no case]: answered
      persons(dateOfBirth: "1980-01-01", name: "ana muller")
    2026-03-02T09:15:00.000Z req-p6 Search [organised-crime, no case]: answered
      persons(dateOfBirth: "1981-01-01", name: "MÜLLER Ana")

FR: 3 requests, 3 refused, 0 records released, 1 subject
  DGSI/fr-officer-7 (analyst; SECRET)
    2026-03-02T09:20:00.000Z req-f1 ByDocument [border-security, case FR-BS-9]: refused NOT_RELEASED
      persons(documentNumber: "X1") refused NOT_RELEASED
      reason: search by documentNumber not released to FR
    2026-03-02T09:21:00.000Z req-f2 Search [border-security, case FR-BS-9]: refused RATE_LIMITED
      persons(name: "Jean Dupont")
      reason: NL allows FR callers (FULL tier) 2 searches per 1m
    2026-03-02T09:22:00.000Z req-f3 Search [border-security, case FR-BS-9]: refused RATE_LIMITED
      persons(name: "Jean Dupont")
      reason: NL allows FR callers (FULL tier) 2 searches per 1m

flags: 2
  PROBING BE VSSE/be-analyst-2: 6 searches for the name "ana muller" with 4 distinct combinations of dateOfBirth, 2026-03-02T09:10:00.000Z to 2026-03-02T09:15:00.000Z (requests req-p1, req-p2, req-p3, req-p4, req-p5, req-p6)
  REPEATED REFUSALS FR DGSI/fr-officer-7: 3 refused (2 by search budget, 1 by search profile), 2026-03-02T09:20:00.000Z to 2026-03-02T09:22:00.000Z (requests req-f1, req-f2, req-f3)
`;

describe('hague audit report', () => {
  it('groups the requests by partner state and subject, and flags the probing and the repeated refusals', async () => {
    const result = await runCli(['audit', 'report', '--state', 'NL', ...dev]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [heading, ...rest] = result.stdout.split('\n');
    expect(heading).toBe(`audit log ${join(dataDir, 'NL.audit.db')} (NL): 10 entries, chain intact; last signed checkpoint: entry 10`);
    expect(`\n${rest.join('\n')}`).toBe(EXPECTED);
  });

  it('--json: the same report for machines', async () => {
    const result = await runCli(['audit', 'report', '--state', 'NL', '--json', ...dev]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      owner: string;
      log: { entries: number; unsignedTail: number };
      states: Array<{ state: string; requests: number; refused: number; subjects: Array<{ subject: string; requests: Array<{ requestId: string }> }> }>;
      flags: Array<Record<string, unknown>>;
    };
    expect(report.owner).toBe('NL');
    expect(report.log).toMatchObject({ entries: 10, unsignedTail: 0 });
    expect(report.states.map((s) => [s.state, s.requests, s.refused, s.subjects.map((x) => x.subject)])).toEqual([
      ['BE', 7, 0, ['be-analyst-1', 'be-analyst-2']],
      ['FR', 3, 3, ['fr-officer-7']],
    ]);
    expect(report.flags).toEqual([
      {
        kind: 'probing',
        state: 'BE',
        agency: 'VSSE',
        subject: 'be-analyst-2',
        name: 'ana muller',
        searches: 6,
        variants: 4,
        varied: ['dateOfBirth'],
        from: at(10),
        to: at(15),
        requestIds: ['req-p1', 'req-p2', 'req-p3', 'req-p4', 'req-p5', 'req-p6'],
      },
      {
        kind: 'repeated-refusals',
        state: 'FR',
        agency: 'DGSI',
        subject: 'fr-officer-7',
        refusals: 3,
        budget: 2,
        profile: 1,
        from: at(20),
        to: at(22),
        requestIds: ['req-f1', 'req-f2', 'req-f3'],
      },
    ]);
  });

  it('--since in the future leaves nothing in the window, and nothing flagged', async () => {
    const result = await runCli(['audit', 'report', '--state', 'NL', '--since', '2999-01-01T00:00:00Z', ...dev]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/window: 2999-01-01T00:00:00\.000Z to now; 0 entries from 0 partner states\n\nflags: none\n$/);
  });

  it('refuses a log that does not verify (exit 1, no report)', async () => {
    const { privateJwk } = await ensureKeyPair(keysDir, 'audit-BE');
    const location = join(dataDir, 'BE.audit.db');
    const log = await openAuditLog(location, { owner: 'BE', signingKey: privateJwk });
    for (const [kind, entry] of entries.slice(0, 3)) await log.append(kind, entry);
    await log.close();
    const db = new SQLite(location);
    // the insert-only triggers first, as anyone who can write the file can drop them
    for (const name of db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all() as string[]) db.exec(`DROP TRIGGER ${name}`);
    db.exec(`UPDATE entries SET entry = '{"requestId":"req-x"}' WHERE seq = 2`);
    db.close();
    const result = await runCli(['audit', 'report', '--state', 'BE', ...dev]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^hague: no report: audit log \S+BE\.audit\.db does not verify: entry 2: hash does not match its content \(altered\?\)\n$/);
  });
});
