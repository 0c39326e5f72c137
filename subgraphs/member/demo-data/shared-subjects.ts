import type { MemberState } from '../../../common/member-states.ts';
import type { DocumentKind, FinancialMeasureKind, SubjectStatus, TravelMode } from './contract-enums.ts';
import type { Desk } from './state-reference.ts';
import type { Place } from './travel.ts';
import { NL_NATIONAL_LIST, nationalList } from './national-lists.ts';

// ---------------------------------------------------------------------------------------------
// The shared cast: subjects known to several member states
// ---------------------------------------------------------------------------------------------

export interface CastTravel {
  at: string;
  from: Place;
  to: Place;
  mode: TravelMode;
  carrier: string | null;
  reference: string | null;
  source: string;
}
export interface CastDocument {
  number: string;
  kind: DocumentKind;
  issuingState: string;
  validUntil: string | null;
}
export interface CastFinancial {
  kind: FinancialMeasureKind;
  since: string;
  institution: string | null;
  amount: number | null;
  currency: string | null;
  legalBasis: string | null;
}
export interface CastListing {
  list: string;
  listedSince: string;
  reason: string;
  action: string;
}
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
    story:
      'Brussels -> Istanbul -> Gaziantep -> Kilis (into Syria) in March 2026, back via Izmir -> Athens -> Amsterdam in September 2026, a new Amsterdam -> Istanbul flight booked for 19 November 2026; each leg recorded by a different state. NL freezes his account on 23 September 2026; on 2 and 3 October he withdraws cash in Brussels and wires money to Gaziantep with his Belgian passport (recorded by BE).',
    dateOfBirth: '1991-02-07',
    passport: { number: 'EM482913', kind: 'PASSPORT', issuingState: 'BE', validUntil: '2029-05-18' },
    records: {
      BE: {
        givenName: 'Abdelkarim',
        familyName: 'Belhaouari',
        aliases: ['Abu Mouad al-Baljiki'],
        status: 'FOREIGN_TERRORIST_FIGHTER',
        nationalities: ['BE', 'MA'],
        opened: 2024,
        desk: 'ftf',
        background:
          'Recruiter for Katibat al-Mouhajirine in Brussels since 2024. Left Brussels for Istanbul on 2 March 2026 and is believed to have crossed into Syria via Gaziantep. Withdrew cash in Anderlecht on 2 October 2026 and wired money to Gaziantep the next day, presenting his Belgian passport.',
        documents: [{ number: '592-3841176-45', kind: 'IDENTITY_CARD', issuingState: 'BE', validUntil: '2031-09-30' }],
        travel: [
          {
            at: '2026-03-02T06:35:00Z',
            from: ['Brussels', 'BE'],
            to: ['Istanbul', 'TR'],
            mode: 'AIR',
            carrier: 'Turkish Airlines',
            reference: 'TK1938',
            source: PNR('BE'),
          },
        ],
        listings: [{ list: nationalList('BE'), listedSince: '2026-03-10', reason: 'travel to a conflict zone to join a terrorist group', action: 'arrest' }],
        financial: [
          {
            kind: 'CASH_WITHDRAWAL',
            since: '2026-10-02',
            institution: 'Argenta, Brussel-Anderlecht',
            amount: 3900,
            currency: 'EUR',
            legalBasis: 'CTIF-CFI report 2026/1002-0211',
          },
          {
            kind: 'MONEY_TRANSFER',
            since: '2026-10-03',
            institution: 'MoneyGram, Brussel-Noord',
            amount: 2500,
            currency: 'EUR',
            legalBasis: 'CTIF-CFI report 2026/1003-0045 (beneficiary in Gaziantep, TR)',
          },
        ],
        affiliations: [{ organisation: 'muhajirin', role: 'recruiter', since: '2024-06-01' }],
      },
      FR: {
        givenName: 'Abdel-Karim',
        familyName: 'Belhaouary',
        aliases: ['Abou Mouâd'],
        status: 'SUSPECT',
        nationalities: ['BE', 'MA'],
        opened: 2026,
        desk: 'ct',
        background:
          'Reported by the liaison officer in Ankara on a domestic flight Istanbul-Gaziantep on 3 March 2026, then by road towards Kilis on the Syrian border.',
        travel: [
          {
            at: '2026-03-03T09:10:00Z',
            from: ['Istanbul', 'TR'],
            to: ['Gaziantep', 'TR'],
            mode: 'AIR',
            carrier: 'Turkish Airlines',
            reference: 'TK2220',
            source: 'liaison officer report (Ankara)',
          },
          {
            at: '2026-03-04T15:00:00Z',
            from: ['Gaziantep', 'TR'],
            to: ['Kilis', 'TR'],
            mode: 'ROAD',
            carrier: null,
            reference: null,
            source: 'partner service report',
          },
        ],
        listings: [
          {
            list: nationalList('FR'),
            listedSince: '2026-03-12',
            reason: 'travel to a conflict zone to join a terrorist group',
            action: 'discreet check, report to owner',
          },
        ],
        affiliations: [{ organisation: 'muhajirin', role: 'member', since: '2025-01-01' }],
      },
      NL: {
        givenName: 'Abdelkarim',
        familyName: 'Belhawari',
        aliases: ['Abdel Karim Bel Hawari'],
        status: 'RETURNEE',
        nationalities: ['BE', 'MA'],
        opened: 2026,
        desk: 'ftf',
        background:
          'Returned from Syria via Izmir and Athens, landing at Schiphol on 15 September 2026. Listed nationally on 20 September 2026 and his account frozen on 23 September 2026. A new flight to Istanbul is booked for 19 November 2026.',
        travel: [
          {
            at: '2026-09-14T16:20:00Z',
            from: ['Izmir', 'TR'],
            to: ['Athens', 'GR'],
            mode: 'AIR',
            carrier: 'Aegean Airlines',
            reference: 'A3995',
            source: 'PNR (shared by GR PIU)',
          },
          { at: '2026-09-15T07:05:00Z', from: ['Athens', 'GR'], to: ['Amsterdam', 'NL'], mode: 'AIR', carrier: 'KLM', reference: 'KL1572', source: API('NL') },
          {
            at: '2026-11-19T11:15:00Z',
            from: ['Amsterdam', 'NL'],
            to: ['Istanbul', 'TR'],
            mode: 'AIR',
            carrier: 'Pegasus Airlines',
            reference: 'PC1252',
            source: 'PNR (booking, not yet flown)',
          },
        ],
        financial: [
          {
            kind: 'ASSET_FREEZE',
            since: '2026-09-23',
            institution: 'ABN AMRO Bank N.V.',
            amount: 6120,
            currency: 'EUR',
            legalBasis: 'Sanctieregeling terrorisme 2007-II',
          },
        ],
        listings: [
          {
            list: NL_NATIONAL_LIST,
            listedSince: '2026-09-20',
            reason: 'participation in a terrorist organisation (returnee)',
            action: 'specific check, report to owner',
          },
        ],
        affiliations: [{ organisation: 'muhajirin', role: 'recruiter', since: '2024-06-01' }],
      },
    },
  },
  {
    key: 'amezzian',
    story:
      'NL freezes his assets on 12 June 2026 (Sanctieregeling terrorisme 2007-II); from 13 to 16 June he withdraws cash in Belgium with the same passport and wires money to Turkey; a German bank reports a suspicious transaction on 18 June; he flies Amsterdam -> Athens (NL) and Athens -> Izmir (recorded by BE).',
    dateOfBirth: '1984-11-23',
    passport: { number: 'NR5K8T2H4', kind: 'PASSPORT', issuingState: 'NL', validUntil: '2031-02-03' },
    records: {
      NL: {
        givenName: 'Youssef',
        familyName: 'Amezzian',
        aliases: ['Abu Bakr al-Hollandi'],
        status: 'SUSPECT',
        nationalities: ['NL', 'MA'],
        opened: 2025,
        desk: 'finance',
        background:
          'Director of Anatolia Exchange B.V., suspected of moving funds to Shabakat al-Ubur. Assets frozen on 12 June 2026; left for Athens on 20 June 2026.',
        documents: [{ number: 'IX7R2K9L5', kind: 'IDENTITY_CARD', issuingState: 'NL', validUntil: '2033-08-14' }],
        travel: [
          {
            at: '2026-06-20T06:50:00Z',
            from: ['Amsterdam', 'NL'],
            to: ['Athens', 'GR'],
            mode: 'AIR',
            carrier: 'Transavia',
            reference: 'HV5641',
            source: PNR('NL'),
          },
        ],
        financial: [
          {
            kind: 'ASSET_FREEZE',
            since: '2026-06-12',
            institution: 'ING Bank N.V.',
            amount: 48250,
            currency: 'EUR',
            legalBasis: 'Sanctieregeling terrorisme 2007-II',
          },
        ],
        listings: [{ list: NL_NATIONAL_LIST, listedSince: '2026-06-12', reason: 'financing of terrorism', action: 'discreet check, report to owner' }],
        affiliations: [
          { organisation: 'anatolia', role: 'director', since: '2021-03-15' },
          { organisation: 'ubur', role: 'financier', since: '2023-01-01' },
        ],
      },
      BE: {
        givenName: 'Youssef',
        familyName: 'Amezian',
        aliases: ['Yusuf Amezyan'],
        status: 'ASSOCIATE',
        nationalities: ['NL', 'MA'],
        opened: 2026,
        desk: 'finance',
        background:
          'Withdrew close to 15,000 EUR in cash at three Belgian banks between 13 and 16 June 2026 and wired 2,800 EUR to Gaziantep, presenting a Dutch passport.',
        travel: [
          {
            at: '2026-06-21T10:05:00Z',
            from: ['Athens', 'GR'],
            to: ['Izmir', 'TR'],
            mode: 'AIR',
            carrier: 'Aegean Airlines',
            reference: 'A3990',
            source: 'PNR (shared by GR PIU)',
          },
        ],
        financial: [
          {
            kind: 'CASH_WITHDRAWAL',
            since: '2026-06-13',
            institution: 'Belfius Bank, Antwerpen-Borgerhout',
            amount: 4900,
            currency: 'EUR',
            legalBasis: 'CTIF-CFI report 2026/0613-0117',
          },
          {
            kind: 'CASH_WITHDRAWAL',
            since: '2026-06-14',
            institution: 'BNP Paribas Fortis, Brussel-Zuid',
            amount: 4950,
            currency: 'EUR',
            legalBasis: 'CTIF-CFI report 2026/0614-0121',
          },
          {
            kind: 'CASH_WITHDRAWAL',
            since: '2026-06-16',
            institution: 'KBC Bank, Mechelen',
            amount: 4800,
            currency: 'EUR',
            legalBasis: 'CTIF-CFI report 2026/0616-0093',
          },
          {
            kind: 'MONEY_TRANSFER',
            since: '2026-06-16',
            institution: 'Western Union, Antwerpen',
            amount: 2800,
            currency: 'EUR',
            legalBasis: 'CTIF-CFI report 2026/0616-0094 (beneficiary in Gaziantep, TR)',
          },
        ],
        affiliations: [{ organisation: 'anatolia', role: 'director', since: '2021-03-15' }],
      },
      DE: {
        givenName: 'Yusuf',
        familyName: 'Amezian',
        aliases: [],
        status: 'ASSOCIATE',
        nationalities: ['NL', 'MA'],
        opened: 2026,
        desk: 'finance',
        background: 'Subject of a suspicious transaction report by a bank in Duisburg: a cash deposit followed by a transfer to a Turkish exchange office.',
        financial: [
          {
            kind: 'SUSPICIOUS_TRANSACTION_REPORT',
            since: '2026-06-18',
            institution: 'Commerzbank AG, Duisburg',
            amount: 9500,
            currency: 'EUR',
            legalBasis: 'FIU Deutschland STR 2026-118734',
          },
        ],
      },
    },
  },
  {
    key: 'boukhenaissi',
    story:
      'Paris -> Istanbul (FR) -> Hatay (DE) -> across the Syrian border at Cilvegözü-Bab al-Hawa (DE) in October 2025; back Istanbul -> Barcelona (ES) in February 2026; Paris -> Istanbul booked for 3 December 2026 (FR).',
    dateOfBirth: '1994-06-30',
    passport: { number: '17CK52741', kind: 'PASSPORT', issuingState: 'FR', validUntil: '2027-08-30' },
    records: {
      FR: {
        givenName: 'Rachid',
        familyName: 'Boukhenaissi',
        aliases: ['Abou Souhaib al-Faransi'],
        status: 'FOREIGN_TERRORIST_FIGHTER',
        nationalities: ['FR', 'DZ'],
        opened: 2025,
        desk: 'ftf',
        background:
          'Left Paris for Istanbul on 4 October 2025 and joined Katibat el-Mouhajirine in Idlib. A new Paris-Istanbul flight is booked for 3 December 2026.',
        documents: [{ number: 'X4RT7K2M9', kind: 'IDENTITY_CARD', issuingState: 'FR', validUntil: '2033-02-11' }],
        travel: [
          {
            at: '2025-10-04T07:15:00Z',
            from: ['Paris', 'FR'],
            to: ['Istanbul', 'TR'],
            mode: 'AIR',
            carrier: 'Pegasus Airlines',
            reference: 'PC1118',
            source: PNR('FR'),
          },
          {
            at: '2026-12-03T09:30:00Z',
            from: ['Paris', 'FR'],
            to: ['Istanbul', 'TR'],
            mode: 'AIR',
            carrier: 'Turkish Airlines',
            reference: 'TK1822',
            source: 'PNR (booking, not yet flown)',
          },
        ],
        listings: [
          {
            list: nationalList('FR'),
            listedSince: '2025-11-02',
            reason: 'travel to a conflict zone to join a terrorist group',
            action: 'specific check, report to owner',
          },
        ],
        affiliations: [{ organisation: 'muhajirin', role: 'fighter', since: '2025-10-10' }],
      },
      DE: {
        givenName: 'Rashid',
        familyName: 'Bukhenaisi',
        aliases: [],
        status: 'SUSPECT',
        nationalities: ['FR', 'DZ'],
        opened: 2025,
        desk: 'ct',
        background:
          'Seen by the BKA liaison officer on a Pegasus flight to Hatay on 5 October 2025 in the company of Katibat al-Muhadjirin recruiters; crossed into Syria the next day.',
        travel: [
          {
            at: '2025-10-05T13:40:00Z',
            from: ['Istanbul', 'TR'],
            to: ['Hatay', 'TR'],
            mode: 'AIR',
            carrier: 'Pegasus Airlines',
            reference: 'PC2770',
            source: 'liaison officer report (Ankara)',
          },
          {
            at: '2025-10-06T05:30:00Z',
            from: ['Reyhanlı', 'TR'],
            to: ['Sarmada', 'SY'],
            mode: 'BORDER_CROSSING',
            carrier: null,
            reference: 'Cilvegözü–Bab al-Hawa crossing',
            source: 'partner service report',
          },
        ],
        affiliations: [{ organisation: 'muhajirin', role: 'member', since: '2025-10-06' }],
      },
      ES: {
        givenName: 'Rachid',
        familyName: 'Boukhenaisi',
        aliases: ['Rachid Bujenaisi'],
        status: 'SUSPECT',
        nationalities: ['FR', 'DZ'],
        opened: 2026,
        desk: 'ct',
        background: 'Entered Spain at Barcelona-El Prat on a flight from Istanbul on 11 February 2026; whereabouts since then unknown.',
        travel: [
          {
            at: '2026-02-11T18:25:00Z',
            from: ['Istanbul', 'TR'],
            to: ['Barcelona', 'ES'],
            mode: 'AIR',
            carrier: 'Turkish Airlines',
            reference: 'TK1853',
            source: API('ES'),
          },
        ],
        affiliations: [{ organisation: 'muhajirin', role: 'member', since: '2025-10-10' }],
      },
    },
  },
  {
    key: 'elouarrak',
    story:
      'Brussels -> Paris by FlixBus (BE), Paris -> Madrid by FlixBus (FR), Madrid -> Algeciras by train, Algeciras -> Ceuta by ferry and Ceuta -> Morocco (towards Tangier) through Tarajal (ES), 5-8 April 2026; a courier of the Bouzaghrane clan.',
    dateOfBirth: '1998-09-04',
    passport: { number: 'PAK318642', kind: 'PASSPORT', issuingState: 'ES', validUntil: '2030-01-12' },
    records: {
      ES: {
        givenName: 'Hamza',
        familyName: 'El Ouarrak',
        aliases: ['Abu Hamza al-Andalusi'],
        status: 'SUSPECT',
        nationalities: ['ES', 'MA'],
        opened: 2025,
        desk: 'ct',
        background:
          'Courier of the Clan Buzagran between the Rif and Belgium, suspected of moving cash for Katibat al-Muhajirín. Crossed from Ceuta into Morocco on 8 April 2026.',
        documents: [{ number: '48213776K', kind: 'IDENTITY_CARD', issuingState: 'ES', validUntil: '2030-01-12' }],
        travel: [
          {
            at: '2026-04-07T08:30:00Z',
            from: ['Madrid', 'ES'],
            to: ['Algeciras', 'ES'],
            mode: 'RAIL',
            carrier: 'Renfe',
            reference: 'ALVIA 2150',
            source: 'passenger list',
          },
          {
            at: '2026-04-07T17:00:00Z',
            from: ['Algeciras', 'ES'],
            to: ['Ceuta', 'ES'],
            mode: 'SEA',
            carrier: 'Baleària',
            reference: 'booking BA7K2Q',
            source: 'ferry manifest',
          },
          {
            at: '2026-04-08T11:20:00Z',
            from: ['Ceuta', 'ES'],
            to: ['Tangier', 'MA'],
            mode: 'BORDER_CROSSING',
            carrier: null,
            reference: 'Tarajal border post',
            source: 'border check (Guardia Civil)',
          },
        ],
        affiliations: [
          { organisation: 'bouzaghrane', role: 'courier', since: '2023-05-01' },
          { organisation: 'muhajirin', role: 'facilitator', since: '2025-09-01' },
        ],
      },
      FR: {
        givenName: 'Hamza',
        familyName: 'El Warrak',
        aliases: [],
        status: 'ASSOCIATE',
        nationalities: ['ES', 'MA'],
        opened: 2026,
        desk: 'ct',
        background: 'Took the night bus Paris-Madrid on 5 April 2026 with a Spanish passport; known to French services as a contact of Rachid Boukhenaissi.',
        travel: [
          {
            at: '2026-04-05T22:30:00Z',
            from: ['Paris', 'FR'],
            to: ['Madrid', 'ES'],
            mode: 'ROAD',
            carrier: 'FlixBus',
            reference: 'N1187',
            source: 'bus operator passenger list',
          },
        ],
      },
      BE: {
        givenName: 'Hamza',
        familyName: 'Elouarak',
        aliases: [],
        status: 'SUSPECT',
        nationalities: ['ES', 'MA'],
        opened: 2025,
        desk: 'ct',
        background: 'Stays regularly in Molenbeek with members of the Clan Bouzaghrani; left Brussels by bus for Paris on 5 April 2026.',
        travel: [
          {
            at: '2026-04-05T08:15:00Z',
            from: ['Brussels', 'BE'],
            to: ['Paris', 'FR'],
            mode: 'ROAD',
            carrier: 'FlixBus',
            reference: 'N703',
            source: 'bus operator passenger list',
          },
        ],
        affiliations: [{ organisation: 'bouzaghrane', role: 'courier', since: '2024-02-01' }],
      },
    },
  },
  {
    key: 'dzhabrailov',
    story:
      'Strasbourg -> Berlin by bus (FR), Berlin -> Vienna by night train (DE), Vienna -> Tbilisi (AT) in June-July 2026, return Tbilisi -> Vienna booked for 28 November 2026 (AT); Chechen organised crime (Vainakh group) supplying weapons to Katibat al-Muhadjirin.',
    dateOfBirth: '1988-12-02',
    passport: { number: '752418396', kind: 'PASSPORT', issuingState: 'RU', validUntil: '2028-03-15' },
    records: {
      DE: {
        givenName: 'Magomed',
        familyName: 'Dzhabrailov',
        aliases: ['Abu Umar al-Shishani'],
        status: 'CONVICTED',
        nationalities: ['RU'],
        opened: 2019,
        desk: 'ct',
        background:
          'Convicted in 2021 by the Higher Regional Court of Berlin for supporting a terrorist organisation; released in 2025. Enforcer of the Gruppe Wainach, suspected of supplying weapons to Katibat al-Muhadjirin.',
        documents: [{ number: 'YF4K8M2T7', kind: 'RESIDENCE_PERMIT', issuingState: 'DE', validUntil: '2027-06-30' }],
        travel: [
          {
            at: '2026-07-09T22:10:00Z',
            from: ['Berlin', 'DE'],
            to: ['Vienna', 'AT'],
            mode: 'RAIL',
            carrier: 'ÖBB',
            reference: 'NJ 40456',
            source: 'passenger list',
          },
        ],
        affiliations: [
          { organisation: 'vainakh', role: 'enforcer', since: '2017-01-01' },
          { organisation: 'muhajirin', role: 'weapons supplier', since: '2025-08-01' },
        ],
      },
      FR: {
        givenName: 'Magomed',
        familyName: 'Djabrailov',
        aliases: [],
        status: 'SUSPECT',
        nationalities: ['RU'],
        opened: 2026,
        desk: 'ct',
        background: 'Holds a French residence permit (refugee status) and lives near Strasbourg; linked to the Groupe Vaïnakh.',
        documents: [{ number: '6904127735', kind: 'RESIDENCE_PERMIT', issuingState: 'FR', validUntil: '2029-11-04' }],
        travel: [
          {
            at: '2026-06-28T14:00:00Z',
            from: ['Strasbourg', 'FR'],
            to: ['Berlin', 'DE'],
            mode: 'ROAD',
            carrier: 'FlixBus',
            reference: 'N2310',
            source: 'bus operator passenger list',
          },
        ],
        affiliations: [{ organisation: 'vainakh', role: 'member', since: '2020-01-01' }],
      },
      AT: {
        givenName: 'Magomed',
        familyName: 'Dzhabrailow',
        aliases: ['Magomed Dschabrailow'],
        status: 'ASSOCIATE',
        nationalities: ['RU'],
        opened: 2026,
        desk: 'ct',
        background:
          'Flew from Vienna to Tbilisi on 10 July 2026 after meeting members of the Gruppe Vainakh in Vienna; return flight booked for 28 November 2026.',
        travel: [
          {
            at: '2026-07-10T09:25:00Z',
            from: ['Vienna', 'AT'],
            to: ['Tbilisi', 'GE'],
            mode: 'AIR',
            carrier: 'Austrian Airlines',
            reference: 'OS727',
            source: PNR('AT'),
          },
          {
            at: '2026-11-28T04:40:00Z',
            from: ['Tbilisi', 'GE'],
            to: ['Vienna', 'AT'],
            mode: 'AIR',
            carrier: 'Georgian Airways',
            reference: 'A9631',
            source: 'PNR (booking, not yet flown)',
          },
        ],
        affiliations: [{ organisation: 'vainakh', role: 'member', since: '2022-01-01' }],
      },
    },
  },
  {
    key: 'begovic',
    story:
      'Sarajevo -> Vienna by bus (AT), Vienna -> Munich by car (DE), Munich -> Amsterdam by air (NL), 14-16 August 2026: a weapons supplier of the Bratstvo sa Une, an organised-crime group that also arms Katibat al-Muhajirin.',
    dateOfBirth: '1979-04-17',
    passport: { number: 'B4827163', kind: 'PASSPORT', issuingState: 'BA', validUntil: '2028-10-01' },
    records: {
      AT: {
        givenName: 'Armin',
        familyName: 'Begović',
        aliases: ['Armin Begovic'],
        status: 'ASSOCIATE',
        nationalities: ['BA'],
        opened: 2023,
        desk: 'ct',
        background: 'Member of the Bratstvo sa Une, a firearms trafficking group from the Una valley; entered Austria by bus on 14 August 2026.',
        travel: [
          {
            at: '2026-08-14T06:00:00Z',
            from: ['Sarajevo', 'BA'],
            to: ['Vienna', 'AT'],
            mode: 'ROAD',
            carrier: 'FlixBus',
            reference: 'N1502',
            source: 'border check (Spielfeld)',
          },
        ],
        affiliations: [{ organisation: 'una', role: 'weapons supplier', since: '2019-01-01' }],
      },
      DE: {
        givenName: 'Armin',
        familyName: 'Begovic',
        aliases: [],
        status: 'SUSPECT',
        nationalities: ['BA'],
        opened: 2024,
        desk: 'ct',
        background: 'Suspected of selling converted pistols to Islamist circles in Bavaria. Recorded by ANPR on the A8 on 15 August 2026.',
        travel: [
          {
            at: '2026-08-15T21:40:00Z',
            from: ['Vienna', 'AT'],
            to: ['Munich', 'DE'],
            mode: 'ROAD',
            carrier: null,
            reference: 'vehicle SA-482-K',
            source: 'ANPR hit (A8 Bad Reichenhall)',
          },
        ],
        financial: [
          {
            kind: 'MONEY_TRANSFER',
            since: '2026-08-16',
            institution: 'Ria Money Transfer, München',
            amount: 3200,
            currency: 'EUR',
            legalBasis: 'FIU Deutschland report 2026-120551 (beneficiary in Bihać, BA)',
          },
        ],
        affiliations: [{ organisation: 'una', role: 'weapons supplier', since: '2020-01-01' }],
      },
      NL: {
        givenName: 'Armin',
        familyName: 'Begowitsch',
        aliases: [],
        status: 'SUSPECT',
        nationalities: ['BA'],
        opened: 2026,
        desk: 'ct',
        background: 'Arrived at Schiphol from Munich on 16 August 2026; suspected of delivering weapons to members of Katibat al-Muhajirin in Rotterdam.',
        travel: [
          { at: '2026-08-16T07:10:00Z', from: ['Munich', 'DE'], to: ['Amsterdam', 'NL'], mode: 'AIR', carrier: 'KLM', reference: 'KL1796', source: API('NL') },
        ],
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
    story:
      'Left Stockholm for Istanbul in 2015 (SE); returned from a camp in north-eastern Syria via Erbil -> Frankfurt (DE) and Frankfurt -> Amsterdam by train (NL) on 21 May 2026.',
    dateOfBirth: '1996-01-19',
    passport: { number: 'NX8B4R6K2', kind: 'PASSPORT', issuingState: 'NL', validUntil: '2030-04-22' },
    records: {
      NL: {
        givenName: 'Samira',
        familyName: 'Al-Hamdani',
        aliases: ['Umm Yahya al-Hollandiya'],
        status: 'RETURNEE',
        nationalities: ['NL', 'SY'],
        opened: 2019,
        desk: 'ftf',
        background:
          'Lived in the territory of Katibat al-Muhajirin from 2015 and in a camp in north-eastern Syria from 2019. Returned to the Netherlands on 21 May 2026 and is being prosecuted.',
        travel: [
          {
            at: '2026-05-21T16:40:00Z',
            from: ['Frankfurt am Main', 'DE'],
            to: ['Amsterdam', 'NL'],
            mode: 'RAIL',
            carrier: 'Deutsche Bahn',
            reference: 'ICE 126',
            source: 'border check (Koninklijke Marechaussee)',
          },
        ],
        listings: [
          {
            list: NL_NATIONAL_LIST,
            listedSince: '2026-05-25',
            reason: 'participation in a terrorist organisation (returnee)',
            action: 'specific check, report to owner',
          },
        ],
        affiliations: [{ organisation: 'muhajirin', role: 'member', since: '2015-04-01' }],
      },
      DE: {
        givenName: 'Samira',
        familyName: 'Alhamdani',
        aliases: [],
        status: 'SUSPECT',
        nationalities: ['NL', 'SY'],
        opened: 2026,
        desk: 'ftf',
        background: 'Arrived at Frankfurt from Erbil on 21 May 2026 on a Dutch passport and continued to the Netherlands by train.',
        travel: [
          {
            at: '2026-05-21T05:55:00Z',
            from: ['Erbil', 'IQ'],
            to: ['Frankfurt am Main', 'DE'],
            mode: 'AIR',
            carrier: 'Lufthansa',
            reference: 'LH695',
            source: API('DE'),
          },
        ],
      },
      SE: {
        givenName: 'Samirah',
        familyName: 'al-Hamdany',
        aliases: [],
        status: 'CLOSED',
        nationalities: ['NL', 'SY'],
        opened: 2015,
        desk: 'ftf',
        background:
          'Studied in Stockholm and left for Istanbul in March 2015, believed to have joined Katibat al-Muhajiriin; Swedish case closed in 2018 after she left the country.',
        travel: [
          {
            at: '2015-03-12T10:05:00Z',
            from: ['Stockholm', 'SE'],
            to: ['Istanbul', 'TR'],
            mode: 'AIR',
            carrier: 'Turkish Airlines',
            reference: 'TK1796',
            source: PNR('SE'),
          },
        ],
        affiliations: [{ organisation: 'muhajirin', role: 'member', since: '2015-04-01' }],
      },
    },
  },
  {
    key: 'benslimane',
    story:
      'Tunis -> Palermo by ferry and Milan -> Lyon by bus (IT), September 2026; a suspicious transaction in Frankfurt (DE); Lyon -> Tunis booked for 14 November 2026 (FR); Saraya al-Qayrawan.',
    dateOfBirth: '1993-07-26',
    passport: { number: 'Z4718263', kind: 'PASSPORT', issuingState: 'TN', validUntil: '2029-12-01' },
    records: {
      IT: {
        givenName: 'Anis',
        familyName: 'Ben Slimane',
        aliases: ['Abu Qatada al-Tunisi'],
        status: 'SUSPECT',
        nationalities: ['TN'],
        opened: 2024,
        desk: 'ct',
        background:
          'Propagandist of Saraya al-Qayrawan, living in Milan on an Italian residence permit. Came back from Tunis by ferry on 2 September 2026 and left for Lyon on 5 September.',
        documents: [{ number: 'I04826137', kind: 'RESIDENCE_PERMIT', issuingState: 'IT', validUntil: '2027-03-31' }],
        travel: [
          {
            at: '2026-09-02T20:00:00Z',
            from: ['Tunis', 'TN'],
            to: ['Palermo', 'IT'],
            mode: 'SEA',
            carrier: 'Grandi Navi Veloci',
            reference: 'booking GNV448213',
            source: 'ferry manifest (Polizia di Frontiera)',
          },
          {
            at: '2026-09-05T23:15:00Z',
            from: ['Milan', 'IT'],
            to: ['Lyon', 'FR'],
            mode: 'ROAD',
            carrier: 'FlixBus',
            reference: 'N962',
            source: 'bus operator passenger list',
          },
        ],
        listings: [
          { list: nationalList('IT'), listedSince: '2025-02-17', reason: 'dissemination of terrorist propaganda', action: 'discreet check, report to owner' },
        ],
        affiliations: [{ organisation: 'qayrawan', role: 'propagandist', since: '2023-01-01' }],
      },
      FR: {
        givenName: 'Anis',
        familyName: 'Benslimane',
        aliases: [],
        status: 'SUSPECT',
        nationalities: ['TN'],
        opened: 2026,
        desk: 'ct',
        background: 'In contact with members of Saraya al-Kayrawan in Lyon since September 2026; a flight Lyon-Tunis is booked for 14 November 2026.',
        travel: [
          {
            at: '2026-11-14T07:40:00Z',
            from: ['Lyon', 'FR'],
            to: ['Tunis', 'TN'],
            mode: 'AIR',
            carrier: 'Tunisair',
            reference: 'TU817',
            source: 'PNR (booking, not yet flown)',
          },
        ],
        affiliations: [{ organisation: 'qayrawan', role: 'member', since: '2026-09-01' }],
      },
      DE: {
        givenName: 'Anis',
        familyName: 'Ben Sliman',
        aliases: [],
        status: 'ASSOCIATE',
        nationalities: ['TN'],
        opened: 2026,
        desk: 'finance',
        background: 'Paid 7,400 EUR in cash into an account in Frankfurt that forwards money to Sarayat al-Qairawan supporters.',
        financial: [
          {
            kind: 'SUSPICIOUS_TRANSACTION_REPORT',
            since: '2026-09-21',
            institution: 'Frankfurter Sparkasse',
            amount: 7400,
            currency: 'EUR',
            legalBasis: 'FIU Deutschland STR 2026-131502',
          },
        ],
        affiliations: [{ organisation: 'qayrawan', role: 'financier', since: '2026-01-01' }],
      },
    },
  },
];

/** The shared subjects a state holds, in the order they come first in its persons. */
export function sharedSubjectsOf(state: MemberState): SharedSubject[] {
  return SHARED_SUBJECTS.filter((subject) => subject.records[state] !== undefined);
}
