/**
 * The gateway's query limits, checked by AuthorizingGateway on the operation as asked, before
 * planning: the same rule and the same cost estimate every member state applies again before
 * executing (common/query-limits.ts, common/cost.ts). The gateway reads `@cost` / `@listSize` from
 * the supergraph it loaded.
 */
export {
  DEFAULT_QUERY_LIMITS,
  checkQueryLimits,
  queryLimitsRule,
  type CheckQueryLimitsOptions,
  type QueryLimits,
  type QueryLimitsRuleOptions,
} from '../common/query-limits.ts';
export { readCostModel, type CostModel } from '../common/cost.ts';
