import type { GatewayPlugin } from '../plugin.ts';

/**
 * Puts the per-state counts the fan-out collected (state-counts.ts) into the answer, as
 * `extensions.hague.states`: the explorer and any GraphQL client read them from the response's
 * extensions. Absent when the request searched no list.
 */
export function useStateCounts(): GatewayPlugin {
  return {
    name: 'state-counts',
    apollo: {
      async requestDidStart() {
        return {
          async willSendResponse({ response, contextValue }) {
            const states = contextValue.stateCounts;
            if (!states || Object.keys(states).length === 0 || response.body.kind !== 'single') return;
            const result = response.body.singleResult;
            const extensions = (result.extensions ?? {}) as Record<string, unknown>;
            const hague = (extensions.hague ?? {}) as Record<string, unknown>;
            result.extensions = { ...extensions, hague: { ...hague, states } };
          },
        };
      },
    },
  };
}
