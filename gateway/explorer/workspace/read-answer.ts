/**
 * Reads any GraphQL answer of the network into the workspace model: the subjects and records in
 * `data` (found wherever they are nested, aliases included), the owners' errors rolled up into whom
 * to call, and the per-state counts of `extensions.hague.states`. Browser code: no Node imports.
 *
 * Nothing here knows the query: a Subject is an object with `heldBy`, `records` or `linkedBy`; a
 * Person record is an object with `memberState` and `id` that is not an organisation or a hit
 * notification. Whatever the analyst selected is read; what was not selected is simply absent.
 */
import type {
  Alert,
  Contact,
  ContactLine,
  Listing,
  Money,
  Movement,
  OrganisationLink,
  Place,
  Provenance,
  RecordCard,
  StateCount,
  SubjectModel,
  WorkspaceModel,
} from './model.ts';

/** One error as GraphQL answers it. */
export interface AnswerError {
  message?: unknown;
  path?: ReadonlyArray<string | number>;
  extensions?: Record<string, unknown>;
}

/** A GraphQL answer: any shape the gateway (or a failed request) produced. */
export interface Answer {
  data?: unknown;
  errors?: unknown;
  extensions?: unknown;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const objects = (value: unknown): Json[] => list(value).filter(isObject);

const ACCURACY: Record<string, string> = { ONE: '1', TWO: '2', THREE: '3', FOUR: '4' };

/** The 4x4 evaluation as analysts write it: B2. */
export function evaluationCode(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  const source = str(value.source);
  const information = str(value.information);
  if (!source && !information) return undefined;
  return `${source ?? '?'}${information ? (ACCURACY[information] ?? information) : '?'}`;
}

function handlingOf(value: unknown): { handling?: string; restriction?: string } {
  if (!isObject(value)) return {};
  return { handling: str(value.code), restriction: str(value.restriction) };
}

function contactOf(value: unknown): Contact | undefined {
  if (!isObject(value)) return undefined;
  const contact: Contact = {};
  for (const key of ['agency', 'unit', 'email', 'phone', 'reference'] as const) {
    const text = str(value[key]);
    if (text) contact[key] = text;
  }
  return Object.keys(contact).length ? contact : undefined;
}

function placeOf(value: unknown): Place {
  const place = isObject(value) ? value : {};
  return { city: str(place.city) ?? '?', country: str(place.country) ?? '' };
}

const SUBJECT_KEYS = ['heldBy', 'records', 'linkedBy'];
/** Fields only an Organisation (or a Subject's organisation link) has; a Person has none of them. */
const ORGANISATION_KEYS = ['name', 'kind', 'members'];
/** Fields only a HitNotification has. */
const NOTIFICATION_KEYS = ['recordType', 'callerState', 'record'];

function isSubject(value: Json): boolean {
  if (value.__typename === 'Subject') return true;
  return SUBJECT_KEYS.some((key) => Array.isArray(value[key]));
}

function isPerson(value: Json): boolean {
  if (typeof value.__typename === 'string') return value.__typename === 'Person';
  if (typeof value.memberState !== 'string' || typeof value.id !== 'string') return false;
  return !ORGANISATION_KEYS.some((key) => key in value) && !NOTIFICATION_KEYS.some((key) => key in value);
}

function isOrganisation(value: Json): boolean {
  if (typeof value.__typename === 'string') return value.__typename === 'Organisation';
  return typeof value.memberState === 'string' && typeof value.id === 'string' && ORGANISATION_KEYS.some((key) => key in value);
}

/** Fields of a Person that become facts of their own, not card fields. */
const FACT_FIELDS = new Set(['travel', 'financialMeasures', 'listings', 'affiliations', 'contact', 'handling', 'evaluation', 'matchKeys']);
const CARD_SKIP = new Set(['memberState', 'id', 'matchScore', '__typename']);

/** A released value as one line of text: documents, nationalities, aliases... */
function describe(value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (Array.isArray(value)) return value.map(describe);
  if (isObject(value)) {
    return Object.entries(value)
      .filter(([key, v]) => key !== '__typename' && v !== null && v !== undefined && typeof v !== 'object')
      .map(([, v]) => String(v))
      .join(' ');
  }
  return value;
}

/** Where a fact comes from: the fact's own handling code and evaluation, else its record's. */
function factSource(fact: Json, record: RecordCard): Provenance {
  const own = handlingOf(fact.handling);
  return {
    memberState: record.memberState,
    recordId: record.id,
    handling: own.handling ?? record.handling,
    restriction: own.handling ? own.restriction : record.restriction,
    evaluation: evaluationCode(fact.evaluation) ?? record.evaluation,
  };
}

/** A Subject's FactSource. */
function sourceOf(value: unknown): Provenance {
  const source = isObject(value) ? value : {};
  const handling = handlingOf(source.handling);
  return {
    memberState: str(source.memberState) ?? '?',
    recordId: str(source.recordId) ?? '',
    handling: handling.handling,
    restriction: handling.restriction,
    evaluation: evaluationCode(source.evaluation),
  };
}

function movementOf(m: Json, source: Provenance): Movement {
  return {
    at: str(m.at) ?? '',
    from: placeOf(m.from),
    to: placeOf(m.to),
    mode: str(m.mode),
    planned: typeof m.planned === 'boolean' ? m.planned : undefined,
    carrier: str(m.carrier),
    reference: str(m.reference),
    source,
  };
}

function moneyOf(m: Json, source: Provenance): Money {
  return {
    kind: str(m.kind) ?? '?',
    since: str(m.since),
    until: str(m.until),
    institution: str(m.institution),
    amount: num(m.amount),
    currency: str(m.currency),
    legalBasis: str(m.legalBasis),
    source,
  };
}

function listingOf(l: Json, source: Provenance): Listing {
  return { list: str(l.list) ?? '?', listedSince: str(l.listedSince), reason: str(l.reason), action: str(l.action), source };
}

function organisationKey(o: Json): string {
  const state = str(o.memberState);
  const id = str(o.id);
  return state && id ? `${state}:${id}` : (str(o.name) ?? '?');
}

/** A subject with nothing read into it yet. */
export function emptySubject(id: string): SubjectModel {
  return {
    id,
    label: id,
    heldBy: [],
    linkedBy: [],
    confidence: 'SINGLE_RECORD',
    records: [],
    travel: [],
    money: [],
    listings: [],
    organisations: [],
    alerts: [],
  };
}

/** Stable text of a fact, to drop the same fact read twice (a record selected under two aliases). */
function factKey(kind: string, fact: object): string {
  return `${kind}|${JSON.stringify(fact)}`;
}

class Reader {
  readonly subjects = new Map<string, SubjectModel>();
  /** memberState:id -> the subject its record belongs to. */
  private readonly recordSubject = new Map<string, SubjectModel>();
  /** memberState:id -> the record's card. */
  readonly records = new Map<string, RecordCard>();
  /** Per state, the contact points its records gave (first one kept as the state's line contact). */
  readonly stateContacts = new Map<string, Contact>();
  /** Subject.withheld / Subject.contacts, kept for the roll-up. */
  readonly withheld: Array<{ memberState: string; recordId: string; fields: string[]; reasons: string[]; contact?: Contact }> = [];
  private readonly seenFacts = new Set<string>();

  private addFact<T extends object>(subject: SubjectModel, kind: 'travel' | 'money' | 'listings' | 'organisations' | 'alerts', fact: T): void {
    const key = `${subject.id}|${factKey(kind, fact)}`;
    if (this.seenFacts.has(key)) return;
    this.seenFacts.add(key);
    (subject[kind] as T[]).push(fact);
  }

  /** A state's contact point: the first one seen, completed by later ones (one selection has the phone, another the e-mail). */
  private noteContact(memberState: string, contact: Contact | undefined): void {
    if (contact) this.stateContacts.set(memberState, { ...contact, ...this.stateContacts.get(memberState) });
  }

  /** Walks any value: subjects and persons are read where they are; everything else is searched. */
  walk(value: unknown): void {
    if (Array.isArray(value)) {
      for (const item of value) this.walk(item);
      return;
    }
    if (!isObject(value)) return;
    if (isSubject(value)) return this.readSubject(value);
    if (isPerson(value)) {
      this.readPerson(value);
      return;
    }
    if (isOrganisation(value)) {
      this.readOrganisation(value);
      return;
    }
    for (const child of Object.values(value)) this.walk(child);
  }

  private readSubject(s: Json): void {
    const id = str(s.id) ?? `subject ${this.subjects.size + 1}`;
    const subject = this.subjects.get(id) ?? emptySubject(id);
    this.subjects.set(id, subject);
    for (const state of list(s.heldBy)) if (typeof state === 'string' && !subject.heldBy.includes(state)) subject.heldBy.push(state);
    for (const kind of list(s.linkedBy)) if (typeof kind === 'string' && !subject.linkedBy.includes(kind)) subject.linkedBy.push(kind);
    subject.confidence = str(s.confidence) ?? (subject.heldBy.length > 1 ? subject.confidence : 'SINGLE_RECORD');
    if (num(s.matchScore) !== undefined) subject.matchScore = num(s.matchScore);
    for (const record of objects(s.records)) this.readPerson(record, subject);
    for (const c of objects(s.contacts)) {
      const state = str(c.memberState);
      const recordId = str(c.recordId);
      const contact = contactOf(c.contact);
      if (!state) continue;
      this.noteContact(state, contact);
      if (recordId && !subject.records.some((r) => r.memberState === state && r.id === recordId)) {
        this.addRecord(subject, { memberState: state, id: recordId, fields: {}, contact });
      } else if (recordId && contact) {
        const card = subject.records.find((r) => r.memberState === state && r.id === recordId);
        if (card && !card.contact) card.contact = contact;
      }
    }
    for (const t of objects(s.travel)) if (isObject(t.movement)) this.addFact(subject, 'travel', movementOf(t.movement, sourceOf(t.source)));
    for (const f of objects(s.financialMeasures)) if (isObject(f.measure)) this.addFact(subject, 'money', moneyOf(f.measure, sourceOf(f.source)));
    for (const l of objects(s.listings)) if (isObject(l.listing)) this.addFact(subject, 'listings', listingOf(l.listing, sourceOf(l.source)));
    for (const o of objects(s.organisations)) {
      const source = sourceOf(o.source);
      this.addFact(subject, 'organisations', {
        key: organisationKey(o),
        name: str(o.name) ?? str(o.id) ?? '?',
        kind: str(o.kind),
        role: str(o.role),
        since: str(o.since),
        source,
      } satisfies OrganisationLink);
    }
    for (const a of objects(s.alerts)) {
      this.addFact(subject, 'alerts', {
        kind: str(a.kind) ?? 'ALERT',
        message: str(a.message) ?? '',
        sources: objects(a.sources).map(sourceOf),
      } satisfies Alert);
    }
    for (const w of objects(s.withheld)) {
      const state = str(w.memberState);
      if (!state) continue;
      const contact = contactOf(w.contact);
      this.noteContact(state, contact);
      this.withheld.push({
        memberState: state,
        recordId: str(w.recordId) ?? '',
        fields: list(w.fields).filter((f): f is string => typeof f === 'string'),
        reasons: list(w.reasons).filter((r): r is string => typeof r === 'string'),
        contact,
      });
    }
    const names = objects(s.names);
    const named = names.find((n) => str(n.familyName) || str(n.givenName));
    const firstRecord = subject.records.find((r) => r.fields.familyName || r.fields.givenName);
    const label = named
      ? [str(named.givenName), str(named.familyName)].filter(Boolean).join(' ')
      : firstRecord
        ? [firstRecord.fields.givenName, firstRecord.fields.familyName].filter(Boolean).join(' ')
        : undefined;
    if (label) subject.label = label;
    else if (subject.label === id && subject.heldBy.length) subject.label = `Subject held by ${subject.heldBy.join(', ')}`;
    // Names and aliases land on their record's card (when `records` was not selected, they are all it has).
    for (const n of names) {
      const alias = str(n.alias);
      const source = sourceOf(n.source);
      const card = subject.records.find((r) => r.memberState === source.memberState && (!source.recordId || r.id === source.recordId));
      if (!card) continue;
      if (alias) {
        const aliases = Array.isArray(card.fields.aliases) ? (card.fields.aliases as unknown[]) : [];
        if (!aliases.includes(alias)) card.fields.aliases = [...aliases, alias];
        continue;
      }
      for (const field of ['givenName', 'familyName'] as const) {
        const value = str(n[field]);
        if (value && card.fields[field] === undefined) card.fields[field] = value;
      }
    }
  }

  private addRecord(subject: SubjectModel, card: RecordCard): RecordCard {
    const key = `${card.memberState}:${card.id}`;
    const known = this.records.get(key);
    if (known) {
      if (!subject.records.includes(known)) subject.records.push(known);
      return known;
    }
    this.records.set(key, card);
    this.recordSubject.set(key, subject);
    subject.records.push(card);
    if (!subject.heldBy.includes(card.memberState)) subject.heldBy.push(card.memberState);
    return card;
  }

  /** A Person record: its card, and its facts added to its subject (its own single-record subject outside `subjects`). */
  readPerson(p: Json, within?: SubjectModel): RecordCard | undefined {
    const memberState = str(p.memberState);
    const id = str(p.id);
    if (!memberState || !id) {
      // A record the owner released without its keys (not selected): its nested records still count.
      for (const child of Object.values(p)) this.walk(child);
      return undefined;
    }
    const key = `${memberState}:${id}`;
    const subject = within ?? this.recordSubject.get(key) ?? this.singleRecordSubject(key);
    const card = this.addRecord(subject, this.records.get(key) ?? { memberState, id, fields: {} });
    const handling = handlingOf(p.handling);
    card.handling ??= handling.handling;
    card.restriction ??= handling.restriction;
    card.evaluation ??= evaluationCode(p.evaluation);
    if (num(p.matchScore) !== undefined) card.matchScore = num(p.matchScore);
    const contact = contactOf(p.contact);
    if (contact) card.contact = { ...card.contact, ...contact };
    this.noteContact(memberState, contact);
    for (const [field, value] of Object.entries(p)) {
      if (CARD_SKIP.has(field) || FACT_FIELDS.has(field)) continue;
      if (value === null || value === undefined) continue;
      if (isObject(value) && isPerson(value)) continue;
      card.fields[field] = describe(value);
    }
    if (card.matchScore !== undefined && (subject.matchScore === undefined || card.matchScore > subject.matchScore)) subject.matchScore = card.matchScore;
    if (subject.records.length === 1 && subject.confidence === 'SINGLE_RECORD') {
      const name = [card.fields.givenName, card.fields.familyName].filter((part) => typeof part === 'string').join(' ');
      subject.label = name ? `${name} (${memberState})` : key;
    }
    for (const m of objects(p.travel)) this.addFact(subject, 'travel', movementOf(m, factSource(m, card)));
    for (const m of objects(p.financialMeasures)) this.addFact(subject, 'money', moneyOf(m, factSource(m, card)));
    for (const l of objects(p.listings)) this.addFact(subject, 'listings', listingOf(l, factSource(l, card)));
    for (const a of objects(p.affiliations)) {
      const organisation = isObject(a.organisation) ? a.organisation : {};
      this.addFact(subject, 'organisations', {
        key: organisationKey(organisation),
        name: str(organisation.name) ?? str(organisation.id) ?? '?',
        kind: str(organisation.kind),
        role: str(a.role),
        since: str(a.since),
        source: factSource(a, card),
      } satisfies OrganisationLink);
      if (isObject(a.person) && a.person !== p) this.walk(a.person);
    }
    return card;
  }

  /** An organisation record (organisations query, or nested): its members are persons linked to it. */
  private readOrganisation(o: Json): void {
    for (const a of objects(o.members)) {
      if (!isObject(a.person)) continue;
      const card = this.readPerson(a.person);
      if (!card) continue;
      const subject = this.recordSubject.get(`${card.memberState}:${card.id}`);
      if (!subject) continue;
      this.addFact(subject, 'organisations', {
        key: organisationKey(o),
        name: str(o.name) ?? str(o.id) ?? '?',
        kind: str(o.kind),
        role: str(a.role),
        since: str(a.since),
        source: factSource(a, card),
      } satisfies OrganisationLink);
    }
  }

  private singleRecordSubject(key: string): SubjectModel {
    const subject = emptySubject(key);
    this.subjects.set(key, subject);
    return subject;
  }

  /** The record on an error's path: the deepest Person (or record id) along it, read from `data`. */
  recordOnPath(data: unknown, path: ReadonlyArray<string | number> | undefined): { memberState: string; recordId: string } | undefined {
    if (!Array.isArray(path)) return undefined;
    let node: unknown = data;
    let found: { memberState: string; recordId: string } | undefined;
    for (const step of path as ReadonlyArray<unknown>) {
      if (node === null || node === undefined || typeof node !== 'object') break;
      if (typeof step !== 'string' && typeof step !== 'number') break;
      node = (node as Record<string | number, unknown>)[step];
      if (isObject(node) && !isSubject(node) && typeof node.memberState === 'string' && typeof node.id === 'string' && !isOrganisation(node)) {
        found = { memberState: node.memberState, recordId: node.id };
      }
    }
    return found;
  }
}

/** The code an owner's reason stands for: a network rule names the coordinate ("Person.x needs..."). */
function withheldCode(field: string, reasons: string[]): { code: string; reasons: string[] } {
  const short = field.includes('.') ? field.slice(field.lastIndexOf('.') + 1) : field;
  const forbidden = reasons.filter((r) => r.includes(field));
  if (forbidden.length) return { code: 'FORBIDDEN', reasons: forbidden };
  const owner = reasons.filter((r) => r.includes(`${short} is`) || r.includes(short));
  return { code: 'NOT_RELEASED', reasons: owner.length ? owner : reasons };
}

function fieldOfError(error: AnswerError, recordPath: boolean): string {
  const field = str(error.extensions?.field);
  if (field) return field;
  const last: unknown = Array.isArray(error.path) ? (error.path as ReadonlyArray<unknown>).at(-1) : undefined;
  if (recordPath && typeof last === 'string') return `Person.${last}`;
  return typeof last === 'string' ? last : '';
}

function readCounts(extensions: unknown): StateCount[] {
  const states = isObject(extensions) && isObject(extensions.hague) && isObject(extensions.hague.states) ? extensions.hague.states : {};
  const counts: StateCount[] = [];
  for (const [memberState, byKey] of Object.entries(states)) {
    if (!isObject(byKey)) continue;
    for (const [key, count] of Object.entries(byKey)) {
      if (!isObject(count)) continue;
      counts.push({ memberState, key, returned: num(count.returned) ?? 0, more: count.more === true });
    }
  }
  return counts;
}

/** Reads any answer into the workspace model. Never throws on an unexpected shape: what it cannot read it leaves out. */
export function readAnswer(result: Answer): WorkspaceModel {
  const reader = new Reader();
  const data = isObject(result) ? result.data : undefined;
  reader.walk(data);

  // Whom to call: one line per state, field and code, with the records it concerns.
  const lines = new Map<string, ContactLine & { recordIds: Set<string>; reasonSet: Set<string>; referenceSet: Set<string> }>();
  const line = (memberState: string, field: string, code: string) => {
    const key = `${memberState}\u0000${field}\u0000${code}`;
    let entry = lines.get(key);
    if (!entry) {
      entry = { memberState, field, code, records: 0, reasons: [], recordIds: new Set(), reasonSet: new Set(), referenceSet: new Set() };
      lines.set(key, entry);
    }
    return entry;
  };
  // Every state holding a record: one line, whatever it withheld.
  for (const card of reader.records.values()) {
    const entry = line(card.memberState, '', 'HOLDS_RECORD');
    entry.recordIds.add(card.id);
    if (card.contact?.reference) entry.referenceSet.add(card.contact.reference);
  }
  for (const w of reader.withheld) {
    for (const field of w.fields) {
      const { code, reasons } = withheldCode(field, w.reasons);
      const entry = line(w.memberState, field, code);
      if (w.recordId) entry.recordIds.add(w.recordId);
      for (const reason of reasons) entry.reasonSet.add(reason);
      if (w.contact?.reference) entry.referenceSet.add(w.contact.reference);
    }
  }

  const network = new Map<string, number>();
  const errors = isObject(result) && Array.isArray(result.errors) ? (result.errors as unknown[]).filter(isObject) : [];
  for (const raw of errors) {
    const error = raw as AnswerError;
    const message = str(error.message) ?? 'error without a message';
    const ext = isObject(error.extensions) ? error.extensions : {};
    const code = str(ext.code) ?? 'ERROR';
    const record = reader.recordOnPath(data, error.path);
    const memberState = str(ext.memberState) ?? record?.memberState;
    if (!memberState) {
      network.set(code === 'ERROR' ? message : `${code}: ${message}`, (network.get(code === 'ERROR' ? message : `${code}: ${message}`) ?? 0) + 1);
      continue;
    }
    const entry = line(memberState, fieldOfError(error, record !== undefined), code);
    if (record && record.memberState === memberState) {
      entry.recordIds.add(record.recordId);
      const reference = reader.records.get(`${record.memberState}:${record.recordId}`)?.contact?.reference;
      if (reference) entry.referenceSet.add(reference);
    }
    const reason = str(ext.reason);
    entry.reasonSet.add(reason && !message.includes(reason) ? `${message} (${reason})` : message);
  }

  const contacts: ContactLine[] = [...lines.values()].map(({ recordIds, reasonSet, referenceSet, ...rest }) => ({
    ...rest,
    records: recordIds.size,
    reasons: [...reasonSet],
    references: [...referenceSet],
    contact: reader.stateContacts.get(rest.memberState),
  }));
  // States in the order they first appear (records first), then by field; the whole-state line first.
  const order = [...new Set(contacts.map((c) => c.memberState))];
  contacts.sort(
    (a, b) => order.indexOf(a.memberState) - order.indexOf(b.memberState) || (a.field === '' ? -1 : b.field === '' ? 1 : a.field.localeCompare(b.field)),
  );

  for (const subject of reader.subjects.values()) subject.travel.sort((a, b) => a.at.localeCompare(b.at));

  return {
    subjects: [...reader.subjects.values()].filter((s) => s.records.length || s.travel.length || s.alerts.length),
    contacts,
    counts: readCounts(isObject(result) ? result.extensions : undefined),
    networkErrors: [...network].map(([message, count]) => (count > 1 ? `${message} (× ${count})` : message)),
  };
}
