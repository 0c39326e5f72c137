import { createHash } from 'node:crypto';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';

/**
 * The partner app's Apollo Client: an ordinary @apollo/client 4 set-up pointed at the Hague
 * gateway. Three links, in order:
 *
 * 1. caller (SetContextLink): every request carries the caller's `Authorization: Bearer <token>`
 *    (from the state's identity provider; fetched per request, so a token source can renew it), the
 *    legal basis in `X-Hague-Purpose` and, when set, the case file in `X-Hague-Case`.
 * 2. automatic persisted queries (PersistedQueryLink, SHA-256 from node:crypto): a query is first
 *    sent as its hash only, as a GET (cacheable); the gateway answers PERSISTED_QUERY_NOT_FOUND the
 *    first time, the link retries once with the full text (POST), and from then on the gateway
 *    knows the hash and the hash alone suffices.
 * 3. HTTP (HttpLink) to the gateway's /graphql, through a fetch the app may wrap to watch requests.
 */

export type Purpose = 'counter-terrorism' | 'terrorism-financing' | 'border-security' | 'organised-crime';

export interface PartnerClientOptions {
  /** The gateway's GraphQL endpoint, e.g. http://localhost:4000/graphql. */
  gatewayUrl: string;
  /** Returns the caller's bearer token: called before every request. */
  token: () => string | Promise<string>;
  purpose: Purpose;
  /** The case file reference sent in X-Hague-Case, for the owners' audit logs. */
  caseReference?: string | null;
  /** The fetch HttpLink uses (default: the global fetch). */
  fetch?: typeof fetch;
  /** Send hash-only persisted queries as GET (default true): cacheable reads. */
  useGETForHashedQueries?: boolean;
  /** Reported to the gateway as apollographql-client-name / -version. */
  clientName?: string;
  clientVersion?: string;
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The link that states who asks and why, on every request. */
export function callerLink(options: Pick<PartnerClientOptions, 'token' | 'purpose' | 'caseReference'>): ApolloLink {
  return new SetContextLink(async (prevContext) => ({
    headers: {
      ...prevContext.headers,
      authorization: `Bearer ${await options.token()}`,
      'x-hague-purpose': options.purpose,
      ...(options.caseReference ? { 'x-hague-case': options.caseReference } : {}),
    },
  }));
}

/**
 * Queries pass `errorPolicy: 'all'` (partial answers are the normal case in a network of owners:
 * keep the data, read the errors) and `fetchPolicy: 'no-cache'` (records are asked afresh from
 * their owners on every check and not kept in memory) per call: Apollo Client 4 types default
 * options only through a global declaration, which an example should not impose on its host.
 */
export function createPartnerClient(options: PartnerClientOptions): ApolloClient {
  const link = ApolloLink.from([
    callerLink(options),
    new PersistedQueryLink({ sha256, useGETForHashedQueries: options.useGETForHashedQueries ?? true }),
    new HttpLink({ uri: options.gatewayUrl, fetch: options.fetch }),
  ]);
  return new ApolloClient({
    link,
    cache: new InMemoryCache({
      // A record is identified by its owner and the owner's id: one subject known to three states
      // is three records, never merged into one.
      typePolicies: {
        Person: { keyFields: ['memberState', 'id'] },
        Organisation: { keyFields: ['memberState', 'id'] },
      },
    }),
    clientAwareness: { name: options.clientName ?? 'hague-partner-app', version: options.clientVersion ?? '0.1.0' },
  });
}
