// Hague explorer: GraphiQL (graphiql 4's UMD build, served by the gateway) under a bar that sets
// the network's headers on every request, the results workspace beside it (HagueWorkspace, bundled
// from gateway/explorer/workspace/: subjects, timeline, map, graph, whom to call, export) that draws
// each answer, and an "Inbox" of the hits partners made on the caller's own
// state's flagged records (hitNotifications, answered to the owner's duty officers only). Plain browser JavaScript, no build step: the gateway serves this
// file as it is. It only ever talks to its own origin (the page's CSP allows nothing else).
/* global React, ReactDOM, GraphiQL, HagueWorkspace */
'use strict';

(function () {
  const byId = (id) => document.getElementById(id);
  const SAVED = 'hague.explorer'; // persona, purpose and case survive a reload; the token does not
  const GRAPHIQL_TABS = 'graphiql:tabState'; // where GraphiQL 4 keeps the analyst's tabs
  const WORKSPACE_WIDTH = 'hague.explorer.workspace'; // the pane's width and whether it is shown

  const ui = { token: '', purpose: '', caseRef: '', persona: '' };
  let config;
  let personas = [];
  let memberNames = new Map();
  let root;
  let fetcher;
  let loaded; // the example last put into the editor: { query, variables }, kept in GraphiQL's props
  let firstVisit = false; // no GraphiQL tabs saved yet: the first tab is the first example, as written

  main().catch((error) => fail(error));

  async function main() {
    if (typeof GraphiQL !== 'function' || typeof ReactDOM === 'undefined') {
      throw new Error('GraphiQL did not load: check that /explorer/assets/ is reachable');
    }
    config = await getJson('/explorer/config.json');
    if (config.devMode) personas = await getJson('/explorer/personas.json');
    memberNames = new Map(config.members.map((m) => [m.code, m.name]));
    restore();
    buildBar();
    setupWorkspace();
    fetcher = makeFetcher();
    byId('inbox-button').addEventListener('click', () => {
      const inbox = byId('inbox');
      if (!inbox.hidden && inbox.dataset.persona === ui.persona) {
        inbox.hidden = true;
        return;
      }
      loadInbox().catch((error) => showInbox({ failure: error.message }));
    });
    root = ReactDOM.createRoot(byId('graphiql'));
    render();
  }

  async function getJson(path) {
    const response = await fetch(path, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return response.json();
  }

  function restore() {
    let saved = {};
    try {
      saved = JSON.parse(localStorage.getItem(SAVED) || '{}');
    } catch {
      /* a corrupt entry is ignored */
    }
    // The first example is the first tab on a first visit: dev mode starts as the persona and with the
    // purpose it is written for (else the first persona and purpose), so that it runs as opened.
    // Production makes the analyst choose the purpose: it is the legal basis recorded in every
    // state's audit log.
    const first = config.examples[0];
    ui.purpose = config.purposes.includes(saved.purpose) ? saved.purpose : '';
    if (!ui.purpose && config.devMode) ui.purpose = first && config.purposes.includes(first.purpose) ? first.purpose : config.purposes[0] || '';
    ui.caseRef = typeof saved.caseRef === 'string' ? saved.caseRef : '';
    const persona =
      personas.find((p) => p.id === saved.persona) || (config.devMode ? personas.find((p) => first && p.id === first.persona) || personas[0] : undefined);
    if (persona) {
      ui.persona = persona.id;
      ui.token = persona.token;
    }
    // GraphiQL 4 puts a first tab's query in the editor but not its variables (its initial variables
    // come from the props or its own storage only): on a first visit the props carry both.
    try {
      firstVisit = localStorage.getItem(GRAPHIQL_TABS) === null;
    } catch {
      firstVisit = true; // no storage: every visit is a first one
    }
    if (firstVisit && first) loaded = { query: first.query, variables: first.variables };
  }

  function save() {
    try {
      localStorage.setItem(SAVED, JSON.stringify({ persona: ui.persona, purpose: ui.purpose, caseRef: ui.caseRef }));
    } catch {
      /* storage may be disabled: the picks then last for this page only */
    }
  }

  function option(value, text, title) {
    const element = document.createElement('option');
    element.value = value;
    element.textContent = text;
    if (title) element.title = title;
    return element;
  }

  function personaLabel(p) {
    return p.label || `${p.state} ${p.roles.join('/')} · ${p.clearance}`;
  }

  function buildBar() {
    const personaPicker = byId('persona');
    const tokenInput = byId('token');
    if (config.devMode) {
      byId('dev-badge').hidden = false;
      byId('persona-field').hidden = false;
      for (const p of personas) {
        personaPicker.append(
          option(p.id, personaLabel(p), `${p.state} · roles ${p.roles.join(', ')} · clearance ${p.clearance} · scopes ${p.scopes.join(' ') || '(none)'}`),
        );
      }
      personaPicker.value = ui.persona;
    }
    tokenInput.value = ui.token;
    personaPicker.addEventListener('change', () => {
      const p = personas.find((candidate) => candidate.id === personaPicker.value);
      ui.persona = p ? p.id : '';
      ui.token = p ? p.token : '';
      tokenInput.value = ui.token;
      credentialsChanged();
    });
    let typing;
    tokenInput.addEventListener('input', () => {
      ui.token = tokenInput.value.trim().replace(/^Bearer\s+/i, '');
      if (ui.persona) {
        ui.persona = '';
        personaPicker.value = '';
      } // a pasted token is nobody's persona
      clearTimeout(typing);
      typing = setTimeout(credentialsChanged, 400);
    });

    const purposePicker = byId('purpose');
    purposePicker.append(option('', '(choose a purpose)'));
    for (const purpose of config.purposes) purposePicker.append(option(purpose, purpose));
    purposePicker.value = ui.purpose;
    purposePicker.addEventListener('change', () => {
      ui.purpose = purposePicker.value;
      save();
    });

    const caseInput = byId('case');
    caseInput.value = ui.caseRef;
    caseInput.addEventListener('input', () => {
      ui.caseRef = caseInput.value.trim();
      save();
    });

    const examplePicker = byId('example');
    for (const example of config.examples) examplePicker.append(option(example.id, example.title));
    for (const option of examplePicker.options) {
      const example = config.examples.find((candidate) => candidate.id === option.value);
      if (example) option.title = `For ${example.caller}, purpose ${example.purpose}: ${example.shows}`;
    }
    examplePicker.addEventListener('change', () => {
      const example = config.examples.find((candidate) => candidate.id === examplePicker.value);
      examplePicker.value = '';
      if (example) openExample(example);
    });

    const members = byId('members');
    for (const m of config.members) {
      const abbr = document.createElement('abbr');
      abbr.title = m.name;
      abbr.textContent = m.code;
      members.append(abbr);
    }
  }

  // A new fetcher makes GraphiQL fetch the schema again, now with the new persona's token.
  function credentialsChanged() {
    save();
    fetcher = makeFetcher();
    render();
    // The open inbox belongs to the previous caller: show the new one's.
    if (!byId('inbox').hidden) loadInbox().catch((error) => showInbox({ failure: error.message }));
  }

  /** The network's headers, read when a request is sent: picker changes apply to the next request. */
  function hagueHeaders() {
    const headers = {};
    if (ui.token) headers.authorization = `Bearer ${ui.token}`;
    if (ui.purpose) headers['x-hague-purpose'] = ui.purpose;
    if (ui.caseRef) headers['x-hague-case'] = ui.caseRef;
    return headers;
  }

  // GraphiQL learns a document's operation name 100 ms after an edit: a Run right after loading an
  // example would send the previous tab's name, which the server rejects ("Unknown operation named").
  // The name is kept only when the document defines it.
  function consistentOperationName(params) {
    const names = [...String(params.query).matchAll(/^\s*(?:query|mutation|subscription)\s+([_A-Za-z]\w*)/gm)].map((m) => m[1]);
    if (!params.operationName || names.includes(params.operationName)) return params;
    return { ...params, operationName: names.length === 1 ? names[0] : undefined };
  }

  function lowerCaseKeys(headers) {
    return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), String(value)]));
  }

  function makeFetcher() {
    return async function hagueFetcher(graphiqlParams, options) {
      const params = consistentOperationName(graphiqlParams);
      const headers = {
        'content-type': 'application/json', // with this header Apollo's CSRF prevention accepts the request
        accept: 'application/graphql-response+json, application/json',
        ...hagueHeaders(),
        // Headers typed in GraphiQL's Headers pane win: the analyst asked for them explicitly.
        // Lower-cased, so that "Authorization" replaces ours instead of being sent beside it.
        ...lowerCaseKeys((options && options.headers) || {}),
      };
      const introspection = params.operationName === 'IntrospectionQuery';
      let result;
      try {
        const response = await fetch(config.endpoint, { method: 'POST', headers, body: JSON.stringify(params), credentials: 'same-origin' });
        const text = await response.text();
        try {
          result = JSON.parse(text);
        } catch {
          result = { errors: [{ message: `HTTP ${response.status} from the gateway: ${text.slice(0, 300)}` }] };
        }
      } catch (error) {
        result = { errors: [{ message: `The request failed before the gateway answered: ${error.message}` }] };
      }
      result = dataFirst(result);
      // The schema request is GraphiQL's own business, unless it failed (a missing token, say).
      if (!introspection || (result.errors && result.errors.length)) showWorkspace(result, introspection);
      return result;
    };
  }

  const INBOX_QUERY = `query HagueInbox {
  hitNotifications(first: 100) {
    id at memberState recordType record callerState callerAgency callerSubject
    purpose caseReference requestId released
  }
}`;

  /** The current caller's hit notifications, asked through the gateway with the bar's token, purpose and case. */
  async function loadInbox() {
    const inbox = byId('inbox');
    inbox.hidden = false;
    inbox.dataset.state = 'loading';
    inbox.dataset.persona = ui.persona;
    inbox.replaceChildren(Object.assign(document.createElement('p'), { className: 'hague-muted', textContent: 'Loading the inbox…' }));
    const response = await fetch(config.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...hagueHeaders(),
      },
      body: JSON.stringify({ query: INBOX_QUERY, operationName: 'HagueInbox' }),
      credentials: 'same-origin',
    });
    const text = await response.text();
    let result;
    try {
      result = JSON.parse(text);
    } catch {
      result = { errors: [{ message: `HTTP ${response.status} from the gateway: ${text.slice(0, 300)}` }] };
    }
    showInbox({ result });
  }

  function showInbox({ result, failure }) {
    const inbox = byId('inbox');
    inbox.hidden = false;
    inbox.replaceChildren();
    const persona = personas.find((p) => p.id === ui.persona);
    const head = document.createElement('h2');
    head.textContent = `Inbox · partners' hits on the flagged records of ${persona ? stateName(persona.state) : 'your state'}`;
    const close = Object.assign(document.createElement('button'), { type: 'button', className: 'hague-button', textContent: 'Close' });
    close.addEventListener('click', () => (inbox.hidden = true));
    const reload = Object.assign(document.createElement('button'), { type: 'button', className: 'hague-button', textContent: 'Reload' });
    reload.addEventListener('click', () => loadInbox().catch((error) => showInbox({ failure: error.message })));
    head.append(' ', reload, ' ', close);
    inbox.append(head);

    const errors = result && Array.isArray(result.errors) ? result.errors : [];
    const notifications = result && result.data && Array.isArray(result.data.hitNotifications) ? result.data.hitNotifications : null;
    inbox.dataset.count = String(notifications ? notifications.length : 0);
    const message = (className, text) => inbox.append(Object.assign(document.createElement('p'), { className, textContent: text }));

    if (failure) {
      inbox.dataset.state = 'error';
      message('hague-inbox-error', `The inbox could not be loaded: ${failure}`);
      return;
    }
    const refused = errors.filter((e) => e.extensions && e.extensions.code === 'NOT_RELEASED');
    if (refused.length) {
      inbox.dataset.state = 'not-released';
      for (const error of refused) {
        const state = error.extensions.memberState;
        const p = document.createElement('p');
        p.className = 'hague-inbox-refused';
        const badge = Object.assign(document.createElement('span'), { className: 'hague-code hague-code-NOT_RELEASED', textContent: 'NOT_RELEASED' });
        p.append(badge, ` ${state ? stateName(state) : 'Network'}: ${error.message}`);
        inbox.append(p);
      }
    }
    for (const error of errors.filter((e) => !refused.includes(e))) {
      const ext = error.extensions || {};
      message('hague-inbox-error', `${ext.memberState ? stateName(ext.memberState) + ': ' : ''}${ext.code ? ext.code + ': ' : ''}${error.message}`);
    }
    if (!notifications) {
      if (!refused.length) inbox.dataset.state = 'error';
      return;
    }
    if (refused.length) return;
    if (errors.length) inbox.dataset.state = 'partial';
    if (!notifications.length) {
      if (!errors.length) inbox.dataset.state = 'empty';
      message('hague-muted', 'No hits: no partner has hit one of your state’s flagged records (records are flagged by the release policy’s notifyOnHits).');
      return;
    }
    if (!errors.length) inbox.dataset.state = 'loaded';
    const table = document.createElement('table');
    const header = document.createElement('tr');
    for (const title of ['When', 'Record', 'Who asked', 'Purpose', 'Case', 'Released', 'Request id']) {
      header.append(Object.assign(document.createElement('th'), { textContent: title }));
    }
    table.append(header);
    for (const n of notifications) {
      const row = document.createElement('tr');
      row.dataset.record = n.record;
      row.dataset.callerState = n.callerState;
      const cell = (text, title) => {
        const td = Object.assign(document.createElement('td'), { textContent: text == null || text === '' ? '—' : String(text) });
        if (title) td.title = title;
        row.append(td);
        return td;
      };
      cell(formatTime(n.at), n.at);
      cell(`${n.recordType} ${n.record}`, `${n.memberState}`);
      cell(`${stateName(n.callerState)} · ${n.callerAgency || 'agency not stated'} · ${n.callerSubject}`);
      cell(n.purpose);
      cell(n.caseReference);
      const released = cell(`${n.released.length} field${n.released.length === 1 ? '' : 's'}`, n.released.join('\n'));
      released.className = 'hague-inbox-released';
      if (n.released.length) {
        const list = Object.assign(document.createElement('code'), { textContent: n.released.join(' ') });
        released.append(document.createElement('br'), list);
      }
      const id = cell(n.requestId);
      id.className = 'hague-mono';
      table.append(row);
    }
    inbox.append(table);
  }

  function formatTime(iso) {
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? String(iso) : date.toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
  }

  function render() {
    root.render(graphiql(loaded));
  }

  /** GraphiQL's tabs in the page, and the one shown (GraphiQL 4 renders them as li.graphiql-tab). */
  function graphiqlTabs() {
    const tabs = [...byId('graphiql').querySelectorAll('.graphiql-tab')];
    return { count: tabs.length, active: tabs.findIndex((tab) => tab.classList.contains('graphiql-tab-active')) };
  }

  /** Resolves once GraphiQL shows more than `before` tabs with the last one active; false after `ms`. */
  function tabAdded(before, ms = 5000) {
    const done = () => {
      const { count, active } = graphiqlTabs();
      return count > before && active === count - 1;
    };
    if (done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        if (!done()) return;
        observer.disconnect();
        clearTimeout(timer);
        resolve(true);
      });
      const timer = setTimeout(() => {
        observer.disconnect();
        resolve(done());
      }, ms);
      observer.observe(byId('graphiql'), { subtree: true, childList: true, attributes: true, attributeFilter: ['class'] });
    });
  }

  /**
   * Opens an example in a new GraphiQL tab, the analyst's open tabs untouched, and switches to the
   * caller it is written for. GraphiQL's own "New tab" button adds the tab (its UMD build exposes no
   * tab API); the example's text then goes in through the `query`/`variables` props, which GraphiQL
   * writes into the active tab whenever they change. A text equal to the props already set gets a
   * trailing newline, so that the same example picked twice fills its second tab too.
   */
  async function openExample(example) {
    switchToCallerOf(example);
    const text = { query: example.query, variables: example.variables };
    if (loaded && loaded.query === text.query) text.query += '\n';
    if (loaded && loaded.variables === text.variables) text.variables += '\n';
    const add = byId('graphiql').querySelector('.graphiql-tab-add');
    if (!add) {
      // GraphiQL is still starting: the props fill its first tab once its editors exist.
      loaded = text;
      render();
      return;
    }
    const before = graphiqlTabs().count;
    add.click();
    if (!(await tabAdded(before))) {
      exampleNote({ text: `GraphiQL did not open a new tab for "${example.title}": use its + button, then pick the example again.` });
      return;
    }
    loaded = text;
    render();
  }

  /**
   * Dev mode: picks the example's persona and purpose, and says so in a note with a button to switch
   * back. Production (no personas): sets the purpose only; the note names the role the example needs.
   */
  function switchToCallerOf(example) {
    const before = { persona: ui.persona, token: ui.token, purpose: ui.purpose };
    const persona = personas.find((p) => p.id === example.persona);
    const purpose = config.purposes.includes(example.purpose) ? example.purpose : ui.purpose;
    const changes = [];
    if (persona && persona.id !== ui.persona) changes.push(`persona ${personaName(before.persona)} → ${personaLabel(persona)}`);
    if (purpose !== ui.purpose) changes.push(`purpose ${before.purpose || '(none)'} → ${purpose}`);
    const personaChanged = persona && persona.id !== ui.persona;
    if (personaChanged) setCaller(persona.id, persona.token);
    if (purpose !== ui.purpose) setPurpose(purpose);
    if (personaChanged) credentialsChanged();

    let text;
    if (config.devMode && persona) {
      text = changes.length
        ? `Switched for this example: ${changes.join(', ')}.`
        : `Written for ${personaLabel(persona)}, purpose ${example.purpose}: already picked.`;
    } else if (config.devMode) {
      text = `Written for ${example.caller}, purpose ${example.purpose}; that persona is not offered on this network, so the persona is unchanged${changes.length ? ` (${changes.join(', ')})` : ''}.`;
    } else {
      text = `Written for ${example.caller}, purpose ${example.purpose}${changes.length ? ` (${changes.join(', ')})` : ''}. What you see depends on your token's state, roles, clearance and scopes.`;
    }
    exampleNote({
      text: `${text} "${example.title}": ${example.shows}`,
      example,
      back: changes.length ? () => restoreCaller(before) : undefined,
    });
  }

  function personaName(id) {
    const p = personas.find((candidate) => candidate.id === id);
    return p ? personaLabel(p) : '(own token)';
  }

  /** Puts a persona's (or a pasted) token in the bar, as picking it by hand would. */
  function setCaller(personaId, token) {
    ui.persona = personaId;
    ui.token = token;
    byId('persona').value = personaId;
    byId('token').value = token;
  }

  function setPurpose(purpose) {
    ui.purpose = purpose;
    byId('purpose').value = purpose;
    save();
  }

  function restoreCaller(before) {
    const credentials = before.persona !== ui.persona || before.token !== ui.token;
    if (credentials) setCaller(before.persona, before.token);
    setPurpose(before.purpose);
    if (credentials) credentialsChanged();
    exampleNote({ text: `Switched back: ${personaName(ui.persona)}, purpose ${ui.purpose || '(none)'}.` });
  }

  /** The note under the bar saying which caller the last example picked is written for (created on first use). */
  function exampleNote({ text, example, back }) {
    let note = byId('example-note');
    if (!note) {
      note = Object.assign(document.createElement('p'), { id: 'example-note', className: 'hague-example-note' });
      note.dataset.testid = 'example-note';
      note.setAttribute('role', 'status');
      byId('hague-bar').after(note);
    }
    // One line at most (the editor keeps its height at 1280x720): the whole text in the tooltip.
    const line = Object.assign(document.createElement('span'), { className: 'hague-example-text', textContent: text, title: text });
    note.replaceChildren(line);
    note.dataset.example = example ? example.id : '';
    note.dataset.persona = ui.persona;
    note.dataset.purpose = ui.purpose;
    if (back) {
      const button = Object.assign(document.createElement('button'), { type: 'button', className: 'hague-button', textContent: 'Switch back' });
      button.dataset.testid = 'example-switch-back';
      button.addEventListener('click', back);
      note.append(' ', button);
    }
    const close = Object.assign(document.createElement('button'), { type: 'button', className: 'hague-button', textContent: 'Close' });
    close.addEventListener('click', () => (note.hidden = true));
    note.append(' ', close);
    note.hidden = false;
  }

  function graphiql(example) {
    return React.createElement(
      GraphiQL,
      {
        fetcher,
        // First visit: the first example, with its variables (through the props, see restore()).
        // Later visits: GraphiQL restores the analyst's own tabs. Other examples open from the picker.
        defaultTabs: config.examples.slice(0, 1).map((e) => ({ query: e.query, variables: e.variables })),
        // `query`/`variables` replace the active tab's text when they change; undefined leaves it alone.
        query: example && example.query,
        variables: example && example.variables,
        defaultEditorToolsVisibility: 'variables',
        shouldPersistHeaders: false, // tokens typed in the Headers pane stay out of localStorage
      },
      React.createElement(GraphiQL.Logo, null, 'Hague'),
    );
  }

  /**
   * The answer with its keys in the order an analyst reads it: data, then errors, then extensions
   * (the gateway sends errors first; GraphiQL's result pane shows the keys as they come, and 400
   * errors before the first record hid the records). Nothing is dropped.
   */
  function dataFirst(result) {
    if (!result || typeof result !== 'object' || Array.isArray(result)) return result;
    const ordered = {};
    for (const key of ['data', 'errors', 'extensions']) if (key in result) ordered[key] = result[key];
    for (const key of Object.keys(result)) if (!(key in ordered)) ordered[key] = result[key];
    return ordered;
  }

  /** Draws the answer in the results workspace; a workspace failure never costs the answer pane. */
  function showWorkspace(result, introspection) {
    try {
      HagueWorkspace.render(result, { introspection });
    } catch (error) {
      console.error(error);
    }
  }

  /**
   * The workspace pane: mounted once, to the right of GraphiQL. The splitter resizes it (pointer
   * drag, or arrow keys when focused: 40 px a step, Home/End for the extremes); the Workspace button
   * hides it to give the editor the whole width. Width and visibility survive a reload.
   */
  function setupWorkspace() {
    const pane = byId('workspace');
    const splitter = byId('workspace-splitter');
    const button = byId('workspace-button');
    if (typeof HagueWorkspace === 'undefined') {
      pane.textContent = 'The results workspace did not load: check that /explorer/assets/ is reachable.';
      return;
    }
    HagueWorkspace.mount(pane, { members: config.members });
    let saved = {};
    try {
      saved = JSON.parse(localStorage.getItem(WORKSPACE_WIDTH) || '{}');
    } catch {
      /* a corrupt entry is ignored */
    }
    const bounds = () => ({ min: 320, max: Math.max(320, window.innerWidth - 420) });
    const setWidth = (px) => {
      const { min, max } = bounds();
      const width = Math.round(Math.min(max, Math.max(min, px)));
      pane.style.width = `${width}px`;
      splitter.setAttribute('aria-valuemin', String(min));
      splitter.setAttribute('aria-valuemax', String(max));
      splitter.setAttribute('aria-valuenow', String(width));
      return width;
    };
    const keep = () => {
      try {
        localStorage.setItem(WORKSPACE_WIDTH, JSON.stringify({ width: parseInt(pane.style.width, 10), hidden: pane.hidden }));
      } catch {
        /* storage may be disabled */
      }
    };
    const show = (visible) => {
      pane.hidden = !visible;
      splitter.hidden = !visible;
      button.setAttribute('aria-expanded', String(visible));
      keep();
    };
    // Default: 42% of the window: at 1280 px GraphiQL keeps 740 px and its full height.
    setWidth(typeof saved.width === 'number' ? saved.width : window.innerWidth * 0.42);
    show(saved.hidden !== true);
    button.addEventListener('click', () => show(pane.hidden));
    splitter.addEventListener('keydown', (event) => {
      const width = parseInt(pane.style.width, 10);
      const step = { ArrowLeft: 40, ArrowRight: -40, Home: 1e6, End: -1e6 }[event.key];
      if (step === undefined) return;
      event.preventDefault();
      setWidth(width + step);
      keep();
    });
    splitter.addEventListener('pointerdown', (event) => {
      event.preventDefault();
      splitter.setPointerCapture(event.pointerId);
      const right = pane.getBoundingClientRect().right;
      const move = (e) => setWidth(right - e.clientX);
      const up = () => {
        splitter.removeEventListener('pointermove', move);
        splitter.removeEventListener('pointerup', up);
        keep();
      };
      splitter.addEventListener('pointermove', move);
      splitter.addEventListener('pointerup', up);
    });
    window.addEventListener('resize', () => setWidth(parseInt(pane.style.width, 10)));
  }

  function stateName(code) {
    const name = memberNames.get(code);
    return name ? `${code} ${name}` : code;
  }

  function fail(error) {
    const main = byId('graphiql');
    main.replaceChildren(
      Object.assign(document.createElement('p'), {
        className: 'hague-loading',
        textContent: `The explorer could not start: ${error.message}`,
      }),
    );
    console.error(error);
  }
})();
