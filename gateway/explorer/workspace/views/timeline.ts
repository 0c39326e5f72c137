/**
 * The timeline: every travel movement (flown and planned), financial measure and listing of the
 * answer's subjects on one time axis, across states, each labelled with its source (state, record,
 * handling code). d3's UTC time scale and axis draw the axis; one row per item, in time order.
 * Browser code: no Node imports, nothing fetched, no eval.
 */
import { axisBottom } from 'd3-axis';
import { scaleUtc } from 'd3-scale';
import { create } from 'd3-selection';
import type { Provenance, WorkspaceModel } from '../model.ts';
import { element, empty, formatWhen, frame, sourceLabel, table, timeOf } from './common.ts';

export type TimelineKind = 'travel' | 'money' | 'listing';

export interface TimelineItem {
  kind: TimelineKind;
  /** When it happened or takes effect, as the answer gave it. */
  at: string;
  /** Milliseconds since the epoch. */
  time: number;
  /** The end of a financial measure, when given. */
  until?: number;
  /** What happened, e.g. "Brussels (BE) → Istanbul (TR), AIR Turkish Airlines TK1938". */
  label: string;
  planned: boolean;
  /** The subject's label, for answers with several subjects. */
  subject: string;
  source: Provenance;
  /** "BE BE-P-000001 H0 B2". */
  sourceLabel: string;
}

export interface TimelineData {
  /** In time order; equal times in the answer's order. */
  items: TimelineItem[];
  /** Facts without a readable date: listed, not drawn. */
  undated: Array<Omit<TimelineItem, 'time' | 'until'>>;
}

const KIND_NAMES: Record<TimelineKind, string> = { travel: 'Travel', money: 'Money', listing: 'Listing' };
const KIND_COLOURS: Record<TimelineKind, string> = { travel: '#1f6feb', money: '#b35900', listing: '#8250df' };

function join(parts: Array<string | number | undefined>, separator = ' '): string {
  return parts.filter((part) => part !== undefined && part !== '').join(separator);
}

/** The timeline's items, from the model alone (no DOM): what `mount` draws and lists. */
export function buildTimeline(model: WorkspaceModel): TimelineData {
  const all: Array<Omit<TimelineItem, 'time' | 'until'> & { time?: number; until?: number; order: number }> = [];
  let order = 0;
  for (const subject of model.subjects) {
    for (const m of subject.travel) {
      const how = join([m.mode, m.carrier, m.reference]);
      all.push({
        kind: 'travel',
        at: m.at,
        time: timeOf(m.at),
        label: `${m.from.city} (${m.from.country}) → ${m.to.city} (${m.to.country})${how ? `, ${how}` : ''}${m.planned ? ' (planned)' : ''}`,
        planned: m.planned === true,
        subject: subject.label,
        source: m.source,
        sourceLabel: sourceLabel(m.source),
        order: order++,
      });
    }
    for (const money of subject.money) {
      const amount = money.amount !== undefined ? join([money.amount.toLocaleString('en-GB'), money.currency]) : undefined;
      all.push({
        kind: 'money',
        at: money.since ?? '',
        time: timeOf(money.since),
        until: timeOf(money.until),
        label: join([money.kind, amount, money.institution ? `at ${money.institution}` : undefined, money.until ? `until ${money.until}` : undefined]),
        planned: false,
        subject: subject.label,
        source: money.source,
        sourceLabel: sourceLabel(money.source),
        order: order++,
      });
    }
    for (const listing of subject.listings) {
      all.push({
        kind: 'listing',
        at: listing.listedSince ?? '',
        time: timeOf(listing.listedSince),
        label: join([`Listed on ${listing.list}`, listing.action ? `(${listing.action})` : undefined]),
        planned: false,
        subject: subject.label,
        source: listing.source,
        sourceLabel: sourceLabel(listing.source),
        order: order++,
      });
    }
  }
  const dated = all.filter((item): item is typeof item & { time: number } => item.time !== undefined);
  dated.sort((a, b) => a.time - b.time || a.order - b.order);
  const items = dated.map(({ order: _order, ...item }) => item);
  const undated = all.filter((item) => item.time === undefined).map(({ order: _order, time: _time, until: _until, ...item }) => item);
  return { items, undated };
}

const ROW = 24;
/** One row per item: beyond this many the drawing stops (an answer of 100 subjects can carry thousands of facts); the list goes on. */
const MAX_DRAWN = 400;
const MARGIN = { top: 28, right: 24, bottom: 32, left: 24 };

/** Draws the timeline into `el`; returns what removes it. */
export function mount(el: HTMLElement, model: WorkspaceModel): () => void {
  const data = buildTimeline(model);
  if (data.items.length === 0 && data.undated.length === 0) {
    empty(el, 'timeline', 'No travel, financial measures or listings in this answer.');
    return () => el.replaceChildren();
  }
  const subjects = new Set([...data.items, ...data.undated].map((item) => item.subject));
  const { drawing, list } = frame(
    el,
    'timeline',
    `Timeline: ${data.items.length} dated item(s) of ${subjects.size} subject(s), travel, money and listings in time order; the list follows`,
  );

  drawing.append(legend());
  if (data.items.length > MAX_DRAWN) {
    drawing.append(element('p', { class: 'hague-timeline-capped' }, `The first ${MAX_DRAWN} of ${data.items.length} items are drawn; the list has them all.`));
  }
  if (data.items.length > 0) drawing.append(draw(data.items.slice(0, MAX_DRAWN), el.clientWidth));

  const rows = [...data.items, ...data.undated].map((item) => [
    item.at ? formatWhen(item.at) : 'no date',
    KIND_NAMES[item.kind] + (item.planned ? ' (planned)' : ''),
    item.label,
    item.sourceLabel,
    ...(subjects.size > 1 ? [item.subject] : []),
  ]);
  list.append(table('Travel, money and listings in time order', ['When', 'What', 'Details', 'Source', ...(subjects.size > 1 ? ['Subject'] : [])], rows));
  return () => el.replaceChildren();
}

function legend(): HTMLElement {
  const box = element('p', { class: 'hague-timeline-legend' });
  for (const kind of ['travel', 'money', 'listing'] as const) {
    const swatch = element('span', {
      class: 'hague-swatch',
      style: `display:inline-block;width:10px;height:10px;margin:0 4px 0 12px;background:${KIND_COLOURS[kind]}`,
    });
    box.append(swatch, document.createTextNode(KIND_NAMES[kind]));
  }
  const planned = element('span', {
    class: 'hague-swatch',
    style: `display:inline-block;width:8px;height:8px;margin:0 4px 0 12px;border:1px dashed ${KIND_COLOURS.travel};background:#fff`,
  });
  box.append(planned, document.createTextNode('Planned (booked, not yet travelled)'));
  return box;
}

function draw(items: TimelineItem[], available: number): SVGSVGElement {
  const width = Math.max(available > 0 ? available : 960, 480);
  const height = MARGIN.top + items.length * ROW + MARGIN.bottom;
  const first = items[0].time;
  const last = Math.max(...items.map((item) => item.until ?? item.time));
  // A little room either side; a single instant gets a week either way.
  const pad = Math.max((last - first) * 0.04, 3 * 24 * 3600 * 1000);
  const x = scaleUtc()
    .domain([new Date(first - pad), new Date(last + pad)])
    .range([MARGIN.left, width - MARGIN.right]);

  const svg = create<SVGSVGElement>('svg:svg')
    .attr('class', 'hague-timeline-svg')
    .attr('width', '100%')
    .attr('viewBox', `0 0 ${width} ${height}`)
    .attr('font-family', 'system-ui, sans-serif')
    .attr('font-size', 11);

  svg
    .append('g')
    .attr('class', 'hague-timeline-axis')
    .attr('transform', `translate(0,${height - MARGIN.bottom + 4})`)
    .call(axisBottom(x).ticks(Math.max(2, Math.floor(width / 110))));

  const today = Date.now();
  if (today > first - pad && today < last + pad) {
    svg
      .append('line')
      .attr('class', 'hague-timeline-now')
      .attr('x1', x(new Date(today)))
      .attr('x2', x(new Date(today)))
      .attr('y1', MARGIN.top - 14)
      .attr('y2', height - MARGIN.bottom + 4)
      .attr('stroke', '#6e7781')
      .attr('stroke-dasharray', '2 3');
    svg
      .append('text')
      .attr('x', x(new Date(today)) + 3)
      .attr('y', MARGIN.top - 16)
      .attr('fill', '#6e7781')
      .text('today');
  }

  const rows = svg
    .append('g')
    .attr('class', 'hague-timeline-items')
    .selectAll('g')
    .data(items)
    .join('g')
    .attr('class', (item) => `hague-timeline-item hague-timeline-${item.kind}${item.planned ? ' hague-timeline-planned' : ''}`)
    .attr('data-kind', (item) => item.kind)
    .attr('data-planned', (item) => String(item.planned))
    .attr('data-source', (item) => item.sourceLabel)
    .attr('transform', (_item, index) => `translate(0,${MARGIN.top + index * ROW + ROW / 2})`);

  rows
    .append('line')
    .attr('x1', MARGIN.left)
    .attr('x2', width - MARGIN.right)
    .attr('stroke', '#eaeef2');

  // A measure with an end is a bar from since to until.
  rows
    .filter((item) => item.until !== undefined)
    .append('rect')
    .attr('x', (item) => x(new Date(item.time)))
    .attr('y', -3)
    .attr('height', 6)
    .attr('width', (item) => Math.max(1, x(new Date(item.until ?? item.time)) - x(new Date(item.time))))
    .attr('fill', (item) => KIND_COLOURS[item.kind])
    .attr('opacity', 0.35);

  rows
    .append('circle')
    .attr('class', 'hague-timeline-marker')
    .attr('cx', (item) => x(new Date(item.time)))
    .attr('r', 5)
    .attr('fill', (item) => (item.planned ? '#ffffff' : KIND_COLOURS[item.kind]))
    .attr('stroke', (item) => KIND_COLOURS[item.kind])
    .attr('stroke-width', (item) => (item.planned ? 2 : 1))
    .attr('stroke-dasharray', (item) => (item.planned ? '2 2' : null));

  // The label on the side with more room.
  const middle = (MARGIN.left + width - MARGIN.right) / 2;
  rows
    .append('text')
    .attr('class', 'hague-timeline-label')
    .attr('x', (item) => x(new Date(item.time)) + (x(new Date(item.time)) < middle ? 9 : -9))
    .attr('dy', '0.35em')
    .attr('text-anchor', (item) => (x(new Date(item.time)) < middle ? 'start' : 'end'))
    .attr('fill', '#1f2328')
    .attr('font-style', (item) => (item.planned ? 'italic' : null))
    .text((item) => `${item.label} · ${item.sourceLabel}`);

  rows.append('title').text((item) => `${formatWhen(item.at)} · ${KIND_NAMES[item.kind]} · ${item.label} · source ${item.sourceLabel} · ${item.subject}`);

  const node = svg.node();
  if (node === null) throw new Error('d3 did not create the timeline');
  return node;
}
