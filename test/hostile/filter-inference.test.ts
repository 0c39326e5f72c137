import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNetwork, type TestNetwork } from '../support/network.ts';

/**
 * Inference through filters counts as a release. NL (config/policies/NL.yaml) releases only hits
 * to ES, SUMMARY to DE, FULL to BE and FR but documents only to CONFIDENTIAL callers. A partner
 * that may not see a value must not learn it by searching for it: criteria outside its search
 * profile are refused before any data is read, and the searches it may make are few enough that
 * guessing a withheld date of birth takes weeks.
 */

const SUBJECT = {
  id: 'NL-1',
  givenName: 'Abdelkarim',
  familyName: 'Belhawari',
  dateOfBirth: '1991-02-07',
  status: 'RETURNEE',
  passport: 'EM482913',
  nationalities: ['BE', 'MA'],
};
const OTHERS = Array.from({ length: 5 }, (_, i) => ({
  id: `NL-${i + 2}`,
  givenName: 'Yusuf',
  familyName: `Amezian${'x'.repeat(i)}`,
  dateOfBirth: `1984-11-2${i}`,
  status: 'SUSPECT',
}));

let net: TestNetwork;
beforeAll(async () => {
  // Every caller's state is a member (its identity provider is known); only NL holds records.
  net = await startNetwork({ states: ['NL', 'BE', 'FR', 'DE', 'ES'], policies: 'config', data: { NL: [SUBJECT, ...OTHERS] } });
});
afterAll(async () => {
  await net?.close();
});

type Answer = { data: Record<string, unknown> | null; errors?: Array<{ message: string; path?: unknown[]; extensions: Record<string, unknown> }> };
async function ask(headers: Record<string, string>, query: string): Promise<{ status: number; body: Answer }> {
  const res = await fetch(net.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  return { status: res.status, body: (await res.json()) as Answer };
}
const nlErrors = (body: Answer) => (body.errors ?? []).filter((e) => e.extensions.memberState === 'NL');

describe('a HIT-tier partner (ES) searching NL', () => {
  let es: Record<string, string>;
  beforeAll(async () => {
    es = await net.as({ state: 'ES', roles: ['analyst'], clearance: 'SECRET', subject: 'es-prober' });
  });

  it.each([
    ['status alone', '{ status: RETURNEE }', 'status'],
    ['nationality alone', '{ nationality: "MA" }', 'nationality'],
    ['date of birth alone', '{ dateOfBirth: "1991-02-07" }', 'dateOfBirth'],
    ['a name alone', '{ name: "Belhawari" }', 'name'],
    ['a name with a status', '{ name: "Belhawari", status: RETURNEE }', 'status'],
  ])('is refused a search by %s: NOT_RELEASED naming the criterion, no record', async (_what, filter, criterion) => {
    const { body } = await ask(es, `{ persons(filter: ${filter}, memberStates: [NL]) { memberState id } }`);
    expect(body.data).toBeNull();
    const [error] = nlErrors(body);
    expect(error.extensions).toEqual({ code: 'NOT_RELEASED', memberState: 'NL', field: `persons(filter.${criterion})`, tier: 'HIT' });
    expect(error.message).toMatch(
      /^NL does not let ES \(HIT tier\) search persons by .+; its search profile allows: name \+ dateOfBirth \(exact names\); documentNumber$/,
    );
  });

  it('may confirm an identity it holds (name and date of birth, exact names), and a near name does not confirm it', async () => {
    const hit = await ask(
      es,
      `{ persons(filter: { name: "Abdelkarim Belhawari", dateOfBirth: "1991-02-07" }, memberStates: [NL]) { memberState id dateOfBirth } }`,
    );
    expect(hit.body.data).toEqual({ persons: [{ memberState: 'NL', id: 'NL-1', dateOfBirth: null }] });
    expect(nlErrors(hit.body).map((e) => e.extensions.code)).toEqual(['NOT_RELEASED']); // the date itself stays withheld
  });

  it('cannot guess a withheld date of birth: its budget (10 searches an hour, 20 a day, aliases counted) runs out long before a year of dates', async () => {
    const prober = await net.as({ state: 'ES', roles: ['analyst'], clearance: 'SECRET', subject: 'es-dob-guesser' });
    const days = Array.from({ length: 365 }, (_, i) => new Date(Date.UTC(1991, 0, 1 + i)).toISOString().slice(0, 10));
    let answered = 0;
    let found: string | null = null;
    let refusedWith: Record<string, unknown> | undefined;
    for (let start = 0; start < days.length && !refusedWith; start += 10) {
      const guesses = days.slice(start, start + 10);
      const query = `{ ${guesses.map((d, i) => `g${i}: persons(filter: { name: "Abdelkarim Belhawari", dateOfBirth: "${d}" }, memberStates: [NL]) { id }`).join(' ')} }`;
      const { body } = await ask(prober, query);
      const limited = nlErrors(body).find((e) => e.extensions.code === 'RATE_LIMITED');
      if (limited) {
        refusedWith = limited.extensions;
        break;
      }
      answered += guesses.length;
      guesses.forEach((d, i) => {
        if ((body.data?.[`g${i}`] as unknown[] | undefined)?.length) found = d;
      });
    }
    expect(answered).toBe(10); // the hour's budget; the day allows 20: a year of dates takes 19 days
    expect(found).toBeNull(); // 10 guesses from January 1st: the 7 February birthday is not among them
    expect(refusedWith).toEqual({ code: 'RATE_LIMITED', memberState: 'NL', retryAfter: expect.any(Number) });
    expect(refusedWith!.retryAfter).toBeGreaterThan(0);
    expect(refusedWith!.retryAfter).toBeLessThanOrEqual(3600);
    // The refusal is on the owner's record.
    const refusals = await net.members.get('NL')!.store.db.selectFrom('audit_log').select('withheld').where('caller_subject', '=', 'es-dob-guesser').execute();
    expect(refusals.some((r) => r.withheld.includes('"refused":"RATE_LIMITED"'))).toBe(true);
  });
});

describe("a partner excluded by NL's field rules", () => {
  it('is refused a search by document number when NL withholds documents from it (FR, RESTRICTED), and answered when cleared', async () => {
    const restricted = await net.as({ state: 'FR', roles: ['analyst'], clearance: 'RESTRICTED' });
    const refused = await ask(restricted, `{ persons(filter: { documentNumber: "EM482913" }, memberStates: [NL]) { id } }`);
    expect(refused.body.data).toBeNull();
    expect(nlErrors(refused.body)).toEqual([
      {
        message:
          'NL does not let you search persons by documentNumber: NL releases documents to callers with CONFIDENTIAL clearance or higher (yours: RESTRICTED)',
        path: ['persons'],
        extensions: { code: 'NOT_RELEASED', memberState: 'NL', field: 'persons(filter.documentNumber)', tier: 'FULL' },
      },
    ]);
    const cleared = await net.as({ state: 'FR', roles: ['analyst'], clearance: 'CONFIDENTIAL' });
    const answered = await ask(cleared, `{ persons(filter: { documentNumber: "EM482913" }, memberStates: [NL]) { id } }`);
    expect(answered.body).toEqual({
      data: { persons: [{ id: 'NL-1' }] },
      extensions: { hague: { states: { NL: { persons: { returned: 1, more: false } } } } },
    });
  });

  it('SUMMARY (DE) may narrow a name by nationality and status, the values it is released anyway', async () => {
    const de = await net.as({ state: 'DE', roles: ['analyst'], clearance: 'SECRET' });
    const { body } = await ask(de, `{ persons(filter: { name: "Belhawari", nationality: "MA", status: RETURNEE }, memberStates: [NL]) { id status } }`);
    expect(body).toEqual({
      data: { persons: [{ id: 'NL-1', status: 'RETURNEE' }] },
      extensions: { hague: { states: { NL: { persons: { returned: 1, more: false } } } } },
    });
  });
});
