import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhenResult, type CircuitBreakerPolicy } from 'cockatiel';
import type { Dispatcher } from 'undici';
import type { AnswerMemory } from './answer-memory.ts';
import { REQUEST_ID_HEADER, newRequestId } from '../common/request-id.ts';
import { postGraphQL, type CallResult, type Failure, type FailureKind } from './http-client.ts';
import { DEFAULT_CIRCUIT_BREAKER, DEFAULT_GATEWAY_MAX_ANSWER_BYTES, type MemberConfig } from './members-config.ts';

/**
 * How the gateway reaches one member state that may run several replicas (members.yaml `urls`):
 *
 * - **A circuit breaker per replica** (cockatiel's CircuitBreakerPolicy with a ConsecutiveBreaker):
 *   after `failures` consecutive failed calls (timeout, unreachable, HTTP 5xx, garbage, an answer
 *   past its cap, database down; a valid GraphQL answer with errors is a success) the replica is open and not asked; after
 *   `halfOpenAfter` exactly one probe goes through (half-open): the gateway's own `{ __typename }`
 *   when it was given `probe` (server.ts does), so no caller's query waits on a hung state, else
 *   the next caller's call; the others are answered at once; the probe's outcome closes or reopens it. The state is answered at once as
 *   MEMBER_UNAVAILABLE reason CIRCUIT_OPEN only when no replica can take the call.
 * - **Balancing**: the replica with the fewest calls in flight, ties taken in turn (round robin).
 * - **Retry on another replica** when the connection failed before any answer started (refused,
 *   reset before the response headers), within the state's one time budget; never once an answer
 *   started.
 * - **Hedging** (`hedgeAfterMs`): when the first replica has not answered by then, a second replica
 *   is asked; the first good answer wins and the other call is aborted.
 *
 * Every attempt is a request of its own to the owner: it gets its own context token (signed for
 * its body and deadline, single use) from `headers`, and the owner audits it. The owner charges its
 * search budget once per caller request (subgraphs/member/search-budget.ts keys the charge by the
 * request id and body the token is bound to), so a retried or hedged attempt costs the caller nothing.
 */

export type CircuitName = 'closed' | 'half-open' | 'open';

/** The gauge value of a circuit: 0 closed, 1 half-open, 2 open. */
export const CIRCUIT_GAUGE: Record<CircuitName, number> = { closed: 0, 'half-open': 1, open: 2 };

export interface ReplicaReport {
  url: string;
  circuit: CircuitName;
  inFlight: number;
}

export interface StateReport {
  state: string;
  /** open only when every replica is open; half-open when none is closed and one is probing. */
  circuit: CircuitName;
  replicas: ReplicaReport[];
}

/**
 * Failures a breaker counts. Answers refused for their size count too: a member caps its own answers
 * (8 MiB), so one past the gateway's cap is a broken or hostile member; and a state whose answer is
 * the largest in flight each time the gateway's answer memory is full, call after call with no
 * success between, is what costs the gateway: an open breaker spares reading its next ones. The
 * others (aborted by a hedge, refused by the breaker itself) say nothing about the replica's health.
 */
const COUNTED: ReadonlySet<FailureKind> = new Set([
  'timeout',
  'unreachable',
  'http_error',
  'invalid_response',
  'too_large',
  'memory_full',
  'database_unavailable',
  'tls',
]);

/** Carries a result that must neither count as a failure nor reset the breaker's count (cockatiel rethrows errors it does not handle). */
class Neutral extends Error {
  constructor(readonly result: CallResult) {
    super('neutral call outcome');
  }
}

/** The gateway's own probe of an open replica: `{ __typename }` with the headers `probe.headers` gives (server.ts signs them as its readiness caller). */
export interface ProbeOptions {
  headers: (member: MemberConfig, call: { body: string; deadline: number }, requestId: string) => Promise<Record<string, string>> | Record<string, string>;
}

const PROBE = JSON.stringify({ query: '{ __typename }' });

class Replica {
  inFlight = 0;
  private openedAt = 0;
  private probeTimer?: NodeJS.Timeout;
  private stopped = false;
  lastFailure?: Failure;

  constructor(
    readonly url: string,
    readonly breaker: CircuitBreakerPolicy | undefined,
    readonly halfOpenAfterMs: number,
    /** Sends the one half-open probe; absent: the next caller's call after halfOpenAfter is the probe. */
    private readonly probe?: () => Promise<CallResult>,
  ) {
    breaker?.onBreak(() => {
      this.openedAt = Date.now();
      this.scheduleProbe();
    });
  }

  /** Once halfOpenAfter has passed, the gateway's own request goes through the breaker as its one probe: no caller waits on it. */
  private scheduleProbe(delayMs = this.halfOpenAfterMs): void {
    const { breaker, probe } = this;
    if (!breaker || !probe || this.stopped) return;
    clearTimeout(this.probeTimer);
    this.probeTimer = setTimeout(() => {
      this.probeTimer = undefined;
      if (breaker.state !== CircuitState.Open) return;
      breaker
        .execute(async () => {
          const result = await probe();
          if (!result.ok && result.failure.kind !== 'aborted') this.lastFailure = result.failure;
          return result;
        })
        .catch(() => {
          // Refused: the breaker's own clock says not yet (a timer may fire a millisecond early).
          if (breaker.state === CircuitState.Open) this.scheduleProbe(50);
        });
    }, delayMs);
    this.probeTimer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
  }

  get circuit(): CircuitName {
    switch (this.breaker?.state) {
      case undefined:
      case CircuitState.Closed:
        return 'closed';
      case CircuitState.HalfOpen:
        return 'half-open';
      default:
        return 'open';
    }
  }

  /** Can take a call now: closed, or (without the gateway's own probes) open for long enough that this call is its one probe. */
  available(now: number): boolean {
    const circuit = this.circuit;
    if (circuit === 'closed') return true;
    if (circuit === 'half-open' || this.probe) return false; // its probe is in flight, or the gateway sends its own
    return this.breaker?.state === CircuitState.Open && now - this.openedAt >= this.halfOpenAfterMs;
  }

  /** Milliseconds until an open replica takes its probe. */
  probeIn(now: number): number {
    return Math.max(0, this.openedAt + this.halfOpenAfterMs - now);
  }
}

/** What one call to a state needs besides its body: fresh headers (a new context token) for each attempt, bound to the call's deadline. */
export interface StateRequest {
  body: string;
  headers: (deadline: number) => Promise<Record<string, string>>;
}

export type StateResult = CallResult & {
  /** The replica that answered (or the last one tried). */
  url?: string;
  /** Requests sent: 1, or more after retries and hedges. */
  attempts: number;
};

export class StateReplicas {
  private readonly replicas: Replica[];
  private turn = 0;
  readonly timeoutMs: number;
  private readonly maxAnswerBytes: number;
  private readonly hedgeAfterMs?: number;

  constructor(
    readonly member: MemberConfig,
    private readonly dispatcher: Dispatcher,
    private readonly memory?: AnswerMemory,
    probe?: ProbeOptions,
  ) {
    const urls = member.urls?.length ? member.urls : [member.url];
    const settings = member.circuitBreaker === undefined ? DEFAULT_CIRCUIT_BREAKER : member.circuitBreaker;
    this.replicas = urls.map((url) => {
      const breaker = settings
        ? circuitBreaker(
            handleWhenResult((r) => isCounted(r)),
            { breaker: new ConsecutiveBreaker(settings.failures), halfOpenAfter: settings.halfOpenAfterMs },
          )
        : undefined;
      const send = probe ? () => this.probe(url, probe) : undefined;
      return new Replica(url, breaker, settings ? settings.halfOpenAfterMs : 0, send);
    });
    this.timeoutMs = member.timeoutMs;
    this.maxAnswerBytes = member.maxAnswerBytes ?? DEFAULT_GATEWAY_MAX_ANSWER_BYTES;
    if (this.replicas.length > 1) this.hedgeAfterMs = member.hedgeAfterMs;
  }

  /** `{ __typename }` to one replica, within the state's budget: up when it answers it as GraphQL. */
  private async probe(url: string, options: ProbeOptions): Promise<CallResult> {
    const deadline = Date.now() + this.timeoutMs;
    const requestId = newRequestId();
    const headers = { [REQUEST_ID_HEADER]: requestId, ...(await options.headers(this.member, { body: PROBE, deadline }, requestId)) };
    const result = await postGraphQL(this.dispatcher, url, PROBE, headers, this.timeoutMs, { maxAnswerBytes: this.maxAnswerBytes, memory: this.memory });
    if (result.ok && typeof result.body.data?.__typename !== 'string') {
      return { ok: false, failure: { kind: 'invalid_response', detail: 'answered the probe { __typename } without data' }, ms: result.ms };
    }
    return result;
  }

  stop(): void {
    for (const replica of this.replicas) replica.stop();
  }

  report(): StateReport {
    const replicas = this.replicas.map((r) => ({ url: r.url, circuit: r.circuit, inFlight: r.inFlight }));
    const circuits = new Set(replicas.map((r) => r.circuit));
    const circuit: CircuitName = circuits.has('closed') ? 'closed' : circuits.has('half-open') ? 'half-open' : 'open';
    return { state: this.member.code, circuit, replicas };
  }

  /** One call to the state: balanced, retried on another replica before any answer, hedged; within one time budget. */
  async call(request: StateRequest): Promise<StateResult> {
    const started = Date.now();
    const deadline = started + this.timeoutMs;
    const tried = new Set<Replica>();
    const running = new Map<Promise<Settled>, AbortController>();
    let attempts = 0;
    let last: { replica: Replica; failure: Failure } | undefined;

    const launch = (): boolean => {
      const replica = this.pick(tried);
      if (!replica || Date.now() >= deadline) return false;
      tried.add(replica);
      attempts++;
      const controller = new AbortController();
      const promise: Promise<Settled> = this.attempt(replica, request, deadline, controller.signal).then((result) => ({ replica, result, promise }));
      running.set(promise, controller);
      return true;
    };

    if (!launch()) return { ...this.circuitOpen(started), attempts: 0 };
    let hedge: Promise<'hedge'> | undefined;
    let hedgeTimer: NodeJS.Timeout | undefined;
    if (this.hedgeAfterMs !== undefined) {
      hedge = new Promise((resolve) => (hedgeTimer = setTimeout(() => resolve('hedge'), this.hedgeAfterMs)));
    }
    try {
      while (running.size > 0) {
        const next = await Promise.race<Settled | 'hedge'>([...running.keys(), ...(hedge ? [hedge] : [])]);
        if (next === 'hedge') {
          hedge = undefined;
          launch();
          continue;
        }
        running.delete(next.promise);
        if (next.result.ok) {
          for (const controller of running.values()) controller.abort();
          // The state's time, from the first attempt to the answer that won.
          return { ...next.result, ms: Date.now() - started, url: next.replica.url, attempts };
        }
        if (!last || isMoreTelling(next.result.failure, last.failure)) last = { replica: next.replica, failure: next.result.failure };
        // Retry on another replica only when nothing was answered (the connection failed first).
        if (next.result.failure.beforeAnswer) launch();
      }
    } finally {
      clearTimeout(hedgeTimer);
    }
    if (!last) return { ...this.circuitOpen(started), attempts };
    const failure = last.failure.kind === 'timeout' ? { ...last.failure, detail: `did not answer within ${this.timeoutMs} ms` } : last.failure;
    if (failure.kind === 'circuit_open') return { ...this.circuitOpen(started), attempts };
    return { ok: false, failure, ms: Date.now() - started, url: last.replica.url, attempts };
  }

  /** The replica with the fewest calls in flight among those that can take one; ties in turn. */
  private pick(exclude: Set<Replica>): Replica | undefined {
    const now = Date.now();
    const n = this.replicas.length;
    const start = this.turn++ % n;
    let best: Replica | undefined;
    for (let i = 0; i < n; i++) {
      const replica = this.replicas[(start + i) % n];
      if (exclude.has(replica) || !replica.available(now)) continue;
      if (!best || replica.inFlight < best.inFlight) best = replica;
    }
    return best;
  }

  private async attempt(replica: Replica, request: StateRequest, deadline: number, signal: AbortSignal): Promise<CallResult> {
    replica.inFlight++;
    try {
      const headers = await request.headers(deadline);
      const remaining = deadline - Date.now();
      if (remaining <= 0) return { ok: false, failure: { kind: 'timeout', detail: `did not answer within ${this.timeoutMs} ms` }, ms: 0 };
      const send = () =>
        postGraphQL(this.dispatcher, replica.url, request.body, headers, remaining, { maxAnswerBytes: this.maxAnswerBytes, memory: this.memory, signal });
      const result = replica.breaker
        ? await replica.breaker
            .execute(async () => {
              const r = await send();
              if (!r.ok && !COUNTED.has(r.failure.kind)) throw new Neutral(r);
              return r;
            })
            .catch((error: unknown): CallResult => {
              if (error instanceof Neutral) return error.result;
              // Opened by a concurrent call since it was picked: not sent, try another replica.
              if (error instanceof BrokenCircuitError)
                return { ok: false, failure: { kind: 'circuit_open', detail: 'circuit open', beforeAnswer: true }, ms: 0 };
              throw error;
            })
        : await send();
      if (!result.ok && COUNTED.has(result.failure.kind)) replica.lastFailure = result.failure;
      return result;
    } finally {
      replica.inFlight--;
    }
  }

  private circuitOpen(started: number): CallResult {
    const now = Date.now();
    const open = this.replicas.filter((r) => r.circuit !== 'closed');
    const probeIn = Math.min(...open.map((r) => r.probeIn(now)));
    const last = open.find((r) => r.lastFailure)?.lastFailure;
    const which = this.replicas.length > 1 ? `all ${this.replicas.length} replicas' circuit breakers are` : 'its circuit breaker is';
    const why = last ? ` after consecutive failures (last: ${last.detail})` : '';
    const when = Number.isFinite(probeIn) ? `; the next probe goes in ${Math.max(1, Math.ceil(probeIn / 1000))} s` : '';
    return { ok: false, failure: { kind: 'circuit_open', detail: `was not asked: ${which} open${why}${when}` }, ms: now - started };
  }
}

interface Settled {
  replica: Replica;
  result: CallResult;
  promise: Promise<Settled>;
}

function isCounted(result: unknown): boolean {
  const r = result as CallResult;
  return typeof result === 'object' && result !== null && !r.ok && COUNTED.has(r.failure.kind);
}

/** Which failure to report when every attempt failed: a real one over a refusal by the breaker or an abort. */
function isMoreTelling(candidate: Failure, current: Failure): boolean {
  const weak = (f: Failure) => f.kind === 'circuit_open' || f.kind === 'aborted';
  return !weak(candidate) || weak(current);
}

/** Every state's replicas, by state code: shared by the fan-out, /readyz and /metrics. */
export class MemberReplicas {
  private readonly byState = new Map<string, StateReplicas>();

  /** `probe`: the gateway probes an open replica itself after halfOpenAfter (absent: the next caller's call is the probe). */
  constructor(members: MemberConfig[], dispatcher: Dispatcher, memory?: AnswerMemory, probe?: ProbeOptions) {
    for (const member of members) this.byState.set(member.code, new StateReplicas(member, dispatcher, memory, probe));
  }

  /** Stops the pending probes (the gateway is closing). */
  stop(): void {
    for (const state of this.byState.values()) state.stop();
  }

  get(state: string): StateReplicas | undefined {
    return this.byState.get(state);
  }

  report(): StateReport[] {
    return [...this.byState.values()].map((s) => s.report());
  }
}
