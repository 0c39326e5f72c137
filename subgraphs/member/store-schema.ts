import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The owner's handling code and evaluation of a record or fact (migration 0006; null when not set):
 * SIENA handling code H0-H3 with the restriction text of H3, source reliability A/B/C/X and
 * information accuracy 1-4 (stored as the digit).
 */
export interface HandlingColumns {
  handling_code: string | null;
  handling_restriction: string | null;
  evaluation_source: string | null;
  evaluation_information: string | null;
}

/** Row types of a member state's database, as Kysely sees them. Dates are ISO strings in both dialects. */
export interface Database {
  hague_meta: { key: string; value: string };
  persons: {
    id: string;
    given_name: string;
    family_name: string;
    date_of_birth: string | null;
    status: string;
    background: string | null;
    contact_unit: string | null;
    contact_email: string | null;
    contact_phone: string | null;
    contact_reference: string;
    /** When the owner must review the record (LED Art. 5), YYYY-MM-DD; null: no review date (migration 0009, review.ts). */
    review_due: string | null;
    /**
     * What the last import wrote (migration 0008, import/apply.ts): a short hash per contract field, so
     * a re-import of an unchanged record writes nothing and a change names the fields it changed.
     * Null for records written otherwise (seeded).
     */
    record_digest: string | null;
  } & HandlingColumns;
  person_aliases: { person_id: string; position: number; alias: string };
  person_nationalities: { person_id: string; country: string };
  /** Search keys of every name token of a person (names and aliases), see name-match.ts. */
  person_name_keys: { person_id: string; name_key: string; skeleton: string };
  identity_documents: {
    id: string;
    person_id: string;
    number: string;
    number_key: string;
    kind: string;
    issuing_state: string;
    valid_until: string | null;
  };
  travel_movements: {
    id: string;
    person_id: string;
    at: string;
    from_city: string;
    from_country: string;
    to_city: string;
    to_country: string;
    mode: string;
    carrier: string | null;
    reference: string | null;
    source: string | null;
    planned: number;
  } & HandlingColumns;
  financial_measures: {
    id: string;
    person_id: string;
    kind: string;
    since: string;
    institution: string | null;
    amount: number | null;
    currency: string | null;
    legal_basis: string | null;
  } & HandlingColumns;
  watchlist_listings: {
    id: string;
    person_id: string;
    list: string;
    listed_since: string;
    reason: string | null;
    action: string | null;
  } & HandlingColumns;
  organisations: {
    id: string;
    name: string;
    kind: string;
    contact_unit: string | null;
    contact_email: string | null;
    contact_phone: string | null;
    contact_reference: string;
  };
  organisation_aliases: { organisation_id: string; position: number; alias: string };
  organisation_name_keys: { organisation_id: string; name_key: string; skeleton: string };
  affiliations: { id: string; person_id: string; organisation_id: string; role: string | null; since: string | null } & HandlingColumns;
  /** Match keys of each person (match-keys.ts): keyed pseudonyms of its identifiers, per network key epoch. */
  person_match_keys: { person_id: string; kind: string; epoch: string; value: string };
  audit_log: {
    id: string;
    at: string;
    request_id: string;
    caller_state: string;
    caller_agency: string | null;
    caller_subject: string | null;
    purpose: string | null;
    case_reference: string | null;
    released: string;
    withheld: string;
    /** The whole audit entry as JSON (audit-entry.ts); null in rows written before migration 0003. */
    entry: string | null;
  };
  /** Context tokens already used (common/context-token.ts): a second use is refused until expiry. */
  context_token_uses: { token_id: string; expires_at: number };
  /** Searches counted per caller and window (search-budget.ts): shared by the state's replicas, kept across restarts. */
  search_budget: { caller: string; window: string; window_start: number; used: number };
  /**
   * Caller requests already charged (search-budget.ts chargeOnce): a retried or hedged attempt of the
   * same request (same request id, same body) at any replica is not charged again. outcome: pending, charged, refused.
   */
  search_budget_requests: { request_key: string; outcome: string; expires_at: number };
  /** Partners' hits on records the owner's policy flags (hit-notifications.ts), with their webhook delivery state. */
  hit_notifications: {
    id: string;
    at: string;
    record_type: string;
    record_id: string;
    caller_state: string;
    caller_agency: string | null;
    caller_subject: string;
    purpose: string;
    case_reference: string | null;
    request_id: string;
    released: string;
    /** When the webhook took it; 'no webhook' when none was configured; null while pending. */
    delivered_at: string | null;
    attempts: number;
    next_attempt_at: number;
  };
}

const text = 'text' as const;

/**
 * Schema migrations, applied in order at start. Every lookup a resolver makes has an index:
 * by person, by organisation, by name key and skeleton, by document number, date of birth,
 * nationality and status.
 */
export const migrations: Record<string, Migration> = {
  '0001-initial': {
    // Migrations run against the schema as it was then, not as Database types it now (Kysely's advice).
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('hague_meta')
        .addColumn('key', text, (c) => c.primaryKey())
        .addColumn('value', text, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('persons')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('given_name', text, (c) => c.notNull())
        .addColumn('family_name', text, (c) => c.notNull())
        .addColumn('date_of_birth', text)
        .addColumn('status', text, (c) => c.notNull())
        .addColumn('background', text)
        .addColumn('contact_unit', text)
        .addColumn('contact_email', text)
        .addColumn('contact_phone', text)
        .addColumn('contact_reference', text, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('persons_date_of_birth').on('persons').column('date_of_birth').execute();
      await db.schema.createIndex('persons_status').on('persons').column('status').execute();

      await db.schema
        .createTable('person_aliases')
        .addColumn('person_id', text, (c) => c.notNull().references('persons.id'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('alias', text, (c) => c.notNull())
        .addPrimaryKeyConstraint('person_aliases_pk', ['person_id', 'position'])
        .execute();
      await db.schema
        .createTable('person_nationalities')
        .addColumn('person_id', text, (c) => c.notNull().references('persons.id'))
        .addColumn('country', text, (c) => c.notNull())
        .addPrimaryKeyConstraint('person_nationalities_pk', ['person_id', 'country'])
        .execute();
      await db.schema.createIndex('person_nationalities_country').on('person_nationalities').column('country').execute();
      await db.schema
        .createTable('person_name_keys')
        .addColumn('person_id', text, (c) => c.notNull().references('persons.id'))
        .addColumn('name_key', text, (c) => c.notNull())
        .addColumn('skeleton', text, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('person_name_keys_key').on('person_name_keys').columns(['name_key', 'person_id']).execute();
      await db.schema.createIndex('person_name_keys_skeleton').on('person_name_keys').columns(['skeleton', 'person_id']).execute();
      await db.schema.createIndex('person_name_keys_person').on('person_name_keys').column('person_id').execute();

      await db.schema
        .createTable('identity_documents')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('person_id', text, (c) => c.notNull().references('persons.id'))
        .addColumn('number', text, (c) => c.notNull())
        .addColumn('number_key', text, (c) => c.notNull())
        .addColumn('kind', text, (c) => c.notNull())
        .addColumn('issuing_state', text, (c) => c.notNull())
        .addColumn('valid_until', text)
        .execute();
      await db.schema.createIndex('identity_documents_person').on('identity_documents').column('person_id').execute();
      await db.schema.createIndex('identity_documents_number').on('identity_documents').column('number_key').execute();

      await db.schema
        .createTable('travel_movements')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('person_id', text, (c) => c.notNull().references('persons.id'))
        .addColumn('at', text, (c) => c.notNull())
        .addColumn('from_city', text, (c) => c.notNull())
        .addColumn('from_country', text, (c) => c.notNull())
        .addColumn('to_city', text, (c) => c.notNull())
        .addColumn('to_country', text, (c) => c.notNull())
        .addColumn('mode', text, (c) => c.notNull())
        .addColumn('carrier', text)
        .addColumn('reference', text)
        .addColumn('source', text)
        .addColumn('planned', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('travel_movements_person_at').on('travel_movements').columns(['person_id', 'at']).execute();

      await db.schema
        .createTable('financial_measures')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('person_id', text, (c) => c.notNull().references('persons.id'))
        .addColumn('kind', text, (c) => c.notNull())
        .addColumn('since', text, (c) => c.notNull())
        .addColumn('institution', text)
        .addColumn('amount', 'double precision')
        .addColumn('currency', text)
        .addColumn('legal_basis', text)
        .execute();
      await db.schema.createIndex('financial_measures_person').on('financial_measures').column('person_id').execute();

      await db.schema
        .createTable('watchlist_listings')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('person_id', text, (c) => c.notNull().references('persons.id'))
        .addColumn('list', text, (c) => c.notNull())
        .addColumn('listed_since', text, (c) => c.notNull())
        .addColumn('reason', text)
        .addColumn('action', text)
        .execute();
      await db.schema.createIndex('watchlist_listings_person').on('watchlist_listings').column('person_id').execute();

      await db.schema
        .createTable('organisations')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('name', text, (c) => c.notNull())
        .addColumn('kind', text, (c) => c.notNull())
        .addColumn('contact_unit', text)
        .addColumn('contact_email', text)
        .addColumn('contact_phone', text)
        .addColumn('contact_reference', text, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('organisations_kind').on('organisations').column('kind').execute();
      await db.schema
        .createTable('organisation_aliases')
        .addColumn('organisation_id', text, (c) => c.notNull().references('organisations.id'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('alias', text, (c) => c.notNull())
        .addPrimaryKeyConstraint('organisation_aliases_pk', ['organisation_id', 'position'])
        .execute();
      await db.schema
        .createTable('organisation_name_keys')
        .addColumn('organisation_id', text, (c) => c.notNull().references('organisations.id'))
        .addColumn('name_key', text, (c) => c.notNull())
        .addColumn('skeleton', text, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('organisation_name_keys_key').on('organisation_name_keys').columns(['name_key', 'organisation_id']).execute();
      await db.schema.createIndex('organisation_name_keys_skeleton').on('organisation_name_keys').columns(['skeleton', 'organisation_id']).execute();
      await db.schema.createIndex('organisation_name_keys_org').on('organisation_name_keys').column('organisation_id').execute();

      await db.schema
        .createTable('affiliations')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('person_id', text, (c) => c.notNull().references('persons.id'))
        .addColumn('organisation_id', text, (c) => c.notNull().references('organisations.id'))
        .addColumn('role', text)
        .addColumn('since', text)
        .execute();
      await db.schema.createIndex('affiliations_person').on('affiliations').column('person_id').execute();
      await db.schema.createIndex('affiliations_organisation').on('affiliations').column('organisation_id').execute();

      await db.schema
        .createTable('audit_log')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('at', text, (c) => c.notNull())
        .addColumn('request_id', text, (c) => c.notNull())
        .addColumn('caller_state', text, (c) => c.notNull())
        .addColumn('caller_agency', text)
        .addColumn('caller_subject', text)
        .addColumn('purpose', text)
        .addColumn('case_reference', text)
        .addColumn('released', text, (c) => c.notNull())
        .addColumn('withheld', text, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_log_request').on('audit_log').column('request_id').execute();
      await sql`select 1`.execute(db);
    },
  },
  '0002-request-bound-tokens-and-budgets': {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('context_token_uses')
        .addColumn('token_id', text, (c) => c.primaryKey())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('context_token_uses_expiry').on('context_token_uses').column('expires_at').execute();
      await db.schema
        .createTable('search_budget')
        .addColumn('caller', text, (c) => c.notNull())
        .addColumn('window', text, (c) => c.notNull())
        .addColumn('window_start', 'bigint', (c) => c.notNull())
        .addColumn('used', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('search_budget_pk', ['caller', 'window', 'window_start'])
        .execute();
    },
  },
  '0003-audit-entries': {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await db.schema.alterTable('audit_log').addColumn('entry', text).execute();
    },
  },
  '0004-hit-notifications': {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('hit_notifications')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('at', text, (c) => c.notNull())
        .addColumn('record_type', text, (c) => c.notNull())
        .addColumn('record_id', text, (c) => c.notNull())
        .addColumn('caller_state', text, (c) => c.notNull())
        .addColumn('caller_agency', text)
        .addColumn('caller_subject', text, (c) => c.notNull())
        .addColumn('purpose', text, (c) => c.notNull())
        .addColumn('case_reference', text)
        .addColumn('request_id', text, (c) => c.notNull())
        .addColumn('released', text, (c) => c.notNull())
        .addColumn('delivered_at', text)
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('hit_notifications_at').on('hit_notifications').column('at').execute();
      await db.schema.createIndex('hit_notifications_due').on('hit_notifications').columns(['delivered_at', 'next_attempt_at']).execute();
    },
  },
  '0005-search-budget-requests': {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('search_budget_requests')
        .addColumn('request_key', text, (c) => c.primaryKey())
        .addColumn('outcome', text, (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('search_budget_requests_expiry').on('search_budget_requests').column('expires_at').execute();
    },
  },
  '0006-handling-and-match-keys': {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      // The owner's handling code and evaluation of records and facts; null (not set) in rows written before.
      for (const table of ['persons', 'travel_movements', 'financial_measures', 'watchlist_listings', 'affiliations']) {
        for (const column of ['handling_code', 'handling_restriction', 'evaluation_source', 'evaluation_information']) {
          await db.schema.alterTable(table).addColumn(column, text).execute();
        }
      }
      await db.schema
        .createTable('person_match_keys')
        .addColumn('person_id', text, (c) => c.notNull().references('persons.id'))
        .addColumn('kind', text, (c) => c.notNull())
        .addColumn('epoch', text, (c) => c.notNull())
        .addColumn('value', text, (c) => c.notNull())
        .addPrimaryKeyConstraint('person_match_keys_pk', ['person_id', 'kind', 'epoch', 'value'])
        .execute();
      await db.schema.createIndex('person_match_keys_value').on('person_match_keys').columns(['kind', 'epoch', 'value']).execute();
    },
  },
  '0007-search-by-travel-place': {
    // Search by travel place (search.ts): either end of a movement, by city ignoring case or by country.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      for (const end of ['from', 'to']) {
        await db.schema
          .createIndex(`travel_movements_${end}_city`)
          .on('travel_movements')
          .expression(sql`lower(${sql.ref(`${end}_city`)})`)
          .execute();
        await db.schema
          .createIndex(`travel_movements_${end}_country`)
          .on('travel_movements')
          .columns([`${end}_country`, 'at'])
          .execute();
      }
    },
  },
  '0008-import-digests': {
    // Records from national systems (import/apply.ts): the digest of each imported record's fields.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await db.schema.alterTable('persons').addColumn('record_digest', text).execute();
    },
  },
  '0009-review-dates': {
    // When the owner must review each record (LED Art. 5: time limits for erasure or periodic review), review.ts.
    // Independent of 0008 (another change's): either may be applied first.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await db.schema.alterTable('persons').addColumn('review_due', text).execute();
      await db.schema.createIndex('persons_review_due').on('persons').column('review_due').execute();
    },
  },
};
