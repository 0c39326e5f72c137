import { DEMO_STATES, MEMBER_STATES, MEMBER_STATE_NAMES, isMemberState, type MemberState } from '../common/member-states.ts';
import { YamlFile, isHttpUrl, isIntegerIn, isPlainObject } from '../common/yaml-file.ts';
import type { RateLimitOptions } from './plugins/rate-limit.ts';
import { DEFAULT_GATEWAY_MAX_ANSWER_BYTES } from './http-client.ts';
import { DEFAULT_JWKS_MAX_AGE_MS, DEFAULT_JWKS_MIN_REFRESH_INTERVAL_MS, DEFAULT_JWKS_TIMEOUT_MS, type RemoteKeySetOptions } from '../common/key-set.ts';

/** How long the gateway waits for one member state before answering without it. */
import {
  DEFAULT_MEMBER_TIMEOUT_MS,
  DEFAULT_RATE_LIMIT_CONCURRENT_PER_CALLER,
  DEFAULT_RATE_LIMIT_PER_CALLER,
  DEFAULT_RATE_LIMIT_REFUSED_PER_ADDRESS,
  DEFAULT_RATE_LIMIT_WINDOW_MS,
} from '../common/defaults.ts';
export const DEFAULT_GATEWAY_PORT = 4000;

/** One member state of the network, as config/members.yaml describes it. */
export interface MemberConfig {
  code: MemberState;
  name: string;
  /** The state's member subgraph endpoint, e.g. http://127.0.0.1:4101/graphql; with replicas, the first of `urls`. */
  url: string;
  /** Every replica of the state's member subgraph (url first), when it runs more than one; absent: `url` alone. */
  urls?: string[];
  /** Per-request budget for this state: connect, headers and body together, retries and hedges included. */
  timeoutMs: number;
  /** Circuit breaker per replica (replicas.ts); false: none. Absent: DEFAULT_CIRCUIT_BREAKER. */
  circuitBreaker?: CircuitBreakerSettings | false;
  /** Largest answer accepted from this state, in bytes, counted while it streams. Absent: DEFAULT_GATEWAY_MAX_ANSWER_BYTES. */
  maxAnswerBytes?: number;
  /** With several replicas: ask a second replica when the first has not answered after this long. Absent: no hedging. */
  hedgeAfterMs?: number;
  /** The state's identity provider (JWT `iss`): callers of this state present its tokens. */
  issuer?: string;
  /** Where the issuer publishes its signing keys (JWKS). */
  jwksUrl?: string;
  /** The issuer's keys given inline: PEM strings, JWKs, or { file } naming a JWK file. */
  publicKeys?: Array<string | Record<string, unknown>>;
  /** Mutual TLS to this state (its urls are https://): the CA its certificate must chain to, and optional SPKI pins. */
  tls?: MemberTlsConfig;
}

/** How the gateway verifies one state's certificate (members.yaml `tls: { ca, pin }`). */
export interface MemberTlsConfig {
  /** The CA certificate file (PEM) that issued the state's server certificate: read when the gateway starts. */
  caFile: string;
  /** SHA-256 of the state's certificate's SubjectPublicKeyInfo, base64 (common/tls.ts spkiPin): any one must match. Absent: the CA alone. */
  pins?: string[];
}

/** The gateway's client certificate, presented to every state reached over mutual TLS (members.yaml `gateway.tls: { cert, key }`). */
export interface GatewayTlsConfig {
  /** PEM files, read when the gateway starts. */
  certFile: string;
  keyFile: string;
}

/** A replica's circuit breaker: opens after `failures` consecutive failed calls, lets one probe through after `halfOpenAfterMs`. */
export interface CircuitBreakerSettings {
  failures: number;
  halfOpenAfterMs: number;
}

export const DEFAULT_CIRCUIT_BREAKER: CircuitBreakerSettings = { failures: 5, halfOpenAfterMs: 5000 };
/** The gateway's cap on the bytes of member answers being read at once, over all states (answer-memory.ts). */
export const DEFAULT_MAX_IN_FLIGHT_ANSWER_BYTES = 64 * 1024 * 1024;
/** How long a persisted query's hash is remembered after it was last registered. */
export const DEFAULT_PERSISTED_QUERY_TTL_MS = 3_600_000;

/** members.yaml gateway.persistedQueries: automatic persisted queries, kept for `ttl`, shared by the replicas in `redis`. */
export interface PersistedQuerySettings {
  ttlMs: number;
  /** redis:// or rediss:// URL: every replica understands a hash any of them learnt. Absent: this process's memory. */
  redis?: string;
}
export { DEFAULT_GATEWAY_MAX_ANSWER_BYTES };

export interface GatewaySettings {
  port: number;
  host?: string;
  /** Reject a whole request asking for a forbidden field, instead of answering that field null. */
  strictAuthorization: boolean;
  /** Browser origins allowed to call the gateway (CORS); empty = same origin only. */
  corsOrigins: string[];
  /** Rate limits on the GraphQL route, defaults filled in; false: off. */
  rateLimit: RateLimitOptions | false;
  /** Network defaults for the states that set none (applied to each member entry); absent: the built-in defaults. */
  circuitBreaker?: CircuitBreakerSettings | false;
  maxAnswerBytes?: number;
  hedgeAfterMs?: number;
  /** Cap on the bytes of member answers being read at once, over all states. */
  maxInFlightAnswerBytes: number;
  /** The gateway's client certificate for the states reached over mutual TLS; required when any member has `tls`. */
  tls?: GatewayTlsConfig;
  /** How the identity providers' JWKS (jwksUrl) are cached and refreshed, defaults filled in. */
  jwks: Required<RemoteKeySetOptions>;
  persistedQueries: PersistedQuerySettings;
}

export interface MembersConfig {
  file: string;
  gateway: GatewaySettings;
  /** In file order: merged lists follow this order. */
  members: MemberConfig[];
}

const TOP_KEYS = ['gateway', 'members'] as const;
const GATEWAY_KEYS = [
  'jwks',
  'port',
  'host',
  'strictAuthorization',
  'corsOrigins',
  'rateLimit',
  'circuitBreaker',
  'maxAnswerBytes',
  'maxInFlightAnswerBytes',
  'hedgeAfterMs',
  'tls',
  'persistedQueries',
] as const;
const PERSISTED_QUERY_KEYS = ['ttl', 'redis'] as const;
const JWKS_KEYS = ['maxAge', 'minRefreshInterval', 'timeout'] as const;
const MEMBER_TLS_KEYS = ['ca', 'pin'] as const;
const GATEWAY_TLS_KEYS = ['cert', 'key'] as const;
const BREAKER_KEYS = ['failures', 'halfOpenAfter'] as const;
const RATE_LIMIT_KEYS = ['perCaller', 'concurrentPerCaller', 'refusedPerAddress', 'window', 'redis'] as const;
const DEFAULT_RATE_LIMIT: RateLimitOptions = {
  perCaller: DEFAULT_RATE_LIMIT_PER_CALLER,
  concurrentPerCaller: DEFAULT_RATE_LIMIT_CONCURRENT_PER_CALLER,
  refusedPerAddress: DEFAULT_RATE_LIMIT_REFUSED_PER_ADDRESS,
  windowMs: DEFAULT_RATE_LIMIT_WINDOW_MS,
};
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const MEMBER_KEYS = [
  'code',
  'name',
  'url',
  'timeoutMs',
  'issuer',
  'jwksUrl',
  'publicKeys',
  'urls',
  'circuitBreaker',
  'maxAnswerBytes',
  'hedgeAfterMs',
  'tls',
] as const;
const SIZE_UNITS: Record<string, number> = { b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, kb: 1000, mb: 1000 ** 2, gb: 1000 ** 3 };
const MIN_ANSWER_BYTES = 1024;
const MAX_ANSWER_BYTES = 1024 ** 3;

export function loadMembersConfig(file: string): MembersConfig {
  return validate(YamlFile.read(file, 'members config'));
}

export function parseMembersConfig(text: string, file = 'members.yaml'): MembersConfig {
  return validate(YamlFile.parse(text, file));
}

function validate(y: YamlFile): MembersConfig {
  const root = y.data;
  if (!isPlainObject(root)) throw y.bad([], root, 'is not a members config; expected keys gateway: and members:');
  y.onlyKeys([], root, TOP_KEYS);
  const gateway = validateGateway(y, root.gateway);
  if (root.members === undefined) throw y.error(['members'], 'missing; expected a list of member states, each with code, name and url');
  if (!Array.isArray(root.members) || root.members.length === 0) {
    throw y.bad(['members'], root.members, 'is not a list of member states; expected at least one entry with code, name and url');
  }
  const members: MemberConfig[] = [];
  const seenCodes = new Map<string, number>();
  const seenUrls = new Map<string, string>();
  root.members.forEach((entry, i) => {
    const member = validateMember(y, entry, i, gateway);
    const twice = seenCodes.get(member.code);
    if (twice !== undefined) throw y.error(['members', i, 'code'], `'${member.code}' is listed twice (also members[${twice}])`);
    for (const url of member.urls ?? [member.url]) {
      const sameUrl = seenUrls.get(url);
      if (sameUrl) throw y.error(['members', i, member.urls ? 'urls' : 'url'], `'${url}' is also a url of ${sameUrl}; every state serves its own records`);
      seenUrls.set(url, member.code);
    }
    seenCodes.set(member.code, i);
    if ((member.maxAnswerBytes ?? DEFAULT_GATEWAY_MAX_ANSWER_BYTES) > gateway.maxInFlightAnswerBytes) {
      throw y.error(
        ['members', i, 'maxAnswerBytes'],
        `${member.maxAnswerBytes ?? DEFAULT_GATEWAY_MAX_ANSWER_BYTES} bytes (the answer size cap) is more than gateway.maxInFlightAnswerBytes (${gateway.maxInFlightAnswerBytes}): such an answer could never be read; lower it or raise the gateway's`,
      );
    }
    members.push(member);
  });
  const overTls = members.findIndex((m) => m.tls);
  if (overTls >= 0 && !gateway.tls) {
    throw y.error(
      ['gateway', 'tls'],
      `missing: ${members[overTls].code} (members[${overTls}]) is reached over mutual TLS; add tls: { cert: <the gateway's client certificate, PEM>, key: <its private key, PEM> } under gateway`,
    );
  }
  return { file: y.file, gateway, members };
}

const PIN = /^[A-Za-z0-9+/]{43}=$/;

/** `tls: { ca: <PEM file>, pin: <base64 SHA-256 of the SPKI> or a list of them }` of one state. */
function validateMemberTls(y: YamlFile, at: Array<string | number>, value: unknown, code: string): MemberTlsConfig {
  if (!isPlainObject(value)) throw y.bad(at, value, `is not a map; expected { ca: <PEM file of the CA that issued ${code}'s certificate>, pin: <optional> }`);
  y.onlyKeys(at, value, MEMBER_TLS_KEYS);
  if (value.ca === undefined) throw y.error([...at, 'ca'], `missing: the PEM file of the CA that issued ${code}'s certificate`);
  if (typeof value.ca !== 'string' || value.ca.trim() === '') throw y.bad([...at, 'ca'], value.ca, 'is not a file path (a PEM CA certificate)');
  const tls: MemberTlsConfig = { caFile: value.ca };
  if (value.pin !== undefined) {
    const pins = Array.isArray(value.pin) ? (value.pin as unknown[]) : [value.pin];
    pins.forEach((pin, k) => {
      if (typeof pin !== 'string' || !PIN.test(pin)) {
        throw y.bad(
          Array.isArray(value.pin) ? [...at, 'pin', k] : [...at, 'pin'],
          pin,
          "is not a pin: the base64 SHA-256 of the certificate's SubjectPublicKeyInfo (44 characters ending in =), e.g. openssl x509 -in state.pem -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64",
        );
      }
    });
    if (pins.length === 0) throw y.bad([...at, 'pin'], value.pin, 'is an empty list; give at least one pin or remove the key');
    tls.pins = pins as string[];
  }
  return tls;
}

/** `gateway.tls: { cert, key }`: the gateway's client certificate. */
function validateGatewayTls(y: YamlFile, value: unknown): GatewayTlsConfig {
  const at = ['gateway', 'tls'];
  if (!isPlainObject(value)) throw y.bad(at, value, "is not a map; expected { cert: <the gateway's client certificate, PEM>, key: <its private key, PEM> }");
  y.onlyKeys(at, value, GATEWAY_TLS_KEYS);
  for (const key of GATEWAY_TLS_KEYS) {
    if (value[key] === undefined)
      throw y.error([...at, key], `missing: the PEM file of the gateway's client ${key === 'cert' ? 'certificate' : 'private key'}`);
    if (typeof value[key] !== 'string' || value[key].trim() === '') throw y.bad([...at, key], value[key], 'is not a file path');
  }
  return { certFile: value.cert as string, keyFile: value.key as string };
}

function validateGateway(y: YamlFile, value: unknown): GatewaySettings {
  const settings: GatewaySettings = {
    port: DEFAULT_GATEWAY_PORT,
    strictAuthorization: false,
    corsOrigins: [],
    rateLimit: { ...DEFAULT_RATE_LIMIT },
    maxInFlightAnswerBytes: DEFAULT_MAX_IN_FLIGHT_ANSWER_BYTES,
    jwks: { maxAgeMs: DEFAULT_JWKS_MAX_AGE_MS, minRefreshIntervalMs: DEFAULT_JWKS_MIN_REFRESH_INTERVAL_MS, timeoutMs: DEFAULT_JWKS_TIMEOUT_MS },
    persistedQueries: { ttlMs: DEFAULT_PERSISTED_QUERY_TTL_MS },
  };
  if (value === undefined || value === null) return settings;
  if (!isPlainObject(value)) throw y.bad(['gateway'], value, `is not a map; expected ${GATEWAY_KEYS.join(', ')}`);
  y.onlyKeys(['gateway'], value, GATEWAY_KEYS);
  if (value.port !== undefined) {
    if (!isIntegerIn(value.port, 0, 65535)) throw y.bad(['gateway', 'port'], value.port, 'is not a port number (0-65535)');
    settings.port = value.port;
  }
  if (value.host !== undefined) {
    if (typeof value.host !== 'string' || value.host.trim() === '') throw y.bad(['gateway', 'host'], value.host, 'is not a host name or address');
    settings.host = value.host;
  }
  if (value.strictAuthorization !== undefined) {
    if (typeof value.strictAuthorization !== 'boolean') throw y.bad(['gateway', 'strictAuthorization'], value.strictAuthorization, 'is not true or false');
    settings.strictAuthorization = value.strictAuthorization;
  }
  if (value.corsOrigins !== undefined) {
    if (!Array.isArray(value.corsOrigins))
      throw y.bad(['gateway', 'corsOrigins'], value.corsOrigins, 'is not a list of origins like https://analyst.example.eu');
    settings.corsOrigins = value.corsOrigins.map((origin: unknown, i) => {
      if (typeof origin !== 'string' || !isOrigin(origin)) {
        throw y.bad(['gateway', 'corsOrigins', i], origin, 'is not an origin; expected scheme://host[:port] without a path, e.g. https://analyst.example.eu');
      }
      return origin;
    });
  }
  if (value.rateLimit !== undefined) settings.rateLimit = validateRateLimit(y, value.rateLimit);
  if (value.persistedQueries !== undefined) settings.persistedQueries = validatePersistedQueries(y, value.persistedQueries);
  if (value.circuitBreaker !== undefined) settings.circuitBreaker = validateBreaker(y, ['gateway', 'circuitBreaker'], value.circuitBreaker);
  if (value.maxAnswerBytes !== undefined) settings.maxAnswerBytes = validateBytes(y, ['gateway', 'maxAnswerBytes'], value.maxAnswerBytes);
  if (value.maxInFlightAnswerBytes !== undefined) {
    settings.maxInFlightAnswerBytes = validateBytes(y, ['gateway', 'maxInFlightAnswerBytes'], value.maxInFlightAnswerBytes);
  }
  if ((settings.maxAnswerBytes ?? DEFAULT_GATEWAY_MAX_ANSWER_BYTES) > settings.maxInFlightAnswerBytes) {
    throw y.error(
      ['gateway', 'maxAnswerBytes'],
      `${settings.maxAnswerBytes ?? DEFAULT_GATEWAY_MAX_ANSWER_BYTES} bytes (the answer size cap) is more than gateway.maxInFlightAnswerBytes (${settings.maxInFlightAnswerBytes}): such an answer could never be read`,
    );
  }
  if (value.hedgeAfterMs !== undefined) settings.hedgeAfterMs = validateHedge(y, ['gateway', 'hedgeAfterMs'], value.hedgeAfterMs);
  if (value.jwks !== undefined) settings.jwks = validateJwks(y, value.jwks, settings.jwks);
  if (value.tls !== undefined) settings.tls = validateGatewayTls(y, value.tls);
  return settings;
}

/** `{ maxAge: 10m, minRefreshInterval: 10s, timeout: 5s }`: how identity providers' key sets are cached. */
function validateJwks(y: YamlFile, value: unknown, defaults: Required<RemoteKeySetOptions>): Required<RemoteKeySetOptions> {
  const at = ['gateway', 'jwks'];
  if (!isPlainObject(value)) throw y.bad(at, value, 'is not a map; expected { maxAge: 10m, minRefreshInterval: 10s, timeout: 5s }');
  y.onlyKeys(at, value, JWKS_KEYS);
  const jwks = { ...defaults };
  const time = (key: (typeof JWKS_KEYS)[number], min: number, max: number, what: string) => {
    if (value[key] === undefined) return undefined;
    const ms = durationMs(value[key]);
    if (ms === undefined || ms < min || ms > max) throw y.bad([...at, key], value[key], what);
    return ms;
  };
  jwks.maxAgeMs = time('maxAge', 1000, 86_400_000, 'is not a time from 1 s to 24 h; expected e.g. 10m, 1h or 600000 (milliseconds)') ?? jwks.maxAgeMs;
  jwks.minRefreshIntervalMs =
    time('minRefreshInterval', 1000, 3_600_000, 'is not a time from 1 s to 1 h; expected e.g. 10s, 1m or 10000 (milliseconds)') ?? jwks.minRefreshIntervalMs;
  jwks.timeoutMs = time('timeout', 100, 60_000, 'is not a time from 100 ms to 60 s; expected e.g. 5s or 5000 (milliseconds)') ?? jwks.timeoutMs;
  if (jwks.minRefreshIntervalMs > jwks.maxAgeMs) {
    throw y.error(
      [...at, 'minRefreshInterval'],
      `${jwks.minRefreshIntervalMs} ms is more than maxAge (${jwks.maxAgeMs} ms): expired keys could not be fetched again in time`,
    );
  }
  return jwks;
}

/** `{ failures: 5, halfOpenAfter: 5s }`, or false: no breaker. */
function validateBreaker(y: YamlFile, at: Array<string | number>, value: unknown): CircuitBreakerSettings | false {
  if (value === false) return false;
  if (!isPlainObject(value)) throw y.bad(at, value, 'is not a map or false; expected { failures: 5, halfOpenAfter: 5s }');
  y.onlyKeys(at, value, BREAKER_KEYS);
  const breaker = { ...DEFAULT_CIRCUIT_BREAKER };
  if (value.failures !== undefined) {
    if (!isIntegerIn(value.failures, 1, 1000)) {
      throw y.bad([...at, 'failures'], value.failures, 'is not a number of consecutive failed calls (1 to 1000) after which the breaker opens');
    }
    breaker.failures = value.failures;
  }
  if (value.halfOpenAfter !== undefined) {
    const ms = durationMs(value.halfOpenAfter);
    if (ms === undefined || ms < 100 || ms > 600_000) {
      throw y.bad([...at, 'halfOpenAfter'], value.halfOpenAfter, 'is not a time from 100 ms to 10 m; expected e.g. 5s, 500ms or 5000 (milliseconds)');
    }
    breaker.halfOpenAfterMs = ms;
  }
  return breaker;
}

/** 8388608, or a size with a unit: 8MiB, 512 KiB, 10MB. */
function validateBytes(y: YamlFile, at: Array<string | number>, value: unknown): number {
  const match = typeof value === 'string' ? /^(\d+(?:\.\d+)?)\s*(b|kib|mib|gib|kb|mb|gb)$/i.exec(value.trim()) : null;
  const bytes = typeof value === 'number' ? value : match ? Math.round(Number(match[1]) * SIZE_UNITS[match[2].toLowerCase()]) : undefined;
  if (bytes === undefined || !Number.isInteger(bytes) || bytes < MIN_ANSWER_BYTES || bytes > MAX_ANSWER_BYTES) {
    throw y.bad(at, value, 'is not a size from 1 KiB to 1 GiB; expected e.g. 16MiB, 512KiB or 16777216 (bytes)');
  }
  return bytes;
}

function validateHedge(y: YamlFile, at: Array<string | number>, value: unknown): number {
  if (!isIntegerIn(value, 1, 120_000)) {
    throw y.bad(at, value, 'is not a time in milliseconds (1 to 120000) after which a second replica is asked when the first has not answered');
  }
  return value;
}

function validateRateLimit(y: YamlFile, value: unknown): RateLimitOptions | false {
  const at = ['gateway', 'rateLimit'];
  if (value === false) return false;
  if (!isPlainObject(value)) throw y.bad(at, value, `is not a map or false; expected ${RATE_LIMIT_KEYS.join(', ')}`);
  y.onlyKeys(at, value, RATE_LIMIT_KEYS);
  const limit: RateLimitOptions = { ...DEFAULT_RATE_LIMIT };
  for (const key of ['perCaller', 'refusedPerAddress', 'concurrentPerCaller'] as const) {
    if (value[key] === undefined) continue;
    const what = key === 'concurrentPerCaller' ? 'a number of requests in flight' : 'a number of requests per window';
    if (!isIntegerIn(value[key], 0, 1_000_000)) throw y.bad([...at, key], value[key], `is not ${what} (0 to 1000000; 0: no limit)`);
    limit[key] = value[key];
  }
  if (value.window !== undefined) {
    const ms = durationMs(value.window);
    if (ms === undefined || ms < 1000 || ms > 86_400_000) {
      throw y.bad([...at, 'window'], value.window, 'is not a time window from 1 s to 24 h; expected e.g. 60s, 1m or 60000 (milliseconds)');
    }
    limit.windowMs = ms;
  }
  if (value.redis !== undefined) {
    if (typeof value.redis !== 'string' || !isRedisUrl(value.redis)) {
      throw y.bad([...at, 'redis'], value.redis, 'is not a Redis URL; expected redis://host:port or rediss://host:port (TLS), e.g. redis://127.0.0.1:6379');
    }
    limit.redis = value.redis;
  }
  return limit;
}

function validatePersistedQueries(y: YamlFile, value: unknown): PersistedQuerySettings {
  const at = ['gateway', 'persistedQueries'];
  if (!isPlainObject(value)) throw y.bad(at, value, `is not a map; expected ${PERSISTED_QUERY_KEYS.join(', ')}`);
  y.onlyKeys(at, value, PERSISTED_QUERY_KEYS);
  const settings: PersistedQuerySettings = { ttlMs: DEFAULT_PERSISTED_QUERY_TTL_MS };
  if (value.ttl !== undefined) {
    const ms = durationMs(value.ttl);
    if (ms === undefined || ms < 1000 || ms > 30 * 86_400_000) {
      throw y.bad([...at, 'ttl'], value.ttl, 'is not a time from 1 s to 720 h; expected e.g. 1h, 30m or 3600000 (milliseconds)');
    }
    settings.ttlMs = ms;
  }
  if (value.redis !== undefined) {
    if (typeof value.redis !== 'string' || !isRedisUrl(value.redis)) {
      throw y.bad([...at, 'redis'], value.redis, 'is not a Redis URL; expected redis://host:port or rediss://host:port (TLS), e.g. redis://127.0.0.1:6379');
    }
    settings.redis = value.redis;
  }
  return settings;
}

/** 60000 (milliseconds), or a number with ms, s, m or h: 60s, 1m. */
function durationMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  const match = typeof value === 'string' ? /^(\d+)\s*(ms|s|m|h)$/.exec(value.trim()) : null;
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2]];
}

function isRedisUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function validateMember(y: YamlFile, entry: unknown, i: number, network: GatewaySettings): MemberConfig {
  const at = ['members', i];
  if (!isPlainObject(entry)) throw y.bad(at, entry, 'is not a member state entry; expected a map with code, name, url (or urls)');
  y.onlyKeys(at, entry, MEMBER_KEYS);
  const code = typeof entry.code === 'string' ? entry.code.trim().toUpperCase() : entry.code;
  if (!isMemberState(code)) throw y.bad([...at, 'code'], entry.code, `is not a member state; use one of ${MEMBER_STATES.join(' ')}`);

  const name = entry.name ?? MEMBER_STATE_NAMES[code];
  if (typeof name !== 'string' || name.trim() === '') throw y.bad([...at, 'name'], entry.name, 'is not a name');

  if (entry.url === undefined && entry.urls === undefined) {
    throw y.error([...at, 'url'], `missing: the member subgraph URL of ${code}, e.g. http://127.0.0.1:4101/graphql (or urls: a list, one per replica)`);
  }
  if (entry.url !== undefined && (typeof entry.url !== 'string' || !isHttpUrl(entry.url))) {
    throw y.bad([...at, 'url'], entry.url, 'is not an http(s) URL; expected e.g. http://127.0.0.1:4101/graphql');
  }
  const urls: string[] = entry.url !== undefined ? [entry.url] : [];
  if (entry.urls !== undefined) {
    if (!Array.isArray(entry.urls) || entry.urls.length === 0) {
      throw y.bad(
        [...at, 'urls'],
        entry.urls,
        "is not a list of the state's replica URLs; expected e.g. [http://10.0.0.1:4101/graphql, http://10.0.0.2:4101/graphql]",
      );
    }
    entry.urls.forEach((url: unknown, k) => {
      if (typeof url !== 'string' || !isHttpUrl(url))
        throw y.bad([...at, 'urls', k], url, 'is not an http(s) URL; expected e.g. http://127.0.0.1:4101/graphql');
      if (urls.includes(url)) throw y.error([...at, 'urls', k], `'${url}' is listed twice for ${code}`);
      urls.push(url);
    });
  }

  let timeoutMs = DEFAULT_MEMBER_TIMEOUT_MS;
  if (entry.timeoutMs !== undefined) {
    if (!isIntegerIn(entry.timeoutMs, 1, 120_000)) {
      throw y.bad([...at, 'timeoutMs'], entry.timeoutMs, 'is not a timeout in milliseconds (1 to 120000)');
    }
    timeoutMs = entry.timeoutMs;
  }

  // https:// exactly when the state is reached over mutual TLS: never a plain-text fallback.
  const https = urls.filter((url) => url.startsWith('https:'));
  const urlKey = entry.urls !== undefined ? 'urls' : 'url';
  if (entry.tls === undefined && https.length > 0) {
    throw y.error(
      [...at, 'tls'],
      `missing: ${code}'s ${urlKey} ${https[0]} is https; add tls: { ca: <PEM file of the CA that issued ${code}'s certificate> } (and optionally pin)`,
    );
  }
  const tls = entry.tls !== undefined ? validateMemberTls(y, [...at, 'tls'], entry.tls, code) : undefined;
  if (tls && https.length < urls.length) {
    throw y.error(
      [...at, urlKey],
      `'${urls.find((u) => !u.startsWith('https:'))}' is plain http but ${code} has tls: every url of a state with tls must be https://`,
    );
  }

  const member: MemberConfig = {
    code,
    name: name.trim(),
    url: urls[0],
    ...(urls.length > 1 ? { urls } : {}),
    timeoutMs,
  };
  const breaker = entry.circuitBreaker !== undefined ? validateBreaker(y, [...at, 'circuitBreaker'], entry.circuitBreaker) : network.circuitBreaker;
  if (breaker !== undefined) member.circuitBreaker = breaker;
  const maxAnswerBytes = entry.maxAnswerBytes !== undefined ? validateBytes(y, [...at, 'maxAnswerBytes'], entry.maxAnswerBytes) : network.maxAnswerBytes;
  if (maxAnswerBytes !== undefined) member.maxAnswerBytes = maxAnswerBytes;
  if (entry.hedgeAfterMs !== undefined) {
    const hedge = validateHedge(y, [...at, 'hedgeAfterMs'], entry.hedgeAfterMs);
    if (urls.length < 2) throw y.error([...at, 'hedgeAfterMs'], `hedging asks a second replica: list ${code}'s replicas under urls, or remove hedgeAfterMs`);
    if (hedge >= timeoutMs) throw y.error([...at, 'hedgeAfterMs'], `${hedge} ms is not less than timeoutMs (${timeoutMs}): the hedge would never be sent`);
    member.hedgeAfterMs = hedge;
  } else if (network.hedgeAfterMs !== undefined && urls.length > 1 && network.hedgeAfterMs < timeoutMs) {
    member.hedgeAfterMs = network.hedgeAfterMs;
  }
  if (tls) member.tls = tls;
  if (entry.issuer !== undefined) {
    if (typeof entry.issuer !== 'string' || entry.issuer.trim() === '')
      throw y.bad([...at, 'issuer'], entry.issuer, "is not an issuer (the JWT iss of the state's identity provider)");
    member.issuer = entry.issuer;
  }
  if (entry.jwksUrl !== undefined && entry.publicKeys !== undefined) {
    throw y.error([...at, 'publicKeys'], 'give jwksUrl or publicKeys, not both');
  }
  if (entry.jwksUrl !== undefined) {
    if (typeof entry.jwksUrl !== 'string' || !isHttpUrl(entry.jwksUrl)) throw y.bad([...at, 'jwksUrl'], entry.jwksUrl, 'is not an http(s) URL');
    member.jwksUrl = entry.jwksUrl;
  }
  if (entry.publicKeys !== undefined) {
    if (!Array.isArray(entry.publicKeys) || entry.publicKeys.length === 0) {
      throw y.bad([...at, 'publicKeys'], entry.publicKeys, 'is not a list of keys (PEM strings or JWK maps)');
    }
    entry.publicKeys.forEach((key, k) => {
      const pem = typeof key === 'string' && key.includes('-----BEGIN');
      const jwk = isPlainObject(key) && typeof key.kty === 'string';
      const file = isPlainObject(key) && typeof key.file === 'string' && Object.keys(key).length === 1;
      if (!pem && !jwk && !file)
        throw y.bad([...at, 'publicKeys', k], key, 'is not a PEM public key, a JWK (a map with kty) or { file: <path of a JWK file> }');
    });
    member.publicKeys = entry.publicKeys as MemberConfig['publicKeys'];
  }
  return member;
}

function isOrigin(value: string): boolean {
  if (!isHttpUrl(value)) return false;
  const url = new URL(value);
  return (url.pathname === '/' || url.pathname === '') && !value.endsWith('/') && url.search === '' && url.hash === '';
}

/**
 * The dev network's states in port order: the five demo states first (so NL stays on 4101 whether
 * 5 or 27 run), then the other member states alphabetically.
 */
export function devStates(count: number): MemberState[] {
  const rest = MEMBER_STATES.filter((s) => !DEMO_STATES.includes(s));
  return [...DEMO_STATES, ...rest].slice(0, count);
}
