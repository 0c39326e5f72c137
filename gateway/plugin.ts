import type { ApolloServerPlugin } from '@apollo/server';
import type { FastifyInstance } from 'fastify';
import type { GatewayContext, StateCall } from './context.ts';

/**
 * A cross-cutting concern of the gateway (metrics, request ids, health, the access log) as one
 * small object, in the shape of the Hive gateway's `useX()` plugins: each hook is optional, and
 * startGateway only wires them. A plugin never changes what a caller may see; permissions live in
 * the request path itself (caller-auth.ts, authorizing-gateway.ts), not here.
 */
export interface GatewayPlugin {
  readonly name: string;
  /** Routes and HTTP hooks on the gateway's fastify app, registered before the GraphQL route. */
  onApp?(app: FastifyInstance): void | Promise<void>;
  /** The GraphQL request lifecycle (Apollo Server plugin hooks). */
  apollo?: ApolloServerPlugin<GatewayContext>;
  /** Every call the gateway made to a member state or another subgraph, once it ended. */
  onStateCall?(call: StateCall, context: GatewayContext): void;
  /** Fields the network's rules removed from the caller's operation (schema coordinates). */
  onRemoved?(coordinates: string[], context: GatewayContext): void;
}
