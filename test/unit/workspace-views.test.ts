import { describe, expect, it } from 'vitest';
import type { Movement } from '../../gateway/explorer/workspace/model.ts';
import { buildGraph } from '../../gateway/explorer/workspace/views/graph.ts';
import { buildRoute } from '../../gateway/explorer/workspace/views/map.ts';
import { buildTimeline } from '../../gateway/explorer/workspace/views/timeline.ts';
import { PASSPORT_TIMELINE_KINDS, fixtureModel, model, subject } from '../support/workspace-models.ts';

/**
 * The workspace's timeline, route map and link graph as data: what each view draws and lists, from a
 * model read from a real answer (passport EM482913 asked as a BE analyst of `hague dev`) and from
 * small models for the edge cases. The drawing itself: test/workspace-views-browser.test.ts.
 */

/** readAnswer's model of the answer to passport EM482913 a BE analyst got from `hague dev` (test/fixtures/README.md). */
const passport = fixtureModel('subject-EM482913-BE.answer.json');

function leg(at: string, from: [string, string], to: [string, string], memberState: string, planned = false): Movement {
  return {
    at,
    from: { city: from[0], country: from[1] },
    to: { city: to[0], country: to[1] },
    mode: 'AIR',
    planned,
    source: { memberState, recordId: `${memberState}-P-1` },
  };
}

describe('timeline', () => {
  it("puts the passport subject's travel, money and listings of NL, BE and FR on one axis, in time order, each with its source", () => {
    const { items, undated } = buildTimeline(passport);
    expect(undated).toEqual([]);
    expect(items.map((i) => i.kind)).toEqual(PASSPORT_TIMELINE_KINDS);
    expect(items.map((i) => i.time)).toEqual([...items.map((i) => i.time)].sort((a, b) => a - b));
    expect(new Set(items.map((i) => i.source.memberState))).toEqual(new Set(['NL', 'BE', 'FR']));
    expect(items[0]).toMatchObject({
      kind: 'travel',
      at: '2026-03-30T06:35:00Z',
      label: 'Brussels (BE) → Istanbul (TR), AIR Turkish Airlines TK1938',
      planned: false,
      sourceLabel: 'BE BE-P-000001 H0 B2',
    });
    const planned = items.filter((i) => i.planned);
    expect(planned).toHaveLength(1);
    expect(planned[0]).toMatchObject({ label: 'Amsterdam (NL) → Istanbul (TR), AIR Pegasus Airlines PC1252 (planned)', sourceLabel: 'NL NL-P-000001 H1 B2' });
    expect(items.find((i) => i.kind === 'money')).toMatchObject({ label: 'ASSET_FREEZE 6,120 EUR at ABN AMRO Bank N.V.', sourceLabel: 'NL NL-P-000001 H0 A1' });
    expect(items.find((i) => i.kind === 'listing')).toMatchObject({ label: 'Listed on BE national terrorism list (arrest)', at: '2026-04-07' });
  });

  it('keeps undated facts out of the axis but in the list; a measure with an end spans to it', () => {
    const s = subject('S', {
      money: [
        { kind: 'ASSET_FREEZE', since: '2026-01-01', until: '2026-06-30', source: { memberState: 'NL', recordId: 'NL-P-1' } },
        { kind: 'CASH_WITHDRAWAL', source: { memberState: 'BE', recordId: 'BE-P-1', handling: 'H3' } },
      ],
      listings: [{ list: 'EU list', listedSince: 'not a date', source: { memberState: 'FR', recordId: 'FR-P-1' } }],
    });
    const { items, undated } = buildTimeline(model(s));
    expect(items).toHaveLength(1);
    expect(items[0].until! - items[0].time).toBe(180 * 24 * 3600 * 1000);
    expect(undated.map((i) => [i.kind, i.sourceLabel])).toEqual([
      ['money', 'BE BE-P-1 H3'],
      ['listing', 'FR FR-P-1'],
    ]);
  });

  it('is empty for an answer without travel, money or listings', () => {
    expect(buildTimeline(model())).toEqual({ items: [], undated: [] });
    expect(buildTimeline(model(subject('S', {})))).toEqual({ items: [], undated: [] });
  });
});

describe('route map', () => {
  it('orders the legs of the passport subject in time, across the states that recorded them', () => {
    const { legs, places, unplaced } = buildRoute(passport);
    expect(unplaced).toEqual([]);
    expect(legs.map((l) => `${l.number}. ${l.from.city}→${l.to.city}${l.planned ? ' (planned)' : ''} ${l.source.memberState}`)).toEqual([
      '1. Brussels→Istanbul BE',
      '2. Istanbul→Gaziantep FR',
      '3. Gaziantep→Kilis FR',
      '4. Izmir→Athens NL',
      '5. Athens→Amsterdam NL',
      '6. Amsterdam→Istanbul (planned) NL',
    ]);
    expect(places.map((p) => p.city).sort()).toEqual(['Amsterdam', 'Athens', 'Brussels', 'Gaziantep', 'Istanbul', 'Izmir', 'Kilis']);
    expect(places.every((p) => !p.approximate)).toBe(true);
    expect(legs[2].to).toEqual({ city: 'Kilis', country: 'TR', lat: 36.72, lon: 37.12, approximate: false });
  });

  it("interleaves several subjects' legs by time, undated last, and marks a city it does not know as approximate", () => {
    const a = subject('A', {
      travel: [leg('2026-05-02T10:00:00Z', ['Paris', 'FR'], ['Tinytown', 'MA'], 'FR'), leg('garbage', ['Lyon', 'FR'], ['Nice', 'FR'], 'FR')],
    });
    const b = subject('B', { travel: [leg('2026-05-01T10:00:00Z', ['Berlin', 'DE'], ['Vienna', 'AT'], 'DE', true)] });
    const { legs, unplaced } = buildRoute(model(a, b));
    expect(unplaced).toEqual([]);
    expect(legs.map((l) => [l.number, l.subject, l.from.city, l.to.city, l.planned])).toEqual([
      [1, 'B', 'Berlin', 'Vienna', true],
      [2, 'A', 'Paris', 'Tinytown', false],
      [3, 'A', 'Lyon', 'Nice', false],
    ]);
    expect(legs[1].to.approximate).toBe(true);
    // Morocco's centroid.
    expect(legs[1].to.lat).toBeGreaterThan(27);
    expect(legs[1].to.lat).toBeLessThan(34);
    expect(legs[1].to.lon).toBeGreaterThan(-10);
    expect(legs[1].to.lon).toBeLessThan(-4);
  });

  it('lists a leg with a place in no country it knows as not on the map', () => {
    const s = subject('S', { travel: [leg('2026-05-01T10:00:00Z', ['Paris', 'FR'], ['Atlantis', 'XX'], 'FR')] });
    const { legs, unplaced } = buildRoute(model(s));
    expect(legs).toEqual([]);
    expect(unplaced).toEqual([{ movement: s.travel[0], subject: 'S', missing: ['Atlantis (XX)'] }]);
  });
});

describe('link graph', () => {
  it('links the passport subject to its NL, BE and FR records and each record to the organisation its owner links it to', () => {
    const { nodes, edges } = buildGraph(passport);
    const subjectId = 'subject:NL:NL-P-000001+BE:BE-P-000001+FR:FR-P-000001';
    expect(nodes.map((n) => [n.kind, n.id])).toEqual([
      ['subject', subjectId],
      ['record', 'record:NL:NL-P-000001'],
      ['record', 'record:BE:BE-P-000001'],
      ['record', 'record:FR:FR-P-000001'],
      ['organisation', 'organisation:NL:NL-O-001'],
      ['organisation', 'organisation:BE:BE-O-001'],
      ['organisation', 'organisation:FR:FR-O-001'],
    ]);
    expect(nodes.find((n) => n.id === 'record:BE:BE-P-000001')?.label).toBe('BE BE-P-000001\nAbdelkarim Belhaouari');
    expect(nodes.find((n) => n.id === 'organisation:NL:NL-O-001')).toEqual({
      id: 'organisation:NL:NL-O-001',
      kind: 'organisation',
      label: 'Katibat al-Muhajirin',
      memberState: 'NL',
      organisationKind: 'TERRORIST',
    });
    expect(edges.filter((e) => e.kind === 'linked').map((e) => [e.source, e.target, e.label])).toEqual([
      [subjectId, 'record:NL:NL-P-000001', 'linked by DOCUMENT, NAME_DOB (STRONG)'],
      [subjectId, 'record:BE:BE-P-000001', 'linked by DOCUMENT, NAME_DOB (STRONG)'],
      [subjectId, 'record:FR:FR-P-000001', 'linked by DOCUMENT, NAME_DOB (STRONG)'],
    ]);
    expect(edges.filter((e) => e.kind === 'affiliation').map((e) => [e.source, e.target, e.label, e.provenance?.handling])).toEqual([
      ['record:NL:NL-P-000001', 'organisation:NL:NL-O-001', 'recruiter, since 2024-06-29', 'H3'],
      ['record:BE:BE-P-000001', 'organisation:BE:BE-O-001', 'recruiter, since 2024-06-29', 'H1'],
      ['record:FR:FR-P-000001', 'organisation:FR:FR-O-001', 'member, since 2025-01-29', 'H1'],
    ]);
    // Every edge joins two nodes of the graph (cytoscape refuses dangling edges).
    const ids = new Set(nodes.map((n) => n.id));
    expect(edges.every((e) => ids.has(e.source) && ids.has(e.target))).toBe(true);
  });

  it('joins two subjects through an organisation they share, tells kinds apart and keeps a kind one owner released where another did not', () => {
    const org = { key: 'DE:DE-O-007', name: 'Gruppe Wainach', role: 'member', source: { memberState: 'DE', recordId: 'DE-P-1' } };
    const a = subject('A', {
      organisations: [
        { ...org, kind: 'ORGANISED_CRIME' },
        { key: 'DE:DE-O-001', name: 'Katibat', kind: 'TERRORIST', source: org.source },
      ],
    });
    const b = subject('B', { organisations: [{ ...org, role: 'enforcer', source: { memberState: 'AT', recordId: 'AT-P-2' } }] });
    const { nodes, edges } = buildGraph(model(a, b));
    const organisations = nodes.filter((n) => n.kind === 'organisation');
    expect(organisations.map((n) => [n.label, n.organisationKind, n.memberState])).toEqual([
      ['Gruppe Wainach', 'ORGANISED_CRIME', 'DE'],
      ['Katibat', 'TERRORIST', 'DE'],
    ]);
    // Records the facts name are nodes even when the answer did not select the records themselves.
    expect(nodes.filter((n) => n.kind === 'record').map((n) => n.id)).toEqual(['record:DE:DE-P-1', 'record:AT:AT-P-2']);
    expect(edges.filter((e) => e.target === 'organisation:DE:DE-O-007').map((e) => [e.source, e.label])).toEqual([
      ['record:DE:DE-P-1', 'member'],
      ['record:AT:AT-P-2', 'enforcer'],
    ]);
    expect(edges.find((e) => e.target === 'record:AT:AT-P-2')).toMatchObject({ source: 'subject:B', label: 'SINGLE_RECORD' });
  });

  it('has no nodes for an empty answer', () => {
    expect(buildGraph(model())).toEqual({ nodes: [], edges: [] });
  });
});
