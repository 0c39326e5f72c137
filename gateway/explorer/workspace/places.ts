/**
 * Where the places of travel movements are: a gazetteer of every city the demo data can produce (the
 * member states' cities, the travel generator's airports, crossings and ferry ports, the shared
 * cast's places), and ISO 3166-1 alpha-2 to numeric codes, the ids of world-atlas's countries, for a
 * place the gazetteer does not know (the route map then uses its country's centroid, marked
 * approximate). Browser code: no Node imports, nothing fetched.
 */

export interface Coordinates {
  lat: number;
  lon: number;
}

/** City name, latitude, longitude (WGS 84, two decimals: enough for a map of countries), by ISO alpha-2 country. */
const CITIES: Record<string, Array<[city: string, lat: number, lon: number]>> = {
  AT: [
    ['Vienna', 48.21, 16.37],
    ['Graz', 47.07, 15.44],
    ['Linz', 48.31, 14.29],
    ['Salzburg', 47.81, 13.04],
  ],
  BE: [
    ['Brussels', 50.85, 4.35],
    ['Antwerp', 51.22, 4.4],
    ['Charleroi', 50.41, 4.44],
    ['Liège', 50.63, 5.57],
  ],
  BG: [
    ['Sofia', 42.7, 23.32],
    ['Plovdiv', 42.14, 24.75],
    ['Varna', 43.21, 27.91],
    ['Svilengrad', 41.77, 26.2],
  ],
  CY: [
    ['Larnaca', 34.92, 33.63],
    ['Nicosia', 35.17, 33.36],
    ['Paphos', 34.77, 32.42],
  ],
  CZ: [
    ['Prague', 50.08, 14.44],
    ['Brno', 49.2, 16.61],
  ],
  DE: [
    ['Berlin', 52.52, 13.4],
    ['Frankfurt am Main', 50.11, 8.68],
    ['Munich', 48.14, 11.58],
    ['Düsseldorf', 51.23, 6.77],
    ['Hamburg', 53.55, 9.99],
    ['Cologne', 50.94, 6.96],
    ['Stuttgart', 48.78, 9.18],
  ],
  DK: [
    ['Copenhagen', 55.68, 12.57],
    ['Aarhus', 56.16, 10.2],
  ],
  EE: [['Tallinn', 59.44, 24.75]],
  ES: [
    ['Madrid', 40.42, -3.7],
    ['Barcelona', 41.39, 2.17],
    ['Málaga', 36.72, -4.42],
    ['Valencia', 39.47, -0.38],
    ['Ceuta', 35.89, -5.32],
    ['Melilla', 35.29, -2.94],
    ['Algeciras', 36.13, -5.45],
    ['Almería', 36.84, -2.46],
  ],
  FI: [['Helsinki', 60.17, 24.94]],
  FR: [
    ['Paris', 48.86, 2.35],
    ['Lyon', 45.76, 4.84],
    ['Marseille', 43.3, 5.37],
    ['Nice', 43.7, 7.27],
    ['Toulouse', 43.6, 1.44],
    ['Strasbourg', 48.57, 7.75],
  ],
  GR: [
    ['Athens', 37.98, 23.73],
    ['Thessaloniki', 40.64, 22.94],
    ['Kipi', 40.97, 26.3],
    ['Piraeus', 37.94, 23.65],
    ['Chios', 38.37, 26.14],
  ],
  HR: [
    ['Zagreb', 45.81, 15.98],
    ['Split', 43.51, 16.44],
    ['Bajakovo', 45.05, 19.1],
  ],
  HU: [
    ['Budapest', 47.5, 19.04],
    ['Röszke', 46.19, 20.04],
  ],
  IE: [
    ['Dublin', 53.35, -6.26],
    ['Cork', 51.9, -8.47],
  ],
  IT: [
    ['Rome', 41.9, 12.5],
    ['Milan', 45.46, 9.19],
    ['Bologna', 44.49, 11.34],
    ['Turin', 45.07, 7.69],
    ['Palermo', 38.12, 13.36],
    ['Genoa', 44.41, 8.93],
  ],
  LT: [['Vilnius', 54.69, 25.28]],
  LU: [['Luxembourg', 49.61, 6.13]],
  LV: [['Riga', 56.95, 24.11]],
  MT: [['Valletta', 35.9, 14.51]],
  NL: [
    ['Amsterdam', 52.37, 4.9],
    ['Rotterdam', 51.92, 4.48],
    ['Eindhoven', 51.44, 5.47],
    ['The Hague', 52.08, 4.3],
  ],
  PL: [
    ['Warsaw', 52.23, 21.01],
    ['Kraków', 50.06, 19.94],
  ],
  PT: [
    ['Lisbon', 38.72, -9.14],
    ['Porto', 41.15, -8.61],
  ],
  RO: [
    ['Bucharest', 44.43, 26.1],
    ['Cluj-Napoca', 46.77, 23.59],
  ],
  SE: [
    ['Stockholm', 59.33, 18.07],
    ['Gothenburg', 57.71, 11.97],
    ['Malmö', 55.6, 13.0],
  ],
  SI: [['Ljubljana', 46.06, 14.51]],
  SK: [['Bratislava', 48.15, 17.11]],
  TR: [
    ['Istanbul', 41.01, 28.98],
    ['Ankara', 39.93, 32.86],
    ['Izmir', 38.42, 27.14],
    ['Adana', 37.0, 35.32],
    ['Gaziantep', 37.07, 37.38],
    ['Hatay', 36.2, 36.16],
    ['Şanlıurfa', 37.16, 38.8],
    ['Kayseri', 38.73, 35.49],
    ['Kilis', 36.72, 37.12],
    ['Reyhanlı', 36.27, 36.57],
    ['Akçakale', 36.71, 38.95],
    ['Edirne', 41.68, 26.56],
    ['İpsala', 40.92, 26.38],
    ['Hopa', 41.39, 41.42],
  ],
  SY: [
    ['Azaz', 36.59, 37.05],
    ['Sarmada', 36.18, 36.72],
  ],
  RS: [
    ['Subotica', 46.1, 19.67],
    ['Šid', 45.13, 19.23],
  ],
  GE: [
    ['Batumi', 41.64, 41.64],
    ['Tbilisi', 41.72, 44.79],
  ],
  MA: [
    ['Casablanca', 33.57, -7.59],
    ['Tangier', 35.76, -5.83],
    ['Nador', 35.17, -2.93],
    ['Fnideq', 35.85, -5.36],
  ],
  DZ: [
    ['Algiers', 36.75, 3.06],
    ['Oran', 35.7, -0.63],
  ],
  TN: [
    ['Tunis', 36.81, 10.18],
    ['Monastir', 35.78, 10.83],
  ],
  LB: [['Beirut', 33.89, 35.5]],
  JO: [['Amman', 31.95, 35.93]],
  IQ: [
    ['Erbil', 36.19, 44.01],
    ['Baghdad', 33.31, 44.37],
  ],
  BA: [
    ['Sarajevo', 43.86, 18.41],
    ['Tuzla', 44.54, 18.67],
  ],
  AL: [['Tirana', 41.33, 19.82]],
  MK: [['Skopje', 42.0, 21.43]],
  AZ: [['Baku', 40.41, 49.87]],
  KE: [['Nairobi', -1.29, 36.82]],
  SO: [['Mogadishu', 2.05, 45.32]],
  AE: [['Dubai', 25.2, 55.27]],
  QA: [['Doha', 25.29, 51.53]],
  EG: [['Cairo', 30.04, 31.24]],
  PK: [['Islamabad', 33.68, 73.05]],
  UZ: [['Tashkent', 41.3, 69.24]],
  TJ: [['Dushanbe', 38.56, 68.79]],
};

/**
 * ISO 3166-1 alpha-2 to numeric (the ids of world-atlas's countries), from Debian's iso-codes
 * (iso_3166-1.json): "alpha-2:numeric", sixteen to a line.
 */
const ISO_NUMERIC_TABLE = [
  'AD:020 AE:784 AF:004 AG:028 AI:660 AL:008 AM:051 AO:024 AQ:010 AR:032 AS:016 AT:040 AU:036 AW:533 AX:248 AZ:031',
  'BA:070 BB:052 BD:050 BE:056 BF:854 BG:100 BH:048 BI:108 BJ:204 BL:652 BM:060 BN:096 BO:068 BQ:535 BR:076 BS:044',
  'BT:064 BV:074 BW:072 BY:112 BZ:084 CA:124 CC:166 CD:180 CF:140 CG:178 CH:756 CI:384 CK:184 CL:152 CM:120 CN:156',
  'CO:170 CR:188 CU:192 CV:132 CW:531 CX:162 CY:196 CZ:203 DE:276 DJ:262 DK:208 DM:212 DO:214 DZ:012 EC:218 EE:233',
  'EG:818 EH:732 ER:232 ES:724 ET:231 FI:246 FJ:242 FK:238 FM:583 FO:234 FR:250 GA:266 GB:826 GD:308 GE:268 GF:254',
  'GG:831 GH:288 GI:292 GL:304 GM:270 GN:324 GP:312 GQ:226 GR:300 GS:239 GT:320 GU:316 GW:624 GY:328 HK:344 HM:334',
  'HN:340 HR:191 HT:332 HU:348 ID:360 IE:372 IL:376 IM:833 IN:356 IO:086 IQ:368 IR:364 IS:352 IT:380 JE:832 JM:388',
  'JO:400 JP:392 KE:404 KG:417 KH:116 KI:296 KM:174 KN:659 KP:408 KR:410 KW:414 KY:136 KZ:398 LA:418 LB:422 LC:662',
  'LI:438 LK:144 LR:430 LS:426 LT:440 LU:442 LV:428 LY:434 MA:504 MC:492 MD:498 ME:499 MF:663 MG:450 MH:584 MK:807',
  'ML:466 MM:104 MN:496 MO:446 MP:580 MQ:474 MR:478 MS:500 MT:470 MU:480 MV:462 MW:454 MX:484 MY:458 MZ:508 NA:516',
  'NC:540 NE:562 NF:574 NG:566 NI:558 NL:528 NO:578 NP:524 NR:520 NU:570 NZ:554 OM:512 PA:591 PE:604 PF:258 PG:598',
  'PH:608 PK:586 PL:616 PM:666 PN:612 PR:630 PS:275 PT:620 PW:585 PY:600 QA:634 RE:638 RO:642 RS:688 RU:643 RW:646',
  'SA:682 SB:090 SC:690 SD:729 SE:752 SG:702 SH:654 SI:705 SJ:744 SK:703 SL:694 SM:674 SN:686 SO:706 SR:740 SS:728',
  'ST:678 SV:222 SX:534 SY:760 SZ:748 TC:796 TD:148 TF:260 TG:768 TH:764 TJ:762 TK:772 TL:626 TM:795 TN:788 TO:776',
  'TR:792 TT:780 TV:798 TW:158 TZ:834 UA:804 UG:800 UM:581 US:840 UY:858 UZ:860 VA:336 VC:670 VE:862 VG:092 VI:850',
  'VN:704 VU:548 WF:876 WS:882 YE:887 YT:175 ZA:710 ZM:894 ZW:716',
];

/** ISO 3166-1 alpha-2 to numeric, e.g. BE to '056'. */
export const ISO_NUMERIC: ReadonlyMap<string, string> = new Map(
  ISO_NUMERIC_TABLE.flatMap((line) => line.split(' ')).map((pair) => pair.split(':') as [string, string]),
);

/** A name as looked up: case, accents and Turkish dotted/dotless i do not matter (Reyhanli finds Reyhanlı). */
export function placeKey(country: string, city: string): string {
  const folded = city
    .trim()
    .replace(/ı/g, 'i')
    .replace(/İ/g, 'I')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\s+/g, ' ');
  return `${country.trim().toUpperCase()}|${folded}`;
}

const GAZETTEER: ReadonlyMap<string, Coordinates> = new Map(
  Object.entries(CITIES).flatMap(([country, cities]) => cities.map(([city, lat, lon]) => [placeKey(country, city), { lat, lon }] as const)),
);

/** The city's coordinates, or undefined when the gazetteer does not know it (in that country). */
export function cityCoordinates(city: string, country: string): Coordinates | undefined {
  return GAZETTEER.get(placeKey(country, city));
}

/** Every city in the gazetteer, as [city, country]. */
export function gazetteerCities(): Array<[city: string, country: string]> {
  return Object.entries(CITIES).flatMap(([country, cities]) => cities.map(([city]) => [city, country] as [string, string]));
}
