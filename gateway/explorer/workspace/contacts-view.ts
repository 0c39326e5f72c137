/**
 * Whom to call (`workspace-contacts`): every state that holds a record in the answer or withheld
 * something, its contact point, and what it withheld, rolled up to one line per state and field
 * with the number of records it concerns.
 */
import { h, plural, stateName } from './dom.ts';
import type { ContactLine, WorkspaceModel } from './model.ts';

export const CODES_EXPLAINED: Record<string, string> = {
  HOLDS_RECORD: 'holds a record in this answer',
  NOT_RELEASED: "withheld by the owner's release rules: ask its contact point",
  FORBIDDEN: 'removed by a network rule for your role, clearance or scopes',
  MEMBER_UNAVAILABLE: 'the state did not answer: the rest of the answer is complete',
  CIRCUIT_OPEN: 'the gateway stopped asking this state for a while after repeated failures',
  TIMEOUT: 'the state answered too late',
  RATE_LIMITED: "you spent this state's search budget",
};

const REFERENCES_SHOWN = 5;

/** Codes of a state that did not answer at all. */
const UNANSWERED = new Set(['MEMBER_UNAVAILABLE', 'CIRCUIT_OPEN', 'TIMEOUT']);

function lineText(line: ContactLine): string {
  if (line.code === 'HOLDS_RECORD') return `holds ${plural(line.records, 'record')}`;
  const what = line.field || (UNANSWERED.has(line.code) ? 'did not answer: its records are missing' : 'the whole request');
  const scope = line.records ? ` · ${plural(line.records, 'record')}` : line.field.includes('(') ? ' · search refused' : '';
  return `${what}${scope}`;
}

function stateSection(memberState: string, lines: ContactLine[]): HTMLElement {
  const contact = lines.find((l) => l.contact)?.contact;
  const references = [...new Set(lines.flatMap((l) => l.references ?? []))];
  const withheld = lines.filter((l) => l.code !== 'HOLDS_RECORD');
  const section = h('section', {
    class: 'ws-contact',
    'data-testid': 'contact-state',
    'data-member-state': memberState,
    'data-withheld': String(withheld.length),
  });
  section.append(
    h(
      'header',
      {},
      h('h3', {}, stateName(memberState)),
      contact
        ? h(
            'p',
            { class: 'ws-contact-point', 'data-testid': 'contact-point' },
            [contact.agency, contact.unit].filter(Boolean).join(', '),
            contact.phone ? h('span', { class: 'ws-phone' }, ` ☎ ${contact.phone}`) : null,
            contact.email ? h('span', { class: 'ws-email' }, ` ✉ ${contact.email}`) : null,
          )
        : h(
            'p',
            { class: 'ws-muted' },
            lines.some((l) => l.code === 'HOLDS_RECORD')
              ? 'No contact point in this answer (select contact { agency phone email reference } on its records).'
              : 'No contact point in this answer: it returned no record to take one from.',
          ),
      references.length
        ? h(
            'p',
            { class: 'ws-small ws-muted' },
            `Quote ${references.length === 1 ? 'reference' : 'references'}: ${references.slice(0, REFERENCES_SHOWN).join(', ')}${
              references.length > REFERENCES_SHOWN ? ` and ${references.length - REFERENCES_SHOWN} more (export has them all)` : ''
            }`,
          )
        : null,
    ),
  );
  const list = h('ul', { class: 'ws-lines' });
  for (const line of lines) {
    list.append(
      h(
        'li',
        {
          'data-testid': 'contact-line',
          'data-member-state': line.memberState,
          'data-field': line.field,
          'data-code': line.code,
          'data-records': String(line.records),
        },
        h('span', { class: `hague-code hague-code-${line.code}`, title: CODES_EXPLAINED[line.code] ?? '' }, line.code),
        ' ',
        lineText(line),
        line.reasons.length ? h('span', { class: 'ws-reason' }, ` · ${line.reasons.join(' / ')}`) : null,
      ),
    );
  }
  section.append(list);
  return section;
}

export function mountContacts(el: HTMLElement, model: WorkspaceModel): () => void {
  el.replaceChildren();
  const byState = new Map<string, ContactLine[]>();
  for (const line of model.contacts) {
    const lines = byState.get(line.memberState) ?? [];
    lines.push(line);
    byState.set(line.memberState, lines);
  }
  if (!byState.size) {
    el.append(h('p', { class: 'ws-muted' }, 'No state holds a record or withheld anything in this answer.'));
    return () => el.replaceChildren();
  }
  const withheld = [...byState.values()].filter((lines) => lines.some((l) => l.code !== 'HOLDS_RECORD')).length;
  el.append(
    h(
      'p',
      { class: 'ws-muted' },
      `${plural(byState.size, 'state')} to know about; ${withheld ? `${plural(withheld, 'state')} withheld something or did not answer` : 'nothing withheld'}.`,
    ),
  );
  for (const [memberState, lines] of byState) el.append(stateSection(memberState, lines));
  return () => el.replaceChildren();
}
