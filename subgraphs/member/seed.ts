/**
 * Deterministic synthetic demo data for one member state (`hague seed`, `hague dev`).
 *
 * Everything here is invented: names are drawn at random from pools of common names of many
 * origins, document numbers are generated, stories are fiction. Same state, same --persons, same
 * --seed: byte-identical rows (a seeded PRNG, a fixed reference date, no clock, no Math.random).
 *
 * The data is shaped to show why the network exists:
 * - SHARED_SUBJECTS: a fixed cast of subjects, each known to 2-4 specific member states under
 *   spelling variants of the name and the same passport number. A state that knows a subject holds
 *   it as one of its first persons (ids are stable: the cast comes first, in this file's order).
 * - Their travel crosses states, each leg recorded by a different state (Brussels -> Istanbul ->
 *   Gaziantep; Amsterdam -> Athens -> Izmir; Paris -> Istanbul -> Hatay; Madrid -> Ceuta -> Tangier...).
 * - An asset freeze in NL and cash withdrawals by the same subject (same passport) in BE days later.
 * - Links to terrorist and organised-crime organisations, the same organisation known to several
 *   states under spelling variants (SHARED_ORGANISATIONS).
 * - The Dutch national list: in NL exactly 39 persons carry a listing on 'NL national terrorism list'
 *   and the organisations NL-O-001..003 are the 3 listed organisations. The contract has no listing
 *   for organisations, so their listing is this convention (NL_LISTED_ORGANISATION_IDS); each of them
 *   has listed persons among its members.
 */
import type { Insertable, Kysely } from 'kysely';
import type { Database } from './store-schema.ts';
import type { Store } from './store.ts';
import { nameKeys } from './name-match.ts';
import { documentNumberKey } from './search.ts';
import { MEMBER_STATES, MEMBER_STATE_NAMES, type MemberState } from '../../common/member-states.ts';

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

export interface SeedOptions {
  /** Persons to write, the shared subjects included (1 to MAX_SEED_PERSONS). */
  persons: number;
  /** Variant of the generated data; the shared cast does not depend on it. Default 1. */
  seed?: number;
  /** Delete the state's existing records first instead of refusing to seed a seeded database. */
  reset?: boolean;
  /** Called after each batch of persons is written. */
  onProgress?: (done: number, total: number) => void;
}

export interface SeedResult {
  state: MemberState;
  seed: number;
  persons: number;
  organisations: number;
  aliases: number;
  nationalities: number;
  personNameKeys: number;
  organisationNameKeys: number;
  documents: number;
  travelMovements: number;
  financialMeasures: number;
  listings: number;
  affiliations: number;
  /** Keys of the SHARED_SUBJECTS this state holds (a cast member's record in this state). */
  sharedSubjects: string[];
  /** Persons on this state's national terrorism list. */
  nationalListPersons: number;
  /** Things a person should know about the result, e.g. fewer listed persons than the Dutch list has. */
  notes: string[];
}

export const MAX_SEED_PERSONS = 999_999;

/** The reference date of the demo data: "now" for recent and planned travel. */
export const REFERENCE_DATE = '2026-11-01';

/** The name of a state's own terrorism list in the demo data. */
export function nationalList(state: MemberState): string {
  return `${state} national terrorism list`;
}

export const NL_NATIONAL_LIST = 'NL national terrorism list';
/** The Dutch list holds exactly this many persons ... */
export const NL_LISTED_PERSONS = 39;
/** ... and these organisations (by convention: the first three Dutch organisations). */
export const NL_LISTED_ORGANISATION_IDS = ['NL-O-001', 'NL-O-002', 'NL-O-003'] as const;

/** Organisations a state gets for a number of persons: max(5, persons/200), at most 500. */
export function organisationCount(persons: number): number {
  return Math.min(500, Math.max(5, Math.floor(persons / 200)));
}

/** The seeding refused to overwrite existing records (pass reset). */
export class AlreadySeededError extends Error {
  constructor(readonly location: string, readonly state: MemberState, readonly persons: number) {
    super(`database ${location} already holds ${persons} person record(s) of ${state}`);
  }
}

/** True when the store holds any person record. */
export async function isSeeded(store: Pick<Store, 'db'>): Promise<boolean> {
  const row = await store.db.selectFrom('persons').select('id').limit(1).executeTakeFirst();
  return row !== undefined;
}

// ---------------------------------------------------------------------------------------------
// Deterministic randomness
// ---------------------------------------------------------------------------------------------

/** FNV-1a, 32 bits: turns "NL:1:persons" into a PRNG seed. */
export function hashSeed(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** mulberry32: small, fast, good enough for demo data, and the same on every platform. */
export class Random {
  private state: number;
  constructor(seed: number) { this.state = seed >>> 0; }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Whole number from min to max, both included. */
  int(min: number, max: number): number { return min + Math.floor(this.next() * (max - min + 1)); }
  pick<T>(items: readonly T[]): T { return items[Math.floor(this.next() * items.length)]; }
  chance(probability: number): boolean { return this.next() < probability; }
  weighted<T>(items: ReadonlyArray<readonly [T, number]>): T {
    let total = 0;
    for (const [, weight] of items) total += weight;
    let roll = this.next() * total;
    for (const [item, weight] of items) { if ((roll -= weight) < 0) return item; }
    return items[items.length - 1][0];
  }
}

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

const DAY = 86_400_000;
const REFERENCE_MS = Date.parse(`${REFERENCE_DATE}T00:00:00Z`);
const ms = (isoDate: string) => Date.parse(`${isoDate}T00:00:00Z`);
const isoDate = (time: number) => new Date(time).toISOString().slice(0, 10);
const isoMinute = (time: number) => `${new Date(time).toISOString().slice(0, 16)}:00Z`;
function randomDay(rng: Random, from: string | number, to: string | number): number {
  const a = typeof from === 'string' ? ms(from) : from;
  const b = typeof to === 'string' ? ms(to) : to;
  return a + Math.floor(rng.next() * Math.max(1, (b - a) / DAY)) * DAY;
}
const yearOf = (isoDateText: string) => Number(isoDateText.slice(0, 4));
const pad = (n: number, width: number) => String(n).padStart(width, '0');

// ---------------------------------------------------------------------------------------------
// Enums of the contract (schema/member.graphql), exactly
// ---------------------------------------------------------------------------------------------

type SubjectStatus = 'SUSPECT' | 'FOREIGN_TERRORIST_FIGHTER' | 'RETURNEE' | 'CONVICTED' | 'ASSOCIATE' | 'CLOSED';
type DocumentKind = 'PASSPORT' | 'IDENTITY_CARD' | 'RESIDENCE_PERMIT' | 'DRIVING_LICENCE' | 'VISA';
type TravelMode = 'AIR' | 'RAIL' | 'ROAD' | 'SEA' | 'BORDER_CROSSING';
type FinancialMeasureKind = 'ASSET_FREEZE' | 'CASH_WITHDRAWAL' | 'MONEY_TRANSFER' | 'SUSPICIOUS_TRANSACTION_REPORT' | 'ACCOUNT_CLOSURE';
type OrganisationKind = 'TERRORIST' | 'ORGANISED_CRIME' | 'FACILITATION_NETWORK' | 'FRONT_COMPANY';

// ---------------------------------------------------------------------------------------------
// Per-state reference data
// ---------------------------------------------------------------------------------------------

const CALLING_CODES: Record<MemberState, string> = {
  AT: '43', BE: '32', BG: '359', CY: '357', CZ: '420', DE: '49', DK: '45', EE: '372', ES: '34',
  FI: '358', FR: '33', GR: '30', HR: '385', HU: '36', IE: '353', IT: '39', LT: '370', LU: '352',
  LV: '371', MT: '356', NL: '31', PL: '48', PT: '351', RO: '40', SE: '46', SI: '386', SK: '421',
};

type Desk = 'ct' | 'finance' | 'ftf';
const DESKS: Record<Desk, { unit: string; mailbox: string; extension: string }> = {
  ct: { unit: 'Counter-Terrorism Liaison Desk', mailbox: 'ct-desk', extension: '0100' },
  finance: { unit: 'Terrorist Financing Desk', mailbox: 'ct-finance', extension: '0140' },
  ftf: { unit: 'Foreign Terrorist Fighters Desk', mailbox: 'ftf-desk', extension: '0170' },
};

function contactOf(state: MemberState, desk: Desk) {
  const d = DESKS[desk];
  return {
    contact_unit: d.unit,
    contact_email: `${d.mailbox}@${state.toLowerCase()}.hague.example`,
    contact_phone: `+${CALLING_CODES[state]} 555 ${d.extension}`,
  };
}

const CITIES: Record<MemberState, string[]> = {
  AT: ['Vienna', 'Graz', 'Linz', 'Salzburg'], BE: ['Brussels', 'Antwerp', 'Charleroi', 'Liège'],
  BG: ['Sofia', 'Plovdiv', 'Varna'], CY: ['Larnaca', 'Nicosia', 'Paphos'], CZ: ['Prague', 'Brno'],
  DE: ['Berlin', 'Frankfurt am Main', 'Munich', 'Düsseldorf', 'Hamburg', 'Cologne', 'Stuttgart'],
  DK: ['Copenhagen', 'Aarhus'], EE: ['Tallinn'], ES: ['Madrid', 'Barcelona', 'Málaga', 'Valencia'],
  FI: ['Helsinki'], FR: ['Paris', 'Lyon', 'Marseille', 'Nice', 'Toulouse', 'Strasbourg'],
  GR: ['Athens', 'Thessaloniki'], HR: ['Zagreb', 'Split'], HU: ['Budapest'], IE: ['Dublin', 'Cork'],
  IT: ['Rome', 'Milan', 'Bologna', 'Turin', 'Palermo'], LT: ['Vilnius'], LU: ['Luxembourg'], LV: ['Riga'],
  MT: ['Valletta'], NL: ['Amsterdam', 'Rotterdam', 'Eindhoven', 'The Hague'], PL: ['Warsaw', 'Kraków'],
  PT: ['Lisbon', 'Porto'], RO: ['Bucharest', 'Cluj-Napoca'], SE: ['Stockholm', 'Gothenburg', 'Malmö'],
  SI: ['Ljubljana'], SK: ['Bratislava'],
};

const CURRENCIES: Partial<Record<MemberState, string>> = { CZ: 'CZK', DK: 'DKK', HU: 'HUF', PL: 'PLN', RO: 'RON', SE: 'SEK' };
/** Rough size of a euro in the local currency, so amounts look right. */
const CURRENCY_FACTOR: Record<string, number> = { EUR: 1, CZK: 25, DKK: 7.5, HUF: 400, PLN: 4.3, RON: 5, SEK: 11 };

const FIUS: Partial<Record<MemberState, string>> = {
  NL: 'FIU-Nederland', BE: 'CTIF-CFI', FR: 'Tracfin', DE: 'FIU Deutschland', ES: 'SEPBLAC', IT: 'UIF',
  AT: 'A-FIU', LU: 'CRF', SE: 'Finanspolisen', DK: 'Hvidvasksekretariatet', PT: 'UIF Portugal',
};
const fiuOf = (state: MemberState) => FIUS[state] ?? `FIU ${MEMBER_STATE_NAMES[state]}`;

const FREEZE_BASES: Partial<Record<MemberState, string[]>> = {
  NL: ['Sanctieregeling terrorisme 2007-II'],
  BE: ['Koninklijk besluit van 28 december 2006 (terrorisme)'],
  FR: ['Code monétaire et financier, art. L562-2'],
  DE: ['Außenwirtschaftsgesetz § 6 i.V.m. Verordnung (EU) 2580/2001'],
  ES: ['Ley 12/2003 de bloqueo de la financiación del terrorismo'],
  IT: ['D.Lgs. 109/2007'],
  AT: ['Sanktionengesetz 2010, § 2'],
};
const EU_FREEZE_BASES = ['Regulation (EU) 2580/2001', 'Regulation (EU) 2016/1686', 'Regulation (EC) 881/2002 (UN 1267)'];

const BANKS: Partial<Record<MemberState, string[]>> = {
  NL: ['ING Bank N.V.', 'ABN AMRO Bank N.V.', 'Rabobank', 'bunq B.V.', 'SNS Bank'],
  BE: ['BNP Paribas Fortis', 'KBC Bank', 'Belfius Bank', 'ING Belgium', 'Argenta'],
  FR: ['BNP Paribas', 'Société Générale', 'Crédit Agricole', 'La Banque Postale', 'Crédit Mutuel'],
  DE: ['Deutsche Bank AG', 'Commerzbank AG', 'Sparkasse KölnBonn', 'Postbank', 'N26 Bank AG'],
  ES: ['Banco Santander', 'BBVA', 'CaixaBank', 'Banco Sabadell'],
  IT: ['Intesa Sanpaolo', 'UniCredit', 'Poste Italiane', 'Banco BPM'],
  AT: ['Erste Bank', 'Raiffeisen Bank', 'BAWAG P.S.K.'],
  SE: ['Swedbank', 'SEB', 'Handelsbanken'], DK: ['Danske Bank', 'Nordea'], FI: ['Nordea', 'OP Financial Group'],
  PT: ['Caixa Geral de Depósitos', 'Millennium bcp'], IE: ['AIB', 'Bank of Ireland'], LU: ['Spuerkeess (BCEE)', 'BGL BNP Paribas'],
  PL: ['PKO Bank Polski', 'Bank Pekao'], CZ: ['Česká spořitelna', 'Komerční banka'],
};
const PAN_EU_BANKS = ['Revolut Bank UAB', 'Wise Europe SA', 'N26 Bank AG'];
const MONEY_SERVICES = ['Western Union', 'MoneyGram', 'Ria Money Transfer', 'hawala (informal)', 'Small World'];

const COURTS: Partial<Record<MemberState, string>> = {
  NL: 'Rotterdam District Court', BE: 'Brussels Criminal Court', FR: 'Paris special assize court',
  DE: 'Higher Regional Court of Düsseldorf', ES: 'Audiencia Nacional', IT: 'Court of Milan', AT: 'Vienna Regional Criminal Court',
  SE: 'Stockholm District Court', DK: 'Copenhagen City Court',
};

const PLATES: Partial<Record<MemberState, string>> = { NL: 'LL-DDD-L', BE: 'D-LLL-DDD', FR: 'LL-DDD-LL', DE: 'LL-LL DDDD', ES: 'DDDD LLL', IT: 'LL DDD LL', AT: 'W-DDDDD L' };

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

interface Origin {
  /** Nationalities of the origin (ISO alpha-2); RU for Chechens. */
  countries: string[];
  male: string[];
  female: string[];
  family: string[];
}

const W = (text: string) => text.split(',').map((s) => s.trim()).filter(Boolean);

const ORIGINS: Record<string, Origin> = {
  ma: {
    countries: ['MA'],
    male: W('Mohamed, Mohammed, Youssef, Hamza, Bilal, Anouar, Karim, Abdelkader, Mustafa, Rachid, Nordin, Ayoub, Ilias, Soufiane, Zakaria, Mehdi, Othman, Abdelilah, Redouane, Khalid, Said, Hicham, Nabil, Tarik, Jamal, Ismail, Abdelaziz, Driss, Mourad, Adil, Yassin, Badr'),
    female: W('Fatima, Khadija, Nadia, Samira, Latifa, Houda, Imane, Salma, Meryem, Loubna, Naima, Zineb, Hanane, Ikram, Sara'),
    family: W('El Amrani, Bakkali, Benali, Bouzid, El Idrissi, Ouali, Chaouki, Ait Taleb, El Khattabi, Boujemaa, Lahlou, Bennani, Tahiri, El Ouahabi, Zerrouki, Aarab, Haddouchi, Benhaddou, Akhrif, Boukhari, Chentouf, Ziani, Amrani, El Ghazi, Touzani, Belhadj, Achahbar, Ouazzani, El Haddaoui, Bouchtaoui, Ait Ouarab, Mesbahi'),
  },
  dz: {
    countries: ['DZ'],
    male: W('Abdelkader, Djamel, Farid, Mourad, Nassim, Sofiane, Walid, Yacine, Amine, Riad, Lyes, Rabah, Smail, Kamel, Hocine, Toufik, Salim, Nadir, Fayçal, Abderrahmane'),
    female: W('Amel, Nassima, Lamia, Souad, Wassila, Yasmina, Kahina, Dalila, Lila'),
    family: W('Benyahia, Hamidi, Khelifi, Saadi, Mansouri, Bouchareb, Zeghdoudi, Benaissa, Cherif, Guendouz, Boukhalfa, Djebbar, Ferhat, Meziane, Rahmani, Slimani, Yahiaoui, Belkacem, Aouadi, Kaci, Ouchène, Hadjadj, Lounes, Bensalem'),
  },
  tn: {
    countries: ['TN'],
    male: W('Aymen, Bassem, Chokri, Hichem, Houssem, Marouane, Oussama, Seifeddine, Wael, Yassine, Zied, Skander, Mehrez, Ghassen, Anouar, Fethi'),
    female: W('Amira, Ines, Rim, Sonia, Olfa, Wafa, Meriem, Asma'),
    family: W('Ben Salah, Jaziri, Gharbi, Hammami, Mejri, Ayari, Chaabane, Dridi, Ferchichi, Hamdi, Khemiri, Mbarki, Saidi, Zouari, Ben Romdhane, Ben Youssef, Sassi, Louati, Baccouche, Ben Amor'),
  },
  sy: {
    countries: ['SY'],
    male: W('Ahmad, Omar, Khaled, Abdulrahman, Mahmoud, Yasser, Bassel, Firas, Hussam, Majd, Muhannad, Nizar, Tamer, Wassim, Ziad, Ammar, Osama, Hamoud, Rami, Ghaith'),
    female: W('Rania, Hiba, Lina, Nour, Reem, Yara, Ghada, Dima, Rasha'),
    family: W('Al-Halabi, Al-Hamwi, Al-Homsi, Haddad, Al-Shami, Darwish, Kassab, Mardini, Al-Ahmad, Al-Ali, Hamdan, Qassem, Al-Masri, Shaker, Sabbagh, Al-Khatib, Kanaan, Najjar, Zein, Al-Jasem, Al-Hussein, Barakat, Al-Deiri'),
  },
  iq: {
    countries: ['IQ'],
    male: W('Ali, Hussein, Mustafa, Haider, Abbas, Karrar, Saif, Ahmed, Yaseen, Bakr, Sarmad, Laith, Zaid, Mohanad, Omar'),
    female: W('Zainab, Maryam, Shaymaa, Hanan, Aseel, Noor'),
    family: W('Al-Obaidi, Al-Jubouri, Al-Dulaimi, Al-Rubaie, Al-Saadi, Al-Zubaidi, Al-Kubaisi, Al-Hashimi, Al-Mashhadani, Al-Timimi, Al-Khafaji, Kareem, Hamad, Al-Shammari, Al-Azzawi, Al-Janabi'),
  },
  tr: {
    countries: ['TR'],
    male: W('Mehmet, Mustafa, Ahmet, Emre, Burak, Murat, Serkan, Hakan, Ömer, Yusuf, Furkan, Enes, Kerem, Oğuz, Volkan, İbrahim, Halil, Selim, Cem, Tolga'),
    female: W('Ayşe, Elif, Zeynep, Merve, Esra, Büşra, Hatice, Emine'),
    family: W('Yılmaz, Kaya, Demir, Şahin, Çelik, Yıldız, Öztürk, Aydın, Arslan, Doğan, Kılıç, Aslan, Çetin, Koç, Kurt, Özdemir, Polat, Erdem, Güneş, Akın, Tekin, Korkmaz'),
  },
  ba: {
    countries: ['BA'],
    male: W('Armin, Edin, Emir, Haris, Adnan, Amel, Mirza, Nermin, Senad, Jasmin, Kenan, Dženan, Almir, Samir, Adis, Tarik, Mersed, Enes, Hamza'),
    female: W('Amra, Lejla, Selma, Emina, Ajla, Merima, Aida'),
    family: W('Hodžić, Hadžić, Mehmedović, Delić, Kovačević, Husić, Omerović, Hasanović, Muratović, Alić, Salihović, Begić, Mujić, Osmanović, Šehić, Čaušević, Bešić, Dedić, Spahić, Karić, Zukić, Mahmutović'),
  },
  al: {
    countries: ['AL', 'MK'],
    male: W('Arben, Besnik, Blerim, Driton, Fatmir, Gëzim, Ilir, Kushtrim, Lavdrim, Mentor, Valon, Visar, Agron, Bujar, Shpend, Ardit, Florent, Labinot'),
    female: W('Arta, Besa, Drita, Fjolla, Mimoza, Lirije'),
    family: W('Krasniqi, Gashi, Shala, Morina, Bytyqi, Kelmendi, Rexhepi, Hyseni, Selimi, Avdiu, Islami, Zeqiri, Ahmeti, Sylejmani, Kryeziu, Veseli, Musliu'),
  },
  ce: {
    countries: ['RU'],
    male: W('Magomed, Akhmed, Islam, Ruslan, Movsar, Adam, Aslan, Khamzat, Ibragim, Shamil, Umar, Rizvan, Turpal, Beslan, Timur, Mansur, Abdul-Kerim, Said-Magomed'),
    female: W('Kheda, Zarema, Madina, Aminat, Petimat, Seda, Luiza, Malika'),
    family: W('Magomadov, Israilov, Akhmadov, Bisultanov, Gairbekov, Yusupov, Elmurzaev, Temirkhanov, Aliev, Vakhidov, Saidulaev, Edilsultanov, Khasanov, Mutsaev, Baysarov, Gekhaev, Tsakaev, Mezhidov, Sultygov'),
  },
  so: {
    countries: ['SO'],
    male: W('Abdirahman, Abdullahi, Mohamed, Abdiweli, Hassan, Ahmed, Bashir, Liban, Mahad, Yusuf, Khalif, Abdikarim, Guled'),
    female: W('Hodan, Ifrah, Sahra, Hibo, Fartun, Deqa'),
    family: W('Warsame, Farah, Ali, Hassan, Omar, Abdi, Jama, Aden, Mohamud, Nur, Osman, Yusuf, Egal, Dualeh, Guleid, Abdulle'),
  },
  af: {
    countries: ['AF', 'PK'],
    male: W('Abdul Wahid, Ahmad Shah, Ghulam, Habibullah, Jawad, Mirwais, Naqibullah, Rahmatullah, Sayed, Wahidullah, Zabiullah, Imran, Usman, Bilal, Faisal, Hamid, Kamran'),
    female: W('Farzana, Mariam, Shabnam, Parwin, Zarghona'),
    family: W('Ahmadzai, Hakimi, Karimi, Mohammadi, Noori, Popal, Rahimi, Safi, Sultani, Wardak, Stanikzai, Niazi, Qureshi, Chaudhry, Malik, Khan, Mirza, Shinwari'),
  },
  uz: {
    countries: ['UZ', 'TJ'],
    male: W('Akmal, Bekzod, Dilshod, Farrukh, Jasur, Otabek, Sardor, Sherzod, Ulugbek, Rustam, Jamshid, Davron, Nodir'),
    female: W('Dilnoza, Nigora, Zarina, Madina'),
    family: W('Abdullaev, Rakhimov, Tursunov, Nazarov, Saidov, Ergashev, Mirzaev, Kholmatov, Usmonov, Sobirov, Tojiboev, Khodjaev, Alimov'),
  },
};

/** Names of persons born in Europe without a migration background (converts, right-wing extremists...). */
const EUROPEAN: Record<string, Omit<Origin, 'countries'>> = {
  nl: {
    male: W('Jeroen, Sander, Bas, Thijs, Joris, Rick, Dennis, Kevin, Stefan, Maarten, Niels, Ruben, Tim, Jesse'),
    female: W('Sanne, Lisa, Anouk, Femke, Iris, Marloes, Esther'),
    family: W('de Vries, Jansen, van den Berg, Bakker, Visser, Smit, Meijer, de Boer, Mulder, de Groot, Bos, Vos, Peters, Hendriks, van Dijk, Kok, Verhoeven, Dekker'),
  },
  be: {
    male: W('Jonas, Wouter, Pieter, Kenneth, Brecht, Jelle, Sven, Maxime, Gilles, Arnaud, Quentin, Jérôme'),
    female: W('Lotte, Elien, Jolien, Manon, Aurélie, Charlotte'),
    family: W('Peeters, Janssens, Maes, Jacobs, Mertens, Willems, Claes, Goossens, Wouters, De Smet, Dubois, Lambert, Dupont, Lemaire, Renard, Vermeulen'),
  },
  fr: {
    male: W('Julien, Thomas, Kévin, Maxime, Romain, Nicolas, Jérémy, Anthony, Sébastien, Florian, Mickaël, Alexandre, Damien'),
    female: W('Émilie, Camille, Laura, Céline, Pauline, Mélanie, Justine'),
    family: W('Martin, Bernard, Dubois, Thomas, Robert, Richard, Petit, Durand, Leroy, Moreau, Simon, Laurent, Lefèvre, Michel, Fournier, Girard, Roux, Vincent, Faure, Mercier, Blanc, Guérin'),
  },
  de: {
    male: W('Lukas, Dennis, Marcel, Sascha, Kevin, Tobias, Florian, Christian, Sven, Patrick, Jan, Daniel, Philipp, Niklas, Jürgen, Matthias'),
    female: W('Laura, Julia, Sarah, Katharina, Lena, Jessica, Sandra, Nadine'),
    family: W('Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Schulz, Hoffmann, Schäfer, Koch, Bauer, Richter, Klein, Wolf, Schröder, Neumann, Schwarz, Zimmermann, Braun, Krüger, Huber, Gruber, Pichler'),
  },
  es: {
    male: W('Javier, Sergio, David, Alejandro, Daniel, Pablo, Adrián, Álvaro, Iván, Rubén, Óscar, Raúl'),
    female: W('Lucía, María, Laura, Cristina, Marta, Paula'),
    family: W('García, Fernández, González, Rodríguez, López, Martínez, Sánchez, Pérez, Gómez, Martín, Jiménez, Ruiz, Hernández, Díaz, Moreno, Muñoz, Álvarez, Romero'),
  },
  it: {
    male: W('Marco, Luca, Andrea, Giuseppe, Francesco, Alessandro, Matteo, Davide, Simone, Stefano'),
    female: W('Giulia, Chiara, Francesca, Sara, Valentina'),
    family: W('Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci, Marino, Greco, Bruno, Gallo, Conti, De Luca, Costa, Mancini, Giordano'),
  },
  pt: {
    male: W('João, Pedro, Tiago, Rui, Nuno, Bruno'), female: W('Ana, Inês, Catarina'),
    family: W('Silva, Santos, Ferreira, Pereira, Oliveira, Costa, Rodrigues, Martins'),
  },
  nordic: {
    male: W('Johan, Erik, Anders, Mikael, Jonas, Oskar, Viktor, Mads, Rasmus, Kasper, Mikko, Juha'),
    female: W('Emma, Sara, Ida, Maja, Johanna, Freja'),
    family: W('Andersson, Johansson, Karlsson, Nilsson, Eriksson, Larsson, Olsen, Hansen, Jensen, Nielsen, Pedersen, Korhonen, Virtanen, Lindqvist, Berg'),
  },
  ie: { male: W('Seán, Conor, Patrick, Ciarán, Darragh'), female: W('Aoife, Siobhán, Niamh'), family: W("Murphy, Kelly, O'Sullivan, Walsh, O'Brien, Byrne, Ryan") },
  mt: { male: W('Joseph, Mark, Daniel, Clayton'), female: W('Maria, Rebecca'), family: W('Borg, Camilleri, Vella, Farrugia, Zammit, Galea') },
  gr: { male: W('Giorgos, Dimitris, Nikos, Kostas, Andreas, Christos'), female: W('Eleni, Maria, Katerina'), family: W('Papadopoulos, Georgiou, Nikolaidis, Oikonomou, Christodoulou, Ioannou') },
  east: {
    male: W('Tomasz, Marek, Piotr, Jakub, Ondřej, Tomáš, Gábor, László, Andrei, Mihai, Ivan, Georgi, Luka, Marko, Tomas, Andris, Martin'),
    female: W('Anna, Katarzyna, Petra, Eszter, Ioana, Elena, Ivana, Kristina'),
    family: W('Nowak, Kowalski, Wiśniewski, Novák, Svoboda, Horváth, Nagy, Kovács, Popescu, Ionescu, Dimitrov, Petrov, Horvat, Kovačić, Novak, Kazlauskas, Bērziņš, Tamm'),
  },
};
const EUROPEAN_POOL: Record<MemberState, string> = {
  NL: 'nl', BE: 'be', FR: 'fr', LU: 'fr', DE: 'de', AT: 'de', ES: 'es', IT: 'it', PT: 'pt',
  SE: 'nordic', DK: 'nordic', FI: 'nordic', IE: 'ie', MT: 'mt', GR: 'gr', CY: 'gr',
  BG: 'east', CZ: 'east', EE: 'east', HR: 'east', HU: 'east', LT: 'east', LV: 'east', PL: 'east', RO: 'east', SI: 'east', SK: 'east',
};

type OriginKey = keyof typeof ORIGINS | 'european';
const DEFAULT_ORIGIN_WEIGHTS: Record<OriginKey, number> = { european: 22, ma: 12, dz: 8, tn: 7, sy: 10, iq: 8, tr: 8, ba: 6, al: 5, ce: 6, so: 3, af: 3, uz: 2 };
const ORIGIN_WEIGHTS: Partial<Record<MemberState, Partial<Record<OriginKey, number>>>> = {
  NL: { european: 20, ma: 25, tr: 12, sy: 10, iq: 6, so: 6, ba: 3, al: 2, ce: 3, af: 4, dz: 2, tn: 2, uz: 1 },
  BE: { european: 18, ma: 30, tn: 5, dz: 6, sy: 7, iq: 4, tr: 8, ce: 7, al: 4, ba: 3, so: 2, af: 3, uz: 1 },
  FR: { european: 22, dz: 20, ma: 15, tn: 12, sy: 6, iq: 3, tr: 4, ce: 8, ba: 2, al: 2, so: 2, af: 2, uz: 2 },
  DE: { european: 22, tr: 16, sy: 12, iq: 8, ce: 8, ba: 7, al: 7, af: 6, ma: 5, tn: 3, dz: 2, so: 2, uz: 2 },
  ES: { european: 25, ma: 40, dz: 10, tn: 3, sy: 5, iq: 2, tr: 2, ce: 2, al: 2, ba: 2, af: 3, so: 1, uz: 3 },
  AT: { european: 20, ce: 18, ba: 14, al: 8, tr: 12, af: 10, sy: 8, iq: 5, ma: 2, tn: 1, dz: 1, uz: 1 },
  IT: { european: 25, tn: 20, ma: 18, al: 10, ba: 5, dz: 5, sy: 5, iq: 2, tr: 2, af: 4, so: 2, ce: 1, uz: 1 },
  SE: { european: 25, so: 18, iq: 15, sy: 12, af: 8, ba: 5, al: 3, tr: 4, ce: 4, ma: 3, uz: 3 },
  DK: { european: 25, so: 14, iq: 12, sy: 12, af: 8, ba: 5, al: 3, tr: 8, ce: 4, ma: 6, uz: 3 },
  FI: { european: 25, so: 20, iq: 15, sy: 10, af: 8, ce: 6, tr: 3, ba: 3, al: 2, ma: 2, uz: 4 },
};

/** Arabic-style origin names used in kunyas (Abu X al-...). */
const NISBA: Record<string, string> = {
  NL: 'Hollandi', BE: 'Baljiki', FR: 'Faransi', DE: 'Almani', ES: 'Andalusi', IT: 'Itali', AT: 'Nimsawi',
  SE: 'Swedi', DK: 'Danimarki', FI: 'Finlandi', PT: 'Burtughali', IE: 'Irlandi', GR: 'Yunani',
  MA: 'Maghribi', DZ: 'Jazairi', TN: 'Tunisi', SY: 'Suri', IQ: 'Iraqi', TR: 'Turki', BA: 'Bosni', AL: 'Albani',
  MK: 'Albani', RU: 'Shishani', SO: 'Somali', AF: 'Afghani', PK: 'Pakistani', UZ: 'Uzbeki', TJ: 'Tajiki',
};
const KUNYA_NAMES = W('Abdullah, Hamza, Muhammad, Ibrahim, Yahya, Umar, Suhaib, Musab, Bakr, Talha, Khalid, Usama, Ayyub, Qasim, Dujana, Hafs, Ubayda, Zakariya, Anas, Sulayman');

/** Spelling variants as different clerks transliterate the same name. */
const VARIANT_RULES: Array<[RegExp, string]> = [
  [/ou/, 'u'], [/(?<![ou])u(?!o)/, 'ou'], [/sh/, 'ch'], [/ch/, 'sh'], [/kh/, 'h'], [/dj/, 'j'], [/y/, 'i'], [/ee/, 'i'],
  [/mm/, 'm'], [/ss/, 's'], [/([^s])s([aeiou])/, '$1ss$2'], [/El /, 'El-'], [/Al-/, 'al '], [/Abdel/, 'Abdul'],
  [/Mohamed/, 'Mohammed'], [/Mohammed/, 'Muhammad'], [/Youssef/, 'Yusuf'], [/Hussein/, 'Husayn'], [/ć|č/, 'c'],
  [/š/, 's'], [/ž/, 'z'], [/ı/, 'i'], [/ö/, 'o'], [/ü/, 'u'], [/ş/, 's'], [/ğ/, 'g'], [/e$/, ''], [/a$/, 'ah'],
];

function spellingVariant(rng: Random, name: string): string {
  const start = rng.int(0, VARIANT_RULES.length - 1);
  let result = name;
  let changes = 0;
  for (let i = 0; i < VARIANT_RULES.length && changes < 2; i++) {
    const [pattern, replacement] = VARIANT_RULES[(start + i) % VARIANT_RULES.length];
    const next = result.replace(pattern, replacement);
    if (next !== result && rng.chance(0.7)) { result = next; changes++; }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Identity document numbers
// ---------------------------------------------------------------------------------------------

/** Number shapes: L letter, D digit, A letter or digit, C one of CFGHJKLMNPRTVWXYZ0-9 (German); any other character is literal. */
const DOC_FORMATS: Record<DocumentKind, Record<string, string>> = {
  PASSPORT: {
    NL: 'LLAAAAAAD', BE: 'LLDDDDDD', FR: 'DDLLDDDDD', DE: 'CCCCCCCCC', ES: 'LLLDDDDDD', IT: 'LLDDDDDDD', AT: 'PDDDDDDD',
    PT: 'LDDDDDD', SE: 'DDDDDDDD', DK: 'DDDDDDDDD', FI: 'LLDDDDDDD', MA: 'LLDDDDDDD', DZ: 'DDDDDDDDD', TN: 'LDDDDDDD',
    TR: 'UDDDDDDDD', SY: 'NDDDDDDDDD', IQ: 'LDDDDDDDD', RU: 'DDDDDDDDD', BA: 'LDDDDDDD', AL: 'LLDDDDDDD',
    MK: 'LDDDDDDD', SO: 'PDDDDDDDD', AF: 'PDDDDDDDD', PK: 'LLDDDDDDD', UZ: 'LLDDDDDDD', TJ: 'DDDDDDDDD', '*': 'LLDDDDDDD',
  },
  IDENTITY_CARD: {
    NL: 'LLAAAAAAD', BE: 'DDD-DDDDDDD-DD', FR: 'AAAAAAAAA', DE: 'LCCCCCCCC', ES: 'DDDDDDDDL', IT: 'LLDDDDDLL', AT: 'DDDDDDDD', '*': 'LLLDDDDDD',
  },
  RESIDENCE_PERMIT: { NL: 'VDDDDDDDD', ES: 'YDDDDDDDL', FR: 'DDDDDDDDDD', DE: 'YCCCCCCCC', BE: 'BDDDDDDDDD', IT: 'LDDDDDDDD', '*': 'RLDDDDDDD' },
  DRIVING_LICENCE: { NL: 'DDDDDDDDDD', FR: 'DDLLDDDDDDDD', DE: 'LDDDLLLLLDD', '*': 'DDDDDDDDDD' },
  VISA: { '*': 'LLLDDDDDDDDD' },
};

const ALPHABETS: Record<string, string> = {
  L: 'ABCDEFGHJKLMNPRSTUVWXYZ', D: '0123456789', A: 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789', C: 'CFGHJKLMNPRTVWXYZ0123456789',
};

/** A 32-bit integer hash (murmur3 finaliser), the round function of the permutation below. */
function mix(x: number, key: number): number {
  let h = Math.imul(x ^ key, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A keyed bijection of [0, capacity): a 4-round Feistel network with cycle walking. */
function permute(value: number, capacity: number, key: number): number {
  let bits = Math.max(2, Math.ceil(Math.log2(capacity)));
  if (bits % 2 === 1) bits++;
  const half = 2 ** (bits / 2);
  let v = value;
  do {
    let left = Math.floor(v / half);
    let right = v % half;
    for (let round = 0; round < 4; round++) {
      const next = (left ^ (mix(right, key + round) % half)) >>> 0;
      left = right;
      right = next;
    }
    v = left * half + right;
  } while (v >= capacity);
  return v;
}

/**
 * Unique document numbers without a lookup table: every (state, n) pair of one format maps to its
 * own slot, shuffled over the format's space by a keyed permutation, then written in the format.
 * Numbers generated for different member states never collide, so a shared number is always a
 * deliberate cross-state link (the SHARED_SUBJECTS).
 */
class DocumentNumbers {
  private readonly counters = new Map<string, number>();
  private readonly capacities = new Map<string, number>();
  private readonly used = new Set<string>();
  constructor(private readonly stateIndex: number, reserved: Iterable<string>) {
    for (const number of reserved) this.used.add(documentNumberKey(number));
  }
  next(format: string): string {
    let capacity = this.capacities.get(format);
    if (capacity === undefined) {
      capacity = [...format].reduce((product, ch) => product * (ALPHABETS[ch]?.length ?? 1), 1);
      this.capacities.set(format, capacity);
    }
    const key = hashSeed(format);
    for (;;) {
      const n = this.counters.get(format) ?? 0;
      this.counters.set(format, n + 1);
      let value = permute((this.stateIndex + MEMBER_STATES.length * n) % capacity, capacity, key);
      let number = '';
      for (let i = format.length - 1; i >= 0; i--) {
        const alphabet = ALPHABETS[format[i]];
        if (!alphabet) { number = format[i] + number; continue; }
        number = alphabet[value % alphabet.length] + number;
        value = Math.floor(value / alphabet.length);
      }
      const numberKey = documentNumberKey(number);
      if (!this.used.has(numberKey)) { this.used.add(numberKey); return number; }
    }
  }
}

function docFormat(kind: DocumentKind, issuingState: string): string {
  const formats = DOC_FORMATS[kind];
  return formats[issuingState] ?? formats['*'];
}

function fillPattern(rng: Random, pattern: string): string {
  let text = '';
  for (const ch of pattern) text += ch === 'L' ? ALPHABETS.L[rng.int(0, ALPHABETS.L.length - 1)] : ch === 'D' ? String(rng.int(0, 9)) : ch;
  return text;
}

// ---------------------------------------------------------------------------------------------
// Travel
// ---------------------------------------------------------------------------------------------

type Place = readonly [city: string, country: string];
interface Leg { from: Place; to: Place; mode: TravelMode; carrier: string | null; reference: string | null; source: string; hours: number }

const AIRLINES: Record<string, string> = {
  TK: 'Turkish Airlines', PC: 'Pegasus Airlines', VF: 'AJet', KL: 'KLM', HV: 'Transavia', SN: 'Brussels Airlines',
  AF: 'Air France', LH: 'Lufthansa', EW: 'Eurowings', IB: 'Iberia', VY: 'Vueling', FR: 'Ryanair', U2: 'easyJet',
  AT: 'Royal Air Maroc', '3O': 'Air Arabia Maroc', AH: 'Air Algérie', TU: 'Tunisair', A3: 'Aegean Airlines',
  OS: 'Austrian Airlines', QR: 'Qatar Airways', EK: 'Emirates', RJ: 'Royal Jordanian', ME: 'Middle East Airlines',
  IA: 'Iraqi Airways', SK: 'SAS', AY: 'Finnair', W6: 'Wizz Air', AZ: 'ITA Airways', LO: 'LOT Polish Airlines',
  A9: 'Georgian Airways', HY: 'Uzbekistan Airways', KQ: 'Kenya Airways', TP: 'TAP Air Portugal', EI: 'Aer Lingus',
  JU: 'Air Serbia', BT: 'airBaltic', FB: 'Bulgaria Air', RO: 'TAROM', LG: 'Luxair', KM: 'KM Malta Airlines',
};
const HOME_AIRLINES: Record<MemberState, string[]> = {
  AT: ['OS', 'W6'], BE: ['SN', 'FR'], BG: ['FB', 'W6'], CY: ['A3', 'W6'], CZ: ['FR', 'W6'], DE: ['LH', 'EW'],
  DK: ['SK', 'FR'], EE: ['BT', 'FR'], ES: ['IB', 'VY'], FI: ['AY', 'FR'], FR: ['AF', 'U2'], GR: ['A3', 'FR'],
  HR: ['FR', 'W6'], HU: ['W6', 'FR'], IE: ['EI', 'FR'], IT: ['AZ', 'FR'], LT: ['BT', 'W6'], LU: ['LG', 'FR'],
  LV: ['BT', 'FR'], MT: ['KM', 'FR'], NL: ['KL', 'HV'], PL: ['LO', 'W6'], PT: ['TP', 'FR'], RO: ['RO', 'W6'],
  SE: ['SK', 'FR'], SI: ['W6', 'FR'], SK: ['W6', 'FR'],
};

const RAIL: Record<string, [operator: string, prefix: string]> = {
  NL: ['NS International', 'ICE '], BE: ['Eurostar', 'EST '], FR: ['SNCF', 'TGV '], DE: ['Deutsche Bahn', 'ICE '],
  ES: ['Renfe', 'AVE '], IT: ['Trenitalia', 'FR '], AT: ['ÖBB', 'RJX '], '*': ['FlixTrain', 'FLX '],
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
const TURKISH_DESTINATIONS: Place[] = [['Gaziantep', 'TR'], ['Hatay', 'TR'], ['Şanlıurfa', 'TR'], ['Adana', 'TR'], ['Ankara', 'TR'], ['Izmir', 'TR']];
const TURKISH_BORDER_TOWNS: Record<string, Place> = { Gaziantep: ['Kilis', 'TR'], Hatay: ['Reyhanlı', 'TR'], 'Şanlıurfa': ['Akçakale', 'TR'] };
const HOMELAND_AIRPORTS: Record<string, Array<[Place, string[]]>> = {
  MA: [[['Casablanca', 'MA'], ['AT', 'FR']], [['Tangier', 'MA'], ['3O', 'FR', 'HV']], [['Nador', 'MA'], ['3O', 'HV']]],
  DZ: [[['Algiers', 'DZ'], ['AH', 'AF']], [['Oran', 'DZ'], ['AH', 'VY']]],
  TN: [[['Tunis', 'TN'], ['TU', 'AF']], [['Monastir', 'TN'], ['TU']]],
  SY: [[['Beirut', 'LB'], ['ME', 'TK']], [['Amman', 'JO'], ['RJ', 'TK']]],
  IQ: [[['Erbil', 'IQ'], ['TK', 'IA', 'A3']], [['Baghdad', 'IQ'], ['TK', 'IA', 'QR']]],
  TR: [[['Istanbul', 'TR'], ['TK', 'PC']], [['Ankara', 'TR'], ['TK', 'VF']], [['Kayseri', 'TR'], ['PC', 'VF']]],
  BA: [[['Sarajevo', 'BA'], ['W6', 'OS', 'TK']], [['Tuzla', 'BA'], ['W6']]],
  AL: [[['Tirana', 'AL'], ['W6', 'FR']]], MK: [[['Skopje', 'MK'], ['W6']]],
  RU: [[['Tbilisi', 'GE'], ['A9', 'TK']], [['Baku', 'AZ'], ['TK']]],
  SO: [[['Nairobi', 'KE'], ['KQ', 'QR']], [['Mogadishu', 'SO'], ['TK']]],
  AF: [[['Dubai', 'AE'], ['EK']], [['Islamabad', 'PK'], ['QR', 'TK']]], PK: [[['Islamabad', 'PK'], ['QR', 'TK']]],
  UZ: [[['Tashkent', 'UZ'], ['HY', 'TK']]], TJ: [[['Dushanbe', 'TJ'], ['TK']]],
};
const MIDDLE_EAST: Array<[Place, string[]]> = [
  [['Amman', 'JO'], ['RJ', 'TK']], [['Beirut', 'LB'], ['ME']], [['Dubai', 'AE'], ['EK']], [['Doha', 'QA'], ['QR']], [['Cairo', 'EG'], ['TK', 'A3']],
];
const FERRIES: Array<{ from: Place; to: Place; lines: string[] }> = [
  { from: ['Algeciras', 'ES'], to: ['Tangier', 'MA'], lines: ['FRS', 'Baleària'] },
  { from: ['Almería', 'ES'], to: ['Nador', 'MA'], lines: ['Trasmed', 'Baleària'] },
  { from: ['Marseille', 'FR'], to: ['Algiers', 'DZ'], lines: ['Corsica Linea', 'Algérie Ferries'] },
  { from: ['Genoa', 'IT'], to: ['Tunis', 'TN'], lines: ['Grandi Navi Veloci', 'CTN'] },
  { from: ['Palermo', 'IT'], to: ['Tunis', 'TN'], lines: ['Grandi Navi Veloci'] },
  { from: ['Piraeus', 'GR'], to: ['Chios', 'GR'], lines: ['Blue Star Ferries'] },
];

class TravelGenerator {
  constructor(private readonly state: MemberState) {}

  private airSource(rng: Random): string {
    return rng.weighted([[`PNR (${this.state} PIU)`, 5], [`API (${this.state} border police)`, 3], ['liaison officer report', 1]] as const);
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
    return { from, to, mode: 'RAIL', carrier: operator, reference: `${prefix}${rng.int(100, 9999)}`, source: rng.pick(['passenger list', 'police check on board', 'informant']), hours };
  }

  /** One trip from a home city: outbound legs and, often, the way back. */
  trip(rng: Random, homeState: MemberState, nationalities: string[]): Leg[] {
    const home: Place = [rng.pick(CITIES[homeState]), homeState];
    const homeCarriers = HOME_AIRLINES[homeState];
    const kind = rng.weighted([['turkey', 30], ['homeland', 25], ['europe', 25], ['middleEast', 8], ['landRoute', 6], ['ferry', 6]] as const);
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
            legs.push({ from: destination, to: border, mode: 'ROAD', carrier: null, reference: null, source: rng.pick(['partner service report', 'liaison officer report', 'informant']), hours: rng.int(24, 400) });
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
        const mode = rng.weighted([['AIR', 4], ['BUS', 3], ['RAIL', 2], ['CAR', 1]] as const);
        const hours = rng.int(6, 240);
        legs.push(mode === 'AIR' ? this.flight(rng, home, there, [...homeCarriers, ...HOME_AIRLINES[otherState]], hours)
          : mode === 'BUS' ? this.bus(rng, home, there, hours)
            : mode === 'RAIL' ? this.train(rng, home, there, hours) : this.car(rng, home, there, hours));
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
        legs.push({ from: crossing.from, to: crossing.to, mode: 'BORDER_CROSSING', carrier: rng.chance(0.5) ? 'FlixBus' : null, reference: crossing.post, source: rng.pick(['border check', 'EES entry/exit record']), hours: rng.int(2, 12) });
        legs.push(this.bus(rng, crossing.to, home, rng.int(48, 400)));
        return legs;
      }
      case 'ferry': {
        const ferry = rng.pick(FERRIES);
        if (ferry.from[1] !== homeState) legs.push(this.bus(rng, home, ferry.from, rng.int(10, 30)));
        legs.push({ from: ferry.from, to: ferry.to, mode: 'SEA', carrier: rng.pick(ferry.lines), reference: `booking ${fillPattern(rng, 'LLDDDD')}`, source: 'ferry manifest', hours: rng.int(72, 900) });
        if (rng.chance(0.5)) legs.push({ from: ferry.to, to: ferry.from, mode: 'SEA', carrier: rng.pick(ferry.lines), reference: `booking ${fillPattern(rng, 'LLDDDD')}`, source: 'ferry manifest', hours: 0 });
        return legs;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Organisations
// ---------------------------------------------------------------------------------------------

const LEGAL_FORMS: Partial<Record<MemberState, string[]>> = {
  NL: ['B.V.'], BE: ['BV', 'SRL'], FR: ['SARL', 'SAS'], DE: ['GmbH', 'UG'], AT: ['GmbH'], ES: ['S.L.'], IT: ['S.r.l.'],
  PT: ['Lda.'], LU: ['S.à r.l.'], SE: ['AB'], DK: ['ApS'], FI: ['Oy'], PL: ['sp. z o.o.'], CZ: ['s.r.o.'], SK: ['s.r.o.'],
};
const ORG_WORDS = {
  terrorPrefix: W('Katibat, Jamaat, Liwa, Harakat, Saraya, Jaysh, Ansar, Kataib, Firqat'),
  terrorCore: W('al-Ghuraba al-Janubiyya, Ahl al-Thughur, al-Ribat al-Gharbi, Dar al-Hijra, al-Badiya, Suyuf al-Haqq, al-Nasr al-Qadim, Ahl al-Sham al-Urubiyin, al-Qawafil, Rijal al-Fajr, al-Huda wal-Ribat, Bayt al-Maqdis al-Urubi, Ibn Tumart, al-Murabitun al-Judud, al-Sahil al-Akhdar, Junud al-Maghrib, Usud al-Jabal, al-Rayat al-Sawda, Ahl al-Wadi, al-Bunyan al-Marsus, Nur al-Din al-Jadid, al-Furqan al-Urubi, Sayf al-Andalus, al-Mizan'),
  extremistAdjective: W('Iron, Northern, Black, Eternal, White Oak, Winter, Old Order, Boreal'),
  extremistNoun: W('Dawn Division, Shield Cell, Storm Front, Legion, Brotherhood, Resistance Cell, Vanguard'),
  crimePlace: W('Rif, Nador, Tirana, Durrës, Sarajevo, Zenica, Grozny, Sandžak, Antwerp, Marseille, Delta, Ceuta, Atlas, Anatolia, Bekaa'),
  crimeType: W('Connection, Clan, Network, Syndicate, Crew, Cartel, Family'),
  facilitationPlace: W('Kilis, Hatay, Gaziantep, Izmir, Edirne, Subotica, Evros, Tangier, Ceuta, Sfax, Zuwara, Agadez, Idlib, Batumi, Sabha, Misrata, Azaz, Akçakale, Reyhanlı, Van, Bihać, Velika Kladuša, Calais, Dunkirk, Lampedusa, Oujda, Nador, Melilla, Samos, Lesbos, Kos, Şanlıurfa, Shkodër, Pristina, Tabriz, Kapitan Andreevo'),
  facilitationType: W('Crossing Network, travel facilitators, smuggling route, document workshop, safe-house network, boat network, transfer cell, guide network'),
  companyWord: W('Anatolia, Levant, Sahel, Atlas, Orient, Crescent, Baraka, Nour, Silk Road, Medina, Andalus, Bosphorus, Maghreb, Zamzam, Euphrates'),
  companyBusiness: W('Trading, Cargo, Money Transfer, Import-Export, Travel, Car Export, Phone Shop, Construction, Charity Foundation, Halal Foods, Logistics, Exchange'),
};

function generatedOrganisationName(rng: Random, kind: OrganisationKind, state: MemberState): { name: string; aliases: string[] } {
  switch (kind) {
    case 'TERRORIST': {
      if (rng.chance(0.15)) {
        const name = `${rng.pick(ORG_WORDS.extremistAdjective)} ${rng.pick(ORG_WORDS.extremistNoun)}`;
        return { name, aliases: [] };
      }
      const name = `${rng.pick(ORG_WORDS.terrorPrefix)} ${rng.pick(ORG_WORDS.terrorCore)}`;
      return { name, aliases: rng.chance(0.5) ? [spellingVariant(rng, name)].filter((a) => a !== name) : [] };
    }
    case 'ORGANISED_CRIME': {
      const name = rng.chance(0.5)
        ? `${rng.pick(ORG_WORDS.crimePlace)} ${rng.pick(ORG_WORDS.crimeType)}`
        : `Clan ${rng.pick(ORIGINS[rng.pick(['ma', 'al', 'ba', 'ce', 'tr'])].family)}`;
      return { name, aliases: [] };
    }
    case 'FACILITATION_NETWORK':
      return { name: `${rng.pick(ORG_WORDS.facilitationPlace)} ${rng.pick(ORG_WORDS.facilitationType)}`, aliases: [] };
    case 'FRONT_COMPANY': {
      const base = `${rng.pick(ORG_WORDS.companyWord)} ${rng.pick(ORG_WORDS.companyBusiness)}`;
      return { name: `${base} ${rng.pick(LEGAL_FORMS[state] ?? ['Ltd.'])}`, aliases: rng.chance(0.4) ? [base] : [] };
    }
  }
}

const ROLES: Record<OrganisationKind, string[]> = {
  TERRORIST: W('member, member, member, recruiter, financier, propagandist, facilitator, fighter, leader'),
  ORGANISED_CRIME: W('member, member, courier, enforcer, money launderer, weapons supplier, leader'),
  FACILITATION_NETWORK: W('facilitator, smuggler, document forger, driver, coordinator'),
  FRONT_COMPANY: W('director, shareholder, employee, nominee director'),
};

// ---------------------------------------------------------------------------------------------
// The shared cast: subjects known to several member states
// ---------------------------------------------------------------------------------------------

export interface SharedOrganisationRecord { name: string; aliases: string[] }
export interface SharedOrganisation {
  key: string;
  kind: OrganisationKind;
  /** The name each state records, in the order states list their organisations. */
  records: Partial<Record<MemberState, SharedOrganisationRecord>>;
}

/** Organisations known to several states, under spelling variants. NL lists its first three. */
export const SHARED_ORGANISATIONS: SharedOrganisation[] = [
  {
    key: 'muhajirin', kind: 'TERRORIST', records: {
      NL: { name: 'Katibat al-Muhajirin', aliases: ['European Emigrants Brigade'] },
      BE: { name: 'Katibat al-Mouhajirine', aliases: ['Brigade des émigrés européens'] },
      FR: { name: 'Katibat el-Mouhajirine', aliases: ['Brigade des émigrés'] },
      DE: { name: 'Katibat al-Muhadjirin', aliases: ['Brigade der europäischen Auswanderer'] },
      ES: { name: 'Katibat al-Muhajirín', aliases: ['Brigada de los Emigrantes'] },
      SE: { name: 'Katibat al-Muhajiriin', aliases: [] },
    },
  },
  {
    key: 'ubur', kind: 'FACILITATION_NETWORK', records: {
      NL: { name: 'Shabakat al-Ubur', aliases: ['Kilis Crossing Network'] },
      BE: { name: 'Shabakat al-Oubour', aliases: ['Kilis-netwerk'] },
      FR: { name: 'Chabakat al-Oubour', aliases: ['réseau de Kilis'] },
      DE: { name: 'Schabakat al-Ubur', aliases: ['Kilis-Netzwerk'] },
    },
  },
  {
    key: 'anatolia', kind: 'FRONT_COMPANY', records: {
      NL: { name: 'Anatolia Exchange B.V.', aliases: ['Anatolia Geldtransfer'] },
      BE: { name: 'Anatolia Exchange BV', aliases: [] },
    },
  },
  {
    key: 'bouzaghrane', kind: 'ORGANISED_CRIME', records: {
      NL: { name: 'Clan Bouzaghrane', aliases: ['Rif-netwerk'] },
      BE: { name: 'Clan Bouzaghrani', aliases: [] },
      ES: { name: 'Clan Buzagran', aliases: ['Red del Rif'] },
    },
  },
  {
    key: 'una', kind: 'ORGANISED_CRIME', records: {
      AT: { name: 'Bratstvo sa Une', aliases: ['Una Brotherhood'] },
      DE: { name: 'Bratstwo sa Une', aliases: ['Una-Bruderschaft'] },
      NL: { name: 'Bratstvo s Une', aliases: ['Una Brotherhood'] },
    },
  },
  {
    key: 'vainakh', kind: 'ORGANISED_CRIME', records: {
      DE: { name: 'Gruppe Wainach', aliases: ['Vainakh Group'] },
      FR: { name: 'Groupe Vaïnakh', aliases: [] },
      AT: { name: 'Gruppe Vainakh', aliases: [] },
    },
  },
  {
    key: 'qayrawan', kind: 'TERRORIST', records: {
      IT: { name: 'Saraya al-Qayrawan', aliases: ['Brigate di Kairouan'] },
      FR: { name: 'Saraya al-Kayrawan', aliases: ['Brigades de Kairouan'] },
      DE: { name: 'Sarayat al-Qairawan', aliases: [] },
    },
  },
];

interface CastTravel { at: string; from: Place; to: Place; mode: TravelMode; carrier: string | null; reference: string | null; source: string }
interface CastDocument { number: string; kind: DocumentKind; issuingState: string; validUntil: string | null }
interface CastFinancial { kind: FinancialMeasureKind; since: string; institution: string | null; amount: number | null; currency: string | null; legalBasis: string | null }
interface CastListing { list: string; listedSince: string; reason: string; action: string }
export interface SharedSubjectRecord {
  givenName: string;
  familyName: string;
  aliases: string[];
  status: SubjectStatus;
  nationalities: string[];
  /** The year the owner opened the file (part of the contact reference). */
  opened: number;
  desk: Desk;
  background: string;
  /** Documents besides the shared passport. */
  documents?: CastDocument[];
  travel?: CastTravel[];
  financial?: CastFinancial[];
  listings?: CastListing[];
  affiliations?: Array<{ organisation: string; role: string; since: string }>;
}
export interface SharedSubject {
  key: string;
  story: string;
  dateOfBirth: string;
  /** The passport every state that knows the subject has on file. */
  passport: CastDocument;
  records: Partial<Record<MemberState, SharedSubjectRecord>>;
}

const PNR = (state: string) => `PNR (${state} PIU)`;
const API = (state: string) => `API (${state} border police)`;

/**
 * The fixed cast. Each subject's records share the passport number and the date of birth; names are
 * spelling variants that the tolerant name search matches. In every state that knows them they are
 * its first persons, in this order: e.g. NL-P-000001 is Belhawari, NL-P-000002 Amezzian.
 */
export const SHARED_SUBJECTS: SharedSubject[] = [
  {
    key: 'belhaouari',
    story: 'Brussels -> Istanbul -> Gaziantep -> Kilis (into Syria) in March 2026, back via Izmir -> Athens -> Amsterdam in September 2026, a new Amsterdam -> Istanbul flight booked for 19 November 2026; each leg recorded by a different state.',
    dateOfBirth: '1991-02-07',
    passport: { number: 'EM482913', kind: 'PASSPORT', issuingState: 'BE', validUntil: '2029-05-18' },
    records: {
      BE: {
        givenName: 'Abdelkarim', familyName: 'Belhaouari', aliases: ['Abu Mouad al-Baljiki'], status: 'FOREIGN_TERRORIST_FIGHTER',
        nationalities: ['BE', 'MA'], opened: 2024, desk: 'ftf',
        background: 'Recruiter for Katibat al-Mouhajirine in Brussels since 2024. Left Brussels for Istanbul on 2 March 2026 and is believed to have crossed into Syria via Gaziantep.',
        documents: [{ number: '592-3841176-45', kind: 'IDENTITY_CARD', issuingState: 'BE', validUntil: '2031-09-30' }],
        travel: [{ at: '2026-03-02T06:35:00Z', from: ['Brussels', 'BE'], to: ['Istanbul', 'TR'], mode: 'AIR', carrier: 'Turkish Airlines', reference: 'TK1938', source: PNR('BE') }],
        listings: [{ list: nationalList('BE'), listedSince: '2026-03-10', reason: 'travel to a conflict zone to join a terrorist group', action: 'arrest' }],
        affiliations: [{ organisation: 'muhajirin', role: 'recruiter', since: '2024-06-01' }],
      },
      FR: {
        givenName: 'Abdel-Karim', familyName: 'Belhaouary', aliases: ['Abou Mouâd'], status: 'SUSPECT',
        nationalities: ['BE', 'MA'], opened: 2026, desk: 'ct',
        background: 'Reported by the liaison officer in Ankara on a domestic flight Istanbul-Gaziantep on 3 March 2026, then by road towards Kilis on the Syrian border.',
        travel: [
          { at: '2026-03-03T09:10:00Z', from: ['Istanbul', 'TR'], to: ['Gaziantep', 'TR'], mode: 'AIR', carrier: 'Turkish Airlines', reference: 'TK2220', source: 'liaison officer report (Ankara)' },
          { at: '2026-03-04T15:00:00Z', from: ['Gaziantep', 'TR'], to: ['Kilis', 'TR'], mode: 'ROAD', carrier: null, reference: null, source: 'partner service report' },
        ],
        listings: [{ list: nationalList('FR'), listedSince: '2026-03-12', reason: 'travel to a conflict zone to join a terrorist group', action: 'discreet check, report to owner' }],
        affiliations: [{ organisation: 'muhajirin', role: 'member', since: '2025-01-01' }],
      },
      NL: {
        givenName: 'Abdelkarim', familyName: 'Belhawari', aliases: ['Abdel Karim Bel Hawari'], status: 'RETURNEE',
        nationalities: ['BE', 'MA'], opened: 2026, desk: 'ftf',
        background: 'Returned from Syria via Izmir and Athens, landing at Schiphol on 15 September 2026. A new flight to Istanbul is booked for 19 November 2026.',
        travel: [
          { at: '2026-09-14T16:20:00Z', from: ['Izmir', 'TR'], to: ['Athens', 'GR'], mode: 'AIR', carrier: 'Aegean Airlines', reference: 'A3995', source: 'PNR (shared by GR PIU)' },
          { at: '2026-09-15T07:05:00Z', from: ['Athens', 'GR'], to: ['Amsterdam', 'NL'], mode: 'AIR', carrier: 'KLM', reference: 'KL1572', source: API('NL') },
          { at: '2026-11-19T11:15:00Z', from: ['Amsterdam', 'NL'], to: ['Istanbul', 'TR'], mode: 'AIR', carrier: 'Pegasus Airlines', reference: 'PC1252', source: 'PNR (booking, not yet flown)' },
        ],
        listings: [{ list: NL_NATIONAL_LIST, listedSince: '2026-09-20', reason: 'participation in a terrorist organisation (returnee)', action: 'specific check, report to owner' }],
        affiliations: [{ organisation: 'muhajirin', role: 'recruiter', since: '2024-06-01' }],
      },
    },
  },
  {
    key: 'amezzian',
    story: 'NL freezes his assets on 12 June 2026 (Sanctieregeling terrorisme 2007-II); from 13 to 16 June he withdraws cash in Belgium with the same passport and wires money to Turkey; a German bank reports a suspicious transaction on 18 June; he flies Amsterdam -> Athens (NL) and Athens -> Izmir (recorded by BE).',
    dateOfBirth: '1984-11-23',
    passport: { number: 'NR5K8T2H4', kind: 'PASSPORT', issuingState: 'NL', validUntil: '2031-02-03' },
    records: {
      NL: {
        givenName: 'Youssef', familyName: 'Amezzian', aliases: ['Abu Bakr al-Hollandi'], status: 'SUSPECT',
        nationalities: ['NL', 'MA'], opened: 2025, desk: 'finance',
        background: 'Director of Anatolia Exchange B.V., suspected of moving funds to Shabakat al-Ubur. Assets frozen on 12 June 2026; left for Athens on 20 June 2026.',
        documents: [{ number: 'IX7R2K9L5', kind: 'IDENTITY_CARD', issuingState: 'NL', validUntil: '2033-08-14' }],
        travel: [{ at: '2026-06-20T06:50:00Z', from: ['Amsterdam', 'NL'], to: ['Athens', 'GR'], mode: 'AIR', carrier: 'Transavia', reference: 'HV5641', source: PNR('NL') }],
        financial: [{ kind: 'ASSET_FREEZE', since: '2026-06-12', institution: 'ING Bank N.V.', amount: 48250, currency: 'EUR', legalBasis: 'Sanctieregeling terrorisme 2007-II' }],
        listings: [{ list: NL_NATIONAL_LIST, listedSince: '2026-06-12', reason: 'financing of terrorism', action: 'discreet check, report to owner' }],
        affiliations: [
          { organisation: 'anatolia', role: 'director', since: '2021-03-15' },
          { organisation: 'ubur', role: 'financier', since: '2023-01-01' },
        ],
      },
      BE: {
        givenName: 'Youssef', familyName: 'Amezian', aliases: ['Yusuf Amezyan'], status: 'ASSOCIATE',
        nationalities: ['NL', 'MA'], opened: 2026, desk: 'finance',
        background: 'Withdrew close to 15,000 EUR in cash at three Belgian banks between 13 and 16 June 2026 and wired 2,800 EUR to Gaziantep, presenting a Dutch passport.',
        travel: [{ at: '2026-06-21T10:05:00Z', from: ['Athens', 'GR'], to: ['Izmir', 'TR'], mode: 'AIR', carrier: 'Aegean Airlines', reference: 'A3990', source: 'PNR (shared by GR PIU)' }],
        financial: [
          { kind: 'CASH_WITHDRAWAL', since: '2026-06-13', institution: 'Belfius Bank, Antwerpen-Borgerhout', amount: 4900, currency: 'EUR', legalBasis: 'CTIF-CFI report 2026/0613-0117' },
          { kind: 'CASH_WITHDRAWAL', since: '2026-06-14', institution: 'BNP Paribas Fortis, Brussel-Zuid', amount: 4950, currency: 'EUR', legalBasis: 'CTIF-CFI report 2026/0614-0121' },
          { kind: 'CASH_WITHDRAWAL', since: '2026-06-16', institution: 'KBC Bank, Mechelen', amount: 4800, currency: 'EUR', legalBasis: 'CTIF-CFI report 2026/0616-0093' },
          { kind: 'MONEY_TRANSFER', since: '2026-06-16', institution: 'Western Union, Antwerpen', amount: 2800, currency: 'EUR', legalBasis: 'CTIF-CFI report 2026/0616-0094 (beneficiary in Gaziantep, TR)' },
        ],
        affiliations: [{ organisation: 'anatolia', role: 'director', since: '2021-03-15' }],
      },
      DE: {
        givenName: 'Yusuf', familyName: 'Amezian', aliases: [], status: 'ASSOCIATE',
        nationalities: ['NL', 'MA'], opened: 2026, desk: 'finance',
        background: 'Subject of a suspicious transaction report by a bank in Duisburg: a cash deposit followed by a transfer to a Turkish exchange office.',
        financial: [{ kind: 'SUSPICIOUS_TRANSACTION_REPORT', since: '2026-06-18', institution: 'Commerzbank AG, Duisburg', amount: 9500, currency: 'EUR', legalBasis: 'FIU Deutschland STR 2026-118734' }],
      },
    },
  },
  {
    key: 'boukhenaissi',
    story: 'Paris -> Istanbul (FR) -> Hatay (DE) -> across the Syrian border at Cilvegözü-Bab al-Hawa (DE) in October 2025; back Istanbul -> Barcelona (ES) in February 2026; Paris -> Istanbul booked for 3 December 2026 (FR).',
    dateOfBirth: '1994-06-30',
    passport: { number: '17CK52741', kind: 'PASSPORT', issuingState: 'FR', validUntil: '2027-08-30' },
    records: {
      FR: {
        givenName: 'Rachid', familyName: 'Boukhenaissi', aliases: ['Abou Souhaib al-Faransi'], status: 'FOREIGN_TERRORIST_FIGHTER',
        nationalities: ['FR', 'DZ'], opened: 2025, desk: 'ftf',
        background: 'Left Paris for Istanbul on 4 October 2025 and joined Katibat el-Mouhajirine in Idlib. A new Paris-Istanbul flight is booked for 3 December 2026.',
        documents: [{ number: 'X4RT7K2M9', kind: 'IDENTITY_CARD', issuingState: 'FR', validUntil: '2033-02-11' }],
        travel: [
          { at: '2025-10-04T07:15:00Z', from: ['Paris', 'FR'], to: ['Istanbul', 'TR'], mode: 'AIR', carrier: 'Pegasus Airlines', reference: 'PC1118', source: PNR('FR') },
          { at: '2026-12-03T09:30:00Z', from: ['Paris', 'FR'], to: ['Istanbul', 'TR'], mode: 'AIR', carrier: 'Turkish Airlines', reference: 'TK1822', source: 'PNR (booking, not yet flown)' },
        ],
        listings: [{ list: nationalList('FR'), listedSince: '2025-11-02', reason: 'travel to a conflict zone to join a terrorist group', action: 'specific check, report to owner' }],
        affiliations: [{ organisation: 'muhajirin', role: 'fighter', since: '2025-10-10' }],
      },
      DE: {
        givenName: 'Rashid', familyName: 'Bukhenaisi', aliases: [], status: 'SUSPECT',
        nationalities: ['FR', 'DZ'], opened: 2025, desk: 'ct',
        background: 'Seen by the BKA liaison officer on a Pegasus flight to Hatay on 5 October 2025 in the company of Katibat al-Muhadjirin recruiters; crossed into Syria the next day.',
        travel: [
          { at: '2025-10-05T13:40:00Z', from: ['Istanbul', 'TR'], to: ['Hatay', 'TR'], mode: 'AIR', carrier: 'Pegasus Airlines', reference: 'PC2770', source: 'liaison officer report (Ankara)' },
          { at: '2025-10-06T05:30:00Z', from: ['Reyhanlı', 'TR'], to: ['Sarmada', 'SY'], mode: 'BORDER_CROSSING', carrier: null, reference: 'Cilvegözü–Bab al-Hawa crossing', source: 'partner service report' },
        ],
        affiliations: [{ organisation: 'muhajirin', role: 'member', since: '2025-10-06' }],
      },
      ES: {
        givenName: 'Rachid', familyName: 'Boukhenaisi', aliases: ['Rachid Bujenaisi'], status: 'SUSPECT',
        nationalities: ['FR', 'DZ'], opened: 2026, desk: 'ct',
        background: 'Entered Spain at Barcelona-El Prat on a flight from Istanbul on 11 February 2026; whereabouts since then unknown.',
        travel: [{ at: '2026-02-11T18:25:00Z', from: ['Istanbul', 'TR'], to: ['Barcelona', 'ES'], mode: 'AIR', carrier: 'Turkish Airlines', reference: 'TK1853', source: API('ES') }],
        affiliations: [{ organisation: 'muhajirin', role: 'member', since: '2025-10-10' }],
      },
    },
  },
  {
    key: 'elouarrak',
    story: 'Brussels -> Paris by FlixBus (BE), Paris -> Madrid by FlixBus (FR), Madrid -> Algeciras by train, Algeciras -> Ceuta by ferry and Ceuta -> Morocco (towards Tangier) through Tarajal (ES), 5-8 April 2026; a courier of the Bouzaghrane clan.',
    dateOfBirth: '1998-09-04',
    passport: { number: 'PAK318642', kind: 'PASSPORT', issuingState: 'ES', validUntil: '2030-01-12' },
    records: {
      ES: {
        givenName: 'Hamza', familyName: 'El Ouarrak', aliases: ['Abu Hamza al-Andalusi'], status: 'SUSPECT',
        nationalities: ['ES', 'MA'], opened: 2025, desk: 'ct',
        background: 'Courier of the Clan Buzagran between the Rif and Belgium, suspected of moving cash for Katibat al-Muhajirín. Crossed from Ceuta into Morocco on 8 April 2026.',
        documents: [{ number: '48213776K', kind: 'IDENTITY_CARD', issuingState: 'ES', validUntil: '2030-01-12' }],
        travel: [
          { at: '2026-04-07T08:30:00Z', from: ['Madrid', 'ES'], to: ['Algeciras', 'ES'], mode: 'RAIL', carrier: 'Renfe', reference: 'ALVIA 2150', source: 'passenger list' },
          { at: '2026-04-07T17:00:00Z', from: ['Algeciras', 'ES'], to: ['Ceuta', 'ES'], mode: 'SEA', carrier: 'Baleària', reference: 'booking BA7K2Q', source: 'ferry manifest' },
          { at: '2026-04-08T11:20:00Z', from: ['Ceuta', 'ES'], to: ['Tangier', 'MA'], mode: 'BORDER_CROSSING', carrier: null, reference: 'Tarajal border post', source: 'border check (Guardia Civil)' },
        ],
        affiliations: [
          { organisation: 'bouzaghrane', role: 'courier', since: '2023-05-01' },
          { organisation: 'muhajirin', role: 'facilitator', since: '2025-09-01' },
        ],
      },
      FR: {
        givenName: 'Hamza', familyName: 'El Warrak', aliases: [], status: 'ASSOCIATE',
        nationalities: ['ES', 'MA'], opened: 2026, desk: 'ct',
        background: 'Took the night bus Paris-Madrid on 5 April 2026 with a Spanish passport; known to French services as a contact of Rachid Boukhenaissi.',
        travel: [{ at: '2026-04-05T22:30:00Z', from: ['Paris', 'FR'], to: ['Madrid', 'ES'], mode: 'ROAD', carrier: 'FlixBus', reference: 'N1187', source: 'bus operator passenger list' }],
      },
      BE: {
        givenName: 'Hamza', familyName: 'Elouarak', aliases: [], status: 'SUSPECT',
        nationalities: ['ES', 'MA'], opened: 2025, desk: 'ct',
        background: 'Stays regularly in Molenbeek with members of the Clan Bouzaghrani; left Brussels by bus for Paris on 5 April 2026.',
        travel: [{ at: '2026-04-05T08:15:00Z', from: ['Brussels', 'BE'], to: ['Paris', 'FR'], mode: 'ROAD', carrier: 'FlixBus', reference: 'N703', source: 'bus operator passenger list' }],
        affiliations: [{ organisation: 'bouzaghrane', role: 'courier', since: '2024-02-01' }],
      },
    },
  },
  {
    key: 'dzhabrailov',
    story: 'Strasbourg -> Berlin by bus (FR), Berlin -> Vienna by night train (DE), Vienna -> Tbilisi (AT) in June-July 2026, return Tbilisi -> Vienna booked for 28 November 2026 (AT); Chechen organised crime (Vainakh group) supplying weapons to Katibat al-Muhadjirin.',
    dateOfBirth: '1988-12-02',
    passport: { number: '752418396', kind: 'PASSPORT', issuingState: 'RU', validUntil: '2028-03-15' },
    records: {
      DE: {
        givenName: 'Magomed', familyName: 'Dzhabrailov', aliases: ['Abu Umar al-Shishani'], status: 'CONVICTED',
        nationalities: ['RU'], opened: 2019, desk: 'ct',
        background: 'Convicted in 2021 by the Higher Regional Court of Berlin for supporting a terrorist organisation; released in 2025. Enforcer of the Gruppe Wainach, suspected of supplying weapons to Katibat al-Muhadjirin.',
        documents: [{ number: 'YF4K8M2T7', kind: 'RESIDENCE_PERMIT', issuingState: 'DE', validUntil: '2027-06-30' }],
        travel: [{ at: '2026-07-09T22:10:00Z', from: ['Berlin', 'DE'], to: ['Vienna', 'AT'], mode: 'RAIL', carrier: 'ÖBB', reference: 'NJ 40456', source: 'passenger list' }],
        affiliations: [
          { organisation: 'vainakh', role: 'enforcer', since: '2017-01-01' },
          { organisation: 'muhajirin', role: 'weapons supplier', since: '2025-08-01' },
        ],
      },
      FR: {
        givenName: 'Magomed', familyName: 'Djabrailov', aliases: [], status: 'SUSPECT',
        nationalities: ['RU'], opened: 2026, desk: 'ct',
        background: 'Holds a French residence permit (refugee status) and lives near Strasbourg; linked to the Groupe Vaïnakh.',
        documents: [{ number: '6904127735', kind: 'RESIDENCE_PERMIT', issuingState: 'FR', validUntil: '2029-11-04' }],
        travel: [{ at: '2026-06-28T14:00:00Z', from: ['Strasbourg', 'FR'], to: ['Berlin', 'DE'], mode: 'ROAD', carrier: 'FlixBus', reference: 'N2310', source: 'bus operator passenger list' }],
        affiliations: [{ organisation: 'vainakh', role: 'member', since: '2020-01-01' }],
      },
      AT: {
        givenName: 'Magomed', familyName: 'Dzhabrailow', aliases: ['Magomed Dschabrailow'], status: 'ASSOCIATE',
        nationalities: ['RU'], opened: 2026, desk: 'ct',
        background: 'Flew from Vienna to Tbilisi on 10 July 2026 after meeting members of the Gruppe Vainakh in Vienna; return flight booked for 28 November 2026.',
        travel: [
          { at: '2026-07-10T09:25:00Z', from: ['Vienna', 'AT'], to: ['Tbilisi', 'GE'], mode: 'AIR', carrier: 'Austrian Airlines', reference: 'OS727', source: PNR('AT') },
          { at: '2026-11-28T04:40:00Z', from: ['Tbilisi', 'GE'], to: ['Vienna', 'AT'], mode: 'AIR', carrier: 'Georgian Airways', reference: 'A9631', source: 'PNR (booking, not yet flown)' },
        ],
        affiliations: [{ organisation: 'vainakh', role: 'member', since: '2022-01-01' }],
      },
    },
  },
  {
    key: 'begovic',
    story: 'Sarajevo -> Vienna by bus (AT), Vienna -> Munich by car (DE), Munich -> Amsterdam by air (NL), 14-16 August 2026: a weapons supplier of the Bratstvo sa Une, an organised-crime group that also arms Katibat al-Muhajirin.',
    dateOfBirth: '1979-04-17',
    passport: { number: 'B4827163', kind: 'PASSPORT', issuingState: 'BA', validUntil: '2028-10-01' },
    records: {
      AT: {
        givenName: 'Armin', familyName: 'Begović', aliases: ['Armin Begovic'], status: 'ASSOCIATE',
        nationalities: ['BA'], opened: 2023, desk: 'ct',
        background: 'Member of the Bratstvo sa Une, a firearms trafficking group from the Una valley; entered Austria by bus on 14 August 2026.',
        travel: [{ at: '2026-08-14T06:00:00Z', from: ['Sarajevo', 'BA'], to: ['Vienna', 'AT'], mode: 'ROAD', carrier: 'FlixBus', reference: 'N1502', source: 'border check (Spielfeld)' }],
        affiliations: [{ organisation: 'una', role: 'weapons supplier', since: '2019-01-01' }],
      },
      DE: {
        givenName: 'Armin', familyName: 'Begovic', aliases: [], status: 'SUSPECT',
        nationalities: ['BA'], opened: 2024, desk: 'ct',
        background: 'Suspected of selling converted pistols to Islamist circles in Bavaria. Recorded by ANPR on the A8 on 15 August 2026.',
        travel: [{ at: '2026-08-15T21:40:00Z', from: ['Vienna', 'AT'], to: ['Munich', 'DE'], mode: 'ROAD', carrier: null, reference: 'vehicle SA-482-K', source: 'ANPR hit (A8 Bad Reichenhall)' }],
        financial: [{ kind: 'MONEY_TRANSFER', since: '2026-08-16', institution: 'Ria Money Transfer, München', amount: 3200, currency: 'EUR', legalBasis: 'FIU Deutschland report 2026-120551 (beneficiary in Bihać, BA)' }],
        affiliations: [{ organisation: 'una', role: 'weapons supplier', since: '2020-01-01' }],
      },
      NL: {
        givenName: 'Armin', familyName: 'Begowitsch', aliases: [], status: 'SUSPECT',
        nationalities: ['BA'], opened: 2026, desk: 'ct',
        background: 'Arrived at Schiphol from Munich on 16 August 2026; suspected of delivering weapons to members of Katibat al-Muhajirin in Rotterdam.',
        travel: [{ at: '2026-08-16T07:10:00Z', from: ['Munich', 'DE'], to: ['Amsterdam', 'NL'], mode: 'AIR', carrier: 'KLM', reference: 'KL1796', source: API('NL') }],
        listings: [{ list: NL_NATIONAL_LIST, listedSince: '2026-08-28', reason: 'supplying weapons to a terrorist organisation', action: 'arrest' }],
        affiliations: [
          { organisation: 'una', role: 'weapons supplier', since: '2024-01-01' },
          { organisation: 'muhajirin', role: 'weapons supplier', since: '2026-01-01' },
        ],
      },
    },
  },
  {
    key: 'alhamdani',
    story: 'Left Stockholm for Istanbul in 2015 (SE); returned from a camp in north-eastern Syria via Erbil -> Frankfurt (DE) and Frankfurt -> Amsterdam by train (NL) on 21 May 2026.',
    dateOfBirth: '1996-01-19',
    passport: { number: 'NX8B4R6K2', kind: 'PASSPORT', issuingState: 'NL', validUntil: '2030-04-22' },
    records: {
      NL: {
        givenName: 'Samira', familyName: 'Al-Hamdani', aliases: ['Umm Yahya al-Hollandiya'], status: 'RETURNEE',
        nationalities: ['NL', 'SY'], opened: 2019, desk: 'ftf',
        background: 'Lived in the territory of Katibat al-Muhajirin from 2015 and in a camp in north-eastern Syria from 2019. Returned to the Netherlands on 21 May 2026 and is being prosecuted.',
        travel: [{ at: '2026-05-21T16:40:00Z', from: ['Frankfurt am Main', 'DE'], to: ['Amsterdam', 'NL'], mode: 'RAIL', carrier: 'Deutsche Bahn', reference: 'ICE 126', source: 'border check (Koninklijke Marechaussee)' }],
        listings: [{ list: NL_NATIONAL_LIST, listedSince: '2026-05-25', reason: 'participation in a terrorist organisation (returnee)', action: 'specific check, report to owner' }],
        affiliations: [{ organisation: 'muhajirin', role: 'member', since: '2015-04-01' }],
      },
      DE: {
        givenName: 'Samira', familyName: 'Alhamdani', aliases: [], status: 'SUSPECT',
        nationalities: ['NL', 'SY'], opened: 2026, desk: 'ftf',
        background: 'Arrived at Frankfurt from Erbil on 21 May 2026 on a Dutch passport and continued to the Netherlands by train.',
        travel: [{ at: '2026-05-21T05:55:00Z', from: ['Erbil', 'IQ'], to: ['Frankfurt am Main', 'DE'], mode: 'AIR', carrier: 'Lufthansa', reference: 'LH695', source: API('DE') }],
      },
      SE: {
        givenName: 'Samirah', familyName: 'al-Hamdany', aliases: [], status: 'CLOSED',
        nationalities: ['NL', 'SY'], opened: 2015, desk: 'ftf',
        background: 'Studied in Stockholm and left for Istanbul in March 2015, believed to have joined Katibat al-Muhajiriin; Swedish case closed in 2018 after she left the country.',
        travel: [{ at: '2015-03-12T10:05:00Z', from: ['Stockholm', 'SE'], to: ['Istanbul', 'TR'], mode: 'AIR', carrier: 'Turkish Airlines', reference: 'TK1796', source: PNR('SE') }],
        affiliations: [{ organisation: 'muhajirin', role: 'member', since: '2015-04-01' }],
      },
    },
  },
  {
    key: 'benslimane',
    story: 'Tunis -> Palermo by ferry and Milan -> Lyon by bus (IT), September 2026; a suspicious transaction in Frankfurt (DE); Lyon -> Tunis booked for 14 November 2026 (FR); Saraya al-Qayrawan.',
    dateOfBirth: '1993-07-26',
    passport: { number: 'Z4718263', kind: 'PASSPORT', issuingState: 'TN', validUntil: '2029-12-01' },
    records: {
      IT: {
        givenName: 'Anis', familyName: 'Ben Slimane', aliases: ['Abu Qatada al-Tunisi'], status: 'SUSPECT',
        nationalities: ['TN'], opened: 2024, desk: 'ct',
        background: 'Propagandist of Saraya al-Qayrawan, living in Milan on an Italian residence permit. Came back from Tunis by ferry on 2 September 2026 and left for Lyon on 5 September.',
        documents: [{ number: 'I04826137', kind: 'RESIDENCE_PERMIT', issuingState: 'IT', validUntil: '2027-03-31' }],
        travel: [
          { at: '2026-09-02T20:00:00Z', from: ['Tunis', 'TN'], to: ['Palermo', 'IT'], mode: 'SEA', carrier: 'Grandi Navi Veloci', reference: 'booking GNV448213', source: 'ferry manifest (Polizia di Frontiera)' },
          { at: '2026-09-05T23:15:00Z', from: ['Milan', 'IT'], to: ['Lyon', 'FR'], mode: 'ROAD', carrier: 'FlixBus', reference: 'N962', source: 'bus operator passenger list' },
        ],
        listings: [{ list: nationalList('IT'), listedSince: '2025-02-17', reason: 'dissemination of terrorist propaganda', action: 'discreet check, report to owner' }],
        affiliations: [{ organisation: 'qayrawan', role: 'propagandist', since: '2023-01-01' }],
      },
      FR: {
        givenName: 'Anis', familyName: 'Benslimane', aliases: [], status: 'SUSPECT',
        nationalities: ['TN'], opened: 2026, desk: 'ct',
        background: 'In contact with members of Saraya al-Kayrawan in Lyon since September 2026; a flight Lyon-Tunis is booked for 14 November 2026.',
        travel: [{ at: '2026-11-14T07:40:00Z', from: ['Lyon', 'FR'], to: ['Tunis', 'TN'], mode: 'AIR', carrier: 'Tunisair', reference: 'TU817', source: 'PNR (booking, not yet flown)' }],
        affiliations: [{ organisation: 'qayrawan', role: 'member', since: '2026-09-01' }],
      },
      DE: {
        givenName: 'Anis', familyName: 'Ben Sliman', aliases: [], status: 'ASSOCIATE',
        nationalities: ['TN'], opened: 2026, desk: 'finance',
        background: 'Paid 7,400 EUR in cash into an account in Frankfurt that forwards money to Sarayat al-Qairawan supporters.',
        financial: [{ kind: 'SUSPICIOUS_TRANSACTION_REPORT', since: '2026-09-21', institution: 'Frankfurter Sparkasse', amount: 7400, currency: 'EUR', legalBasis: 'FIU Deutschland STR 2026-131502' }],
        affiliations: [{ organisation: 'qayrawan', role: 'financier', since: '2026-01-01' }],
      },
    },
  },
];

/** The shared subjects a state holds, in the order they come first in its persons. */
export function sharedSubjectsOf(state: MemberState): SharedSubject[] {
  return SHARED_SUBJECTS.filter((subject) => subject.records[state] !== undefined);
}

/** The shared organisations a state holds; for NL the three listed ones come first. */
export function sharedOrganisationsOf(state: MemberState): SharedOrganisation[] {
  return SHARED_ORGANISATIONS.filter((organisation) => organisation.records[state] !== undefined);
}

// ---------------------------------------------------------------------------------------------
// Row bundles
// ---------------------------------------------------------------------------------------------

type Row<T extends keyof Database> = Insertable<Database[T]>;

interface Rows {
  persons: Row<'persons'>[];
  person_aliases: Row<'person_aliases'>[];
  person_nationalities: Row<'person_nationalities'>[];
  person_name_keys: Row<'person_name_keys'>[];
  identity_documents: Row<'identity_documents'>[];
  travel_movements: Row<'travel_movements'>[];
  financial_measures: Row<'financial_measures'>[];
  watchlist_listings: Row<'watchlist_listings'>[];
  affiliations: Row<'affiliations'>[];
}

const emptyRows = (): Rows => ({
  persons: [], person_aliases: [], person_nationalities: [], person_name_keys: [], identity_documents: [],
  travel_movements: [], financial_measures: [], watchlist_listings: [], affiliations: [],
});

/** Parent tables first: the order rows are inserted in (foreign keys). */
const PERSON_TABLES = ['persons', 'person_aliases', 'person_nationalities', 'person_name_keys', 'identity_documents',
  'travel_movements', 'financial_measures', 'watchlist_listings', 'affiliations'] as const;

interface OrganisationRef { id: string; kind: OrganisationKind; name: string }

const OFFENCES = W('participation in a terrorist organisation, financing of terrorism, preparing a terrorist offence, recruitment for terrorism, disseminating terrorist propaganda online, travel for terrorist purposes');
const CONFLICT_AREAS = W('Syria, Iraq, the Sahel, Somalia, Afghanistan, Idlib province, north-eastern Syria');
const DETAILS = [
  'Active in encrypted propaganda channels.',
  'Travels frequently to Turkey, partly on different documents.',
  'Uses several phone numbers and aliases.',
  'Believed to move funds through hawala bankers.',
  'Has contacts with organised-crime figures for weapons procurement.',
  'Radicalised in prison.',
  'Family members remain in the conflict zone.',
  'Under discreet surveillance.',
  'Runs a small business that may serve as a cover for transfers.',
  'Known to attend meetings of a radical preaching network.',
];
const LISTING_REASONS = W('participation in a terrorist organisation, financing of terrorism, travel to a conflict zone to join a terrorist group, recruitment for a terrorist group, preparation of a terrorist attack, dissemination of terrorist propaganda');
const LISTING_ACTIONS = ['discreet check, report to owner', 'specific check, report to owner', 'arrest', 'refuse entry', 'inform owner immediately'];

// ---------------------------------------------------------------------------------------------
// The generator
// ---------------------------------------------------------------------------------------------

class StateGenerator {
  readonly rows = emptyRows();
  private readonly documents: DocumentNumbers;
  private readonly travel: TravelGenerator;
  private readonly counters = { document: 0, travel: 0, financial: 0, listing: 0, affiliation: 0 };
  private readonly originWeights: Array<readonly [OriginKey, number]>;
  private readonly currency: string;

  constructor(readonly state: MemberState, readonly organisations: OrganisationRef[], readonly sharedOrgIds: Map<string, string>) {
    const reserved = SHARED_SUBJECTS.flatMap((s) => [s.passport.number, ...Object.values(s.records).flatMap((r) => (r?.documents ?? []).map((d) => d.number))]);
    this.documents = new DocumentNumbers(MEMBER_STATES.indexOf(state), reserved);
    this.travel = new TravelGenerator(state);
    const weights: Record<OriginKey, number> = { ...DEFAULT_ORIGIN_WEIGHTS };
    for (const [key, weight] of Object.entries(ORIGIN_WEIGHTS[state] ?? {})) weights[key as OriginKey] = weight ?? 0;
    this.originWeights = (Object.keys(weights) as OriginKey[]).map((key) => [key, weights[key]] as const);
    this.currency = CURRENCIES[state] ?? 'EUR';
  }

  take(): Rows {
    const taken = { ...this.rows };
    Object.assign(this.rows, emptyRows());
    return taken;
  }

  private id(kind: keyof StateGenerator['counters'], letter: string): string {
    return `${this.state}-${letter}-${pad(++this.counters[kind], 7)}`;
  }

  private addPersonCore(id: string, person: Omit<Row<'persons'>, 'id'>, aliases: string[], nationalities: string[]) {
    this.rows.persons.push({ id, ...person });
    aliases.forEach((alias, position) => this.rows.person_aliases.push({ person_id: id, position, alias }));
    for (const country of new Set(nationalities)) this.rows.person_nationalities.push({ person_id: id, country });
    for (const key of nameKeys([person.given_name, person.family_name, ...aliases])) {
      this.rows.person_name_keys.push({ person_id: id, name_key: key.key, skeleton: key.skeleton });
    }
  }

  private addDocument(personId: string, d: CastDocument) {
    this.rows.identity_documents.push({
      id: this.id('document', 'D'), person_id: personId, number: d.number, number_key: documentNumberKey(d.number),
      kind: d.kind, issuing_state: d.issuingState, valid_until: d.validUntil,
    });
  }

  private addTravel(personId: string, at: number, leg: Omit<Leg, 'hours'>) {
    this.rows.travel_movements.push({
      id: this.id('travel', 'T'), person_id: personId, at: isoMinute(at),
      from_city: leg.from[0], from_country: leg.from[1], to_city: leg.to[0], to_country: leg.to[1],
      mode: leg.mode, carrier: leg.carrier, reference: leg.reference, source: leg.source, planned: at > REFERENCE_MS ? 1 : 0,
    });
  }

  private addFinancial(personId: string, f: CastFinancial) {
    this.rows.financial_measures.push({
      id: this.id('financial', 'F'), person_id: personId, kind: f.kind, since: f.since,
      institution: f.institution, amount: f.amount, currency: f.currency, legal_basis: f.legalBasis,
    });
  }

  private addListing(personId: string, l: CastListing) {
    this.rows.watchlist_listings.push({ id: this.id('listing', 'L'), person_id: personId, list: l.list, listed_since: l.listedSince, reason: l.reason, action: l.action });
  }

  addAffiliation(personId: string, organisationId: string, role: string | null, since: string | null) {
    this.rows.affiliations.push({ id: this.id('affiliation', 'A'), person_id: personId, organisation_id: organisationId, role, since });
  }

  /** A shared subject's record in this state. */
  addShared(position: number, subject: SharedSubject): void {
    const r = subject.records[this.state]!;
    const id = personId(this.state, position);
    this.addPersonCore(id, {
      given_name: r.givenName, family_name: r.familyName, date_of_birth: subject.dateOfBirth, status: r.status,
      background: r.background, ...contactOf(this.state, r.desk), contact_reference: `${this.state}-CT-${r.opened}-${pad(position, 6)}`,
    }, r.aliases, r.nationalities);
    this.addDocument(id, subject.passport);
    for (const d of r.documents ?? []) this.addDocument(id, d);
    for (const t of r.travel ?? []) this.addTravel(id, Date.parse(t.at), t);
    for (const f of r.financial ?? []) this.addFinancial(id, f);
    for (const l of r.listings ?? []) this.addListing(id, l);
    for (const a of r.affiliations ?? []) {
      const organisationId = this.sharedOrgIds.get(a.organisation);
      if (!organisationId) throw new Error(`seed data: ${subject.key} in ${this.state} is affiliated to ${a.organisation}, which ${this.state} does not hold`);
      this.addAffiliation(id, organisationId, a.role, a.since);
    }
  }

  /**
   * A generated person. `listed` (NL only) puts the person on the Dutch national list and links them
   * to one of the listed organisations; the other draws are the same either way.
   */
  addGenerated(rng: Random, position: number, listed?: { organisationId: string; rng: Random }): void {
    const state = this.state;
    const id = personId(state, position);
    const originKey = rng.weighted(this.originWeights);
    const female = rng.chance(originKey === 'european' ? 0.25 : 0.18);
    const pool = originKey === 'european' ? EUROPEAN[EUROPEAN_POOL[state]] : ORIGINS[originKey];
    const givenName = rng.pick(female ? pool.female : pool.male);
    const familyName = rng.pick(pool.family);

    // Nationalities: citizens of this state with or without a second nationality, and foreigners.
    const originCountry = originKey === 'european' ? null : rng.pick(ORIGINS[originKey].countries);
    let nationalities: string[];
    if (!originCountry) nationalities = rng.chance(0.9) ? [state] : [rng.pick(MEMBER_STATES)];
    else {
      const roll = rng.next();
      nationalities = roll < 0.45 ? [state, originCountry] : roll < 0.65 ? [state]
        : roll < 0.75 ? [rng.pick(MEMBER_STATES), originCountry] : [originCountry];
    }
    nationalities = [...new Set(nationalities)];

    const birth = randomDay(rng, rng.chance(0.8) ? '1980-01-01' : '1958-01-01', rng.chance(0.8) ? '2004-12-31' : '2008-10-31');
    const dateOfBirth = isoDate(birth);
    const adult = yearOf(dateOfBirth) + 17;
    let status = rng.weighted([['SUSPECT', 35], ['FOREIGN_TERRORIST_FIGHTER', 12], ['RETURNEE', 10], ['CONVICTED', 10], ['ASSOCIATE', 23], ['CLOSED', 10]] as const) as SubjectStatus;
    // Listed persons (a separate stream, so being listed does not shift the other draws) are active cases.
    if (listed && (status === 'CLOSED' || status === 'ASSOCIATE')) status = listed.rng.pick(['SUSPECT', 'FOREIGN_TERRORIST_FIGHTER', 'RETURNEE', 'CONVICTED'] as const);
    const opened = Math.min(2026, Math.max(adult, rng.int(2012, 2026)));

    // Aliases: kunyas, spelling variants, other names.
    const aliases: string[] = [];
    const aliasCount = rng.weighted([[0, 45], [1, 30], [2, 17], [3, 8]] as const);
    for (let i = 0; i < aliasCount; i++) {
      const kind = rng.weighted([['kunya', 4], ['variant', 4], ['other', 2]] as const);
      let alias: string;
      if (kind === 'kunya') {
        const nisba = NISBA[rng.chance(0.5) ? nationalities[nationalities.length - 1] : state] ?? 'Urubi';
        alias = female ? `Umm ${rng.pick(KUNYA_NAMES)} al-${nisba}iya` : `Abu ${rng.pick(KUNYA_NAMES)} al-${nisba}`;
      } else if (kind === 'variant') alias = spellingVariant(rng, `${givenName} ${familyName}`);
      else alias = `${rng.pick(female ? pool.female : pool.male)} ${familyName}`;
      if (alias !== `${givenName} ${familyName}` && !aliases.includes(alias)) aliases.push(alias);
    }

    // Organisation links.
    const affiliations: Array<{ organisation: OrganisationRef; role: string; since: string }> = [];
    const affiliationCount = rng.weighted([[0, 60], [1, 32], [2, 8]] as const);
    for (let i = 0; i < affiliationCount && this.organisations.length > 0; i++) {
      const organisation = rng.pick(this.organisations);
      if (affiliations.some((a) => a.organisation.id === organisation.id)) continue;
      affiliations.push({ organisation, role: rng.pick(ROLES[organisation.kind]), since: isoDate(randomDay(rng, `${Math.min(2026, adult)}-01-01`, REFERENCE_MS - DAY)) });
    }

    let desk: Desk = status === 'FOREIGN_TERRORIST_FIGHTER' || status === 'RETURNEE' ? 'ftf' : 'ct';

    // Documents: 1-3.
    const documents: CastDocument[] = [];
    const documentCount = rng.weighted([[1, 55], [2, 33], [3, 12]] as const);
    const citizen = nationalities.includes(state);
    const euNationality = nationalities.find((c) => (MEMBER_STATES as readonly string[]).includes(c));
    const primaryCountry = rng.chance(0.5) ? nationalities[0] : nationalities[nationalities.length - 1];
    const primaryIsIdCard = euNationality !== undefined && rng.chance(0.2);
    const wanted: Array<[DocumentKind, string]> = [primaryIsIdCard ? ['IDENTITY_CARD', euNationality] : ['PASSPORT', primaryCountry]];
    const want = (kind: DocumentKind, issuingState: string) => {
      if (!wanted.some(([k, s]) => k === kind && s === issuingState)) wanted.push([kind, issuingState]);
    };
    if (citizen && rng.chance(0.6)) want('IDENTITY_CARD', state);
    if (!citizen) want(rng.chance(0.85) ? 'RESIDENCE_PERMIT' : 'VISA', state);
    for (const country of nationalities) want('PASSPORT', country);
    want('DRIVING_LICENCE', state);
    for (const [kind, issuingState] of wanted.slice(0, documentCount)) {
      const validYears = kind === 'VISA' ? 1 : kind === 'RESIDENCE_PERMIT' ? 5 : 10;
      const issued = randomDay(rng, Math.max(birth + 16 * 365 * DAY, ms('2014-01-01')), REFERENCE_MS - 30 * DAY);
      documents.push({ number: this.documents.next(docFormat(kind, issuingState)), kind, issuingState, validUntil: isoDate(issued + validYears * 365 * DAY) });
    }

    // Travel: 0-8 movements, older trips first; a later leg after the reference date is a booked plan.
    const travelCount = rng.weighted([[0, 30], [1, 12], [2, 14], [3, 14], [4, 11], [5, 7], [6, 5], [7, 4], [8, 3]] as const);
    const legs: Array<{ at: number; leg: Leg }> = [];
    let clock = randomDay(rng, Math.max(birth + 17 * 365 * DAY, ms('2014-01-01')), '2026-06-30') + rng.int(5 * 60, 22 * 60) * 60_000;
    let lastAt = clock;
    while (legs.length < travelCount) {
      if (clock > REFERENCE_MS) {
        // At most one trip after the reference date: an announced plan, booked within four months.
        if (lastAt > REFERENCE_MS) break;
        clock = Math.max(lastAt + DAY, REFERENCE_MS + rng.int(1, 120) * DAY + rng.int(5 * 60, 22 * 60) * 60_000);
      }
      let at = clock;
      for (const leg of this.travel.trip(rng, state, nationalities)) {
        if (legs.length >= travelCount) break;
        legs.push({ at, leg });
        lastAt = at;
        at += (leg.hours * 60 + rng.int(0, 11) * 5) * 60_000;
      }
      clock = at + rng.int(20, 400) * DAY;
    }

    // Financial measures.
    const financial: CastFinancial[] = [];
    if (rng.chance(0.14)) {
      desk = 'finance';
      const count = rng.int(1, 3);
      for (let i = 0; i < count; i++) financial.push(this.financialMeasure(rng, adult));
    }

    // Listings.
    const listings: CastListing[] = [];
    if (status !== 'CLOSED' && rng.chance(0.1)) {
      const lists = state === 'NL' ? ['EU 2580/2001', 'UN 1267', 'EU 2016/1686'] : [nationalList(state), nationalList(state), 'EU 2580/2001', 'UN 1267', 'EU 2016/1686'];
      const count = rng.int(1, 2);
      for (let i = 0; i < count; i++) {
        const list = rng.pick(lists);
        if (listings.some((l) => l.list === list)) continue;
        listings.push({ list, listedSince: isoDate(randomDay(rng, `${Math.max(2014, adult)}-01-01`, REFERENCE_MS - DAY)), reason: rng.pick(LISTING_REASONS), action: rng.pick(LISTING_ACTIONS) });
      }
    }

    const background = this.background(rng, status, adult, nationalities, affiliations[0]?.organisation.name);

    if (listed) {
      const r = listed.rng;
      listings.unshift({
        list: NL_NATIONAL_LIST, listedSince: isoDate(randomDay(r, `${Math.max(2016, adult)}-01-01`, REFERENCE_MS - DAY)),
        reason: r.pick(LISTING_REASONS), action: r.pick(['discreet check, report to owner', 'specific check, report to owner', 'arrest']),
      });
      const organisation = this.organisations.find((o) => o.id === listed.organisationId)!;
      if (!affiliations.some((a) => a.organisation.id === organisation.id)) {
        affiliations.unshift({ organisation, role: r.pick(ROLES[organisation.kind]), since: isoDate(randomDay(r, `${Math.max(2014, adult)}-01-01`, REFERENCE_MS - DAY)) });
      }
    }

    this.addPersonCore(id, {
      given_name: givenName, family_name: familyName, date_of_birth: dateOfBirth, status, background,
      ...contactOf(state, desk), contact_reference: `${state}-CT-${opened}-${pad(position, 6)}`,
    }, aliases, nationalities);
    for (const d of documents) this.addDocument(id, d);
    for (const { at, leg } of legs) this.addTravel(id, at, leg);
    for (const f of financial) this.addFinancial(id, f);
    for (const l of listings) this.addListing(id, l);
    for (const a of affiliations) this.addAffiliation(id, a.organisation.id, a.role, a.since);
  }

  private financialMeasure(rng: Random, adult: number): CastFinancial {
    const state = this.state;
    const kind = rng.weighted([['ASSET_FREEZE', 2], ['CASH_WITHDRAWAL', 4], ['MONEY_TRANSFER', 4], ['SUSPICIOUS_TRANSACTION_REPORT', 3], ['ACCOUNT_CLOSURE', 1]] as const) as FinancialMeasureKind;
    const since = isoDate(randomDay(rng, `${Math.max(2015, adult)}-01-01`, REFERENCE_MS - DAY));
    const year = since.slice(0, 4);
    const bank = rng.pick([...(BANKS[state] ?? []), ...(BANKS[state] ?? []), ...PAN_EU_BANKS]);
    const city = rng.pick(CITIES[state]);
    const factor = CURRENCY_FACTOR[this.currency];
    const round = (euros: number, step: number) => Math.round((euros * factor) / step) * step;
    const fiu = fiuOf(state);
    switch (kind) {
      case 'ASSET_FREEZE':
        return { kind, since, institution: bank, amount: Math.round(rng.int(50_000, 25_000_000) * factor) / 100, currency: this.currency, legalBasis: rng.pick([...(FREEZE_BASES[state] ?? []), ...EU_FREEZE_BASES]) };
      case 'CASH_WITHDRAWAL':
        return { kind, since, institution: `${bank}, ${city}`, amount: round(rng.int(200, 9900), 50), currency: this.currency, legalBasis: `${fiu} report ${year}/${pad(rng.int(1, 9999), 4)}` };
      case 'MONEY_TRANSFER':
        return { kind, since, institution: `${rng.pick(MONEY_SERVICES)}, ${city}`, amount: round(rng.int(150, 15_000), 10), currency: this.currency, legalBasis: `${fiu} report ${year}/${pad(rng.int(1, 9999), 4)}` };
      case 'SUSPICIOUS_TRANSACTION_REPORT':
        return { kind, since, institution: bank, amount: round(rng.int(2_000, 50_000), 1), currency: this.currency, legalBasis: `${fiu} STR ${year}-${pad(rng.int(1, 999_999), 6)}` };
      case 'ACCOUNT_CLOSURE':
        return { kind, since, institution: bank, amount: null, currency: null, legalBasis: 'Directive (EU) 2015/849, art. 14(4) (customer due diligence not possible)' };
    }
  }

  private background(rng: Random, status: SubjectStatus, adult: number, nationalities: string[], organisation?: string): string {
    const year = rng.int(Math.min(2025, Math.max(2013, adult)), 2025);
    const later = Math.min(2026, year + rng.int(1, 4));
    const offence = rng.pick(OFFENCES);
    const detail = rng.pick(DETAILS);
    const group = organisation ?? 'a terrorist group';
    const city = rng.pick(CITIES[this.state]);
    switch (status) {
      case 'SUSPECT':
        return `Suspected of ${offence} since ${year}. ${detail}`;
      case 'FOREIGN_TERRORIST_FIGHTER':
        return `Left ${city} for ${rng.pick(CONFLICT_AREAS)} in ${year} to join ${group}. ${detail}`;
      case 'RETURNEE':
        return `Travelled to ${rng.pick(CONFLICT_AREAS)} in ${year} and returned via ${rng.pick(['Istanbul', 'Athens', 'Izmir', 'Erbil', 'Sofia', 'Tbilisi'])} in ${later}. ${detail}`;
      case 'CONVICTED':
        return `Convicted in ${later} by the ${COURTS[this.state] ?? `court of ${CITIES[this.state][0]}`} of ${offence}; sentenced to ${rng.int(2, 12)} years. ${detail}`;
      case 'ASSOCIATE':
        return `Known contact of subjects linked to ${group}${nationalities.length > 1 ? `, holds ${nationalities.length} nationalities` : ''}. ${detail}`;
      case 'CLOSED':
        return `Investigated in ${year} for ${offence}; case closed in ${later} for lack of evidence.`;
    }
  }
}

function personId(state: MemberState, position: number): string {
  return `${state}-P-${pad(position, 6)}`;
}

/** The state's organisations: shared ones first (NL: the three listed ones), then generated ones. */
function organisationRows(state: MemberState, count: number, seed: number) {
  const rng = new Random(hashSeed(`${state}:${seed}:organisations`));
  const organisations: Row<'organisations'>[] = [];
  const aliases: Row<'organisation_aliases'>[] = [];
  const keys: Row<'organisation_name_keys'>[] = [];
  const sharedIds = new Map<string, string>();
  const used = new Set<string>(SHARED_ORGANISATIONS.flatMap((o) => Object.values(o.records).map((r) => r!.name)));
  const add = (name: string, kind: OrganisationKind, names: string[], opened: number) => {
    const id = `${state}-O-${pad(organisations.length + 1, 3)}`;
    organisations.push({ id, name, kind, ...contactOf(state, kind === 'FRONT_COMPANY' ? 'finance' : 'ct'), contact_reference: `${state}-CT-${opened}-O${pad(organisations.length + 1, 3)}` });
    names.forEach((alias, position) => aliases.push({ organisation_id: id, position, alias }));
    for (const key of nameKeys([name, ...names])) keys.push({ organisation_id: id, name_key: key.key, skeleton: key.skeleton });
    return id;
  };
  for (const shared of sharedOrganisationsOf(state)) {
    const record = shared.records[state]!;
    sharedIds.set(shared.key, add(record.name, shared.kind, record.aliases, 2016 + (hashSeed(shared.key + state) % 8)));
  }
  while (organisations.length < count) {
    const kind = rng.weighted([['TERRORIST', 35], ['ORGANISED_CRIME', 30], ['FACILITATION_NETWORK', 20], ['FRONT_COMPANY', 15]] as const) as OrganisationKind;
    let { name, aliases: orgAliases } = generatedOrganisationName(rng, kind, state);
    for (let retry = 0; used.has(name) && retry < 20; retry++) ({ name, aliases: orgAliases } = generatedOrganisationName(rng, kind, state));
    const base = name;
    for (let n = 2; used.has(name); n++) name = `${base} ${n}`;
    used.add(name);
    add(name, kind, orgAliases, rng.int(2012, 2026));
  }
  return { organisations, aliases, keys, sharedIds };
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

/** Tables holding a state's records, children before parents (for deletion). audit_log is kept. */
const DATA_TABLES = ['affiliations', 'person_name_keys', 'person_aliases', 'person_nationalities', 'identity_documents',
  'travel_movements', 'financial_measures', 'watchlist_listings', 'persons', 'organisation_name_keys',
  'organisation_aliases', 'organisations'] as const;

/** Bound parameters per statement stay well below SQLite's 32766 and PostgreSQL's 65535. */
const MAX_PARAMETERS = 30_000;
const MAX_ROWS_PER_STATEMENT = 1_000;

async function insertRows<T extends keyof Database>(db: Kysely<Database>, table: T, rows: Row<T>[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]).length;
  const size = Math.max(1, Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(MAX_PARAMETERS / columns)));
  for (let i = 0; i < rows.length; i += size) {
    // Kysely cannot type a generic table's insert; the rows are typed by Row<T> above.
    await db.insertInto(table).values(rows.slice(i, i + size) as never).execute();
  }
}

/** Persons generated and written per batch (and per progress report). */
const BATCH_PERSONS = 2_000;

/**
 * Writes a member state's demo data into its store, in one transaction: all or nothing. Refuses a
 * store that already holds records unless `reset` (which deletes them first; the audit log stays).
 */
export async function seedMember(store: Store, options: SeedOptions): Promise<SeedResult> {
  const { persons, reset = false, onProgress } = options;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(persons) || persons < 1 || persons > MAX_SEED_PERSONS) {
    throw new RangeError(`persons must be a whole number from 1 to ${MAX_SEED_PERSONS}, got ${persons}`);
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be a whole number from 0 to ${0xffffffff}, got ${seed}`);
  const state = store.state;

  const orgs = organisationRows(state, organisationCount(persons), seed);
  const refs: OrganisationRef[] = orgs.organisations.map((o) => ({ id: o.id, kind: o.kind as OrganisationKind, name: o.name }));
  const generator = new StateGenerator(state, refs, orgs.sharedIds);
  const shared = sharedSubjectsOf(state).slice(0, persons);
  const notes: string[] = [];
  const sharedAll = sharedSubjectsOf(state);
  if (shared.length < sharedAll.length) {
    notes.push(`only ${shared.length} of the ${sharedAll.length} shared subjects ${state} holds fit in ${persons} persons`);
  }

  // The Dutch list: the listed shared subjects plus generated persons drawn from the first 400
  // generated ones (so the same persons are listed for every --persons of 407 or more).
  const listedGenerated = new Map<number, string>();
  let nationalListPersons = 0;
  if (state === 'NL') {
    const listedShared = shared.filter((s) => s.records.NL!.listings?.some((l) => l.list === NL_NATIONAL_LIST)).length;
    const available = persons - shared.length;
    const wanted = NL_LISTED_PERSONS - listedShared;
    const window = Math.min(available, 400);
    const pickRng = new Random(hashSeed(`NL:${seed}:national-list`));
    const chosen = new Set<number>();
    // Floyd's sampling: `wanted` distinct positions out of `window`, deterministic.
    for (let j = window - Math.min(wanted, window); j < window; j++) {
      const t = pickRng.int(0, j);
      chosen.add(chosen.has(t) ? j : t);
    }
    [...chosen].sort((a, b) => a - b).forEach((offset, i) => {
      listedGenerated.set(shared.length + 1 + offset, NL_LISTED_ORGANISATION_IDS[i % NL_LISTED_ORGANISATION_IDS.length]);
    });
    nationalListPersons = listedShared + listedGenerated.size;
    if (nationalListPersons < NL_LISTED_PERSONS) {
      notes.push(`the Dutch national list holds ${NL_LISTED_PERSONS} persons but only ${nationalListPersons} fit in ${persons} persons; seed at least ${NL_LISTED_PERSONS + sharedAll.length - listedShared} for the full list`);
    }
  }

  const result: SeedResult = {
    state, seed, persons, organisations: orgs.organisations.length, aliases: 0, nationalities: 0,
    personNameKeys: 0, organisationNameKeys: orgs.keys.length, documents: 0, travelMovements: 0,
    financialMeasures: 0, listings: 0, affiliations: 0, sharedSubjects: shared.map((s) => s.key),
    nationalListPersons, notes,
  };

  await store.db.transaction().execute(async (trx) => {
    const db: Kysely<Database> = trx;
    const existing = await db.selectFrom('persons').select((eb) => eb.fn.countAll<number | string | bigint>().as('n')).executeTakeFirstOrThrow();
    const existingOrganisations = await db.selectFrom('organisations').select('id').limit(1).executeTakeFirst();
    if (Number(existing.n) > 0 || existingOrganisations) {
      if (!reset) throw new AlreadySeededError(store.location, state, Number(existing.n));
      for (const table of DATA_TABLES) await db.deleteFrom(table).execute();
    }

    await insertRows(db, 'organisations', orgs.organisations);
    await insertRows(db, 'organisation_aliases', orgs.aliases);
    await insertRows(db, 'organisation_name_keys', orgs.keys);

    const personRng = new Random(hashSeed(`${state}:${seed}:persons`));
    const listRng = new Random(hashSeed(`${state}:${seed}:listed`));
    let position = 0;
    while (position < persons) {
      const end = Math.min(persons, position + BATCH_PERSONS);
      for (; position < end; position++) {
        const number = position + 1;
        if (position < shared.length) generator.addShared(number, shared[position]);
        else {
          const organisationId = listedGenerated.get(number);
          generator.addGenerated(personRng, number, organisationId ? { organisationId, rng: listRng } : undefined);
        }
      }
      const rows = generator.take();
      for (const table of PERSON_TABLES) await insertRows(db, table, rows[table] as Row<typeof table>[]);
      result.aliases += rows.person_aliases.length;
      result.nationalities += rows.person_nationalities.length;
      result.personNameKeys += rows.person_name_keys.length;
      result.documents += rows.identity_documents.length;
      result.travelMovements += rows.travel_movements.length;
      result.financialMeasures += rows.financial_measures.length;
      result.listings += rows.watchlist_listings.length;
      result.affiliations += rows.affiliations.length;
      onProgress?.(position, persons);
    }

    const meta = JSON.stringify({ generator: 1, persons, seed, referenceDate: REFERENCE_DATE });
    await db.insertInto('hague_meta').values({ key: 'seed', value: meta })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: meta })).execute();
  });
  return result;
}
