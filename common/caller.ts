import type { MemberState } from './member-states.ts';

/** The `aud` every caller token must carry, whichever state's identity provider issued it. */
export const TOKEN_AUDIENCE = 'hague';

/** Security clearances, lowest first. */
export const CLEARANCES = ['UNCLASSIFIED', 'RESTRICTED', 'CONFIDENTIAL', 'SECRET'] as const;
export type Clearance = (typeof CLEARANCES)[number];

export function isClearance(value: unknown): value is Clearance {
  return typeof value === 'string' && (CLEARANCES as readonly string[]).includes(value);
}

/** Whether `held` is at least `needed`. */
export function clearanceAtLeast(held: Clearance, needed: Clearance): boolean {
  return CLEARANCES.indexOf(held) >= CLEARANCES.indexOf(needed);
}

/** The purposes (legal bases) a request may state in X-Hague-Purpose. */
export const PURPOSES = ['counter-terrorism', 'terrorism-financing', 'border-security', 'organised-crime'] as const;
export type Purpose = (typeof PURPOSES)[number];

export function isPurpose(value: unknown): value is Purpose {
  return typeof value === 'string' && (PURPOSES as readonly string[]).includes(value);
}

/**
 * Who is asking, as the gateway established it: the state is the state whose identity provider's
 * key verified the token, never a claim of the token itself.
 */
export interface Caller {
  state: MemberState;
  agency: string | null;
  subject: string;
  roles: string[];
  clearance: Clearance;
  scopes: string[];
  purpose: Purpose;
  caseReference: string | null;
  requestId: string;
}
