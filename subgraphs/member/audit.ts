import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../../common/audit-log.ts';
import type { Store } from './store.ts';
import type { AuditEntry } from './audit-entry.ts';

/** Where a state's audit entries go: its hash-chained audit log, apart from the records (production), or its records database (tests, bench). */
export interface AuditTarget {
  store: Store;
  /** The state's own audit log (common/audit-log.ts): append-only, hash-chained, signed checkpoints. */
  log?: AuditLog;
}

/** Requests (fastify's request objects) that have an audit entry: the rest are recorded as refused before execution. */
const audited = new WeakSet<object>();

/** Whether an entry was recorded for this request (recordEntry was given it). */
export function wasAudited(request: object): boolean {
  return audited.has(request);
}

/**
 * The one sink of the owner's audit: every entry (answers, refusals, abandoned and withheld
 * answers) is written here, before the answer leaves. With an audit log (`hague member`, `hague
 * dev`): one hash-chained entry there, of the kind of its outcome, apart from the records.
 * Without one: an `audit_log` row in the records database with the whole entry as JSON in `entry`
 * (audit-entry.ts) plus the older columns derived from it.
 */
export async function recordEntry(target: AuditTarget, entry: AuditEntry, request?: object): Promise<void> {
  if (request) audited.add(request);
  if (target.log) {
    await target.log.append(entry.outcome, { ...entry });
    return;
  }
  const { store } = target;
  const released = {
    records: [...new Set(entry.records.map((r) => r.id))].sort(),
    fields: [...new Set(entry.records.flatMap((r) => r.released))].sort(),
  };
  const withheld = [
    ...entry.records.flatMap((r) => r.withheld.map((w) => ({ id: r.id, field: w.field, code: w.code, reason: w.reason }))),
    ...entry.criteria.flatMap((c) => (c.refused ? [{ refused: c.refused.code, field: c.field, reason: c.refused.reason }] : [])),
    ...(entry.outcome === 'refused' && !entry.criteria.some((c) => c.refused) ? [{ refused: entry.code, reason: entry.reason }] : []),
  ];
  await store.db
    .insertInto('audit_log')
    .values({
      id: randomUUID(),
      at: entry.at,
      request_id: entry.requestId,
      caller_state: entry.caller.state,
      caller_agency: entry.caller.agency,
      caller_subject: entry.caller.subject,
      purpose: entry.purpose,
      case_reference: entry.caseReference,
      released: JSON.stringify(released),
      withheld: JSON.stringify(withheld),
      entry: JSON.stringify(entry),
    })
    .execute();
}
