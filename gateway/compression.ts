import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Compression of the gateway's answers in one synchronous call per answer.
 *
 * A joint answer is a string Apollo Server has already built in memory, so streaming it through a
 * zlib stream (what @fastify/compress does) only adds the thread pool's hand-offs: measured on an
 * 87 KB joint answer, brotli in one call costs a fraction of the streamed version. The encoding and
 * level were chosen by measurement on that answer (scratch figures in bench/README.md,
 * "Compression"):
 *
 * | encoding | CPU | size |
 * |---|---|---|
 * | brotli quality 3 | 0.36 ms | 11.5% |
 * | brotli quality 4 (@fastify/compress's default) | 0.56 ms | 10.8% |
 * | brotli quality 11 (zlib's default) | 117 ms | 8.1% |
 * | gzip level 4 | 0.45 ms | 12.6% |
 * | gzip level 6 (zlib's default) | 0.78 ms | 11.1% |
 *
 * Brotli 3 when the client takes it (every browser, Apollo Client in one), else gzip 4; answers
 * below `threshold` bytes, streams (incremental delivery) and types that do not shrink go as they are.
 */
export interface CompressionOptions {
  /** Smallest body compressed, in bytes (default 1024: below it the headers cost more than the saving). */
  threshold?: number;
  brotliQuality?: number;
  gzipLevel?: number;
}

export type Encoding = 'br' | 'gzip';

const COMPRESSIBLE = /^(application\/(json|graphql-response\+json|javascript)|text\/)/i;

/**
 * The encoding to answer with for an Accept-Encoding header: the one with the highest q-value
 * among br and gzip (br on a tie), none when neither is acceptable. `*` stands for both unless they
 * are named; `q=0` refuses.
 */
export function negotiateEncoding(header: string | string[] | undefined): Encoding | undefined {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  const q = new Map<string, number>();
  for (const part of text.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const given = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = given ? Number(given.slice(2)) : 1;
    q.set(name, Number.isFinite(value) ? value : 0);
  }
  const weight = (name: Encoding) => q.get(name) ?? q.get('*') ?? 0;
  const br = weight('br');
  const gzip = weight('gzip');
  if (br <= 0 && gzip <= 0) return undefined;
  return br >= gzip ? 'br' : 'gzip';
}

function addVary(reply: FastifyReply): void {
  const vary = reply.getHeader('vary');
  const current = Array.isArray(vary) ? vary.join(', ') : typeof vary === 'string' ? vary : '';
  if (!/(^|,)\s*(accept-encoding|\*)\s*(,|$)/i.test(current)) reply.header('vary', current ? `${current}, Accept-Encoding` : 'Accept-Encoding');
}

/** Registers the onSend hook on `app` (the gateway's root instance: GraphQL answers and explorer assets alike). */
export function useCompression(app: FastifyInstance, options: CompressionOptions = {}): void {
  const threshold = options.threshold ?? 1024;
  const brotliParams = {
    [constants.BROTLI_PARAM_QUALITY]: options.brotliQuality ?? 3,
    [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
  };
  const gzipLevel = options.gzipLevel ?? 4;
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload;
    if (reply.getHeader('content-encoding') !== undefined || request.method === 'HEAD') return payload;
    if (reply.statusCode === 204 || reply.statusCode === 304) return payload;
    const type = reply.getHeader('content-type');
    if (typeof type !== 'string' || !COMPRESSIBLE.test(type)) return payload;
    const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
    if (body.length < threshold) return payload;
    addVary(reply);
    const encoding = negotiateEncoding(request.headers['accept-encoding']);
    if (!encoding) return payload;
    const compressed =
      encoding === 'br'
        ? brotliCompressSync(body, { params: { ...brotliParams, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } })
        : gzipSync(body, { level: gzipLevel });
    reply.header('content-encoding', encoding);
    reply.removeHeader('content-length');
    return compressed;
  });
}
