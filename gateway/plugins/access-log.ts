import { performance } from 'node:perf_hooks';
import { codeOf } from '../../common/errors.ts';
import type { GatewayPlugin } from '../plugin.ts';

/**
 * The gateway's side of the audit trail: one structured line per GraphQL answer (who asked, why,
 * for which case, what came back), under the request id every member state also writes into its
 * own audit record, with the client's correlation id beside it.
 */
export function useAccessLog(): GatewayPlugin {
  return {
    name: 'access-log',
    apollo: {
      async requestDidStart() {
        const started = performance.now();
        let operationType = 'unknown';
        return {
          async didResolveOperation({ operation }) {
            operationType = operation?.operation ?? 'unknown';
          },
          async willSendResponse({ response, operationName, contextValue }) {
            const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
            const codes = errors.map((e) => codeOf(e));
            const states = [...new Set(errors.map((e) => e.extensions?.memberState).filter((s): s is string => typeof s === 'string'))];
            const { caller } = contextValue;
            contextValue.log.info(
              {
                operationName: operationName ?? null,
                operationType,
                ms: Math.round(performance.now() - started),
                errors: codes,
                statesWithErrors: states.length ? states : undefined,
                caller: caller && { state: caller.state, agency: caller.agency, subject: caller.subject, purpose: caller.purpose, case: caller.caseReference },
              },
              'graphql request answered',
            );
          },
        };
      },
    },
  };
}
