import type { GraphQLFormattedError } from 'graphql';
import type { CheckTravellerQuery } from './generated/graphql.ts';
import type { HttpExchange } from './http-trace.ts';

/**
 * The partner app's report on a border check, built from Apollo Client's partial answer
 * (errorPolicy 'all': data and errors side by side) and printed for an officer. Pure: no I/O.
 */

export type TravellerRecord = CheckTravellerQuery['persons'][number];

/** A field of a record that came back null, and why. */
export interface WithheldField {
  /** The field of the record, e.g. documents. */
  field: string;
  /** Where in the answer, e.g. persons.1.documents. */
  path: string;
  /** NOT_RELEASED (the owner's release rules) or FORBIDDEN (a network rule), or another code. */
  code: string;
  reason: string;
}

/** One member state's record of the traveller: what it released and what it withheld. */
export interface RecordReport {
  memberState: string;
  id: string;
  record: TravellerRecord;
  withheld: WithheldField[];
}

/** A member state that did not answer: its records (if any) are missing from the check. */
export interface UnavailableState {
  memberState: string;
  /** extensions.reason: TIMEOUT, HTTP_ERROR, UNREACHABLE, BAD_RESPONSE... */
  reason: string;
  message: string;
}

export interface ErrorEntry {
  path: string | null;
  message: string;
}

/** Errors grouped by member state (extensions.memberState, else the record at the error's path; `network` when neither), then by code. */
export type ErrorsByState = Record<string, Record<string, ErrorEntry[]>>;

export interface TravellerCheck {
  documentNumber: string;
  /** The states holding a record under this document number, in the gateway's merge order. */
  holders: string[];
  records: RecordReport[];
  unavailable: UnavailableState[];
  /** States that refused the search itself (their search profile or budget): with the owner's reason. */
  refusals: Array<{ memberState: string; code: string; message: string }>;
  errorsByState: ErrorsByState;
  /** Set when the check got no data at all (e.g. UNAUTHENTICATED, gateway unreachable). */
  failure: string | null;
}

export interface ApqSummary {
  /** Requests that carried only the hash, no query text. */
  hashOnly: number;
  /** Hash-only requests the gateway did not know yet (PERSISTED_QUERY_NOT_FOUND). */
  notFound: number;
  /** Full-text requests that registered a hash after a PERSISTED_QUERY_NOT_FOUND. */
  registered: number;
  /** Hash-only requests the gateway accepted (answered with data). */
  hashOnlyAccepted: number;
}

export interface CallerSummary {
  /** The state whose identity provider issued the token (from the token's issuer, unverified: the gateway verifies). */
  state: string | null;
  subject: string | null;
  roles: string[];
  clearance: string | null;
  purpose: string;
  caseReference: string | null;
}

export interface Report {
  gateway: string;
  caller: CallerSummary;
  checks: TravellerCheck[];
  requests: HttpExchange[];
  apq: ApqSummary;
}

const text = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);
const codeOf = (error: GraphQLFormattedError): string => text(error.extensions?.code, 'UNKNOWN');
const pathText = (path: readonly (string | number)[] | undefined): string | null => (path?.length ? path.join('.') : null);

/** Builds one check's report from the answer's data and errors. */
export function buildCheck(
  documentNumber: string,
  data: CheckTravellerQuery | undefined,
  errors: readonly GraphQLFormattedError[],
  failure: string | null = null,
): TravellerCheck {
  const persons = data?.persons ?? [];
  const records: RecordReport[] = persons.map((record) => ({ memberState: record.memberState, id: record.id, record, withheld: [] }));
  const unavailable: UnavailableState[] = [];
  const refusals: TravellerCheck['refusals'] = [];
  const errorsByState: ErrorsByState = {};
  for (const error of errors) {
    const code = codeOf(error);
    const path = error.path ?? [];
    // persons.<n>.<field>...: the record the error is about.
    const index = path[0] === 'persons' && typeof path[1] === 'number' ? path[1] : undefined;
    const record = index !== undefined ? records[index] : undefined;
    const state = typeof error.extensions?.memberState === 'string' ? error.extensions.memberState : (record?.memberState ?? 'network');
    ((errorsByState[state] ??= {})[code] ??= []).push({ path: pathText(path), message: error.message });
    if (code === 'MEMBER_UNAVAILABLE') {
      unavailable.push({ memberState: state, reason: text(error.extensions?.reason, 'UNAVAILABLE'), message: error.message });
    } else if (record && typeof path[2] === 'string') {
      record.withheld.push({ field: path[2], path: pathText(path)!, code, reason: error.message });
    } else if (!record && path.length === 1 && path[0] === 'persons' && (code === 'NOT_RELEASED' || code === 'RATE_LIMITED')) {
      refusals.push({ memberState: state, code, message: error.message });
    }
  }
  return { documentNumber, holders: [...new Set(records.map((r) => r.memberState))], records, unavailable, refusals, errorsByState, failure };
}

export function summariseApq(requests: HttpExchange[]): ApqSummary {
  const summary: ApqSummary = { hashOnly: 0, notFound: 0, registered: 0, hashOnlyAccepted: 0 };
  let pendingNotFound = false;
  for (const r of requests) {
    if (!r.persistedQueryHash) continue;
    if (!r.sentQuery) {
      summary.hashOnly++;
      if (r.errorCodes.includes('PERSISTED_QUERY_NOT_FOUND')) {
        summary.notFound++;
        pendingNotFound = true;
      } else if (r.hasData) summary.hashOnlyAccepted++;
    } else if (pendingNotFound) {
      summary.registered++;
      pendingNotFound = false;
    }
  }
  return summary;
}

// ---------------------------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------------------------

const list = (values: readonly string[] | null | undefined) => (values?.length ? values.join(', ') : '-');
const or = (value: string | number | null | undefined, fallback = '-') => (value === null || value === undefined || value === '' ? fallback : String(value));

/** The report as an officer reads it on a terminal. */
export function formatReport(report: Report): string {
  const out: string[] = [];
  const c = report.caller;
  out.push(`Hague partner app: border check via ${report.gateway}`);
  out.push(
    `caller: ${[or(c.state, 'unknown state'), c.subject].filter(Boolean).join(' ')} (roles ${list(c.roles)}, clearance ${or(c.clearance)}), purpose ${c.purpose}${c.caseReference ? `, case ${c.caseReference}` : ''}`,
  );
  for (const check of report.checks) {
    out.push('', ...formatCheck(check));
  }
  out.push('', 'Requests (automatic persisted queries):');
  for (const r of report.requests) {
    const sent = r.sentQuery ? `query text + hash (${r.requestBytes} B)` : `hash only (${r.requestBytes} B)`;
    const answer = r.errorCodes.includes('PERSISTED_QUERY_NOT_FOUND')
      ? 'PERSISTED_QUERY_NOT_FOUND'
      : r.hasData
        ? `data${r.errorCodes.length ? ` + ${r.errorCodes.length} error(s)` : ''}`
        : `no data${r.errorCodes.length ? ` (${[...new Set(r.errorCodes)].join(', ')})` : ''}`;
    out.push(
      `  #${r.n} ${r.method.padEnd(4)} ${or(r.operationName, '(anonymous)')}: ${sent} -> HTTP ${r.status}${r.contentEncoding ? ` ${r.contentEncoding}` : ''}, ${answer}${r.cacheControl ? `, cache-control ${r.cacheControl}` : ''} [${r.ms} ms]`,
    );
  }
  const a = report.apq;
  out.push(
    `  APQ: ${a.hashOnly} hash-only request(s), ${a.notFound} not yet known to the gateway, ${a.registered} registered with the full query, ${a.hashOnlyAccepted} accepted by hash alone`,
  );
  return `${out.join('\n')}\n`;
}

function formatCheck(check: TravellerCheck): string[] {
  const out: string[] = [];
  const unavailable = check.unavailable.map((u) => u.memberState);
  if (check.failure) {
    out.push(`Document ${check.documentNumber}: check failed: ${check.failure}`);
    return out;
  }
  out.push(
    `Document ${check.documentNumber}: ${check.holders.length ? `records held by ${check.holders.join(', ')} (${check.records.length})` : 'no record in the states that answered'}${unavailable.length ? `; not answering: ${[...new Set(unavailable)].join(', ')}` : ''}`,
  );
  for (const { memberState, id, record, withheld } of check.records) {
    const name = [record.givenName, record.familyName?.toUpperCase()].filter(Boolean).join(' ') || '(name withheld)';
    out.push(
      `  ${memberState} ${id}: ${name}${record.status ? `, ${record.status}` : ''}${record.dateOfBirth ? `, born ${record.dateOfBirth}` : ''}${record.nationalities?.length ? `, nationalities ${record.nationalities.join(', ')}` : ''}`,
    );
    const ct = record.contact;
    out.push(
      `     contact: ${ct.agency}${ct.unit ? `, ${ct.unit}` : ''}${ct.phone ? `, ${ct.phone}` : ''}${ct.email ? `, ${ct.email}` : ''}; quote ${ct.reference}`,
    );
    if (record.aliases?.length) out.push(`     aliases: ${record.aliases.join('; ')}`);
    for (const d of record.documents ?? [])
      out.push(`     document: ${d.kind} ${d.number} (${d.issuingState}${d.validUntil ? `, valid until ${d.validUntil}` : ''})`);
    for (const t of record.travel ?? []) {
      out.push(
        `     travel${t.planned ? ' (planned)' : ''}: ${t.at.slice(0, 16).replace('T', ' ')} ${t.from.city} (${t.from.country}) -> ${t.to.city} (${t.to.country}) ${t.mode}${t.carrier ? ` ${t.carrier}` : ''}${t.reference ? ` ${t.reference}` : ''}${t.source ? ` [${t.source}]` : ''}`,
      );
    }
    for (const l of record.listings ?? [])
      out.push(`     listed: ${l.list} since ${l.listedSince}${l.reason ? `: ${l.reason}` : ''}${l.action ? ` -> ON A HIT: ${l.action}` : ''}`);
    for (const f of record.financialMeasures ?? [])
      out.push(
        `     financial: ${f.kind} ${f.since}${f.amount !== null && f.amount !== undefined ? ` ${f.amount} ${or(f.currency, '')}` : ''}${f.institution ? ` at ${f.institution}` : ''}`,
      );
    if (record.background) out.push(`     background: ${record.background}`);
    // Released (not null) but empty: the owner holds none, which is not the same as withholding them.
    const none = (['documents', 'travel', 'listings', 'financialMeasures'] as const).filter((f) => Array.isArray(record[f]) && record[f].length === 0);
    if (none.length) out.push(`     none on record: ${none.join(', ')}`);
    for (const w of withheld) out.push(`     withheld ${w.field} (${w.code}): ${w.reason}`);
  }
  for (const u of check.unavailable) out.push(`  ${u.memberState} unavailable (${u.reason}): ${u.message}`);
  for (const r of check.refusals) out.push(`  ${r.memberState} refused the search (${r.code}): ${r.message}`);
  const groups = Object.entries(check.errorsByState).map(
    ([state, codes]) =>
      `${state} ${Object.entries(codes)
        .map(([code, entries]) => `${code} x${entries.length}`)
        .join(', ')}`,
  );
  if (groups.length) out.push(`  errors by state: ${groups.join('; ')}`);
  return out;
}
