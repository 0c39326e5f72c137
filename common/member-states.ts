import { ConfigError } from './config-error.ts';

/** The 27 member states of the network: ISO 3166-1 alpha-2 codes (GR for Greece), as in the contract's MemberState enum. */
export const MEMBER_STATES = [
  'AT',
  'BE',
  'BG',
  'CY',
  'CZ',
  'DE',
  'DK',
  'EE',
  'ES',
  'FI',
  'FR',
  'GR',
  'HR',
  'HU',
  'IE',
  'IT',
  'LT',
  'LU',
  'LV',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SE',
  'SI',
  'SK',
] as const;

export type MemberState = (typeof MEMBER_STATES)[number];

export const MEMBER_STATE_NAMES: Record<MemberState, string> = {
  AT: 'Austria',
  BE: 'Belgium',
  BG: 'Bulgaria',
  CY: 'Cyprus',
  CZ: 'Czechia',
  DE: 'Germany',
  DK: 'Denmark',
  EE: 'Estonia',
  ES: 'Spain',
  FI: 'Finland',
  FR: 'France',
  GR: 'Greece',
  HR: 'Croatia',
  HU: 'Hungary',
  IE: 'Ireland',
  IT: 'Italy',
  LT: 'Lithuania',
  LU: 'Luxembourg',
  LV: 'Latvia',
  MT: 'Malta',
  NL: 'Netherlands',
  PL: 'Poland',
  PT: 'Portugal',
  RO: 'Romania',
  SE: 'Sweden',
  SI: 'Slovenia',
  SK: 'Slovakia',
};

/** The five states of the default demo network, in port order (4101..4105). */
export const DEMO_STATES: MemberState[] = ['NL', 'BE', 'FR', 'DE', 'ES'];

export function isMemberState(value: unknown): value is MemberState {
  return typeof value === 'string' && (MEMBER_STATES as readonly string[]).includes(value);
}

/** Parses a state code given by a person (CLI flag, config), saying what is allowed when it is wrong. */
export function parseMemberState(value: string, where: string): MemberState {
  const upper = value.trim().toUpperCase();
  if (isMemberState(upper)) return upper;
  throw new ConfigError(`${where}: '${value}' is not a member state; use one of ${MEMBER_STATES.join(' ')}`);
}
