import { KeyObject, createPublicKey } from 'node:crypto';
import { statSync, readFileSync } from 'node:fs';
import { calculateJwkThumbprint, importJWK, type JWK } from 'jose';

/** What a key is looked up by: the token's protected header. */
export interface TokenHeader {
  alg?: string;
  kid?: string;
}

/**
 * Public key sets that change while the process runs: an identity provider's JWKS (fetched over
 * HTTP, cached, refreshed on expiry and on an unknown `kid`), or the gateway's key set as a member
 * state trusts it (a JWK or JWK Set file, re-read when it changes; or a URL like an identity
 * provider's). One verifier function for jose's jwtVerify, whatever the source.
 */

/** The signature algorithms caller tokens may use; anything else (HS256, none, PS256, ES384...) is refused. */
export const CALLER_TOKEN_ALGORITHMS = ['ES256', 'RS256', 'EdDSA'] as const;

/** How long fetched keys are used before they are fetched again. */
export const DEFAULT_JWKS_MAX_AGE_MS = 10 * 60_000;
/** Least time between two fetches of one key set (unknown `kid`, expiry or failure): a flood of made-up kids costs one fetch per interval. */
export const DEFAULT_JWKS_MIN_REFRESH_INTERVAL_MS = 10_000;
/** How long one fetch may take. */
export const DEFAULT_JWKS_TIMEOUT_MS = 5000;

export interface RemoteKeySetOptions {
  /** @default DEFAULT_JWKS_MAX_AGE_MS */
  maxAgeMs?: number;
  /** @default DEFAULT_JWKS_MIN_REFRESH_INTERVAL_MS */
  minRefreshIntervalMs?: number;
  /** @default DEFAULT_JWKS_TIMEOUT_MS */
  timeoutMs?: number;
}

/** Why no key was found: the token names a key the set does not hold, or the set cannot be read right now. */
export class KeySetError extends Error {
  constructor(
    readonly kind: 'unknown-key' | 'algorithm' | 'unavailable',
    message: string,
    /** The token names no kid and the set holds several keys for its algorithm. */
    readonly ambiguous = false,
  ) {
    super(message);
    this.name = 'KeySetError';
  }
}

/** A set of public keys by `kid`, changing over time. */
export interface KeySet {
  /** The key that verifies a token with this protected header; throws KeySetError. For jwtVerify's key argument. */
  getKey(header: TokenHeader): Promise<KeyObject>;
  /** Changes whenever the set's keys change: a token verified under an older generation must be verified again. */
  generation(): number;
  /** False once the set may have changed (a remote set past its max age): check again before trusting a cached verification. */
  fresh(): boolean;
  /** Where the keys come from, for messages. */
  readonly source: string;
}

interface Entry {
  kid: string | undefined;
  /** The key's own thumbprint (RFC 7638): a key published without kid is still found by it. */
  thumbprint: string;
  alg: string;
  key: KeyObject;
}

/** The algorithm a public JWK verifies (its own `alg`, or the one its type implies). */
function algorithmOf(jwk: JWK): string | undefined {
  if (jwk.alg) return jwk.alg;
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'RSA') return 'RS256';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  return undefined;
}

/** Public keys of a JWK Set (or one JWK), imported; keys for other algorithms or other uses are left out. */
async function importSet(jwks: unknown, allowed: readonly string[], source: string): Promise<Entry[]> {
  const list = isObject(jwks) && Array.isArray(jwks.keys) ? jwks.keys : isObject(jwks) && typeof jwks.kty === 'string' ? [jwks] : undefined;
  if (!list) throw new KeySetError('unavailable', `${source} is not a JWK or a JWK Set ({"keys": [...]})`);
  const entries: Entry[] = [];
  for (const item of list) {
    if (!isObject(item) || typeof item.kty !== 'string') continue;
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, k: _k, ...publicJwk } = item as JWK;
    if (publicJwk.use !== undefined && publicJwk.use !== 'sig') continue;
    const alg = algorithmOf(publicJwk);
    if (!alg || !allowed.includes(alg)) continue;
    try {
      const key = toKeyObject(await importJWK({ ...publicJwk, ext: true }, alg));
      entries.push({ kid: publicJwk.kid, thumbprint: await calculateJwkThumbprint(publicJwk), alg, key });
    } catch {
      // A key this process cannot import (e.g. a curve it does not know) verifies nothing.
    }
  }
  return entries;
}

/** node:crypto's handle on an imported key (jose 6 imports JWKs as WebCrypto keys). */
function toKeyObject(key: unknown): KeyObject {
  return key instanceof KeyObject ? key : KeyObject.from(key as Parameters<typeof KeyObject.from>[0]);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Picks the key for a token's header from the current entries; undefined: the set does not hold it. */
function select(entries: Entry[], header: TokenHeader, source: string): KeyObject | undefined {
  const alg = header.alg;
  if (header.kid !== undefined) {
    const entry = entries.find((e) => e.kid === header.kid) ?? entries.find((e) => e.kid === undefined && e.thumbprint === header.kid);
    if (!entry) return undefined;
    if (entry.alg !== alg) throw new KeySetError('algorithm', `key '${header.kid}' of ${source} is for ${entry.alg}, the token says ${String(alg)}`);
    return entry.key;
  }
  // No kid: only unambiguous when the set holds exactly one key for the algorithm.
  const candidates = entries.filter((e) => e.alg === alg);
  if (candidates.length === 1) return candidates[0].key;
  if (candidates.length > 1)
    throw new KeySetError('unknown-key', `the token names no key (kid) and ${source} holds ${candidates.length} keys for ${alg}`, true);
  return undefined;
}

function checkAlgorithm(header: TokenHeader, allowed: readonly string[]): void {
  if (typeof header.alg !== 'string' || !allowed.includes(header.alg)) {
    throw new KeySetError('algorithm', `algorithm ${JSON.stringify(header.alg ?? null)} is not accepted (only ${allowed.join(', ')})`);
  }
}

function unknownKey(header: TokenHeader, source: string): KeySetError {
  return new KeySetError(
    'unknown-key',
    header.kid !== undefined ? `no key with kid '${header.kid}' in ${source}` : `no key in ${source} verifies a token without kid`,
  );
}

/** Keys given once (inline JWKs or PEM strings in members.yaml, a JWK object in a test): never change. */
export async function staticKeySet(keys: Array<JWK | string>, allowed: readonly string[], source = 'the configured keys'): Promise<KeySet> {
  const jwks: JWK[] = [];
  for (const key of keys) {
    if (typeof key === 'string') {
      jwks.push(createPublicKey(key).export({ format: 'jwk' }));
    } else jwks.push(key);
  }
  const entries = await importSet({ keys: jwks }, allowed, source);
  if (entries.length === 0) throw new Error(`${source}: no usable ${allowed.join('/')} public key`);
  return {
    source,
    generation: () => 0,
    fresh: () => true,
    async getKey(header) {
      checkAlgorithm(header, allowed);
      const key = select(entries, header, source);
      if (!key) throw unknownKey(header, source);
      return key;
    },
  };
}

/**
 * A JWK or JWK Set file, re-read when it changes (checked with a stat on every lookup: cheap, and a
 * key removed from the file is refused from the next request on). A file that cannot be read or
 * parsed after a change keeps the last good set, and is tried again at the next lookup.
 */
export async function fileKeySet(
  file: string,
  allowed: readonly string[],
  options: { onError?: (error: Error) => void } = {},
): Promise<KeySet & { reload(): Promise<void> }> {
  const source = `key file ${file}`;
  let entries: Entry[] = [];
  let generation = 0;
  let stamp = '';
  let loading: Promise<void> | undefined;
  const stampOf = () => {
    const s = statSync(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
  };
  const load = async (first: boolean) => {
    const now = stampOf();
    if (now === stamp) return;
    let next: Entry[];
    try {
      next = await importSet(JSON.parse(readFileSync(file, 'utf8')), allowed, source);
      if (next.length === 0) throw new Error(`${source} holds no usable ${allowed.join('/')} public key`);
    } catch (error) {
      const failure = new Error(`${source} cannot be used (${(error as Error).message})`, { cause: error });
      if (first) throw failure;
      options.onError?.(failure);
      return; // keep the last good set; the unchanged stamp makes the next lookup try again
    }
    stamp = now;
    if (fingerprint(next) !== fingerprint(entries)) generation++;
    entries = next;
  };
  await load(true);
  const refresh = async () => {
    try {
      if (stampOf() === stamp) return;
    } catch (error) {
      options.onError?.(new Error(`${source} cannot be read (${(error as Error).message}); keeping the keys read before`));
      return;
    }
    loading ??= load(false).finally(() => (loading = undefined));
    await loading;
  };
  return {
    source,
    generation: () => generation,
    fresh: () => true,
    reload: refresh,
    async getKey(header) {
      checkAlgorithm(header, allowed);
      await refresh();
      const key = select(entries, header, source);
      if (!key) throw unknownKey(header, source);
      return key;
    },
  };
}

function fingerprint(entries: Entry[]): string {
  return entries.map((e) => `${e.kid ?? ''}/${e.thumbprint}`).join(',');
}

/**
 * A JWKS URL (an identity provider's, or the gateway's published key set): fetched on first use,
 * used for `maxAgeMs`, fetched again when it has expired or when a token names a `kid` it does not
 * hold, but never more often than once per `minRefreshIntervalMs` (whatever the reason: a flood of
 * made-up kids, or a provider that is down), and never twice at once. When a fetch fails, the keys
 * fetched before stay in use for at most another `maxAgeMs`; after that, and before any fetch has
 * succeeded, lookups fail as 'unavailable'.
 */
export function remoteKeySet(url: string, allowed: readonly string[], options: RemoteKeySetOptions = {}): KeySet & { fetches(): number } {
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_JWKS_MAX_AGE_MS;
  const minIntervalMs = options.minRefreshIntervalMs ?? DEFAULT_JWKS_MIN_REFRESH_INTERVAL_MS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_JWKS_TIMEOUT_MS;
  const source = `the key set at ${url}`;
  let entries: Entry[] | undefined;
  let fetchedAt = 0;
  let attemptedAt = -Infinity;
  let generation = 0;
  let fetches = 0;
  let lastError: Error | undefined;
  let pending: Promise<void> | undefined;

  const fetchNow = async () => {
    attemptedAt = Date.now();
    fetches++;
    try {
      const response = await fetch(url, { headers: { accept: 'application/json' }, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const next = await importSet(await response.json(), allowed, source);
      if (next.length === 0) throw new Error(`no usable ${allowed.join('/')} public key in it`);
      if (entries === undefined || fingerprint(next) !== fingerprint(entries)) generation++;
      entries = next;
      fetchedAt = Date.now();
      lastError = undefined;
    } catch (error) {
      lastError = new Error(`${source} could not be fetched (${(error as Error).message})`, { cause: error });
    }
  };
  /** Fetches unless one ran less than the minimum interval ago; concurrent callers share one fetch. */
  const refresh = async () => {
    if (pending) return pending;
    if (Date.now() - attemptedAt < minIntervalMs) return;
    pending = fetchNow().finally(() => (pending = undefined));
    return pending;
  };
  const usable = () => entries !== undefined && Date.now() - fetchedAt < 2 * maxAgeMs;

  return {
    source,
    generation: () => generation,
    fresh: () => entries !== undefined && Date.now() - fetchedAt < maxAgeMs,
    fetches: () => fetches,
    async getKey(header) {
      checkAlgorithm(header, allowed);
      if (entries === undefined || Date.now() - fetchedAt >= maxAgeMs) await refresh();
      if (!usable()) throw new KeySetError('unavailable', lastError?.message ?? `${source} has not been fetched yet`);
      let key = select(entries!, header, source);
      if (!key) {
        // Perhaps the provider has rotated since: fetch again (rate-limited) and look once more.
        await refresh();
        if (!usable()) throw new KeySetError('unavailable', lastError?.message ?? `${source} could not be fetched`);
        key = select(entries!, header, source);
      }
      if (!key) throw unknownKey(header, source);
      return key;
    },
  };
}
