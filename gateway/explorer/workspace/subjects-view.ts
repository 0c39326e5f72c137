/**
 * The subjects view (`workspace-subjects`): one card per subject, its alerts on top, the records of
 * every state that holds one side by side, then every fact with its source state, handling code and
 * evaluation.
 */
import { formatTime, h, plural, sourceBadge, stateName } from './dom.ts';
import type { RecordCard, SubjectModel, WorkspaceModel } from './model.ts';

/** Cards drawn at once: a search of 500 records per state would otherwise build thousands of nodes. */
const PAGE = 40;

const FIELD_ORDER = ['givenName', 'familyName', 'aliases', 'dateOfBirth', 'nationalities', 'status', 'documents', 'background'];

function fieldValue(value: unknown): string {
  if (Array.isArray(value)) return value.map(fieldValue).join('; ');
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** The handling codes of the facts a record contributed, e.g. { H0: 2, H1: 1 }. */
function factHandling(subject: SubjectModel, record: RecordCard): Map<string, number> {
  const codes = new Map<string, number>();
  const sources = [...subject.travel, ...subject.money, ...subject.listings, ...subject.organisations].map((fact) => fact.source);
  for (const source of sources) {
    if (source.memberState !== record.memberState || (source.recordId && source.recordId !== record.id) || !source.handling) continue;
    codes.set(source.handling, (codes.get(source.handling) ?? 0) + 1);
  }
  return new Map([...codes].sort(([a], [b]) => a.localeCompare(b)));
}

function recordColumn(record: RecordCard, subject: SubjectModel): HTMLElement {
  const fields = Object.keys(record.fields).sort((a, b) => {
    const ia = FIELD_ORDER.indexOf(a);
    const ib = FIELD_ORDER.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
  const list = h('dl', { class: 'ws-fields' });
  for (const field of fields) list.append(h('dt', {}, field), h('dd', {}, fieldValue(record.fields[field])));
  const contact = record.contact;
  const facts = factHandling(subject, record);
  return h(
    'section',
    {
      class: 'ws-record',
      'data-testid': 'record',
      'data-member-state': record.memberState,
      'data-record-id': record.id,
      'data-handling': record.handling ?? '',
      'data-fact-handling': [...facts.keys()].join(','),
    },
    h(
      'header',
      {},
      h('strong', {}, stateName(record.memberState)),
      ' ',
      h('code', {}, record.id),
      ' ',
      sourceBadge({
        memberState: record.memberState,
        recordId: record.id,
        handling: record.handling,
        restriction: record.restriction,
        evaluation: record.evaluation,
      }),
      record.matchScore !== undefined ? h('span', { class: 'ws-muted' }, ` match ${record.matchScore.toFixed(2)}`) : null,
    ),
    record.restriction ? h('p', { class: 'ws-restriction' }, `Restriction: ${record.restriction}`) : null,
    facts.size
      ? h(
          'p',
          { class: 'ws-small', title: 'Handling codes of the facts this record contributed (travel, money, listings, organisations)' },
          'Facts: ',
          ...[...facts].map(([code, n]) => h('span', { class: `ws-handling ws-handling-${code}` }, `${code}×${n} `)),
        )
      : null,
    fields.length ? list : h('p', { class: 'ws-muted' }, 'No fields released or selected.'),
    contact ? h('p', { class: 'ws-muted ws-small' }, [contact.agency, contact.phone, contact.reference].filter(Boolean).join(' · ')) : null,
  );
}

function table(headers: string[], rows: HTMLElement[]): HTMLElement {
  return h('table', { class: 'ws-table' }, h('thead', {}, h('tr', {}, ...headers.map((title) => h('th', {}, title)))), h('tbody', {}, ...rows));
}

function row(...cells: Array<Node | string>): HTMLTableRowElement {
  return h('tr', {}, ...cells.map((cell) => h('td', {}, cell)));
}

function subjectCard(subject: SubjectModel): HTMLElement {
  const card = h('article', {
    class: 'ws-card',
    'data-testid': 'subject-card',
    'data-subject-id': subject.id,
    'data-held-by': subject.heldBy.join(','),
  });
  card.append(
    h(
      'header',
      { class: 'ws-card-head' },
      h('h3', {}, subject.label),
      h('span', { class: 'ws-muted' }, ` held by ${subject.heldBy.join(', ') || '?'} · ${subject.confidence.toLowerCase().replace('_', ' ')}`),
      subject.linkedBy.length ? h('span', { class: 'ws-muted' }, ` · linked by ${subject.linkedBy.join(', ')}`) : null,
    ),
  );
  if (subject.alerts.length) {
    card.append(
      h(
        'ul',
        { class: 'ws-alerts', 'data-testid': 'subject-alerts' },
        ...subject.alerts.map((alert) =>
          h(
            'li',
            { class: 'ws-alert', 'data-kind': alert.kind },
            h('strong', {}, alert.kind.replace(/_/g, ' ')),
            ' ',
            alert.message,
            ' ',
            ...alert.sources.map(sourceBadge),
          ),
        ),
      ),
    );
  }
  card.append(h('div', { class: 'ws-records' }, ...subject.records.map((record) => recordColumn(record, subject))));
  if (subject.travel.length) {
    card.append(
      h('h4', {}, `Travel (${subject.travel.length})`),
      table(
        ['When', 'Route', 'Mode', 'Carrier / ref.', 'Source'],
        subject.travel.map((m) =>
          row(
            `${formatTime(m.at)}${m.planned ? ' (planned)' : ''}`,
            `${m.from.city} (${m.from.country}) → ${m.to.city} (${m.to.country})`,
            m.mode ?? '',
            [m.carrier, m.reference].filter(Boolean).join(' '),
            sourceBadge(m.source),
          ),
        ),
      ),
    );
  }
  if (subject.money.length) {
    card.append(
      h('h4', {}, `Financial measures (${subject.money.length})`),
      table(
        ['Since', 'Kind', 'Institution', 'Amount', 'Source'],
        subject.money.map((m) =>
          row(m.since ?? '', m.kind, m.institution ?? '', m.amount !== undefined ? `${m.amount} ${m.currency ?? ''}` : '', sourceBadge(m.source)),
        ),
      ),
    );
  }
  if (subject.listings.length) {
    card.append(
      h('h4', {}, `Listings (${subject.listings.length})`),
      table(
        ['Since', 'List', 'Action on a hit', 'Source'],
        subject.listings.map((l) => row(l.listedSince ?? '', l.list, l.action ?? '', sourceBadge(l.source))),
      ),
    );
  }
  if (subject.organisations.length) {
    card.append(
      h('h4', {}, `Organisations (${subject.organisations.length})`),
      table(
        ['Organisation', 'Kind', 'Role', 'Since', 'Source'],
        subject.organisations.map((o) => row(o.name, o.kind ?? '', o.role ?? '', o.since ?? '', sourceBadge(o.source))),
      ),
    );
  }
  return card;
}

export function mountSubjects(el: HTMLElement, model: WorkspaceModel): () => void {
  el.replaceChildren();
  if (!model.subjects.length) {
    el.append(h('p', { class: 'ws-muted' }, 'No subjects or records in this answer.'));
    return () => el.replaceChildren();
  }
  const withAlerts = model.subjects.filter((s) => s.alerts.length).length;
  el.append(
    h(
      'p',
      { class: 'ws-muted' },
      `${plural(model.subjects.length, 'subject')}, ${plural(
        model.subjects.reduce((n, s) => n + s.records.length, 0),
        'record',
      )}${withAlerts ? `, ${withAlerts} with alerts` : ''}.`,
    ),
  );
  // Subjects with alerts first, then as the answer ordered them (best match first).
  const ordered = [...model.subjects].sort((a, b) => Number(b.alerts.length > 0) - Number(a.alerts.length > 0));
  const list = h('div', { class: 'ws-cards' });
  el.append(list);
  let shown = 0;
  const more = h('button', { type: 'button', class: 'ws-button' });
  const showMore = () => {
    for (const subject of ordered.slice(shown, shown + PAGE)) list.append(subjectCard(subject));
    shown = Math.min(ordered.length, shown + PAGE);
    more.textContent = `Show ${Math.min(PAGE, ordered.length - shown)} more of ${ordered.length - shown}`;
    more.hidden = shown >= ordered.length;
  };
  more.addEventListener('click', showMore);
  showMore();
  el.append(more);
  return () => el.replaceChildren();
}
