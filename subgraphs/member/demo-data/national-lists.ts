import type { MemberState } from '../../../common/member-states.ts';

// ---------------------------------------------------------------------------------------------
// National terrorism lists
// ---------------------------------------------------------------------------------------------

/** The name of a state's own terrorism list in the demo data. */
export function nationalList(state: MemberState): string {
  return `${state} national terrorism list`;
}

export const NL_NATIONAL_LIST = 'NL national terrorism list';
/** The Dutch list holds exactly this many persons ... */
export const NL_LISTED_PERSONS = 39;
/** ... and these organisations (by convention: the first three Dutch organisations). */
export const NL_LISTED_ORGANISATION_IDS = ['NL-O-001', 'NL-O-002', 'NL-O-003'] as const;
