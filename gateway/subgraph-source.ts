import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Dispatcher } from 'undici';
import { subgraphAudience } from '../common/context-token.ts';
import { CORRELATION_ID_HEADER, REQUEST_ID_HEADER } from '../common/request-id.ts';
import { contextOf, type GatewayContext, type HeadersFor, type StateCall } from './context.ts';
import { formattedError } from '../common/errors.ts';
import { postGraphQL, unavailableReason } from './http-client.ts';

/**
 * Any subgraph other than `member` (another agency's own subgraph, e.g. case files): called at its
 * routing URL like Apollo's RemoteGraphQLDataSource would, but over our keep-alive agent with a
 * hard timeout, forwarding the request id. If it fails, its fields are missing and one
 * MEMBER_UNAVAILABLE error names the subgraph (extensions.subgraph): the member states' data stays.
 */
export interface SubgraphSourceOptions {
  name: string;
  url: string;
  dispatcher: Dispatcher;
  timeoutMs: number;
  headersFor?: HeadersFor;
  onCall?: (call: StateCall, context: GatewayContext) => void;
}

type Response = Awaited<ReturnType<GraphQLDataSource['process']>>;

export class SubgraphSource implements GraphQLDataSource<GatewayContext> {
  constructor(private readonly options: SubgraphSourceOptions) {}

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<Response> {
    const { name, url, dispatcher, timeoutMs } = this.options;
    const context = contextOf(options, `subgraph ${name}`);
    const { query, variables, operationName } = options.request;
    if (!query) throw new Error(`subgraph ${name}: fetch without a query`);
    const body = JSON.stringify({ query, variables, ...(operationName ? { operationName } : {}) });
    const headers: Record<string, string> = { [REQUEST_ID_HEADER]: context.requestId };
    // The client's own X-Request-Id, for the owners' audit entries (never the id they join on).
    if (context.correlationId) headers[CORRELATION_ID_HEADER] = context.correlationId;
    // The same request-bound caller context as the member states get, so the subgraph can apply its own rules.
    if (this.options.headersFor)
      Object.assign(headers, await this.options.headersFor(subgraphAudience(name), context, { body, deadline: Date.now() + timeoutMs }));
    const result = await postGraphQL(dispatcher, url, body, headers, timeoutMs);
    const isEntities = /\b_entities\b/.test(query);
    this.options.onCall?.({ state: name, kind: isEntities ? 'entities' : 'root', ms: result.ms, outcome: result.ok ? 'ok' : result.failure.kind }, context);
    if (result.ok) return result.body;
    context.log.warn({ subgraph: name, reason: result.failure.kind, ms: result.ms, url }, `subgraph ${name} ${result.failure.detail}`);
    return {
      data: null,
      errors: [
        formattedError('MEMBER_UNAVAILABLE', `subgraph ${name} ${result.failure.detail}; its fields are missing from this answer`, undefined, {
          subgraph: name,
          reason: unavailableReason(result.failure),
        }),
      ],
    };
  }
}
