import { MEMBER_STATES, type MemberState } from '../../../common/member-states.ts';
import type { Random } from './random.ts';
import type { TravelMode } from './contract-enums.ts';
import { CITIES, PLATES } from './state-reference.ts';
import { fillPattern } from './document-numbers.ts';

// ---------------------------------------------------------------------------------------------
// Travel
// ---------------------------------------------------------------------------------------------

export type Place = readonly [city: string, country: string];
export interface Leg {
  from: Place;
  to: Place;
  mode: TravelMode;
  carrier: string | null;
  reference: string | null;
  source: string;
  hours: number;
}

const AIRLINES: Record<string, string> = {
  TK: 'Turkish Airlines',
  PC: 'Pegasus Airlines',
  VF: 'AJet',
  KL: 'KLM',
  HV: 'Transavia',
  SN: 'Brussels Airlines',
  AF: 'Air France',
  LH: 'Lufthansa',
  EW: 'Eurowings',
  IB: 'Iberia',
  VY: 'Vueling',
  FR: 'Ryanair',
  U2: 'easyJet',
  AT: 'Royal Air Maroc',
  '3O': 'Air Arabia Maroc',
  AH: 'Air Algérie',
  TU: 'Tunisair',
  A3: 'Aegean Airlines',
  OS: 'Austrian Airlines',
  QR: 'Qatar Airways',
  EK: 'Emirates',
  RJ: 'Royal Jordanian',
  ME: 'Middle East Airlines',
  IA: 'Iraqi Airways',
  SK: 'SAS',
  AY: 'Finnair',
  W6: 'Wizz Air',
  AZ: 'ITA Airways',
  LO: 'LOT Polish Airlines',
  A9: 'Georgian Airways',
  HY: 'Uzbekistan Airways',
  KQ: 'Kenya Airways',
  TP: 'TAP Air Portugal',
  EI: 'Aer Lingus',
  JU: 'Air Serbia',
  BT: 'airBaltic',
  FB: 'Bulgaria Air',
  RO: 'TAROM',
  LG: 'Luxair',
  KM: 'KM Malta Airlines',
};
const HOME_AIRLINES: Record<MemberState, string[]> = {
  AT: ['OS', 'W6'],
  BE: ['SN', 'FR'],
  BG: ['FB', 'W6'],
  CY: ['A3', 'W6'],
  CZ: ['FR', 'W6'],
  DE: ['LH', 'EW'],
  DK: ['SK', 'FR'],
  EE: ['BT', 'FR'],
  ES: ['IB', 'VY'],
  FI: ['AY', 'FR'],
  FR: ['AF', 'U2'],
  GR: ['A3', 'FR'],
  HR: ['FR', 'W6'],
  HU: ['W6', 'FR'],
  IE: ['EI', 'FR'],
  IT: ['AZ', 'FR'],
  LT: ['BT', 'W6'],
  LU: ['LG', 'FR'],
  LV: ['BT', 'FR'],
  MT: ['KM', 'FR'],
  NL: ['KL', 'HV'],
  PL: ['LO', 'W6'],
  PT: ['TP', 'FR'],
  RO: ['RO', 'W6'],
  SE: ['SK', 'FR'],
  SI: ['W6', 'FR'],
  SK: ['W6', 'FR'],
};

const RAIL: Record<string, [operator: string, prefix: string]> = {
  NL: ['NS International', 'ICE '],
  BE: ['Eurostar', 'EST '],
  FR: ['SNCF', 'TGV '],
  DE: ['Deutsche Bahn', 'ICE '],
  ES: ['Renfe', 'AVE '],
  IT: ['Trenitalia', 'FR '],
  AT: ['ÖBB', 'RJX '],
  '*': ['FlixTrain', 'FLX '],
};

const CROSSINGS: Array<{ from: Place; to: Place; post: string }> = [
  { from: ['Ceuta', 'ES'], to: ['Fnideq', 'MA'], post: 'Tarajal border post' },
  { from: ['Melilla', 'ES'], to: ['Nador', 'MA'], post: 'Beni Ensar border post' },
  { from: ['Edirne', 'TR'], to: ['Svilengrad', 'BG'], post: 'Kapitan Andreevo border crossing' },
  { from: ['İpsala', 'TR'], to: ['Kipi', 'GR'], post: 'Kipi border crossing' },
  { from: ['Subotica', 'RS'], to: ['Röszke', 'HU'], post: 'Horgoš–Röszke border crossing' },
  { from: ['Šid', 'RS'], to: ['Bajakovo', 'HR'], post: 'Batrovci–Bajakovo border crossing' },
  { from: ['Kilis', 'TR'], to: ['Azaz', 'SY'], post: 'Öncüpınar–Bab al-Salama crossing' },
  { from: ['Reyhanlı', 'TR'], to: ['Sarmada', 'SY'], post: 'Cilvegözü–Bab al-Hawa crossing' },
  { from: ['Hopa', 'TR'], to: ['Batumi', 'GE'], post: 'Sarp–Sarpi border crossing' },
];

const EU_LAND_CROSSINGS = CROSSINGS.filter((c) => (MEMBER_STATES as readonly string[]).includes(c.to[1]));
const TURKISH_DESTINATIONS: Place[] = [
  ['Gaziantep', 'TR'],
  ['Hatay', 'TR'],
  ['Şanlıurfa', 'TR'],
  ['Adana', 'TR'],
  ['Ankara', 'TR'],
  ['Izmir', 'TR'],
];
const TURKISH_BORDER_TOWNS: Record<string, Place> = { Gaziantep: ['Kilis', 'TR'], Hatay: ['Reyhanlı', 'TR'], Şanlıurfa: ['Akçakale', 'TR'] };
const HOMELAND_AIRPORTS: Record<string, Array<[Place, string[]]>> = {
  MA: [
    [
      ['Casablanca', 'MA'],
      ['AT', 'FR'],
    ],
    [
      ['Tangier', 'MA'],
      ['3O', 'FR', 'HV'],
    ],
    [
      ['Nador', 'MA'],
      ['3O', 'HV'],
    ],
  ],
  DZ: [
    [
      ['Algiers', 'DZ'],
      ['AH', 'AF'],
    ],
    [
      ['Oran', 'DZ'],
      ['AH', 'VY'],
    ],
  ],
  TN: [
    [
      ['Tunis', 'TN'],
      ['TU', 'AF'],
    ],
    [['Monastir', 'TN'], ['TU']],
  ],
  SY: [
    [
      ['Beirut', 'LB'],
      ['ME', 'TK'],
    ],
    [
      ['Amman', 'JO'],
      ['RJ', 'TK'],
    ],
  ],
  IQ: [
    [
      ['Erbil', 'IQ'],
      ['TK', 'IA', 'A3'],
    ],
    [
      ['Baghdad', 'IQ'],
      ['TK', 'IA', 'QR'],
    ],
  ],
  TR: [
    [
      ['Istanbul', 'TR'],
      ['TK', 'PC'],
    ],
    [
      ['Ankara', 'TR'],
      ['TK', 'VF'],
    ],
    [
      ['Kayseri', 'TR'],
      ['PC', 'VF'],
    ],
  ],
  BA: [
    [
      ['Sarajevo', 'BA'],
      ['W6', 'OS', 'TK'],
    ],
    [['Tuzla', 'BA'], ['W6']],
  ],
  AL: [
    [
      ['Tirana', 'AL'],
      ['W6', 'FR'],
    ],
  ],
  MK: [[['Skopje', 'MK'], ['W6']]],
  RU: [
    [
      ['Tbilisi', 'GE'],
      ['A9', 'TK'],
    ],
    [['Baku', 'AZ'], ['TK']],
  ],
  SO: [
    [
      ['Nairobi', 'KE'],
      ['KQ', 'QR'],
    ],
    [['Mogadishu', 'SO'], ['TK']],
  ],
  AF: [
    [['Dubai', 'AE'], ['EK']],
    [
      ['Islamabad', 'PK'],
      ['QR', 'TK'],
    ],
  ],
  PK: [
    [
      ['Islamabad', 'PK'],
      ['QR', 'TK'],
    ],
  ],
  UZ: [
    [
      ['Tashkent', 'UZ'],
      ['HY', 'TK'],
    ],
  ],
  TJ: [[['Dushanbe', 'TJ'], ['TK']]],
};
const MIDDLE_EAST: Array<[Place, string[]]> = [
  [
    ['Amman', 'JO'],
    ['RJ', 'TK'],
  ],
  [['Beirut', 'LB'], ['ME']],
  [['Dubai', 'AE'], ['EK']],
  [['Doha', 'QA'], ['QR']],
  [
    ['Cairo', 'EG'],
    ['TK', 'A3'],
  ],
];
const FERRIES: Array<{ from: Place; to: Place; lines: string[] }> = [
  { from: ['Algeciras', 'ES'], to: ['Tangier', 'MA'], lines: ['FRS', 'Baleària'] },
  { from: ['Almería', 'ES'], to: ['Nador', 'MA'], lines: ['Trasmed', 'Baleària'] },
  { from: ['Marseille', 'FR'], to: ['Algiers', 'DZ'], lines: ['Corsica Linea', 'Algérie Ferries'] },
  { from: ['Genoa', 'IT'], to: ['Tunis', 'TN'], lines: ['Grandi Navi Veloci', 'CTN'] },
  { from: ['Palermo', 'IT'], to: ['Tunis', 'TN'], lines: ['Grandi Navi Veloci'] },
  { from: ['Piraeus', 'GR'], to: ['Chios', 'GR'], lines: ['Blue Star Ferries'] },
];

export class TravelGenerator {
  constructor(private readonly state: MemberState) {}

  private airSource(rng: Random): string {
    return rng.weighted([
      [`PNR (${this.state} PIU)`, 5],
      [`API (${this.state} border police)`, 3],
      ['liaison officer report', 1],
    ] as const);
  }
  private flight(rng: Random, from: Place, to: Place, codes: string[], hours: number): Leg {
    const code = rng.pick(codes);
    return { from, to, mode: 'AIR', carrier: AIRLINES[code], reference: `${code}${rng.int(100, 2999)}`, source: this.airSource(rng), hours };
  }
  private bus(rng: Random, from: Place, to: Place, hours: number): Leg {
    return { from, to, mode: 'ROAD', carrier: 'FlixBus', reference: `N${rng.int(100, 2999)}`, source: 'bus operator passenger list', hours };
  }
  private car(rng: Random, from: Place, to: Place, hours: number): Leg {
    const plate = fillPattern(rng, PLATES[this.state] ?? 'LL DDDD');
    return { from, to, mode: 'ROAD', carrier: null, reference: `vehicle ${plate}`, source: rng.pick(['ANPR hit', 'border check', 'police check']), hours };
  }
  private train(rng: Random, from: Place, to: Place, hours: number): Leg {
    const [operator, prefix] = RAIL[from[1]] ?? RAIL['*'];
    return {
      from,
      to,
      mode: 'RAIL',
      carrier: operator,
      reference: `${prefix}${rng.int(100, 9999)}`,
      source: rng.pick(['passenger list', 'police check on board', 'informant']),
      hours,
    };
  }

  /** One trip from a home city: outbound legs and, often, the way back. */
  trip(rng: Random, homeState: MemberState, nationalities: string[]): Leg[] {
    const home: Place = [rng.pick(CITIES[homeState]), homeState];
    const homeCarriers = HOME_AIRLINES[homeState];
    const kind = rng.weighted([
      ['turkey', 30],
      ['homeland', 25],
      ['europe', 25],
      ['middleEast', 8],
      ['landRoute', 6],
      ['ferry', 6],
    ] as const);
    const legs: Leg[] = [];
    const back = (codes: string[]) => {
      if (!rng.chance(0.6)) return;
      const last = legs[legs.length - 1];
      const first = legs[0];
      if (last.mode === 'AIR') legs.push(this.flight(rng, last.to, first.from, codes, rng.int(72, 1200)));
      else if (last.mode === 'ROAD' || last.mode === 'RAIL') legs.push(this.bus(rng, last.to, first.from, rng.int(48, 600)));
    };
    switch (kind) {
      case 'turkey': {
        const istanbul: Place = ['Istanbul', 'TR'];
        legs.push(this.flight(rng, home, istanbul, ['TK', 'PC', ...homeCarriers], rng.int(3, 30)));
        if (rng.chance(0.7)) {
          const destination = rng.pick(TURKISH_DESTINATIONS);
          legs.push(this.flight(rng, istanbul, destination, ['TK', 'PC', 'VF'], rng.int(6, 72)));
          const border = TURKISH_BORDER_TOWNS[destination[0]];
          if (border && rng.chance(0.5)) {
            legs.push({
              from: destination,
              to: border,
              mode: 'ROAD',
              carrier: null,
              reference: null,
              source: rng.pick(['partner service report', 'liaison officer report', 'informant']),
              hours: rng.int(24, 400),
            });
            return legs;
          }
        }
        back(['TK', 'PC']);
        return legs;
      }
      case 'homeland': {
        const options = nationalities.flatMap((c) => HOMELAND_AIRPORTS[c] ?? []);
        if (options.length === 0) return this.trip(rng, homeState, ['TR']);
        const [destination, codes] = rng.pick(options);
        legs.push(this.flight(rng, home, destination, [...codes, ...homeCarriers.slice(0, 1)], rng.int(48, 600)));
        back(codes);
        return legs;
      }
      case 'europe': {
        const otherState = rng.pick(MEMBER_STATES.filter((s) => s !== homeState));
        const there: Place = [rng.pick(CITIES[otherState]), otherState];
        const mode = rng.weighted([
          ['AIR', 4],
          ['BUS', 3],
          ['RAIL', 2],
          ['CAR', 1],
        ] as const);
        const hours = rng.int(6, 240);
        legs.push(
          mode === 'AIR'
            ? this.flight(rng, home, there, [...homeCarriers, ...HOME_AIRLINES[otherState]], hours)
            : mode === 'BUS'
              ? this.bus(rng, home, there, hours)
              : mode === 'RAIL'
                ? this.train(rng, home, there, hours)
                : this.car(rng, home, there, hours),
        );
        back([...homeCarriers, ...HOME_AIRLINES[otherState]]);
        return legs;
      }
      case 'middleEast': {
        const [destination, codes] = rng.pick(MIDDLE_EAST);
        legs.push(this.flight(rng, home, destination, codes, rng.int(48, 500)));
        back(codes);
        return legs;
      }
      case 'landRoute': {
        // Into the EU over a land border (Balkan and Turkish routes), then by bus to the home city.
        const crossing = rng.pick(EU_LAND_CROSSINGS);
        legs.push({
          from: crossing.from,
          to: crossing.to,
          mode: 'BORDER_CROSSING',
          carrier: rng.chance(0.5) ? 'FlixBus' : null,
          reference: crossing.post,
          source: rng.pick(['border check', 'EES entry/exit record']),
          hours: rng.int(2, 12),
        });
        legs.push(this.bus(rng, crossing.to, home, rng.int(48, 400)));
        return legs;
      }
      case 'ferry': {
        const ferry = rng.pick(FERRIES);
        if (ferry.from[1] !== homeState) legs.push(this.bus(rng, home, ferry.from, rng.int(10, 30)));
        legs.push({
          from: ferry.from,
          to: ferry.to,
          mode: 'SEA',
          carrier: rng.pick(ferry.lines),
          reference: `booking ${fillPattern(rng, 'LLDDDD')}`,
          source: 'ferry manifest',
          hours: rng.int(72, 900),
        });
        if (rng.chance(0.5))
          legs.push({
            from: ferry.to,
            to: ferry.from,
            mode: 'SEA',
            carrier: rng.pick(ferry.lines),
            reference: `booking ${fillPattern(rng, 'LLDDDD')}`,
            source: 'ferry manifest',
            hours: 0,
          });
        return legs;
      }
    }
  }
}

/** Every place a generated trip can start or end at: the explorer's route map has coordinates for each (test/unit/places.test.ts). */
export function travelPlaces(): Place[] {
  return [
    ...MEMBER_STATES.flatMap((state) => CITIES[state].map((city): Place => [city, state])),
    ['Istanbul', 'TR'],
    ...CROSSINGS.flatMap((crossing) => [crossing.from, crossing.to]),
    ...TURKISH_DESTINATIONS,
    ...Object.values(TURKISH_BORDER_TOWNS),
    ...Object.values(HOMELAND_AIRPORTS).flatMap((airports) => airports.map(([place]) => place)),
    ...MIDDLE_EAST.map(([place]) => place),
    ...FERRIES.flatMap((ferry) => [ferry.from, ferry.to]),
  ];
}
