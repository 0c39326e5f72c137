import { randomUUID } from 'node:crypto';
import type { ExecutionResult } from 'graphql';
import type { Store } from './store.ts';
import type { Caller } from '../../common/caller.ts';

/** What one answer released: the records it touched and the fields that carried values. */
export function summariseRelease(data: unknown): { records: string[]; fields: string[] } {
  const records = new Set<string>();
  const fields = new Set<string>();
  const walk = (value: unknown, typeName: string | null) => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item, typeName);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const object = value as Record<string, unknown>;
    const type = typeof object.__typename === 'string' ? object.__typename : typeName;
    if (typeof object.id === 'string') records.add(object.id);
    for (const [name, child] of Object.entries(object)) {
      if (name === '__typename' || child === null) continue;
      fields.add(name);
      walk(child, type);
    }
  };
  walk(data, null);
  return { records: [...records].sort(), fields: [...fields].sort() };
}

/** One row of the owner's audit log: who asked, why, what left and what was kept back. */
async function insertAuditRow(store: Store, caller: Caller, released: unknown, withheld: unknown): Promise<void> {
  await store.db
    .insertInto('audit_log')
    .values({
      id: randomUUID(),
      at: new Date().toISOString(),
      request_id: caller.requestId,
      caller_state: caller.state,
      caller_agency: caller.agency,
      caller_subject: caller.subject,
      purpose: caller.purpose,
      case_reference: caller.caseReference,
      released: JSON.stringify(released),
      withheld: JSON.stringify(withheld),
    })
    .execute();
}

/** Records a request the owner refused whole before reading any data (search budget exhausted). */
export async function writeRefusal(store: Store, caller: Caller, refusal: { code: string; reason: string; searches: number }): Promise<void> {
  await insertAuditRow(store, caller, { records: [], fields: [] }, [{ refused: refusal.code, reason: refusal.reason, searches: refusal.searches }]);
}

/**
 * Writes the audit record of one answer before it leaves: who asked (state, agency, subject),
 * for which purpose and case, what was released and what was withheld (with the reasons).
 */
export async function writeAudit(store: Store, caller: Caller, result: ExecutionResult): Promise<void> {
  const withheld = (result.errors ?? [])
    .filter((error) => error.extensions?.code === 'NOT_RELEASED' || error.extensions?.code === 'FORBIDDEN')
    .map((error) => ({ path: error.path, field: error.extensions?.field, code: error.extensions?.code }));
  await insertAuditRow(store, caller, summariseRelease(result.data), withheld);
}
