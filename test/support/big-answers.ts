import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Real HTTP servers that answer a member state's requests with too much: `huge` sends a valid
 * GraphQL answer of `bytes` (records of the state, chunked, no Content-Length), `endless` starts a
 * valid answer and never ends it. Chunks are one preallocated buffer, so the server itself stays
 * small. `script` answers with the given parts, each after its own wait (given a promise of the
 * connection's close), for exact interleavings.
 */
export type BigAnswer =
  | { kind: 'huge'; state: string; bytes: number }
  | { kind: 'endless'; state: string }
  | { kind: 'script'; parts: Array<{ wait?: (closed: Promise<void>) => Promise<unknown>; text: string }> };

export interface BigAnswerServer {
  url: string;
  requests(): number;
  close(): Promise<void>;
}

const CHUNK_BYTES = 64 * 1024;

function records(state: string): Buffer {
  const one = `{"memberState":"${state}","id":"${state}-000000"},`;
  return Buffer.from(one.repeat(Math.floor(CHUNK_BYTES / one.length)));
}

/** Writes `chunk` until `more()` says stop or the client goes away, respecting backpressure. */
async function pour(res: ServerResponse, chunk: Buffer, more: (sent: number) => boolean): Promise<number> {
  let sent = 0;
  while (!res.destroyed && more(sent)) {
    sent += chunk.length;
    if (!res.write(chunk)) await new Promise<void>((resolve) => (res.once('drain', resolve), res.once('close', resolve)));
  }
  return sent;
}

export async function startBigAnswers(behaviour: BigAnswer): Promise<BigAnswerServer> {
  let count = 0;
  const open = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count++;
      open.add(res);
      res.on('close', () => open.delete(res));
      res.writeHead(200, { 'content-type': 'application/json' });
      void (async () => {
        if (behaviour.kind === 'script') {
          const closed = new Promise<void>((resolve) => res.once('close', () => resolve()));
          for (const part of behaviour.parts) {
            await part.wait?.(closed);
            if (res.destroyed) return;
            res.write(part.text);
          }
          res.end();
          return;
        }
        res.write('{"data":{"persons":[');
        const chunk = records(behaviour.state);
        if (behaviour.kind === 'endless') {
          await pour(res, chunk, () => true);
          return;
        }
        await pour(res, chunk, (sent) => sent + chunk.length < behaviour.bytes);
        if (!res.destroyed) res.end(`{"memberState":"${behaviour.state}","id":"${behaviour.state}-last"}]}}`);
      })().catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    requests: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of open) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
