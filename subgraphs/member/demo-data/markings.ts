import type { HandlingColumns } from '../store-schema.ts';
import { markingColumns, type Marking } from '../handling.ts';
import { Random, hashSeed } from './random.ts';
import type { Rows } from './rows.ts';

// ---------------------------------------------------------------------------------------------
// Handling codes and evaluations of the demo data
// ---------------------------------------------------------------------------------------------

/**
 * The owner's handling code and evaluation of every seeded record and fact, as an analyst would
 * expect them: most H0/H1 with B2 or C3, official acts (freezes, UN/EU listings, API/PNR data) A1 or
 * B2, informant and liaison reporting H2 with C3, and a few H3 with the owner's restriction in
 * words. Drawn from a stream of their own per row id, so the other demo data stays as it was.
 */

const H3_RESTRICTIONS = {
  source: 'Source protection: not to be disclosed outside counter-terrorism units; consult the owner before any action.',
  thirdCountry: 'Not to be passed to third countries or international organisations without the owner’s written consent.',
  fiu: 'Financial intelligence: not to be disseminated beyond FIUs and counter-terrorism units without the owner FIU’s prior consent.',
  operation: 'Ongoing operation: no contact with the subject and no overt checks until the owner lifts this restriction.',
} as const;

function draw(rng: Random, items: ReadonlyArray<readonly [Marking, number]>): Marking {
  return rng.weighted(items);
}

const rngOf = (table: string, id: string) => new Random(hashSeed(`marking:${table}:${id}`));

function personMarking(id: string, status: string): Marking {
  const rng = rngOf('persons', id);
  return draw(rng, [
    [{ handling: 'H1', evaluation: 'B2' }, 45],
    [{ handling: 'H0', evaluation: 'B2' }, status === 'CONVICTED' ? 60 : 15],
    [{ handling: 'H1', evaluation: 'C3' }, 20],
    [{ handling: 'H2', evaluation: 'B3' }, 10],
    [{ handling: 'H3', restriction: H3_RESTRICTIONS.operation, evaluation: 'B2' }, status === 'SUSPECT' ? 5 : 2],
  ]);
}

function travelMarking(id: string, source: string | null): Marking {
  const rng = rngOf('travel_movements', id);
  const text = (source ?? '').toLowerCase();
  if (text.includes('informant'))
    return draw(rng, [
      [{ handling: 'H2', evaluation: 'C3' }, 6],
      [{ handling: 'H3', restriction: H3_RESTRICTIONS.source, evaluation: 'C3' }, 4],
    ]);
  if (text.includes('liaison') || text.includes('partner service'))
    return draw(rng, [
      [{ handling: 'H2', evaluation: 'B3' }, 6],
      [{ handling: 'H3', restriction: H3_RESTRICTIONS.thirdCountry, evaluation: 'B2' }, 2],
      [{ handling: 'H1', evaluation: 'C3' }, 2],
    ]);
  return draw(rng, [
    [{ handling: 'H0', evaluation: 'A1' }, 3],
    [{ handling: 'H1', evaluation: 'B2' }, 6],
    [{ handling: 'H0', evaluation: 'B2' }, 3],
  ]);
}

function financialMarking(id: string, kind: string): Marking {
  const rng = rngOf('financial_measures', id);
  if (kind === 'ASSET_FREEZE') return { handling: 'H0', evaluation: 'A1' };
  if (kind === 'SUSPICIOUS_TRANSACTION_REPORT')
    return draw(rng, [
      [{ handling: 'H3', restriction: H3_RESTRICTIONS.fiu, evaluation: 'B2' }, 5],
      [{ handling: 'H2', evaluation: 'C3' }, 5],
    ]);
  return draw(rng, [
    [{ handling: 'H1', evaluation: 'B2' }, 7],
    [{ handling: 'H2', evaluation: 'B2' }, 2],
    [{ handling: 'H3', restriction: H3_RESTRICTIONS.fiu, evaluation: 'B2' }, 1],
  ]);
}

function listingMarking(id: string, list: string): Marking {
  if (list.startsWith('UN ') || list.startsWith('EU ')) return { handling: 'H0', evaluation: 'A1' };
  return draw(rngOf('watchlist_listings', id), [
    [{ handling: 'H1', evaluation: 'B2' }, 7],
    [{ handling: 'H0', evaluation: 'A1' }, 3],
  ]);
}

function affiliationMarking(id: string): Marking {
  return draw(rngOf('affiliations', id), [
    [{ handling: 'H1', evaluation: 'C3' }, 5],
    [{ handling: 'H1', evaluation: 'B2' }, 3],
    [{ handling: 'H2', evaluation: 'C3' }, 2],
    [{ handling: 'H3', restriction: H3_RESTRICTIONS.source, evaluation: 'C3' }, 1],
  ]);
}

function mark<T extends Partial<HandlingColumns>>(row: T, marking: Marking): void {
  Object.assign(row, markingColumns(marking));
}

/** Sets the handling code and evaluation of every record and fact in a batch of rows. */
export function markRows(rows: Rows): void {
  for (const p of rows.persons) mark(p, personMarking(p.id, p.status));
  for (const t of rows.travel_movements) mark(t, travelMarking(t.id, t.source ?? null));
  for (const f of rows.financial_measures) mark(f, financialMarking(f.id, f.kind));
  for (const l of rows.watchlist_listings) mark(l, listingMarking(l.id, l.list));
  for (const a of rows.affiliations) mark(a, affiliationMarking(a.id));
}
