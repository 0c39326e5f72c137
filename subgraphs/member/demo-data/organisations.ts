import type { MemberState } from '../../../common/member-states.ts';
import { nameKeys } from '../name-match.ts';
import { Random, hashSeed } from './random.ts';
import { pad } from './dates.ts';
import type { OrganisationKind } from './contract-enums.ts';
import { contactOf } from './state-reference.ts';
import { ORIGINS, W, spellingVariant } from './names.ts';
import { SHARED_ORGANISATIONS, sharedOrganisationsOf } from './shared-organisations.ts';
import type { Row } from './rows.ts';

// ---------------------------------------------------------------------------------------------
// Organisations
// ---------------------------------------------------------------------------------------------

const LEGAL_FORMS: Partial<Record<MemberState, string[]>> = {
  NL: ['B.V.'],
  BE: ['BV', 'SRL'],
  FR: ['SARL', 'SAS'],
  DE: ['GmbH', 'UG'],
  AT: ['GmbH'],
  ES: ['S.L.'],
  IT: ['S.r.l.'],
  PT: ['Lda.'],
  LU: ['S.à r.l.'],
  SE: ['AB'],
  DK: ['ApS'],
  FI: ['Oy'],
  PL: ['sp. z o.o.'],
  CZ: ['s.r.o.'],
  SK: ['s.r.o.'],
};
const ORG_WORDS = {
  terrorPrefix: W('Katibat, Jamaat, Liwa, Harakat, Saraya, Jaysh, Ansar, Kataib, Firqat'),
  terrorCore: W(
    'al-Ghuraba al-Janubiyya, Ahl al-Thughur, al-Ribat al-Gharbi, Dar al-Hijra, al-Badiya, Suyuf al-Haqq, al-Nasr al-Qadim, Ahl al-Sham al-Urubiyin, al-Qawafil, Rijal al-Fajr, al-Huda wal-Ribat, Bayt al-Maqdis al-Urubi, Ibn Tumart, al-Murabitun al-Judud, al-Sahil al-Akhdar, Junud al-Maghrib, Usud al-Jabal, al-Rayat al-Sawda, Ahl al-Wadi, al-Bunyan al-Marsus, Nur al-Din al-Jadid, al-Furqan al-Urubi, Sayf al-Andalus, al-Mizan',
  ),
  extremistAdjective: W('Iron, Northern, Black, Eternal, White Oak, Winter, Old Order, Boreal'),
  extremistNoun: W('Dawn Division, Shield Cell, Storm Front, Legion, Brotherhood, Resistance Cell, Vanguard'),
  crimePlace: W('Rif, Nador, Tirana, Durrës, Sarajevo, Zenica, Grozny, Sandžak, Antwerp, Marseille, Delta, Ceuta, Atlas, Anatolia, Bekaa'),
  crimeType: W('Connection, Clan, Network, Syndicate, Crew, Cartel, Family'),
  facilitationPlace: W(
    'Kilis, Hatay, Gaziantep, Izmir, Edirne, Subotica, Evros, Tangier, Ceuta, Sfax, Zuwara, Agadez, Idlib, Batumi, Sabha, Misrata, Azaz, Akçakale, Reyhanlı, Van, Bihać, Velika Kladuša, Calais, Dunkirk, Lampedusa, Oujda, Nador, Melilla, Samos, Lesbos, Kos, Şanlıurfa, Shkodër, Pristina, Tabriz, Kapitan Andreevo',
  ),
  facilitationType: W(
    'Crossing Network, travel facilitators, smuggling route, document workshop, safe-house network, boat network, transfer cell, guide network',
  ),
  companyWord: W('Anatolia, Levant, Sahel, Atlas, Orient, Crescent, Baraka, Nour, Silk Road, Medina, Andalus, Bosphorus, Maghreb, Zamzam, Euphrates'),
  companyBusiness: W(
    'Trading, Cargo, Money Transfer, Import-Export, Travel, Car Export, Phone Shop, Construction, Charity Foundation, Halal Foods, Logistics, Exchange',
  ),
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

export const ROLES: Record<OrganisationKind, string[]> = {
  TERRORIST: W('member, member, member, recruiter, financier, propagandist, facilitator, fighter, leader'),
  ORGANISED_CRIME: W('member, member, courier, enforcer, money launderer, weapons supplier, leader'),
  FACILITATION_NETWORK: W('facilitator, smuggler, document forger, driver, coordinator'),
  FRONT_COMPANY: W('director, shareholder, employee, nominee director'),
};

/** The state's organisations: shared ones first (NL: the three listed ones), then generated ones. */
export function organisationRows(state: MemberState, count: number, seed: number) {
  const rng = new Random(hashSeed(`${state}:${seed}:organisations`));
  const organisations: Row<'organisations'>[] = [];
  const aliases: Row<'organisation_aliases'>[] = [];
  const keys: Row<'organisation_name_keys'>[] = [];
  const sharedIds = new Map<string, string>();
  const used = new Set<string>(SHARED_ORGANISATIONS.flatMap((o) => Object.values(o.records).map((r) => r.name)));
  const add = (name: string, kind: OrganisationKind, names: string[], opened: number) => {
    const id = `${state}-O-${pad(organisations.length + 1, 3)}`;
    organisations.push({
      id,
      name,
      kind,
      ...contactOf(state, kind === 'FRONT_COMPANY' ? 'finance' : 'ct'),
      contact_reference: `${state}-CT-${opened}-O${pad(organisations.length + 1, 3)}`,
    });
    names.forEach((alias, position) => aliases.push({ organisation_id: id, position, alias }));
    for (const key of nameKeys([name, ...names])) keys.push({ organisation_id: id, name_key: key.key, skeleton: key.skeleton });
    return id;
  };
  for (const shared of sharedOrganisationsOf(state)) {
    const record = shared.records[state]!;
    sharedIds.set(shared.key, add(record.name, shared.kind, record.aliases, 2016 + (hashSeed(shared.key + state) % 8)));
  }
  while (organisations.length < count) {
    const kind = rng.weighted<OrganisationKind>([
      ['TERRORIST', 35],
      ['ORGANISED_CRIME', 30],
      ['FACILITATION_NETWORK', 20],
      ['FRONT_COMPANY', 15],
    ]);
    let { name, aliases: orgAliases } = generatedOrganisationName(rng, kind, state);
    for (let retry = 0; used.has(name) && retry < 20; retry++) ({ name, aliases: orgAliases } = generatedOrganisationName(rng, kind, state));
    const base = name;
    for (let n = 2; used.has(name); n++) name = `${base} ${n}`;
    used.add(name);
    add(name, kind, orgAliases, rng.int(2012, 2026));
  }
  return { organisations, aliases, keys, sharedIds };
}
