/**
 * Bench role: another agency's case-file subgraph (federation, @apollo/subgraph on mercurius),
 * naming member-state records by key only. A dossier asked through a case file makes the gateway
 * fetch the records as `_entities`, partitioned by memberState: the entity path of the fan-out.
 */
import Fastify from 'fastify';
import mercurius from 'mercurius';
import { parse } from 'graphql';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { IncomingMessage } from 'node:http';
import { MEMBER_STATES } from '../../common/member-states.ts';
import type { Casefile } from '../monolith/server.ts';
import { serveParent } from '../child.ts';

export const CASEFILES_SUBGRAPH_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])
  enum MemberState { ${MEMBER_STATES.join(' ')} }
  "A case file of another agency: it refers to member-state records by key, never copies them."
  type Casefile { reference: String! title: String! subjects: [Person!]! }
  type Person @key(fields: "memberState id", resolvable: false) { memberState: MemberState! id: ID! }
  type Query { casefile(reference: String!): Casefile }
`;

let close: (() => Promise<void>) | undefined;
let requests = 0;

serveParent({
  start: async (m) => {
    const byRef = new Map((m.casefiles as Casefile[]).map((c) => [c.reference, c]));
    const schema = buildSubgraphSchema([
      {
        typeDefs: parse(CASEFILES_SUBGRAPH_SDL),
        resolvers: { Query: { casefile: (_: unknown, { reference }: { reference: string }) => byRef.get(reference) ?? null } } as never,
      },
    ]);
    const app = Fastify({ logger: false });
    await app.register(mercurius, { schema, path: '/graphql' });
    app.server.prependListener('request', (req: IncomingMessage) => {
      if (req.method === 'POST') requests++;
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    close = () => app.close();
    return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/graphql` };
  },
  counters: () => ({ requests }),
  stop: async () => {
    await close?.();
  },
});
process.send?.({ type: 'ready' });
