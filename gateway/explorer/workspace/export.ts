/**
 * Export (`workspace-export`): what the workspace shows, as CSV and JSON, every row with its
 * provenance (state, record) and the owner's handling code, so that a file passed on keeps what the
 * owner allows done with each fact. Downloaded from a Blob through an object URL: nothing leaves
 * the page, the CSP allows it (a download is no fetch).
 */
import { h, plural } from './dom.ts';
import type { Provenance, WorkspaceModel } from './model.ts';

/** One exported fact. */
export interface ExportRow {
  subject: string;
  kind: 'record' | 'travel' | 'financial-measure' | 'listing' | 'organisation' | 'alert' | 'withheld' | 'contact';
  memberState: string;
  recordId: string;
  handling: string;
  restriction: string;
  evaluation: string;
  date: string;
  what: string;
  detail: string;
}

export const EXPORT_COLUMNS: ReadonlyArray<keyof ExportRow> = [
  'subject',
  'kind',
  'memberState',
  'recordId',
  'handling',
  'restriction',
  'evaluation',
  'date',
  'what',
  'detail',
];

function fromSource(source: Provenance): Pick<ExportRow, 'memberState' | 'recordId' | 'handling' | 'restriction' | 'evaluation'> {
  return {
    memberState: source.memberState,
    recordId: source.recordId,
    handling: source.handling ?? '',
    restriction: source.restriction ?? '',
    evaluation: source.evaluation ?? '',
  };
}

/** Every fact of the model, one row each. */
export function exportRows(model: WorkspaceModel): ExportRow[] {
  const rows: ExportRow[] = [];
  for (const s of model.subjects) {
    for (const r of s.records) {
      const name = [r.fields.givenName, r.fields.familyName].filter((part) => typeof part === 'string').join(' ');
      rows.push({
        subject: s.id,
        kind: 'record',
        ...fromSource({ memberState: r.memberState, recordId: r.id, handling: r.handling, restriction: r.restriction, evaluation: r.evaluation }),
        date: typeof r.fields.dateOfBirth === 'string' ? r.fields.dateOfBirth : '',
        what: name || r.id,
        detail: Object.entries(r.fields)
          .map(([field, value]) => `${field}=${Array.isArray(value) ? value.join('; ') : String(value)}`)
          .join(' | '),
      });
    }
    for (const m of s.travel) {
      rows.push({
        subject: s.id,
        kind: 'travel',
        ...fromSource(m.source),
        date: m.at,
        what: `${m.from.city} (${m.from.country}) -> ${m.to.city} (${m.to.country})`,
        detail: [m.mode, m.carrier, m.reference, m.planned ? 'planned' : ''].filter(Boolean).join(' '),
      });
    }
    for (const m of s.money) {
      rows.push({
        subject: s.id,
        kind: 'financial-measure',
        ...fromSource(m.source),
        date: m.since ?? '',
        what: m.kind,
        detail: [m.institution, m.amount !== undefined ? `${m.amount} ${m.currency ?? ''}`.trim() : '', m.legalBasis].filter(Boolean).join(' | '),
      });
    }
    for (const l of s.listings) {
      rows.push({
        subject: s.id,
        kind: 'listing',
        ...fromSource(l.source),
        date: l.listedSince ?? '',
        what: l.list,
        detail: [l.action, l.reason].filter(Boolean).join(' | '),
      });
    }
    for (const o of s.organisations) {
      rows.push({
        subject: s.id,
        kind: 'organisation',
        ...fromSource(o.source),
        date: o.since ?? '',
        what: o.name,
        detail: [o.kind, o.role].filter(Boolean).join(' '),
      });
    }
    for (const a of s.alerts) {
      for (const source of a.sources.length ? a.sources : [{ memberState: '', recordId: '' }]) {
        rows.push({ subject: s.id, kind: 'alert', ...fromSource(source), date: '', what: a.kind, detail: a.message });
      }
    }
  }
  for (const c of model.contacts) {
    rows.push({
      subject: '',
      kind: c.code === 'HOLDS_RECORD' ? 'contact' : 'withheld',
      memberState: c.memberState,
      recordId: (c.references ?? []).join(' '),
      handling: '',
      restriction: '',
      evaluation: '',
      date: '',
      what: c.code === 'HOLDS_RECORD' ? `${c.records} record(s)` : `${c.code} ${c.field} (${c.records} record(s))`,
      detail: [c.contact?.agency, c.contact?.phone, c.contact?.email, ...c.reasons].filter(Boolean).join(' | '),
    });
  }
  return rows;
}

function csvCell(value: string): string {
  // Quote every cell that needs it; a leading =, +, - or @ would be a formula in a spreadsheet.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(rows: ExportRow[]): string {
  const lines = [EXPORT_COLUMNS.join(',')];
  for (const row of rows) lines.push(EXPORT_COLUMNS.map((column) => csvCell(String(row[column]))).join(','));
  return lines.join('\r\n') + '\r\n';
}

export function toJson(model: WorkspaceModel): string {
  return JSON.stringify({ exportedAt: new Date().toISOString(), rows: exportRows(model), model }, null, 2);
}

function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = h('a', { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has taken the file once click() returned; free the URL after this task.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function mountExport(el: HTMLElement, model: WorkspaceModel): () => void {
  el.replaceChildren();
  const rows = exportRows(model);
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  const csv = h('button', { type: 'button', class: 'ws-button', 'data-testid': 'export-csv', disabled: !rows.length }, 'Download CSV');
  const json = h('button', { type: 'button', class: 'ws-button', 'data-testid': 'export-json', disabled: !rows.length }, 'Download JSON');
  csv.addEventListener('click', () => download(`hague-${stamp}.csv`, 'text/csv;charset=utf-8', toCsv(rows)));
  json.addEventListener('click', () => download(`hague-${stamp}.json`, 'application/json', toJson(model)));
  el.append(
    h(
      'p',
      {},
      `${plural(rows.length, 'row')}: every record, fact, alert and withheld field on screen, each with its state, record and the owner's handling code. `,
      'Handling codes travel with the file: H1 to H3 restrict what you may do with a fact without asking its owner. ',
      'A blank handling code: the answer did not carry one (select handling { code } on the record or fact).',
    ),
    h('p', { class: 'ws-export-buttons' }, csv, ' ', json),
  );
  const preview = rows.slice(0, 8);
  if (preview.length) {
    el.append(
      h('h4', {}, `First ${preview.length} rows`),
      h(
        'table',
        { class: 'ws-table' },
        h('thead', {}, h('tr', {}, ...['kind', 'memberState', 'recordId', 'handling', 'what'].map((title) => h('th', {}, title)))),
        h(
          'tbody',
          {},
          ...preview.map((row) => h('tr', {}, ...[row.kind, row.memberState, row.recordId, row.handling, row.what].map((cell) => h('td', {}, cell)))),
        ),
      ),
    );
  }
  return () => el.replaceChildren();
}
