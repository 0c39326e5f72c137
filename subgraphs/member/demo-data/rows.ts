import type { Insertable } from 'kysely';
import type { Database } from '../store-schema.ts';
import type { OrganisationKind } from './contract-enums.ts';

// ---------------------------------------------------------------------------------------------
// Row bundles
// ---------------------------------------------------------------------------------------------

export type Row<T extends keyof Database> = Insertable<Database[T]>;

export interface Rows {
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

export const emptyRows = (): Rows => ({
  persons: [],
  person_aliases: [],
  person_nationalities: [],
  person_name_keys: [],
  identity_documents: [],
  travel_movements: [],
  financial_measures: [],
  watchlist_listings: [],
  affiliations: [],
});

/** Parent tables first: the order rows are inserted in (foreign keys). */
export const PERSON_TABLES = [
  'persons',
  'person_aliases',
  'person_nationalities',
  'person_name_keys',
  'identity_documents',
  'travel_movements',
  'financial_measures',
  'watchlist_listings',
  'affiliations',
] as const;

export interface OrganisationRef {
  id: string;
  kind: OrganisationKind;
  name: string;
}
