import type { ValidationRule } from 'graphql';
import { readCostModel, type CostModel } from '../../common/cost.ts';
import { queryLimitsRule, type QueryLimits } from '../../common/query-limits.ts';
import { memberTypeDefs } from '../../schema/contract.ts';
import { checkId, checkOrganisationFilter, checkPersonFilter, type OrganisationFilter, type PersonFilter } from './search.ts';

/**
 * What a member state refuses before executing anything, whatever the gateway sends: the same
 * query limits and cost estimate as the gateway (common/query-limits.ts, common/cost.ts), and the
 * bounds of its own inputs (search.ts: names, document numbers, nationalities, ids). A refused
 * operation reads nothing, and its error is QUERY_TOO_COMPLEX or BAD_USER_INPUT (HTTP 400).
 */

/** Tokens (names, punctuation, values) of one document the member parses, at most: the gateway's largest operation (1000 fields) needs far fewer. */
export const MAX_QUERY_TOKENS = 10_000;

/** The contract's `@cost` / `@listSize`, plus `_entities` (added by @apollo/subgraph): one entity per representation. */
export const MEMBER_COST_MODEL: CostModel = (() => {
  const model = readCostModel(memberTypeDefs);
  model.listSizes.set('Query._entities', { slicingArguments: ['representations'], requireOneSlicingArgument: true });
  return model;
})();

/** Input bounds by field coordinate, on argument values with the variables applied. */
const ARGUMENT_CHECKS: Record<string, (args: Record<string, unknown>) => void> = {
  'Query.persons': (args) => checkPersonFilter(args.filter as PersonFilter | null),
  'Query.organisations': (args) => checkOrganisationFilter(args.filter as OrganisationFilter | null),
  'Query.person': (args) => checkId(args.id),
  'Query._entities': (args) => {
    const representations = Array.isArray(args.representations) ? (args.representations as unknown[]) : [];
    for (const representation of representations) {
      if (typeof representation === 'object' && representation !== null && 'id' in representation) checkId(representation.id, 'representations.id');
    }
  },
};

/**
 * mercurius's `validationRules` for one request: the query limits and cost with this request's
 * variables, and the input bounds. (A function of the request: mercurius's query cache must be
 * off, since the same document costs more with `first: 500` than with `first: 5`.)
 */
export function memberValidationRules(limits: Partial<QueryLimits> = {}) {
  return ({ variables, operationName }: { variables?: Record<string, unknown>; operationName?: string }): ValidationRule[] => [
    queryLimitsRule(limits, {
      operationName,
      variables,
      cost: MEMBER_COST_MODEL,
      checkArguments: (coordinate, args) => ARGUMENT_CHECKS[coordinate]?.(args),
    }),
  ];
}
