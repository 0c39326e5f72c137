import { HANDLING_CODES } from '../handling.ts';
import {
  DOCUMENT_KINDS,
  FINANCIAL_MEASURE_KINDS,
  ORGANISATION_KINDS,
  SUBJECT_STATUSES,
  TRAVEL_MODES,
  type ImportMarking,
  type ImportProblem,
  type ImportRecord,
} from './records.ts';

/**
 * Checks an ImportRecord against the contract: every problem, each naming the contract field, the
 * value and what was expected. A mapping (mapping.ts) reports national field names before this; an
 * importer that builds records itself relies on this alone.
 */

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const COUNTRY = /^[A-Z]{2}$/;
const EVALUATION = /^[ABCX][1-4]$/;
/** Record and fact ids: what a national system uses, within reason (printable, no spaces at the ends). */
const ID = {
  test: (value: string) =>
    value.length >= 1 && value.length <= 200 && value.trim() === value && [...value].every((c) => c.charCodeAt(0) >= 0x20 && c !== '\u007f'),
};

export function isDay(value: unknown): value is string {
  if (typeof value !== 'string' || !DAY.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** An instant as stored for travel: to the minute, UTC (YYYY-MM-DDTHH:MM:00Z); undefined when not a time. */
export function instantMinute(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) return undefined;
  const text = value.length === 10 ? `${value}T00:00:00Z` : value.replace(' ', 'T');
  const ms = Date.parse(/(Z|[+-]\d{2}:?\d{2})$/.test(text) ? text : `${text}Z`);
  if (Number.isNaN(ms)) return undefined;
  return `${new Date(ms).toISOString().slice(0, 16)}:00Z`;
}

const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';
const optionalText = (value: unknown) => value === undefined || value === null || typeof value === 'string';

/** Records found valid, so the core does not check again what a reader (input.ts) just checked. */
const valid = new WeakSet<object>();

/** Whether validateRecord found this very object valid (it must not have been changed since). */
export function wasValidated(record: ImportRecord): boolean {
  return valid.has(record);
}

export function validateRecord(record: ImportRecord): ImportProblem[] {
  const problems = problemsOf(record);
  if (problems.length === 0) valid.add(record);
  return problems;
}

function problemsOf(record: ImportRecord): ImportProblem[] {
  const problems: ImportProblem[] = [];
  const bad = (field: string, value: unknown, expected: string) => problems.push({ field, value, expected });
  const r = record as unknown as Record<string, unknown>;
  if (typeof r !== 'object' || r === null) return [{ field: 'record', value: r, expected: 'expected an object' }];
  if (typeof record.id !== 'string' || !ID.test(record.id)) bad('id', record.id, 'expected the record id: 1-200 printable characters');
  if (!nonEmpty(record.givenName)) bad('givenName', record.givenName, 'expected a given name');
  if (!nonEmpty(record.familyName)) bad('familyName', record.familyName, 'expected a family name');
  if (record.dateOfBirth != null && !isDay(record.dateOfBirth)) bad('dateOfBirth', record.dateOfBirth, 'expected a date YYYY-MM-DD');
  if (record.reviewDue != null && !isDay(record.reviewDue)) bad('reviewDue', record.reviewDue, 'expected a date YYYY-MM-DD');
  if (!SUBJECT_STATUSES.includes(record.status)) bad('status', record.status, `expected one of ${SUBJECT_STATUSES.join(', ')}`);
  if (!optionalText(record.background)) bad('background', record.background, 'expected text');
  if (record.contact != null) {
    for (const key of ['unit', 'email', 'phone', 'reference'] as const) {
      if (!optionalText(record.contact[key])) bad(`contact.${key}`, record.contact[key], 'expected text');
    }
  }
  marking('', record, bad);
  list(record.aliases, 'aliases', bad, (alias, at) => {
    if (!nonEmpty(alias)) bad(at, alias, 'expected a name');
  });
  list(record.nationalities, 'nationalities', bad, (country, at) => {
    if (typeof country !== 'string' || !COUNTRY.test(country)) bad(at, country, 'expected a country code of two capital letters (ISO 3166-1), e.g. NL');
  });
  list(record.documents, 'documents', bad, (d, at) => {
    childId(d.id, at, bad);
    if (!nonEmpty(d.number)) bad(`${at}.number`, d.number, 'expected the document number');
    if (!DOCUMENT_KINDS.includes(d.kind)) bad(`${at}.kind`, d.kind, `expected one of ${DOCUMENT_KINDS.join(', ')}`);
    if (typeof d.issuingState !== 'string' || !COUNTRY.test(d.issuingState))
      bad(`${at}.issuingState`, d.issuingState, 'expected a country code of two capital letters');
    if (d.validUntil != null && !isDay(d.validUntil)) bad(`${at}.validUntil`, d.validUntil, 'expected a date YYYY-MM-DD');
  });
  list(record.travel, 'travel', bad, (t, at) => {
    childId(t.id, at, bad);
    if (instantMinute(t.at) === undefined) bad(`${at}.at`, t.at, 'expected a time YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM]');
    for (const end of ['from', 'to'] as const) {
      const place = t[end] as unknown as Record<string, unknown> | undefined;
      if (!place || typeof place !== 'object') bad(`${at}.${end}`, place, 'expected a place with city and country');
      else {
        if (!nonEmpty(place.city)) bad(`${at}.${end}.city`, place.city, 'expected a city');
        if (typeof place.country !== 'string' || !COUNTRY.test(place.country))
          bad(`${at}.${end}.country`, place.country, 'expected a country code of two capital letters');
      }
    }
    if (!TRAVEL_MODES.includes(t.mode)) bad(`${at}.mode`, t.mode, `expected one of ${TRAVEL_MODES.join(', ')}`);
    for (const key of ['carrier', 'reference', 'source'] as const) if (!optionalText(t[key])) bad(`${at}.${key}`, t[key], 'expected text');
    if (t.planned !== undefined && typeof t.planned !== 'boolean') bad(`${at}.planned`, t.planned, 'expected true or false');
    marking(`${at}.`, t, bad);
  });
  list(record.financialMeasures, 'financialMeasures', bad, (f, at) => {
    childId(f.id, at, bad);
    if (!FINANCIAL_MEASURE_KINDS.includes(f.kind)) bad(`${at}.kind`, f.kind, `expected one of ${FINANCIAL_MEASURE_KINDS.join(', ')}`);
    if (!isDay(f.since)) bad(`${at}.since`, f.since, 'expected a date YYYY-MM-DD');
    if (f.amount != null && (typeof f.amount !== 'number' || !Number.isFinite(f.amount))) bad(`${at}.amount`, f.amount, 'expected a number');
    if (f.currency != null && (typeof f.currency !== 'string' || !/^[A-Z]{3}$/.test(f.currency)))
      bad(`${at}.currency`, f.currency, 'expected a currency code of three capital letters, e.g. EUR');
    for (const key of ['institution', 'legalBasis'] as const) if (!optionalText(f[key])) bad(`${at}.${key}`, f[key], 'expected text');
    marking(`${at}.`, f, bad);
  });
  list(record.listings, 'listings', bad, (l, at) => {
    childId(l.id, at, bad);
    if (!nonEmpty(l.list)) bad(`${at}.list`, l.list, 'expected the name of the list');
    if (!isDay(l.listedSince)) bad(`${at}.listedSince`, l.listedSince, 'expected a date YYYY-MM-DD');
    for (const key of ['reason', 'action'] as const) if (!optionalText(l[key])) bad(`${at}.${key}`, l[key], 'expected text');
    marking(`${at}.`, l, bad);
  });
  list(record.affiliations, 'affiliations', bad, (a, at) => {
    childId(a.id, at, bad);
    const o = a.organisation as unknown as Record<string, unknown> | undefined;
    if (!o || typeof o !== 'object' || typeof o.id !== 'string' || !ID.test(o.id)) bad(`${at}.organisation.id`, o?.id, 'expected the organisation id');
    else {
      if (o.name !== undefined && !nonEmpty(o.name)) bad(`${at}.organisation.name`, o.name, 'expected a name');
      if (o.kind !== undefined && !ORGANISATION_KINDS.includes(o.kind as never))
        bad(`${at}.organisation.kind`, o.kind, `expected one of ${ORGANISATION_KINDS.join(', ')}`);
    }
    if (!optionalText(a.role)) bad(`${at}.role`, a.role, 'expected text');
    if (a.since != null && !isDay(a.since)) bad(`${at}.since`, a.since, 'expected a date YYYY-MM-DD');
    marking(`${at}.`, a, bad);
  });
  return problems;
}

function list<T>(value: T[] | undefined, field: string, bad: (field: string, value: unknown, expected: string) => void, each: (item: T, at: string) => void) {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) {
    bad(field, value, 'expected a list');
    return;
  }
  value.forEach((item, i) => {
    if (item === null || item === undefined) bad(`${field}[${i}]`, item, 'expected a value');
    else each(item, `${field}[${i}]`);
  });
}

function childId(id: unknown, at: string, bad: (field: string, value: unknown, expected: string) => void) {
  if (id !== undefined && (typeof id !== 'string' || !ID.test(id))) bad(`${at}.id`, id, 'expected an id: 1-200 printable characters');
}

function marking(prefix: string, m: ImportMarking, bad: (field: string, value: unknown, expected: string) => void) {
  if (m.handling != null && !(HANDLING_CODES as readonly string[]).includes(m.handling))
    bad(`${prefix}handling`, m.handling, `expected one of ${HANDLING_CODES.join(', ')}`);
  if (m.handling === 'H3' && !nonEmpty(m.restriction))
    bad(`${prefix}restriction`, m.restriction ?? null, 'expected the owner’s restriction in words (handling code H3)');
  if (m.evaluation != null && (typeof m.evaluation !== 'string' || !EVALUATION.test(m.evaluation)))
    bad(`${prefix}evaluation`, m.evaluation, 'expected a source reliability A, B, C or X and an accuracy 1-4, e.g. B2');
}
