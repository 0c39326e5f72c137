import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { DocumentKind, ImportDocument, ImportRecord, SubjectStatus } from './records.ts';
import { isIsoDate as isDay } from '../review.ts';

/**
 * The EU consolidated list of persons, groups and entities subject to EU financial sanctions, as
 * the Commission's Financial Sanctions Database exports it in XML (root `export`, namespace
 * http://eu.europa.ec/fpi/fsd/export, one `sanctionEntity` per listed subject, the data in
 * attributes), read into contract-shaped person records (records.ts) for importRecords.
 *
 * The subset read (docs/national-data.md lists it too):
 * - `sanctionEntity`: `logicalId` (the record id becomes `EU-<logicalId>`), `designationDate`,
 *   `euReferenceNumber` (the contact reference), a `remark` (the background);
 * - `subjectType code`: `person` entities become person records; every other subject type
 *   (`enterprise`, groups) is skipped and counted: the contract's organisations have no listings
 *   and no kind for a sanctioned company;
 * - `nameAlias`: `firstName`, `middleName`, `lastName`, `wholeName`; the first alias marked
 *   `strong="true"` (else the first) gives the names, every other spelling is an alias;
 * - `birthdate`: the first full `birthdate` (YYYY-MM-DD) is the date of birth (a year alone is not a
 *   date of the contract);
 * - `citizenship countryIso2Code`: the nationalities;
 * - `identification`: `number`, `identificationTypeCode` (`passport` → PASSPORT, `id` → IDENTITY_CARD,
 *   other kinds skipped), `countryIso2Code` (the issuing state);
 * - `regulation`: `publicationDate`, `numberTitle`, `programme`; the earliest published one is the
 *   legal basis of the asset freeze.
 * Each person gets a listing on EU_SANCTIONS_LIST (since the designation date, else the earliest
 * regulation's publication; the programme and regulation as its reason) and an ASSET_FREEZE
 * financial measure, both marked H0 / A1 (a published official act).
 *
 * Safety: a DOCTYPE is refused (the export has none), so no entity of a document type definition is
 * ever expanded; fast-xml-parser runs with entity processing off, and only XML's five predefined
 * entities and numeric character references are decoded, by this module.
 */

export const EU_SANCTIONS_LIST = 'EU consolidated financial sanctions list';

/** A file that is not the export, or a person entry that cannot become a record: names the file, line and entity. */
export class EuSanctionsFormatError extends Error {}

export interface EuSanctionsOptions {
  /** The file's name, for messages. */
  file: string;
  /** The status the records get (the list says nothing of an investigation): default SUSPECT. */
  status?: SubjectStatus;
}

export interface EuSanctionsRead {
  records: ImportRecord[];
  /** Entities that are not persons, by subject type code, e.g. { enterprise: 3 }. */
  skipped: Record<string, number>;
  /** The export's generationDate attribute, when it has one. */
  generationDate: string | null;
}

type Attributes = Record<string, unknown>;

const LISTS = new Set(['sanctionEntity', 'nameAlias', 'birthdate', 'citizenship', 'identification', 'regulation', 'remark', 'subjectType']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // Elements only: `birthdate` is also an attribute of the element of the same name.
  isArray: (name, _path, _leaf, isAttribute) => !isAttribute && LISTS.has(name),
});

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML's predefined entities and character references; anything else is left as written. */
function decode(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|amp|lt|gt|quot|apos);/g, (all, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1] === 'x' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : all;
    }
    return PREDEFINED[name];
  });
}

function text(value: unknown): string {
  if (typeof value === 'string') return decode(value).replace(/\s+/g, ' ').trim();
  if (typeof value === 'number') return String(value);
  // An element with attributes and text: fast-xml-parser keeps the text under #text.
  if (value && typeof value === 'object' && '#text' in value) return text((value as Attributes)['#text']);
  return '';
}

function list(node: Attributes, name: string): Attributes[] {
  const value = node[name];
  if (value === undefined || value === '') return [];
  return (Array.isArray(value) ? value : [value]).map((v) => (v && typeof v === 'object' ? (v as Attributes) : {}));
}

const DOCUMENT_KINDS: Record<string, DocumentKind> = { passport: 'PASSPORT', id: 'IDENTITY_CARD' };

/** Reads the export's XML text into person records; throws EuSanctionsFormatError naming the file, line and entity. */
export function readEuSanctions(xml: string, options: EuSanctionsOptions): EuSanctionsRead {
  const file = options.file;
  if (/<!DOCTYPE/i.test(xml)) {
    throw new EuSanctionsFormatError(`${file}: has a DOCTYPE; the EU sanctions export has none, and Hague expands no document type's entities`);
  }
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new EuSanctionsFormatError(`${file}:${valid.err.line}: not well-formed XML: ${valid.err.msg}`);
  const document = parser.parse(xml) as Attributes;
  const root = document.export;
  if (!root || typeof root !== 'object') {
    const found = Object.keys(document).find((k) => !k.startsWith('?')) ?? 'nothing';
    throw new EuSanctionsFormatError(
      `${file}: root element is ${found}, not export; expected the EU financial sanctions XML export (namespace http://eu.europa.ec/fpi/fsd/export)`,
    );
  }
  // The line of each sanctionEntity, in document order, for messages.
  const lines: number[] = [];
  for (const match of xml.matchAll(/<(?:[A-Za-z_][\w.-]*:)?sanctionEntity[\s/>]/g)) lines.push(xml.slice(0, match.index).split('\n').length);

  const records: ImportRecord[] = [];
  const skipped: Record<string, number> = {};
  const seen = new Map<string, number>();
  list(root as Attributes, 'sanctionEntity').forEach((entity, index) => {
    const line = lines[index];
    const logicalId = text(entity.logicalId);
    const name = logicalId ? `sanctionEntity logicalId=${logicalId}` : `sanctionEntity #${index + 1}`;
    const fail = (field: string, value: unknown, expected: string): never => {
      throw new EuSanctionsFormatError(`${file}:${line}: ${name}: ${field}: ${JSON.stringify(value ?? null)}; expected ${expected}`);
    };
    const subject = text(list(entity, 'subjectType')[0]?.code);
    if (subject !== 'person') {
      const key = subject || 'unknown';
      skipped[key] = (skipped[key] ?? 0) + 1;
      return;
    }
    if (!/^[0-9A-Za-z_.-]{1,40}$/.test(logicalId)) fail('logicalId', entity.logicalId ?? null, 'the entity’s logical id (digits)');
    const earlier = seen.get(logicalId);
    if (earlier !== undefined) fail('logicalId', logicalId, `an id of its own; line ${earlier} has the same`);
    seen.set(logicalId, line);

    // Names: the strong alias first (else the first), its parts; the other spellings are aliases.
    const aliases = list(entity, 'nameAlias');
    if (aliases.length === 0) fail('nameAlias', null, 'at least one name (firstName/lastName or wholeName)');
    const primary = aliases.find((a) => text(a.strong) === 'true' && (text(a.lastName) || text(a.wholeName))) ?? aliases[0];
    let givenName = [text(primary.firstName), text(primary.middleName)].filter(Boolean).join(' ');
    let familyName = text(primary.lastName);
    const whole = text(primary.wholeName);
    if (!familyName) {
      if (!whole) fail('nameAlias.wholeName', primary.wholeName ?? null, 'a name: lastName or wholeName');
      const words = whole.split(' ');
      familyName = words.length > 1 ? words[words.length - 1] : whole;
      if (!givenName) givenName = words.length > 1 ? words.slice(0, -1).join(' ') : '-';
    }
    if (!givenName) givenName = '-';
    const spelled = `${givenName} ${familyName}`.toLowerCase();
    const otherNames = new Set<string>();
    for (const alias of aliases) {
      const spelling = text(alias.wholeName) || [text(alias.firstName), text(alias.middleName), text(alias.lastName)].filter(Boolean).join(' ');
      if (spelling && spelling.toLowerCase() !== spelled) otherNames.add(spelling);
    }

    const birthdates = list(entity, 'birthdate');
    for (const b of birthdates) {
      const value = text(b.birthdate);
      if (value && !isDay(value)) fail('birthdate.birthdate', b.birthdate, 'a date YYYY-MM-DD (or no birthdate attribute, with year alone)');
    }
    const dateOfBirth = birthdates.map((b) => text(b.birthdate)).find((d) => d !== '') ?? null;

    const nationalities = [
      ...new Set(
        list(entity, 'citizenship')
          .map((c) => text(c.countryIso2Code).toUpperCase())
          .filter((c) => /^[A-Z]{2}$/.test(c) && c !== '00'),
      ),
    ];

    const documents: ImportDocument[] = [];
    for (const identification of list(entity, 'identification')) {
      const kind = DOCUMENT_KINDS[text(identification.identificationTypeCode)];
      if (!kind) continue;
      const number = text(identification.number);
      if (!number) fail('identification.number', identification.number ?? null, `the ${text(identification.identificationTypeCode)} number`);
      const country = text(identification.countryIso2Code).toUpperCase();
      if (!/^[A-Z]{2}$/.test(country))
        fail('identification.countryIso2Code', identification.countryIso2Code ?? null, `the issuing state of ${kind.toLowerCase()} ${number}: two letters`);
      documents.push({ id: `EU-${logicalId}-D${documents.length + 1}`, number, kind, issuingState: country, validUntil: null });
    }

    const regulations = list(entity, 'regulation').map((r) => ({
      published: text(r.publicationDate),
      numberTitle: text(r.numberTitle),
      programme: text(r.programme),
    }));
    for (const r of regulations) if (r.published && !isDay(r.published)) fail('regulation.publicationDate', r.published, 'a date YYYY-MM-DD');
    const basis = regulations.filter((r) => r.numberTitle).sort((a, b) => (a.published || '9999').localeCompare(b.published || '9999'))[0];
    if (!basis) fail('regulation', null, 'at least one regulation with its numberTitle (the legal basis of the freeze)');
    const designated = text(entity.designationDate);
    if (designated && !isDay(designated)) fail('designationDate', entity.designationDate, 'a date YYYY-MM-DD');
    const since = designated || basis.published;
    if (!since) fail('designationDate', null, 'the designation date, or a regulation with its publicationDate');
    const programmes = [...new Set(regulations.map((r) => r.programme).filter(Boolean))];
    const reference = text(entity.euReferenceNumber);
    const remarks = entity.remark;
    const remark = (Array.isArray(remarks) ? remarks : remarks === undefined ? [] : [remarks])
      .map((r) => text(r))
      .filter(Boolean)
      .join(' ');

    const record: ImportRecord = {
      id: `EU-${logicalId}`,
      givenName,
      familyName,
      dateOfBirth,
      status: options.status ?? 'SUSPECT',
      background: remark || null,
      contact: { reference: reference ? `EU ${reference}` : `EU logicalId ${logicalId}` },
      aliases: [...otherNames],
      nationalities,
      documents,
      listings: [
        {
          id: `EU-${logicalId}-L1`,
          list: EU_SANCTIONS_LIST,
          listedSince: since,
          reason: `${programmes.length ? `programme ${programmes.join(', ')}; ` : ''}regulation ${basis.numberTitle}`,
          action: 'Freeze all funds and economic resources; make none available',
          handling: 'H0',
          evaluation: 'A1',
        },
      ],
      financialMeasures: [
        { id: `EU-${logicalId}-F1`, kind: 'ASSET_FREEZE', since, legalBasis: basis.numberTitle, institution: null, handling: 'H0', evaluation: 'A1' },
      ],
      handling: 'H0',
      evaluation: 'A1',
    };
    records.push(record);
  });
  const generation = text((root as Attributes).generationDate);
  return { records, skipped, generationDate: generation || null };
}
