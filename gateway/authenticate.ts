import { readFileSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, importSPKI, exportJWK, jwtVerify, type JWK, type JWTVerifyGetKey } from 'jose';
import { CLEARANCES, PURPOSES, isClearance, isPurpose, type Caller } from '../common/caller.ts';
import { hagueError } from '../common/errors.ts';
import type { MemberState } from '../common/member-states.ts';

import { DEV_ISSUER_PREFIX } from '../common/dev-identity.ts';
import { TOKEN_AUDIENCE } from '../common/caller.ts';

export const PURPOSE_HEADER = 'x-hague-purpose';
export const CASE_HEADER = 'x-hague-case';
/** Verified caller tokens kept (oldest dropped first). */
const VERIFIED_TOKENS = 10_000;

/** One state's identity provider, as members.yaml names it. */
export interface IdentityProviderConfig {
  state: MemberState;
  issuer: string;
  jwksUrl?: string;
  /** PEM (SPKI) strings, JWKs, or { file: path-to-JWK } entries. */
  publicKeys?: Array<string | Record<string, unknown>>;
}

interface Provider {
  state: MemberState;
  keys: JWTVerifyGetKey;
}

/**
 * Verifies caller tokens. The caller's state is the state whose identity provider's key verified
 * the token: the issuer picks the provider, and only that provider's keys are tried. A claim in
 * the token about its own state is never read.
 */
export class Authenticator {
  /**
   * Tokens already verified, by their exact text, until they expire: an ES256 verification costs
   * more than the rest of the gateway's work on a small query (bench/README.md), and a partner app
   * sends the same token with every request. A token that failed is never kept.
   */
  private readonly verified = new Map<string, { provider: Provider; payload: Record<string, unknown>; expires: number }>();

  private constructor(private readonly providers: Map<string, Provider>) {}

  static async create(configs: IdentityProviderConfig[], options: { acceptDevKeys: boolean }): Promise<Authenticator> {
    const providers = new Map<string, Provider>();
    for (const config of configs) {
      if (config.issuer.startsWith(DEV_ISSUER_PREFIX) && !options.acceptDevKeys) {
        throw new Error(
          `members config: ${config.state}.issuer '${config.issuer}' is a dev issuer; start the gateway with --accept-dev-keys (dev only) or configure the state's real identity provider`,
        );
      }
      if (providers.has(config.issuer))
        throw new Error(`members config: issuer '${config.issuer}' is given to two states; every state has its own identity provider`);
      providers.set(config.issuer, { state: config.state, keys: await keySet(config) });
    }
    return new Authenticator(providers);
  }

  /** The states whose callers can authenticate. */
  get states(): MemberState[] {
    return [...this.providers.values()].map((p) => p.state);
  }

  /** Builds the caller from the request's headers, or throws UNAUTHENTICATED / PURPOSE_REQUIRED / BAD_USER_INPUT. */
  async authenticate(headers: Record<string, string | string[] | undefined>, requestId: string): Promise<Caller> {
    const header = first(headers.authorization);
    const token = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (!token) {
      throw unauthenticated(
        "send Authorization: Bearer <token> issued by your state's identity provider (dev: npx hague token --state NL --roles analyst --clearance SECRET)",
      );
    }
    const { provider, payload } = await this.verify(token);
    const clearance = payload.clearance;
    if (!isClearance(clearance)) throw unauthenticated(`token has no valid clearance claim (one of ${CLEARANCES.join(', ')})`);
    const purpose = first(headers[PURPOSE_HEADER])?.trim();
    if (!purpose)
      throw hagueError('PURPOSE_REQUIRED', `state the purpose of this request in the X-Hague-Purpose header: one of ${PURPOSES.join(', ')}`, {
        http: { status: 400 },
      });
    if (!isPurpose(purpose))
      throw hagueError('BAD_USER_INPUT', `X-Hague-Purpose '${purpose}' is not one of the network's purposes: ${PURPOSES.join(', ')}`, {
        http: { status: 400 },
      });
    const caseReference = first(headers[CASE_HEADER])?.trim() || null;
    if (caseReference && !/^[\w./:# -]{1,100}$/.test(caseReference)) {
      throw hagueError('BAD_USER_INPUT', 'X-Hague-Case must be 1-100 letters, digits, spaces or . / : # - _', { http: { status: 400 } });
    }
    return {
      state: provider.state,
      agency: typeof payload.agency === 'string' ? payload.agency : null,
      subject: String(payload.sub),
      roles: listClaim(payload.roles),
      clearance,
      scopes: listClaim(payload.scope ?? payload.scopes),
      purpose,
      caseReference,
      requestId,
    };
  }

  /** The provider that signed `token` and its claims; throws UNAUTHENTICATED for anything else. */
  private async verify(token: string): Promise<{ provider: Provider; payload: Record<string, unknown> }> {
    const known = this.verified.get(token);
    if (known && known.expires > Date.now() / 1000) return known;
    if (known) this.verified.delete(token);
    let issuer: unknown;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      throw unauthenticated('the bearer token is not a JWT');
    }
    const provider = typeof issuer === 'string' ? this.providers.get(issuer) : undefined;
    if (!provider) throw unauthenticated(`token issuer ${JSON.stringify(issuer ?? null)} is not the identity provider of any member state of this network`);
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, provider.keys, { issuer: issuer as string, audience: TOKEN_AUDIENCE, requiredClaims: ['exp', 'sub'] }));
    } catch (error) {
      throw unauthenticated(`token rejected: ${(error as Error).message}`);
    }
    if (this.verified.size >= VERIFIED_TOKENS) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(token, { provider, payload, expires: payload.exp as number });
    return { provider, payload };
  }
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** A list claim given as an array or, OAuth-style, as one space-separated string. */
function listClaim(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean);
  return [];
}

function unauthenticated(reason: string) {
  return hagueError('UNAUTHENTICATED', `Not authenticated: ${reason}`, { http: { status: 401 } });
}

async function keySet(config: IdentityProviderConfig): Promise<JWTVerifyGetKey> {
  if (config.jwksUrl) return createRemoteJWKSet(new URL(config.jwksUrl), { timeoutDuration: 5000, cooldownDuration: 30_000 });
  const keys: JWK[] = [];
  for (const entry of config.publicKeys ?? []) {
    if (typeof entry === 'string') {
      keys.push({ ...(await exportJWK(await importSPKI(entry, 'ES256', { extractable: true }))), alg: 'ES256' });
    } else if (typeof entry.file === 'string') {
      let jwk: JWK;
      try {
        jwk = JSON.parse(readFileSync(entry.file, 'utf8')) as JWK;
      } catch (error) {
        throw new Error(
          `members config: ${config.state}.publicKeys file ${entry.file} cannot be read (${(error as Error).message}); run \`hague dev\` once to generate dev keys, or fix the path`,
          { cause: error },
        );
      }
      const { d: _private, ...publicPart } = jwk;
      keys.push(publicPart);
    } else {
      keys.push(entry);
    }
  }
  if (keys.length === 0) throw new Error(`members config: ${config.state} has an issuer but no jwksUrl or publicKeys`);
  return createLocalJWKSet({ keys });
}
