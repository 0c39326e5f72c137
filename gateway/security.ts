import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_KEYS_DIR, ensureKeyPair } from '../common/dev-keys.ts';
import { ConfigError } from '../common/config-error.ts';
import { Authenticator } from './authenticate.ts';
import type { MemberConfig } from './members-config.ts';
import type { GatewaySecurity } from './server.ts';

export interface SecurityOptions {
  members: MemberConfig[];
  /** Folder of the gateway's context-token key (gateway.jwk, generated on first start). */
  keysDir?: string;
  /** Accept tokens of the dev identity providers (issuer hague-dev:<STATE>): dev mode only. */
  acceptDevKeys?: boolean;
  strictAuthorization?: boolean;
}

/** Path of the gateway's key file: its public part is what every member state needs (--gateway-key). */
export function gatewayKeyFile(keysDir = DEFAULT_KEYS_DIR): string {
  return join(keysDir, 'gateway.jwk');
}

/**
 * The gateway's security from the members config: each state's identity provider, and the
 * gateway's own signing key (generated on first start, like an SSH host key; members verify its
 * public part). A state without an issuer can be asked, but its callers cannot sign in.
 */
export async function buildGatewaySecurity(options: SecurityOptions): Promise<GatewaySecurity & { keyFile: string; signInStates: string[] }> {
  const keysDir = options.keysDir ?? DEFAULT_KEYS_DIR;
  const providers = options.members.filter((m) => m.issuer).map((m) => ({ state: m.code, issuer: m.issuer!, jwksUrl: m.jwksUrl, publicKeys: m.publicKeys }));
  for (const provider of providers) {
    for (const key of provider.publicKeys ?? []) {
      const file = typeof key === 'object' ? (key as { file?: unknown }).file : undefined;
      if (typeof file === 'string' && !existsSync(file)) {
        throw new ConfigError(
          `members config: ${provider.state}.publicKeys file ${file} does not exist; run \`hague dev\` (or \`hague token --state ${provider.state}\`) once to generate dev keys, or fix the path`,
        );
      }
    }
  }
  let authenticator: Authenticator;
  try {
    authenticator = await Authenticator.create(providers, { acceptDevKeys: options.acceptDevKeys ?? false });
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const { privateJwk } = await ensureKeyPair(keysDir, 'gateway');
  return {
    authenticator,
    signingKey: privateJwk,
    strictAuthorization: options.strictAuthorization ?? false,
    keyFile: gatewayKeyFile(keysDir),
    signInStates: authenticator.states,
  };
}
