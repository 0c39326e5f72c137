/**
 * The link graph: the answer's subjects, the records each state holds of them, and the organisations
 * those records link them to, across states. Terrorist groups, organised crime, facilitation networks
 * and front companies are told apart by shape and colour (with a legend). Edges: subject to record
 * (how the records were linked, linkedBy) and record to organisation (the role, as the owner records
 * it). Drawn with cytoscape, laid out breadth-first from the subjects: the same answer always gives
 * the same picture. Browser code: no Node imports, nothing fetched, no eval.
 */
import cytoscape from 'cytoscape';
import type { Provenance, SubjectModel, WorkspaceModel } from '../model.ts';
import { element, empty, frame, sourceLabel, table } from './common.ts';

export type GraphNodeKind = 'subject' | 'record' | 'organisation';

export interface GraphNode {
  id: string;
  kind: GraphNodeKind;
  label: string;
  /** The owner: the record's state, the state holding the organisation's record. */
  memberState?: string;
  /** Organisations only: the contract's OrganisationKind, or undefined when the owner did not release it. */
  organisationKind?: string;
}

export interface GraphEdge {
  id: string;
  kind: 'linked' | 'affiliation';
  source: string;
  target: string;
  label: string;
  /** Who says so: the record's owner (affiliations), absent for the gateway's link of a record into a subject. */
  provenance?: Provenance;
}

export interface GraphData {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** How each organisation kind is drawn; `undefined` (kind not released) last. */
export const ORGANISATION_STYLES: Array<{ kind: string | undefined; name: string; shape: cytoscape.Css.NodeShape; colour: string }> = [
  { kind: 'TERRORIST', name: 'Terrorist organisation', shape: 'hexagon', colour: '#cf222e' },
  { kind: 'ORGANISED_CRIME', name: 'Organised-crime group', shape: 'diamond', colour: '#8250df' },
  { kind: 'FACILITATION_NETWORK', name: 'Facilitation network', shape: 'triangle', colour: '#bf8700' },
  { kind: 'FRONT_COMPANY', name: 'Front company', shape: 'rectangle', colour: '#57606a' },
  { kind: undefined, name: 'Organisation, kind not released', shape: 'octagon', colour: '#ffffff' },
];
const SUBJECT_COLOUR = '#1f6feb';
const RECORD_COLOUR = '#ddf4ff';

function kindName(kind: string | undefined): string {
  return ORGANISATION_STYLES.find((style) => style.kind === kind)?.name ?? `Organisation (${kind})`;
}

function recordLabel(subject: SubjectModel, memberState: string, recordId: string): string {
  const record = subject.records.find((r) => r.memberState === memberState && r.id === recordId);
  const name = record ? [record.fields.givenName, record.fields.familyName].filter((part) => typeof part === 'string' && part !== '').join(' ') : '';
  return `${memberState} ${recordId}${name ? `\n${name}` : ''}`;
}

/** The graph's nodes and edges, from the model alone (no DOM): what `mount` draws and lists. */
export function buildGraph(model: WorkspaceModel): GraphData {
  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  const edgeIds = new Set<string>();
  const addEdge = (edge: GraphEdge) => {
    if (edgeIds.has(edge.id)) return;
    edgeIds.add(edge.id);
    edges.push(edge);
  };

  for (const subject of model.subjects) {
    const subjectId = `subject:${subject.id}`;
    nodes.set(subjectId, { id: subjectId, kind: 'subject', label: subject.label });
    const linkLabel = subject.linkedBy.length > 0 ? `linked by ${subject.linkedBy.join(', ')} (${subject.confidence})` : subject.confidence;
    const addRecord = (memberState: string, recordId: string): string => {
      const id = `record:${memberState}:${recordId}`;
      if (!nodes.has(id)) nodes.set(id, { id, kind: 'record', label: recordLabel(subject, memberState, recordId), memberState });
      addEdge({ id: `linked:${subjectId}:${id}`, kind: 'linked', source: subjectId, target: id, label: linkLabel });
      return id;
    };
    for (const record of subject.records) addRecord(record.memberState, record.id);
    for (const link of subject.organisations) {
      const recordNode = addRecord(link.source.memberState, link.source.recordId);
      const orgId = `organisation:${link.key}`;
      const known = nodes.get(orgId);
      // One owner may release the kind where another does not: keep the kind once any source gives it.
      const colon = link.key.indexOf(':');
      nodes.set(orgId, {
        id: orgId,
        kind: 'organisation',
        label: link.name,
        memberState: colon > 0 ? link.key.slice(0, colon) : known?.memberState,
        organisationKind: link.kind ?? known?.organisationKind,
      });
      addEdge({
        id: `affiliation:${recordNode}:${orgId}:${link.role ?? ''}`,
        kind: 'affiliation',
        source: recordNode,
        target: orgId,
        label: [link.role ?? 'linked', link.since ? `since ${link.since}` : undefined].filter(Boolean).join(', '),
        provenance: link.source,
      });
    }
  }
  return { nodes: [...nodes.values()], edges };
}

function nodeText(node: GraphNode): string {
  switch (node.kind) {
    case 'subject':
      return `Subject ${node.label}`;
    case 'record':
      return `Record ${node.label.replace('\n', ', ')}`;
    case 'organisation':
      return `${node.label} (${kindName(node.organisationKind)}${node.memberState ? `, record of ${node.memberState}` : ''})`;
  }
}

function stylesheet(): cytoscape.StylesheetJson {
  const base: cytoscape.StylesheetJson = [
    {
      selector: 'node',
      style: {
        label: 'data(label)',
        'font-size': 11,
        'font-family': 'system-ui, sans-serif',
        'text-wrap': 'wrap',
        'text-valign': 'bottom',
        'text-margin-y': 4,
        color: '#1f2328',
        'text-outline-color': '#ffffff',
        'text-outline-width': 2,
        'border-width': 1,
        'border-color': '#1f2328',
      },
    },
    { selector: 'node[kind = "subject"]', style: { shape: 'ellipse', width: 34, height: 34, 'background-color': SUBJECT_COLOUR, 'font-weight': 'bold' } },
    { selector: 'node[kind = "record"]', style: { shape: 'round-rectangle', width: 26, height: 18, 'background-color': RECORD_COLOUR } },
    {
      selector: 'edge',
      style: {
        width: 1.5,
        'line-color': '#8c959f',
        'target-arrow-color': '#8c959f',
        'target-arrow-shape': 'triangle',
        'curve-style': 'bezier',
        label: 'data(label)',
        'font-size': 9,
        'font-family': 'system-ui, sans-serif',
        color: '#57606a',
        'text-background-color': '#ffffff',
        'text-background-opacity': 0.85,
        'text-background-padding': '1px',
      },
    },
    { selector: 'edge[kind = "linked"]', style: { 'line-style': 'dashed' } },
  ];
  for (const style of ORGANISATION_STYLES) {
    base.push({
      selector: style.kind === undefined ? 'node[kind = "organisation"][!organisationKind]' : `node[kind = "organisation"][organisationKind = "${style.kind}"]`,
      style: {
        shape: style.shape,
        width: 30,
        height: 30,
        'background-color': style.colour,
        ...(style.kind === undefined ? { 'border-style': 'dashed', 'border-color': '#57606a' } : {}),
      },
    });
  }
  return base;
}

const SVG = 'http://www.w3.org/2000/svg';
/** A legend swatch in the node's shape, drawn as SVG (no images, no fonts). */
function swatch(shape: string, fill: string, dashed = false): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '16');
  svg.setAttribute('viewBox', '0 0 16 16');
  const points: Record<string, string> = {
    hexagon: '4,1.5 12,1.5 15,8 12,14.5 4,14.5 1,8',
    diamond: '8,1 15,8 8,15 1,8',
    triangle: '8,1.5 15,14.5 1,14.5',
    rectangle: '2,2 14,2 14,14 2,14',
    octagon: '5,1 11,1 15,5 15,11 11,15 5,15 1,11 1,5',
    'round-rectangle': '1,4 15,4 15,12 1,12',
  };
  const shapeNode: SVGElement = document.createElementNS(SVG, shape === 'ellipse' ? 'circle' : 'polygon');
  if (shape === 'ellipse') {
    shapeNode.setAttribute('cx', '8');
    shapeNode.setAttribute('cy', '8');
    shapeNode.setAttribute('r', '6.5');
  } else {
    shapeNode.setAttribute('points', points[shape] ?? points.rectangle);
  }
  shapeNode.setAttribute('fill', fill);
  shapeNode.setAttribute('stroke', dashed ? '#57606a' : '#1f2328');
  if (dashed) shapeNode.setAttribute('stroke-dasharray', '2 2');
  svg.append(shapeNode);
  return svg;
}

function legend(data: GraphData): HTMLElement {
  const box = element('ul', { class: 'hague-graph-legend', style: 'list-style:none;display:flex;flex-wrap:wrap;gap:4px 16px;margin:4px 0;padding:0' });
  const entry = (svg: SVGSVGElement, text: string, attributes: Record<string, string> = {}) => {
    const li = element('li', { style: 'display:flex;align-items:center;gap:4px', ...attributes });
    li.append(svg, document.createTextNode(text));
    box.append(li);
  };
  entry(swatch('ellipse', SUBJECT_COLOUR), 'Subject');
  entry(swatch('round-rectangle', RECORD_COLOUR), 'Record (state, id)');
  // Every organisation kind, drawn or not, so the difference is learnt once.
  for (const style of ORGANISATION_STYLES) {
    const count = data.nodes.filter((n) => n.kind === 'organisation' && n.organisationKind === style.kind).length;
    entry(swatch(style.shape, style.colour, style.kind === undefined), `${style.name} (${count})`, { 'data-organisation-kind': style.kind ?? 'NOT_RELEASED' });
  }
  return box;
}

/** Draws the link graph into `el`; returns what removes it. */
export function mount(el: HTMLElement, model: WorkspaceModel): () => void {
  const data = buildGraph(model);
  const organisations = data.nodes.filter((n) => n.kind === 'organisation');
  if (data.nodes.length === 0) {
    empty(el, 'graph', 'No persons or organisations in this answer.');
    return () => el.replaceChildren();
  }
  const subjects = data.nodes.filter((n) => n.kind === 'subject').length;
  const records = data.nodes.filter((n) => n.kind === 'record').length;
  const { region, drawing, list } = frame(
    el,
    'graph',
    `Link graph: ${subjects} subject(s), ${records} record(s), ${organisations.length} organisation(s), ${data.edges.length} link(s); + and - zoom, arrows pan, 0 fits; the list follows`,
  );
  drawing.append(legend(data));
  const canvas = element('div', {
    class: 'hague-graph-canvas',
    style: 'position:relative;width:100%;height:460px;border:1px solid #d0d7de;background:#ffffff',
  });
  drawing.append(canvas);

  const byId = new Map(data.nodes.map((n) => [n.id, n]));
  const rows = data.edges.map((edge) => [
    nodeText(byId.get(edge.source) ?? { id: edge.source, kind: 'record', label: edge.source }),
    edge.label,
    nodeText(byId.get(edge.target) ?? { id: edge.target, kind: 'record', label: edge.target }),
    edge.provenance ? sourceLabel(edge.provenance) : 'gateway link',
  ]);
  list.append(table('Links: subjects to records, records to organisations', ['From', 'Link', 'To', 'Source'], rows));
  if (organisations.length > 0) {
    const orgList = element('ul', { class: 'hague-graph-organisations' });
    for (const org of organisations) orgList.append(element('li', { 'data-organisation-kind': org.organisationKind ?? 'NOT_RELEASED' }, nodeText(org)));
    list.append(orgList);
  }

  const cy = cytoscape({
    container: canvas,
    elements: [
      ...data.nodes.map((n) => ({
        group: 'nodes' as const,
        data: { id: n.id, kind: n.kind, label: n.label, ...(n.organisationKind ? { organisationKind: n.organisationKind } : {}) },
      })),
      ...data.edges.map((e) => ({ group: 'edges' as const, data: { id: e.id, kind: e.kind, source: e.source, target: e.target, label: e.label } })),
    ],
    style: stylesheet(),
    layout: {
      name: 'breadthfirst',
      directed: true,
      // Left to right: edge labels run horizontally, under no node label.
      direction: 'rightward',
      roots: data.nodes.filter((n) => n.kind === 'subject').map((n) => n.id),
      spacingFactor: 1.1,
      padding: 24,
      animate: false,
    },
    minZoom: 0.2,
    maxZoom: 3,
    boxSelectionEnabled: false,
    autoungrabify: false,
  });
  canvas.dataset.nodes = String(cy.nodes().length);
  canvas.dataset.edges = String(cy.edges().length);

  // The viewport as attributes: what the keys did, for tests and for anyone inspecting the page.
  const showViewport = () => {
    canvas.dataset.zoom = cy.zoom().toFixed(3);
    canvas.dataset.pan = `${Math.round(cy.pan().x)},${Math.round(cy.pan().y)}`;
  };
  showViewport();
  const onKey = (event: KeyboardEvent) => {
    const step = 40;
    const moves: Record<string, () => void> = {
      '+': () => cy.zoom({ level: cy.zoom() * 1.2, renderedPosition: { x: canvas.clientWidth / 2, y: canvas.clientHeight / 2 } }),
      '=': () => cy.zoom({ level: cy.zoom() * 1.2, renderedPosition: { x: canvas.clientWidth / 2, y: canvas.clientHeight / 2 } }),
      '-': () => cy.zoom({ level: cy.zoom() / 1.2, renderedPosition: { x: canvas.clientWidth / 2, y: canvas.clientHeight / 2 } }),
      '0': () => cy.fit(undefined, 24),
      ArrowLeft: () => cy.panBy({ x: step, y: 0 }),
      ArrowRight: () => cy.panBy({ x: -step, y: 0 }),
      ArrowUp: () => cy.panBy({ x: 0, y: step }),
      ArrowDown: () => cy.panBy({ x: 0, y: -step }),
    };
    const move = moves[event.key];
    if (move && event.target === region) {
      move();
      event.preventDefault();
      showViewport();
    }
  };
  region.addEventListener('keydown', onKey);
  return () => {
    region.removeEventListener('keydown', onKey);
    cy.destroy();
    el.replaceChildren();
  };
}
