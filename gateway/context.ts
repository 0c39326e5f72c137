import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { FastifyBaseLogger } from 'fastify';
import type { Caller } from '../common/caller.ts';
import type { FailureKind } from './http-client.ts';
import type { StateCounts } from './state-counts.ts';

/**
 * What the gateway keeps per incoming request: the Apollo context every gateway module reads.
 * Built once per request in server.ts from what the HTTP hooks established (request id, caller).
 */
export interface GatewayContext {
  /** Made by the gateway (common/request-id.ts); sent to every state and written into their audit records. */
  requestId: string;
  /** The client's own X-Request-Id, when it sent a well-formed one: logged and echoed, never joined on. */
  correlationId?: string;
  /** Who is asking, as caller-auth established it; absent only for the gateway's own internal requests. */
  caller?: Caller;
  /** The request's logger (pino child with the request id). */
  log: FastifyBaseLogger;
  /** Per state, per list root field: records returned and whether more match; filled by the fan-out (state-counts.ts). */
  stateCounts?: StateCounts;
}

/** One call the gateway is about to make: the exact body it will send, and when it stops waiting (epoch ms). */
export interface OutgoingCall {
  body: string;
  deadline: number;
}

/**
 * Extra headers for one call to one recipient (common/context-token.ts's contextAudience or
 * subgraphAudience): the context token signed for that recipient, that body and that deadline
 * (context-signer.ts). x-request-id is always sent besides.
 */
export type HeadersFor = (audience: string, context: GatewayContext, call: OutgoingCall) => Record<string, string> | Promise<Record<string, string>>;

/** One call from the gateway to a member state (or another subgraph), as metrics and logs see it. */
export interface StateCall {
  /** Member state code, or the subgraph name for subgraphs other than `member`. */
  state: string;
  kind: 'root' | 'entities';
  ms: number;
  outcome: 'ok' | FailureKind;
}

/**
 * The request context of a data source call. With a static supergraph @apollo/gateway calls data
 * sources for incoming operations only (no schema loading, no health checks): anything else is a
 * wiring bug and fails loudly rather than running without a caller.
 */
export function contextOf(options: GraphQLDataSourceProcessOptions<GatewayContext>, source: string): GatewayContext {
  if ('incomingRequestContext' in options) return options.context;
  throw new Error(`${source}: called outside an incoming operation (${options.kind}); the gateway serves a static supergraph`);
}
