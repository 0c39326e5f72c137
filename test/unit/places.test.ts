import { describe, expect, it } from 'vitest';
import { MEMBER_STATES } from '../../common/member-states.ts';
import { Random } from '../../subgraphs/member/demo-data/random.ts';
import { SHARED_SUBJECTS } from '../../subgraphs/member/demo-data/shared-subjects.ts';
import { CITIES } from '../../subgraphs/member/demo-data/state-reference.ts';
import { TravelGenerator, travelPlaces } from '../../subgraphs/member/demo-data/travel.ts';
import { ISO_NUMERIC, cityCoordinates, gazetteerCities, placeKey } from '../../gateway/explorer/workspace/places.ts';
import { locate, worldCountries } from '../../gateway/explorer/workspace/views/map.ts';

/** The route map's gazetteer against the demo data: every city a trip or the shared cast can name has coordinates. */

const name = ([city, country]: readonly [string, string]) => `${city} (${country})`;
const unknown = (places: ReadonlyArray<readonly [string, string]>) => [
  ...new Set(places.filter(([city, country]) => !cityCoordinates(city, country)).map(name)),
];

describe('gazetteer', () => {
  it('knows every member state city of the demo data', () => {
    const places = MEMBER_STATES.flatMap((state) => CITIES[state].map((city) => [city, state] as const));
    expect(new Set(places.map(([, state]) => state)).size).toBe(MEMBER_STATES.length);
    expect(unknown(places)).toEqual([]);
  });

  it('knows every place the travel generator lists (airports, crossings, ferry ports, Turkish destinations)', () => {
    const places = travelPlaces();
    expect(places.map(name)).toEqual(expect.arrayContaining(['Kilis (TR)', 'Gaziantep (TR)', 'Izmir (TR)', 'Nador (MA)', 'Sarmada (SY)']));
    expect(unknown(places)).toEqual([]);
  });

  it('knows every place of 20,000 generated trips: none outside travelPlaces()', () => {
    const generator = new Map(MEMBER_STATES.map((state) => [state, new TravelGenerator(state)]));
    const nationalities = [['MA'], ['DZ'], ['TN'], ['SY'], ['IQ'], ['TR'], ['BA'], ['AL'], ['MK'], ['RU'], ['SO'], ['AF'], ['PK'], ['UZ'], ['TJ'], ['NL']];
    const listed = new Set(travelPlaces().map(name));
    const seen = new Set<string>();
    const rng = new Random(15);
    for (let i = 0; i < 20_000; i++) {
      const state = MEMBER_STATES[i % MEMBER_STATES.length];
      for (const leg of generator.get(state)!.trip(rng, state, nationalities[i % nationalities.length])) {
        for (const place of [leg.from, leg.to]) seen.add(name(place));
      }
    }
    expect([...seen].filter((place) => !listed.has(place))).toEqual([]);
    // The sample reaches most of the list, so the check above saw the generator's branches.
    expect(seen.size).toBeGreaterThan(listed.size * 0.9);
  });

  it("knows every place of the shared cast's travel", () => {
    const places = SHARED_SUBJECTS.flatMap((subject) =>
      Object.values(subject.records).flatMap((record) => (record.travel ?? []).flatMap((t) => [t.from, t.to])),
    );
    expect(places.map(name)).toEqual(expect.arrayContaining(['Brussels (BE)', 'Kilis (TR)', 'Izmir (TR)', 'Amsterdam (NL)']));
    expect(unknown(places)).toEqual([]);
  });

  it('matches names without minding case, accents or the Turkish dotless i', () => {
    expect(placeKey('tr', 'REYHANLI')).toBe(placeKey('TR', 'Reyhanlı'));
    expect(cityCoordinates('Liege', 'BE')).toEqual(cityCoordinates('Liège', 'BE'));
    expect(cityCoordinates('Ipsala', 'TR')).toBeDefined();
    // The country is part of the key: Luxembourg the city is in LU, not in BE.
    expect(cityCoordinates('Luxembourg', 'LU')).toEqual({ lat: 49.61, lon: 6.13 });
    expect(cityCoordinates('Luxembourg', 'BE')).toBeUndefined();
  });

  it('has plausible coordinates, each city once', () => {
    const cities = gazetteerCities();
    expect(new Set(cities.map(([city, country]) => placeKey(country, city))).size).toBe(cities.length);
    for (const [city, country] of cities) {
      const at = cityCoordinates(city, country)!;
      // Europe, North Africa, the Middle East, Central Asia, East Africa: the demo data's world.
      expect(at.lat, city).toBeGreaterThan(-5);
      expect(at.lat, city).toBeLessThan(65);
      expect(at.lon, city).toBeGreaterThan(-10);
      expect(at.lon, city).toBeLessThan(75);
    }
    expect(cityCoordinates('Brussels', 'BE')).toEqual({ lat: 50.85, lon: 4.35 });
  });
});

describe('country centroids for cities the gazetteer does not know', () => {
  const countries = worldCountries();

  it('maps ISO alpha-2 to the numeric ids of world-atlas, for every country of the demo data that the atlas draws', () => {
    expect(ISO_NUMERIC.get('BE')).toBe('056');
    expect(ISO_NUMERIC.get('TR')).toBe('792');
    expect(ISO_NUMERIC.size).toBe(249);
    const countriesUsed = new Set([...travelPlaces().map(([, country]) => country), ...MEMBER_STATES]);
    const ids = new Set(countries.features.map((f) => String(f.id)));
    // Malta is too small for the 1:110m atlas; Valletta is in the gazetteer.
    const missing = [...countriesUsed].filter((country) => !ids.has(ISO_NUMERIC.get(country) ?? '?'));
    expect(missing).toEqual(['MT']);
  });

  it("puts an unknown city at its country's centroid, marked approximate", () => {
    const kayseri = locate({ city: 'Kayseri', country: 'TR' }, countries);
    expect(kayseri).toMatchObject({ city: 'Kayseri', approximate: false, lat: 38.73 });
    const unknownTown = locate({ city: 'Nowhere-upon-Sea', country: 'TR' }, countries);
    expect(unknownTown?.approximate).toBe(true);
    // Turkey's centroid: central Anatolia.
    expect(unknownTown?.lon).toBeGreaterThan(32);
    expect(unknownTown?.lon).toBeLessThan(37);
    expect(unknownTown?.lat).toBeGreaterThan(37.5);
    expect(unknownTown?.lat).toBeLessThan(40.5);
    expect(locate({ city: 'Nowhere', country: 'ZZ' }, countries)).toBeUndefined();
    // Known country, not in the atlas, city not in the gazetteer: nowhere.
    expect(locate({ city: 'Mdina', country: 'MT' }, countries)).toBeUndefined();
  });
});
