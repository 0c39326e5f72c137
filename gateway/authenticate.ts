import { readFileSync } from 'node:fs';
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWK } from 'jose';
import { CLEARANCES, PURPOSES, isClearance, isPurpose, type Caller } from '../common/caller.ts';
import { hagueError } from '../common/errors.ts';
import type { MemberState } from '../common/member-states.ts';

import { DEV_ISSUER_PREFIX } from '../common/dev-identity.ts';
import { TOKEN_AUDIENCE } from '../common/caller.ts';
import { CALLER_TOKEN_ALGORITHMS, KeySetError, remoteKeySet, staticKeySet, type KeySet, type RemoteKeySetOptions } from '../common/key-set.ts';

export const PURPOSE_HEADER = 'x-hague-purpose';
export const CASE_HEADER = 'x-hague-case';
/** Verified caller tokens kept (oldest dropped first). */
const VERIFIED_TOKENS = 10_000;
/**
 * Clock difference tolerated between the gateway and an identity provider, in seconds: a token is
 * accepted up to this long after its `exp`, and from this long before its `nbf` or `iat`.
 */
export const CALLER_TOKEN_CLOCK_TOLERANCE_SECONDS = 60;

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
  keys: KeySet;
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
  private readonly verified = new Map<string, { provider: Provider; payload: Record<string, unknown>; expires: number; generation: number }>();

  private constructor(private readonly providers: Map<string, Provider>) {}

  /** `jwks`: how keys fetched from a jwksUrl are cached and refreshed (members.yaml gateway.jwks). */
  static async create(configs: IdentityProviderConfig[], options: { acceptDevKeys: boolean; jwks?: RemoteKeySetOptions }): Promise<Authenticator> {
    const providers = new Map<string, Provider>();
    for (const config of configs) {
      if (config.issuer.startsWith(DEV_ISSUER_PREFIX) && !options.acceptDevKeys) {
        throw new Error(
          `members config: ${config.state}.issuer '${config.issuer}' is a dev issuer; start the gateway with --accept-dev-keys (dev only) or configure the state's real identity provider`,
        );
      }
      if (providers.has(config.issuer))
        throw new Error(`members config: issuer '${config.issuer}' is given to two states; every state has its own identity provider`);
      providers.set(config.issuer, { state: config.state, keys: await keySet(config, options.jwks) });
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
    // A token verified before is taken as it is while it lives, unless its provider's keys have
    // changed (or may have: expired) since: then it is verified again, and refused if its key is gone.
    if (known && known.expires > Date.now() / 1000 && known.provider.keys.fresh() && known.provider.keys.generation() === known.generation) return known;
    if (known) this.verified.delete(token);
    let issuer: unknown;
    try {
      decodeProtectedHeader(token);
      issuer = decodeJwt(token).iss;
    } catch {
      throw unauthenticated('the bearer token is not a signed JWT');
    }
    const provider = typeof issuer === 'string' ? this.providers.get(issuer) : undefined;
    if (!provider) throw unauthenticated(`token issuer ${JSON.stringify(issuer ?? null)} is not the identity provider of any member state of this network`);
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, (header) => provider.keys.getKey(header), {
        issuer: issuer as string,
        audience: TOKEN_AUDIENCE,
        algorithms: [...CALLER_TOKEN_ALGORITHMS],
        requiredClaims: ['exp', 'sub'],
        clockTolerance: CALLER_TOKEN_CLOCK_TOLERANCE_SECONDS,
      }));
    } catch (error) {
      throw rejection(error);
    }
    if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + CALLER_TOKEN_CLOCK_TOLERANCE_SECONDS) {
      throw unauthenticated('token rejected: it was issued in the future (iat); check the clocks of the identity provider and the gateway');
    }
    if (typeof payload.sub !== 'string' || payload.sub === '') throw unauthenticated('token rejected: its sub claim is not a non-empty string');
    if (this.verified.size >= VERIFIED_TOKENS) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(token, { provider, payload, expires: payload.exp as number, generation: provider.keys.generation() });
    return { provider, payload };
  }
}

/** What a caller is told about a token that failed verification: a stable message per case (docs/identity-providers.md). */
function rejection(error: unknown) {
  if (error instanceof KeySetError) {
    if (error.kind === 'unavailable') {
      return hagueError('UNAUTHENTICATED', "Not authenticated: the keys of your state's identity provider cannot be fetched right now; try again shortly", {
        http: { status: 503 },
      });
    }
    if (error.kind === 'algorithm') return unauthenticated(`token rejected: ${error.message}`);
    if (error.ambiguous) return unauthenticated('token rejected: it names no key (kid) and its identity provider publishes several for its algorithm');
    return unauthenticated('token rejected: it is signed with a key its identity provider does not publish (unknown kid)');
  }
  if (error instanceof joseErrors.JWTExpired) return unauthenticated('token rejected: it has expired (exp)');
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return unauthenticated('token rejected: it is not valid yet (nbf)');
    if (error.claim === 'aud') return unauthenticated(`token rejected: its audience (aud) is not '${TOKEN_AUDIENCE}'`);
    if (error.claim === 'iss') return unauthenticated('token rejected: unexpected issuer (iss)');
    if (error.reason === 'missing') return unauthenticated(`token rejected: it has no ${error.claim} claim`);
    return unauthenticated(`token rejected: its ${error.claim} claim is invalid`);
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed || error instanceof joseErrors.JOSENotSupported) {
    return unauthenticated(`token rejected: its algorithm is not accepted (only ${CALLER_TOKEN_ALGORITHMS.join(', ')})`);
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return unauthenticated('token rejected: its signature does not verify');
  return unauthenticated('token rejected: it is not a valid signed JWT');
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

async function keySet(config: IdentityProviderConfig, jwks?: RemoteKeySetOptions): Promise<KeySet> {
  if (config.jwksUrl) return remoteKeySet(config.jwksUrl, CALLER_TOKEN_ALGORITHMS, jwks);
  const keys: Array<JWK | string> = [];
  for (const entry of config.publicKeys ?? []) {
    if (typeof entry === 'string') {
      keys.push(entry);
    } else if (typeof entry.file === 'string') {
      try {
        keys.push(JSON.parse(readFileSync(entry.file, 'utf8')) as JWK);
      } catch (error) {
        throw new Error(
          `members config: ${config.state}.publicKeys file ${entry.file} cannot be read (${(error as Error).message}); run \`hague dev\` once to generate dev keys, or fix the path`,
          { cause: error },
        );
      }
    } else {
      keys.push(entry);
    }
  }
  if (keys.length === 0) throw new Error(`members config: ${config.state} has an issuer but no jwksUrl or publicKeys`);
  return staticKeySet(keys, CALLER_TOKEN_ALGORITHMS, `${config.state}'s publicKeys (members config)`);
}
