import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBigAnswers, type BigAnswerServer } from './support/big-answers.ts';
import { startNetwork, type TestNetwork } from './support/network.ts';

/**
 * Gateway memory bounded overall (gateway/http-client.ts, gateway/answer-memory.ts): a state's
 * answer is counted while it streams and refused past its cap before anything is parsed, and the
 * bytes of all answers in flight are capped, the largest refused first, so the small answers of the
 * healthy states always make it into the same answer. Real HTTP servers send a valid 50 MB answer
 * and an endless one. (RSS is measured in bench/answer-memory.ts, not asserted here.)
 */

const DATA = {
  NL: [{ id: 'NL-1', givenName: 'Abdelhamid', familyName: 'Abaaoud' }],
  BE: [{ id: 'BE-7', givenName: 'Abdel-Hamid', familyName: 'Abaoud' }],
};
const QUERY = `{ persons(filter: { name: "Abaaoud" }) { memberState id } }`;
const HEALTHY = [
  { memberState: 'NL', id: 'NL-1' },
  { memberState: 'BE', id: 'BE-7' },
];
const MiB = 1024 * 1024;

interface Answer {
  data: { persons: Array<{ memberState: string; id: string }> } | null;
  errors?: Array<{ message: string; extensions: Record<string, unknown> }>;
}

describe('a state sending 50 MB and one sending forever', () => {
  let net: TestNetwork;
  let huge: BigAnswerServer;
  let endless: BigAnswerServer;

  beforeAll(async () => {
    huge = await startBigAnswers({ kind: 'huge', state: 'FR', bytes: 50 * 1000 * 1000 });
    endless = await startBigAnswers({ kind: 'endless', state: 'DE' });
    net = await startNetwork({
      states: ['NL', 'BE'],
      data: DATA,
      timeoutMs: 10_000,
      peers: [
        { code: 'FR', url: huge.url },
        { code: 'DE', url: endless.url },
      ],
      gateway: { rateLimit: false },
    });
  });
  afterAll(async () => {
    await net?.close();
    await huge?.close();
    await endless?.close();
  });

  it('refuses both as TOO_LARGE at the 16 MiB default cap; NL and BE answer in the same answer', async () => {
    const { body, status } = await net.query(QUERY);
    const answer = body as unknown as Answer;
    expect(status).toBe(200);
    expect(answer.data?.persons).toEqual(HEALTHY);
    expect(answer.errors).toEqual([
      {
        message: 'FR answered more than 16 MiB (its answer size cap); its records are missing from this answer',
        extensions: { code: 'MEMBER_UNAVAILABLE', memberState: 'FR', reason: 'TOO_LARGE' },
      },
      {
        message: 'DE answered more than 16 MiB (its answer size cap); its records are missing from this answer',
        extensions: { code: 'MEMBER_UNAVAILABLE', memberState: 'DE', reason: 'TOO_LARGE' },
      },
    ]);
  });

  it('under 8 concurrent queries (16 large answers > the 64 MiB in flight), every answer still has NL and BE', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => net.query(QUERY)));
    for (const { body } of answers) {
      const answer = body as unknown as Answer;
      expect(answer.data?.persons).toEqual(HEALTHY);
      expect(answer.errors?.map((e) => e.extensions.memberState)).toEqual(['FR', 'DE']);
      // Refused as too large (past the cap, or the largest in flight), or not asked once the breaker opened.
      for (const e of answer.errors!) expect(['TOO_LARGE', 'CIRCUIT_OPEN']).toContain(e.extensions.reason);
    }
    const messages = answers.flatMap(({ body }) => (body as unknown as Answer).errors!.map((e) => e.message));
    for (const message of messages) {
      expect(message).toMatch(/answered more than 16 MiB \(its answer size cap\)|the largest answer in flight|was not asked: its circuit breaker is open/);
    }
  });

  it('a state that keeps answering past its cap has its breaker opened: its answers are no longer read', async () => {
    for (let i = 0; i < 5; i++) await net.query(QUERY);
    const before = huge.requests() + endless.requests();
    const { body } = await net.query(QUERY);
    const answer = body as unknown as Answer;
    expect(answer.data?.persons).toEqual(HEALTHY);
    expect(answer.errors?.map((e) => [e.extensions.memberState, e.extensions.reason])).toEqual([
      ['FR', 'CIRCUIT_OPEN'],
      ['DE', 'CIRCUIT_OPEN'],
    ]);
    expect(answer.errors?.[0].message).toMatch(/^FR was not asked: its circuit breaker is open after consecutive failures \(last: answered more than 16 MiB/);
    expect(huge.requests() + endless.requests()).toBe(before);
  });
});

describe("the gateway's in-flight answer memory is full: the largest answer is refused, not the latest", () => {
  let net: TestNetwork;
  let big: BigAnswerServer;
  let smaller: BigAnswerServer;
  let frGone: () => void = () => {};
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  beforeAll(async () => {
    const frHasGone = new Promise<void>((resolve) => (frGone = resolve));
    // Both answers stay in flight together: 1.5 MiB + 1 MiB > the 2 MiB cap whatever order their
    // chunks are read in, and FR holds more than DE when the cap is passed (DE has at most 1 MiB).
    // FR: 1.5 MiB of a valid answer, then it holds its connection (3 s at most) before it ends.
    big = await startBigAnswers({
      kind: 'script',
      parts: [
        { text: `{"data":{"persons":[{"memberState":"FR","id":"FR-big"}${' '.repeat(1.5 * MiB)}` },
        {
          wait: (closed) => {
            void closed.then(() => frGone());
            return Promise.race([closed, sleep(3000)]);
          },
          text: ']}}',
        },
      ],
    });
    // DE: 1 MiB of a valid answer, finished once the gateway has dropped FR (or after 3 s).
    smaller = await startBigAnswers({
      kind: 'script',
      parts: [
        { text: `{"data":{"persons":[{"memberState":"DE","id":"DE-1"}${' '.repeat(MiB)}` },
        { wait: () => Promise.race([frHasGone, sleep(3000)]), text: ']}}' },
      ],
    });
    net = await startNetwork({
      states: ['NL', 'BE'],
      data: DATA,
      timeoutMs: 10_000,
      peers: [
        { code: 'FR', url: big.url },
        { code: 'DE', url: smaller.url },
      ],
      gateway: { maxInFlightAnswerBytes: 2 * MiB, rateLimit: false },
    });
  });
  afterAll(async () => {
    await net?.close();
    await big?.close();
    await smaller?.close();
  });

  it("FR (1.5 MiB, largest) is refused as TOO_LARGE; DE's later 1 MiB answer and NL's and BE's are all in", async () => {
    const { body } = await net.query(QUERY);
    const answer = body as unknown as Answer;
    expect(answer.data?.persons).toEqual([...HEALTHY, { memberState: 'DE', id: 'DE-1' }]);
    expect(answer.errors).toEqual([
      {
        message: "FR sent the largest answer in flight when the gateway's answer memory (2 MiB) was full; its records are missing from this answer",
        extensions: { code: 'MEMBER_UNAVAILABLE', memberState: 'FR', reason: 'TOO_LARGE' },
      },
    ]);
  });
});
