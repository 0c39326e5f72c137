/**
 * The route map: the travel legs of the answer's subjects, in time order, over the countries of
 * world-atlas (Natural Earth 1:110m, TopoJSON, bundled into the script: no tile server, nothing
 * fetched) projected with d3-geo. Flown legs are solid, planned legs dashed, each with an arrow and
 * its number; cities are dots with their names. A city the gazetteer (../places.ts) does not know is
 * put at its country's centroid and marked approximate.
 * Browser code: no Node imports, nothing fetched, no eval.
 */
import { geoCentroid, geoMercator, geoPath } from 'd3-geo';
import { create } from 'd3-selection';
import type { Feature, FeatureCollection, Geometry, Polygon } from 'geojson';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import countries110m from 'world-atlas/countries-110m.json' with { type: 'json' };
import type { Movement, Provenance, WorkspaceModel } from '../model.ts';
import { ISO_NUMERIC, cityCoordinates } from '../places.ts';
import { element, empty, formatWhen, frame, sourceLabel, table, timeOf, uniqueId } from './common.ts';

export type Countries = FeatureCollection<Geometry, { name: string }>;

/** The world's countries from the bundled world-atlas, as GeoJSON (ids: ISO 3166-1 numeric). */
export function worldCountries(): Countries {
  const topology = countries110m as unknown as Topology<{ countries: GeometryCollection<{ name: string }> }>;
  return feature(topology, topology.objects.countries);
}

export interface LocatedPlace {
  city: string;
  country: string;
  lon: number;
  lat: number;
  /** True when the gazetteer does not know the city and it stands at its country's centroid. */
  approximate: boolean;
}

export interface RouteLeg {
  /** 1, 2, ... in time order. */
  number: number;
  at: string;
  from: LocatedPlace;
  to: LocatedPlace;
  mode?: string;
  carrier?: string;
  reference?: string;
  planned: boolean;
  /** The subject's label and id (two subjects can share a label). */
  subject: string;
  subjectId: string;
  source: Provenance;
  sourceLabel: string;
}

export interface RouteData {
  legs: RouteLeg[];
  /** Every place of a drawn leg, once (by country and city). */
  places: LocatedPlace[];
  /** Legs with a place neither the gazetteer nor the atlas can put on the map: listed, not drawn. */
  unplaced: Array<{ movement: Movement; subject: string; missing: string[] }>;
}

/** Where a place is: the gazetteer's city, else its country's centroid (approximate), else nowhere. */
export function locate(place: { city: string; country: string }, countries: Countries): LocatedPlace | undefined {
  const known = cityCoordinates(place.city, place.country);
  if (known) return { city: place.city, country: place.country, lon: known.lon, lat: known.lat, approximate: false };
  const numeric = ISO_NUMERIC.get(place.country.trim().toUpperCase());
  const country = numeric === undefined ? undefined : countries.features.find((f) => String(f.id) === numeric);
  if (!country) return undefined;
  const [lon, lat] = geoCentroid(country);
  return { city: place.city, country: place.country, lon, lat, approximate: true };
}

/** The legs in time order with their places located, from the model alone (no DOM). */
export function buildRoute(model: WorkspaceModel, countries: Countries = worldCountries()): RouteData {
  const movements: Array<{ movement: Movement; subject: string; subjectId: string; time: number; order: number }> = [];
  let order = 0;
  for (const subject of model.subjects) {
    for (const movement of subject.travel) {
      movements.push({ movement, subject: subject.label, subjectId: subject.id, time: timeOf(movement.at) ?? Number.POSITIVE_INFINITY, order: order++ });
    }
  }
  movements.sort((a, b) => a.time - b.time || a.order - b.order);

  const legs: RouteLeg[] = [];
  const unplaced: RouteData['unplaced'] = [];
  const places = new Map<string, LocatedPlace>();
  for (const { movement, subject, subjectId } of movements) {
    const from = locate(movement.from, countries);
    const to = locate(movement.to, countries);
    if (!from || !to) {
      const missing = [...(from ? [] : [movement.from]), ...(to ? [] : [movement.to])].map((p) => `${p.city} (${p.country})`);
      unplaced.push({ movement, subject, missing });
      continue;
    }
    for (const place of [from, to]) places.set(`${place.country}|${place.city}`, place);
    legs.push({
      number: legs.length + 1,
      at: movement.at,
      from,
      to,
      mode: movement.mode,
      carrier: movement.carrier,
      reference: movement.reference,
      planned: movement.planned === true,
      subject,
      subjectId,
      source: movement.source,
      sourceLabel: sourceLabel(movement.source),
    });
  }
  return { legs, places: [...places.values()], unplaced };
}

function placeName(place: LocatedPlace): string {
  return `${place.city} (${place.country})${place.approximate ? ', approximate: country centroid' : ''}`;
}

/** The area to show: every place, at least 10° wide and 6° high, as a polygon for fitExtent. */
function viewArea(places: LocatedPlace[]): Feature<Polygon> {
  let west = Math.min(...places.map((p) => p.lon));
  let east = Math.max(...places.map((p) => p.lon));
  let south = Math.min(...places.map((p) => p.lat));
  let north = Math.max(...places.map((p) => p.lat));
  const widen = (low: number, high: number, least: number): [number, number] => {
    const span = high - low;
    const margin = Math.max(span * 0.08, (least - span) / 2, 1);
    return [low - margin, high + margin];
  };
  [west, east] = widen(west, east, 10);
  [south, north] = widen(south, north, 6);
  south = Math.max(south, -80);
  north = Math.min(north, 84);
  // d3-geo wants exterior rings clockwise (a counter-clockwise ring would be the world minus the box).
  return {
    type: 'Feature',
    properties: {},
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [west, south],
          [west, north],
          [east, north],
          [east, south],
          [west, south],
        ],
      ],
    },
  };
}

const WIDTH_DEFAULT = 960;

/** Draws the route map into `el`; returns what removes it. */
export function mount(el: HTMLElement, model: WorkspaceModel): () => void {
  const countries = worldCountries();
  const route = buildRoute(model, countries);
  if (route.legs.length === 0 && route.unplaced.length === 0) {
    empty(el, 'map', 'No travel in this answer.');
    return () => el.replaceChildren();
  }
  const planned = route.legs.filter((leg) => leg.planned).length;
  const { drawing, list } = frame(
    el,
    'map',
    `Route map: ${route.legs.length} travel leg(s) in time order${planned > 0 ? `, ${planned} planned` : ''}, between ${route.places.length} place(s); the list follows`,
  );
  const colours = subjectColours(route.legs);
  drawing.append(legend(route, colours));
  if (route.legs.length > 0) drawing.append(draw(route, countries, el.clientWidth, colours));

  const several = colours.size > 1;
  const rows = route.legs.map((leg) => [
    String(leg.number),
    formatWhen(leg.at),
    placeName(leg.from),
    placeName(leg.to),
    [leg.mode, leg.carrier, leg.reference].filter(Boolean).join(' ') + (leg.planned ? ' (planned)' : ''),
    leg.sourceLabel,
    ...(several ? [leg.subject] : []),
  ]);
  list.append(table('Travel legs in time order', ['#', 'When', 'From', 'To', 'How', 'Source', ...(several ? ['Subject'] : [])], rows));
  if (route.unplaced.length > 0) {
    const missing = element('ul', { class: 'hague-map-unplaced' });
    for (const item of route.unplaced) {
      const m = item.movement;
      missing.append(
        element(
          'li',
          {},
          `Not on the map (${item.missing.join(', ')} unknown): ${formatWhen(m.at)} ${m.from.city} (${m.from.country}) → ${m.to.city} (${m.to.country}) · ${sourceLabel(m.source)}`,
        ),
      );
    }
    list.append(missing);
  }
  return () => el.replaceChildren();
}

const ROUTE_COLOUR = '#cf222e';
/** One colour per subject when the answer has several (after these, the last repeats). */
const SUBJECT_PALETTE = ['#cf222e', '#0969da', '#1a7f37', '#8250df', '#bc4c00', '#bf3989', '#116329', '#57606a'];

/** The colour of each subject's legs, by subject id: all red for one subject. */
function subjectColours(legs: RouteLeg[]): Map<string, string> {
  const ids = [...new Set(legs.map((leg) => leg.subjectId))];
  return new Map(ids.map((id, i) => [id, ids.length === 1 ? ROUTE_COLOUR : SUBJECT_PALETTE[Math.min(i, SUBJECT_PALETTE.length - 1)]]));
}

function legend(route: RouteData, colours: Map<string, string>): HTMLElement {
  const box = element('p', { class: 'hague-map-legend' });
  const line = colours.size > 1 ? '#57606a' : ROUTE_COLOUR;
  box.append(
    element('span', { style: `display:inline-block;width:24px;border-top:2px solid ${line};margin:0 4px 3px 0` }),
    document.createTextNode('travelled'),
    element('span', { style: `display:inline-block;width:24px;border-top:2px dashed ${line};margin:0 4px 3px 12px` }),
    document.createTextNode('planned'),
    element('span', { style: 'margin-left:12px' }, 'numbers: order in time'),
  );
  if (route.places.some((place) => place.approximate)) {
    box.append(element('span', { style: 'margin-left:12px;font-style:italic' }, '(approx.): city unknown to the map, shown at its country’s centre'));
  }
  if (colours.size > 1) {
    const shown = [...colours].slice(0, SUBJECT_PALETTE.length - 1);
    for (const [id, colour] of shown) {
      const label = route.legs.find((leg) => leg.subjectId === id)?.subject ?? id;
      box.append(
        element('span', { class: 'hague-map-subject', style: `display:inline-block;width:10px;height:10px;margin:0 4px 0 12px;background:${colour}` }),
        document.createTextNode(label),
      );
    }
    if (colours.size > shown.length) {
      box.append(
        element('span', { style: `display:inline-block;width:10px;height:10px;margin:0 4px 0 12px;background:${SUBJECT_PALETTE[SUBJECT_PALETTE.length - 1]}` }),
        document.createTextNode(`${colours.size - shown.length} more subject(s)`),
      );
    }
  }
  return box;
}

/** Which side of its dot each place's name goes: right, unless that covers a name already placed; then left, below, above. */
function labelSides(points: Array<[number, number]>, names: string[]): Array<{ dx: number; dy: number; anchor: 'start' | 'end' }> {
  const sides = [
    { dx: 6, dy: -5, anchor: 'start' as const },
    { dx: -6, dy: -5, anchor: 'end' as const },
    { dx: 6, dy: 13, anchor: 'start' as const },
    { dx: -6, dy: 13, anchor: 'end' as const },
  ];
  const boxes: Array<[number, number, number, number]> = [];
  return points.map(([x, y], i) => {
    const width = names[i].length * 6.2;
    const boxOf = (side: (typeof sides)[number]): [number, number, number, number] => {
      const left = side.anchor === 'start' ? x + side.dx : x + side.dx - width;
      return [left, y + side.dy - 10, left + width, y + side.dy + 2];
    };
    const overlaps = (b: [number, number, number, number]) => boxes.some((o) => b[0] < o[2] && b[2] > o[0] && b[1] < o[3] && b[3] > o[1]);
    const side = sides.find((s) => !overlaps(boxOf(s))) ?? sides[0];
    boxes.push(boxOf(side));
    return side;
  });
}

function draw(route: RouteData, countries: Countries, available: number, colours: Map<string, string>): SVGSVGElement {
  const width = Math.max(available > 0 ? available : WIDTH_DEFAULT, 480);
  const height = Math.round(Math.min(Math.max(width * 0.55, 320), 560));
  const projection = geoMercator().fitExtent(
    [
      [16, 16],
      [width - 16, height - 16],
    ],
    viewArea(route.places),
  );
  const path = geoPath(projection);
  const point = (place: LocatedPlace): [number, number] => projection([place.lon, place.lat]) ?? [0, 0];
  const arrow = uniqueId('hague-map-arrow');

  const svg = create<SVGSVGElement>('svg:svg')
    .attr('class', 'hague-map-svg')
    .attr('width', '100%')
    .attr('viewBox', `0 0 ${width} ${height}`)
    .attr('font-family', 'system-ui, sans-serif')
    .attr('font-size', 11)
    .attr('overflow', 'hidden');

  const defs = svg.append('defs');
  const palette = [...new Set(colours.values())];
  const colourOf = (leg: RouteLeg) => colours.get(leg.subjectId) ?? ROUTE_COLOUR;
  const markerOf = (leg: RouteLeg) => `${arrow}-${palette.indexOf(colourOf(leg))}`;
  for (const [index, colour] of palette.entries()) {
    defs
      .append('marker')
      .attr('id', `${arrow}-${index}`)
      .attr('viewBox', '0 0 10 10')
      .attr('refX', 9)
      .attr('refY', 5)
      .attr('markerWidth', 7)
      .attr('markerHeight', 7)
      .attr('orient', 'auto-start-reverse')
      .append('path')
      .attr('d', 'M 0 0 L 10 5 L 0 10 z')
      .attr('fill', colour);
  }

  svg.append('rect').attr('width', width).attr('height', height).attr('fill', '#eef5fb');
  svg
    .append('g')
    .attr('class', 'hague-map-countries')
    .selectAll('path')
    .data(countries.features)
    .join('path')
    .attr('class', 'hague-map-country')
    .attr('data-id', (f) => String(f.id ?? ''))
    .attr('d', (f) => path(f) ?? '')
    .attr('fill', '#f6f8fa')
    .attr('stroke', '#afb8c1')
    .attr('stroke-width', 0.6)
    .append('title')
    .text((f) => f.properties.name);

  // Each leg is an arc bending to its left, so a return leg does not cover the outbound one.
  const legs = svg
    .append('g')
    .attr('class', 'hague-map-legs')
    .selectAll('g')
    .data(route.legs)
    .join('g')
    .attr('class', (leg) => `hague-map-leg${leg.planned ? ' hague-map-planned' : ''}`)
    .attr('data-leg', (leg) => String(leg.number))
    .attr('data-from', (leg) => leg.from.city)
    .attr('data-to', (leg) => leg.to.city)
    .attr('data-planned', (leg) => String(leg.planned))
    .attr('data-subject', (leg) => leg.subject);
  const geometry = (leg: RouteLeg) => {
    const [x1, y1] = point(leg.from);
    const [x2, y2] = point(leg.to);
    const dx = x2 - x1;
    const dy = y2 - y1;
    const bend = 0.18;
    const cx = (x1 + x2) / 2 + dy * bend;
    const cy = (y1 + y2) / 2 - dx * bend;
    // The curve's midpoint (t = 0.5), where the number goes.
    return { d: `M ${x1} ${y1} Q ${cx} ${cy} ${x2} ${y2}`, mx: (x1 + 2 * cx + x2) / 4, my: (y1 + 2 * cy + y2) / 4 };
  };
  legs
    .append('path')
    .attr('d', (leg) => geometry(leg).d)
    .attr('fill', 'none')
    .attr('stroke', colourOf)
    .attr('stroke-width', 2)
    .attr('stroke-dasharray', (leg) => (leg.planned ? '6 4' : null))
    .attr('marker-end', (leg) => `url(#${markerOf(leg)})`);
  legs
    .append('circle')
    .attr('cx', (leg) => geometry(leg).mx)
    .attr('cy', (leg) => geometry(leg).my)
    .attr('r', 8)
    .attr('fill', '#ffffff')
    .attr('stroke', colourOf);
  legs
    .append('text')
    .attr('x', (leg) => geometry(leg).mx)
    .attr('y', (leg) => geometry(leg).my)
    .attr('dy', '0.35em')
    .attr('text-anchor', 'middle')
    .attr('font-size', 10)
    .attr('fill', colourOf)
    .text((leg) => String(leg.number));
  legs
    .append('title')
    .text(
      (leg) =>
        `${leg.number}. ${formatWhen(leg.at)} ${leg.from.city} → ${leg.to.city}${leg.planned ? ' (planned)' : ''} · ${[leg.mode, leg.carrier, leg.reference].filter(Boolean).join(' ')} · source ${leg.sourceLabel}`,
    );

  const places = svg
    .append('g')
    .attr('class', 'hague-map-places')
    .selectAll('g')
    .data(route.places)
    .join('g')
    .attr('class', 'hague-map-place')
    .attr('data-city', (place) => place.city)
    .attr('data-approximate', (place) => String(place.approximate))
    .attr('transform', (place) => `translate(${point(place).join(',')})`);
  places
    .append('circle')
    .attr('r', 3.5)
    .attr('fill', (place) => (place.approximate ? '#ffffff' : '#1f2328'))
    .attr('stroke', '#1f2328');
  const names = route.places.map((place) => place.city + (place.approximate ? ' (approx.)' : ''));
  const sides = labelSides(route.places.map(point), names);
  places
    .append('text')
    .attr('x', (_place, i) => sides[i].dx)
    .attr('y', (_place, i) => sides[i].dy)
    .attr('text-anchor', (_place, i) => sides[i].anchor)
    .attr('fill', '#1f2328')
    .attr('stroke', '#ffffff')
    .attr('stroke-width', 3)
    .attr('paint-order', 'stroke')
    .attr('font-style', (place) => (place.approximate ? 'italic' : null))
    .text((_place, i) => names[i]);

  const node = svg.node();
  if (node === null) throw new Error('d3 did not create the route map');
  return node;
}
