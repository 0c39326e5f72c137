import { randomUUID } from 'node:crypto';
import type { Store } from './store.ts';
import type { AuditEntry } from './audit-entry.ts';

/**
 * The one sink of the owner's audit: every entry (answers, refusals, abandoned and withheld
 * answers) is written here, before the answer leaves. Today one `audit_log` row per entry: the
 * whole entry as JSON in `entry` (audit-entry.ts), plus the older columns derived from it
 * (who, why, the record ids and coordinates released, what was withheld or refused).
 */
export async function recordEntry(store: Store, entry: AuditEntry): Promise<void> {
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
