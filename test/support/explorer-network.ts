import { type Browser } from 'playwright-core';
import type { MemberState } from '../../common/member-states.ts';
import { devPersonas } from '../../gateway/dev-personas.ts';
import { launchChromium } from './browser.ts';
import { startDemoNetwork, startedForDescribe } from './demo-network.ts';
import { type TestNetwork } from './network.ts';

/**
 * The live network the explorer's end-to-end browser tests run against: four member states with the
 * seeded demo data and their real release policies (config/policies), the gateway with the dev
 * personas, and Debian's headless Chromium. Outside CI a missing Chromium skips the test file with
 * one line; under CI=true it fails.
 */

export const EXPLORER_STATES: MemberState[] = ['NL', 'BE', 'FR', 'DE'];

/** `asOf`: the demo clock of the seeded data (default the reference date 2026-11-01); the explorer's examples count their dates from today. */
export async function startExplorerNetwork(options: { asOf?: string } = {}): Promise<{ net: TestNetwork; browser: Browser; close(): Promise<void> }> {
  // The personas' tokens are minted per request of /explorer/personas.json with the network's
  // dev keys, whose folder is known once startNetwork has returned: the page asks only later.
  // eslint-disable-next-line prefer-const -- read by the personas callback, assigned once the network is up
  let keysDir: string | undefined;
  const net = await startDemoNetwork(EXPLORER_STATES, {
    persons: 60,
    asOf: options.asOf,
    network: {
      gateway: {
        explorerPersonas: () => {
          if (!keysDir) throw new Error('explorer personas asked for before the network started');
          return devPersonas(EXPLORER_STATES, keysDir)();
        },
      },
    },
  });
  keysDir = net.keysDir;
  const browser = await launchChromium();
  return {
    net,
    browser,
    async close() {
      await browser.close();
      await net.close();
    },
  };
}

/** startExplorerNetwork for the tests of the enclosing `describe`. */
export function useExplorerNetwork(options: { asOf?: string } = {}): { readonly net: TestNetwork; readonly browser: Browser } {
  const live = startedForDescribe(
    () => startExplorerNetwork(options),
    (started) => started.close(),
  );
  return {
    get net() {
      return live().net;
    },
    get browser() {
      return live().browser;
    },
  };
}
