import { existsSync, readFileSync } from 'node:fs';
import type { JWK } from 'jose';
import { join } from 'node:path';
import { DEFAULT_KEYS_DIR, ensureKeyPair } from '../common/dev-keys.ts';
import { ConfigError } from '../common/config-error.ts';
import { Authenticator } from './authenticate.ts';
import type { MemberConfig } from './members-config.ts';
import type { GatewaySecurity } from './server.ts';
import type { RemoteKeySetOptions } from '../common/key-set.ts';
import { signingKeyId } from './context-signer.ts';
import { gatewayKeySet } from './published-keys.ts';

export interface SecurityOptions {
  members: MemberConfig[];
  /** Folder of the gateway's context-token key (gateway.jwk, generated on first start). */
  keysDir?: string;
  /** Accept tokens of the dev identity providers (issuer hague-dev:<STATE>): dev mode only. */
  acceptDevKeys?: boolean;
  strictAuthorization?: boolean;
  /** How identity providers' JWKS are cached and refreshed (members.yaml gateway.jwks). */
  jwks?: RemoteKeySetOptions;
  /** The private JWK file the gateway signs context tokens with (hague gateway --context-key); absent: <keysDir>/gateway.jwk, generated on first start. */
  contextKeyFile?: string;
  /** A JWK Set file of further public keys to publish (hague gateway --publish-keys): the next or previous key of a rotation. */
  publishKeysFile?: string;
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
export async function buildGatewaySecurity(options: SecurityOptions): Promise<GatewaySecurity & { keyFile: string; keyId: string; signInStates: string[] }> {
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
    authenticator = await Authenticator.create(providers, { acceptDevKeys: options.acceptDevKeys ?? false, jwks: options.jwks });
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const privateJwk = options.contextKeyFile ? readContextKey(options.contextKeyFile) : (await ensureKeyPair(keysDir, 'gateway')).privateJwk;
  if (options.publishKeysFile) {
    // Read once now, so a wrong path or a broken file stops the start rather than the first member's fetch.
    try {
      await gatewayKeySet(privateJwk, options.publishKeysFile);
    } catch (error) {
      throw new ConfigError(`--publish-keys ${options.publishKeysFile} is not a readable JWK Set file (${(error as Error).message})`);
    }
  }
  return {
    authenticator,
    signingKey: privateJwk,
    publishKeysFile: options.publishKeysFile,
    strictAuthorization: options.strictAuthorization ?? false,
    keyFile: options.contextKeyFile ?? gatewayKeyFile(keysDir),
    keyId: await signingKeyId(privateJwk),
    signInStates: authenticator.states,
  };
}

/** The gateway's context-token signing key: a private ES256 (P-256) JWK. */
function readContextKey(file: string): JWK {
  let jwk: JWK;
  try {
    jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
  } catch (error) {
    throw new ConfigError(
      `--context-key ${file} is not a readable JWK file (${(error as Error).message}); \`hague gateway-key new --out ${file}\` creates one`,
    );
  }
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.d !== 'string') {
    throw new ConfigError(`--context-key ${file} is not a private P-256 (ES256) JWK: the gateway signs context tokens with ES256`);
  }
  return jwk;
}
