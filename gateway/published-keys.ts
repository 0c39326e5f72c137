import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { JWK } from 'jose';
import { publishedJwk } from './context-signer.ts';

/** Where the gateway publishes the public keys of its context tokens (a JWK Set): what `hague member --gateway-jwks` reads. */
export const GATEWAY_KEYS_PATH = '/.well-known/hague-gateway-keys.json';

/**
 * The gateway's public key set: the public part of the key it signs context tokens with, plus the
 * public keys of `publishFile` (a JWK Set, e.g. the next key during a rotation, or the previous one
 * while tokens it signed may still be in flight), read at every request so an operator edits it
 * without a restart. Private parts in that file are never published.
 */
export async function gatewayKeySet(signingKey: JWK, publishFile?: string): Promise<{ keys: JWK[] }> {
  const own = await publishedJwk(signingKey);
  const keys: JWK[] = [own];
  if (publishFile) {
    const parsed = JSON.parse(readFileSync(publishFile, 'utf8')) as { keys?: unknown } & JWK;
    const listed = Array.isArray(parsed.keys) ? (parsed.keys as JWK[]) : [parsed];
    for (const jwk of listed) {
      // Context tokens are ES256: only P-256 keys verify them.
      if (typeof jwk !== 'object' || jwk === null || jwk.kty !== 'EC' || jwk.crv !== 'P-256') continue;
      const key = await publishedJwk(jwk);
      if (!keys.some((k) => k.kid === key.kid)) keys.push(key);
    }
  }
  return { keys };
}

/** GET /.well-known/hague-gateway-keys.json: public, no token needed (public keys reveal nothing). */
export function registerPublishedKeys(app: FastifyInstance, signingKey: JWK, publishFile?: string): void {
  app.get(GATEWAY_KEYS_PATH, async (request, reply) => {
    try {
      const set = await gatewayKeySet(signingKey, publishFile);
      return await reply.header('cache-control', 'no-cache').type('application/jwk-set+json').send(JSON.stringify(set));
    } catch (error) {
      // Never publish a partial set: a member would drop the keys that are missing.
      request.log.error({ err: error, file: publishFile }, 'the gateway key set to publish cannot be read');
      return reply
        .code(503)
        .type('application/json')
        .send(JSON.stringify({ error: `the gateway's published key set cannot be read; the operators can find the detail under request ${request.id}` }));
    }
  });
}
