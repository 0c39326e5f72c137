import type { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import fastifyApollo, { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import Fastify from 'fastify';

/**
 * Stock @apollo/gateway in @apollo/server on fastify, as a team without Hague would run it (no
 * telemetry, no landing page): the benches' control. Listens on 127.0.0.1, a free port.
 */
export async function serveStockGateway(gateway: ApolloGateway): Promise<{ url: string; close(): Promise<void> }> {
  const app = Fastify({ logger: false });
  const apollo = new ApolloServer({
    gateway,
    plugins: [
      fastifyApolloDrainPlugin(app),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await apollo.start();
  await app.register(fastifyApollo(apollo));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/graphql`,
    close: async () => {
      await apollo.stop();
      await app.close();
    },
  };
}
