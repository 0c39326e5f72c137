import { createHash } from 'node:crypto';
import type { Insertable, Kysely } from 'kysely';
import type { Database } from '../store-schema.ts';
import type { Store } from '../store.ts';
import { nameKeys } from '../name-match.ts';
import { documentNumberKey } from '../search.ts';
import { matchKeysOf, keyFingerprint, MATCH_KEYS_VERSION, invalidateMatchKeys, ensureMatchKeys, type NetworkKeyring } from '../match-keys.ts';
import { canonicalJson } from '../../../common/audit-log.ts';
import { instantMinute, validateRecord, wasValidated } from './validate.ts';
import type { ImportChange, ImportItem, ImportMarking, ImportOptions, ImportProblem, ImportRecord, ImportResult, RejectedRecord } from './records.ts';
import { PERSON_TABLES } from '../demo-data/rows.ts';

export * from './records.ts';
export { validateRecord } from './validate.ts';

/**
 * importRecords: writes contract-shaped person records (records.ts) into a member's store.
 *
 * - One transaction for the whole input. All or nothing by default: a bad record is reported (every
 *   bad record, not only the first) and nothing is written. With `partial`, good records are written
 *   and bad ones rejected.
 * - Upserts keyed by the record id. Each imported person carries the digest of its fields
 *   (persons.record_digest, migration 0008): a record equal to the stored one is not rewritten, a
 *   changed one is rewritten whole (its facts replaced) and the audit names the fields that changed.
 * - Erasure deletes the person with its aliases, nationalities, name keys, documents, travel,
 *   financial measures, listings, affiliations and match keys. Organisations stay (other records
 *   point to them); partners' hit notifications stay (a log of consultations, holding no record data).
 * - Name keys and document number keys are written with the record; match keys too when the
 *   network keys are given and the stored ones are current (else the member recomputes them all at
 *   start, or here at the end when a keyring is given).
 * - Audit: after the transaction commits, one entry per insert, change and erasure in the owner's
 *   chain (record-insert, record-change, record-erase), naming the record, the fields (names only,
 *   never values) and the source (import file name and SHA-256, or operator).
 */

/** Audit entries per commit of the audit log. */
const AUDIT_CHUNK = 1000;
/** Items validated and written per round trip. */
const BATCH = 1000;
/** Rows per insert statement: below SQLite's and PostgreSQL's parameter limits for every table here. */
const ROWS_PER_INSERT = 500;

/** The contract fields a digest covers, in the order the audit lists them. */
export const RECORD_FIELDS = [
  'givenName',
  'familyName',
  'dateOfBirth',
  'status',
  'background',
  'contact',
  'handling',
  'aliases',
  'nationalities',
  'documents',
  'travel',
  'financialMeasures',
  'listings',
  'affiliations',
] as const;
export type RecordField = (typeof RECORD_FIELDS)[number];

class Rollback extends Error {}

const orNull = <T>(value: T | null | undefined): T | null => (value === undefined ? null : value);

function markingOf(m: ImportMarking) {
  return {
    handling_code: m.handling ?? null,
    handling_restriction: m.handling ? orNull(m.restriction) : null,
    evaluation_source: m.evaluation ? m.evaluation[0] : null,
    evaluation_information: m.evaluation ? m.evaluation.slice(1) : null,
  };
}

/** The record as stored, children with their ids: what the digest is taken over. */
function normalise(record: ImportRecord): Record<RecordField, unknown> {
  const id = record.id;
  const childId = (given: string | undefined, letter: string, i: number) => given ?? `${id}-${letter}${i + 1}`;
  const mark = (m: ImportMarking) => [m.handling ?? null, m.handling ? orNull(m.restriction) : null, m.evaluation ?? null];
  return {
    givenName: record.givenName,
    familyName: record.familyName,
    dateOfBirth: orNull(record.dateOfBirth),
    status: record.status,
    background: orNull(record.background),
    contact: record.contact
      ? [orNull(record.contact.unit), orNull(record.contact.email), orNull(record.contact.phone), orNull(record.contact.reference)]
      : null,
    handling: mark(record),
    aliases: record.aliases ?? [],
    nationalities: [...new Set(record.nationalities ?? [])].sort(),
    documents: (record.documents ?? []).map((d, i) => [childId(d.id, 'D', i), d.number, d.kind, d.issuingState, orNull(d.validUntil)]),
    travel: (record.travel ?? []).map((t, i) => [
      childId(t.id, 'T', i),
      instantMinute(t.at),
      t.from.city,
      t.from.country,
      t.to.city,
      t.to.country,
      t.mode,
      orNull(t.carrier),
      orNull(t.reference),
      orNull(t.source),
      t.planned ?? null,
      ...mark(t),
    ]),
    financialMeasures: (record.financialMeasures ?? []).map((f, i) => [
      childId(f.id, 'F', i),
      f.kind,
      f.since,
      orNull(f.institution),
      orNull(f.amount),
      orNull(f.currency),
      orNull(f.legalBasis),
      ...mark(f),
    ]),
    listings: (record.listings ?? []).map((l, i) => [childId(l.id, 'L', i), l.list, l.listedSince, orNull(l.reason), orNull(l.action), ...mark(l)]),
    affiliations: (record.affiliations ?? []).map((a, i) => [childId(a.id, 'A', i), a.organisation.id, orNull(a.role), orNull(a.since), ...mark(a)]),
  };
}

/** Per field, the first 16 characters of the SHA-256 of its canonical JSON. */
export function recordDigest(record: ImportRecord): Record<RecordField, string> {
  const normal = normalise(record);
  const digest = {} as Record<RecordField, string>;
  for (const field of RECORD_FIELDS) digest[field] = createHash('sha256').update(canonicalJson(normal[field])).digest('base64url').slice(0, 16);
  return digest;
}

function digestText(digest: Record<RecordField, string>): string {
  return RECORD_FIELDS.map((f) => digest[f]).join('.');
}

function changedFields(before: string | null, after: string): RecordField[] {
  if (!before) return [...RECORD_FIELDS];
  const a = before.split('.');
  const b = after.split('.');
  return RECORD_FIELDS.filter((_, i) => a[i] !== b[i]);
}

/** The fields a new record sets (for record-insert): those not null and not empty. */
function fieldsSet(record: ImportRecord): RecordField[] {
  const normal = normalise(record);
  return RECORD_FIELDS.filter((f) => {
    const v = normal[f];
    if (v === null) return false;
    if (Array.isArray(v)) return f === 'handling' || f === 'contact' ? v.some((x) => x !== null) : v.length > 0;
    return true;
  });
}

interface PersonRows {
  person: Insertable<Database['persons']>;
  person_aliases: Insertable<Database['person_aliases']>[];
  person_nationalities: Insertable<Database['person_nationalities']>[];
  person_name_keys: Insertable<Database['person_name_keys']>[];
  identity_documents: Insertable<Database['identity_documents']>[];
  travel_movements: Insertable<Database['travel_movements']>[];
  financial_measures: Insertable<Database['financial_measures']>[];
  watchlist_listings: Insertable<Database['watchlist_listings']>[];
  affiliations: Insertable<Database['affiliations']>[];
}

/** A person's own rows besides the person: replaced whole when the record changes. */
const CHILD_TABLES = PERSON_TABLES.filter((t): t is Exclude<(typeof PERSON_TABLES)[number], 'persons'> => t !== 'persons');

function rowsOf(record: ImportRecord, digest: string, nowMs: number): PersonRows {
  const id = record.id;
  const childId = (given: string | undefined, letter: string, i: number) => given ?? `${id}-${letter}${i + 1}`;
  const aliases = record.aliases ?? [];
  return {
    person: {
      id,
      given_name: record.givenName,
      family_name: record.familyName,
      date_of_birth: orNull(record.dateOfBirth),
      status: record.status,
      background: orNull(record.background),
      contact_unit: orNull(record.contact?.unit),
      contact_email: orNull(record.contact?.email),
      contact_phone: orNull(record.contact?.phone),
      contact_reference: record.contact?.reference ?? id,
      record_digest: digest,
      ...markingOf(record),
    },
    person_aliases: aliases.map((alias, position) => ({ person_id: id, position, alias })),
    person_nationalities: [...new Set(record.nationalities ?? [])].map((country) => ({ person_id: id, country })),
    person_name_keys: nameKeys([record.givenName, record.familyName, ...aliases]).map((k) => ({ person_id: id, name_key: k.key, skeleton: k.skeleton })),
    identity_documents: (record.documents ?? []).map((d, i) => ({
      id: childId(d.id, 'D', i),
      person_id: id,
      number: d.number,
      number_key: documentNumberKey(d.number),
      kind: d.kind,
      issuing_state: d.issuingState,
      valid_until: orNull(d.validUntil),
    })),
    travel_movements: (record.travel ?? []).map((t, i) => {
      const at = instantMinute(t.at)!;
      return {
        id: childId(t.id, 'T', i),
        person_id: id,
        at,
        from_city: t.from.city,
        from_country: t.from.country,
        to_city: t.to.city,
        to_country: t.to.country,
        mode: t.mode,
        carrier: orNull(t.carrier),
        reference: orNull(t.reference),
        source: orNull(t.source),
        planned: (t.planned ?? Date.parse(at) > nowMs) ? 1 : 0,
        ...markingOf(t),
      };
    }),
    financial_measures: (record.financialMeasures ?? []).map((f, i) => ({
      id: childId(f.id, 'F', i),
      person_id: id,
      kind: f.kind,
      since: f.since,
      institution: orNull(f.institution),
      amount: orNull(f.amount),
      currency: orNull(f.currency),
      legal_basis: orNull(f.legalBasis),
      ...markingOf(f),
    })),
    watchlist_listings: (record.listings ?? []).map((l, i) => ({
      id: childId(l.id, 'L', i),
      person_id: id,
      list: l.list,
      listed_since: l.listedSince,
      reason: orNull(l.reason),
      action: orNull(l.action),
      ...markingOf(l),
    })),
    affiliations: (record.affiliations ?? []).map((a, i) => ({
      id: childId(a.id, 'A', i),
      person_id: id,
      organisation_id: a.organisation.id,
      role: orNull(a.role),
      since: orNull(a.since),
      ...markingOf(a),
    })),
  };
}

async function insertAll(db: Kysely<Database>, table: keyof Database, rows: readonly object[]): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT)
    await db
      .insertInto(table)
      .values(rows.slice(i, i + ROWS_PER_INSERT))
      .execute();
}

function asChange(item: ImportItem): ImportChange {
  if (item && typeof item === 'object' && 'op' in item && (item.op === 'upsert' || item.op === 'erase' || item.op === 'reject')) return item;
  return { op: 'upsert', record: item };
}

/** Whether the stored match keys are those of this keyring (hague_meta stamp, see match-keys.ts). */
async function matchKeysCurrent(db: Kysely<Database>, keyring: NetworkKeyring): Promise<boolean> {
  const epochs = [...keyring.keys].map(([epoch, key]) => [epoch, keyFingerprint(key)]);
  const stamp = JSON.stringify({ version: MATCH_KEYS_VERSION, epochs: epochs.sort() });
  const stored = await db.selectFrom('hague_meta').select('value').where('key', '=', 'match_keys').executeTakeFirst();
  return stored?.value === stamp;
}

interface AuditNote {
  kind: 'record-insert' | 'record-change' | 'record-erase';
  entry: Record<string, unknown>;
}

type Iterableish<T> = Iterable<T> | AsyncIterable<T>;

/** Writes records and changes into the store, in order; see the module comment. */
export async function importRecords(store: Pick<Store, 'db' | 'state'>, items: Iterableish<ImportItem>, options: ImportOptions): Promise<ImportResult> {
  const partial = options.partial ?? false;
  const nowMs = (options.now ?? new Date()).getTime();
  const result: ImportResult = {
    read: 0,
    inserted: 0,
    changed: 0,
    unchanged: 0,
    erased: 0,
    notFound: 0,
    rejected: [],
    committed: false,
    matchKeysCurrent: false,
  };
  const notes: AuditNote[] = [];
  const source = options.source;
  const keyring = options.keyring;
  let keysIncremental = false;
  let anyWrite = false;

  try {
    await store.db.transaction().execute(async (trx: Kysely<Database>) => {
      keysIncremental = keyring ? await matchKeysCurrent(trx, keyring) : false;
      let batch: ImportChange[] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        const wrote = await applyBatch(trx, batch, {
          partial,
          nowMs,
          result,
          notes,
          source,
          keyring: keysIncremental ? keyring : undefined,
          state: store.state,
        });
        anyWrite ||= wrote;
        batch = [];
        options.onProgress?.(result.read);
      };
      for await (const item of items as AsyncIterable<ImportItem>) {
        result.read++;
        batch.push(asChange(item));
        if (batch.length >= BATCH) await flush();
      }
      await flush();
      if (!partial && result.rejected.length > 0) throw new Rollback();
      if (anyWrite && !keysIncremental) await invalidateMatchKeys(trx);
    });
    result.committed = true;
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
    result.inserted = result.changed = result.erased = result.notFound = 0;
    result.unchanged = 0;
    return result;
  }
  if (keyring) result.matchKeysCurrent = keysIncremental || (await ensureMatchKeys(store, keyring)) || true;
  // In chunks: one commit each, so a large import's entries cost little more than its rows.
  if (options.audit) for (let i = 0; i < notes.length; i += AUDIT_CHUNK) await options.audit.appendMany(notes.slice(i, i + AUDIT_CHUNK));
  return result;
}

/** The changes that write: upserts and erasures. */
type Applicable = Exclude<ImportChange, { op: 'reject' }>;

interface BatchContext {
  partial: boolean;
  nowMs: number;
  result: ImportResult;
  notes: AuditNote[];
  source: ImportOptions['source'];
  keyring: NetworkKeyring | undefined;
  state: string;
}

async function applyBatch(db: Kysely<Database>, batch: ImportChange[], context: BatchContext): Promise<boolean> {
  const { result, notes } = context;
  // 1. Validate.
  const valid: Applicable[] = [];
  const orgIds = new Set<string>();
  const reject = (change: ImportChange, problems: ImportProblem[]) => {
    const id = change.op === 'upsert' ? (change.record as Partial<ImportRecord> | undefined)?.id : change.id;
    const rejected: RejectedRecord = {
      origin: change.origin,
      id: typeof id === 'string' ? id : undefined,
      problems: problems.map((p) => ({ ...p, origin: change.origin })),
    };
    result.rejected.push(rejected);
  };
  for (const change of batch) {
    if (change.op === 'reject') {
      reject(change, change.problems);
      continue;
    }
    if (change.op === 'erase') {
      if (typeof change.id !== 'string' || change.id.trim() === '')
        reject(change, [{ field: 'id', value: change.id, expected: 'expected the id of the record to erase' }]);
      else valid.push(change);
      continue;
    }
    const problems =
      change.record && typeof change.record === 'object'
        ? wasValidated(change.record)
          ? []
          : validateRecord(change.record)
        : [{ field: 'record', value: change.record, expected: 'expected a record' }];
    if (problems.length) reject(change, problems);
    else {
      valid.push(change);
      for (const a of change.record.affiliations ?? []) orgIds.add(a.organisation.id);
    }
  }

  // 2. Organisations the affiliations point to: the store's, or created from the record.
  const knownOrgs = new Set<string>();
  for (const ids of chunks([...orgIds], BATCH)) {
    for (const row of await db.selectFrom('organisations').select('id').where('id', 'in', ids).execute()) knownOrgs.add(row.id);
  }
  const newOrgs = new Map<string, { id: string; name: string; kind: string; aliases: string[] }>();
  const checked: Applicable[] = [];
  for (const change of valid) {
    if (change.op === 'upsert') {
      const problems: ImportProblem[] = [];
      (change.record.affiliations ?? []).forEach((a, i) => {
        const o = a.organisation;
        if (knownOrgs.has(o.id) || newOrgs.has(o.id)) return;
        if (o.name && o.kind) newOrgs.set(o.id, { id: o.id, name: o.name, kind: o.kind, aliases: o.aliases ?? [] });
        else
          problems.push({
            field: `affiliations[${i}].organisation.id`,
            value: o.id,
            expected: 'expected an organisation the member holds, or its name and kind to create it',
          });
      });
      if (problems.length) {
        reject(change, problems);
        continue;
      }
    }
    checked.push(change);
  }

  // 3. What the store holds now, then each change in order.
  const ids = [...new Set(checked.map((c) => (c.op === 'erase' ? c.id : c.record.id)))];
  const stored = new Map<string, string | null>();
  for (const part of chunks(ids, BATCH)) {
    for (const row of await db.selectFrom('persons').select(['id', 'record_digest']).where('id', 'in', part).execute()) stored.set(row.id, row.record_digest);
  }
  // Records written otherwise (seeded) have no digest: take it from their stored rows, so a change names its fields.
  const undigested = [...stored].filter(([, digest]) => digest === null).map(([id]) => id);
  for (const part of chunks(undigested, BATCH)) {
    for (const [id, record] of await storedRecords(db, part)) stored.set(id, digestText(recordDigest(record)));
  }
  const final = new Map<string, { record: ImportRecord; digest: string } | 'erase'>();
  /** Review dates the export sets (mapping `reviewDue`), unchanged records included. */
  const reviewDates = new Map<string, string>();
  const by =
    'file' in context.source
      ? { import: { file: context.source.file, sha256: context.source.sha256 }, ...(context.source.operator ? { operator: context.source.operator } : {}) }
      : { operator: context.source.operator };
  for (const change of checked) {
    const line = change.origin?.line;
    if (change.op === 'erase') {
      if (!stored.has(change.id)) {
        result.notFound++;
        continue;
      }
      stored.delete(change.id);
      reviewDates.delete(change.id);
      final.set(change.id, 'erase');
      result.erased++;
      notes.push({ kind: 'record-erase', entry: { state: context.state, record: change.id, ...by, ...(line ? { line } : {}) } });
      continue;
    }
    const record = change.record;
    if (record.reviewDue) reviewDates.set(record.id, record.reviewDue);
    const digest = digestText(recordDigest(record));
    if (!stored.has(record.id)) {
      result.inserted++;
      notes.push({ kind: 'record-insert', entry: { state: context.state, record: record.id, fields: fieldsSet(record), ...by, ...(line ? { line } : {}) } });
    } else {
      const before = stored.get(record.id)!;
      if (before === digest) {
        result.unchanged++;
        continue;
      }
      result.changed++;
      notes.push({
        kind: 'record-change',
        entry: {
          state: context.state,
          record: record.id,
          fields: changedFields(before, digest),
          ...by,
          ...(line ? { line } : {}),
        },
      });
    }
    stored.set(record.id, digest);
    final.set(record.id, { record, digest });
  }
  if (final.size === 0 && newOrgs.size === 0) return (await applyReviewDates(db, reviewDates)) > 0;

  // 4. Write: organisations first, then every touched person's facts replaced.
  if (newOrgs.size) {
    const orgs = [...newOrgs.values()];
    await insertAll(
      db,
      'organisations',
      orgs.map((o) => ({ id: o.id, name: o.name, kind: o.kind, contact_unit: null, contact_email: null, contact_phone: null, contact_reference: o.id })),
    );
    await insertAll(
      db,
      'organisation_aliases',
      orgs.flatMap((o) => o.aliases.map((alias, position) => ({ organisation_id: o.id, position, alias }))),
    );
    await insertAll(
      db,
      'organisation_name_keys',
      orgs.flatMap((o) => nameKeys([o.name, ...o.aliases]).map((k) => ({ organisation_id: o.id, name_key: k.key, skeleton: k.skeleton }))),
    );
  }
  const touched = [...final.keys()];
  for (const part of chunks(touched, BATCH)) {
    for (const table of CHILD_TABLES) await db.deleteFrom(table).where('person_id', 'in', part).execute();
    await db.deleteFrom('person_match_keys').where('person_id', 'in', part).execute();
  }
  const erased = touched.filter((id) => final.get(id) === 'erase');
  for (const part of chunks(erased, BATCH)) await db.deleteFrom('persons').where('id', 'in', part).execute();

  const upserts = [...final.values()].filter((v): v is { record: ImportRecord; digest: string } => v !== 'erase');
  const all = upserts.map((u) => rowsOf(u.record, u.digest, context.nowMs));
  const persons = all.map((r) => r.person);
  for (let i = 0; i < persons.length; i += ROWS_PER_INSERT) {
    await db
      .insertInto('persons')
      .values(persons.slice(i, i + ROWS_PER_INSERT))
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          given_name: eb.ref('excluded.given_name'),
          family_name: eb.ref('excluded.family_name'),
          date_of_birth: eb.ref('excluded.date_of_birth'),
          status: eb.ref('excluded.status'),
          background: eb.ref('excluded.background'),
          contact_unit: eb.ref('excluded.contact_unit'),
          contact_email: eb.ref('excluded.contact_email'),
          contact_phone: eb.ref('excluded.contact_phone'),
          contact_reference: eb.ref('excluded.contact_reference'),
          record_digest: eb.ref('excluded.record_digest'),
          handling_code: eb.ref('excluded.handling_code'),
          handling_restriction: eb.ref('excluded.handling_restriction'),
          evaluation_source: eb.ref('excluded.evaluation_source'),
          evaluation_information: eb.ref('excluded.evaluation_information'),
        })),
      )
      .execute();
  }
  for (const table of CHILD_TABLES)
    await insertAll(
      db,
      table,
      all.flatMap((r): object[] => r[table]),
    );
  if (context.keyring) {
    const keyring = context.keyring;
    const keys = upserts.flatMap(({ record }) =>
      matchKeysOf(
        record.id,
        {
          givenName: record.givenName,
          familyName: record.familyName,
          dateOfBirth: record.dateOfBirth ?? null,
          documents: (record.documents ?? []).map((d) => ({ number: d.number, issuingState: d.issuingState })),
        },
        keyring,
      ),
    );
    await insertAll(db, 'person_match_keys', keys);
  }
  await applyReviewDates(db, reviewDates);
  return true;
}

/**
 * The review dates an export sets (LED Art. 5), written apart from the record's digest: a date the
 * national system moved is applied without counting the record as changed, and an export that
 * sets none leaves the stored date (a policy default, a review recorded with `hague review`) alone.
 * Returns how many records got a new date.
 */
async function applyReviewDates(db: Kysely<Database>, dates: Map<string, string>): Promise<number> {
  let updated = 0;
  for (const [id, due] of dates) {
    const result = await db
      .updateTable('persons')
      .set({ review_due: due })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('review_due', 'is', null), eb('review_due', '!=', due)]))
      .executeTakeFirst();
    updated += Number(result.numUpdatedRows);
  }
  return updated;
}

/**
 * Person records as stored, in the shape of ImportRecord (children with their stored ids): for the
 * digest of records written by other means than an import.
 */
export async function storedRecords(db: Kysely<Database>, ids: string[]): Promise<Map<string, ImportRecord>> {
  const records = new Map<string, ImportRecord>();
  if (ids.length === 0) return records;
  const marking = (row: {
    handling_code: string | null;
    handling_restriction: string | null;
    evaluation_source: string | null;
    evaluation_information: string | null;
  }) => ({
    handling: (row.handling_code as ImportRecord['handling']) ?? null,
    restriction: row.handling_restriction,
    evaluation: row.evaluation_source && row.evaluation_information ? `${row.evaluation_source}${row.evaluation_information}` : null,
  });
  for (const p of await db.selectFrom('persons').selectAll().where('id', 'in', ids).execute()) {
    const plainContact = p.contact_unit === null && p.contact_email === null && p.contact_phone === null && p.contact_reference === p.id;
    records.set(p.id, {
      id: p.id,
      givenName: p.given_name,
      familyName: p.family_name,
      dateOfBirth: p.date_of_birth,
      status: p.status as ImportRecord['status'],
      background: p.background,
      contact: plainContact ? null : { unit: p.contact_unit, email: p.contact_email, phone: p.contact_phone, reference: p.contact_reference },
      ...marking(p),
      aliases: [],
      nationalities: [],
      documents: [],
      travel: [],
      financialMeasures: [],
      listings: [],
      affiliations: [],
    });
  }
  const of = (id: string) => records.get(id)!;
  for (const a of await db.selectFrom('person_aliases').selectAll().where('person_id', 'in', ids).orderBy('person_id').orderBy('position').execute())
    of(a.person_id).aliases!.push(a.alias);
  for (const n of await db.selectFrom('person_nationalities').selectAll().where('person_id', 'in', ids).execute())
    of(n.person_id).nationalities!.push(n.country);
  for (const d of await db.selectFrom('identity_documents').selectAll().where('person_id', 'in', ids).orderBy('id').execute())
    of(d.person_id).documents!.push({ id: d.id, number: d.number, kind: d.kind as never, issuingState: d.issuing_state, validUntil: d.valid_until });
  for (const t of await db.selectFrom('travel_movements').selectAll().where('person_id', 'in', ids).orderBy('at').orderBy('id').execute())
    of(t.person_id).travel!.push({
      id: t.id,
      at: t.at,
      from: { city: t.from_city, country: t.from_country },
      to: { city: t.to_city, country: t.to_country },
      mode: t.mode as never,
      carrier: t.carrier,
      reference: t.reference,
      source: t.source,
      ...marking(t),
    });
  for (const f of await db.selectFrom('financial_measures').selectAll().where('person_id', 'in', ids).orderBy('id').execute())
    of(f.person_id).financialMeasures!.push({
      id: f.id,
      kind: f.kind as never,
      since: f.since,
      institution: f.institution,
      amount: f.amount,
      currency: f.currency,
      legalBasis: f.legal_basis,
      ...marking(f),
    });
  for (const l of await db.selectFrom('watchlist_listings').selectAll().where('person_id', 'in', ids).orderBy('id').execute())
    of(l.person_id).listings!.push({ id: l.id, list: l.list, listedSince: l.listed_since, reason: l.reason, action: l.action, ...marking(l) });
  for (const a of await db.selectFrom('affiliations').selectAll().where('person_id', 'in', ids).orderBy('id').execute())
    of(a.person_id).affiliations!.push({ id: a.id, organisation: { id: a.organisation_id }, role: a.role, since: a.since, ...marking(a) });
  return records;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
