import { describe, expect, it } from 'vitest';
import { EXPORT_COLUMNS, exportRows, toCsv } from '../gateway/explorer/workspace/export.ts';
import type { ContactLine, WorkspaceModel } from '../gateway/explorer/workspace/model.ts';
import { readAnswer } from '../gateway/explorer/workspace/read-answer.ts';
import { SOURCE_SELECTION, useDemoNetwork } from './support/demo-network.ts';
import { postQuery, type GraphQLAnswer } from './support/network.ts';

/**
 * The workspace's reader (gateway/explorer/workspace/read-answer.ts) on answers of a real network
 * (four states, the demo data, the real release policies), as BE and DE analysts ask them: subjects,
 * persons nested at the root, under aliases and inside organisations, errors of every kind. Each
 * expectation is checked against the answer itself, so the test follows the demo data.
 */

const PASSPORT = 'EM482913';
const SUBJECTS = `query($doc: String!) { subjects(filter: { documentNumber: $doc }) {
  id heldBy linkedBy confidence matchScore
  records { memberState id givenName familyName dateOfBirth status handling { code restriction } evaluation { source information } contact { agency unit email phone reference } }
  names { givenName familyName alias source { memberState recordId } }
  travel { movement { at from { city country } to { city country } mode carrier reference planned } ${SOURCE_SELECTION} }
  financialMeasures { measure { kind since institution amount currency } ${SOURCE_SELECTION} }
  organisations { memberState id name kind role since ${SOURCE_SELECTION} }
  listings { listing { list listedSince action } ${SOURCE_SELECTION} }
  alerts { kind message sources { memberState recordId } }
  withheld { memberState recordId fields reasons contact { agency phone email reference } }
  contacts { memberState recordId contact { agency phone reference } }
} }`;
const PERSON = `memberState id contact { agency phone email reference } givenName familyName status handling { code } evaluation { source information }
  documents { number kind issuingState }
  travel(first: 20) { at from { city country } to { city country } mode carrier reference planned handling { code } evaluation { source information } }
  financialMeasures { kind since amount currency }
  listings { list listedSince }
  affiliations { role since organisation { memberState id name kind } }`;
const BY_DOCUMENT = `query($doc: String!) { persons(filter: { documentNumber: $doc }) { ${PERSON} } }`;
const ISTANBUL = `{ persons(filter: { travelPlace: { city: "Istanbul" } }) { ${PERSON} } }`;
const ALIASES = `query($doc: String!) {
  first: persons(filter: { documentNumber: $doc }) { memberState id givenName familyName handling { code } travel(first: 20) { at from { city country } to { city country } planned } }
  again: persons(filter: { documentNumber: $doc }) { memberState id travel(first: 20) { at from { city country } to { city country } planned } }
}`;
const ORGANISATIONS = `{ organisations(filter: { name: "Katibat al-Muhajirin" }) {
  memberState id name kind contact { agency reference }
  members { role since person { memberState id givenName familyName status } }
} }`;

type Json = Record<string, any>;

/** The answer's errors, by code. */
const errorsOf = (answer: GraphQLAnswer, code?: string): Json[] => (answer.body.errors ?? []).filter((e: Json) => !code || e.extensions?.code === code);

/** Lines of the roll-up are unique by state, field and code. */
function expectRolledUp(model: WorkspaceModel): void {
  const keys = model.contacts.map((c) => `${c.memberState}|${c.field}|${c.code}`);
  expect(new Set(keys).size, keys.join('\n')).toBe(keys.length);
}

const line = (model: WorkspaceModel, memberState: string, field: string, code: string): ContactLine | undefined =>
  model.contacts.find((c) => c.memberState === memberState && c.field === field && c.code === code);

describe('readAnswer on answers of the live network', () => {
  const demo = useDemoNetwork(['NL', 'BE', 'FR', 'DE'], { asOf: new Date().toISOString().slice(0, 10) });
  const { analyst } = demo;

  it('a BE analyst’s subject: one card of NL, BE and FR, every fact with its source, counts, whom to call', async () => {
    const answer = await demo.net.query(SUBJECTS, { doc: PASSPORT }, await analyst('BE'));
    expect(answer.status).toBe(200);
    const [raw] = answer.body.data.subjects as Json[];
    expect(raw.heldBy).toEqual(['NL', 'BE', 'FR']);
    const model = readAnswer(answer.body);

    expect(model.subjects).toHaveLength(1);
    const [subject] = model.subjects;
    expect(subject.id).toBe(raw.id);
    expect(subject.heldBy).toEqual(['NL', 'BE', 'FR']);
    expect(subject.confidence).toBe(raw.confidence);
    expect(subject.label).toBe('Abdelkarim Belhawari');
    expect(subject.records.map((r) => `${r.memberState}:${r.id}`)).toEqual((raw.records as Json[]).map((r) => `${r.memberState}:${r.id}`));
    for (const [i, record] of subject.records.entries()) {
      const released = (raw.records as Json[])[i];
      expect(record.handling).toBe(released.handling.code);
      expect(record.evaluation).toMatch(/^[ABCX][1-4]$/);
      expect(record.contact?.phone).toBe(released.contact.phone);
      expect(record.fields.familyName).toBe(released.familyName);
    }
    // Aliases from `names` land on their record.
    const aliasOf = (raw.names as Json[]).find((n) => n.alias && n.source.memberState === 'BE')!.alias;
    expect(subject.records.find((r) => r.memberState === 'BE')!.fields.aliases).toContain(aliasOf);

    // Travel: every leg, in time order, with the source the gateway gave it.
    expect(subject.travel).toHaveLength((raw.travel as Json[]).length);
    expect(subject.travel.length).toBeGreaterThan(3);
    for (const [i, leg] of subject.travel.entries()) {
      const given = (raw.travel as Json[])[i];
      expect(leg.at).toBe(given.movement.at);
      expect(leg.from.city).toBe(given.movement.from.city);
      expect(leg.source).toMatchObject({ memberState: given.source.memberState, recordId: given.source.recordId, handling: given.source.handling?.code });
    }
    expect(new Set(subject.travel.map((l) => l.source.memberState))).toEqual(new Set(['NL', 'BE', 'FR']));
    expect(subject.travel.some((l) => l.planned)).toBe(true);
    expect(subject.organisations).toHaveLength((raw.organisations as Json[]).length);
    expect(subject.organisations.every((o) => o.kind && o.source.handling)).toBe(true);
    expect(subject.listings).toHaveLength((raw.listings as Json[]).length);
    expect(subject.alerts.map((a) => a.kind)).toEqual((raw.alerts as Json[]).map((a) => a.kind));

    // Counts: per state, as extensions.hague.states says.
    const states = (answer.body as Json).extensions.hague.states as Json;
    expect(model.counts).toEqual(
      Object.entries(states).map(([memberState, byKey]) => ({ memberState, key: 'subjects', returned: byKey.subjects.returned, more: byKey.subjects.more })),
    );
    expect(model.counts.find((c) => c.memberState === 'NL')).toEqual({ memberState: 'NL', key: 'subjects', returned: 1, more: false });

    // Whom to call: each holder once, with its phone; each withheld field once per state.
    expectRolledUp(model);
    for (const state of ['NL', 'BE', 'FR']) {
      const holds = line(model, state, '', 'HOLDS_RECORD');
      expect(holds, state).toMatchObject({ records: 1, contact: { phone: expect.stringMatching(/^\+\d/) } });
    }
    for (const w of raw.withheld as Json[]) {
      for (const field of w.fields as string[]) {
        const withheld = model.contacts.find((c) => c.memberState === w.memberState && c.field === field);
        expect(withheld, `${w.memberState} ${field}`).toBeDefined();
        expect(withheld!.records).toBe(1);
        expect(withheld!.references).toEqual([w.contact.reference]);
      }
    }
    // An error on the subject itself belongs to no single state.
    for (const error of errorsOf(answer)) {
      expect(error.path.length).toBe(3);
      expect(model.networkErrors.some((message) => message.includes(error.message))).toBe(true);
    }

    // Export: a row per fact, each with its state, record and handling code.
    const rows = exportRows(model);
    const facts = rows.filter((r) => r.kind !== 'contact' && r.kind !== 'withheld' && r.kind !== 'alert');
    expect(facts.length).toBe(subject.records.length + subject.travel.length + subject.money.length + subject.listings.length + subject.organisations.length);
    for (const row of facts) {
      expect(row.memberState).toMatch(/^(NL|BE|FR)$/);
      expect(row.recordId).toMatch(/^(NL|BE|FR)-P-\d+$/);
      expect(row.handling).toMatch(/^H[0-3]$/);
    }
    const csv = toCsv(rows).split('\r\n');
    expect(csv[0]).toBe(EXPORT_COLUMNS.join(','));
    expect(csv.filter((l) => l.startsWith(`${subject.id},travel,`))).toHaveLength(subject.travel.length);
  });

  it('a DE analyst’s subject: SUMMARY records, the withheld fields rolled up per state', async () => {
    const answer = await demo.net.query(SUBJECTS, { doc: PASSPORT }, await analyst('DE'));
    const [raw] = answer.body.data.subjects as Json[];
    const model = readAnswer(answer.body);
    expect(model.subjects[0].heldBy).toEqual(raw.heldBy);
    expect(model.subjects[0].travel).toHaveLength((raw.travel as Json[]).length);
    expectRolledUp(model);
    expect((raw.withheld as Json[]).length).toBeGreaterThan(0);
    for (const w of raw.withheld as Json[]) {
      expect(w.fields).toContain('Person.travel');
      const travel = line(model, w.memberState, 'Person.travel', 'NOT_RELEASED');
      expect(travel, w.memberState).toMatchObject({ records: 1, contact: { phone: w.contact.phone, email: w.contact.email } });
      expect(travel!.reasons.join(' ')).toContain('travel is FULL-tier');
    }
  });

  it('a subject without `records` selected: its cards made of contacts and names', async () => {
    const query = `query($doc: String!) { subjects(filter: { documentNumber: $doc }) {
      id heldBy names { givenName familyName alias source { memberState recordId } } contacts { memberState recordId contact { agency phone reference } } } }`;
    const answer = await demo.net.query(query, { doc: PASSPORT }, await analyst('BE'));
    const [raw] = answer.body.data.subjects as Json[];
    const [subject] = readAnswer(answer.body).subjects;
    expect(subject.records.map((r) => `${r.memberState}:${r.id}`)).toEqual((raw.contacts as Json[]).map((c) => `${c.memberState}:${c.recordId}`));
    for (const record of subject.records) {
      const name = (raw.names as Json[]).find((n) => n.source.recordId === record.id && !n.alias)!;
      expect(record.fields).toMatchObject({ givenName: name.givenName, familyName: name.familyName });
      expect(record.fields.aliases).toEqual((raw.names as Json[]).filter((n) => n.source.recordId === record.id && n.alias).map((n) => n.alias));
      expect(record.contact?.phone).toMatch(/^\+\d/);
    }
  });

  it('a DE analyst’s persons by passport: one line per state and field, its records counted, the contact phone', async () => {
    const answer = await demo.net.query(BY_DOCUMENT, { doc: PASSPORT }, await analyst('DE'));
    const persons = answer.body.data.persons as Json[];
    const model = readAnswer(answer.body);
    // Every record its own card, facts from its own record.
    expect(model.subjects.map((s) => s.id)).toEqual(persons.map((p) => `${p.memberState}:${p.id}`));
    expect(model.subjects.every((s) => s.confidence === 'SINGLE_RECORD' && s.records.length === 1)).toBe(true);
    const withheldDocuments = errorsOf(answer, 'NOT_RELEASED').filter((e) => e.path?.at(-1) === 'documents');
    expect(withheldDocuments.length).toBeGreaterThan(0);
    expectRolledUp(model);
    for (const state of new Set(withheldDocuments.map((e) => e.extensions.memberState as string))) {
      const records = new Set(withheldDocuments.filter((e) => e.extensions.memberState === state).map((e) => persons[e.path[1]].id));
      const documents = line(model, state, 'Person.documents', 'NOT_RELEASED');
      expect(documents, state).toMatchObject({ records: records.size, contact: { phone: persons.find((p) => p.memberState === state)!.contact.phone } });
      expect(documents!.references).toEqual(persons.filter((p) => records.has(p.id)).map((p) => p.contact.reference));
    }
    // Nothing with a state on its path is left to the "network" errors.
    expect(model.networkErrors).toEqual([]);
  });

  it('persons through Istanbul: FORBIDDEN under the state of the record on its path, refused searches per state, counts', async () => {
    for (const [state, refusers] of [
      ['BE', ['DE']],
      ['DE', ['NL', 'BE', 'FR']],
    ] as const) {
      const answer = await demo.net.query(ISTANBUL, {}, await analyst(state));
      const persons = answer.body.data.persons as Json[];
      const model = readAnswer(answer.body);
      expectRolledUp(model);
      const forbidden = errorsOf(answer, 'FORBIDDEN');
      expect(forbidden.length, state).toBeGreaterThan(0);
      expect(forbidden.every((e) => e.extensions.memberState === undefined)).toBe(true);
      for (const owner of new Set(persons.map((p) => p.memberState as string))) {
        const records = new Set(forbidden.filter((e) => persons[e.path[1]].memberState === owner).map((e) => persons[e.path[1]].id));
        expect(line(model, owner, 'Person.financialMeasures', 'FORBIDDEN')?.records, `${state} asks, ${owner}`).toBe(records.size);
        expect(line(model, owner, '', 'HOLDS_RECORD')?.records).toBe(persons.filter((p) => p.memberState === owner).length);
      }
      for (const refuser of refusers) {
        const refused = line(model, refuser, 'persons(filter.travelPlace)', 'NOT_RELEASED');
        expect(refused, `${refuser} refuses ${state}`).toMatchObject({ records: 0 });
        expect(refused!.reasons[0]).toContain('does not let you search persons by travelPlace');
      }
      expect(model.networkErrors).toEqual([]);
      const states = (answer.body as Json).extensions.hague.states as Json;
      expect(model.counts.map((c) => `${c.memberState}:${c.returned}:${c.more}`)).toEqual(
        Object.entries(states).map(([s, byKey]) => `${s}:${byKey.persons.returned}:${byKey.persons.more}`),
      );
      // Facts carry the fact's own handling code where the owner released one.
      const withTravel = model.subjects.find((s) => s.travel.length)!;
      const raw = persons.find((p) => `${p.memberState}:${p.id}` === withTravel.id)!;
      expect(withTravel.travel.map((l) => l.source.handling).sort()).toEqual((raw.travel as Json[]).map((l) => l.handling?.code ?? raw.handling?.code).sort());
    }
  });

  it('the same records under two aliases: one card each, facts once, counts per alias', async () => {
    const answer = await demo.net.query(ALIASES, { doc: PASSPORT }, await analyst('BE'));
    const first = answer.body.data.first as Json[];
    const model = readAnswer(answer.body);
    expect(model.subjects.map((s) => s.id)).toEqual(first.map((p) => `${p.memberState}:${p.id}`));
    for (const subject of model.subjects) {
      const raw = first.find((p) => `${p.memberState}:${p.id}` === subject.id)!;
      expect(subject.travel).toHaveLength((raw.travel as Json[]).length);
    }
    expect(new Set(model.counts.map((c) => c.key))).toEqual(new Set(['first', 'again']));
    expect(line(model, 'NL', '', 'HOLDS_RECORD')?.records).toBe(1);
  });

  it('persons inside organisations: each member a card linked to the organisation', async () => {
    const answer = await demo.net.query(ORGANISATIONS, {}, await analyst('BE'));
    const organisations = answer.body.data.organisations as Json[];
    const members = organisations.flatMap((o) => ((o.members ?? []) as Json[]).map((m) => ({ organisation: o, person: m.person as Json })));
    expect(members.length).toBeGreaterThan(0);
    const model = readAnswer(answer.body);
    for (const { organisation, person } of members) {
      const subject = model.subjects.find((s) => s.id === `${person.memberState}:${person.id}`);
      expect(subject, person.id).toBeDefined();
      expect(subject!.organisations.some((o) => o.key === `${organisation.memberState}:${organisation.id}` && o.kind === organisation.kind)).toBe(true);
    }
    // Organisations themselves are no person cards.
    expect(model.subjects.some((s) => s.id.includes('-O-'))).toBe(false);
  });

  it('a refused request: no subjects, its errors as errors of the whole request', async () => {
    const answer = await postQuery(
      demo.net.url,
      `{ persons(filter: { name: "Belhaouari" }) { memberState id } }`,
      {},
      { 'x-hague-purpose': 'counter-terrorism' },
    );
    expect(answer.status).toBe(401);
    const model = readAnswer(answer.body);
    expect(model.subjects).toEqual([]);
    expect(model.contacts).toEqual([]);
    expect(model.networkErrors).toHaveLength(1);
    expect(model.networkErrors[0]).toMatch(/^UNAUTHENTICATED: /);
    // And whatever else arrives, the reader does not throw.
    for (const odd of [{}, { data: null }, { data: { persons: [null, 3, 'x', { memberState: 'NL' }] }, errors: [null, 'x', { path: 'no' }] }]) {
      expect(() => readAnswer(odd as never)).not.toThrow();
    }
  });
});
