import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../../common/config-error.ts';
import { YamlFile, isHttpUrl, isIntegerIn, isPlainObject } from '../../common/yaml-file.ts';
import type { HitNotificationRule, NotificationWebhook } from './hit-notifications.ts';
import type { SearchBudget } from './search-budget.ts';
import { SEARCH_CRITERIA, isCriterion, type SearchField, type SearchForm, type SearchProfileOverrides } from './search-profile.ts';
import { CLEARANCES, PURPOSES, isClearance, isPurpose, type Clearance, type Purpose } from '../../common/caller.ts';
import { isMemberState, MEMBER_STATES, type MemberState } from '../../common/member-states.ts';
import { fieldTiers, TIERS, isTier, type Tier } from './tiers.ts';
import { MATCH_KEY_KINDS, isMatchKeyKind, type LinkingRule, type MatchKeyKind } from './match-keys.ts';
import { OVERDUE_MODES, SUBJECT_STATUSES as REVIEW_STATUSES, parseReviewPeriod, type OverdueMode, type ReviewPolicy, type SubjectStatus } from './review.ts';

/** A member state's own release rules (config/policies/<STATE>.yaml). */
export interface ReleasePolicy {
  memberState: MemberState;
  /** Tier released to partners not listed in `partners`. */
  defaultTier: Tier;
  partners: Partial<Record<MemberState, Tier>>;
  /** Narrower rules per field ("Type.field"), for every caller. */
  fields: Record<string, FieldRule>;
  /** Which criteria each tier may search by (search-profile.ts); unlisted (field, tier) pairs keep the defaults. */
  searchProfiles?: SearchProfileOverrides;
  /** Searches per hour and per day by tier (search-budget.ts); unlisted tiers keep the defaults. */
  searchBudgets?: Partial<Record<Tier, SearchBudget>>;
  /** Which records tell the owner when a partner's request hits them (hit-notifications.ts); none when absent. */
  notifyOnHits?: HitNotificationRule;
  /** Where notifications are pushed, signed with the secret in secretFile; stored only when absent. */
  notifyWebhook?: NotificationWebhook;
  /** How long the state's audit log keeps entries (`auditRetention: 3y`, `180d`); absent: DEFAULT_AUDIT_RETENTION_MS (three years). */
  auditRetentionMs?: number;
  /**
   * Narrower rules per kind of match key (`linking:`): by default a key is released to every caller
   * the owner releases its source fields to (match-keys.ts KEY_SOURCES); a rule here narrows that.
   */
  linking?: Partial<Record<MatchKeyKind, LinkingRule>>;
  /**
   * Review dates (review.ts, LED Art. 5): the review period per status that records without a date of
   * their own get, and what partners get of an overdue record (`withhold` or `hits-only`).
   */
  review?: ReviewPolicy;
  /** Where the policy came from, for messages. */
  source: string;
}

export interface FieldRule {
  minClearance?: Clearance;
  roles?: string[];
  purposes?: Purpose[];
}

/** The policy of a state that has no file: hits only, to every partner. */
export function defaultPolicy(state: MemberState): ReleasePolicy {
  return { memberState: state, defaultTier: 'HIT', partners: {}, fields: {}, source: `built-in default policy of ${state}` };
}

export function policyPath(dir: string, state: MemberState): string {
  return join(dir, `${state}.yaml`);
}

/**
 * Reads and validates `<dir>/<STATE>.yaml`. A state without a file gets defaultPolicy (hits only);
 * a folder that does not exist is a start-up error, never a silent "release hits only".
 */
export function loadReleasePolicy(dir: string, state: MemberState): ReleasePolicy {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ConfigError(`--policies ${dir}: no such folder; give the folder holding the release policies (<STATE>.yaml), e.g. config/policies`);
  }
  const file = policyPath(dir, state);
  if (!existsSync(file)) return defaultPolicy(state);
  return validatePolicy(YamlFile.read(file, 'release policy'), state);
}

/** Parses a policy from its text (tests, tools); `file` names it in messages. */
export function parseReleasePolicy(text: string, file: string, state: MemberState): ReleasePolicy {
  return validatePolicy(YamlFile.parse(text, file), state);
}

const POLICY_KEYS = [
  'memberState',
  'defaultTier',
  'partners',
  'fields',
  'searchProfiles',
  'searchBudgets',
  'notifyOnHits',
  'notifyWebhook',
  'auditRetention',
  'linking',
  'review',
] as const;
const FORM_KEYS = ['all', 'also', 'exactNames', 'roles', 'purposes'] as const;
const RULE_KEYS = ['minClearance', 'roles', 'purposes'] as const;

function validatePolicy(y: YamlFile, state: MemberState): ReleasePolicy {
  const doc = y.data;
  if (!isPlainObject(doc)) throw y.bad([], doc, `is not a release policy; expected a mapping with ${POLICY_KEYS.join(', ')}`);
  y.onlyKeys([], doc, POLICY_KEYS);
  if (doc.memberState !== state)
    throw y.bad(['memberState'], doc.memberState, `is not this file's state; expected '${state}' (the state this file belongs to)`);
  const defaultTier = doc.defaultTier;
  if (!isTier(defaultTier)) throw y.bad(['defaultTier'], defaultTier, `is not a tier; expected one of ${TIERS.join(', ')}`);

  const partners: ReleasePolicy['partners'] = {};
  const rawPartners = doc.partners ?? {};
  if (!isPlainObject(rawPartners)) throw y.bad(['partners'], rawPartners, 'is not a mapping; expected state code to tier, e.g. BE: FULL');
  for (const [partner, tier] of Object.entries(rawPartners)) {
    if (!isMemberState(partner)) throw y.bad(['partners', partner], partner, `is not a member state code; expected one of ${MEMBER_STATES.join(' ')}`);
    if (!isTier(tier)) throw y.bad(['partners', partner], tier, `is not a tier; expected one of ${TIERS.join(', ')}`);
    partners[partner] = tier;
  }

  const tiers = fieldTiers();
  const fields: Record<string, FieldRule> = {};
  const rawFields = doc.fields ?? {};
  if (!isPlainObject(rawFields)) throw y.bad(['fields'], rawFields, "is not a mapping; expected 'Type.field' to rules");
  for (const [field, rule] of Object.entries(rawFields)) {
    const at = ['fields', field];
    if (!tiers.has(field)) throw y.bad(at, field, `is not a field of the contract with a tier; expected e.g. ${[...tiers.keys()].slice(3, 6).join(', ')}`);
    if (!isPlainObject(rule)) throw y.bad(at, rule, `is not a rule; expected a mapping with ${RULE_KEYS.join(', ')}`);
    y.onlyKeys(at, rule, RULE_KEYS);
    const parsed: FieldRule = {};
    if (rule.minClearance !== undefined) {
      if (!isClearance(rule.minClearance))
        throw y.bad([...at, 'minClearance'], rule.minClearance, `is not a clearance; expected one of ${CLEARANCES.join(', ')}`);
      parsed.minClearance = rule.minClearance;
    }
    if (rule.roles !== undefined) {
      const roles = rule.roles;
      if (!isNonEmptyList(roles, (x): x is string => typeof x === 'string' && x.length > 0))
        throw y.bad([...at, 'roles'], roles, 'is not a list of roles; expected a non-empty list of role names');
      parsed.roles = roles;
    }
    if (rule.purposes !== undefined) {
      const purposes = rule.purposes;
      if (!isNonEmptyList(purposes, isPurpose))
        throw y.bad([...at, 'purposes'], purposes, `is not a list of purposes; expected a non-empty list of ${PURPOSES.join(', ')}`);
      parsed.purposes = purposes;
    }
    fields[field] = parsed;
  }
  const searchProfiles = doc.searchProfiles === undefined ? undefined : validateSearchProfiles(y, doc.searchProfiles);
  const searchBudgets = doc.searchBudgets === undefined ? undefined : validateSearchBudgets(y, doc.searchBudgets);
  return {
    memberState: state,
    defaultTier,
    partners,
    fields,
    ...(searchProfiles ? { searchProfiles } : {}),
    ...(searchBudgets ? { searchBudgets } : {}),
    ...(doc.notifyOnHits === undefined ? {} : { notifyOnHits: validateNotifyOnHits(y, doc.notifyOnHits) }),
    ...(doc.notifyWebhook === undefined ? {} : { notifyWebhook: validateWebhook(y, doc.notifyWebhook) }),
    ...(doc.auditRetention === undefined ? {} : { auditRetentionMs: validateRetention(y, doc.auditRetention) }),
    ...(doc.linking === undefined ? {} : { linking: validateLinking(y, doc.linking) }),
    ...(doc.review === undefined ? {} : { review: validateReview(y, doc.review) }),
    source: y.file,
  };
}

function validateSearchProfiles(y: YamlFile, raw: unknown): SearchProfileOverrides {
  const fieldsList = Object.keys(SEARCH_CRITERIA).join(', ');
  if (!isPlainObject(raw)) throw y.bad(['searchProfiles'], raw, `is not a mapping; expected a search field (${fieldsList}) to tiers to forms`);
  const profiles: SearchProfileOverrides = {};
  for (const [field, byTier] of Object.entries(raw)) {
    if (!(field in SEARCH_CRITERIA)) throw y.bad(['searchProfiles', field], field, `is not a search field; expected one of ${fieldsList}`);
    const searchField = field as SearchField;
    const criteria = Object.keys(SEARCH_CRITERIA[searchField]);
    if (!isPlainObject(byTier)) throw y.bad(['searchProfiles', field], byTier, `is not a mapping; expected tiers (${TIERS.join(', ')}) to lists of forms`);
    const tiers: Partial<Record<Tier, SearchForm[]>> = {};
    for (const [tier, forms] of Object.entries(byTier)) {
      const at = ['searchProfiles', field, tier];
      if (!isTier(tier)) throw y.bad(at, tier, `is not a tier; expected one of ${TIERS.join(', ')}`);
      if (!Array.isArray(forms))
        throw y.bad(at, forms, 'is not a list of forms; expected e.g. - all: [name, dateOfBirth] (an empty list: this tier may not search)');
      tiers[tier] = forms.map((entry: unknown, i) => {
        const here = [...at, i];
        if (!isPlainObject(entry)) throw y.bad(here, entry, `is not a form; expected a mapping with ${FORM_KEYS.join(', ')}`);
        y.onlyKeys(here, entry, FORM_KEYS);
        const list = (key: 'all' | 'also'): string[] => {
          const value = entry[key] ?? [];
          if (!Array.isArray(value) || !value.every((c) => isCriterion(searchField, c))) {
            throw y.bad([...here, key], value, `is not a list of criteria of ${field}; expected some of ${criteria.join(', ')}`);
          }
          return value as string[];
        };
        const parsed: SearchForm = { all: list('all'), also: list('also'), exactNames: false };
        if (parsed.all.length + parsed.also.length === 0) throw y.error(here, 'names no criterion; give all: and/or also:');
        if (entry.exactNames !== undefined) {
          if (typeof entry.exactNames !== 'boolean') throw y.bad([...here, 'exactNames'], entry.exactNames, 'is not true or false');
          parsed.exactNames = entry.exactNames;
        }
        if (entry.roles !== undefined) {
          if (!isNonEmptyList(entry.roles, (x): x is string => typeof x === 'string' && x.length > 0))
            throw y.bad([...here, 'roles'], entry.roles, 'is not a non-empty list of role names');
          parsed.roles = entry.roles;
        }
        if (entry.purposes !== undefined) {
          if (!isNonEmptyList(entry.purposes, isPurpose))
            throw y.bad([...here, 'purposes'], entry.purposes, `is not a non-empty list of ${PURPOSES.join(', ')}`);
          parsed.purposes = entry.purposes;
        }
        return parsed;
      });
    }
    profiles[searchField] = tiers;
  }
  return profiles;
}

const LINKING_KEYS = ['partners', 'minClearance', 'roles', 'purposes'] as const;

/** `linking:` a kind of match key (DOCUMENT, NAME_DOB) to a rule narrowing who gets it. */
function validateLinking(y: YamlFile, raw: unknown): Partial<Record<MatchKeyKind, LinkingRule>> {
  if (!isPlainObject(raw)) throw y.bad(['linking'], raw, `is not a mapping; expected a kind of match key (${MATCH_KEY_KINDS.join(', ')}) to a rule`);
  const linking: Partial<Record<MatchKeyKind, LinkingRule>> = {};
  for (const [kind, rule] of Object.entries(raw)) {
    const at = ['linking', kind];
    if (!isMatchKeyKind(kind)) throw y.bad(at, kind, `is not a kind of match key; expected one of ${MATCH_KEY_KINDS.join(', ')}`);
    if (!isPlainObject(rule)) throw y.bad(at, rule, `is not a rule; expected a mapping with ${LINKING_KEYS.join(', ')}`);
    y.onlyKeys(at, rule, LINKING_KEYS);
    const parsed: LinkingRule = {};
    if (rule.partners !== undefined) {
      // An empty list is allowed: the key links for the owner's own callers only.
      if (!Array.isArray(rule.partners) || !rule.partners.every(isMemberState))
        throw y.bad(
          [...at, 'partners'],
          rule.partners,
          `is not a list of member states; expected e.g. [BE, FR] (of ${MEMBER_STATES.join(' ')}), or [] for own callers only`,
        );
      parsed.partners = rule.partners;
    }
    if (rule.minClearance !== undefined) {
      if (!isClearance(rule.minClearance))
        throw y.bad([...at, 'minClearance'], rule.minClearance, `is not a clearance; expected one of ${CLEARANCES.join(', ')}`);
      parsed.minClearance = rule.minClearance;
    }
    if (rule.roles !== undefined) {
      if (!isNonEmptyList(rule.roles, (x): x is string => typeof x === 'string' && x.length > 0))
        throw y.bad([...at, 'roles'], rule.roles, 'is not a list of roles; expected a non-empty list of role names');
      parsed.roles = rule.roles;
    }
    if (rule.purposes !== undefined) {
      if (!isNonEmptyList(rule.purposes, isPurpose))
        throw y.bad([...at, 'purposes'], rule.purposes, `is not a list of purposes; expected a non-empty list of ${PURPOSES.join(', ')}`);
      parsed.purposes = rule.purposes;
    }
    linking[kind] = parsed;
  }
  return linking;
}

/** `review: { defaults: { SUSPECT: 1y, ... }, overdue: withhold | hits-only }` (review.ts). */
function validateReview(y: YamlFile, raw: unknown): ReviewPolicy {
  const at = ['review'];
  if (!isPlainObject(raw)) throw y.bad(at, raw, `is not a mapping; expected { defaults: { SUSPECT: 1y, ... }, overdue: ${OVERDUE_MODES.join(' | ')} }`);
  y.onlyKeys(at, raw, ['defaults', 'overdue']);
  const defaults: ReviewPolicy['defaults'] = {};
  const rawDefaults = raw.defaults ?? {};
  if (!isPlainObject(rawDefaults)) throw y.bad([...at, 'defaults'], rawDefaults, 'is not a mapping; expected a status to a review period, e.g. SUSPECT: 1y');
  for (const [status, period] of Object.entries(rawDefaults)) {
    if (!(REVIEW_STATUSES as readonly string[]).includes(status))
      throw y.bad([...at, 'defaults', status], status, `is not a status; expected one of ${REVIEW_STATUSES.join(', ')}`);
    const parsed = parseReviewPeriod(period);
    if (!parsed)
      throw y.bad(
        [...at, 'defaults', status],
        period,
        'is not a review period; expected a whole number of days, weeks, months or years, e.g. 1y, 6m, 26w or 90d',
      );
    defaults[status as SubjectStatus] = parsed;
  }
  let overdue: OverdueMode | undefined;
  if (raw.overdue !== undefined) {
    if (!(OVERDUE_MODES as readonly unknown[]).includes(raw.overdue))
      throw y.bad(
        [...at, 'overdue'],
        raw.overdue,
        `is not what happens to overdue records; expected withhold (partners do not get them at all) or hits-only (partners get HIT-tier fields only)`,
      );
    overdue = raw.overdue as OverdueMode;
  }
  return { defaults, ...(overdue ? { overdue } : {}) };
}

const SUBJECT_STATUSES = ['SUSPECT', 'FOREIGN_TERRORIST_FIGHTER', 'RETURNEE', 'CONVICTED', 'ASSOCIATE', 'CLOSED'];

function validateNotifyOnHits(y: YamlFile, raw: unknown): HitNotificationRule {
  const at = ['notifyOnHits'];
  if (!isPlainObject(raw)) throw y.bad(at, raw, 'is not a mapping; expected all, statuses and/or listed, e.g. { listed: true }');
  y.onlyKeys(at, raw, ['all', 'statuses', 'listed']);
  for (const key of ['all', 'listed'] as const) {
    if (raw[key] !== undefined && typeof raw[key] !== 'boolean') throw y.bad([...at, key], raw[key], 'is not true or false');
  }
  const statuses = raw.statuses ?? [];
  if (!Array.isArray(statuses) || !statuses.every((s) => typeof s === 'string' && SUBJECT_STATUSES.includes(s))) {
    throw y.bad([...at, 'statuses'], statuses, `is not a list of statuses; expected some of ${SUBJECT_STATUSES.join(', ')}`);
  }
  return { all: raw.all === true, listed: raw.listed === true, statuses: statuses as string[] };
}

function validateWebhook(y: YamlFile, raw: unknown): NotificationWebhook {
  const at = ['notifyWebhook'];
  if (!isPlainObject(raw)) throw y.bad(at, raw, 'is not a mapping; expected { url: https://…, secretFile: <file> }');
  y.onlyKeys(at, raw, ['url', 'secretFile']);
  if (typeof raw.url !== 'string' || !isHttpUrl(raw.url)) throw y.bad([...at, 'url'], raw.url, 'is not an http(s) URL');
  if (typeof raw.secretFile !== 'string') throw y.bad([...at, 'secretFile'], raw.secretFile, 'is not a file path (the shared secret of the signature)');
  const file = resolve(dirname(y.file), raw.secretFile);
  let secret: string;
  try {
    secret = readFileSync(file, 'utf8').trim();
  } catch {
    throw y.bad([...at, 'secretFile'], raw.secretFile, `cannot be read (${file}); create it with the secret shared with the webhook`);
  }
  if (secret.length < 16) throw y.bad([...at, 'secretFile'], raw.secretFile, 'holds a secret of fewer than 16 characters; use a long random one');
  return { url: raw.url, secret };
}

const DAY_MS = 86_400_000;
const RETENTION_UNITS: Record<string, number> = { d: DAY_MS, w: 7 * DAY_MS, y: 365 * DAY_MS };

/** `auditRetention`: a whole number of days, weeks or years (365 days), e.g. 3y or 180d; at least one day. */
function validateRetention(y: YamlFile, raw: unknown): number {
  const match = typeof raw === 'string' ? /^([1-9][0-9]{0,5})([dwy])$/.exec(raw.trim()) : null;
  if (!match) throw y.bad(['auditRetention'], raw, 'is not a retention; expected a whole number of days, weeks or years, e.g. 3y, 180d or 26w');
  return Number(match[1]) * RETENTION_UNITS[match[2]];
}

function validateSearchBudgets(y: YamlFile, raw: unknown): Partial<Record<Tier, SearchBudget>> {
  if (!isPlainObject(raw)) throw y.bad(['searchBudgets'], raw, `is not a mapping; expected tiers (${TIERS.join(', ')}) to { perHour, perDay }`);
  const budgets: Partial<Record<Tier, SearchBudget>> = {};
  for (const [tier, budget] of Object.entries(raw)) {
    const at = ['searchBudgets', tier];
    if (!isTier(tier)) throw y.bad(at, tier, `is not a tier; expected one of ${TIERS.join(', ')}`);
    if (!isPlainObject(budget)) throw y.bad(at, budget, 'is not a budget; expected { perHour: <n>, perDay: <n> }');
    y.onlyKeys(at, budget, ['perHour', 'perDay']);
    const { perHour, perDay } = budget;
    if (!isIntegerIn(perHour, 0, 1_000_000_000)) throw y.bad([...at, 'perHour'], perHour, 'is not a number of searches (0 or more)');
    if (!isIntegerIn(perDay, 0, 1_000_000_000)) throw y.bad([...at, 'perDay'], perDay, 'is not a number of searches (0 or more)');
    if (perDay < perHour) throw y.bad([...at, 'perDay'], perDay, `is less than perHour (${perHour}); a day holds at least an hour`);
    budgets[tier] = { perHour, perDay };
  }
  return budgets;
}

function isNonEmptyList<T>(value: unknown, item: (x: unknown) => x is T): value is T[] {
  return Array.isArray(value) && value.length > 0 && value.every(item);
}
