import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { CLEARANCES, PURPOSES, isClearance, isPurpose, type Clearance, type Purpose } from '../../common/caller.ts';
import { isMemberState, MEMBER_STATES, type MemberState } from '../../common/member-states.ts';
import { fieldTiers, TIERS, isTier, type Tier } from './tiers.ts';

/** A member state's own release rules (config/policies/<STATE>.yaml). */
export interface ReleasePolicy {
  memberState: MemberState;
  /** Tier released to partners not listed in `partners`. */
  defaultTier: Tier;
  partners: Partial<Record<MemberState, Tier>>;
  /** Narrower rules per field ("Type.field"), for every caller. */
  fields: Record<string, FieldRule>;
  /** Where the policy came from, for messages. */
  source: string;
}

export interface FieldRule { minClearance?: Clearance; roles?: string[]; purposes?: Purpose[] }

/** A policy file that cannot be used: the message names the file, key and value. */
export class PolicyError extends Error {}

/** The policy of a state that has no file: hits only, to every partner. */
export function defaultPolicy(state: MemberState): ReleasePolicy {
  return { memberState: state, defaultTier: 'HIT', partners: {}, fields: {}, source: `built-in default policy of ${state}` };
}

export function policyPath(dir: string, state: MemberState): string {
  return `${dir.replace(/\/$/, '')}/${state}.yaml`;
}

/** Reads and validates `<dir>/<STATE>.yaml`; a state without a file gets defaultPolicy. */
export function loadReleasePolicy(dir: string, state: MemberState): ReleasePolicy {
  const file = policyPath(dir, state);
  if (!existsSync(file)) return defaultPolicy(state);
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new PolicyError(`${file}: not valid YAML (${(error as Error).message.split('\n')[0]}); fix the file`);
  }
  return validatePolicy(raw, file, state);
}

export function validatePolicy(raw: unknown, file: string, state: MemberState): ReleasePolicy {
  const fail = (key: string, value: unknown, expected: string): never => {
    throw new PolicyError(`${file}: ${key} is ${JSON.stringify(value)}; expected ${expected}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('the document', raw, 'a mapping with memberState, defaultTier, partners, fields');
  const doc = raw as Record<string, unknown>;
  for (const key of Object.keys(doc)) {
    if (!['memberState', 'defaultTier', 'partners', 'fields'].includes(key)) fail(`key '${key}'`, doc[key], 'one of memberState, defaultTier, partners, fields');
  }
  if (doc.memberState !== state) fail('memberState', doc.memberState, `'${state}' (the state this file belongs to)`);
  if (!isTier(doc.defaultTier)) fail('defaultTier', doc.defaultTier, `one of ${TIERS.join(', ')}`);
  const partners: ReleasePolicy['partners'] = {};
  const rawPartners = doc.partners ?? {};
  if (typeof rawPartners !== 'object' || Array.isArray(rawPartners)) fail('partners', rawPartners, 'a mapping of state code to tier, e.g. BE: FULL');
  for (const [partner, tier] of Object.entries(rawPartners as object)) {
    if (!isMemberState(partner)) fail(`partners key '${partner}'`, partner, `a member state code (${MEMBER_STATES.join(' ')})`);
    if (!isTier(tier)) fail(`partners.${partner}`, tier, `one of ${TIERS.join(', ')}`);
    partners[partner as MemberState] = tier as Tier;
  }
  const tiers = fieldTiers();
  const fields: Record<string, FieldRule> = {};
  const rawFields = doc.fields ?? {};
  if (typeof rawFields !== 'object' || Array.isArray(rawFields)) fail('fields', rawFields, "a mapping of 'Type.field' to rules");
  for (const [field, rule] of Object.entries(rawFields as object)) {
    if (!tiers.has(field)) fail(`fields key '${field}'`, field, `a field of the contract with a tier, e.g. ${[...tiers.keys()].slice(3, 6).join(', ')}`);
    if (typeof rule !== 'object' || rule === null) fail(`fields.${field}`, rule, 'a mapping with minClearance, roles and/or purposes');
    const r = rule as Record<string, unknown>;
    const parsed: FieldRule = {};
    for (const key of Object.keys(r)) {
      if (key === 'minClearance') {
        if (!isClearance(r.minClearance)) fail(`fields.${field}.minClearance`, r.minClearance, `one of ${CLEARANCES.join(', ')}`);
        parsed.minClearance = r.minClearance as Clearance;
      } else if (key === 'roles') {
        if (!Array.isArray(r.roles) || r.roles.length === 0 || !r.roles.every((x) => typeof x === 'string' && x.length > 0)) fail(`fields.${field}.roles`, r.roles, 'a non-empty list of role names');
        parsed.roles = r.roles as string[];
      } else if (key === 'purposes') {
        if (!Array.isArray(r.purposes) || r.purposes.length === 0 || !r.purposes.every(isPurpose)) fail(`fields.${field}.purposes`, r.purposes, `a non-empty list of ${PURPOSES.join(', ')}`);
        parsed.purposes = r.purposes as Purpose[];
      } else {
        fail(`fields.${field} key '${key}'`, r[key], 'minClearance, roles or purposes');
      }
    }
    fields[field] = parsed;
  }
  return { memberState: state, defaultTier: doc.defaultTier as Tier, partners, fields, source: file };
}
