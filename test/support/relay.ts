import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A real TCP relay on 127.0.0.1 in front of a real member, to put faults on the path between the
 * gateway and one state: `pass` forwards both ways; `hang` accepts connections and never answers
 * (a state that hangs, as under SIGSTOP); `slow` forwards the request at once and holds every byte
 * of the answer for `delayMs` (a slow replica that still does the work); `reset` closes the
 * connection as soon as a request arrives, before any answer; `reset-after-headers` sends the
 * status line and headers of an answer, then closes. Counts connections and requests.
 */
export type RelayMode = { kind: 'pass' } | { kind: 'hang' } | { kind: 'slow'; delayMs: number } | { kind: 'reset' } | { kind: 'reset-after-headers' };

export interface Relay {
  url: string;
  mode: RelayMode;
  /** Connections accepted so far. */
  connections(): number;
  /** HTTP requests seen on those connections (request lines), answered or not. */
  requests(): number;
  /** Everything received from the gateway so far, as text (requests with their bodies). */
  received(): string;
  close(): Promise<void>;
}

export async function startRelay(target: string, mode: RelayMode = { kind: 'pass' }): Promise<Relay> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  let count = 0;
  let requests = 0;
  let received = '';
  const relay: Relay = { url: '', mode, connections: () => count, requests: () => requests, received: () => received, close: async () => {} };
  const server = createServer((client) => {
    count++;
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    client.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      requests += chunk.toString('latin1').match(/^(POST|GET) \/\S* HTTP\/1\.1\r$/gm)?.length ?? 0;
    });
    const mode = relay.mode;
    if (mode.kind === 'hang') {
      client.resume(); // read the request, answer nothing
      return;
    }
    if (mode.kind === 'reset' || mode.kind === 'reset-after-headers') {
      client.once('data', () => {
        if (mode.kind === 'reset') client.resetAndDestroy();
        else client.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n5\r\n{"dat\r\n', () => client.destroy());
      });
      return;
    }
    const peer = connect(Number(upstream.port), upstream.hostname);
    sockets.add(peer);
    peer.on('close', () => {
      sockets.delete(peer);
      // A slow relay still delivers what it holds before it hangs up.
      if (mode.kind === 'slow') setTimeout(() => client.destroy(), mode.delayMs + 10);
      else client.destroy();
    });
    peer.on('error', () => client.destroy());
    client.on('close', () => peer.destroy());
    client.pipe(peer);
    if (mode.kind === 'pass') {
      peer.pipe(client);
    } else {
      peer.on('data', (chunk: Buffer) => {
        setTimeout(() => {
          if (!client.destroyed) client.write(chunk);
        }, mode.delayMs);
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  relay.url = `http://127.0.0.1:${port}${upstream.pathname}`;
  relay.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return relay;
}
