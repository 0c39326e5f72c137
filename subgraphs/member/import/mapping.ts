import { ConfigError, shown } from '../../../common/config-error.ts';
import { YamlFile, isPlainObject } from '../../../common/yaml-file.ts';
import { HANDLING_CODES } from '../handling.ts';
import {
  DOCUMENT_KINDS,
  FINANCIAL_MEASURE_KINDS,
  ORGANISATION_KINDS,
  SUBJECT_STATUSES,
  TRAVEL_MODES,
  type ImportProblem,
  type ImportRecord,
} from './records.ts';

/**
 * The mapping file of `hague import` (docs/national-data.md): how a national export's records,
 * under the state's own field names, code lists and date formats, become the contract's records.
 *
 *   format: ndjson | csv
 *   dates: { day: DD-MM-YYYY, time: DD-MM-YYYY hh:mm, utcOffset: '+01:00' }
 *   record:                       # contract field: national field, or { field, codes, date, default, split }
 *     id: registratienummer
 *     status: { field: status, codes: { FTF: FOREIGN_TERRORIST_FIGHTER, VERD: SUSPECT } }
 *     documents: { from: documenten, number: nummer, kind: { field: soort, codes: { P: PASSPORT } } }
 *
 * A CSV export has one row per person; a collection's items are columns `<from>.<n>.<field>`
 * (documenten.1.nummer, documenten.2.nummer), a list of names `<from>.<n>` or one column split on
 * `split`. An NDJSON export has arrays under `from`. A field name may be a dotted path into nested
 * objects (contact.unit).
 */

export interface FieldSpec {
  field?: string;
  codes?: Record<string, string>;
  /** A date pattern, or 'day' / 'time' for the mapping's defaults. */
  date?: string;
  default?: unknown;
  /** A list given as one text: split on this. */
  split?: string;
  /** The YAML line, for messages about the mapping. */
  line: string;
}

export interface CollectionSpec {
  from: string;
  fields: Record<string, FieldSpec>;
}

export interface Mapping {
  file: string;
  format?: 'ndjson' | 'csv';
  csvDelimiter: string;
  dayPattern: string;
  timePattern: string;
  utcOffset: string;
  record: Record<string, FieldSpec>;
  collections: Partial<Record<CollectionName, CollectionSpec>>;
}

type CollectionName = 'documents' | 'travel' | 'financialMeasures' | 'listings' | 'affiliations';

type Kind = 'text' | 'day' | 'time' | 'number' | 'boolean' | 'list' | { enum: readonly string[] };

const MARKING: Record<string, Kind> = { handling: { enum: HANDLING_CODES }, restriction: 'text', evaluation: 'text' };

/** Every contract field a mapping can fill, and its kind. */
const RECORD_FIELDS: Record<string, Kind> = {
  id: 'text',
  givenName: 'text',
  familyName: 'text',
  dateOfBirth: 'day',
  status: { enum: SUBJECT_STATUSES },
  reviewDue: 'day',
  background: 'text',
  'contact.unit': 'text',
  'contact.email': 'text',
  'contact.phone': 'text',
  'contact.reference': 'text',
  aliases: 'list',
  nationalities: 'list',
  ...MARKING,
};
const REQUIRED = ['id', 'givenName', 'familyName', 'status'];

const COLLECTION_FIELDS: Record<CollectionName, Record<string, Kind>> = {
  documents: { id: 'text', number: 'text', kind: { enum: DOCUMENT_KINDS }, issuingState: 'text', validUntil: 'day' },
  travel: {
    id: 'text',
    at: 'time',
    fromCity: 'text',
    fromCountry: 'text',
    toCity: 'text',
    toCountry: 'text',
    mode: { enum: TRAVEL_MODES },
    carrier: 'text',
    reference: 'text',
    source: 'text',
    planned: 'boolean',
    ...MARKING,
  },
  financialMeasures: {
    id: 'text',
    kind: { enum: FINANCIAL_MEASURE_KINDS },
    since: 'day',
    institution: 'text',
    amount: 'number',
    currency: 'text',
    legalBasis: 'text',
    ...MARKING,
  },
  listings: { id: 'text', list: 'text', listedSince: 'day', reason: 'text', action: 'text', ...MARKING },
  affiliations: {
    id: 'text',
    organisationId: 'text',
    organisationName: 'text',
    organisationKind: { enum: ORGANISATION_KINDS },
    role: 'text',
    since: 'day',
    ...MARKING,
  },
};
const COLLECTION_REQUIRED: Record<CollectionName, string[]> = {
  documents: ['number', 'kind', 'issuingState'],
  travel: ['at', 'fromCity', 'fromCountry', 'toCity', 'toCountry', 'mode'],
  financialMeasures: ['kind', 'since'],
  listings: ['list', 'listedSince'],
  affiliations: ['organisationId'],
};

const PATTERN_TOKENS = /YYYY|MM|DD|hh|mm|ss/g;

function checkPattern(yaml: YamlFile, path: (string | number)[], pattern: unknown, time: boolean): string {
  if (typeof pattern !== 'string' || !pattern.includes('YYYY') || !pattern.includes('MM') || !pattern.includes('DD'))
    throw yaml.bad(
      path,
      pattern,
      `is not a date pattern; expected YYYY, MM and DD (and hh, mm, ss for a time) with separators, e.g. ${time ? 'DD-MM-YYYY hh:mm' : 'DD-MM-YYYY'}`,
    );
  if (time && !pattern.includes('hh')) throw yaml.bad(path, pattern, 'is not a time pattern; expected hh and mm too, e.g. DD-MM-YYYY hh:mm');
  return pattern;
}

function fieldSpec(yaml: YamlFile, path: (string | number)[], value: unknown, kind: Kind): FieldSpec {
  const line = yaml.where(path);
  if (typeof value === 'string' && value.trim() !== '') return { field: value, line };
  if (!isPlainObject(value)) throw yaml.bad(path, value, 'is not a field mapping; expected the national field name, or { field, codes, date, default, split }');
  yaml.onlyKeys(path, value, ['field', 'codes', 'date', 'default', 'split']);
  const spec: FieldSpec = { line };
  if (value.field !== undefined) {
    if (typeof value.field !== 'string' || value.field.trim() === '')
      throw yaml.bad([...path, 'field'], value.field, 'is not a field name; expected the national field name');
    spec.field = value.field;
  }
  if (value.default !== undefined) spec.default = value.default;
  if (spec.field === undefined && spec.default === undefined)
    throw yaml.error(path, 'maps nothing; give field (the national field name) or default (a fixed value)');
  if (value.codes !== undefined) {
    if (!isPlainObject(value.codes)) throw yaml.bad([...path, 'codes'], value.codes, 'is not a code list; expected national code: contract value');
    const allowed = typeof kind === 'object' ? kind.enum : undefined;
    const codes: Record<string, string> = {};
    for (const [code, target] of Object.entries(value.codes)) {
      if (typeof target !== 'string' || (allowed && !allowed.includes(target)))
        throw yaml.bad(
          [...path, 'codes', code],
          target,
          allowed ? `is not a value of the contract here; expected one of ${allowed.join(', ')}` : 'is not text',
        );
      codes[code] = target;
    }
    spec.codes = codes;
  }
  if (value.date !== undefined) {
    if (kind !== 'day' && kind !== 'time') throw yaml.error([...path, 'date'], 'a date format applies only to a date or time field');
    spec.date = value.date === 'day' || value.date === 'time' ? value.date : checkPattern(yaml, [...path, 'date'], value.date, kind === 'time');
  }
  if (value.split !== undefined) {
    if (kind !== 'list') throw yaml.error([...path, 'split'], 'split applies only to aliases and nationalities');
    if (typeof value.split !== 'string' || value.split === '') throw yaml.bad([...path, 'split'], value.split, 'is not a separator; expected e.g. ";"');
    spec.split = value.split;
  }
  if (spec.default !== undefined && typeof kind === 'object' && !kind.enum.includes(spec.default as string))
    throw yaml.bad([...path, 'default'], spec.default, `is not a value of the contract here; expected one of ${kind.enum.join(', ')}`);
  return spec;
}

/** Reads and validates a mapping file; a mistake throws ConfigError naming file:line, the key and what to write. */
export function loadMapping(file: string): Mapping {
  return mappingOf(YamlFile.read(file, 'import mapping'));
}

export function parseMapping(text: string, file: string): Mapping {
  return mappingOf(YamlFile.parse(text, file));
}

function mappingOf(yaml: YamlFile): Mapping {
  const data = yaml.data;
  if (!isPlainObject(data)) throw yaml.error([], 'is not a mapping; expected keys format, dates, record');
  yaml.onlyKeys([], data, ['format', 'csv', 'dates', 'record']);
  const mapping: Mapping = {
    file: yaml.file,
    csvDelimiter: ',',
    dayPattern: 'YYYY-MM-DD',
    timePattern: 'YYYY-MM-DDThh:mm:ss',
    utcOffset: '+00:00',
    record: {},
    collections: {},
  };
  if (data.format !== undefined) {
    if (data.format !== 'ndjson' && data.format !== 'csv') throw yaml.bad(['format'], data.format, 'is not an input format; expected ndjson or csv');
    mapping.format = data.format;
  }
  if (data.csv !== undefined) {
    if (!isPlainObject(data.csv)) throw yaml.bad(['csv'], data.csv, 'is not a mapping; expected { delimiter: ";" }');
    yaml.onlyKeys(['csv'], data.csv, ['delimiter']);
    if (typeof data.csv.delimiter !== 'string' || data.csv.delimiter.length !== 1)
      throw yaml.bad(['csv', 'delimiter'], data.csv.delimiter, 'is not one character; expected e.g. "," or ";"');
    mapping.csvDelimiter = data.csv.delimiter;
  }
  if (data.dates !== undefined) {
    if (!isPlainObject(data.dates)) throw yaml.bad(['dates'], data.dates, 'is not a mapping; expected { day, time, utcOffset }');
    yaml.onlyKeys(['dates'], data.dates, ['day', 'time', 'utcOffset']);
    if (data.dates.day !== undefined) mapping.dayPattern = checkPattern(yaml, ['dates', 'day'], data.dates.day, false);
    if (data.dates.time !== undefined) mapping.timePattern = checkPattern(yaml, ['dates', 'time'], data.dates.time, true);
    if (data.dates.utcOffset !== undefined) {
      const offset = typeof data.dates.utcOffset === 'string' ? data.dates.utcOffset : '';
      if (!/^[+-]\d{2}:\d{2}$/.test(offset)) throw yaml.bad(['dates', 'utcOffset'], data.dates.utcOffset, "is not an offset; expected e.g. '+01:00' (quoted)");
      mapping.utcOffset = offset;
    }
  }
  if (!isPlainObject(data.record)) throw yaml.error(['record'], `is missing; expected record: with at least ${REQUIRED.join(', ')}`);
  const record = data.record;
  const collectionNames = Object.keys(COLLECTION_FIELDS);
  yaml.onlyKeys(['record'], record, [...Object.keys(RECORD_FIELDS).filter((k) => !k.startsWith('contact.')), 'contact', ...collectionNames]);
  for (const [key, value] of Object.entries(record)) {
    if (key === 'contact') {
      if (!isPlainObject(value)) throw yaml.bad(['record', 'contact'], value, 'is not a mapping; expected { unit, email, phone, reference }');
      yaml.onlyKeys(['record', 'contact'], value, ['unit', 'email', 'phone', 'reference']);
      for (const [sub, v] of Object.entries(value)) mapping.record[`contact.${sub}`] = fieldSpec(yaml, ['record', 'contact', sub], v, 'text');
    } else if (key in COLLECTION_FIELDS) {
      const name = key as CollectionName;
      const path = ['record', key];
      if (!isPlainObject(value))
        throw yaml.bad(path, value, `is not a collection mapping; expected { from: <national field>, ${COLLECTION_REQUIRED[name].join(', ')}, ... }`);
      const fieldsOf = COLLECTION_FIELDS[name];
      yaml.onlyKeys(path, value, ['from', ...Object.keys(fieldsOf)]);
      if (typeof value.from !== 'string' || value.from.trim() === '')
        throw yaml.error([...path, 'from'], 'is missing; expected the national field holding the list (NDJSON array, CSV column prefix)');
      const fields: Record<string, FieldSpec> = {};
      for (const [sub, v] of Object.entries(value)) if (sub !== 'from') fields[sub] = fieldSpec(yaml, [...path, sub], v, fieldsOf[sub]);
      for (const needed of COLLECTION_REQUIRED[name]) if (!fields[needed]) throw yaml.error(path, `does not map ${needed}; add ${needed}: <national field>`);
      mapping.collections[name] = { from: value.from, fields };
    } else {
      mapping.record[key] = fieldSpec(yaml, ['record', key], value, RECORD_FIELDS[key]);
    }
  }
  for (const needed of REQUIRED) if (!mapping.record[needed]) throw yaml.error(['record'], `does not map ${needed}; add ${needed}: <national field>`);
  return mapping;
}

// ---------------------------------------------------------------------------------------------
// Applying a mapping to one national record
// ---------------------------------------------------------------------------------------------

function get(source: unknown, path: string): unknown {
  let value: unknown = source;
  for (const part of path.split('.')) {
    if (value === null || value === undefined || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Date patterns compiled to regular expressions, once each. */
const compiledPatterns = new Map<string, { regex: RegExp; order: string[] }>();

function compiledPattern(pattern: string): { regex: RegExp; order: string[] } {
  let compiled = compiledPatterns.get(pattern);
  if (!compiled) {
    const order: string[] = [];
    const regex = new RegExp(
      `^${pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(PATTERN_TOKENS, (token) => {
        order.push(token);
        return token === 'YYYY' ? '(\\d{4})' : '(\\d{1,2})';
      })}$`,
    );
    compiled = { regex, order };
    compiledPatterns.set(pattern, compiled);
  }
  return compiled;
}

/** Parses a date or time by pattern; undefined when it does not fit. Times are read at the mapping's UTC offset. */
export function parseDate(text: string, pattern: string, utcOffset: string, time: boolean): string | undefined {
  const { regex, order } = compiledPattern(pattern);
  const match = regex.exec(text.trim());
  if (!match) return undefined;
  const part: Record<string, string> = { YYYY: '', MM: '', DD: '', hh: '00', mm: '00', ss: '00' };
  order.forEach((token, i) => (part[token] = match[i + 1].padStart(2, '0')));
  const day = `${part.YYYY}-${part.MM}-${part.DD}`;
  const check = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(check.getTime()) || check.toISOString().slice(0, 10) !== day) return undefined;
  if (!time) return day;
  if (Number(part.hh) > 23 || Number(part.mm) > 59 || Number(part.ss) > 59) return undefined;
  return `${day}T${part.hh}:${part.mm}:${part.ss}${utcOffset === '+00:00' ? 'Z' : utcOffset}`;
}

export interface Mapped {
  record?: ImportRecord;
  problems: ImportProblem[];
}

/** The contract record of one national record; problems name the national field. */
export function mapRecord(mapping: Mapping, source: unknown): Mapped {
  const problems: ImportProblem[] = [];
  if (!isPlainObject(source)) return { problems: [{ field: 'record', value: source, expected: 'expected an object' }] };
  const read = (spec: FieldSpec, kind: Kind, base: unknown, where: string): unknown => {
    let value = spec.field !== undefined ? get(base, spec.field) : undefined;
    if (value === undefined || value === null || value === '') value = spec.default;
    if (value === undefined || value === null || value === '') return undefined;
    const field = where + (spec.field ?? '(default)');
    if (kind === 'list') {
      const items = typeof value === 'string' && spec.split ? value.split(spec.split).map((s) => s.trim()) : value;
      if (!Array.isArray(items)) {
        problems.push({ field, value, expected: spec.split ? 'expected text' : `expected a list (or split: in ${spec.line})` });
        return undefined;
      }
      const out = (items as unknown[])
        .filter((s) => s !== '' && s !== null)
        .map((s): unknown => (spec.codes && typeof s === 'string' ? (spec.codes[s] ?? s) : s));
      return out;
    }
    if (typeof value === 'number' || typeof value === 'boolean') value = kind === 'number' || kind === 'boolean' ? value : String(value);
    if (spec.codes) {
      const code = String(value);
      if (!(code in spec.codes)) {
        problems.push({ field, value, expected: `expected one of ${Object.keys(spec.codes).join(', ')} (codes at ${spec.line})` });
        return undefined;
      }
      return spec.codes[code];
    }
    if (kind === 'day' || kind === 'time') {
      const pattern =
        spec.date === 'day'
          ? mapping.dayPattern
          : spec.date === 'time'
            ? mapping.timePattern
            : (spec.date ?? (kind === 'day' ? mapping.dayPattern : mapping.timePattern));
      const parsed = typeof value === 'string' ? parseDate(value, pattern, mapping.utcOffset, kind === 'time') : undefined;
      if (parsed === undefined) problems.push({ field, value, expected: `expected a ${kind === 'day' ? 'date' : 'time'} ${pattern}` });
      return parsed;
    }
    if (kind === 'number') {
      const n = typeof value === 'number' ? value : Number(String(value).replace(',', '.'));
      if (!Number.isFinite(n)) problems.push({ field, value, expected: 'expected a number' });
      return n;
    }
    if (kind === 'boolean') {
      if (typeof value === 'boolean') return value;
      const text = String(value).toLowerCase();
      if (['1', 'true', 'ja', 'yes', 'j', 'y'].includes(text)) return true;
      if (['0', 'false', 'nee', 'no', 'n'].includes(text)) return false;
      problems.push({ field, value, expected: 'expected true or false (1/0, ja/nee, yes/no)' });
      return undefined;
    }
    if (typeof value === 'object') {
      problems.push({ field, value, expected: 'expected text' });
      return undefined;
    }
    return typeof value === 'string' ? value : JSON.stringify(value);
  };

  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(mapping.record)) {
    const value = read(spec, RECORD_FIELDS[key], source, '');
    if (value === undefined) continue;
    if (key.startsWith('contact.')) ((out.contact ??= {}) as Record<string, unknown>)[key.slice(8)] = value;
    else out[key] = value;
  }
  for (const [name, spec] of Object.entries(mapping.collections) as Array<[CollectionName, CollectionSpec]>) {
    const items = get(source, spec.from);
    if (items === undefined || items === null || items === '') continue;
    if (!Array.isArray(items)) {
      problems.push({ field: spec.from, value: items, expected: 'expected a list' });
      continue;
    }
    out[name] = items
      .filter((item) => item !== null && item !== undefined)
      .map((item, i) => {
        const fields: Record<string, unknown> = {};
        for (const [key, fieldSpecOf] of Object.entries(spec.fields)) {
          const value = read(fieldSpecOf, COLLECTION_FIELDS[name][key], item, `${spec.from}[${i}].`);
          if (value !== undefined) fields[key] = value;
        }
        return shape(name, fields);
      });
  }
  if (problems.length) return { problems };
  return { record: out as unknown as ImportRecord, problems };
}

function shape(name: CollectionName, f: Record<string, unknown>): unknown {
  if (name === 'travel') {
    const { fromCity, fromCountry, toCity, toCountry, ...rest } = f;
    return { ...rest, from: { city: fromCity, country: fromCountry }, to: { city: toCity, country: toCountry } };
  }
  if (name === 'affiliations') {
    const { organisationId, organisationName, organisationKind, ...rest } = f;
    return { ...rest, organisation: { id: organisationId, name: organisationName, kind: organisationKind } };
  }
  return f;
}

/** The national field a contract field was read from (documents[1].kind -> documenten[1].soort), for messages. */
export function nationalField(mapping: Mapping, contractField: string): string {
  const m = /^(\w+)\[(\d+)\]\.?([\w.]*)$/.exec(contractField);
  if (m && m[1] in mapping.collections) {
    const spec = mapping.collections[m[1] as CollectionName]!;
    let sub = m[3];
    if (m[1] === 'travel') sub = sub.replace(/^(from|to)\.(city|country)$/, (_, end: string, what: string) => `${end}${what[0].toUpperCase()}${what.slice(1)}`);
    if (m[1] === 'affiliations')
      sub = sub.replace(/^organisation\.(id|name|kind)$/, (_, what: string) => `organisation${what[0].toUpperCase()}${what.slice(1)}`);
    const field = spec.fields[sub]?.field;
    return `${spec.from}[${m[2]}]${field ? `.${field}` : sub ? `.${sub}` : ''}`;
  }
  const base = contractField.replace(/\[\d+\]$/, '');
  const spec = mapping.record[base];
  if (spec?.field) return contractField.replace(base, spec.field);
  return contractField;
}

/** `file:line: field: value; expected …` */
export function problemLine(problem: ImportProblem): string {
  const where = problem.origin?.file ? `${problem.origin.file}${problem.origin.line ? `:${problem.origin.line}` : ''}: ` : '';
  return `${where}${problem.field}: ${problem.value === undefined ? 'missing' : shown(problem.value)}; ${problem.expected}`;
}

export { ConfigError };
