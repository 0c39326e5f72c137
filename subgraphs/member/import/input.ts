import { createHash } from 'node:crypto';
import { createReadStream, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import type { Store } from '../store.ts';
import { importRecords } from './apply.ts';
import { validateRecord } from './validate.ts';
import { mapRecord, nationalField, problemLine, type Mapping } from './mapping.ts';
import type { ImportChange, ImportOptions, ImportResult } from './records.ts';

/**
 * `hague import` on files: reads a national export (NDJSON or CSV) or a change file (NDJSON of
 * {op: "upsert", record} and {op: "erase", id}), maps each record (mapping.ts) and hands them to
 * importRecords in order. Problems come back as `file:line: field: value; expected …` with national
 * field names; the rejected input lines go to the reject file.
 */

export type InputFormat = 'ndjson' | 'csv';

export interface ImportFileOptions extends Omit<ImportOptions, 'source'> {
  mapping: Mapping;
  input: string;
  /** Default: the mapping's, else by the file's extension (.csv), else NDJSON. */
  format?: InputFormat;
  /** The input is a change file (NDJSON of upserts and erasures). */
  changes?: boolean;
  /** Where the rejected input lines are written (created only when a record is rejected). */
  rejectFile?: string;
  /** Who runs the import, named in the audit beside the file. */
  operator?: string;
}

export interface ImportFileResult extends ImportResult {
  input: string;
  sha256: string;
  format: InputFormat;
  /** One line per problem: `file:line: field: value; expected …`. */
  problems: string[];
}

export async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

interface Line {
  line: number;
  text: string;
}

async function* lines(file: string): AsyncGenerator<Line> {
  const reader = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const text of reader) {
    n++;
    yield { line: n, text: n === 1 ? text.replace(/^\uFEFF/, '') : text };
  }
}

/** CSV rows (RFC 4180: quoted fields may hold the delimiter, quotes doubled, line breaks), each with its first line. */
async function* csvRows(file: string, delimiter: string): AsyncGenerator<{ line: number; raw: string; cells: string[] }> {
  let pending: { line: number; raw: string } | undefined;
  for await (const { line, text } of lines(file)) {
    const raw = pending ? `${pending.raw}\n${text}` : text;
    const start = pending?.line ?? line;
    if ((raw.match(/"/g)?.length ?? 0) % 2 === 1) {
      pending = { line: start, raw };
      continue;
    }
    pending = undefined;
    if (raw.trim() === '') continue;
    yield { line: start, raw, cells: splitCsv(raw, delimiter) };
  }
  if (pending) yield { line: pending.line, raw: pending.raw, cells: splitCsv(pending.raw, delimiter) };
}

function splitCsv(row: string, delimiter: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < row.length; i++) {
    const c = row[i];
    if (quoted) {
      if (c === '"' && row[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      cells.push(cell);
      cell = '';
    } else cell += c;
  }
  cells.push(cell);
  return cells;
}

/** A CSV row as the nested object an NDJSON line would hold: `documenten.2.nummer` -> documenten[1].nummer. */
function nest(header: string[], cells: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  header.forEach((name, i) => {
    const value = cells[i]?.trim();
    if (value === undefined || value === '') return;
    const parts = name.split('.');
    let at: Record<string, unknown> | unknown[] = out;
    parts.forEach((part, j) => {
      const index = /^\d+$/.test(part) ? Number(part) - 1 : undefined;
      const key = index ?? part;
      const last = j === parts.length - 1;
      const container = at as Record<string | number, unknown>;
      if (last) container[key] = value;
      else {
        const nextIsIndex = /^\d+$/.test(parts[j + 1]);
        container[key] ??= nextIsIndex ? [] : {};
        at = container[key] as Record<string, unknown> | unknown[];
      }
    });
  });
  // Collections numbered 1, 3 (2 empty) become dense lists.
  for (const [key, value] of Object.entries(out)) if (Array.isArray(value)) out[key] = value.filter((v) => v !== undefined);
  return out;
}

function changeOf(mapping: Mapping, data: unknown, origin: ImportChange['origin'], changes: boolean): ImportChange {
  if (changes) {
    const step = data as { op?: unknown; record?: unknown; id?: unknown } | null;
    if (!step || typeof step !== 'object' || (step.op !== 'upsert' && step.op !== 'erase'))
      return { op: 'reject', origin, problems: [{ field: 'op', value: step?.op, expected: 'expected "upsert" (with record) or "erase" (with id)' }] };
    if (step.op === 'erase') {
      if (typeof step.id !== 'string' || step.id.trim() === '')
        return { op: 'reject', origin, problems: [{ field: 'id', value: step.id, expected: 'expected the id of the record to erase' }] };
      return { op: 'erase', id: step.id, origin };
    }
    data = step.record;
  }
  const mapped = mapRecord(mapping, data);
  if (!mapped.record) return { op: 'reject', origin, problems: mapped.problems };
  // The contract's checks, reported under the national field each value came from.
  const problems = validateRecord(mapped.record);
  if (problems.length) return { op: 'reject', id: mapped.record.id, origin, problems: problems.map((p) => ({ ...p, field: nationalField(mapping, p.field) })) };
  return { op: 'upsert', record: mapped.record, origin };
}

async function* changesOf(mapping: Mapping, input: string, format: InputFormat, changes: boolean, header: { text?: string }): AsyncGenerator<ImportChange> {
  const file = input;
  if (format === 'ndjson' || changes) {
    for await (const { line, text } of lines(input)) {
      if (text.trim() === '') continue;
      const origin = { file, line, raw: text };
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch {
        yield { op: 'reject', origin, problems: [{ field: 'line', value: text, expected: 'expected one JSON object per line' }] };
        continue;
      }
      yield changeOf(mapping, data, origin, changes);
    }
    return;
  }
  let names: string[] | undefined;
  for await (const row of csvRows(input, mapping.csvDelimiter)) {
    if (!names) {
      names = row.cells.map((c) => c.trim());
      header.text = row.raw;
      continue;
    }
    yield changeOf(mapping, nest(names, row.cells), { file, line: row.line, raw: row.raw }, false);
  }
}

/** Imports one file through a mapping; see the module comment. */
export async function importFile(store: Pick<Store, 'db' | 'state'>, options: ImportFileOptions): Promise<ImportFileResult> {
  const { mapping, input } = options;
  const format: InputFormat = options.changes ? 'ndjson' : (options.format ?? mapping.format ?? (input.toLowerCase().endsWith('.csv') ? 'csv' : 'ndjson'));
  const sha256 = await fileSha256(input);
  const header: { text?: string } = {};
  const result = await importRecords(store, changesOf(mapping, input, format, options.changes ?? false, header), {
    ...options,
    source: { file: basename(input), sha256, ...(options.operator ? { operator: options.operator } : {}) },
  });
  const problems: string[] = [];
  for (const rejected of result.rejected) for (const problem of rejected.problems) problems.push(problemLine(problem));
  if (options.rejectFile && result.rejected.length > 0) {
    const rows = result.rejected.map((r) => r.origin?.raw ?? '').filter((raw) => raw !== '');
    writeFileSync(options.rejectFile, `${[...(format === 'csv' && header.text !== undefined ? [header.text] : []), ...rows].join('\n')}\n`);
  }
  return { ...result, input, sha256, format, problems };
}
