import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CASEFILES_SDL, startCasefiles, startNetwork, type TestNetwork, type TestPerson } from './support/network.ts';
import { bodyDigest, contextAudience, importKey, subgraphAudience, verifyContextToken } from '../common/context-token.ts';
import { ensureKeyPair } from '../common/dev-keys.ts';

/**
 * The gateway over a real network: four member states (fastify + mercurius over SQLite) and an
 * ordinary "casefiles" subgraph extending Person. Per-state request counts come from each member's
 * HTTP server, so "reached NL only" means the other states received nothing.
 */

const DATA: Record<string, TestPerson[]> = {
  NL: [
    { id: 'NL-1', givenName: 'Abdelhamid', familyName: 'Abaaoud', passport: 'EH1234567', dateOfBirth: '1987-04-08' },
    { id: 'NL-2', givenName: 'Mohammed', familyName: 'Belkaid' },
  ],
  BE: [
    { id: 'BE-7', givenName: 'Abdel-Hamid', familyName: 'Abaoud', passport: 'EH 123 4567', dateOfBirth: '1987-04-08' },
    { id: 'BE-8', givenName: 'Salah', familyName: 'Abdeslam' },
  ],
  FR: [{ id: 'FR-3', givenName: 'Salah', familyName: 'Abdeslam' }],
  DE: [{ id: 'DE-1', givenName: 'Jürgen', familyName: 'Schäfer' }],
};

const CASEFILES = [
  {
    reference: 'CF-1',
    title: 'Brussels cell',
    subjects: [
      { memberState: 'NL', id: 'NL-1' },
      { memberState: 'BE', id: 'BE-7' },
      { memberState: 'FR', id: 'FR-3' },
      { memberState: 'NL', id: 'NL-2' },
      { memberState: 'ES', id: 'ES-5' },
    ],
  },
];

let net: TestNetwork;
let casefiles: Awaited<ReturnType<typeof startCasefiles>>;

beforeAll(async () => {
  casefiles = await startCasefiles(CASEFILES);
  net = await startNetwork({
    states: ['NL', 'BE', 'FR', 'DE'],
    data: DATA,
    subgraphs: [{ name: 'casefiles', url: casefiles.url, sdl: CASEFILES_SDL }],
  });
});
afterAll(async () => {
  await net?.close();
  await casefiles?.close();
});
beforeEach(() => net.resetCounts());

describe('joint queries', () => {
  it('returns records of several states in one answer; a subject known to two states comes back from both', async () => {
    const { body } = await net.query(`{ persons(filter: { name: "Abaaoud" }) { memberState id givenName familyName } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.persons).toEqual([
      { memberState: 'NL', id: 'NL-1', givenName: 'Abdelhamid', familyName: 'Abaaoud' },
      { memberState: 'BE', id: 'BE-7', givenName: 'Abdel-Hamid', familyName: 'Abaoud' },
    ]);
    expect(net.requestCounts()).toEqual({ NL: 1, BE: 1, FR: 1, DE: 1 });

    const byPassport = await net.query(`query($n: String) { persons(filter: { documentNumber: $n }) { memberState id } }`, { n: 'eh1234567' });
    expect(byPassport.body.data.persons).toEqual([
      { memberState: 'NL', id: 'NL-1' },
      { memberState: 'BE', id: 'BE-7' },
    ]);
  });

  it('memberStates: [NL] reaches NL only, also through a variable and as a single value', async () => {
    const literal = await net.query(`{ persons(filter: { name: "Abaaoud" }, memberStates: [NL]) { memberState id } }`);
    expect(literal.body.data.persons).toEqual([{ memberState: 'NL', id: 'NL-1' }]);
    expect(net.requestCounts()).toEqual({ NL: 1, BE: 0, FR: 0, DE: 0 });

    net.resetCounts();
    const variable = await net.query(
      `query($states: [MemberState!]) { found: persons(filter: { name: "Abdeslam" }, memberStates: $states) { memberState id } }`,
      { states: ['FR', 'BE'] },
    );
    expect(variable.body.data.found).toEqual([
      { memberState: 'BE', id: 'BE-8' },
      { memberState: 'FR', id: 'FR-3' },
    ]);
    expect(net.requestCounts()).toEqual({ NL: 0, BE: 1, FR: 1, DE: 0 });

    net.resetCounts();
    const single = await net.query(`{ persons(filter: { name: "Schafer" }, memberStates: DE) { id } }`);
    expect(single.body.data.persons).toEqual([{ id: 'DE-1' }]);
    expect(net.requestCounts()).toEqual({ NL: 0, BE: 0, FR: 0, DE: 1 });

    net.resetCounts();
    const none = await net.query(`{ persons(filter: { name: "Abaaoud" }, memberStates: []) { id } }`);
    expect(none.body).toEqual({ data: { persons: [] } });
    expect(net.requestCounts()).toEqual({ NL: 0, BE: 0, FR: 0, DE: 0 });
  });

  it('person(memberState: NL, id) reaches NL only; aliased root fields aimed at different states each reach their own', async () => {
    const one = await net.query(`{ person(memberState: NL, id: "NL-1") { memberState id familyName } }`);
    expect(one.body).toEqual({ data: { person: { memberState: 'NL', id: 'NL-1', familyName: 'Abaaoud' } } });
    expect(net.requestCounts()).toEqual({ NL: 1, BE: 0, FR: 0, DE: 0 });

    net.resetCounts();
    const mixed = await net.query(
      `query($s: MemberState!, $id: ID!) {
      a: person(memberState: NL, id: "NL-2") { id familyName }
      b: person(memberState: $s, id: $id) { id familyName }
      c: persons(filter: { name: "Abaoud" }, memberStates: [BE]) { id }
      missing: person(memberState: DE, id: "nobody") { id }
    }`,
      { s: 'FR', id: 'FR-3' },
    );
    expect(mixed.body).toEqual({
      data: {
        a: { id: 'NL-2', familyName: 'Belkaid' },
        b: { id: 'FR-3', familyName: 'Abdeslam' },
        c: [{ id: 'BE-7' }],
        missing: null,
      },
      // Per state, how many records each list returned and whether more match (gateway/state-counts.ts).
      extensions: { hague: { states: { BE: { c: { returned: 1, more: false } } } } },
    });
    expect(net.requestCounts()).toEqual({ NL: 1, BE: 1, FR: 1, DE: 1 });
  });

  it('re-indexes error paths into the merged list and tags them with the state', async () => {
    const { body } = await net.query(`{ persons(filter: { name: "Abaaoud" }) { memberState id travel(first: 501) { at } } }`);
    expect(body.data.persons.map((p: { memberState: string }) => p.memberState)).toEqual(['NL', 'BE']);
    const errors = body.errors!.map((e) => ({ path: e.path, code: e.extensions?.code, memberState: e.extensions?.memberState }));
    expect(errors).toEqual([
      { path: ['persons', 0, 'travel'], code: 'BAD_USER_INPUT', memberState: 'NL' },
      { path: ['persons', 1, 'travel'], code: 'BAD_USER_INPUT', memberState: 'BE' },
    ]);
  });

  it('reports a rejection every state makes once, naming the states', async () => {
    const { body } = await net.query(`{ persons(filter: {}) { id } }`);
    expect(body.data).toBeNull();
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', memberStates: ['NL', 'BE', 'FR', 'DE'] });
  });

  it('names a state that is not part of the network instead of silently ignoring it', async () => {
    const { body } = await net.query(`{ persons(filter: { name: "Abaaoud" }, memberStates: [NL, IT]) { id } }`);
    expect(body.data.persons).toEqual([{ id: 'NL-1' }]);
    expect(body.errors).toEqual([
      {
        message: 'IT is not part of this network (not in the members config); its records are missing from this answer',
        extensions: { code: 'MEMBER_UNAVAILABLE', memberState: 'IT', reason: 'UNREACHABLE' },
      },
    ]);
    expect(net.requestCounts()).toEqual({ NL: 1, BE: 0, FR: 0, DE: 0 });
  });
});

describe('entity fetches and other subgraphs', () => {
  it('sends _entities representations to their owning states only, answers in the original order', async () => {
    const { body } = await net.query(`{ casefile(reference: "CF-1") { title subjects { memberState id familyName } } }`);
    expect(body.data.casefile).toEqual({
      title: 'Brussels cell',
      subjects: [
        { memberState: 'NL', id: 'NL-1', familyName: 'Abaaoud' },
        { memberState: 'BE', id: 'BE-7', familyName: 'Abaoud' },
        { memberState: 'FR', id: 'FR-3', familyName: 'Abdeslam' },
        { memberState: 'NL', id: 'NL-2', familyName: 'Belkaid' },
        { memberState: 'ES', id: 'ES-5', familyName: null },
      ],
    });
    // One entity request per owning state, none to DE (no subject there), none to ES (not in the network).
    expect(net.requestCounts()).toEqual({ NL: 1, BE: 1, FR: 1, DE: 0 });
    expect(body.errors).toEqual([
      {
        message: 'ES is not part of this network (not in the members config); its records are missing from this answer',
        path: ['casefile', 'subjects', 4],
        extensions: { code: 'MEMBER_UNAVAILABLE', memberState: 'ES', reason: 'UNREACHABLE' },
      },
    ]);
  });

  it('gives another subgraph the same request-bound caller context as the states: a gateway-signed token for its audience and that body', async () => {
    const before = casefiles.received().length;
    const { body } = await net.query(`{ casefile(reference: "CF-1") { title } }`);
    expect(body).toEqual({ data: { casefile: { title: 'Brussels cell' } } });
    const [call] = casefiles.received().slice(before);
    expect(call.token).toBeDefined();
    const key = await importKey((await ensureKeyPair(net.keysDir, 'gateway')).publicJwk);
    const claims = await verifyContextToken(call.token!, subgraphAudience('casefiles'), key, bodyDigest(call.body));
    expect(claims.caller).toMatchObject({ state: 'NL', subject: 'dev-nl-analyst', purpose: 'counter-terrorism' });
    expect(claims.expiresAt - Date.now()).toBeLessThanOrEqual(60_000);
    // Bound to that body: the same token says nothing about any other request.
    await expect(
      verifyContextToken(call.token!, subgraphAudience('casefiles'), key, bodyDigest('{"query":"{ casefile(reference: \\"CF-2\\") { title } }"}')),
    ).rejects.toThrow('context token was issued for another request (body digest differs)');
    await expect(verifyContextToken(call.token!, contextAudience('NL'), key, bodyDigest(call.body))).rejects.toThrow(/aud/);
  });

  it('joins member records with another subgraph in both directions', async () => {
    const { body } = await net.query(`{ persons(filter: { name: "Abaaoud" }) { memberState id casefiles { reference title } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.persons).toEqual([
      { memberState: 'NL', id: 'NL-1', casefiles: [{ reference: 'CF-1', title: 'Brussels cell' }] },
      { memberState: 'BE', id: 'BE-7', casefiles: [{ reference: 'CF-1', title: 'Brussels cell' }] },
    ]);
    expect(net.requestCounts()).toEqual({ NL: 1, BE: 1, FR: 1, DE: 1 });
  });

  it('masks internal errors of a subgraph: no SQL, no stack, a fixed message', async () => {
    const { body } = await net.query(`{ brokenCasefile { title } }`);
    expect(body.data).toEqual({ brokenCasefile: null });
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(JSON.stringify(body)).not.toMatch(/SELECT|stack|relation does not exist/i);
  });
});
