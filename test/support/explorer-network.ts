import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { describe } from 'vitest';
import type { MemberState } from '../../common/member-states.ts';
import { devPersonas } from '../../gateway/dev-personas.ts';
import { NETWORK_KEY_FILE, ensureNetworkKeyring } from '../../subgraphs/member/match-keys.ts';
import { seedMember } from '../../subgraphs/member/seed.ts';
import { startNetwork, type TestNetwork } from './network.ts';

/**
 * The live network the explorer's end-to-end browser tests run against: four member states with the
 * seeded demo data and their real release policies (config/policies), the gateway with the dev
 * personas, and Debian's headless Chromium. Outside CI a missing Chromium skips the test file with
 * one line; under CI=true it fails.
 */

export const CHROMIUM = '/usr/bin/chromium';
export const EXPLORER_STATES: MemberState[] = ['NL', 'BE', 'FR', 'DE'];

/** `describe`, skipped with a warning when Chromium is missing outside CI. */
export function describeWithChromium(file: string) {
  const skip = !existsSync(CHROMIUM) && process.env.CI !== 'true';
  if (skip) console.warn(`${file}: SKIPPED, ${CHROMIUM} is missing (apt-get install -y chromium); CI=true makes this a failure`);
  return describe.skipIf(skip);
}

/** `asOf`: the demo clock of the seeded data (default the reference date 2026-11-01); the explorer's examples count their dates from today. */
export async function startExplorerNetwork(options: { asOf?: string } = {}): Promise<{ net: TestNetwork; browser: Browser; close(): Promise<void> }> {
  // The personas' tokens are minted per request of /explorer/personas.json with the network's
  // dev keys, whose folder is known once startNetwork has returned: the page asks only later.
  // eslint-disable-next-line prefer-const -- read by the personas callback, assigned once the network is up
  let keysDir: string | undefined;
  const net = await startNetwork({
    states: EXPLORER_STATES,
    policies: 'config',
    gateway: {
      explorerPersonas: () => {
        if (!keysDir) throw new Error('explorer personas asked for before the network started');
        return devPersonas(EXPLORER_STATES, keysDir)();
      },
    },
  });
  keysDir = net.keysDir;
  // Match keys under one network key, as `hague dev` seeds them: the states' records link into subjects.
  const keyring = ensureNetworkKeyring(join(net.keysDir, NETWORK_KEY_FILE));
  for (const member of net.members.values()) await seedMember(member.store, { persons: 60, keyring, asOf: options.asOf });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
  return {
    net,
    browser,
    async close() {
      await browser.close();
      await net.close();
    },
  };
}
