/* eslint-disable */
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = T | null | undefined;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** ISO 8601 calendar date, e.g. 1987-04-12. */
  Date: { input: string; output: string; }
  /** ISO 8601 date and time in UTC, e.g. 2015-01-14T06:35:00Z. */
  DateTime: { input: string; output: string; }
};

/**
 * How much of a record a field discloses. Every member state releases a tier per partner state
 * (its release policy); the owner's own callers always get FULL.
 * - HIT: only that a record exists, who holds it and whom to contact.
 * - SUMMARY: identity summary (names, date of birth, nationalities, status).
 * - FULL: documents, travel, financial measures, listings, affiliations, background.
 */
export type DisclosureTier =
  | 'FULL'
  | 'HIT'
  | 'SUMMARY';

/** Kinds of identity document. */
export type DocumentKind =
  | 'DRIVING_LICENCE'
  | 'IDENTITY_CARD'
  | 'PASSPORT'
  | 'RESIDENCE_PERMIT'
  | 'VISA';

/** Kinds of financial measure or observed financial activity. */
export type FinancialMeasureKind =
  /** Accounts closed or services refused by an institution. */
  | 'ACCOUNT_CLOSURE'
  /** Funds and economic resources frozen under a legal basis. */
  | 'ASSET_FREEZE'
  /** A cash withdrawal observed or reported by an institution. */
  | 'CASH_WITHDRAWAL'
  /** A money transfer (bank, money service business, hawala) observed or reported. */
  | 'MONEY_TRANSFER'
  /** A suspicious transaction report filed by an obliged entity. */
  | 'SUSPICIOUS_TRANSACTION_REPORT';

/** Europol SIENA handling codes: what the recipient may do with a record or fact without asking the owner. */
export type HandlingCode =
  /** May be used for any purpose of the recipient's mandate, judicial proceedings included. */
  | 'H0'
  /** Not to be used as evidence in judicial proceedings without the owner's permission. */
  | 'H1'
  /** No action (arrest, search, disclosure to third parties) without the owner's permission. */
  | 'H2'
  /** Other restrictions, stated in `restriction`. */
  | 'H3';

/**
 * Accuracy of the information (the Europol/Interpol 4x4 evaluation), codes 1 to 4 as words
 * (GraphQL enum values cannot start with a digit).
 */
export type InformationAccuracy =
  /** 4: not known personally to the source and cannot be corroborated. */
  | 'FOUR'
  /** 1: known to be true without reservation. */
  | 'ONE'
  /** 3: not known personally to the source but corroborated by information already recorded. */
  | 'THREE'
  /** 2: known personally to the source but not to the official passing it on. */
  | 'TWO';

export type LinkConfidence =
  /** One record: nothing was linked. */
  | 'SINGLE_RECORD'
  /** Every record is linked through an identity document key. */
  | 'STRONG'
  /** At least one record is linked only by name and date of birth. */
  | 'WEAK';

/** What a match key is derived from. */
export type MatchKeyKind =
  /** An identity document: its number (spaces and case removed) with its issuing state. Released with Person.documents. */
  | 'DOCUMENT'
  /** The name's consonant skeleton (spelling variants agree) with the date of birth. Released with Person.givenName, familyName and dateOfBirth. */
  | 'NAME_DOB';

/** The 27 member states of the network, by ISO 3166-1 alpha-2 code (GR for Greece). */
export type MemberState =
  | 'AT'
  | 'BE'
  | 'BG'
  | 'CY'
  | 'CZ'
  | 'DE'
  | 'DK'
  | 'EE'
  | 'ES'
  | 'FI'
  | 'FR'
  | 'GR'
  | 'HR'
  | 'HU'
  | 'IE'
  | 'IT'
  | 'LT'
  | 'LU'
  | 'LV'
  | 'MT'
  | 'NL'
  | 'PL'
  | 'PT'
  | 'RO'
  | 'SE'
  | 'SI'
  | 'SK';

/**
 * Search criteria for organisations. Give at least one. The name is matched as tolerantly as person
 * names, aliases included.
 */
export type OrganisationFilter = {
  /** Kind of organisation. */
  kind?: InputMaybe<OrganisationKind>;
  /** Name or alias of the organisation, in any spelling variant. */
  name?: InputMaybe<Scalars['String']['input']>;
};

/** Kinds of organisation. */
export type OrganisationKind =
  | 'FACILITATION_NETWORK'
  | 'FRONT_COMPANY'
  | 'ORGANISED_CRIME'
  | 'TERRORIST';

/**
 * Search criteria for persons. Give at least one. The name is matched tolerantly: case, diacritics,
 * word order, hyphens, doubled letters and common transliteration variants do not matter
 * ("ABAOUD Abdelhamid" finds "Abdelhamid Abaaoud"); best matches come first.
 */
export type PersonFilter = {
  /** Exact date of birth. */
  dateOfBirth?: InputMaybe<Scalars['Date']['input']>;
  /** Exact identity document number (spaces and case do not matter). */
  documentNumber?: InputMaybe<Scalars['String']['input']>;
  /**
   * Held on a watchlist whose name contains this text, ignoring case: e.g. "NL national terrorism
   * list", or "UN 1267". Searching by it reveals listings: an owner allows it to callers it releases
   * Person.listings to.
   */
  listedOn?: InputMaybe<Scalars['String']['input']>;
  /** Any part of the name, in any order and spelling variant: given names, family name or alias. */
  name?: InputMaybe<Scalars['String']['input']>;
  /** ISO 3166-1 alpha-2 nationality, e.g. BE. */
  nationality?: InputMaybe<Scalars['String']['input']>;
  /**
   * Linked to an organisation: the owner's id of the organisation record, or its name or alias (in any
   * spelling variant, as names are matched). Searching by it reveals affiliations: an owner allows it
   * to callers it releases Person.affiliations to.
   */
  organisation?: InputMaybe<Scalars['String']['input']>;
  /** Subject status. */
  status?: InputMaybe<SubjectStatus>;
  /**
   * Travelled from or to a place, or announced a trip there. Searching by it reveals travel: an owner
   * allows it to callers it releases Person.travel to.
   */
  travelPlace?: InputMaybe<TravelPlaceFilter>;
};

/** Reliability of the source (the Europol/Interpol 4x4 evaluation). */
export type SourceReliability =
  /** No doubt about the source's authenticity, trustworthiness and competence, or a source that proved reliable in all instances. */
  | 'A'
  /** A source that proved reliable in most instances. */
  | 'B'
  /** A source that proved unreliable in most instances. */
  | 'C'
  /** Reliability cannot be assessed. */
  | 'X';

export type SubjectAlertKind =
  /** Assets frozen in one state, cash withdrawn or money transferred in another on or after the freeze. */
  | 'FREEZE_EVASION'
  /** A link to an organised-crime group. */
  | 'ORGANISED_CRIME_LINK'
  /** A booked (planned) trip departing within the next 30 days. */
  | 'PLANNED_TRIP';

/** Where a subject stands in the owner's records. */
export type SubjectStatus =
  /** Known contact or facilitator of a subject. */
  | 'ASSOCIATE'
  /** No longer of interest; kept for the record. */
  | 'CLOSED'
  /** Convicted of a terrorist offence. */
  | 'CONVICTED'
  /** Travelled or tried to travel to join a terrorist group abroad. */
  | 'FOREIGN_TERRORIST_FIGHTER'
  /** A foreign terrorist fighter who came back. */
  | 'RETURNEE'
  /** Investigated for terrorist offences. */
  | 'SUSPECT';

/** How a journey was made. */
export type TravelMode =
  | 'AIR'
  | 'BORDER_CROSSING'
  | 'RAIL'
  | 'ROAD'
  | 'SEA';

/** A place a person travelled from or to (either end of a movement). Give a city, a country or both. */
export type TravelPlaceFilter = {
  /** City name, ignoring case, e.g. Gaziantep. */
  city?: InputMaybe<Scalars['String']['input']>;
  /** ISO 3166-1 alpha-2 country, e.g. TR. */
  country?: InputMaybe<Scalars['String']['input']>;
  /** Movements on or after this date. */
  from?: InputMaybe<Scalars['Date']['input']>;
  /** Only announced trips that have not happened yet (planned: true). */
  plannedOnly?: InputMaybe<Scalars['Boolean']['input']>;
  /** Movements on or before this date. */
  until?: InputMaybe<Scalars['Date']['input']>;
};

export type CheckTravellerQueryVariables = Exact<{
  documentNumber: Scalars['String']['input'];
  travelSince?: InputMaybe<Scalars['Date']['input']>;
}>;


export type CheckTravellerQuery = { __typename?: 'Query', persons: Array<{ __typename?: 'Person', memberState: MemberState, id: string, givenName?: string | null, familyName?: string | null, aliases?: Array<string> | null, dateOfBirth?: string | null, nationalities?: Array<string> | null, status?: SubjectStatus | null, background?: string | null, contact: { __typename?: 'ContactPoint', agency: string, unit?: string | null, email?: string | null, phone?: string | null, reference: string }, documents?: Array<{ __typename?: 'IdentityDocument', number: string, kind: DocumentKind, issuingState: string, validUntil?: string | null }> | null, travel?: Array<{ __typename?: 'TravelMovement', at: string, mode: TravelMode, carrier?: string | null, reference?: string | null, source?: string | null, planned: boolean, from: { __typename?: 'Place', city: string, country: string }, to: { __typename?: 'Place', city: string, country: string } }> | null, listings?: Array<{ __typename?: 'WatchlistListing', list: string, listedSince: string, reason?: string | null, action?: string | null }> | null, financialMeasures?: Array<{ __typename?: 'FinancialMeasure', kind: FinancialMeasureKind, since: string, institution?: string | null, amount?: number | null, currency?: string | null, legalBasis?: string | null }> | null }> };


export const CheckTravellerDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CheckTraveller"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"documentNumber"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"travelSince"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Date"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"persons"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"documentNumber"},"value":{"kind":"Variable","name":{"kind":"Name","value":"documentNumber"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"memberState"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"contact"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agency"}},{"kind":"Field","name":{"kind":"Name","value":"unit"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"phone"}},{"kind":"Field","name":{"kind":"Name","value":"reference"}}]}},{"kind":"Field","name":{"kind":"Name","value":"givenName"}},{"kind":"Field","name":{"kind":"Name","value":"familyName"}},{"kind":"Field","name":{"kind":"Name","value":"aliases"}},{"kind":"Field","name":{"kind":"Name","value":"dateOfBirth"}},{"kind":"Field","name":{"kind":"Name","value":"nationalities"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"documents"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"issuingState"}},{"kind":"Field","name":{"kind":"Name","value":"validUntil"}}]}},{"kind":"Field","name":{"kind":"Name","value":"travel"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"since"},"value":{"kind":"Variable","name":{"kind":"Name","value":"travelSince"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"from"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"city"}},{"kind":"Field","name":{"kind":"Name","value":"country"}}]}},{"kind":"Field","name":{"kind":"Name","value":"to"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"city"}},{"kind":"Field","name":{"kind":"Name","value":"country"}}]}},{"kind":"Field","name":{"kind":"Name","value":"mode"}},{"kind":"Field","name":{"kind":"Name","value":"carrier"}},{"kind":"Field","name":{"kind":"Name","value":"reference"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"planned"}}]}},{"kind":"Field","name":{"kind":"Name","value":"listings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"list"}},{"kind":"Field","name":{"kind":"Name","value":"listedSince"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"action"}}]}},{"kind":"Field","name":{"kind":"Name","value":"financialMeasures"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"since"}},{"kind":"Field","name":{"kind":"Name","value":"institution"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"legalBasis"}}]}},{"kind":"Field","name":{"kind":"Name","value":"background"}}]}}]}}]} as unknown as DocumentNode<CheckTravellerQuery, CheckTravellerQueryVariables>;