import type { Random } from './random.ts';

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

/** The reference date of the demo data: "now" for recent and planned travel. */
export const REFERENCE_DATE = '2026-11-01';

export const DAY = 86_400_000;
export const REFERENCE_MS = Date.parse(`${REFERENCE_DATE}T00:00:00Z`);
export const ms = (isoDate: string) => Date.parse(`${isoDate}T00:00:00Z`);
export const isoDate = (time: number) => new Date(time).toISOString().slice(0, 10);
export const isoMinute = (time: number) => `${new Date(time).toISOString().slice(0, 16)}:00Z`;
export function randomDay(rng: Random, from: string | number, to: string | number): number {
  const a = typeof from === 'string' ? ms(from) : from;
  const b = typeof to === 'string' ? ms(to) : to;
  return a + Math.floor(rng.next() * Math.max(1, (b - a) / DAY)) * DAY;
}
export const yearOf = (isoDateText: string) => Number(isoDateText.slice(0, 4));
export const pad = (n: number, width: number) => String(n).padStart(width, '0');
