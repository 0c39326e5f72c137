import type { MemberState } from '../common/member-states.ts';
import type { Purpose } from '../common/caller.ts';
import type { DevTokenRequest } from '../common/dev-identity.ts';
import type { ReleasePolicy } from '../subgraphs/member/release-policy.ts';

/**
 * Who the bench asks as, and what the member states release to it. The policy grants FULL to every
 * partner but keeps narrower field rules (clearance, roles, purposes) that the persona satisfies:
 * every rule is evaluated on every field, nothing is withheld, so the answers with permissions on
 * and off (and the monolith's) hold the same data and can be compared value for value.
 */
export const BENCH_PERSONA = {
  state: 'NL',
  roles: ['analyst', 'fiu'],
  clearance: 'SECRET',
  scopes: ['financial:read'],
  subject: 'bench-analyst',
} as const satisfies Omit<DevTokenRequest, 'keysDir'>;

export const BENCH_PURPOSE: Purpose = 'counter-terrorism';

export function benchPolicy(state: MemberState): ReleasePolicy {
  return {
    memberState: state,
    defaultTier: 'FULL',
    partners: {},
    fields: {
      'Person.documents': { minClearance: 'CONFIDENTIAL' },
      'Person.background': { minClearance: 'SECRET' },
      'Person.financialMeasures': { roles: ['fiu', 'analyst'], purposes: ['counter-terrorism', 'terrorism-financing'] },
      'Person.travel': { purposes: ['counter-terrorism', 'border-security'] },
    },
    // A load test asks thousands of times a minute as one caller: a budget that never runs out
    // (the budget is still counted on every request, so its cost is measured).
    searchBudgets: { FULL: { perHour: 1_000_000_000, perDay: 1_000_000_000 } },
    source: `bench policy of ${state} (FULL to every partner, field rules the bench persona passes)`,
  };
}
