/**
 * The analyst's results workspace, beside GraphiQL: the current answer read into one model
 * (read-answer.ts) and drawn as tabs: subjects, timeline, route map, link graph, whom to call,
 * export. The header shows the per-state counts and the errors that belong to no state.
 *
 * Bundled by esbuild into one IIFE script (global `HagueWorkspace`) plus its CSS
 * (gateway/explorer/workspace-build.ts); explorer.js calls `HagueWorkspace.mount` once and
 * `HagueWorkspace.render(result)` after each answer. Browser code: no Node imports, nothing fetched.
 */
import './workspace.css';
import { mountContacts } from './contacts-view.ts';
import { h, plural, setStateNames, stateName } from './dom.ts';
import { exportRows, mountExport, toCsv } from './export.ts';
import type { WorkspaceModel } from './model.ts';
import { readAnswer, type Answer } from './read-answer.ts';
import { mountSubjects } from './subjects-view.ts';
import { mount as mountGraph } from './views/graph.ts';
import { mount as mountMap } from './views/map.ts';
import { mount as mountTimeline } from './views/timeline.ts';

export { exportRows, readAnswer, toCsv };

type View = (el: HTMLElement, model: WorkspaceModel) => () => void;

interface Tab {
  id: 'subjects' | 'timeline' | 'map' | 'graph' | 'contacts' | 'export';
  title: string;
  view: View;
  /** Drawn only while shown: a drawing needs its panel's size (the timeline, map and graph). */
  lazy?: boolean;
}

const TABS: Tab[] = [
  { id: 'subjects', title: 'Subjects', view: mountSubjects },
  { id: 'timeline', title: 'Timeline', view: mountTimeline, lazy: true },
  { id: 'map', title: 'Route map', view: mountMap, lazy: true },
  { id: 'graph', title: 'Link graph', view: mountGraph, lazy: true },
  { id: 'contacts', title: 'Whom to call', view: mountContacts },
  { id: 'export', title: 'Export', view: mountExport },
];

const EMPTY: WorkspaceModel = { subjects: [], contacts: [], counts: [], networkErrors: [] };

interface State {
  root: HTMLElement;
  summary: HTMLElement;
  counts: HTMLElement;
  errors: HTMLElement;
  buttons: Map<Tab['id'], HTMLButtonElement>;
  panels: Map<Tab['id'], HTMLElement>;
  active: Tab['id'];
  model: WorkspaceModel;
  /** Each drawn view's cleanup, by tab. */
  cleanups: Map<Tab['id'], () => void>;
  renders: number;
}

let state: State | undefined;

export interface MountOptions {
  members?: ReadonlyArray<{ code: string; name: string }>;
}

/** Builds the workspace's frame (header, tabs, empty panels) inside `root`. Call once. */
export function mount(root: HTMLElement, options: MountOptions = {}): void {
  setStateNames(options.members ?? []);
  root.replaceChildren();
  root.classList.add('ws-root');
  const summary = h('p', { class: 'ws-summary', 'data-testid': 'workspace-summary', 'aria-live': 'polite' }, 'Run a query: its answer is shown here.');
  const counts = h('div', { class: 'ws-counts', 'data-testid': 'workspace-counts' });
  const errors = h('div', { class: 'ws-errors', 'data-testid': 'workspace-errors', hidden: true });
  const tablist = h('div', { class: 'ws-tabs', role: 'tablist', 'aria-label': 'Workspace views' });
  const buttons = new Map<Tab['id'], HTMLButtonElement>();
  const panels = new Map<Tab['id'], HTMLElement>();
  const body = h('div', { class: 'ws-panels' });
  for (const tab of TABS) {
    const button = h(
      'button',
      {
        type: 'button',
        role: 'tab',
        id: `workspace-tab-${tab.id}`,
        class: 'ws-tab',
        'aria-controls': `workspace-panel-${tab.id}`,
        'aria-selected': 'false',
        tabindex: '-1',
        'data-tab': tab.id,
      },
      tab.title,
    );
    button.addEventListener('click', () => select(tab.id, false));
    button.addEventListener('keydown', (event) => onTabKey(event, tab.id));
    buttons.set(tab.id, button);
    tablist.append(button);
    const panel = h('section', {
      class: 'ws-panel',
      role: 'tabpanel',
      id: `workspace-panel-${tab.id}`,
      'aria-labelledby': `workspace-tab-${tab.id}`,
      'data-testid': `workspace-${tab.id}`,
      tabindex: '0',
      hidden: true,
    });
    panels.set(tab.id, panel);
    body.append(panel);
  }
  root.append(h('header', { class: 'ws-head' }, summary, counts, errors), tablist, body);
  state = { root, summary, counts, errors, buttons, panels, active: 'subjects', model: EMPTY, renders: 0, cleanups: new Map() };
  select('subjects', false);
}

function onTabKey(event: KeyboardEvent, id: Tab['id']): void {
  const index = TABS.findIndex((tab) => tab.id === id);
  let next: number | undefined;
  if (event.key === 'ArrowRight' || event.key === 'ArrowDown') next = (index + 1) % TABS.length;
  else if (event.key === 'ArrowLeft' || event.key === 'ArrowUp') next = (index - 1 + TABS.length) % TABS.length;
  else if (event.key === 'Home') next = 0;
  else if (event.key === 'End') next = TABS.length - 1;
  if (next === undefined) return;
  event.preventDefault();
  select(TABS[next].id, true);
}

/** Shows a tab (and draws its view from the current model); `focus` moves the keyboard focus to it. */
export function select(id: Tab['id'], focus = false): void {
  if (!state) return;
  const s = state;
  s.active = id;
  for (const [tabId, button] of s.buttons) {
    const selected = tabId === id;
    button.setAttribute('aria-selected', String(selected));
    button.tabIndex = selected ? 0 : -1;
    s.panels.get(tabId)!.hidden = !selected;
  }
  if (focus) s.buttons.get(id)!.focus();
  // The drawings are drawn when shown (and dropped when hidden); the other views are already there.
  for (const tab of TABS) {
    if (!tab.lazy) continue;
    if (tab.id === id) draw(s, tab);
    else undraw(s, tab);
  }
}

function undraw(s: State, tab: Tab): void {
  s.cleanups.get(tab.id)?.();
  s.cleanups.delete(tab.id);
}

function draw(s: State, tab: Tab): void {
  undraw(s, tab);
  const panel = s.panels.get(tab.id)!;
  try {
    s.cleanups.set(tab.id, tab.view(panel, s.model));
  } catch (error) {
    // One view failing must not take the others (or GraphiQL) with it.
    panel.replaceChildren(h('p', { class: 'ws-error' }, `This view could not draw the answer: ${(error as Error).message}`));
    console.error(error);
  }
  panel.dataset.renders = String(s.renders);
}

function showCounts(s: State, model: WorkspaceModel): void {
  s.counts.replaceChildren();
  if (!model.counts.length) return;
  const keys = new Set(model.counts.map((c) => c.key));
  s.counts.append(h('span', { class: 'ws-muted' }, 'Per state: '));
  for (const count of model.counts) {
    s.counts.append(
      h(
        'span',
        {
          class: `ws-count${count.more ? ' ws-count-more' : ''}${count.returned ? '' : ' ws-count-none'}`,
          'data-testid': 'workspace-count',
          'data-member-state': count.memberState,
          'data-key': count.key,
          'data-returned': String(count.returned),
          'data-more': String(count.more),
          title: `${stateName(count.memberState)}: ${plural(count.returned, 'record')} returned for ${count.key}${count.more ? '; more exist (ask with a larger first, or narrow the search)' : ''}`,
        },
        `${count.memberState}${keys.size > 1 ? ` ${count.key}` : ''} ${count.returned}${count.more ? '+ more' : ''}`,
      ),
    );
  }
}

function showErrors(s: State, model: WorkspaceModel): void {
  s.errors.replaceChildren();
  s.errors.hidden = !model.networkErrors.length;
  if (!model.networkErrors.length) return;
  s.errors.append(
    h('strong', {}, `Errors of the whole request (${model.networkErrors.length}): `),
    h('ul', {}, ...model.networkErrors.map((message) => h('li', {}, message))),
  );
}

/** Reads an answer, shows it in every view and returns the model. `introspection`: the schema request failed. */
export function render(result: Answer, options: { introspection?: boolean } = {}): WorkspaceModel {
  const model = readAnswer(result);
  if (!state) return model;
  const s = state;
  s.model = model;
  s.renders += 1;
  const records = model.subjects.reduce((n, subject) => n + subject.records.length, 0);
  const states = [...new Set(model.subjects.flatMap((subject) => subject.records.map((r) => r.memberState)))];
  const withheld = model.contacts.filter((c) => c.code !== 'HOLDS_RECORD');
  const errorCount = Array.isArray(result.errors) ? result.errors.length : 0;
  s.summary.textContent = options.introspection
    ? 'The schema could not be loaded (check the token and purpose).'
    : records
      ? `${plural(model.subjects.length, 'subject')}, ${plural(records, 'record')} from ${states.map(stateName).join(', ')}`
      : result.data
        ? 'No records in this answer.'
        : 'No data in this answer.';
  if (!options.introspection) {
    const withholding = new Set(withheld.map((c) => c.memberState)).size;
    s.summary.textContent += errorCount ? ` · ${plural(errorCount, 'error')}` : ' · no errors';
    if (withholding) s.summary.textContent += ` · ${plural(withholding, 'state')} withheld something or did not answer: see Whom to call`;
  }
  s.root.dataset.states = states.join(',');
  s.root.dataset.errors = String(errorCount);
  s.root.dataset.renders = String(s.renders);
  showCounts(s, model);
  showErrors(s, model);
  const contactsTab = s.buttons.get('contacts')!;
  contactsTab.textContent = withheld.length ? `Whom to call (${new Set(model.contacts.map((c) => c.memberState)).size})` : 'Whom to call';
  for (const tab of TABS) if (!tab.lazy || tab.id === s.active) draw(s, tab);
  return model;
}
