import { MEMBER_STATES, type MemberState } from '../../../common/member-states.ts';
import { nameKeys } from '../name-match.ts';
import { documentNumberKey } from '../search.ts';
import type { Random } from './random.ts';
import { DAY, REFERENCE_MS, isoDate, isoMinute, ms, pad, randomDay, yearOf } from './dates.ts';
import type { DocumentKind, FinancialMeasureKind, SubjectStatus } from './contract-enums.ts';
import {
  BANKS,
  CITIES,
  COURTS,
  CURRENCIES,
  CURRENCY_FACTOR,
  EU_FREEZE_BASES,
  FREEZE_BASES,
  MONEY_SERVICES,
  PAN_EU_BANKS,
  contactOf,
  fiuOf,
  type Desk,
} from './state-reference.ts';
import { DEFAULT_ORIGIN_WEIGHTS, EUROPEAN, EUROPEAN_POOL, KUNYA_NAMES, NISBA, ORIGINS, ORIGIN_WEIGHTS, W, spellingVariant, type OriginKey } from './names.ts';
import { DocumentNumbers, docFormat } from './document-numbers.ts';
import { TravelGenerator, type Leg } from './travel.ts';
import { ROLES } from './organisations.ts';
import { SHARED_SUBJECTS, type CastDocument, type CastFinancial, type CastListing, type SharedSubject } from './shared-subjects.ts';
import { NL_NATIONAL_LIST, nationalList } from './national-lists.ts';
import { emptyRows, type OrganisationRef, type Row, type Rows } from './rows.ts';

// ---------------------------------------------------------------------------------------------
// The generator
// ---------------------------------------------------------------------------------------------

const OFFENCES = W(
  'participation in a terrorist organisation, financing of terrorism, preparing a terrorist offence, recruitment for terrorism, disseminating terrorist propaganda online, travel for terrorist purposes',
);
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
const LISTING_REASONS = W(
  'participation in a terrorist organisation, financing of terrorism, travel to a conflict zone to join a terrorist group, recruitment for a terrorist group, preparation of a terrorist attack, dissemination of terrorist propaganda',
);
const LISTING_ACTIONS = ['discreet check, report to owner', 'specific check, report to owner', 'arrest', 'refuse entry', 'inform owner immediately'];

export class StateGenerator {
  readonly rows = emptyRows();
  private readonly documents: DocumentNumbers;
  private readonly travel: TravelGenerator;
  private readonly counters = { document: 0, travel: 0, financial: 0, listing: 0, affiliation: 0 };
  private readonly originWeights: Array<readonly [OriginKey, number]>;
  private readonly currency: string;

  constructor(
    readonly state: MemberState,
    readonly organisations: OrganisationRef[],
    readonly sharedOrgIds: Map<string, string>,
  ) {
    const reserved = SHARED_SUBJECTS.flatMap((s) => [s.passport.number, ...Object.values(s.records).flatMap((r) => (r?.documents ?? []).map((d) => d.number))]);
    this.documents = new DocumentNumbers(MEMBER_STATES.indexOf(state), reserved);
    this.travel = new TravelGenerator(state);
    const weights: Record<OriginKey, number> = { ...DEFAULT_ORIGIN_WEIGHTS };
    for (const [key, weight] of Object.entries(ORIGIN_WEIGHTS[state] ?? {})) weights[key] = weight ?? 0;
    this.originWeights = Object.keys(weights).map((key) => [key, weights[key]] as const);
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
      id: this.id('document', 'D'),
      person_id: personId,
      number: d.number,
      number_key: documentNumberKey(d.number),
      kind: d.kind,
      issuing_state: d.issuingState,
      valid_until: d.validUntil,
    });
  }

  private addTravel(personId: string, at: number, leg: Omit<Leg, 'hours'>) {
    this.rows.travel_movements.push({
      id: this.id('travel', 'T'),
      person_id: personId,
      at: isoMinute(at),
      from_city: leg.from[0],
      from_country: leg.from[1],
      to_city: leg.to[0],
      to_country: leg.to[1],
      mode: leg.mode,
      carrier: leg.carrier,
      reference: leg.reference,
      source: leg.source,
      planned: at > REFERENCE_MS ? 1 : 0,
    });
  }

  private addFinancial(personId: string, f: CastFinancial) {
    this.rows.financial_measures.push({
      id: this.id('financial', 'F'),
      person_id: personId,
      kind: f.kind,
      since: f.since,
      institution: f.institution,
      amount: f.amount,
      currency: f.currency,
      legal_basis: f.legalBasis,
    });
  }

  private addListing(personId: string, l: CastListing) {
    this.rows.watchlist_listings.push({
      id: this.id('listing', 'L'),
      person_id: personId,
      list: l.list,
      listed_since: l.listedSince,
      reason: l.reason,
      action: l.action,
    });
  }

  addAffiliation(personId: string, organisationId: string, role: string | null, since: string | null) {
    this.rows.affiliations.push({ id: this.id('affiliation', 'A'), person_id: personId, organisation_id: organisationId, role, since });
  }

  /** A shared subject's record in this state. */
  addShared(position: number, subject: SharedSubject): void {
    const r = subject.records[this.state]!;
    const id = personId(this.state, position);
    this.addPersonCore(
      id,
      {
        given_name: r.givenName,
        family_name: r.familyName,
        date_of_birth: subject.dateOfBirth,
        status: r.status,
        background: r.background,
        ...contactOf(this.state, r.desk),
        contact_reference: `${this.state}-CT-${r.opened}-${pad(position, 6)}`,
      },
      r.aliases,
      r.nationalities,
    );
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
      nationalities = roll < 0.45 ? [state, originCountry] : roll < 0.65 ? [state] : roll < 0.75 ? [rng.pick(MEMBER_STATES), originCountry] : [originCountry];
    }
    nationalities = [...new Set(nationalities)];

    const birth = randomDay(rng, rng.chance(0.8) ? '1980-01-01' : '1958-01-01', rng.chance(0.8) ? '2004-12-31' : '2008-10-31');
    const dateOfBirth = isoDate(birth);
    const adult = yearOf(dateOfBirth) + 17;
    let status = rng.weighted<SubjectStatus>([
      ['SUSPECT', 35],
      ['FOREIGN_TERRORIST_FIGHTER', 12],
      ['RETURNEE', 10],
      ['CONVICTED', 10],
      ['ASSOCIATE', 23],
      ['CLOSED', 10],
    ]);
    // Listed persons (a separate stream, so being listed does not shift the other draws) are active cases.
    if (listed && (status === 'CLOSED' || status === 'ASSOCIATE'))
      status = listed.rng.pick(['SUSPECT', 'FOREIGN_TERRORIST_FIGHTER', 'RETURNEE', 'CONVICTED'] as const);
    const opened = Math.min(2026, Math.max(adult, rng.int(2012, 2026)));

    // Aliases: kunyas, spelling variants, other names.
    const aliases: string[] = [];
    const aliasCount = rng.weighted([
      [0, 45],
      [1, 30],
      [2, 17],
      [3, 8],
    ] as const);
    for (let i = 0; i < aliasCount; i++) {
      const kind = rng.weighted([
        ['kunya', 4],
        ['variant', 4],
        ['other', 2],
      ] as const);
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
    const affiliationCount = rng.weighted([
      [0, 60],
      [1, 32],
      [2, 8],
    ] as const);
    for (let i = 0; i < affiliationCount && this.organisations.length > 0; i++) {
      const organisation = rng.pick(this.organisations);
      if (affiliations.some((a) => a.organisation.id === organisation.id)) continue;
      affiliations.push({
        organisation,
        role: rng.pick(ROLES[organisation.kind]),
        since: isoDate(randomDay(rng, `${Math.min(2026, adult)}-01-01`, REFERENCE_MS - DAY)),
      });
    }

    let desk: Desk = status === 'FOREIGN_TERRORIST_FIGHTER' || status === 'RETURNEE' ? 'ftf' : 'ct';

    // Documents: 1-3.
    const documents: CastDocument[] = [];
    const documentCount = rng.weighted([
      [1, 55],
      [2, 33],
      [3, 12],
    ] as const);
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
    const travelCount = rng.weighted([
      [0, 30],
      [1, 12],
      [2, 14],
      [3, 14],
      [4, 11],
      [5, 7],
      [6, 5],
      [7, 4],
      [8, 3],
    ] as const);
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
      const lists =
        state === 'NL' ? ['EU 2580/2001', 'UN 1267', 'EU 2016/1686'] : [nationalList(state), nationalList(state), 'EU 2580/2001', 'UN 1267', 'EU 2016/1686'];
      const count = rng.int(1, 2);
      for (let i = 0; i < count; i++) {
        const list = rng.pick(lists);
        if (listings.some((l) => l.list === list)) continue;
        listings.push({
          list,
          listedSince: isoDate(randomDay(rng, `${Math.max(2014, adult)}-01-01`, REFERENCE_MS - DAY)),
          reason: rng.pick(LISTING_REASONS),
          action: rng.pick(LISTING_ACTIONS),
        });
      }
    }

    const background = this.background(rng, status, adult, nationalities, affiliations[0]?.organisation.name);

    if (listed) {
      const r = listed.rng;
      listings.unshift({
        list: NL_NATIONAL_LIST,
        listedSince: isoDate(randomDay(r, `${Math.max(2016, adult)}-01-01`, REFERENCE_MS - DAY)),
        reason: r.pick(LISTING_REASONS),
        action: r.pick(['discreet check, report to owner', 'specific check, report to owner', 'arrest']),
      });
      const organisation = this.organisations.find((o) => o.id === listed.organisationId)!;
      if (!affiliations.some((a) => a.organisation.id === organisation.id)) {
        affiliations.unshift({
          organisation,
          role: r.pick(ROLES[organisation.kind]),
          since: isoDate(randomDay(r, `${Math.max(2014, adult)}-01-01`, REFERENCE_MS - DAY)),
        });
      }
    }

    this.addPersonCore(
      id,
      {
        given_name: givenName,
        family_name: familyName,
        date_of_birth: dateOfBirth,
        status,
        background,
        ...contactOf(state, desk),
        contact_reference: `${state}-CT-${opened}-${pad(position, 6)}`,
      },
      aliases,
      nationalities,
    );
    for (const d of documents) this.addDocument(id, d);
    for (const { at, leg } of legs) this.addTravel(id, at, leg);
    for (const f of financial) this.addFinancial(id, f);
    for (const l of listings) this.addListing(id, l);
    for (const a of affiliations) this.addAffiliation(id, a.organisation.id, a.role, a.since);
  }

  private financialMeasure(rng: Random, adult: number): CastFinancial {
    const state = this.state;
    const kind = rng.weighted<FinancialMeasureKind>([
      ['ASSET_FREEZE', 2],
      ['CASH_WITHDRAWAL', 4],
      ['MONEY_TRANSFER', 4],
      ['SUSPICIOUS_TRANSACTION_REPORT', 3],
      ['ACCOUNT_CLOSURE', 1],
    ]);
    const since = isoDate(randomDay(rng, `${Math.max(2015, adult)}-01-01`, REFERENCE_MS - DAY));
    const year = since.slice(0, 4);
    const bank = rng.pick([...(BANKS[state] ?? []), ...(BANKS[state] ?? []), ...PAN_EU_BANKS]);
    const city = rng.pick(CITIES[state]);
    const factor = CURRENCY_FACTOR[this.currency];
    const round = (euros: number, step: number) => Math.round((euros * factor) / step) * step;
    const fiu = fiuOf(state);
    switch (kind) {
      case 'ASSET_FREEZE':
        return {
          kind,
          since,
          institution: bank,
          amount: Math.round(rng.int(50_000, 25_000_000) * factor) / 100,
          currency: this.currency,
          legalBasis: rng.pick([...(FREEZE_BASES[state] ?? []), ...EU_FREEZE_BASES]),
        };
      case 'CASH_WITHDRAWAL':
        return {
          kind,
          since,
          institution: `${bank}, ${city}`,
          amount: round(rng.int(200, 9900), 50),
          currency: this.currency,
          legalBasis: `${fiu} report ${year}/${pad(rng.int(1, 9999), 4)}`,
        };
      case 'MONEY_TRANSFER':
        return {
          kind,
          since,
          institution: `${rng.pick(MONEY_SERVICES)}, ${city}`,
          amount: round(rng.int(150, 15_000), 10),
          currency: this.currency,
          legalBasis: `${fiu} report ${year}/${pad(rng.int(1, 9999), 4)}`,
        };
      case 'SUSPICIOUS_TRANSACTION_REPORT':
        return {
          kind,
          since,
          institution: bank,
          amount: round(rng.int(2_000, 50_000), 1),
          currency: this.currency,
          legalBasis: `${fiu} STR ${year}-${pad(rng.int(1, 999_999), 6)}`,
        };
      case 'ACCOUNT_CLOSURE':
        return {
          kind,
          since,
          institution: bank,
          amount: null,
          currency: null,
          legalBasis: 'Directive (EU) 2015/849, art. 14(4) (customer due diligence not possible)',
        };
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

export function personId(state: MemberState, position: number): string {
  return `${state}-P-${pad(position, 6)}`;
}
