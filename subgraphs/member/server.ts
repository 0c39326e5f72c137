import Fastify, { type FastifyInstance } from 'fastify';
import mercurius from 'mercurius';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLSchema } from 'graphql';
import { memberTypeDefs } from '../../schema/contract.ts';
import { resolvers, type MemberContext } from './resolvers.ts';
import { createLoaders } from './loaders.ts';
import { openStore, type Store } from './store.ts';
import { maskErrors } from './mask-errors.ts';
import { MEMBER_STATE_NAMES, type MemberState } from '../../common/member-states.ts';

export interface MemberOptions {
  state: MemberState;
  store: Store;
  /** Name of the agency answering for this state, shown in every record's contact point. */
  agency?: string;
  /** fastify logger option: false (default), true, or pino options. */
  logger?: boolean | object;
}

/** The executable member schema: the contract built by @apollo/subgraph, so `_service` and `_entities` are Apollo's own. */
export function buildMemberSchema(): GraphQLSchema {
  return buildSubgraphSchema([{ typeDefs: memberTypeDefs, resolvers }]);
}

/** A fastify app serving one member state's subgraph at /graphql over its store. */
export async function buildMemberApp(options: MemberOptions): Promise<FastifyInstance> {
  const { state, store } = options;
  const agency = options.agency ?? `${MEMBER_STATE_NAMES[state]} counter-terrorism liaison`;
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 1_048_576 });
  app.get('/healthz', async () => ({ status: 'ok', memberState: state }));
  await app.register(mercurius, {
    schema: buildMemberSchema(),
    path: '/graphql',
    graphiql: false,
    context: (): MemberContext => ({ state, agency, store, loaders: createLoaders(store) }),
    errorFormatter: (execution, context) => maskErrors(execution, context, state),
  });
  return app;
}

export interface RunningMember {
  /** The subgraph endpoint, e.g. http://127.0.0.1:4101/graphql */
  url: string;
  app: FastifyInstance;
  store: Store;
  close(): Promise<void>;
}

/** Opens the state's database (migrating it), and serves its subgraph on host:port (port 0 picks a free one). */
export async function startMember(options: {
  state: MemberState; database: string; port?: number; host?: string; agency?: string; logger?: boolean | object;
}): Promise<RunningMember> {
  const store = await openStore(options.database, options.state);
  let app: FastifyInstance | undefined;
  try {
    app = await buildMemberApp({ state: options.state, store, agency: options.agency, logger: options.logger });
    const host = options.host ?? '127.0.0.1';
    await app.listen({ port: options.port ?? 0, host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    const running = app;
    return {
      url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/graphql`,
      app: running,
      store,
      async close() {
        await running.close();
        await store.close();
      },
    };
  } catch (error) {
    await app?.close().catch(() => {});
    await store.close().catch(() => {});
    throw error;
  }
}
