import SQLite from 'better-sqlite3';
import type { JWK } from 'jose';
import pg from 'pg';
import { AuditLogBroken, displayLocation, isPostgresLocation, verifyAuditLog, type AuditVerification } from '../common/audit-log.ts';
import { nameWords } from '../common/search-bounds.ts';

/**
 * `hague audit report`: a verified audit log (a member state's or the gateway's) read for a
 * data-protection officer: who consulted which records, when and why, grouped by partner state
 * (caller state → subject → requests with purpose, case, criteria, records and the fields released
 * or withheld, refusals), and the patterns worth a look:
 * - probing: one caller searching the same name (normalised: lowercase ASCII words, sorted) at
 *   least PROBE_SEARCHES times with at least PROBE_VARIANTS distinct combinations of the other
 *   criteria (dateOfBirth, status, nationality, documentNumber, kind) within the window;
 * - repeated refusals: one caller refused by the search budget (RATE_LIMITED) or the search profile
 *   (NOT_RELEASED, FORBIDDEN) at least REFUSALS times within the window.
 * Pure functions over the rows of readAuditEntries, so the CLI and tests share them.
 */

export interface AuditRow {
  seq: number;
  at: string;
  kind: string;
  entry: Record<string, unknown>;
}

/**
 * The entries at `location` within [since, until] (by their `at`), read only after the whole log
 * verified with the owner's public key; a broken log throws AuditLogBroken. Reads the `entries`
 * table of common/audit-log.ts read-only (SQLite file, or the hague_audit schema in PostgreSQL).
 */
export async function readAuditEntries(
  location: string,
  publicKey: JWK,
  filter: { since?: string; until?: string } = {},
): Promise<{ verification: Extract<AuditVerification, { ok: true }>; rows: AuditRow[] }> {
  const verification = await verifyAuditLog(location, publicKey);
  if (!verification.ok) throw new AuditLogBroken(displayLocation(location), verification.firstBad);
  const since = filter.since === undefined ? -Infinity : new Date(filter.since).getTime();
  const until = filter.until === undefined ? Infinity : new Date(filter.until).getTime();
  let raw: Array<{ seq: number | string; at: string; kind: string; entry: string }>;
  if (isPostgresLocation(location)) {
    const client = new pg.Client({ connectionString: location, connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      raw = (await client.query('SELECT seq, at, kind, entry FROM hague_audit.entries ORDER BY seq')).rows as typeof raw;
    } finally {
      await client.end();
    }
  } else {
    const db = new SQLite(location, { readonly: true, fileMustExist: true });
    try {
      raw = db.prepare('SELECT seq, at, kind, entry FROM entries ORDER BY seq').all() as typeof raw;
    } finally {
      db.close();
    }
  }
  const rows = raw
    .filter((row) => {
      const at = new Date(row.at).getTime();
      return at >= since && at <= until;
    })
    .map((row) => ({ seq: Number(row.seq), at: row.at, kind: row.kind, entry: JSON.parse(row.entry) as Record<string, unknown> }));
  return { verification, rows };
}

export const PROBE_SEARCHES = 5;
export const PROBE_VARIANTS = 3;
export const REFUSALS = 3;

const PROFILE_CODES = new Set(['NOT_RELEASED', 'FORBIDDEN']);
const BUDGET_CODES = new Set(['RATE_LIMITED']);

export interface ReportRecord {
  type: string;
  id: string;
  tier: string;
  released: string[];
  withheld: Array<{ field: string; code: string }>;
  hitOnly: boolean;
}

export interface ReportRequest {
  seq: number;
  at: string;
  requestId: string | null;
  kind: string;
  purpose: string | null;
  caseReference: string | null;
  operation: string | null;
  criteria: Array<{ field: string; args: Record<string, unknown>; refused?: string }>;
  outcome: string;
  code?: string;
  reason?: string;
  records: ReportRecord[];
  /** Gateway entries: per state asked, whether it answered and how many records it returned. */
  states?: Record<string, { answered: boolean; records: number; failed?: string }>;
}

export interface ReportSubject {
  agency: string | null;
  subject: string;
  roles: string[];
  clearance: string | null;
  requests: ReportRequest[];
}

export interface ReportState {
  state: string;
  requests: number;
  refused: number;
  records: number;
  subjects: ReportSubject[];
}

export type ReportFlag =
  | {
      kind: 'probing';
      state: string;
      agency: string | null;
      subject: string;
      name: string;
      searches: number;
      variants: number;
      varied: string[];
      from: string;
      to: string;
      requestIds: string[];
    }
  | {
      kind: 'repeated-refusals';
      state: string;
      agency: string | null;
      subject: string;
      refusals: number;
      budget: number;
      profile: number;
      from: string;
      to: string;
      requestIds: string[];
    };

export interface AuditReport {
  owner: string | null;
  window: { since: string | null; until: string | null };
  entries: number;
  states: ReportState[];
  flags: ReportFlag[];
  /**
   * The owner's own changes to its records (`hague import`: record-insert, record-change,
   * record-erase): rectification and erasure on record, apart from partners' consultations.
   */
  recordChanges: ReportRecordChange[];
}

export interface ReportRecordChange {
  seq: number;
  at: string;
  kind: 'record-insert' | 'record-change' | 'record-erase';
  record: string;
  /** Names of the fields set or changed (never their values). */
  fields: string[];
  /** The import file (name, SHA-256) or the operator. */
  by: string;
}

const RECORD_KINDS = new Set(['record-insert', 'record-change', 'record-erase']);

function recordChangeOf(row: AuditRow): ReportRecordChange {
  const e = row.entry;
  const file = isObj(e.import) ? e.import : null;
  const by = [
    file ? `${str(file.file) ?? '?'} (sha256 ${(str(file.sha256) ?? '').slice(0, 12)})${typeof e.line === 'number' ? ` line ${e.line}` : ''}` : null,
    str(e.operator) ? `operator ${str(e.operator)}` : null,
  ]
    .filter(Boolean)
    .join(', ');
  return {
    seq: row.seq,
    at: row.at,
    kind: row.kind as ReportRecordChange['kind'],
    record: str(e.record) ?? '?',
    fields: Array.isArray(e.fields) ? e.fields.map(String) : [],
    by: by || 'unknown',
  };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function requestOf(row: AuditRow): ReportRequest {
  const e = row.entry;
  const operation = isObj(e.operation) ? str(e.operation.name) : null;
  const criteria = (Array.isArray(e.criteria) ? e.criteria : []).filter(isObj).map((c) => ({
    field: String(c.field),
    args: isObj(c.args) ? c.args : {},
    ...(isObj(c.refused) && typeof c.refused.code === 'string' ? { refused: c.refused.code } : {}),
  }));
  const records = (Array.isArray(e.records) ? e.records : []).filter(isObj).map((r) => ({
    type: String(r.type),
    id: String(r.id),
    tier: String(r.tier),
    released: Array.isArray(r.released) ? r.released.map(String) : [],
    withheld: (Array.isArray(r.withheld) ? r.withheld : []).filter(isObj).map((w) => ({ field: String(w.field), code: String(w.code) })),
    hitOnly: r.hitOnly === true,
  }));
  const request: ReportRequest = {
    seq: row.seq,
    at: str(e.at) ?? row.at,
    requestId: str(e.requestId),
    kind: row.kind,
    purpose: str(e.purpose),
    caseReference: str(e.caseReference),
    operation,
    criteria,
    outcome: str(e.outcome) ?? row.kind,
    records,
  };
  if (row.kind === 'gateway-request') {
    const states = isObj(e.states) ? e.states : {};
    request.states = Object.fromEntries(
      Object.entries(states)
        .filter(([, s]) => isObj(s))
        .map(([state, s]) => {
          const st = s as Obj;
          return [state, { answered: st.answered === true, records: Number(st.records ?? 0), ...(typeof st.failed === 'string' ? { failed: st.failed } : {}) }];
        }),
    );
    const errors = Array.isArray(e.errors) ? e.errors.map(String) : [];
    request.outcome = errors.length === 0 ? 'answered' : 'answered with errors';
    if (errors.length > 0) request.code = [...new Set(errors)].join(', ');
  } else if (row.kind === 'gateway-refusal') {
    request.outcome = 'refused';
    if (str(e.code)) request.code = str(e.code)!;
    if (str(e.reason)) request.reason = str(e.reason)!;
    if (e.status === 429 && !request.code) request.code = 'RATE_LIMITED';
  } else {
    if (str(e.code)) request.code = str(e.code)!;
    if (str(e.reason)) request.reason = str(e.reason)!;
  }
  return request;
}

/** Refused by the search budget or the search profile (whole request or one of its searches). */
function refusalKind(request: ReportRequest): 'budget' | 'profile' | null {
  if (request.outcome === 'refused' && request.code && BUDGET_CODES.has(request.code)) return 'budget';
  if (request.criteria.some((c) => c.refused && PROFILE_CODES.has(c.refused))) return 'profile';
  if (request.outcome === 'refused' && request.code && PROFILE_CODES.has(request.code)) return 'profile';
  return null;
}

const isRefused = (request: ReportRequest) => request.outcome === 'refused' || request.criteria.some((c) => c.refused);

export function buildReport(rows: AuditRow[], options: { owner: string | null; since?: string; until?: string }): AuditReport {
  const states = new Map<string, Map<string, ReportSubject>>();
  const recordChanges: ReportRecordChange[] = [];
  for (const row of rows) {
    if (RECORD_KINDS.has(row.kind)) {
      recordChanges.push(recordChangeOf(row));
      continue;
    }
    const caller = isObj(row.entry.caller) ? row.entry.caller : null;
    const state = str(caller?.state) ?? '(no caller)';
    const agency = str(caller?.agency);
    const subject = str(caller?.subject) ?? '(unauthenticated)';
    const key = `${agency ?? ''}\u0000${subject}`;
    const subjects = states.get(state) ?? new Map<string, ReportSubject>();
    states.set(state, subjects);
    let s = subjects.get(key);
    if (!s) {
      s = {
        agency,
        subject,
        roles: Array.isArray(caller?.roles) ? caller.roles.map(String) : [],
        clearance: str(caller?.clearance),
        requests: [],
      };
      subjects.set(key, s);
    }
    s.requests.push(requestOf(row));
  }

  const byState: ReportState[] = [...states.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([state, subjects]) => {
      const list = [...subjects.values()].sort((a, b) => `${a.agency ?? ''}/${a.subject}`.localeCompare(`${b.agency ?? ''}/${b.subject}`));
      const requests = list.flatMap((s) => s.requests);
      return {
        state,
        requests: requests.length,
        refused: requests.filter(isRefused).length,
        records: requests.reduce((n, r) => n + (r.states ? Object.values(r.states).reduce((m, st) => m + st.records, 0) : r.records.length), 0),
        subjects: list,
      };
    });

  const flags: ReportFlag[] = [];
  for (const state of byState) {
    for (const s of state.subjects) {
      // probing: the same normalised name, many searches, varying other criteria
      const byName = new Map<string, Array<{ request: ReportRequest; others: Obj }>>();
      for (const request of s.requests) {
        for (const criterion of request.criteria) {
          const filter = isObj(criterion.args.filter) ? criterion.args.filter : null;
          const name = typeof filter?.name === 'string' ? nameWords(filter.name).sort().join(' ') : '';
          if (!filter || name === '') continue;
          const { name: _name, ...others } = filter;
          const list = byName.get(`${criterion.field}\u0000${name}`) ?? [];
          list.push({ request, others: Object.fromEntries(Object.entries(others).filter(([, v]) => v !== null && v !== undefined)) });
          byName.set(`${criterion.field}\u0000${name}`, list);
        }
      }
      for (const [key, searches] of byName) {
        const variants = new Set(searches.map((x) => JSON.stringify(Object.entries(x.others).sort(([a], [b]) => a.localeCompare(b)))));
        if (searches.length < PROBE_SEARCHES || variants.size < PROBE_VARIANTS) continue;
        const varied = [...new Set(searches.flatMap((x) => Object.keys(x.others)))]
          .filter((field) => new Set(searches.map((x) => JSON.stringify(x.others[field] ?? null))).size > 1)
          .sort();
        const ats = searches.map((x) => x.request.at).sort();
        flags.push({
          kind: 'probing',
          state: state.state,
          agency: s.agency,
          subject: s.subject,
          name: key.split('\u0000')[1],
          searches: searches.length,
          variants: variants.size,
          varied,
          from: ats[0],
          to: ats.at(-1)!,
          requestIds: [...new Set(searches.map((x) => x.request.requestId ?? `#${x.request.seq}`))],
        });
      }
      // repeated refusals by budget or profile
      const refused = s.requests.map((request) => ({ request, why: refusalKind(request) })).filter((x) => x.why !== null);
      if (refused.length >= REFUSALS) {
        const ats = refused.map((x) => x.request.at).sort();
        flags.push({
          kind: 'repeated-refusals',
          state: state.state,
          agency: s.agency,
          subject: s.subject,
          refusals: refused.length,
          budget: refused.filter((x) => x.why === 'budget').length,
          profile: refused.filter((x) => x.why === 'profile').length,
          from: ats[0],
          to: ats.at(-1)!,
          requestIds: refused.map((x) => x.request.requestId ?? `#${x.request.seq}`),
        });
      }
    }
  }
  return {
    owner: options.owner,
    window: { since: options.since ?? null, until: options.until ?? null },
    entries: rows.length,
    states: byState,
    flags,
    recordChanges,
  };
}

const who = (x: { agency: string | null; subject: string }) => (x.agency ? `${x.agency}/${x.subject}` : x.subject);

function argsText(args: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(args)) {
    if (isObj(value)) {
      for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) parts.push(`${k}: ${JSON.stringify(v)}`);
    } else if (value !== null && value !== undefined) parts.push(`${key}: ${JSON.stringify(value)}`);
  }
  return parts.join(', ');
}

/** The report as text, for a data-protection officer. */
export function formatReport(report: AuditReport, heading: string): string {
  const out: string[] = [heading];
  const window = report.window.since || report.window.until ? `${report.window.since ?? 'start'} to ${report.window.until ?? 'now'}` : 'the whole log';
  out.push(`window: ${window}; ${report.entries} entries from ${report.states.length} partner state${report.states.length === 1 ? '' : 's'}`);
  for (const state of report.states) {
    out.push('');
    out.push(
      `${state.state}: ${state.requests} request${state.requests === 1 ? '' : 's'}, ${state.refused} refused, ${state.records} record${state.records === 1 ? '' : 's'} released, ` +
        `${state.subjects.length} subject${state.subjects.length === 1 ? '' : 's'}`,
    );
    for (const s of state.subjects) {
      out.push(`  ${who(s)}${s.roles.length ? ` (${s.roles.join(', ')}${s.clearance ? `; ${s.clearance}` : ''})` : s.clearance ? ` (${s.clearance})` : ''}`);
      for (const r of s.requests) {
        const why = [r.purpose ?? 'no purpose', r.caseReference ? `case ${r.caseReference}` : 'no case'].join(', ');
        out.push(`    ${r.at} ${r.requestId ?? `#${r.seq}`} ${r.operation ?? '(anonymous)'} [${why}]: ${r.outcome}${r.code ? ` ${r.code}` : ''}`);
        for (const c of r.criteria) out.push(`      ${c.field}(${argsText(c.args)})${c.refused ? ` refused ${c.refused}` : ''}`);
        if (r.reason) out.push(`      reason: ${r.reason}`);
        for (const rec of r.records) {
          out.push(`      ${rec.type} ${rec.id} tier ${rec.tier}${rec.hitOnly ? ' (hit only)' : ''}`);
          if (rec.released.length) out.push(`        released: ${rec.released.join(', ')}`);
          if (rec.withheld.length) out.push(`        withheld: ${rec.withheld.map((w) => `${w.field} (${w.code})`).join(', ')}`);
        }
        if (r.states) {
          for (const [st, v] of Object.entries(r.states).sort(([a], [b]) => a.localeCompare(b)))
            out.push(`      ${st}: ${v.answered ? 'answered' : `failed${v.failed ? ` ${v.failed}` : ''}`}, ${v.records} record${v.records === 1 ? '' : 's'}`);
        }
      }
    }
  }
  if (report.recordChanges.length > 0) {
    const count = (kind: string) => report.recordChanges.filter((c) => c.kind === kind).length;
    out.push('');
    out.push(`record changes by the owner: ${count('record-insert')} inserted, ${count('record-change')} changed, ${count('record-erase')} erased`);
    // Inserts per import (a full load is thousands of lines); every change and erasure on its own line.
    const inserts = new Map<string, number>();
    for (const c of report.recordChanges)
      if (c.kind === 'record-insert') inserts.set(c.by.replace(/ line \d+$/, ''), (inserts.get(c.by.replace(/ line \d+$/, '')) ?? 0) + 1);
    for (const [by, n] of inserts) out.push(`  ${n} record${n === 1 ? '' : 's'} inserted by ${by}`);
    for (const c of report.recordChanges) {
      if (c.kind === 'record-change') out.push(`  ${c.at} changed ${c.record}: ${c.fields.join(', ')} (${c.by})`);
      if (c.kind === 'record-erase') out.push(`  ${c.at} erased ${c.record} (${c.by})`);
    }
  }
  out.push('');
  if (report.flags.length === 0) out.push('flags: none');
  else {
    out.push(`flags: ${report.flags.length}`);
    for (const f of report.flags) {
      if (f.kind === 'probing')
        out.push(
          `  PROBING ${f.state} ${who(f)}: ${f.searches} searches for the name "${f.name}" with ${f.variants} distinct combinations of ` +
            `${f.varied.join(', ') || 'other criteria'}, ${f.from} to ${f.to} (requests ${f.requestIds.join(', ')})`,
        );
      else
        out.push(
          `  REPEATED REFUSALS ${f.state} ${who(f)}: ${f.refusals} refused (${f.budget} by search budget, ${f.profile} by search profile), ` +
            `${f.from} to ${f.to} (requests ${f.requestIds.join(', ')})`,
        );
    }
  }
  return `${out.join('\n')}\n`;
}
