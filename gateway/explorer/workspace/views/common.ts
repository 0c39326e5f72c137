/**
 * What the timeline, route map and link graph share: how a fact's source is written, the empty state,
 * the focusable frame and the textual list under each drawing. Browser code: no Node imports.
 */
import type { Provenance } from '../model.ts';

/** "BE BE-P-000001 H0 B2": the owner, its record, its handling code and evaluation, as far as released. */
export function sourceLabel(source: Provenance): string {
  return [source.memberState, source.recordId, source.handling, source.evaluation].filter((part) => part !== undefined && part !== '').join(' ');
}

/** A UTC date-time as "2026-03-30 06:35 UTC", a date as "2026-03-30"; anything else as given. */
export function formatWhen(at: string): string {
  const time = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(at);
  if (time) return `${time[1]} ${time[2]} UTC`;
  return at;
}

/** Milliseconds since the epoch, or undefined for a missing or unreadable date. */
export function timeOf(at: string | undefined): number | undefined {
  if (at === undefined || at === '') return undefined;
  const ms = Date.parse(at);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Unique ids for SVG markers and the like: several views can be on one page. */
let counter = 0;
export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}`;
}

export function element<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * The view's frame inside `el`: a focusable region named for screen readers, holding the drawing, and
 * the textual list under it. Returns the parts; the caller fills them.
 */
export function frame(el: HTMLElement, view: string, label: string): { region: HTMLElement; drawing: HTMLElement; list: HTMLElement } {
  el.replaceChildren();
  const region = element('section', { class: `hague-view hague-${view}`, tabindex: '0', role: 'region', 'aria-label': label, 'data-view': view });
  const drawing = element('div', { class: 'hague-view-drawing', 'aria-hidden': 'true' });
  const list = element('details', { class: 'hague-view-list', open: '' });
  list.append(element('summary', {}, 'As a list'));
  region.append(drawing, list);
  el.append(region);
  return { region, drawing, list };
}

/** The view when the answer holds nothing for it: a sentence, focusable, nothing drawn. */
export function empty(el: HTMLElement, view: string, message: string): void {
  el.replaceChildren();
  const region = element('section', {
    class: `hague-view hague-${view}`,
    tabindex: '0',
    role: 'region',
    'aria-label': message,
    'data-view': view,
    'data-empty': 'true',
  });
  region.append(element('p', { class: 'hague-view-empty' }, message));
  el.append(region);
}

/** A table of rows of text with a caption, for the textual list. */
export function table(caption: string, headers: string[], rows: string[][]): HTMLTableElement {
  const t = element('table', { class: 'hague-view-table' });
  t.append(element('caption', {}, caption));
  const head = element('thead');
  const headRow = element('tr');
  for (const header of headers) headRow.append(element('th', { scope: 'col' }, header));
  head.append(headRow);
  const body = element('tbody');
  for (const row of rows) {
    const tr = element('tr');
    for (const cell of row) tr.append(element('td', {}, cell));
    body.append(tr);
  }
  t.append(head, body);
  return t;
}
