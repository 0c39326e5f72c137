import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMembersConfig, type MemberConfig } from '../gateway/members-config.ts';
import { startGateway, type RunningGateway } from '../gateway/server.ts';
import { startRelay, type Relay } from './support/relay.ts';
import { DEFAULT_PERSONA, postQuery, startNetwork, type TestNetwork } from './support/network.ts';

/**
 * A circuit breaker per state (gateway/replicas.ts): a real FR member behind a real TCP relay that
 * can hang (accepts, never answers). After N consecutive timeouts FR's breaker opens and FR is
 * answered at once as CIRCUIT_OPEN, without a connection, while NL and BE still answer; after
 * halfOpenAfter the gateway's own probe ({ __typename }) goes through, never a caller's query; once
 * FR answers again the probe closes the breaker and FR's data returns.
 */

const TIMEOUT_MS = 300;
const FAILURES = 3;
const HALF_OPEN_AFTER_MS = 1200;
const DATA = {
  NL: [{ id: 'NL-1', givenName: 'Abdelhamid', familyName: 'Abaaoud' }],
  BE: [{ id: 'BE-7', givenName: 'Abdel-Hamid', familyName: 'Abaoud' }],
  FR: [{ id: 'FR-3', givenName: 'Abdelhamid', familyName: 'Abaaoud' }],
};
const QUERY = `{ persons(filter: { name: "Abaaoud" }) { memberState id } }`;

interface Answer {
  data: { persons: Array<{ memberState: string; id: string }> } | null;
  errors?: Array<{ message: string; extensions: Record<string, unknown> }>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a state that hangs: circuit breaker', () => {
  let net: TestNetwork;
  let relay: Relay;
  let gateway: RunningGateway;
  let headers: Record<string, string>;
  const ask = async () => (await postQuery(gateway.url, QUERY, undefined, headers)).body as unknown as Answer;
  const frErrors = (a: Answer) => (a.errors ?? []).filter((e) => e.extensions.memberState === 'FR');
  const others = (a: Answer) => a.data?.persons.filter((p) => p.memberState !== 'FR');
  const base = () => gateway.url.replace(/\/graphql$/, '');

  beforeAll(async () => {
    // NL and BE get a generous budget (a loaded machine must not make them time out); FR, behind the relay, a short one.
    net = await startNetwork({ states: ['NL', 'BE', 'FR'], data: DATA, timeoutMs: 5000 });
    relay = await startRelay(net.members.get('FR')!.url, { kind: 'hang' });
    const members: MemberConfig[] = net.memberConfigs.map((m) =>
      m.code === 'FR' ? { ...m, url: relay.url, timeoutMs: TIMEOUT_MS, circuitBreaker: { failures: FAILURES, halfOpenAfterMs: HALF_OPEN_AFTER_MS } } : m,
    );
    gateway = await startGateway({ supergraphSdl: net.supergraphSdl, security: net.security, members });
    headers = await net.as({ ...DEFAULT_PERSONA, roles: [...DEFAULT_PERSONA.roles], scopes: [...DEFAULT_PERSONA.scopes] });
  });
  afterAll(async () => {
    await gateway?.close();
    await relay?.close();
    await net?.close();
  });

  it(`answers TIMEOUT for ${FAILURES} consecutive calls, then CIRCUIT_OPEN without connecting; the other states answer throughout`, async () => {
    for (let i = 0; i < FAILURES; i++) {
      const answer = await ask();
      expect(others(answer)).toEqual([
        { memberState: 'NL', id: 'NL-1' },
        { memberState: 'BE', id: 'BE-7' },
      ]);
      expect(frErrors(answer).map((e) => e.extensions)).toEqual([{ code: 'MEMBER_UNAVAILABLE', memberState: 'FR', reason: 'TIMEOUT' }]);
    }
    expect(relay.requests()).toBe(FAILURES);
    const opened = relay.received().length;

    for (let i = 0; i < 5; i++) {
      const answer = await ask();
      expect(others(answer)).toHaveLength(2);
      const [error] = frErrors(answer);
      expect(error.extensions).toEqual({ code: 'MEMBER_UNAVAILABLE', memberState: 'FR', reason: 'CIRCUIT_OPEN' });
      expect(error.message).toMatch(/^FR was not asked: its circuit breaker is open after consecutive failures \(last: did not answer within \d+ ms\)/);
      expect(answer.errors).toHaveLength(1);
    }
    // Not asked at all while open: no caller's query reached the relay (only the gateway's probe may have).
    expect(relay.received().slice(opened)).not.toContain('persons');
  });

  it('shows the breaker in /metrics (2 open, 0 closed) and /readyz', async () => {
    const metrics = await (await fetch(`${base()}/metrics`)).text();
    expect(metrics).toContain('hague_member_circuit_state{member_state="FR"} 2');
    expect(metrics).toContain('hague_member_circuit_state{member_state="NL"} 0');
    expect(metrics).toMatch(/hague_member_failures_total\{member_state="FR",reason="circuit_open"\} [1-9]/);
    const ready = (await (await fetch(`${base()}/readyz`)).json()) as {
      ready: boolean;
      openCircuits: string[];
      memberStates: Record<string, { circuit: string }>;
    };
    expect(ready.ready).toBe(true);
    expect(ready.openCircuits).toEqual(['FR']);
    expect(ready.memberStates.FR.circuit).toBe('open');
    expect(ready.memberStates.NL.circuit).toBe('closed');
  });

  it("after halfOpenAfter the gateway's own probe goes through, never a caller's query; a failed probe opens it again", async () => {
    const before = relay.received().length;
    await sleep(HALF_OPEN_AFTER_MS + TIMEOUT_MS + 200);
    // Meanwhile and after, callers are answered at once: no query waits on the hung state.
    const answers = await Promise.all([ask(), ask()]);
    for (const a of answers) {
      expect(others(a)).toHaveLength(2);
      expect(frErrors(a).map((e) => e.extensions.reason)).toEqual(['CIRCUIT_OPEN']);
    }
    const since = relay.received().slice(before);
    expect(since).toContain('{"query":"{ __typename }"}'); // the probe, signed as the gateway's readiness caller
    expect(since).not.toContain('persons'); // no caller's query reached FR
    const metrics = await (await fetch(`${base()}/metrics`)).text();
    expect(metrics).toContain('hague_member_circuit_state{member_state="FR"} 2');
  });

  it('once FR answers again, the next probe closes the breaker and its data returns', async () => {
    relay.mode = { kind: 'pass' };
    // Wait for the gateway's next probe to find FR back (polled, not timed).
    for (let i = 0; i < 100; i++) {
      const metrics = await (await fetch(`${base()}/metrics`)).text();
      if (metrics.includes('hague_member_circuit_state{member_state="FR"} 0')) break;
      await sleep(100);
    }
    const answer = await ask();
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.persons).toEqual([
      { memberState: 'NL', id: 'NL-1' },
      { memberState: 'BE', id: 'BE-7' },
      { memberState: 'FR', id: 'FR-3' },
    ]);
    expect((await ask()).errors).toBeUndefined();
  });
});

describe('a state whose database is down (HTTP 503, DATABASE_UNAVAILABLE)', () => {
  let net: TestNetwork;
  let down: Server;
  let plain503: Server;

  /** A real HTTP server answering every request as a member whose database is down does (or a bare 503). */
  const serve = async (body: string): Promise<{ server: Server; url: string }> => {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '5' }).end(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` };
  };

  beforeAll(async () => {
    const db = await serve(JSON.stringify({ errors: [{ message: 'database unavailable', extensions: { code: 'DATABASE_UNAVAILABLE', memberState: 'FR' } }] }));
    const other = await serve(JSON.stringify({ errors: [{ message: 'overloaded', extensions: { code: 'SERVICE_UNAVAILABLE' } }] }));
    down = db.server;
    plain503 = other.server;
    net = await startNetwork({
      states: ['NL', 'BE'],
      data: DATA,
      peers: [
        { code: 'FR', url: db.url },
        { code: 'DE', url: other.url },
      ],
    });
  });
  afterAll(async () => {
    await net?.close();
    for (const server of [down, plain503]) await new Promise((resolve) => server?.close(resolve));
  });

  it('is MEMBER_UNAVAILABLE with reason DATABASE_UNAVAILABLE; any other 503 stays HTTP_ERROR; the others answer', async () => {
    const { body } = await net.query(QUERY);
    const answer = body as unknown as Answer;
    expect(answer.data?.persons).toEqual([
      { memberState: 'NL', id: 'NL-1' },
      { memberState: 'BE', id: 'BE-7' },
    ]);
    expect(answer.errors).toEqual([
      {
        message: 'FR answered that its database is unavailable (HTTP 503, retry after 5 s); its records are missing from this answer',
        extensions: { code: 'MEMBER_UNAVAILABLE', memberState: 'FR', reason: 'DATABASE_UNAVAILABLE' },
      },
      {
        message: 'DE answered HTTP 503; its records are missing from this answer',
        extensions: { code: 'MEMBER_UNAVAILABLE', memberState: 'DE', reason: 'HTTP_ERROR' },
      },
    ]);
  });
});

describe('members.yaml: breakers, replicas, answer caps', () => {
  const ok = '  - code: NL\n    url: http://127.0.0.1:4101/graphql\n';
  it('reads the network defaults under gateway: and per-state overrides', () => {
    const config = parseMembersConfig(
      `gateway:
  circuitBreaker: { failures: 3, halfOpenAfter: 2s }
  maxAnswerBytes: 4MiB
  maxInFlightAnswerBytes: 32MiB
  hedgeAfterMs: 200
members:
  - code: NL
    urls: [http://a.example/graphql, http://b.example/graphql]
  - code: BE
    url: http://c.example/graphql
    circuitBreaker: false
    maxAnswerBytes: 1048576
`,
    );
    expect(config.gateway.maxInFlightAnswerBytes).toBe(32 * 1024 * 1024);
    expect(config.members).toEqual([
      {
        code: 'NL',
        name: 'Netherlands',
        url: 'http://a.example/graphql',
        urls: ['http://a.example/graphql', 'http://b.example/graphql'],
        timeoutMs: 2000,
        circuitBreaker: { failures: 3, halfOpenAfterMs: 2000 },
        maxAnswerBytes: 4 * 1024 * 1024,
        hedgeAfterMs: 200,
      },
      { code: 'BE', name: 'Belgium', url: 'http://c.example/graphql', timeoutMs: 2000, circuitBreaker: false, maxAnswerBytes: 1048576 },
    ]);
  });

  it.each([
    [
      'a breaker that never opens',
      `gateway:\n  circuitBreaker: { failures: 0 }\nmembers:\n${ok}`,
      /members\.yaml:2: gateway\.circuitBreaker\.failures: 0 is not a number of consecutive failed calls/,
    ],
    [
      'a bad halfOpenAfter',
      `members:\n${ok}    circuitBreaker: { halfOpenAfter: 2h }\n`,
      /members\[0\]\.circuitBreaker\.halfOpenAfter: '2h' is not a time from 100 ms to 10 m/,
    ],
    ['a bad size', `gateway:\n  maxAnswerBytes: 12XB\nmembers:\n${ok}`, /gateway\.maxAnswerBytes: '12XB' is not a size from 1 KiB to 1 GiB/],
    [
      'a cap above the in-flight memory',
      `members:\n${ok}    maxAnswerBytes: 128MiB\n`,
      /members\[0\]\.maxAnswerBytes: 134217728 bytes \(the answer size cap\) is more than gateway\.maxInFlightAnswerBytes/,
    ],
    [
      'hedging one replica',
      `members:\n${ok}    hedgeAfterMs: 100\n`,
      /members\[0\]\.hedgeAfterMs: hedging asks a second replica: list NL's replicas under urls/,
    ],
    [
      'a hedge after the timeout',
      'members:\n  - code: NL\n    urls: [http://a/graphql, http://b/graphql]\n    hedgeAfterMs: 5000\n',
      /hedgeAfterMs: 5000 ms is not less than timeoutMs \(2000\)/,
    ],
    [
      'a replica listed twice',
      'members:\n  - code: NL\n    urls: [http://a/graphql, http://a/graphql]\n',
      /members\[0\]\.urls\[1\]: 'http:\/\/a\/graphql' is listed twice for NL/,
    ],
    [
      'a replica of two states',
      'members:\n  - code: NL\n    urls: [http://a/graphql, http://b/graphql]\n  - code: BE\n    url: http://b/graphql\n',
      /members\[1\]\.url: 'http:\/\/b\/graphql' is also a url of NL/,
    ],
  ])('rejects %s, naming the file, line, key and value', (_what, text, message) => {
    expect(() => parseMembersConfig(text, 'members.yaml')).toThrow(message);
  });
});
