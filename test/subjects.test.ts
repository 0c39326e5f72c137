import { describe, expect, it } from 'vitest';
import { SOURCE_SELECTION, useDemoNetwork } from './support/demo-network.ts';

/**
 * `subjects`: the gateway links the owners' `persons` answers by equal match keys into one subject
 * per person, under each owner's release rules, over a real network seeded with the demo data on
 * today's clock (the cast's booked flight is then always 18 days ahead).
 */

const SUBJECT = `
  id linkedBy confidence matchScore heldBy
  records { memberState id givenName familyName }
  contacts { memberState recordId contact { agency reference } }
  names { givenName familyName alias ${SOURCE_SELECTION} }
  travel { movement { at from { city country } to { city country } planned reference } ${SOURCE_SELECTION} }
  listings { listing { list listedSince } ${SOURCE_SELECTION} }
  organisations { memberState id name kind role ${SOURCE_SELECTION} }
  alerts { kind message sources { memberState recordId } }
  withheld { memberState recordId fields reasons contact { agency reference phone } }`;
const BY_DOCUMENT = `query($doc: String!) { subjects(filter: { documentNumber: $doc }) { ${SUBJECT} } }`;
const WITH_MONEY = `query($doc: String!) { subjects(filter: { documentNumber: $doc }) { id heldBy financialMeasures { measure { kind since institution amount } ${SOURCE_SELECTION} } alerts { kind message sources { memberState recordId } } withheld { memberState fields } } }`;

type Source = { memberState: string; recordId: string; handling: unknown; evaluation: unknown };

describe('subjects over the network, under the real release policies', () => {
  const demo = useDemoNetwork(['NL', 'BE', 'FR', 'DE'], { asOf: new Date().toISOString().slice(0, 10) });
  const { analyst } = demo;

  it('the cast forms one subject held by NL, BE and FR for a BE analyst, its travel one route in time order with each leg’s source', async () => {
    demo.net.resetCounts();
    const answer = await demo.net.query(BY_DOCUMENT, { doc: 'EM482913' }, await analyst('BE'));
    expect(answer.body.errors).toBeUndefined();
    // One request per state for the subject query.
    expect(demo.net.requestCounts()).toEqual({ NL: 1, BE: 1, FR: 1, DE: 1 });
    const subjects = answer.body.data.subjects;
    expect(subjects).toHaveLength(1);
    const [subject] = subjects;
    expect(subject.heldBy).toEqual(['NL', 'BE', 'FR']);
    expect(subject.records.map((r: { memberState: string; id: string }) => `${r.memberState}:${r.id}`)).toEqual([
      'NL:NL-P-000001',
      'BE:BE-P-000001',
      'FR:FR-P-000001',
    ]);
    expect(subject.id).toBe('NL:NL-P-000001+BE:BE-P-000001+FR:FR-P-000001');
    expect(subject.linkedBy).toContain('DOCUMENT');
    expect(subject.confidence).toBe('STRONG');
    expect(subject.contacts.map((c: { memberState: string }) => c.memberState)).toEqual(['NL', 'BE', 'FR']);
    expect(new Set(subject.names.map((n: { familyName: string | null }) => n.familyName).filter(Boolean))).toEqual(
      new Set(['Belhawari', 'Belhaouari', 'Belhaouary']),
    );

    const legs = subject.travel as Array<{ movement: { at: string; reference: string; planned: boolean }; source: Source }>;
    expect(legs.length).toBeGreaterThan(3);
    const times = legs.map((l) => l.movement.at);
    expect(times).toEqual([...times].sort());
    expect(new Set(legs.map((l) => l.source.memberState))).toEqual(new Set(['NL', 'BE', 'FR']));
    const booked = legs.find((l) => l.movement.reference === 'PC1252')!;
    expect(booked.movement.planned).toBe(true);
    expect(booked.source.memberState).toBe('NL');
    expect(legs.at(-1)!.movement.reference).toBe('PC1252');

    // Provenance on every merged fact: owner, record, handling code and evaluation.
    const facts = [...subject.names, ...legs, ...subject.listings, ...subject.organisations] as Array<{ source: Source }>;
    for (const fact of facts) {
      expect(subject.records.map((r: { id: string }) => r.id)).toContain(fact.source.recordId);
      expect((fact.source.handling as { code: string }).code).toMatch(/^H[0-3]$/);
      expect(fact.source.evaluation).toEqual({ source: expect.stringMatching(/^[ABCX]$/), information: expect.any(String) });
    }
    expect(subject.organisations.every((o: { kind: string | null }) => typeof o.kind === 'string')).toBe(true);

    // The booked flight is 18 days ahead of the clock the data was seeded on.
    const planned = subject.alerts.filter((a: { kind: string }) => a.kind === 'PLANNED_TRIP');
    expect(planned).toHaveLength(1);
    expect(planned[0].message).toContain('Amsterdam (NL) -> Istanbul (TR)');
    expect(planned[0].message).toContain('in 18 day(s)');
    expect(planned[0].sources).toEqual([{ memberState: 'NL', recordId: 'NL-P-000001' }]);
  });

  it('the passport subject carries the freeze in NL and the withdrawal and transfer in BE after it, for a BE analyst who may see both', async () => {
    // NL releases financial measures to analysts and FIUs for counter-terrorism (config/policies/NL.yaml);
    // the network asks for the scope financial:read.
    const answer = await demo.net.query(WITH_MONEY, { doc: 'EM482913' }, await analyst('BE', { scopes: ['financial:read'] }));
    expect(answer.body.errors).toBeUndefined();
    const [subject] = answer.body.data.subjects;
    expect(subject.heldBy).toEqual(['NL', 'BE', 'FR']);
    const measures = subject.financialMeasures as Array<{ measure: { kind: string; institution: string }; source: Source }>;
    expect(measures.map((m) => `${m.source.memberState} ${m.measure.kind}`)).toEqual(['NL ASSET_FREEZE', 'BE CASH_WITHDRAWAL', 'BE MONEY_TRANSFER']);
    const evasion = subject.alerts.filter((a: { kind: string }) => a.kind === 'FREEZE_EVASION');
    expect(evasion).toHaveLength(1);
    expect(evasion[0].message).toMatch(/^Assets frozen in NL on \d{4}-\d{2}-\d{2}; afterwards 1 cash withdrawal\(s\) and 1 transfer\(s\) in BE .*6400 EUR/);
    expect(evasion[0].sources).toEqual([
      { memberState: 'NL', recordId: 'NL-P-000001' },
      { memberState: 'BE', recordId: 'BE-P-000001' },
      { memberState: 'BE', recordId: 'BE-P-000001' },
    ]);
    expect(subject.withheld).toEqual([]);

    // A border guard of the same state may not see NL's money: no alert, and NL is named with the field.
    const guard = await demo.net.query(
      WITH_MONEY,
      { doc: 'EM482913' },
      await demo.net.as({ state: 'BE', roles: ['border-guard'], clearance: 'SECRET', scopes: ['financial:read'] }, 'border-security'),
    );
    const [seen] = guard.body.data.subjects;
    expect(seen.alerts.filter((a: { kind: string }) => a.kind === 'FREEZE_EVASION')).toEqual([]);
    expect(seen.financialMeasures.map((m: { source: Source }) => m.source.memberState)).not.toContain('NL');
    expect(seen.withheld).toContainEqual({ memberState: 'NL', fields: ['Person.financialMeasures'] });
    expect(JSON.stringify(guard.body.data)).not.toContain('ABN AMRO');
  });

  it('persons and subjects in one operation: one request per state, each field answered as if asked alone', async () => {
    const headers = await analyst('DE');
    const both = `query($doc: String!) {
      persons(filter: { documentNumber: $doc }) { memberState id travel { at } }
      subjects(filter: { documentNumber: $doc }) { id heldBy linkedBy withheld { memberState fields } }
    }`;
    demo.net.resetCounts();
    const answer = await demo.net.query(both, { doc: 'EM482913' }, headers);
    expect(demo.net.requestCounts()).toEqual({ NL: 1, BE: 1, FR: 1, DE: 1 });
    const persons = await demo.net.query(
      `query($doc: String!) { persons(filter: { documentNumber: $doc }) { memberState id travel { at } } }`,
      { doc: 'EM482913' },
      headers,
    );
    const subjects = await demo.net.query(
      `query($doc: String!) { subjects(filter: { documentNumber: $doc }) { id heldBy linkedBy withheld { memberState fields } } }`,
      { doc: 'EM482913' },
      headers,
    );
    expect(answer.body.data).toEqual({ ...persons.body.data, ...subjects.body.data });
    // The owners' refusals of travel (DE gets SUMMARY), pointed at the persons field only, as when asked alone.
    expect(answer.body.errors).toEqual(persons.body.errors);
    expect(answer.body.errors!.map((e) => [e.path?.[0], e.extensions?.code, e.extensions?.memberState])).toEqual([
      ['persons', 'NOT_RELEASED', 'NL'],
      ['persons', 'NOT_RELEASED', 'BE'],
      ['persons', 'NOT_RELEASED', 'FR'],
    ]);
    expect((answer.body as { extensions?: { hague?: unknown } }).extensions?.hague).toEqual({
      states: expect.objectContaining({ NL: { persons: { returned: 1, more: false }, subjects: { returned: 1, more: false } } }),
    });
  });

  it('for a DE analyst NL’s record does not link by document: NL’s withheld fields and contact are named', async () => {
    const answer = await demo.net.query(BY_DOCUMENT, { doc: 'EM482913' }, await analyst('DE'));
    expect(answer.body.errors).toBeUndefined();
    const subjects = answer.body.data.subjects as Array<{
      heldBy: string[];
      linkedBy: string[];
      confidence: string;
      withheld: Array<{ memberState: string; recordId: string; fields: string[]; reasons: string[]; contact: { agency: string; reference: string } }>;
      travel: Array<{ source: Source }>;
    }>;
    // NL, BE and FR give DE no document keys (documents are FULL, DE gets SUMMARY), only name + date of birth keys
    // for counter-terrorism (NL's linking rule): the three records link, weakly.
    expect(subjects).toHaveLength(1);
    const [withNl] = subjects;
    expect(withNl.heldBy).toEqual(['NL', 'BE', 'FR']);
    expect(withNl.linkedBy).toEqual(['NAME_DOB']);
    expect(withNl.confidence).toBe('WEAK');
    const nl = withNl.withheld.find((w) => w.memberState === 'NL')!;
    expect(nl.recordId).toBe('NL-P-000001');
    expect(nl.fields).toEqual(expect.arrayContaining(['Person.travel']));
    expect(nl.contact.reference).toEqual(expect.any(String));
    expect(nl.contact.agency).toEqual(expect.any(String));
    // What NL withheld is not in the subject.
    expect(withNl.travel.some((t) => t.source.memberState === 'NL')).toBe(false);
    expect(JSON.stringify(answer.body)).not.toContain('PC1252');
  });

  it("an owner's refusal of a field the caller asked of the records keeps its error, pointed into the subject", async () => {
    const answer = await demo.net.query(
      `query($doc: String!) { subjects(filter: { documentNumber: $doc }) { heldBy records { memberState id documents { number } } } }`,
      { doc: 'EM482913' },
      await analyst('DE'),
    );
    const [subject] = answer.body.data.subjects;
    expect(subject.records.map((r: { documents: unknown }) => r.documents)).toEqual([null, null, null]);
    expect(answer.body.errors?.map((e) => [e.path, e.extensions?.code, e.extensions?.memberState])).toEqual([
      [['subjects', 0, 'records', 0, 'documents'], 'NOT_RELEASED', 'NL'],
      [['subjects', 0, 'records', 1, 'documents'], 'NOT_RELEASED', 'BE'],
      [['subjects', 0, 'records', 2, 'documents'], 'NOT_RELEASED', 'FR'],
    ]);
    expect(JSON.stringify(answer.body)).not.toContain('EM482913');
  });

  it('financial measures withheld from a caller never appear in a subject, not even through its alerts', async () => {
    // No financial:read scope: the gateway refuses Subject.financialMeasures; the owners refuse Person.financialMeasures.
    const answer = await demo.net.query(
      WITH_MONEY,
      { doc: 'NR5K8T2H4' },
      await demo.net.as({ state: 'BE', roles: ['fiu'], clearance: 'SECRET' }, 'terrorism-financing'),
    );
    expect(answer.body.errors).toEqual([
      expect.objectContaining({ path: ['subjects', 0, 'financialMeasures'], extensions: expect.objectContaining({ code: 'FORBIDDEN' }) }),
    ]);
    const [subject] = answer.body.data.subjects;
    expect(subject.financialMeasures).toBeNull();
    expect(subject.alerts.filter((a: { kind: string }) => a.kind === 'FREEZE_EVASION')).toEqual([]);
    expect(subject.withheld.flatMap((w: { fields: string[] }) => w.fields)).toContain('Person.financialMeasures');
    const text = JSON.stringify(answer.body.data);
    for (const secret of ['Belfius', 'ING Bank', '48250']) expect(text).not.toContain(secret);
  });

  it('the freeze in NL and the withdrawals in BE after it raise FREEZE_EVASION for an FIU caller who may see both', async () => {
    const fiu = await demo.net.as({ state: 'BE', roles: ['fiu'], clearance: 'SECRET', scopes: ['financial:read'] }, 'terrorism-financing');
    const answer = await demo.net.query(WITH_MONEY, { doc: 'NR5K8T2H4' }, fiu);
    expect(answer.body.errors).toBeUndefined();
    const subjects = answer.body.data.subjects;
    expect(subjects).toHaveLength(1);
    const [subject] = subjects;
    expect(subject.heldBy).toEqual(expect.arrayContaining(['NL', 'BE']));
    const measures = subject.financialMeasures as Array<{ measure: { kind: string; since: string }; source: Source }>;
    expect(measures.map((m) => m.measure.since)).toEqual(measures.map((m) => m.measure.since).sort());
    for (const m of measures) expect(m.source.handling).not.toBeNull();
    const freeze = measures.find((m) => m.measure.kind === 'ASSET_FREEZE')!;
    expect(freeze.source.memberState).toBe('NL');
    const alerts = subject.alerts.filter((a: { kind: string }) => a.kind === 'FREEZE_EVASION');
    expect(alerts).toHaveLength(1);
    expect(alerts[0].message).toMatch(/^Assets frozen in NL on \d{4}-\d{2}-\d{2}; afterwards 3 cash withdrawal\(s\) and 1 transfer\(s\) in BE/);
    expect(new Set(alerts[0].sources.map((s: { memberState: string }) => s.memberState))).toEqual(new Set(['NL', 'BE']));
  });
});
