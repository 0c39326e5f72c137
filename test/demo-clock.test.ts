import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../subgraphs/member/store.ts';
import { REFERENCE_DATE, seedMember } from '../subgraphs/member/seed.ts';
import { clockShiftDays, isAsOfDate, shiftNarrative, todayUtc } from '../subgraphs/member/demo-data/clock.ts';
import { runCli } from './support/network.ts';
import { prepareDemoStore } from '../cli/dev.ts';

/**
 * The demo clock (`hague seed --as-of`): the cast's stories were written for 2026-11-01 and move with
 * the clock, whole days at a time; a trip after the clock is planned. Dates asserted exactly for two
 * fixed clocks.
 */

let dir: string;
const stores: Store[] = [];
async function seeded(asOf?: string): Promise<Store> {
  const store = await openStore(join(dir, `nl-${asOf ?? 'default'}.db`), 'NL');
  stores.push(store);
  await seedMember(store, { persons: 60, ...(asOf ? { asOf } : {}) });
  return store;
}

async function belhawari(store: Store) {
  const travel = await store.db
    .selectFrom('travel_movements')
    .select(['at', 'from_city', 'to_city', 'planned'])
    .where('person_id', '=', 'NL-P-000001')
    .orderBy('at')
    .execute();
  const listings = await store.db.selectFrom('watchlist_listings').select(['list', 'listed_since']).where('person_id', '=', 'NL-P-000001').execute();
  const person = await store.db.selectFrom('persons').selectAll().where('id', '=', 'NL-P-000001').executeTakeFirstOrThrow();
  const documents = await store.db.selectFrom('identity_documents').select(['number', 'valid_until']).where('person_id', '=', 'NL-P-000001').execute();
  return { travel, listings, person, documents };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hague-clock-'));
});
afterAll(async () => {
  for (const store of stores) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('seedMember on a demo clock', () => {
  it('keeps the reference layout by default: the flight booked for 19 November 2026 is planned on 2026-11-01', async () => {
    const nl = await belhawari(await seeded());
    expect(REFERENCE_DATE).toBe('2026-11-01');
    expect(nl.travel).toEqual([
      { at: '2026-09-14T16:20:00Z', from_city: 'Izmir', to_city: 'Athens', planned: 0 },
      { at: '2026-09-15T07:05:00Z', from_city: 'Athens', to_city: 'Amsterdam', planned: 0 },
      { at: '2026-11-19T11:15:00Z', from_city: 'Amsterdam', to_city: 'Istanbul', planned: 1 },
    ]);
  });

  it('moves travel, listings, freezes and the narrative by whole days; identities stay; a trip after the clock is planned', async () => {
    const store = await seeded('2026-11-29');
    const nl = await belhawari(store);
    expect(clockShiftDays('2026-11-29')).toBe(28);
    expect(nl.travel).toEqual([
      { at: '2026-10-12T16:20:00Z', from_city: 'Izmir', to_city: 'Athens', planned: 0 },
      { at: '2026-10-13T07:05:00Z', from_city: 'Athens', to_city: 'Amsterdam', planned: 0 },
      { at: '2026-12-17T11:15:00Z', from_city: 'Amsterdam', to_city: 'Istanbul', planned: 1 },
    ]);
    expect(nl.listings).toContainEqual({ list: 'NL national terrorism list', listed_since: '2026-10-18' });
    // Identity does not move with the clock.
    expect(nl.person.date_of_birth).toBe('1991-02-07');
    expect(nl.documents).toContainEqual({ number: 'EM482913', valid_until: '2029-05-18' });
    expect(nl.person.background).toBe(
      'Returned from Syria via Izmir and Athens, landing at Schiphol on 13 October 2026. Listed nationally on 18 October 2026 and his account frozen on 21 October 2026. A new flight to Istanbul is booked for 17 December 2026.',
    );

    // The Dutch freeze of Amezzian (12 June 2026 on the reference clock) moves by the same 28 days.
    const freeze = await store.db
      .selectFrom('financial_measures')
      .select(['kind', 'since'])
      .where('person_id', '=', 'NL-P-000002')
      .where('kind', '=', 'ASSET_FREEZE')
      .executeTakeFirstOrThrow();
    expect(freeze.since).toBe('2026-07-10');

    // planned is derived from the clock for every leg of every person, cast and generated alike.
    const all = await store.db.selectFrom('travel_movements').select(['at', 'planned']).execute();
    for (const t of all) expect(t.planned).toBe(t.at > '2026-11-29' ? 1 : 0);
    expect(all.some((t) => t.planned === 1)).toBe(true);
  });

  it('an earlier clock moves every story back by the same days', async () => {
    const nl = await belhawari(await seeded('2026-10-01'));
    // 31 days earlier: the flight moves to 19 October, 18 days after this clock, still planned;
    // the September legs move to August.
    expect(nl.travel.map((t) => [t.at, t.planned])).toEqual([
      ['2026-08-14T16:20:00Z', 0],
      ['2026-08-15T07:05:00Z', 0],
      ['2026-10-19T11:15:00Z', 1],
    ]);
  });

  it('rejects a clock that is not a date, naming what to give', async () => {
    const store = await openStore(join(dir, 'bad.db'), 'NL');
    stores.push(store);
    await expect(seedMember(store, { persons: 5, asOf: '2026-02-30' })).rejects.toThrow(
      'asOf must be a date YYYY-MM-DD from 2020-01-01 to 2099-12-31, got 2026-02-30',
    );
    expect(isAsOfDate('2026-11-29')).toBe(true);
    expect(isAsOfDate('29-11-2026')).toBe(false);
  });

  it('moves dates in the narrative with the facts they tell of', () => {
    expect(shiftNarrative('Left on 2 March 2026, back in September 2026, listed since 2024.', 28)).toBe(
      'Left on 30 March 2026, back in October 2026, listed since 2024.',
    );
    expect(shiftNarrative('on 30 December 2025', 3)).toBe('on 2 January 2026');
  });
});

describe('hague seed --as-of', () => {
  it('places the data on the given clock and says so; defaults to today', async () => {
    const fixed = await runCli(['seed', '--state', 'NL', '--persons', '10', '--database', join(dir, 'cli-fixed.db'), '--as-of', '2026-12-01']);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain('seeded NL (seed 1, as of 2026-12-01)');
    const store = await openStore(join(dir, 'cli-fixed.db'), 'NL');
    stores.push(store);
    // 30 days after the reference date: the flight booked for 19 November moves to 19 December.
    const flight = await store.db.selectFrom('travel_movements').select(['at', 'planned']).where('reference', '=', 'PC1252').executeTakeFirst();
    expect(flight).toEqual({ at: '2026-12-19T11:15:00Z', planned: 1 });

    const today = await runCli(['seed', '--state', 'NL', '--persons', '5', '--database', join(dir, 'cli-today.db')]);
    expect(today.code).toBe(0);
    expect(today.stdout).toContain(`as of ${todayUtc()}`);
  });

  it('refuses a malformed --as-of with a message naming the flag', async () => {
    const bad = await runCli(['seed', '--state', 'NL', '--persons', '5', '--database', join(dir, 'cli-bad.db'), '--as-of', '1 December']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("--as-of '1 December' is not a date YYYY-MM-DD from 2020-01-01 to 2099-12-31, e.g. 2026-11-01");
  });
});

describe('hague dev on a later day: the data folder is re-placed on the demo clock', () => {
  const planned = async (database: string) => {
    const store = await openStore(database, 'NL');
    try {
      return await store.db
        .selectFrom('travel_movements')
        .select(['at', 'planned'])
        .where('person_id', '=', 'NL-P-000001')
        .orderBy('at', 'desc')
        .executeTakeFirstOrThrow();
    } finally {
      await store.close();
    }
  };

  it('moves every date to the new clock (same persons, same ids), keeps it with keepClock, and reuses data already on the clock', async () => {
    const database = join(dir, 'dev-NL.db');
    expect(await prepareDemoStore(database, 'NL', { persons: 30, asOf: '2026-11-01', progress: false })).toMatch(
      /^seeded 30 persons on the demo clock 2026-11-01 in [\d.]+ s$/,
    );
    expect(await planned(database)).toEqual({ at: '2026-11-19T11:15:00Z', planned: 1 });

    // Same clock: reused as it is.
    expect(await prepareDemoStore(database, 'NL', { persons: 30, asOf: '2026-11-01', progress: false })).toBe('reused, 30 persons, demo clock 2026-11-01');
    // A month later the booked flight would be in the past; --keep-clock leaves it so.
    expect(await prepareDemoStore(database, 'NL', { persons: 500, asOf: '2026-12-01', keepClock: true, progress: false })).toBe(
      'reused, 30 persons, demo clock 2026-11-01',
    );
    // Otherwise the same 30 persons are re-placed: the flight is 18 days ahead of the new clock again.
    expect(await prepareDemoStore(database, 'NL', { persons: 500, asOf: '2026-12-01', progress: false })).toMatch(
      /^re-placed 30 persons on the demo clock 2026-12-01 \(seeded for 2026-11-01\) in [\d.]+ s$/,
    );
    expect(await planned(database)).toEqual({ at: '2026-12-19T11:15:00Z', planned: 1 });
  });
});
