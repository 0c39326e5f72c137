import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';
import type { GraphQLFormattedError } from 'graphql';
import { decodeJwt } from 'jose';
import { devKeyName, issueDevToken } from '../../common/dev-identity.ts';
import type { Clearance } from '../../common/caller.ts';
import type { MemberState } from '../../common/member-states.ts';
import { createPartnerClient, type Purpose } from './client.ts';
import { traceFetch } from './http-trace.ts';
import { CheckTravellerQuery } from './operations.ts';
import { buildCheck, summariseApq, type CallerSummary, type Report, type TravellerCheck } from './report.ts';

/**
 * The partner app: a border-control (or case) system asking the Hague network, for each traveller's
 * document number, which member states hold a record and what each releases to this caller.
 * `runPartnerApp` is the whole program; main.ts only parses flags and prints its report.
 */

/** A dev token minted locally from the dev identity provider's key (dev mode only: `npm start`). */
export interface DevIdentity {
  /** Where `hague dev` keeps its keys, e.g. .hague/keys (idp-<STATE>.jwk). */
  keysDir: string;
  state: MemberState;
  roles: string[];
  clearance: Clearance;
  scopes?: string[];
  subject?: string;
}

export interface PartnerAppOptions {
  /** The gateway's GraphQL endpoint, e.g. http://localhost:4000/graphql. */
  gateway: string;
  /** A bearer token from the caller's identity provider; or `devIdentity` to mint one. */
  token?: string;
  devIdentity?: DevIdentity;
  purpose: Purpose;
  caseReference?: string | null;
  /** Document (passport) numbers to check, one query each, in order. */
  documentNumbers: string[];
  /** Only travel movements at or after this date (ISO date). */
  travelSince?: string;
  /** Hash-only persisted queries as GET (default true). */
  useGETForHashedQueries?: boolean;
  /** The fetch underneath (default: the global fetch); the app records every exchange through it. */
  fetch?: typeof fetch;
}

export class PartnerAppError extends Error {}

export async function runPartnerApp(options: PartnerAppOptions): Promise<Report> {
  if (options.documentNumbers.length === 0) throw new PartnerAppError('give at least one document number to check');
  const token = await tokenSource(options);
  const trace = traceFetch(options.fetch);
  const client = createPartnerClient({
    gatewayUrl: options.gateway,
    token,
    purpose: options.purpose,
    caseReference: options.caseReference,
    fetch: trace.fetch,
    useGETForHashedQueries: options.useGETForHashedQueries,
    clientName: 'hague-partner-app/border-check',
  });
  const checks: TravellerCheck[] = [];
  try {
    // One after another, like an officer at a desk: from the second check on, the same query
    // travels as its hash only.
    for (const documentNumber of options.documentNumbers) {
      const result = await client.query({
        query: CheckTravellerQuery,
        variables: { documentNumber, travelSince: options.travelSince ?? null },
        errorPolicy: 'all',
        fetchPolicy: 'no-cache',
      });
      const { errors, failure } = readError(result.error);
      checks.push(buildCheck(documentNumber, result.data, errors, result.data ? null : (failure ?? 'no data in the answer')));
    }
  } finally {
    client.stop();
  }
  return { gateway: options.gateway, caller: callerSummary(await token(), options), checks, requests: trace.exchanges, apq: summariseApq(trace.exchanges) };
}

/** The GraphQL errors that came with partial data, or why there is no data at all. */
function readError(error: unknown): { errors: readonly GraphQLFormattedError[]; failure: string | null } {
  if (!error) return { errors: [], failure: null };
  if (CombinedGraphQLErrors.is(error)) return { errors: error.errors, failure: describe(error.errors) };
  if (ServerError.is(error)) {
    // The gateway refused before executing (401 UNAUTHENTICATED, 400 PURPOSE_REQUIRED...): its body says why.
    try {
      const body = JSON.parse(error.bodyText) as { errors?: GraphQLFormattedError[] };
      if (body.errors?.length) return { errors: body.errors, failure: `HTTP ${error.statusCode}: ${describe(body.errors)}` };
    } catch {
      /* not JSON */
    }
    return { errors: [], failure: `HTTP ${error.statusCode}: ${error.message}` };
  }
  // fetch failed: the gateway is unreachable (the cause says why: ECONNREFUSED, ENOTFOUND...).
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  const detail = cause?.code ?? cause?.message;
  return { errors: [], failure: error instanceof Error ? `${error.message}${detail ? ` (${detail})` : ''}` : JSON.stringify(error) };
}

function describe(errors: readonly GraphQLFormattedError[]): string {
  return errors.map((e) => `${typeof e.extensions?.code === 'string' ? e.extensions.code : 'ERROR'}: ${e.message}`).join('; ');
}

/** Where the bearer token comes from: given, or minted from a dev key on each request (it never goes stale). */
async function tokenSource(options: PartnerAppOptions): Promise<() => Promise<string>> {
  if (options.token) {
    const token = options.token.replace(/^Bearer\s+/i, '').trim();
    return async () => token;
  }
  const dev = options.devIdentity;
  if (!dev) throw new PartnerAppError('no credentials: give a token (--token or HAGUE_TOKEN), or --dev-keys with --state to mint a dev token');
  const keyFile = join(resolve(dev.keysDir), `${devKeyName(dev.state)}.jwk`);
  // issueDevToken would create a fresh key the gateway has never seen: refuse instead.
  if (!existsSync(keyFile))
    throw new PartnerAppError(
      `no dev identity key for ${dev.state} at ${keyFile}; start the network first (npm start creates .hague/keys) or point --dev-keys at its keys`,
    );
  let cached: { token: string; expires: number } | undefined;
  return async () => {
    if (!cached || cached.expires - Date.now() < 60_000) {
      const token = await issueDevToken({
        state: dev.state,
        roles: dev.roles,
        clearance: dev.clearance,
        scopes: dev.scopes,
        subject: dev.subject,
        keysDir: dev.keysDir,
        ttlSeconds: 900,
      });
      cached = { token, expires: Date.now() + 900_000 };
    }
    return cached.token;
  };
}

function callerSummary(token: string, options: PartnerAppOptions): CallerSummary {
  let claims: Record<string, unknown> = {};
  try {
    claims = decodeJwt(token);
  } catch {
    /* not a JWT: the gateway will say so */
  }
  const roles = Array.isArray(claims.roles) ? claims.roles.map(String) : [];
  return {
    state: typeof claims.iss === 'string' ? claims.iss.replace(/^hague-dev:/, '') : null,
    subject: typeof claims.sub === 'string' ? claims.sub : null,
    roles,
    clearance: typeof claims.clearance === 'string' ? claims.clearance : null,
    purpose: options.purpose,
    caseReference: options.caseReference ?? null,
  };
}
