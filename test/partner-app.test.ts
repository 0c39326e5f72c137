import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadUrl, startBrokenPeer, startNetwork, type TestNetwork } from './support/network.ts';
import { seedMember } from '../subgraphs/member/seed.ts';
import { runPartnerApp, type PartnerAppOptions } from '../examples/partner-app/app.ts';
import { formatReport, type Report, type TravellerCheck } from '../examples/partner-app/report.ts';
import { API_SCHEMA_FILE, apiSchemaSdl } from '../examples/partner-app/api-schema.ts';
import { CODEGEN_CONFIG } from '../examples/partner-app/codegen.ts';

/**
 * The partner app (examples/partner-app, Apollo Client 4) against a live network on 127.0.0.1:
 * NL, BE and DE with the demo data and their real release policies (config/policies), FR stopped
 * (nothing listens) and ES broken (HTTP 500). The app runs as a German border guard, a Dutch
 * analyst, and as a child process through its command line; its report and output are asserted,
 * and so is what went over the wire (automatic persisted queries).
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EM = 'EM482913'; // Belhaouari: known to NL, BE and FR (demo cast)
const NR = 'NR5K8T2H4'; // Amezzian: known to NL, BE and DE

let net: TestNetwork;
let brokenEs: Awaited<ReturnType<typeof startBrokenPeer>>;
beforeAll(async () => {
  brokenEs = await startBrokenPeer('http500');
  net = await startNetwork({
    states: ['NL', 'BE', 'DE'],
    peers: [
      { code: 'FR', url: await deadUrl() },
      { code: 'ES', url: brokenEs.url },
    ],
    policies: 'config',
  });
  for (const member of net.members.values()) await seedMember(member.store, { persons: 40 });
});
afterAll(async () => {
  await net?.close();
  await brokenEs?.close();
});

// CONFIDENTIAL: NL lets only callers cleared CONFIDENTIAL or higher see documents, so only they may
// search its records by document number (a hit would confirm the number).
const borderGuard = (clearance: 'RESTRICTED' | 'CONFIDENTIAL' = 'CONFIDENTIAL'): PartnerAppOptions => ({
  gateway: net.url,
  devIdentity: { keysDir: net.keysDir, state: 'DE', roles: ['border-guard'], clearance },
  purpose: 'border-security',
  caseReference: 'DE-BPOL-2026/4711',
  documentNumbers: [EM, NR],
});

const record = (check: TravellerCheck, state: string) => check.records.find((r) => r.memberState === state)!;

describe('partner app: a German border guard checks two passports', () => {
  let report: Report;
  beforeAll(async () => {
    report = await runPartnerApp(borderGuard());
  });

  it('gets records from several member states, each with what its owner released to DE', () => {
    const [em, nr] = report.checks;
    expect(em.failure).toBeNull();
    expect(em.holders).toEqual(['NL', 'BE']);
    expect(record(em, 'NL').record).toMatchObject({
      id: 'NL-P-000001',
      givenName: 'Abdelkarim',
      familyName: 'Belhawari',
      status: 'RETURNEE',
      dateOfBirth: '1991-02-07',
    });
    expect(record(em, 'BE').record).toMatchObject({ id: 'BE-P-000001', familyName: 'Belhaouari', status: 'FOREIGN_TERRORIST_FIGHTER' });
    expect(nr.holders).toEqual(['NL', 'BE', 'DE']);
    // DE's own record: FULL to its own caller, so its documents are there.
    expect(record(nr, 'DE').record.documents).toEqual([expect.objectContaining({ number: NR, kind: 'PASSPORT', issuingState: 'NL' })]);
    expect(report.caller).toMatchObject({
      state: 'DE',
      roles: ['border-guard'],
      clearance: 'CONFIDENTIAL',
      purpose: 'border-security',
      caseReference: 'DE-BPOL-2026/4711',
    });
  });

  it("keeps partial data and reads NL's NOT_RELEASED errors: path, field and reason per withheld field", () => {
    const nl = record(report.checks[0], 'NL');
    expect(nl.record.documents).toBeNull();
    expect(nl.record.travel).toBeNull();
    expect(nl.record.listings).toBeNull();
    const index = report.checks[0].records.indexOf(nl);
    const notReleased = nl.withheld.filter((w) => w.code === 'NOT_RELEASED');
    expect(notReleased.map((w) => [w.field, w.path])).toEqual([
      ['documents', `persons.${index}.documents`],
      ['travel', `persons.${index}.travel`],
      ['listings', `persons.${index}.listings`],
      // Cleared CONFIDENTIAL, the network's rule on background passes; NL's tier for DE does not.
      ['background', `persons.${index}.background`],
    ]);
    expect(notReleased[0].reason).toBe("NL releases SUMMARY-tier fields to DE; documents is FULL-tier. Ask NL's contact point for more");
    // Grouped by extensions.memberState, then extensions.code.
    expect(report.checks[0].errorsByState.NL.NOT_RELEASED).toHaveLength(4);
    expect(report.checks[0].errorsByState.NL.NOT_RELEASED[0]).toEqual({ path: `persons.${index}.documents`, message: notReleased[0].reason });
  });

  it("reads the network rules' FORBIDDEN errors and attributes them to the record at their path", () => {
    const [em] = report.checks;
    for (const state of ['NL', 'BE']) {
      const forbidden = record(em, state)
        .withheld.filter((w) => w.code === 'FORBIDDEN')
        .map((w) => w.field);
      expect(forbidden).toEqual(['financialMeasures']);
      expect(em.errorsByState[state].FORBIDDEN).toHaveLength(1);
    }
    expect(record(em, 'NL').withheld.find((w) => w.field === 'financialMeasures')!.reason).toBe(
      'Person.financialMeasures needs the scope financial:read in your token',
    );
  });

  it('is refused the document-number search by NL when its clearance is below what NL requires for documents', async () => {
    const restricted = await runPartnerApp({ ...borderGuard('RESTRICTED'), documentNumbers: [EM] });
    const [em] = restricted.checks;
    expect(em.holders).toEqual(['BE']);
    expect(formatReport(restricted)).toContain(
      '  NL refused the search (NOT_RELEASED): NL does not let you search persons by documentNumber: NL releases documents to callers with CONFIDENTIAL clearance or higher (yours: RESTRICTED)',
    );
    expect(em.errorsByState.NL.NOT_RELEASED).toEqual([
      {
        path: 'persons',
        message:
          'NL does not let you search persons by documentNumber: NL releases documents to callers with CONFIDENTIAL clearance or higher (yours: RESTRICTED)',
      },
    ]);
  });

  it('names the states that did not answer (MEMBER_UNAVAILABLE) and still answers with the others', () => {
    for (const check of report.checks) {
      expect(check.unavailable.map((u) => u.memberState).sort()).toEqual(['ES', 'FR']);
      expect(check.unavailable.find((u) => u.memberState === 'FR')).toMatchObject({ reason: 'UNREACHABLE', message: expect.stringMatching(/^FR /) });
      expect(check.unavailable.find((u) => u.memberState === 'ES')!.message).toMatch(/^ES /);
      expect(check.errorsByState.FR.MEMBER_UNAVAILABLE).toHaveLength(1);
      expect(check.errorsByState.ES.MEMBER_UNAVAILABLE).toHaveLength(1);
      expect(check.records.length).toBeGreaterThanOrEqual(2);
    }
  });

  it('uses automatic persisted queries: hash only first (not found), full query once, then the hash alone is accepted', () => {
    const [first, registration, second] = report.requests;
    expect(report.requests).toHaveLength(3);
    const hash = first.persistedQueryHash;
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    // 1: hash only (a GET: a cacheable read), unknown to the gateway.
    expect(first).toMatchObject({ method: 'GET', sentQuery: false, status: 200, hasData: false, errorCodes: ['PERSISTED_QUERY_NOT_FOUND'] });
    // 2: the link's retry with the full text registers it (and answers the first check).
    expect(registration).toMatchObject({ method: 'POST', sentQuery: true, persistedQueryHash: hash, status: 200, hasData: true });
    // 3: the second check, same operation: the hash alone, accepted with data.
    expect(second).toMatchObject({ method: 'GET', sentQuery: false, persistedQueryHash: hash, status: 200, hasData: true, operationName: 'CheckTraveller' });
    expect(second.errorCodes).not.toContain('PERSISTED_QUERY_NOT_FOUND');
    expect(second.requestBytes).toBeLessThan(registration.requestBytes / 2);
    expect(report.apq).toEqual({ hashOnly: 2, notFound: 1, registered: 1, hashOnlyAccepted: 1 });
    // HTTP conventions the client meets: compressed joint answers, never stored by shared caches.
    expect(registration.contentEncoding).toBe('gzip');
    expect(second.cacheControl).toBe('no-store');
  });

  it("states who asks and why through the link: the owners audit the token's caller with X-Hague-Purpose and X-Hague-Case", async () => {
    const rows = await net.members.get('NL')!.store.db.selectFrom('audit_log').selectAll().where('caller_state', '=', 'DE').execute();
    expect(rows.length).toBeGreaterThanOrEqual(2); // one per check
    for (const row of rows)
      expect(row).toMatchObject({ caller_subject: 'dev-de-border-guard', purpose: 'border-security', case_reference: 'DE-BPOL-2026/4711' });
    expect(JSON.parse(rows[0].withheld)).toContainEqual(expect.objectContaining({ field: 'Person.documents' }));
  });

  it('prints the check for an officer', () => {
    const text = formatReport(report);
    expect(text).toContain('caller: DE dev-de-border-guard (roles border-guard, clearance CONFIDENTIAL), purpose border-security, case DE-BPOL-2026/4711');
    expect(text).toContain('Document EM482913: records held by NL, BE (2); not answering: FR, ES');
    expect(text).toContain('  NL NL-P-000001: Abdelkarim BELHAWARI, RETURNEE, born 1991-02-07, nationalities BE, MA');
    expect(text).toContain(
      "     withheld documents (NOT_RELEASED): NL releases SUMMARY-tier fields to DE; documents is FULL-tier. Ask NL's contact point for more",
    );
    expect(text).toMatch(/ {2}FR unavailable \(UNREACHABLE\): FR .+ its records are missing from this answer/);
    expect(text).toContain('errors by state: NL NOT_RELEASED x4, FORBIDDEN x1; BE NOT_RELEASED x4, FORBIDDEN x1');
    expect(text).toContain('     document: PASSPORT NR5K8T2H4 (NL, valid until 2031-02-03)');
    expect(text).toMatch(/#1 GET {2}CheckTraveller: hash only .+ PERSISTED_QUERY_NOT_FOUND/);
    expect(text).toMatch(/#3 GET {2}CheckTraveller: hash only .+ data \+ \d+ error\(s\)/);
    expect(text).toContain('APQ: 2 hash-only request(s), 1 not yet known to the gateway, 1 registered with the full query, 1 accepted by hash alone');
  });
});

describe('partner app: other callers on the same gateway', () => {
  it("a hash registered by another caller is accepted at once, with this caller's own rules (NL analyst: FULL from its own state)", async () => {
    const report = await runPartnerApp({
      gateway: net.url,
      devIdentity: { keysDir: net.keysDir, state: 'NL', roles: ['analyst'], clearance: 'SECRET', scopes: ['financial:read'] },
      purpose: 'counter-terrorism',
      documentNumbers: [EM],
      useGETForHashedQueries: false,
    });
    expect(report.requests).toEqual([expect.objectContaining({ method: 'POST', sentQuery: false, hasData: true })]);
    const nl = record(report.checks[0], 'NL');
    // Not the border guard's filtered plan: no FORBIDDEN (this token has the scope and the clearance),
    // and NL's own analyst gets documents, travel, listings, background and (NL's own rule: analysts
    // and FIUs, for counter-terrorism) financial measures.
    expect(nl.withheld).toEqual([]);
    expect(nl.record.financialMeasures).toEqual([
      expect.objectContaining({ kind: 'ASSET_FREEZE', institution: 'ABN AMRO Bank N.V.', legalBasis: 'Sanctieregeling terrorisme 2007-II' }),
    ]);
    expect(nl.record.documents).toContainEqual(expect.objectContaining({ number: EM }));
    expect(nl.record.travel!.map((t) => t.reference)).toEqual(['PC1252', 'KL1572', 'A3995']);
    expect(nl.record.listings).toEqual([expect.objectContaining({ list: 'NL national terrorism list', action: 'specific check, report to owner' })]);
    expect(nl.record.background).toMatch(/Returned from Syria/);
    // BE releases FULL to NL, background needs SECRET at BE (held).
    expect(record(report.checks[0], 'BE').withheld).toEqual([]);
  });

  it("a refused token yields a failed check with the gateway's reason, not a crash", async () => {
    const report = await runPartnerApp({ gateway: net.url, token: 'not-a-jwt', purpose: 'border-security', documentNumbers: [EM] });
    expect(report.checks[0]).toMatchObject({ records: [], failure: expect.stringMatching(/^HTTP 401: UNAUTHENTICATED: .*not a signed JWT/) });
    expect(formatReport(report)).toContain('Document EM482913: check failed: HTTP 401: UNAUTHENTICATED');
  });
});

describe('partner app: command line', () => {
  const run = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((done, fail) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'examples/partner-app/main.ts', ...args],
        { cwd: ROOT, timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } },
        (error, stdout, stderr) => {
          const code = error ? (error as { code?: unknown }).code : 0;
          if (typeof code !== 'number') fail(error ?? new Error('the partner app ended without an exit code'));
          else done({ code, stdout, stderr });
        },
      );
    });

  it('--help documents the flags', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    for (const flag of ['--gateway', '--token', '--dev-keys', '--state', '--roles', '--clearance', '--purpose', '--case', '--passport'])
      expect(stdout).toContain(flag);
  });

  it('checks a passport against the live gateway with a dev token and prints the report', async () => {
    const { code, stdout } = await run(['--gateway', net.url, '--dev-keys', net.keysDir, '--state', 'DE', '--clearance', 'CONFIDENTIAL', '--passport', EM]);
    expect(code).toBe(0);
    expect(stdout).toContain('Document EM482913: records held by NL, BE (2); not answering: FR, ES');
    expect(stdout).toContain('withheld travel (NOT_RELEASED): NL releases SUMMARY-tier fields to DE');
    // A new process, a hash the gateway already knows: one request, the hash alone.
    expect(stdout).toMatch(/#1 GET {2}CheckTraveller: hash only .+ data \+/);
    expect(stdout).not.toContain('#2');
  });

  it('refuses bad usage with exit status 2', async () => {
    const missing = await run(['--gateway', net.url, '--dev-keys', net.keysDir, '--state', 'DE']);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining('--passport <number> is required') });
    const purpose = await run(['--dev-keys', net.keysDir, '--state', 'DE', '--purpose', 'curiosity', '--passport', EM]);
    expect(purpose).toMatchObject({ code: 2, stderr: expect.stringContaining("--purpose 'curiosity' is not one of") });
  });
});

describe('partner app: typed documents', () => {
  it('the committed API schema and generated documents are current (regenerated in memory, no network)', async () => {
    expect(readFileSync(API_SCHEMA_FILE, 'utf8')).toBe(apiSchemaSdl());
    const files = (await generate(CODEGEN_CONFIG, false)) as Array<{ filename: string; content: string }>;
    expect(files.map((f) => f.filename).sort()).toEqual([
      'examples/partner-app/generated/gql.ts',
      'examples/partner-app/generated/graphql.ts',
      'examples/partner-app/generated/index.ts',
    ]);
    for (const file of files)
      expect(readFileSync(resolve(ROOT, file.filename), 'utf8'), `${file.filename} is stale: npm run codegen:partner-app`).toBe(file.content);
  });
});
