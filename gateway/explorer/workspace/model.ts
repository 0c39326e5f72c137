/**
 * The analyst's workspace reads any GraphQL answer into this model, and every view (cards, timeline,
 * route map, link graph, whom to call, export) draws from it. Browser code: no Node imports.
 *
 * Everything here comes from the answer on screen; nothing is fetched for it.
 */

/** Where a fact comes from: the owner, its record, the owner's handling code and evaluation. */
export interface Provenance {
  memberState: string;
  recordId: string;
  /** H0..H3, when the owner released it. */
  handling?: string;
  /** The owner's restriction in words (always for H3). */
  restriction?: string;
  /** Source reliability (A, B, C, X) and information accuracy (1..4), e.g. "B2". */
  evaluation?: string;
}

export interface Place {
  city: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
}

/** A travel movement: a leg from one place to another, flown or planned. */
export interface Movement {
  at: string;
  from: Place;
  to: Place;
  mode?: string;
  planned?: boolean;
  carrier?: string;
  reference?: string;
  source: Provenance;
}

export interface Money {
  kind: string;
  since?: string;
  until?: string;
  institution?: string;
  amount?: number;
  currency?: string;
  legalBasis?: string;
  source: Provenance;
}

export interface Listing {
  list: string;
  listedSince?: string;
  reason?: string;
  action?: string;
  source: Provenance;
}

/** A link from a record to an organisation (terrorist, organised crime, ...). */
export interface OrganisationLink {
  /** The organisation's own key: memberState:id when known, else its name. */
  key: string;
  name: string;
  /** The contract's OrganisationKind, TERRORIST, ORGANISED_CRIME, FACILITATION_NETWORK, FRONT_COMPANY; absent when not released. */
  kind?: string;
  role?: string;
  since?: string;
  source: Provenance;
}

export interface Contact {
  agency?: string;
  unit?: string;
  email?: string;
  phone?: string;
  reference?: string;
}

/** One owner's record as it released it (a `Person` in the answer). */
export interface RecordCard {
  memberState: string;
  id: string;
  /** Every scalar field released, by field name (givenName, familyName, dateOfBirth, status, background...). */
  fields: Record<string, unknown>;
  handling?: string;
  restriction?: string;
  evaluation?: string;
  matchScore?: number;
  contact?: Contact;
}

export interface Alert {
  kind: string;
  message: string;
  sources: Provenance[];
}

/**
 * A subject: records linked across states (from `subjects`), or a single record when the answer
 * came from `persons`/`person` (then `linkedBy` is empty and confidence SINGLE_RECORD).
 */
export interface SubjectModel {
  id: string;
  label: string;
  heldBy: string[];
  linkedBy: string[];
  confidence: string;
  matchScore?: number;
  records: RecordCard[];
  travel: Movement[];
  money: Money[];
  listings: Listing[];
  organisations: OrganisationLink[];
  alerts: Alert[];
}

/**
 * Whom to call, rolled up: one line per state and field (or per state and error code), with how many
 * records it concerns, the owner's reasons and its contact point.
 */
export interface ContactLine {
  memberState: string;
  /** A schema coordinate (Person.financialMeasures), or '' for a whole-state line (did not answer). */
  field: string;
  /** NOT_RELEASED, FORBIDDEN (a network rule), MEMBER_UNAVAILABLE, CIRCUIT_OPEN, HOLDS_RECORD (it holds a record, nothing withheld)... */
  code: string;
  records: number;
  reasons: string[];
  /** The owner's references of the records concerned (each record has its own), to quote when calling. */
  references?: string[];
  contact?: Contact;
}

/** Per state: records returned and whether more exist (extensions.hague.states). */
export interface StateCount {
  memberState: string;
  /** The answer's root field or alias the count is for. */
  key: string;
  returned: number;
  more: boolean;
}

export interface WorkspaceModel {
  subjects: SubjectModel[];
  contacts: ContactLine[];
  counts: StateCount[];
  /** Errors that belong to no state (bad query, auth, limits), as messages. */
  networkErrors: string[];
}
