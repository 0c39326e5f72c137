import type { MemberState } from '../../../common/member-states.ts';
import type { OrganisationKind } from './contract-enums.ts';

// ---------------------------------------------------------------------------------------------
// The shared cast: organisations known to several member states
// ---------------------------------------------------------------------------------------------

export interface SharedOrganisationRecord {
  name: string;
  aliases: string[];
}
export interface SharedOrganisation {
  key: string;
  kind: OrganisationKind;
  /** The name each state records, in the order states list their organisations. */
  records: Partial<Record<MemberState, SharedOrganisationRecord>>;
}

/** Organisations known to several states, under spelling variants. NL lists its first three. */
export const SHARED_ORGANISATIONS: SharedOrganisation[] = [
  {
    key: 'muhajirin',
    kind: 'TERRORIST',
    records: {
      NL: { name: 'Katibat al-Muhajirin', aliases: ['European Emigrants Brigade'] },
      BE: { name: 'Katibat al-Mouhajirine', aliases: ['Brigade des émigrés européens'] },
      FR: { name: 'Katibat el-Mouhajirine', aliases: ['Brigade des émigrés'] },
      DE: { name: 'Katibat al-Muhadjirin', aliases: ['Brigade der europäischen Auswanderer'] },
      ES: { name: 'Katibat al-Muhajirín', aliases: ['Brigada de los Emigrantes'] },
      SE: { name: 'Katibat al-Muhajiriin', aliases: [] },
    },
  },
  {
    key: 'ubur',
    kind: 'FACILITATION_NETWORK',
    records: {
      NL: { name: 'Shabakat al-Ubur', aliases: ['Kilis Crossing Network'] },
      BE: { name: 'Shabakat al-Oubour', aliases: ['Kilis-netwerk'] },
      FR: { name: 'Chabakat al-Oubour', aliases: ['réseau de Kilis'] },
      DE: { name: 'Schabakat al-Ubur', aliases: ['Kilis-Netzwerk'] },
    },
  },
  {
    key: 'anatolia',
    kind: 'FRONT_COMPANY',
    records: {
      NL: { name: 'Anatolia Exchange B.V.', aliases: ['Anatolia Geldtransfer'] },
      BE: { name: 'Anatolia Exchange BV', aliases: [] },
    },
  },
  {
    key: 'bouzaghrane',
    kind: 'ORGANISED_CRIME',
    records: {
      NL: { name: 'Clan Bouzaghrane', aliases: ['Rif-netwerk'] },
      BE: { name: 'Clan Bouzaghrani', aliases: [] },
      ES: { name: 'Clan Buzagran', aliases: ['Red del Rif'] },
    },
  },
  {
    key: 'una',
    kind: 'ORGANISED_CRIME',
    records: {
      AT: { name: 'Bratstvo sa Une', aliases: ['Una Brotherhood'] },
      DE: { name: 'Bratstwo sa Une', aliases: ['Una-Bruderschaft'] },
      NL: { name: 'Bratstvo s Une', aliases: ['Una Brotherhood'] },
    },
  },
  {
    key: 'vainakh',
    kind: 'ORGANISED_CRIME',
    records: {
      DE: { name: 'Gruppe Wainach', aliases: ['Vainakh Group'] },
      FR: { name: 'Groupe Vaïnakh', aliases: [] },
      AT: { name: 'Gruppe Vainakh', aliases: [] },
    },
  },
  {
    key: 'qayrawan',
    kind: 'TERRORIST',
    records: {
      IT: { name: 'Saraya al-Qayrawan', aliases: ['Brigate di Kairouan'] },
      FR: { name: 'Saraya al-Kayrawan', aliases: ['Brigades de Kairouan'] },
      DE: { name: 'Sarayat al-Qairawan', aliases: [] },
    },
  },
];

/** The shared organisations a state holds; for NL the three listed ones come first. */
export function sharedOrganisationsOf(state: MemberState): SharedOrganisation[] {
  return SHARED_ORGANISATIONS.filter((organisation) => organisation.records[state] !== undefined);
}
