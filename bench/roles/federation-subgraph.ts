/**
 * Bench role: one subgraph of the federation benchmark (bench/federation/subgraphs.ts) in its own
 * process: @apollo/subgraph's schema behind a plain node:http server on 127.0.0.1, port 0. Parsed
 * and validated documents are kept per query text, so the subgraph's own cost stays small and the
 * gateways are what is measured.
 */
import { createServer } from 'node:http';
import { execute, parse, validate, type DocumentNode, type GraphQLError } from 'graphql';
import { federationSchema, type FederationSubgraph } from '../federation/subgraphs.ts';
import { serveParent } from '../child.ts';

let requests = 0;
let close: (() => Promise<void>) | undefined;

async function start(name: FederationSubgraph): Promise<string> {
  const schema = federationSchema(name);
  const documents = new Map<string, DocumentNode | readonly GraphQLError[]>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      const send = (status: number, body: unknown) => {
        const text = JSON.stringify(body);
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      };
      let request: { query?: string; variables?: Record<string, unknown>; operationName?: string };
      try {
        request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof request;
      } catch {
        send(400, { errors: [{ message: 'body is not JSON' }] });
        return;
      }
      if (typeof request.query !== 'string') {
        send(400, { errors: [{ message: 'no query' }] });
        return;
      }
      let document = documents.get(request.query);
      if (!document) {
        try {
          const parsed = parse(request.query);
          const errors = validate(schema, parsed);
          document = errors.length ? errors : parsed;
        } catch (error) {
          document = [error as GraphQLError];
        }
        documents.set(request.query, document);
      }
      if (Array.isArray(document)) {
        send(400, { errors: (document as GraphQLError[]).map((e) => ({ message: e.message })) });
        return;
      }
      Promise.resolve(execute({ schema, document: document as DocumentNode, variableValues: request.variables, operationName: request.operationName })).then(
        (result) => send(200, result),
        (error: Error) => send(500, { errors: [{ message: error.message }] }),
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/graphql`;
}

serveParent({
  start: async (m) => ({ url: await start(m.name as FederationSubgraph) }),
  counters: () => ({ requests }),
  stop: async () => {
    await close?.();
  },
});
process.send?.({ type: 'ready' });
