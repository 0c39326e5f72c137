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
  /** Every 2xx latency (ms), to merge runs; dropped from the JSON file. */
  times?: number[];
}

export interface Request {
  url: string;
  body: string;
  headers: Record<string, string>;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Sends `amount` requests (or for `seconds`) over `connections` connections; every answer is awaited. */
export function runLoad(
  request: Request,
  options: { connections: number; seconds?: number; amount?: number; expected?: string; timeoutSeconds?: number },
): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    // Sub-millisecond latencies: autocannon's histogram rounds to whole ms, so keep every response time.
    const times: number[] = [];
    const instance = autocannon(
      {
        url: request.url,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...request.headers },
        body: request.body,
        connections: options.connections,
        ...(options.amount !== undefined ? { amount: Math.max(options.amount, options.connections) } : { duration: options.seconds ?? 1 }),
        timeout: options.timeoutSeconds ?? 60,
        // autocannon notices the end of an `amount` run on its next sample tick: tick often.
        sampleInt: 100,
        ...(options.expected !== undefined ? { verifyBody: (body: string) => body === options.expected } : {}),
      },
      (error, result: Result) => {
        if (error) {
          reject(error);
          return;
        }
        // From the first request to the last answer (autocannon's own duration runs to its next tick).
        const seconds = ((times.length ? lastAnswer : performance.now()) - started) / 1000;
        resolve(
          summarise([
            {
              ...blank(options.connections),
              seconds,
              sent: result.requests.sent,
              errors: result.errors,
              non2xx: result.non2xx,
              mismatches: result.mismatches,
              times,
            },
          ]),
        );
      },
    );
    const started = performance.now();
    let lastAnswer = 0;
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      lastAnswer = performance.now();
      if (statusCode < 300) times.push(responseTime);
    });
  });
}

function blank(connections: number): LoadResult {
  return {
    connections,
    seconds: 0,
    requests: 0,
    sent: 0,
    throughput: 0,
    p50: NaN,
    p90: NaN,
    p99: NaN,
    mean: NaN,
    max: NaN,
    errors: 0,
    non2xx: 0,
    mismatches: 0,
    times: [],
  };
}

/** One result from several runs of the same request (their latencies pooled, their counts and times added). */
export function summarise(runs: LoadResult[]): LoadResult {
  const times = runs.flatMap((r) => r.times ?? []);
  const sorted = Float64Array.from(times).sort();
  const seconds = runs.reduce((a, r) => a + r.seconds, 0);
  return {
    connections: runs[0]?.connections ?? 0,
    seconds,
    requests: times.length,
    sent: runs.reduce((a, r) => a + r.sent, 0),
    throughput: seconds > 0 ? times.length / seconds : 0,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    mean: times.length ? times.reduce((a, b) => a + b, 0) / times.length : NaN,
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
    errors: runs.reduce((a, r) => a + r.errors, 0),
    non2xx: runs.reduce((a, r) => a + r.non2xx, 0),
    mismatches: runs.reduce((a, r) => a + r.mismatches, 0),
    times,
  };
}
