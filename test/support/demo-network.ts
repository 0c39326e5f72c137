import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { MemberState } from '../../common/member-states.ts';
import { NETWORK_KEY_FILE, ensureNetworkKeyring } from '../../subgraphs/member/match-keys.ts';
import { seedMember } from '../../subgraphs/member/seed.ts';
import { startNetwork, type NetworkOptions, type TestNetwork } from './network.ts';

/**
 * A network like `hague dev`'s: the states with the seeded demo data, their records' match keys under
 * one network key (so that they link into subjects), and the real release policies (config/policies).
 */

/** The selection of a fact's source: the owner's record, its handling code and evaluation. */
export const SOURCE_SELECTION = 'source { memberState recordId handling { code restriction } evaluation { source information } }';

/**
 * `persons` seeded persons per state (default 40) on the demo clock `asOf` (default the reference
 * date 2026-11-01); `network` adds to startNetwork's options.
 */
export async function startDemoNetwork(
  states: MemberState[],
  options: { persons?: number; asOf?: string; network?: Omit<NetworkOptions, 'states' | 'policies'> } = {},
): Promise<TestNetwork> {
  const net = await startNetwork({ ...options.network, states, policies: 'config' });
  try {
    const keyring = ensureNetworkKeyring(join(net.keysDir, NETWORK_KEY_FILE));
    for (const member of net.members.values()) await seedMember(member.store, { persons: options.persons ?? 40, keyring, asOf: options.asOf });
  } catch (error) {
    await net.close();
    throw error;
  }
  return net;
}

/** The headers of an analyst of `state` (SECRET, and `extra`), asking for counter-terrorism. */
export function analystOf(net: TestNetwork, state: string, extra: Record<string, unknown> = {}): Promise<Record<string, string>> {
  return net.as({ state: state as MemberState, roles: ['analyst'], clearance: 'SECRET', ...extra }, 'counter-terrorism');
}

/**
 * What `start` makes, for the tests of the enclosing `describe`: started before them, stopped after;
 * the getter throws if asked before (outside a test).
 */
export function startedForDescribe<T>(start: () => Promise<T>, stop: (started: T) => Promise<void>): () => T {
  let started: T | undefined;
  beforeAll(async () => {
    started = await start();
  });
  afterAll(async () => {
    if (started !== undefined) await stop(started);
  });
  return () => {
    if (started === undefined) throw new Error('not started yet (used outside a test?)');
    return started;
  };
}

/** startDemoNetwork for the tests of the enclosing `describe`. */
export function useDemoNetwork(
  states: MemberState[],
  options: Parameters<typeof startDemoNetwork>[1] = {},
): { readonly net: TestNetwork; analyst(state: string, extra?: Record<string, unknown>): Promise<Record<string, string>> } {
  const net = startedForDescribe(
    () => startDemoNetwork(states, options),
    (started) => started.close(),
  );
  return {
    get net() {
      return net();
    },
    analyst: (state, extra = {}) => analystOf(net(), state, extra),
  };
}
