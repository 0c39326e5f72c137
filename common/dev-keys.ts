import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

/** Where dev mode keeps generated keys (git-ignored): the gateway's context-token key and each state's dev identity provider key. */
export { DEFAULT_KEYS_DIR } from './defaults.ts';

export interface KeyPair {
  privateJwk: JWK;
  publicJwk: JWK;
}

function publicPart(jwk: JWK): JWK {
  const { d: _d, ...rest } = jwk;
  return rest;
}

/** Reads `<dir>/<name>.jwk`, generating an ES256 key pair there on first use (file mode 0600). */
export async function ensureKeyPair(dir: string, name: string): Promise<KeyPair> {
  const file = join(resolve(dir), `${name}.jwk`);
  if (existsSync(file)) {
    const privateJwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
    return { privateJwk, publicJwk: publicPart(privateJwk) };
  }
  mkdirSync(resolve(dir), { recursive: true, mode: 0o700 });
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), alg: 'ES256', kid: `${name}-${Date.now().toString(36)}` };
  writeFileSync(file, `${JSON.stringify(privateJwk)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { privateJwk, publicJwk: publicPart(privateJwk) };
}

/** Reads a key file written by ensureKeyPair (or any JWK file) and returns its public part only. */
export function readPublicJwk(file: string): JWK {
  return publicPart(JSON.parse(readFileSync(file, 'utf8')) as JWK);
}
