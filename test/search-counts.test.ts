import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPolicy, startNetwork, type TestNetwork } from './support/network.ts';

/**
 * Results ordered by match score across states, and per state how many records were returned and
 * whether more exist (extensions.hague.states), through the real gateway (issue 14, item 5).
 */

let net: TestNetwork;

beforeAll(async () => {
  net = await startNetwork({
    states: ['NL', 'BE', 'FR'],
    policies: {
      NL: openPolicy('NL'),
      BE: openPolicy('BE'),
      // FR releases only SUMMARY to NL callers: no travel, no search by a fact, by status or kind alone.
      FR: { ...openPolicy('FR'), partners: { NL: 'SUMMARY' } },
    },
    data: {
      // NL first in network order, with the weaker matches.
      NL: [
        { id: 'NL-1', givenName: 'Karim', familyName: 'Belhawari' },
        { id: 'NL-2', givenName: 'Karima', familyName: 'Belhaouari' },
        { id: 'NL-3', givenName: 'Karim', familyName: 'Belhaouary' },
      ],
      BE: [{ id: 'BE-1', givenName: 'Karim', familyName: 'Belhaouari' }],
      FR: [
        { id: 'FR-1', givenName: 'Karim', familyName: 'Belhaouari' },
        { id: 'FR-2', givenName: 'Karim', familyName: 'Belhawari' },
      ],
    },
  });
}, 60_000);
afterAll(async () => {
  await net?.close();
});

type Row = { memberState: string; id: string; matchScore?: number | null };
const keys = (rows: Row[]) => rows.map((r) => `${r.memberState}:${r.id}`);

describe('order across states', () => {
  it('merges persons best match first, whether or not matchScore is selected; ties keep network order', async () => {
    const scored = await net.query(`{ persons(filter: { name: "Karim Belhaouari" }) { memberState id matchScore } }`);
    expect(scored.body.errors).toBeUndefined();
    const rows = scored.body.data.persons as Row[];
    expect(rows).toHaveLength(6);
    const scores = rows.map((r) => r.matchScore!);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    // Equal scores keep network order (NL, BE, FR); the list is not in network order: BE's exact match
    // comes before NL's weaker variants although NL answers first.
    const network = ['NL', 'BE', 'FR'];
    for (let i = 1; i < rows.length; i++) {
      if (scores[i] === scores[i - 1]) expect(network.indexOf(rows[i].memberState)).toBeGreaterThanOrEqual(network.indexOf(rows[i - 1].memberState));
    }
    expect(scores[0]).toBe(1);
    const beExact = keys(rows).indexOf('BE:BE-1');
    expect(keys(rows).slice(beExact + 1)).toContain('NL:NL-1');
    const plain = await net.query(`{ persons(filter: { name: "Karim Belhaouari" }) { memberState id } }`);
    expect(keys(plain.body.data.persons)).toEqual(keys(rows));
  });

  it('keeps network order when no name was searched (no scores)', async () => {
    const answer = await net.query(`{ persons(filter: { status: SUSPECT }, memberStates: [NL, BE]) { memberState id } }`);
    expect(answer.body.errors).toBeUndefined();
    expect(keys(answer.body.data.persons)).toEqual(['NL:NL-1', 'NL:NL-2', 'NL:NL-3', 'BE:BE-1']);
  });

  it("re-indexes a state's errors to where its records went in the merged list", async () => {
    // FR withholds travel from NL callers: one NOT_RELEASED per FR record, at that record's merged index.
    const answer = await net.query(`{ persons(filter: { name: "Karim Belhaouari" }) { memberState id travel { at } } }`);
    const rows = answer.body.data.persons as Row[];
    const errors = answer.body.errors ?? [];
    expect(errors.length).toBe(2);
    for (const error of errors) {
      expect(error.extensions).toMatchObject({ code: 'NOT_RELEASED', memberState: 'FR' });
      const [root, index, field] = error.path!;
      expect([root, field]).toEqual(['persons', 'travel']);
      expect(rows[index as number].memberState).toBe('FR');
    }
    expect(new Set(errors.map((e) => rows[e.path![1] as number].id))).toEqual(new Set(['FR-1', 'FR-2']));
  });
});

describe('per-state counts (extensions.hague.states)', () => {
  it('says per state and list how many records came back and whether more exist', async () => {
    const answer = await net.query(`{ persons(filter: { name: "Karim Belhaouari" }, first: 2) { id } }`);
    expect(answer.body.data.persons).toHaveLength(5);
    const extensions = (answer.body as { extensions?: Record<string, any> }).extensions;
    expect(extensions?.hague).toEqual({
      states: {
        NL: { persons: { returned: 2, more: true } },
        BE: { persons: { returned: 1, more: false } },
        FR: { persons: { returned: 2, more: false } },
      },
    });
  });

  it('counts each aliased list apart, and only the states asked', async () => {
    const answer = await net.query(`{
      exact: persons(filter: { name: "Karim Belhaouari" }, first: 1, memberStates: [BE, FR]) { id }
      org: organisations(filter: { kind: TERRORIST }, memberStates: [NL, BE]) { id }
    }`);
    expect(answer.body.errors).toBeUndefined();
    expect((answer.body as { extensions?: Record<string, any> }).extensions?.hague.states).toEqual({
      NL: { org: { returned: 0, more: false } },
      BE: { exact: { returned: 1, more: false }, org: { returned: 0, more: false } },
      FR: { exact: { returned: 1, more: true } },
    });
  });

  it('leaves out a state that refused the search (its error says why), and the scores stay between members and gateway', async () => {
    // FR (SUMMARY to NL) refuses a search by travel place; NL and BE answer.
    const answer = await net.query(`{ persons(filter: { travelPlace: { country: "TR" } }) { id } }`);
    expect(answer.body.errors?.[0].extensions).toMatchObject({ code: 'NOT_RELEASED', memberState: 'FR', field: 'persons(filter.travelPlace)' });
    const hague = (answer.body as { extensions?: Record<string, any> }).extensions?.hague;
    expect(hague).toEqual({ states: { NL: { persons: { returned: 0, more: false } }, BE: { persons: { returned: 0, more: false } } } });
  });

  it('counts for subjects the records each state returned to be linked, and whether it holds more', async () => {
    const answer = await net.query(`{ subjects(filter: { name: "Karim Belhaouari" }) { id } }`);
    expect(answer.body.errors).toBeUndefined();
    expect((answer.body as { extensions?: Record<string, any> }).extensions?.hague.states).toEqual({
      NL: { subjects: { returned: 3, more: false } },
      BE: { subjects: { returned: 1, more: false } },
      FR: { subjects: { returned: 2, more: false } },
    });
  });

  it('is absent when no list was searched', async () => {
    const answer = await net.query(`{ person(memberState: NL, id: "NL-1") { id } }`);
    expect(answer.body.data.person).toEqual({ id: 'NL-1' });
    expect((answer.body as { extensions?: Record<string, any> }).extensions?.hague).toBeUndefined();
  });
});
