import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASEFILES_SDL, startBrokenPeer, startCasefiles, startNetwork, type PeerBehaviour, type TestNetwork } from './support/network.ts';

/**
 * A state that is down, slow, answering 500 or answering garbage costs only its own part: the
 * answer carries the other states' data and exactly one MEMBER_UNAVAILABLE error naming it, and
 * it comes back within that state's timeout plus a margin.
 */

const TIMEOUT_MS = 400;
/** How long the broken peer takes to answer, if ever. */
const PEER_DELAY_MS = 10_000;
/**
 * Not a timing claim, a behaviour: the answer comes before the peer's, so the gateway did not
 * wait for it. Loose on purpose (a machine loaded by other work takes seconds for a 400 ms budget).
 */
const BEFORE_PEER_MS = PEER_DELAY_MS - 2000;

const DATA = {
  NL: [{ id: 'NL-1', givenName: 'Abdelhamid', familyName: 'Abaaoud' }],
  BE: [{ id: 'BE-7', givenName: 'Abdel-Hamid', familyName: 'Abaoud' }],
  FR: [{ id: 'FR-3', givenName: 'Abdelhamid', familyName: 'Abaaoud' }],
};
const CASEFILE = {
  reference: 'CF-1',
  title: 'Brussels cell',
  subjects: [
    { memberState: 'NL', id: 'NL-1' },
    { memberState: 'FR', id: 'FR-3' },
    { memberState: 'BE', id: 'BE-7' },
  ],
};

type Case = 'stopped' | PeerBehaviour;
/** Each failure, with what the caller is told: the state, why, and that its records are missing. */
const CASES: Array<[Case, string, string]> = [
  ['stopped', 'FR is not reachable (connection refused)', 'UNREACHABLE'],
  ['slow', `FR did not answer within ${TIMEOUT_MS} ms`, 'TIMEOUT'],
  ['http500', 'FR answered HTTP 500', 'HTTP_ERROR'],
  ['garbage', 'FR answered HTTP 200 with a body that is not JSON', 'INVALID_RESPONSE'],
];

describe.each(CASES)('FR %s', (kind, detail, reason) => {
  const unavailable = (path?: Array<string | number>, entities?: number) => ({
    message: `${detail}; its records are missing from this answer`,
    ...(path ? { path } : {}),
    extensions: { code: 'MEMBER_UNAVAILABLE', memberState: 'FR', reason, ...(entities ? { entities } : {}) },
  });
  let net: TestNetwork;
  const cleanup: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    const casefiles = await startCasefiles([CASEFILE]);
    cleanup.push(casefiles.close);
    const subgraphs = [{ name: 'casefiles', url: casefiles.url, sdl: CASEFILES_SDL }];
    if (kind === 'stopped') {
      // A real FR member, stopped after the gateway started: its port now refuses connections.
      net = await startNetwork({ states: ['NL', 'BE', 'FR'], data: DATA, timeoutMs: TIMEOUT_MS, subgraphs });
      await net.members.get('FR')!.close();
      net.members.delete('FR');
    } else {
      const peer = await startBrokenPeer(kind, PEER_DELAY_MS);
      cleanup.push(peer.close);
      net = await startNetwork({ states: ['NL', 'BE'], data: DATA, timeoutMs: TIMEOUT_MS, peers: [{ code: 'FR', url: peer.url }], subgraphs });
    }
  });
  afterAll(async () => {
    await net?.close();
    for (const close of cleanup) await close();
  });

  it("a joint query returns the other states' data and exactly one MEMBER_UNAVAILABLE naming FR, in time", async () => {
    const { body, ms, status } = await net.query(`{ persons(filter: { name: "Abaaoud" }) { memberState id familyName } }`);
    expect(status).toBe(200);
    expect(body.data.persons).toEqual([
      { memberState: 'NL', id: 'NL-1', familyName: 'Abaaoud' },
      { memberState: 'BE', id: 'BE-7', familyName: 'Abaoud' },
    ]);
    expect(body.errors).toEqual([unavailable()]);
    expect(ms).toBeLessThan(BEFORE_PEER_MS);
    if (kind === 'slow') expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
  });

  it('person(memberState: FR) answers null with the error pointing at the field', async () => {
    const { body } = await net.query(`{ person(memberState: FR, id: "FR-3") { id } other: person(memberState: NL, id: "NL-1") { id } }`);
    expect(body.data).toEqual({ person: null, other: { id: 'NL-1' } });
    expect(body.errors).toEqual([unavailable(['person'])]);
  });

  it("an entity fetch keeps the other owners' entities; the error points at FR's entity", async () => {
    const { body, ms } = await net.query(`{ casefile(reference: "CF-1") { subjects { memberState id familyName } } }`);
    expect(body.data.casefile.subjects).toEqual([
      { memberState: 'NL', id: 'NL-1', familyName: 'Abaaoud' },
      { memberState: 'FR', id: 'FR-3', familyName: null },
      { memberState: 'BE', id: 'BE-7', familyName: 'Abaoud' },
    ]);
    expect(body.errors).toEqual([unavailable(['casefile', 'subjects', 1], 1)]);
    expect(ms).toBeLessThan(BEFORE_PEER_MS);
  });

  it('readyz stays ready (other states answer) and reports FR down', async () => {
    const res = await fetch(net.url.replace(/graphql$/, 'readyz'));
    const body = (await res.json()) as { ready: boolean; memberStates: Record<string, { up: boolean }> };
    expect(res.status).toBe(200);
    expect(body.ready).toBe(true);
    expect(body.memberStates.NL.up).toBe(true);
    expect(body.memberStates.BE.up).toBe(true);
    expect(body.memberStates.FR.up).toBe(false);
  });
});
