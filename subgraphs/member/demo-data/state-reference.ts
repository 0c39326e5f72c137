import { MEMBER_STATE_NAMES, type MemberState } from '../../../common/member-states.ts';

// ---------------------------------------------------------------------------------------------
// Per-state reference data
// ---------------------------------------------------------------------------------------------

const CALLING_CODES: Record<MemberState, string> = {
  AT: '43',
  BE: '32',
  BG: '359',
  CY: '357',
  CZ: '420',
  DE: '49',
  DK: '45',
  EE: '372',
  ES: '34',
  FI: '358',
  FR: '33',
  GR: '30',
  HR: '385',
  HU: '36',
  IE: '353',
  IT: '39',
  LT: '370',
  LU: '352',
  LV: '371',
  MT: '356',
  NL: '31',
  PL: '48',
  PT: '351',
  RO: '40',
  SE: '46',
  SI: '386',
  SK: '421',
};

export type Desk = 'ct' | 'finance' | 'ftf';
const DESKS: Record<Desk, { unit: string; mailbox: string; extension: string }> = {
  ct: { unit: 'Counter-Terrorism Liaison Desk', mailbox: 'ct-desk', extension: '0100' },
  finance: { unit: 'Terrorist Financing Desk', mailbox: 'ct-finance', extension: '0140' },
  ftf: { unit: 'Foreign Terrorist Fighters Desk', mailbox: 'ftf-desk', extension: '0170' },
};

export function contactOf(state: MemberState, desk: Desk) {
  const d = DESKS[desk];
  return {
    contact_unit: d.unit,
    contact_email: `${d.mailbox}@${state.toLowerCase()}.hague.example`,
    contact_phone: `+${CALLING_CODES[state]} 555 ${d.extension}`,
  };
}

export const CITIES: Record<MemberState, string[]> = {
  AT: ['Vienna', 'Graz', 'Linz', 'Salzburg'],
  BE: ['Brussels', 'Antwerp', 'Charleroi', 'Liège'],
  BG: ['Sofia', 'Plovdiv', 'Varna'],
  CY: ['Larnaca', 'Nicosia', 'Paphos'],
  CZ: ['Prague', 'Brno'],
  DE: ['Berlin', 'Frankfurt am Main', 'Munich', 'Düsseldorf', 'Hamburg', 'Cologne', 'Stuttgart'],
  DK: ['Copenhagen', 'Aarhus'],
  EE: ['Tallinn'],
  ES: ['Madrid', 'Barcelona', 'Málaga', 'Valencia'],
  FI: ['Helsinki'],
  FR: ['Paris', 'Lyon', 'Marseille', 'Nice', 'Toulouse', 'Strasbourg'],
  GR: ['Athens', 'Thessaloniki'],
  HR: ['Zagreb', 'Split'],
  HU: ['Budapest'],
  IE: ['Dublin', 'Cork'],
  IT: ['Rome', 'Milan', 'Bologna', 'Turin', 'Palermo'],
  LT: ['Vilnius'],
  LU: ['Luxembourg'],
  LV: ['Riga'],
  MT: ['Valletta'],
  NL: ['Amsterdam', 'Rotterdam', 'Eindhoven', 'The Hague'],
  PL: ['Warsaw', 'Kraków'],
  PT: ['Lisbon', 'Porto'],
  RO: ['Bucharest', 'Cluj-Napoca'],
  SE: ['Stockholm', 'Gothenburg', 'Malmö'],
  SI: ['Ljubljana'],
  SK: ['Bratislava'],
};

export const CURRENCIES: Partial<Record<MemberState, string>> = { CZ: 'CZK', DK: 'DKK', HU: 'HUF', PL: 'PLN', RO: 'RON', SE: 'SEK' };
/** Rough size of a euro in the local currency, so amounts look right. */
export const CURRENCY_FACTOR: Record<string, number> = { EUR: 1, CZK: 25, DKK: 7.5, HUF: 400, PLN: 4.3, RON: 5, SEK: 11 };

const FIUS: Partial<Record<MemberState, string>> = {
  NL: 'FIU-Nederland',
  BE: 'CTIF-CFI',
  FR: 'Tracfin',
  DE: 'FIU Deutschland',
  ES: 'SEPBLAC',
  IT: 'UIF',
  AT: 'A-FIU',
  LU: 'CRF',
  SE: 'Finanspolisen',
  DK: 'Hvidvasksekretariatet',
  PT: 'UIF Portugal',
};
export const fiuOf = (state: MemberState) => FIUS[state] ?? `FIU ${MEMBER_STATE_NAMES[state]}`;

export const FREEZE_BASES: Partial<Record<MemberState, string[]>> = {
  NL: ['Sanctieregeling terrorisme 2007-II'],
  BE: ['Koninklijk besluit van 28 december 2006 (terrorisme)'],
  FR: ['Code monétaire et financier, art. L562-2'],
  DE: ['Außenwirtschaftsgesetz § 6 i.V.m. Verordnung (EU) 2580/2001'],
  ES: ['Ley 12/2003 de bloqueo de la financiación del terrorismo'],
  IT: ['D.Lgs. 109/2007'],
  AT: ['Sanktionengesetz 2010, § 2'],
};
export const EU_FREEZE_BASES = ['Regulation (EU) 2580/2001', 'Regulation (EU) 2016/1686', 'Regulation (EC) 881/2002 (UN 1267)'];

export const BANKS: Partial<Record<MemberState, string[]>> = {
  NL: ['ING Bank N.V.', 'ABN AMRO Bank N.V.', 'Rabobank', 'bunq B.V.', 'SNS Bank'],
  BE: ['BNP Paribas Fortis', 'KBC Bank', 'Belfius Bank', 'ING Belgium', 'Argenta'],
  FR: ['BNP Paribas', 'Société Générale', 'Crédit Agricole', 'La Banque Postale', 'Crédit Mutuel'],
  DE: ['Deutsche Bank AG', 'Commerzbank AG', 'Sparkasse KölnBonn', 'Postbank', 'N26 Bank AG'],
  ES: ['Banco Santander', 'BBVA', 'CaixaBank', 'Banco Sabadell'],
  IT: ['Intesa Sanpaolo', 'UniCredit', 'Poste Italiane', 'Banco BPM'],
  AT: ['Erste Bank', 'Raiffeisen Bank', 'BAWAG P.S.K.'],
  SE: ['Swedbank', 'SEB', 'Handelsbanken'],
  DK: ['Danske Bank', 'Nordea'],
  FI: ['Nordea', 'OP Financial Group'],
  PT: ['Caixa Geral de Depósitos', 'Millennium bcp'],
  IE: ['AIB', 'Bank of Ireland'],
  LU: ['Spuerkeess (BCEE)', 'BGL BNP Paribas'],
  PL: ['PKO Bank Polski', 'Bank Pekao'],
  CZ: ['Česká spořitelna', 'Komerční banka'],
};
export const PAN_EU_BANKS = ['Revolut Bank UAB', 'Wise Europe SA', 'N26 Bank AG'];
export const MONEY_SERVICES = ['Western Union', 'MoneyGram', 'Ria Money Transfer', 'hawala (informal)', 'Small World'];

export const COURTS: Partial<Record<MemberState, string>> = {
  NL: 'Rotterdam District Court',
  BE: 'Brussels Criminal Court',
  FR: 'Paris special assize court',
  DE: 'Higher Regional Court of Düsseldorf',
  ES: 'Audiencia Nacional',
  IT: 'Court of Milan',
  AT: 'Vienna Regional Criminal Court',
  SE: 'Stockholm District Court',
  DK: 'Copenhagen City Court',
};

export const PLATES: Partial<Record<MemberState, string>> = {
  NL: 'LL-DDD-L',
  BE: 'D-LLL-DDD',
  FR: 'LL-DDD-LL',
  DE: 'LL-LL DDDD',
  ES: 'DDDD LLL',
  IT: 'LL DDD LL',
  AT: 'W-DDDDD L',
};
