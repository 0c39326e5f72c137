import type { Caller } from '../../common/caller.ts';
import type { AuditLog } from '../../common/audit-log.ts';
import type { ReleasePolicy } from './release-policy.ts';
import type { Store } from './store.ts';

/**
 * Review dates (LED, Directive (EU) 2016/680, Art. 5: time limits for the erasure of personal data
 * or for a periodic review of the need to keep it). Each person record carries `review_due`
 * (migration 0009), set by an import's mapping or by the owner's policy default for its status
 * (`review: { defaults: { SUSPECT: 1y } }`). `hague review` lists what is due; a review records
 * the next date.
 *
 * A record is overdue once its review date has passed (review_due < today, UTC). What that does
 * to partners' answers is the owner's `review.overdue`:
 * - absent: nothing; the record is only listed by `hague review`;
 * - `hits-only`: partners get the HIT-tier fields of an overdue record (who holds it, whom to call)
 *   and every other field is NOT_RELEASED "under review"; they find it only by a search a HIT-tier
 *   partner may make (the owner's HIT search profile), so a search never confirms more than a hit;
 * - `withhold`: partners do not get the record at all: searches, lookups by id and organisations'
 *   member lists behave as if it were absent, so nothing can be inferred from it.
 * The owner's own callers always see everything.
 */

export const SUBJECT_STATUSES = ['SUSPECT', 'FOREIGN_TERRORIST_FIGHTER', 'RETURNEE', 'CONVICTED', 'ASSOCIATE', 'CLOSED'] as const;
export type SubjectStatus = (typeof SUBJECT_STATUSES)[number];

export const OVERDUE_MODES = ['withhold', 'hits-only'] as const;
export type OverdueMode = (typeof OVERDUE_MODES)[number];

/** A whole number of days, weeks, months or years: `3y`, `6m`, `26w`, `90d`. */
export interface ReviewPeriod {
  count: number;
  unit: 'd' | 'w' | 'm' | 'y';
}

/** The owner's review rules (release policy `review:`). */
export interface ReviewPolicy {
  /** Review period per status: a record without a review date of its own gets its date from these. */
  defaults: Partial<Record<SubjectStatus, ReviewPeriod>>;
  /** What partners get of an overdue record; absent: overdue records are only listed. */
  overdue?: OverdueMode;
}

const PERIOD = /^([1-9][0-9]{0,3})([dwmy])$/;

export function parseReviewPeriod(text: unknown): ReviewPeriod | null {
  const match = typeof text === 'string' ? PERIOD.exec(text.trim()) : null;
  return match ? { count: Number(match[1]), unit: match[2] as ReviewPeriod['unit'] } : null;
}

export function formatPeriod(period: ReviewPeriod): string {
  return `${period.count}${period.unit}`;
}

/** Whether `text` is a real calendar date YYYY-MM-DD. */
export function isIsoDate(text: unknown): text is string {
  if (typeof text !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const time = Date.parse(`${text}T00:00:00Z`);
  return Number.isFinite(time) && new Date(time).toISOString().slice(0, 10) === text;
}

/** `date` plus the period, YYYY-MM-DD; months and years are calendar months (31 January + 1m is 3 March, as JavaScript's Date rolls over). */
export function addPeriod(date: string, period: ReviewPeriod): string {
  const d = new Date(`${date}T00:00:00Z`);
  if (period.unit === 'd') d.setUTCDate(d.getUTCDate() + period.count);
  else if (period.unit === 'w') d.setUTCDate(d.getUTCDate() + 7 * period.count);
  else if (period.unit === 'm') d.setUTCMonth(d.getUTCMonth() + period.count);
  else d.setUTCFullYear(d.getUTCFullYear() + period.count);
  return d.toISOString().slice(0, 10);
}

/** The review date a record of `status` gets from the policy's defaults when written on `from`; null when the policy has none for it. */
export function defaultReviewDue(policy: Pick<ReleasePolicy, 'review'>, status: string, from: string): string | null {
  const period = policy.review?.defaults[status as SubjectStatus];
  return period ? addPeriod(from, period) : null;
}

/** Today in UTC, YYYY-MM-DD: the date overdue is measured against. */
export function reviewToday(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** Whole days from the review date to `asOf` (0 on the date itself, negative before it). */
export function daysOverdue(reviewDue: string, asOf: string): number {
  return Math.round((Date.parse(`${asOf}T00:00:00Z`) - Date.parse(`${reviewDue}T00:00:00Z`)) / 86_400_000);
}

/** How the owner's overdue rule applies to this caller: null for its own callers, or when it has none. */
export function overdueModeFor(policy: ReleasePolicy, caller: Caller): OverdueMode | null {
  if (caller.state === policy.memberState) return null;
  return policy.review?.overdue ?? null;
}

/** Whether a record's review date has passed on `today`. */
export function isOverdue(row: { review_due?: string | null }, today: string = reviewToday()): boolean {
  return typeof row.review_due === 'string' && row.review_due < today;
}

/** Whether the owner keeps this record from this caller as overdue under `mode` (the caller is a partner and the date passed). */
export function underReview(policy: ReleasePolicy, caller: Caller, row: { review_due?: string | null }, mode?: OverdueMode): boolean {
  const applied = overdueModeFor(policy, caller);
  if (applied === null || (mode !== undefined && applied !== mode)) return false;
  return isOverdue(row);
}

export interface DueRecord {
  id: string;
  name: string;
  status: string;
  reviewDue: string;
  daysOverdue: number;
}

/** Records whose review date is on or before `asOf`, oldest first. */
export async function dueRecords(store: Pick<Store, 'db'>, asOf: string): Promise<DueRecord[]> {
  const rows = await store.db
    .selectFrom('persons')
    .select(['id', 'given_name', 'family_name', 'status', 'review_due'])
    .where('review_due', 'is not', null)
    .where('review_due', '<=', asOf)
    .orderBy('review_due')
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    name: `${row.given_name} ${row.family_name}`.trim(),
    status: row.status,
    reviewDue: row.review_due!,
    daysOverdue: daysOverdue(row.review_due!, asOf),
  }));
}

export class UnknownRecordError extends Error {}

/**
 * Records a review: the record's next review date, and (when an audit log is given) an entry
 * `review` in the owner's audit chain with the previous and next dates and who reviewed it.
 */
export async function markReviewed(
  store: Pick<Store, 'db' | 'state'>,
  id: string,
  next: string,
  options: { auditLog?: AuditLog; operator?: string; at?: string } = {},
): Promise<{ id: string; previous: string | null; next: string }> {
  if (!isIsoDate(next)) throw new RangeError(`next review date '${String(next)}' is not a date YYYY-MM-DD`);
  const row = await store.db.selectFrom('persons').select(['id', 'review_due']).where('id', '=', id).executeTakeFirst();
  if (!row) throw new UnknownRecordError(`${store.state} holds no person record ${id}`);
  await store.db.updateTable('persons').set({ review_due: next }).where('id', '=', id).execute();
  const at = options.at ?? new Date().toISOString();
  await options.auditLog?.append('review', {
    at,
    memberState: store.state,
    record: { type: 'Person', id },
    previousReviewDue: row.review_due,
    nextReviewDue: next,
    ...(options.operator ? { operator: options.operator } : {}),
  });
  return { id, previous: row.review_due, next };
}

/**
 * Gives the records among `ids` that have no review date the policy's default for their status,
 * counted from `from` (YYYY-MM-DD): for importers whose source carries no review date. A record that
 * has a date keeps it. Returns how many records got one.
 */
export async function applyReviewDefaults(
  store: Pick<Store, 'db'>,
  policy: Pick<ReleasePolicy, 'review'>,
  ids: readonly string[],
  from: string,
): Promise<number> {
  const defaults = policy.review?.defaults ?? {};
  let set = 0;
  for (const [status, period] of Object.entries(defaults)) {
    if (!period) continue;
    for (let i = 0; i < ids.length; i += 1000) {
      const result = await store.db
        .updateTable('persons')
        .set({ review_due: addPeriod(from, period) })
        .where('id', 'in', ids.slice(i, i + 1000))
        .where('status', '=', status)
        .where('review_due', 'is', null)
        .executeTakeFirst();
      set += Number(result.numUpdatedRows);
    }
  }
  return set;
}

/**
 * Gives every record of the store that has no review date the policy's default for its status,
 * counted from `from`: after an import whose source carries no review date (`hague import`).
 * Returns how many records got one.
 */
export async function dateUndatedRecords(store: Pick<Store, 'db'>, policy: Pick<ReleasePolicy, 'review'>, from: string): Promise<number> {
  let set = 0;
  for (const [status, period] of Object.entries(policy.review?.defaults ?? {})) {
    if (!period) continue;
    const result = await store.db
      .updateTable('persons')
      .set({ review_due: addPeriod(from, period) })
      .where('status', '=', status)
      .where('review_due', 'is', null)
      .executeTakeFirst();
    set += Number(result.numUpdatedRows);
  }
  return set;
}
