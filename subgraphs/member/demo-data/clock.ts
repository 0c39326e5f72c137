import { DAY, REFERENCE_DATE, REFERENCE_MS, isoDate, isoMinute, ms } from './dates.ts';
import type { Rows } from './rows.ts';

// ---------------------------------------------------------------------------------------------
// The demo clock
// ---------------------------------------------------------------------------------------------

/**
 * The demo data is written relative to REFERENCE_DATE (2026-11-01) and placed on a clock
 * (`hague seed --as-of`, default today) by moving every dated fact by the same number of days:
 * travel, financial measures, listings and affiliations. Identities do not move (dates of birth,
 * document validity); dates in the owner's narrative move with them. A trip after the clock is a planned one: `planned` is derived from the moved
 * time, so the cast's flight booked 18 days after the reference date is still 18 days ahead.
 */

/** Earliest and latest accepted clock: the stories must stay after their own past. */
export const EARLIEST_AS_OF = '2020-01-01';
export const LATEST_AS_OF = '2099-12-31';

/** Today in UTC, YYYY-MM-DD: the default clock of `hague seed`. */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** Whether `text` is a real calendar date YYYY-MM-DD within the accepted range. */
export function isAsOfDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const time = ms(text);
  return Number.isFinite(time) && isoDate(time) === text && text >= EARLIEST_AS_OF && text <= LATEST_AS_OF;
}

/** Whole days from the reference date to the clock. */
export function clockShiftDays(asOf: string): number {
  return Math.round((ms(asOf) - REFERENCE_MS) / DAY);
}

const shiftDate = (date: string, days: number) => isoDate(ms(date) + days * DAY);

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAY_MONTH_YEAR = new RegExp(`\\b(\\d{1,2}) (${MONTHS.join('|')}) (\\d{4})\\b`, 'g');
const MONTH_YEAR = new RegExp(`(?<!\\d )\\b(${MONTHS.join('|')}) (\\d{4})\\b`, 'g');

/**
 * The same move in the owner's narrative: "left on 2 March 2026" moves by the same days as the
 * travel leg it tells of; "in March 2026" moves with its middle day. Bare years stay.
 */
export function shiftNarrative(text: string, days: number): string {
  if (days === 0) return text;
  const moved = (year: string, month: number, day: number) => new Date(Date.UTC(Number(year), month, day) + days * DAY);
  return text
    .replace(DAY_MONTH_YEAR, (_all, day: string, month: string, year: string) => {
      const d = moved(year, MONTHS.indexOf(month), Number(day));
      return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
    })
    .replace(MONTH_YEAR, (_all, month: string, year: string) => {
      const d = moved(year, MONTHS.indexOf(month), 15);
      return `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
    });
}

/** Moves a batch of generated rows from the reference date onto the clock `asOf`, and derives `planned` from it. */
export function placeOnClock(rows: Rows, asOf: string): void {
  const days = clockShiftDays(asOf);
  const clock = ms(asOf);
  for (const t of rows.travel_movements) {
    const at = Date.parse(t.at) + days * DAY;
    t.at = isoMinute(at);
    t.planned = at > clock ? 1 : 0;
  }
  if (days === 0) return;
  for (const p of rows.persons) if (p.background) p.background = shiftNarrative(p.background, days);
  for (const f of rows.financial_measures) f.since = shiftDate(f.since, days);
  for (const l of rows.watchlist_listings) l.listed_since = shiftDate(l.listed_since, days);
  for (const a of rows.affiliations) if (a.since) a.since = shiftDate(a.since, days);
}

export { REFERENCE_DATE };
