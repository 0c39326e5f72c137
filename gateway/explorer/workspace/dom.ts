/**
 * The few DOM helpers the workspace's own views share. Everything is built with createElement and
 * textContent: nothing from the answer is ever parsed as HTML.
 */
import type { Provenance } from './model.ts';

type Attributes = Record<string, string | number | boolean | undefined>;
type Child = Node | string | number | null | undefined | false;

/** An element with attributes (`class`, `data-*`, aria, ...) and children; false/null children are skipped. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** Names of the network's states, set once from the explorer's config. */
const names = new Map<string, string>();

export function setStateNames(members: ReadonlyArray<{ code: string; name: string }>): void {
  for (const { code, name } of members) names.set(code, name);
}

export function stateName(code: string): string {
  const name = names.get(code);
  return name ? `${code} ${name}` : code;
}

export const HANDLING_EXPLAINED: Record<string, string> = {
  H0: 'H0: may be used for any purpose of your mandate, judicial proceedings included',
  H1: 'H1: not to be used as evidence in judicial proceedings without the owner’s permission',
  H2: 'H2: no action (arrest, search, disclosure) without the owner’s permission',
  H3: 'H3: other restrictions, stated by the owner',
};

/** The source of a fact, as a compact label: state, handling code, evaluation (NL · H1 · B2). */
export function sourceBadge(source: Provenance): HTMLElement {
  const title = [
    `${stateName(source.memberState)}, record ${source.recordId || '?'}`,
    source.handling ? HANDLING_EXPLAINED[source.handling] || source.handling : 'no handling code in the answer (not set, or not selected)',
    source.restriction ? `restriction: ${source.restriction}` : '',
    source.evaluation ? `evaluation ${source.evaluation} (source reliability, information accuracy)` : '',
  ]
    .filter(Boolean)
    .join('\n');
  return h(
    'span',
    { class: 'ws-source', title, 'data-member-state': source.memberState, 'data-record-id': source.recordId, 'data-handling': source.handling ?? '' },
    h('span', { class: 'ws-state' }, source.memberState),
    source.handling ? h('span', { class: `ws-handling ws-handling-${source.handling}` }, source.handling) : null,
    source.evaluation ? h('span', { class: 'ws-evaluation' }, source.evaluation) : null,
  );
}

export function formatTime(iso: string | undefined): string {
  if (!iso) return '';
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
