import autocannon, { type Result } from 'autocannon';

/**
 * Load from the bench process with autocannon: fixed request (same query, same headers), fixed
 * duration, N connections. Every response body is compared with the answer checked before the
 * run (`expected`): a single differing answer under load counts as a mismatch.
 */

export interface LoadResult {
  connections: number;
  seconds: number;
  /** Completed 2xx answers. */
  requests: number;
  /** Requests sent (some may still be in flight when the run ends: they reach the servers all the same). */
  sent: number;
  /** Answers per second. */
  throughput: number;
  /** Latency in ms from the client's side. */
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
  errors: number;
  non2xx: number;
  mismatches: number;
}

export interface Request { url: string; body: string; headers: Record<string, string> }

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function runLoad(request: Request, options: { connections: number; seconds: number; expected?: string; timeoutSeconds?: number }): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    // Sub-millisecond latencies: autocannon's histogram rounds to whole ms, so keep every response time.
    const times: number[] = [];
    const instance = autocannon({
      url: request.url,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...request.headers },
      body: request.body,
      connections: options.connections,
      duration: options.seconds,
      timeout: options.timeoutSeconds ?? 60,
      ...(options.expected !== undefined ? { verifyBody: (body: string) => body === options.expected } : {}),
    }, (error, result: Result) => {
      if (error) { reject(error); return; }
      const sorted = Float64Array.from(times).sort();
      const ok = result['2xx'];
      resolve({
        connections: options.connections,
        seconds: result.duration,
        requests: ok,
        sent: result.requests.sent,
        throughput: ok / result.duration,
        p50: percentile(sorted, 50),
        p90: percentile(sorted, 90),
        p99: percentile(sorted, 99),
        mean: sorted.length ? times.reduce((a, b) => a + b, 0) / times.length : NaN,
        max: sorted.length ? sorted[sorted.length - 1] : NaN,
        errors: result.errors,
        non2xx: result.non2xx,
        mismatches: result.mismatches,
      });
    });
    instance.on('response', (_client, statusCode, _bytes, responseTime) => { if (statusCode < 300) times.push(responseTime); });
  });
}
