/**
 * The import core's input: a person record shaped like the contract (schema/member.graphql), as a
 * national system or a public list gives it once its own field names and codes are mapped
 * (mapping.ts does that for `hague import`; an importer of a public format builds these directly).
 *
 * importRecords (apply.ts: `importRecords(store, items, options)`) writes them into a member's store: upserts keyed by the state's own record
 * id, a record equal to the stored one left untouched, erasures with every relation, name keys,
 * document number keys and match keys kept current, and an entry in the owner's audit chain for
 * every insert, change and erasure.
 *
 * Dates are ISO: YYYY-MM-DD for days, YYYY-MM-DDTHH:MM:SSZ (or any instant Date.parse reads) for
 * travel. Codes are the contract's enum values exactly. A child without an id gets
 * `<person id>-<letter><position>` (D documents, T travel, F financial measures, L listings, A
 * affiliations): stable as long as the national system lists them in the same order.
 */
import type { DocumentKind, FinancialMeasureKind, OrganisationKind, SubjectStatus, TravelMode } from '../demo-data/contract-enums.ts';
import type { HandlingCode } from '../handling.ts';
import type { NetworkKeyring } from '../match-keys.ts';
import type { AuditLog } from '../../../common/audit-log.ts';

export type { DocumentKind, FinancialMeasureKind, OrganisationKind, SubjectStatus, TravelMode };

export const SUBJECT_STATUSES: readonly SubjectStatus[] = ['SUSPECT', 'FOREIGN_TERRORIST_FIGHTER', 'RETURNEE', 'CONVICTED', 'ASSOCIATE', 'CLOSED'];
export const DOCUMENT_KINDS: readonly DocumentKind[] = ['PASSPORT', 'IDENTITY_CARD', 'RESIDENCE_PERMIT', 'DRIVING_LICENCE', 'VISA'];
export const TRAVEL_MODES: readonly TravelMode[] = ['AIR', 'RAIL', 'ROAD', 'SEA', 'BORDER_CROSSING'];
export const FINANCIAL_MEASURE_KINDS: readonly FinancialMeasureKind[] = [
  'ASSET_FREEZE',
  'CASH_WITHDRAWAL',
  'MONEY_TRANSFER',
  'SUSPICIOUS_TRANSACTION_REPORT',
  'ACCOUNT_CLOSURE',
];
export const ORGANISATION_KINDS: readonly OrganisationKind[] = ['TERRORIST', 'ORGANISED_CRIME', 'FACILITATION_NETWORK', 'FRONT_COMPANY'];

/** The owner's handling code and evaluation of a record or fact (handling.ts); all optional. */
export interface ImportMarking {
  /** SIENA handling code H0-H3. */
  handling?: HandlingCode | null;
  /** The owner's restriction in words: required with H3. */
  restriction?: string | null;
  /** Source reliability A/B/C/X and information accuracy 1-4, e.g. 'B2'. */
  evaluation?: string | null;
}

/** Whom to contact about the record (the contract's ContactPoint; the agency is the member's own). */
export interface ImportContact {
  unit?: string | null;
  email?: string | null;
  phone?: string | null;
  /** The owner's reference to quote; defaults to the record id. */
  reference?: string | null;
}

export interface ImportDocument {
  id?: string;
  number: string;
  kind: DocumentKind;
  /** ISO 3166-1 alpha-3 or the code the contract uses for issuing states (as the member stores them). */
  issuingState: string;
  validUntil?: string | null;
}

export interface ImportPlace {
  city: string;
  country: string;
}

export interface ImportTravel extends ImportMarking {
  id?: string;
  /** When: an ISO instant; stored to the minute. */
  at: string;
  from: ImportPlace;
  to: ImportPlace;
  mode: TravelMode;
  carrier?: string | null;
  reference?: string | null;
  source?: string | null;
  /** A booked trip not yet made; default: `at` is after the import's clock. */
  planned?: boolean;
}

export interface ImportFinancialMeasure extends ImportMarking {
  id?: string;
  kind: FinancialMeasureKind;
  since: string;
  institution?: string | null;
  amount?: number | null;
  currency?: string | null;
  legalBasis?: string | null;
}

export interface ImportListing extends ImportMarking {
  id?: string;
  /** The list's name, e.g. 'NL national terrorism list' or 'EU consolidated financial sanctions list'. */
  list: string;
  listedSince: string;
  reason?: string | null;
  action?: string | null;
}

/** The organisation an affiliation points to: created when the store does not hold it yet (name and kind needed then). */
export interface ImportOrganisation {
  id: string;
  name?: string;
  kind?: OrganisationKind;
  aliases?: string[];
}

export interface ImportAffiliation extends ImportMarking {
  id?: string;
  organisation: ImportOrganisation;
  role?: string | null;
  since?: string | null;
}

/** One person record of the owner, keyed by the state's own record id. */
export interface ImportRecord extends ImportMarking {
  /** The state's own record id: persons.id, the key of every upsert and erasure. */
  id: string;
  givenName: string;
  familyName: string;
  dateOfBirth?: string | null;
  status: SubjectStatus;
  /** When the owner must review the record (YYYY-MM-DD, LED Art. 5); absent: the stored date, or the policy default for its status. */
  reviewDue?: string | null;
  background?: string | null;
  contact?: ImportContact | null;
  aliases?: string[];
  nationalities?: string[];
  documents?: ImportDocument[];
  travel?: ImportTravel[];
  financialMeasures?: ImportFinancialMeasure[];
  listings?: ImportListing[];
  affiliations?: ImportAffiliation[];
}

/** Where a record came from, for reject messages: the input file and its line. */
export interface ImportOrigin {
  file?: string;
  line?: number;
  /** The input line (or CSV rows) as read, written to the reject file when the record is rejected. */
  raw?: string;
}

/**
 * A step of a change file (or of a full import: every record an upsert). `reject` carries a record
 * its reader could not make into an ImportRecord (a mapping or format error): reported with the
 * others, and it stops an all-or-nothing batch like any bad record.
 */
export type ImportChange = ({ op: 'upsert'; record: ImportRecord } | { op: 'erase'; id: string } | { op: 'reject'; id?: string; problems: ImportProblem[] }) & {
  origin?: ImportOrigin;
};

/** What importRecords takes: plain records (upserts), or changes in order. */
export type ImportItem = ImportRecord | ImportChange;

/** One complaint about one input record: `file:line: field: value; expected …`. */
export interface ImportProblem {
  origin?: ImportOrigin;
  /** The contract field (documents[0].kind) or, from a mapping, the national field. */
  field: string;
  value: unknown;
  expected: string;
}

/** Who made the change, for the audit chain: an import file (name and SHA-256) or an operator. */
export type ImportSource = { file: string; sha256: string; operator?: string } | { operator: string };

export interface ImportOptions {
  /** Who makes the change (audit entries name it). */
  source: ImportSource;
  /**
   * Keep good records when some are bad (rejected and reported). Default false: all or nothing, one
   * transaction, nothing written when any record is bad (every bad record is still reported).
   */
  partial?: boolean;
  /** The network keys: match keys of every changed record are recomputed; without it the member recomputes them all at start. */
  keyring?: NetworkKeyring;
  /** The owner's audit chain: one entry per insert, change and erasure (record-insert, record-change, record-erase). */
  audit?: Pick<AuditLog, 'appendMany'>;
  /** Called after each batch with the records read so far. */
  onProgress?: (done: number) => void;
  /** The import's clock (travel after it is planned; audit time); default now. */
  now?: Date;
}

export interface RejectedRecord {
  origin?: ImportOrigin;
  id?: string;
  problems: ImportProblem[];
}

export interface ImportResult {
  read: number;
  inserted: number;
  changed: number;
  unchanged: number;
  erased: number;
  /** Erasures of ids the store did not hold (nothing to erase; not an error). */
  notFound: number;
  rejected: RejectedRecord[];
  /** False when a bad record stopped an all-or-nothing batch: nothing was written. */
  committed: boolean;
  /** Whether match keys were kept current (a keyring was given). */
  matchKeysCurrent: boolean;
}
