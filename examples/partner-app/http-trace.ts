/**
 * What went over the wire: a fetch for Apollo Client's HttpLink that records each GraphQL HTTP
 * exchange (method, whether the query text was sent or only its APQ hash, status, the answer's
 * error codes, compression) and passes the request on unchanged. The partner app prints it, so an
 * operator can see automatic persisted queries at work; the test asserts on it.
 */

export interface HttpExchange {
  /** 1-based, in the order the requests were sent. */
  n: number;
  method: string;
  operationName: string | null;
  /** The request carried the query text (a hash-only APQ request does not). */
  sentQuery: boolean;
  /** extensions.persistedQuery.sha256Hash of the request, if any. */
  persistedQueryHash: string | null;
  /** Bytes of the request body, or of the URL's query string for GET. */
  requestBytes: number;
  status: number;
  /** The response's Content-Encoding (gzip, br...), null when uncompressed. */
  contentEncoding: string | null;
  /** The response's Cache-Control, e.g. no-store for answers that depend on the caller. */
  cacheControl: string | null;
  /** The answer carried `data` (not null). */
  hasData: boolean;
  /** extensions.code of each error in the answer, in order. */
  errorCodes: string[];
  ms: number;
}

export interface HttpTrace {
  exchanges: HttpExchange[];
  fetch: typeof fetch;
}

interface GraphQLRequestShape {
  query?: unknown;
  operationName?: unknown;
  extensions?: unknown;
}

/** Wraps `base` (the global fetch by default) and records every exchange in `exchanges`. */
export function traceFetch(base: typeof fetch = globalThis.fetch): HttpTrace {
  const exchanges: HttpExchange[] = [];
  const traced = async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]): Promise<Response> => {
    const started = performance.now();
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const request = readRequest(method, url, init?.body);
    const response = await base(input, init);
    const answer = (await response
      .clone()
      .json()
      .catch(() => null)) as { data?: unknown; errors?: Array<{ extensions?: { code?: unknown } }> } | null;
    const persisted =
      request.shape.extensions && typeof request.shape.extensions === 'object'
        ? (request.shape.extensions as { persistedQuery?: { sha256Hash?: unknown } }).persistedQuery
        : undefined;
    exchanges.push({
      n: exchanges.length + 1,
      method,
      operationName: typeof request.shape.operationName === 'string' ? request.shape.operationName : null,
      sentQuery: typeof request.shape.query === 'string' && request.shape.query.length > 0,
      persistedQueryHash: typeof persisted?.sha256Hash === 'string' ? persisted.sha256Hash : null,
      requestBytes: request.bytes,
      status: response.status,
      contentEncoding: response.headers.get('content-encoding'),
      cacheControl: response.headers.get('cache-control'),
      hasData: answer?.data !== undefined && answer?.data !== null,
      errorCodes: (answer?.errors ?? []).map((e) => (typeof e.extensions?.code === 'string' ? e.extensions.code : 'UNKNOWN')),
      ms: Math.round(performance.now() - started),
    });
    return response;
  };
  return { exchanges, fetch: traced };
}

function readRequest(method: string, url: URL, body: unknown): { shape: GraphQLRequestShape; bytes: number } {
  if (method === 'GET') {
    const params = url.searchParams;
    const json = (name: string) => {
      try {
        return JSON.parse(params.get(name) ?? 'null') as unknown;
      } catch {
        return null;
      }
    };
    return {
      shape: { query: params.get('query') ?? undefined, operationName: params.get('operationName') ?? undefined, extensions: json('extensions') ?? undefined },
      bytes: url.search.length,
    };
  }
  const text = typeof body === 'string' ? body : '';
  try {
    return { shape: JSON.parse(text) as GraphQLRequestShape, bytes: Buffer.byteLength(text) };
  } catch {
    return { shape: {}, bytes: Buffer.byteLength(text) };
  }
}
