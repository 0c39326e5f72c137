import { Random, hashSeed } from './random.ts';
import { DAY, isoDate, ms } from './dates.ts';
import type { Rows } from './rows.ts';

// ---------------------------------------------------------------------------------------------
// Review dates of the demo data (review.ts, LED Art. 5)
// ---------------------------------------------------------------------------------------------

/** Review period in days per status, as an owner's policy might set them (config/policies/*.yaml `review.defaults`). */
const PERIOD_DAYS: Record<string, number> = {
  FOREIGN_TERRORIST_FIGHTER: 3 * 365,
  RETURNEE: 3 * 365,
  CONVICTED: 3 * 365,
  SUSPECT: 365,
  ASSOCIATE: 365,
  CLOSED: 180,
};

/**
 * Every seeded person's review date, relative to the demo clock `asOf`: about 3 in 100 are overdue
 * (1 to 120 days), about 5 in 100 fall due within the next 30 days, the others lie later within their
 * status's period. The shared cast (`castIds`) is never overdue, so the tour's answers stay whole
 * under any owner's `review.overdue`. Drawn from a stream of their own per person id, so the other
 * demo data stays as it was.
 */
export function assignReviewDates(rows: Rows, asOf: string, castIds: ReadonlySet<string>): void {
  const clock = ms(asOf);
  for (const person of rows.persons) {
    const rng = new Random(hashSeed(`review:${person.id}`));
    const roll = rng.next();
    const period = PERIOD_DAYS[person.status] ?? 365;
    let days: number;
    if (roll < 0.03 && !castIds.has(person.id)) days = -(1 + Math.floor(rng.next() * 120));
    else if (roll < 0.08) days = Math.floor(rng.next() * 31);
    else days = 31 + Math.floor(rng.next() * Math.max(1, period - 31));
    person.review_due = isoDate(clock + days * DAY);
  }
}
