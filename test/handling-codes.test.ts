import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNetwork, type TestNetwork } from './support/network.ts';
import { seedMember } from '../subgraphs/member/seed.ts';
import { openStore, type Store } from '../subgraphs/member/store.ts';
import { evaluationOf, handlingOf, markingColumns } from '../subgraphs/member/handling.ts';
import type { HandlingColumns } from '../subgraphs/member/store-schema.ts';

/**
 * Handling codes (SIENA H0-H3) and evaluations (source A/B/C/X, information 1-4) on records and
 * facts: set in the owner's data, released with the fact they describe under the owner's release
 * rules and the network's rules, never on their own.
 */

const HANDLING = 'handling { code restriction } evaluation { source information }';

describe('markings', () => {
  it('map stored columns to the contract and refuse what it cannot express', () => {
    const columns = markingColumns({ handling: 'H3', restriction: 'Source protection', evaluation: 'C3' });
    expect(columns).toEqual({ handling_code: 'H3', handling_restriction: 'Source protection', evaluation_source: 'C', evaluation_information: '3' });
    expect(handlingOf(columns)).toEqual({ code: 'H3', restriction: 'Source protection' });
    expect(evaluationOf(columns)).toEqual({ source: 'C', information: 'THREE' });
    expect(() => markingColumns({ handling: 'H3', evaluation: 'B2' })).toThrow('handling code H3 needs its restriction text');
    expect(() => markingColumns({ handling: 'H1', evaluation: 'D2' as never })).toThrow(
      'evaluation must be a source reliability (A, B, C, X) and an accuracy (1-4), e.g. B2; got D2',
    );
    // Rows written before the owner set any (migration 0006): null, not a guess.
    expect(handlingOf({ handling_code: null, handling_restriction: null })).toBeNull();
    expect(evaluationOf({ evaluation_source: null, evaluation_information: null })).toBeNull();
  });
});

describe('the demo data', () => {
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hague-handling-'));
    store = await openStore(join(dir, 'nl.db'), 'NL');
    await seedMember(store, { persons: 500 });
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('marks every record and fact: mostly H0/H1 with B2 or C3, a few H2, a few H3 each with its restriction', async () => {
    const rows: HandlingColumns[] = [];
    for (const table of ['persons', 'travel_movements', 'financial_measures', 'watchlist_listings', 'affiliations'] as const) {
      rows.push(
        ...(await store.db.selectFrom(table).select(['handling_code', 'handling_restriction', 'evaluation_source', 'evaluation_information']).execute()),
      );
    }
    expect(rows.length).toBeGreaterThan(1500);
    const share = (test: (r: HandlingColumns) => boolean) => rows.filter(test).length / rows.length;
    expect(rows.every((r) => r.handling_code !== null && r.evaluation_source !== null && r.evaluation_information !== null)).toBe(true);
    expect(share((r) => r.handling_code === 'H0' || r.handling_code === 'H1')).toBeGreaterThan(0.7);
    expect(share((r) => r.handling_code === 'H2')).toBeGreaterThan(0.02);
    const h3 = rows.filter((r) => r.handling_code === 'H3');
    expect(h3.length / rows.length).toBeGreaterThan(0.005);
    expect(h3.length / rows.length).toBeLessThan(0.1);
    expect(h3.every((r) => (r.handling_restriction ?? '').length > 20)).toBe(true);
    expect(rows.filter((r) => r.handling_code !== 'H3').every((r) => r.handling_restriction === null)).toBe(true);
    const evaluation = (r: HandlingColumns) => `${r.evaluation_source}${r.evaluation_information}`;
    expect(share((r) => evaluation(r) === 'B2' || evaluation(r) === 'C3')).toBeGreaterThan(0.6);
    // Asset freezes are legal acts: H0, A1.
    const freezes = await store.db.selectFrom('financial_measures').selectAll().where('kind', '=', 'ASSET_FREEZE').execute();
    expect(freezes.length).toBeGreaterThan(0);
    expect(new Set(freezes.map((f) => `${f.handling_code} ${f.evaluation_source}${f.evaluation_information}`))).toEqual(new Set(['H0 A1']));
  });
});

describe('released with the fact they describe', () => {
  let net: TestNetwork;
  beforeAll(async () => {
    net = await startNetwork({
      states: ['NL', 'BE', 'DE'],
      policies: 'config',
      // DE's record here is written without markings, as a database migrated from before them.
      data: { DE: [{ id: 'DE-X-1', givenName: 'Karl', familyName: 'Unmarked', dateOfBirth: '1980-01-01', passport: 'C01X00T47' }] },
    });
    await seedMember(net.members.get('NL')!.store, { persons: 40 });
    await seedMember(net.members.get('BE')!.store, { persons: 40 });
  });
  afterAll(async () => {
    await net?.close();
  });

  const BELHAOUARI = `{ person(memberState: BE, id: "BE-P-000001") { id ${HANDLING} travel { at reference ${HANDLING} } listings { list ${HANDLING} } affiliations { role ${HANDLING} } } }`;

  it('a caller BE releases travel to gets each leg with its handling code and evaluation, and the record its own', async () => {
    const answer = await net.query(BELHAOUARI, undefined, await net.as({ state: 'NL', roles: ['analyst'], clearance: 'SECRET' }, 'counter-terrorism'));
    expect(answer.body.errors).toBeUndefined();
    const person = answer.body.data.person;
    expect(person.handling).toEqual({ code: expect.stringMatching(/^H[0-3]$/), restriction: person.handling.code === 'H3' ? expect.any(String) : null });
    expect(person.evaluation).toEqual({ source: expect.stringMatching(/^[ABCX]$/), information: expect.stringMatching(/^(ONE|TWO|THREE|FOUR)$/) });
    expect(person.travel).toEqual([
      {
        at: '2026-03-02T06:35:00Z',
        reference: 'TK1938',
        handling: { code: expect.stringMatching(/^H[01]$/), restriction: null },
        evaluation: { source: expect.stringMatching(/^[AB]$/), information: expect.stringMatching(/^(ONE|TWO)$/) },
      },
    ]);
    for (const fact of [...person.listings, ...person.affiliations]) {
      expect(fact.handling.code).toMatch(/^H[0-3]$/);
      expect(fact.evaluation.source).toMatch(/^[ABCX]$/);
    }
  });

  it('a caller BE withholds travel from gets no travel handling codes either: travel is null with NOT_RELEASED', async () => {
    // BE releases travel for counter-terrorism and border-security only.
    const answer = await net.query(BELHAOUARI, undefined, await net.as({ state: 'NL', roles: ['analyst'], clearance: 'SECRET' }, 'organised-crime'));
    const person = answer.body.data.person;
    expect(person.travel).toBeNull();
    expect(person.listings.length).toBeGreaterThan(0);
    expect(answer.body.errors).toEqual([
      expect.objectContaining({
        path: ['person', 'travel'],
        extensions: expect.objectContaining({ code: 'NOT_RELEASED', memberState: 'BE', field: 'Person.travel' }),
      }),
    ]);
    expect(JSON.stringify(answer.body)).not.toContain('TK1938');
  });

  it("financial measures' handling codes follow the owner's rule and the network's scope rule", async () => {
    const query = `{ person(memberState: NL, id: "NL-P-000002") { id financialMeasures { kind since ${HANDLING} } } }`;
    // NL: financial measures to the roles fiu and analyst, for terrorism-financing and counter-terrorism only.
    const fiu = await net.query(
      query,
      undefined,
      await net.as({ state: 'BE', roles: ['fiu'], clearance: 'SECRET', scopes: ['financial:read'] }, 'terrorism-financing'),
    );
    expect(fiu.body.errors).toBeUndefined();
    expect(fiu.body.data.person.financialMeasures).toContainEqual({
      kind: 'ASSET_FREEZE',
      since: '2026-06-12',
      handling: { code: 'H0', restriction: null },
      evaluation: { source: 'A', information: 'ONE' },
    });
    const guard = await net.query(
      query,
      undefined,
      await net.as({ state: 'BE', roles: ['border-guard'], clearance: 'SECRET', scopes: ['financial:read'] }, 'terrorism-financing'),
    );
    expect(guard.body.data.person.financialMeasures).toBeNull();
    expect(guard.body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_RELEASED', memberState: 'NL', field: 'Person.financialMeasures' });
    // Without the scope financial:read the network's rule removes the field before NL is asked.
    const noScope = await net.query(query, undefined, await net.as({ state: 'BE', roles: ['fiu'], clearance: 'SECRET', scopes: [] }, 'terrorism-financing'));
    expect(noScope.body.data.person.financialMeasures).toBeNull();
    expect(noScope.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify(noScope.body)).not.toContain('"H0"');
  });

  it('a record the owner has not marked answers null, not a default', async () => {
    const answer = await net.query(
      `{ person(memberState: DE, id: "DE-X-1") { id ${HANDLING} } }`,
      undefined,
      await net.as({ state: 'DE', roles: ['analyst'], clearance: 'SECRET' }),
    );
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.person).toEqual({ id: 'DE-X-1', handling: null, evaluation: null });
  });
});
