import { validate, type DocumentNode, type GraphQLError, type GraphQLSchema } from 'graphql';
import type { MercuriusContext } from 'mercurius';
import { readCostModel, type CostModel } from '../../common/cost.ts';
import { checkKey, queryLimitsRule, rememberByDocument, type QueryLimits } from '../../common/query-limits.ts';
import { memberTypeDefs } from '../../schema/contract.ts';
import { SEARCH_ARGUMENT_CHECKS, checkId } from '../../common/search-bounds.ts';

/**
 * What a member state refuses before executing anything, whatever the gateway sends: the same
 * query limits and cost estimate as the gateway (common/query-limits.ts, common/cost.ts), and the
 * bounds of its own inputs (search.ts: names, document numbers, nationalities, ids). A refused
 * operation reads nothing, and its error is QUERY_TOO_COMPLEX or BAD_USER_INPUT (HTTP 400).
 *
 * They run in mercurius's preExecution hook, on every request with its variables (the same
 * document costs more with `first: 500` than with `first: 5`), while mercurius keeps caching
 * parsed and validated documents.
 */

export { MAX_QUERY_TOKENS } from '../../common/query-limits.ts';

/** The contract's `@cost` / `@listSize`, plus `_entities` (added by @apollo/subgraph): one entity per representation. */
export const MEMBER_COST_MODEL: CostModel = (() => {
  const model = readCostModel(memberTypeDefs);
  model.listSizes.set('Query._entities', { slicingArguments: ['representations'], requireOneSlicingArgument: true });
  return model;
})();

/** Input bounds by field coordinate, on argument values with the variables applied. */
const ARGUMENT_CHECKS: Record<string, (args: Record<string, unknown>) => void> = {
  ...SEARCH_ARGUMENT_CHECKS,
  'Query._entities': (args) => {
    const representations = Array.isArray(args.representations) ? (args.representations as unknown[]) : [];
    for (const representation of representations) {
      if (typeof representation === 'object' && representation !== null && 'id' in representation) checkId(representation.id, 'representations.id');
    }
  },
};

/** The operation name the request names (POST body or GET query string), if any. */
function operationNameOf(context: MercuriusContext): string | undefined {
  const request = context.reply?.request;
  for (const source of [request?.body, request?.query]) {
    const name: unknown = typeof source === 'object' && source !== null && 'operationName' in source ? source.operationName : undefined;
    if (typeof name === 'string' && name !== '') return name;
  }
  return undefined;
}

/**
 * mercurius's preExecution hook refusing, before execution, an operation past the query limits or
 * the cost, or with an argument past the input bounds. Without an operation name every operation
 * of the document is measured (one of them runs). Refuses by throwing the errors the way mercurius
 * throws its own validation errors: HTTP 400, each error with its code and this state.
 */
export function memberBounds(limits: Partial<QueryLimits> = {}) {
  // The same query with the same variables is measured once (rememberByDocument).
  const remembered = rememberByDocument<readonly GraphQLError[]>();
  return (schema: GraphQLSchema, document: DocumentNode, context: MercuriusContext, variables: Record<string, unknown> | undefined): void => {
    const operationName = operationNameOf(context);
    const errors = remembered(schema, document, checkKey(operationName, variables), () =>
      validate(schema, document, [
        queryLimitsRule(limits, {
          operationName,
          variables,
          cost: MEMBER_COST_MODEL,
          checkArguments: (coordinate, args) => ARGUMENT_CHECKS[coordinate]?.(args),
        }),
      ]),
    );
    if (errors.length > 0) throw Object.assign(new Error('Graphql validation error'), { errors, statusCode: 400 });
  };
}
