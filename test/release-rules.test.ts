import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { FastifyInstance } from 'fastify';
import { openStore, type Store } from '../subgraphs/member/store.ts';
import { buildMemberApp } from '../subgraphs/member/server.ts';
import { loadReleasePolicy } from '../subgraphs/member/release-policy.ts';
import { ConfigError } from '../common/config-error.ts';
import { CONTEXT_TOKEN_HEADER, contextAudience, importKey } from '../common/context-token.ts';
import type { Caller } from '../common/caller.ts';
import { ABAOUD, insertFixture } from './support/member-fixture.ts';
import { caller, contextHeaders, testGatewayKeys } from './support/tokens.ts';

const folder = mkdtempSync(join(tmpdir(), 'hague-release-'));
let store: Store;
let app: FastifyInstance;
let keys: { privateJwk: JWK; publicJwk: JWK };

beforeAll(async () => {
  store = await openStore(join(folder, 'nl.db'), 'NL');
  await insertFixture(store);
  keys = await testGatewayKeys();
  app = await buildMemberApp({ state: 'NL', store, gatewayPublicKey: keys.publicJwk, policy: loadReleasePolicy('config/policies', 'NL') });
});
afterAll(async () => {
  await app?.close();
  await store?.close();
  rmSync(folder, { recursive: true, force: true });
});

const DOSSIER = `{ person(memberState: NL, id: "${ABAOUD.id}") {
  memberState id contact { reference } givenName familyName dateOfBirth
  documents { number } travel { carrier } financialMeasures { kind } listings { list } affiliations { role } background } }`;

async function ask(who: Caller, query: string, variables?: object, headers?: Record<string, string>) {
  const payload = JSON.stringify({ query, variables });
  const response = await app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', ...(headers ?? (await contextHeaders(keys.privateJwk, 'NL', who, payload))) },
    payload,
  });
  return { status: response.statusCode, body: response.json() };
}

const HIT = { memberState: 'NL', id: ABAOUD.id, contact: { reference: `REF-${ABAOUD.id}` } };
const SUMMARY = { ...HIT, givenName: 'Abdelhamid', familyName: 'Abaaoud', dateOfBirth: ABAOUD.dateOfBirth };
const FULL = {
  ...SUMMARY,
  documents: [{ number: ABAOUD.passport }],
  travel: [{ carrier: 'Aegean A3620' }, { carrier: 'Pegasus PC2680' }, { carrier: 'Turkish Airlines TK1938' }],
  financialMeasures: [{ kind: 'ASSET_FREEZE' }],
  listings: [{ list: 'EU 2580/2001' }],
  affiliations: [{ role: 'leader' }],
  background: 'Background of Abdelhamid Abaaoud.',
};

function withheld(field: string, tier: string, message: string) {
  return {
    message,
    locations: expect.any(Array),
    path: ['person', field],
    extensions: { code: 'NOT_RELEASED', memberState: 'NL', field: `Person.${field}`, tier },
  };
}
const tierMessage = (granted: string, partner: string, field: string, tier: string) =>
  `NL releases ${granted}-tier fields to ${partner}; ${field} is ${tier}-tier. Ask NL's contact point for more`;
const FIU_ONLY = (roles: string) => `NL releases financialMeasures only to the roles fiu or analyst (yours: ${roles})`;
/** Callers holding the network's scope, so these cases are about NL's own rules (hostile/ covers the network's at the member). */
const scoped = (overrides: Partial<Caller>) => caller({ scopes: ['financial:read'], ...overrides });
const nulls = (fields: string[]) => Object.fromEntries(fields.map((f) => [f, null]));

describe('NL release policy (config/policies/NL.yaml): FULL to BE and FR, SUMMARY to DE, HIT to the rest', () => {
  it.each([
    [
      'own NL border guard, CONFIDENTIAL',
      scoped({ state: 'NL', clearance: 'CONFIDENTIAL', roles: ['border-guard'] }),
      { ...FULL, financialMeasures: null },
      [withheld('financialMeasures', 'FULL', FIU_ONLY('border-guard'))],
    ],
    ['BE fiu, SECRET, terrorism-financing', scoped({ state: 'BE', roles: ['fiu'], purpose: 'terrorism-financing' }), FULL, []],
    ['BE analyst, SECRET, counter-terrorism', scoped({ state: 'BE', roles: ['analyst'], purpose: 'counter-terrorism' }), FULL, []],
    [
      'FR fiu, SECRET, border-security',
      scoped({ state: 'FR', roles: ['fiu'], purpose: 'border-security' }),
      { ...FULL, financialMeasures: null },
      [
        withheld(
          'financialMeasures',
          'FULL',
          'NL releases financialMeasures only for the purposes terrorism-financing or counter-terrorism (this request: border-security)',
        ),
      ],
    ],
    [
      'BE border guard, RESTRICTED',
      scoped({ state: 'BE', clearance: 'RESTRICTED', roles: ['border-guard'] }),
      { ...FULL, documents: null, financialMeasures: null, background: null },
      [
        withheld('documents', 'FULL', 'NL releases documents to callers with CONFIDENTIAL clearance or higher (yours: RESTRICTED)'),
        withheld('financialMeasures', 'FULL', FIU_ONLY('border-guard')),
        // The network's rule, enforced by NL too: background needs CONFIDENTIAL clearance.
        {
          message: 'Person.background is released by the network only to callers with clearance:CONFIDENTIAL',
          locations: expect.any(Array),
          path: ['person', 'background'],
          extensions: { code: 'FORBIDDEN', memberState: 'NL', field: 'Person.background' },
        },
      ],
    ],
    [
      'DE analyst, SECRET',
      scoped({ state: 'DE' }),
      { ...SUMMARY, ...nulls(['documents', 'travel', 'financialMeasures', 'listings', 'affiliations', 'background']) },
      ['documents', 'travel', 'financialMeasures', 'listings', 'affiliations', 'background'].map((f) =>
        withheld(f, 'FULL', tierMessage('SUMMARY', 'DE', f, 'FULL')),
      ),
    ],
    [
      'ES analyst, SECRET',
      scoped({ state: 'ES' }),
      { ...HIT, ...nulls(['givenName', 'familyName', 'dateOfBirth', 'documents', 'travel', 'financialMeasures', 'listings', 'affiliations', 'background']) },
      [
        ...['givenName', 'familyName', 'dateOfBirth'].map((f) => withheld(f, 'SUMMARY', tierMessage('HIT', 'ES', f, 'SUMMARY'))),
        ...['documents', 'travel', 'financialMeasures', 'listings', 'affiliations', 'background'].map((f) =>
          withheld(f, 'FULL', tierMessage('HIT', 'ES', f, 'FULL')),
        ),
      ],
    ],
  ])('%s gets exactly what NL releases to it', async (_persona, who, person, errors) => {
    const { status, body } = await ask(who, DOSSIER);
    expect(status).toBe(200);
    expect(body.data).toEqual({ person });
    expect(body.errors ?? []).toEqual(errors);
  });

  const DE = caller({ state: 'DE' });

  it('aliases, fragments, inline fragments and variables release nothing more', async () => {
    const query = `query($id: ID!) { a: person(memberState: NL, id: $id) { ...F ... on Person { d2: documents { number } } } }
      fragment F on Person { id n: familyName docs: documents { number } bg: background }`;
    const { body } = await ask(DE, query, { id: ABAOUD.id });
    expect(body.data).toEqual({ a: { id: ABAOUD.id, n: 'Abaaoud', docs: null, bg: null, d2: null } });
    expect(body.errors.map((e: { path: unknown; extensions: { code: string } }) => [e.extensions.code, e.path])).toEqual([
      ['NOT_RELEASED', ['a', 'docs']],
      ['NOT_RELEASED', ['a', 'bg']],
      ['NOT_RELEASED', ['a', 'd2']],
    ]);
  });

  it('_entities fetches are held to the same rules', async () => {
    const { body } = await ask(
      caller({ state: 'ES' }),
      `query($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Person { id familyName travel { carrier } } } }`,
      { r: [{ __typename: 'Person', memberState: 'NL', id: ABAOUD.id }] },
    );
    expect(body.data).toEqual({ _entities: [{ __typename: 'Person', id: ABAOUD.id, familyName: null, travel: null }] });
    expect(body.errors.map((e: { path: unknown; extensions: { code: string } }) => [e.extensions.code, e.path])).toEqual([
      ['NOT_RELEASED', ['_entities', 0, 'familyName']],
      ['NOT_RELEASED', ['_entities', 0, 'travel']],
    ]);
  });

  it('__typename probing and searching by a withheld field only confirm a hit', async () => {
    const { body } = await ask(
      caller({ state: 'ES' }),
      `{ persons(filter: { documentNumber: "${ABAOUD.passport}" }) { __typename memberState id documents { __typename } } }`,
    );
    expect(body.data).toEqual({ persons: [{ __typename: 'Person', memberState: 'NL', id: ABAOUD.id, documents: null }] });
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].extensions.code).toBe('NOT_RELEASED');
  });

  it('refuses batched requests instead of answering them unchecked', async () => {
    const payload = JSON.stringify([{ query: DOSSIER }, { query: DOSSIER }]);
    const response = await app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', ...(await contextHeaders(keys.privateJwk, 'NL', DE, payload)) },
      payload,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ data: null, errors: [{ message: 'body must be object', extensions: { code: 'BAD_USER_INPUT', memberState: 'NL' } }] });
  });

  it('writes an audit record of what it released and withheld, to whom, for which purpose', async () => {
    await ask(caller({ state: 'DE', requestId: 'audit-check', caseReference: 'DE-CASE-7', subject: 'de-analyst-9' }), DOSSIER);
    const row = await store.db.selectFrom('audit_log').selectAll().where('request_id', '=', 'audit-check').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ caller_state: 'DE', caller_subject: 'de-analyst-9', purpose: 'counter-terrorism', case_reference: 'DE-CASE-7' });
    expect(JSON.parse(row.released)).toEqual({
      records: [ABAOUD.id],
      fields: ['Person.contact', 'Person.dateOfBirth', 'Person.familyName', 'Person.givenName', 'Person.id', 'Person.memberState'],
    });
    expect(JSON.parse(row.withheld).map((w: { field: string }) => w.field)).toEqual(
      ['affiliations', 'background', 'documents', 'financialMeasures', 'listings', 'travel'].map((f) => `Person.${f}`),
    );
  });
});

describe('no way around the gateway: the context token', () => {
  const probes = [
    '{ _service { sdl } }',
    `{ _entities(representations: [{ __typename: "Person", memberState: NL, id: "${ABAOUD.id}" }]) { ... on Person { familyName } } }`,
    DOSSIER,
    '{ __schema { types { name } } }',
  ];

  async function signed(privateJwk: JWK, claims: { aud?: string; exp?: number; iss?: string }) {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ st: 'NL', roles: ['analyst'], clearance: 'SECRET', scopes: [], purpose: 'counter-terrorism', rid: 'x' })
      .setProtectedHeader({ alg: 'ES256', typ: 'hague-context+jwt' })
      .setSubject('attacker')
      .setIssuedAt(now - 120)
      .setIssuer(claims.iss ?? 'hague-gateway')
      .setAudience(claims.aud ?? contextAudience('NL'))
      .setExpirationTime(claims.exp ?? now + 60)
      .sign(await importKey(privateJwk));
  }

  it.each([
    ['no token', async () => ({})],
    ['a garbage token', async () => ({ [CONTEXT_TOKEN_HEADER]: 'not-a-jwt' })],
    [
      'a token signed by another key',
      async () => {
        const { privateKey } = await generateKeyPair('ES256', { extractable: true });
        return { [CONTEXT_TOKEN_HEADER]: await signed(await exportJWK(privateKey), {}) };
      },
    ],
    ['an expired token', async () => ({ [CONTEXT_TOKEN_HEADER]: await signed(keys.privateJwk, { exp: Math.floor(Date.now() / 1000) - 5 }) })],
    ["a token for another state's audience", async () => ({ [CONTEXT_TOKEN_HEADER]: await signed(keys.privateJwk, { aud: contextAudience('BE') }) })],
    ['a token from another issuer', async () => ({ [CONTEXT_TOKEN_HEADER]: await signed(keys.privateJwk, { iss: 'someone-else' }) })],
    ['caller headers alone', async () => ({ 'x-hague-caller-state': 'NL', authorization: 'Bearer whatever', 'x-hague-purpose': 'counter-terrorism' })],
  ])('%s: 401, no data, for queries, _service, _entities and introspection', async (_name, headers) => {
    for (const query of probes) {
      const { status, body } = await ask(caller(), query, undefined, await headers());
      expect(status).toBe(401);
      expect(body.data).toBeNull();
      expect(body.errors).toEqual([
        {
          message: expect.stringContaining('member states answer only requests relayed by the Hague gateway'),
          extensions: { code: 'UNAUTHENTICATED', memberState: 'NL' },
        },
      ]);
      expect(JSON.stringify(body)).not.toContain('Abaaoud');
    }
  });
});

describe('policy files are validated at start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hague-policy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it.each([
    ['memberState: NL\ndefaultTier: MOST\n', `${dir}/NL.yaml:2: defaultTier: 'MOST' is not a tier; expected one of HIT, SUMMARY, FULL`],
    ['memberState: BE\ndefaultTier: HIT\n', `${dir}/NL.yaml:1: memberState: 'BE' is not this file's state; expected 'NL' (the state this file belongs to)`],
    ['memberState: NL\ndefaultTier: HIT\npartners:\n  XX: FULL\n', `${dir}/NL.yaml:4: partners.XX: 'XX' is not a member state code; expected one of AT BE`],
    ['memberState: NL\ndefaultTier: HIT\npartners:\n  BE: ALL\n', `${dir}/NL.yaml:4: partners.BE: 'ALL' is not a tier; expected one of HIT, SUMMARY, FULL`],
    [
      'memberState: NL\ndefaultTier: HIT\nfields:\n  Person.passport:\n    minClearance: SECRET\n',
      `${dir}/NL.yaml:5: fields.Person.passport: 'Person.passport' is not a field of the contract with a tier`,
    ],
    [
      'memberState: NL\ndefaultTier: HIT\nfields:\n  Person.documents:\n    minClearance: TOP\n',
      `${dir}/NL.yaml:5: fields.Person.documents.minClearance: 'TOP' is not a clearance; expected one of UNCLASSIFIED, RESTRICTED, CONFIDENTIAL, SECRET`,
    ],
    [
      'memberState: NL\ndefaultTier: HIT\nfields:\n  Person.documents:\n    purposes: [curiosity]\n',
      `${dir}/NL.yaml:5: fields.Person.documents.purposes: ["curiosity"] is not a list of purposes; expected a non-empty list of counter-terrorism`,
    ],
    [
      'memberState: NL\ndefaultTier: HIT\nfields:\n  Person.documents:\n    clearance: SECRET\n',
      `${dir}/NL.yaml:5: fields.Person.documents.clearance: unknown key; allowed here: minClearance, roles, purposes`,
    ],
    ['memberState: NL\ndefaultTeir: HIT\n', `${dir}/NL.yaml:2: defaultTeir: unknown key; allowed here: memberState, defaultTier, partners, fields`],
    ['memberState: NL\n  defaultTier: [', `${dir}/NL.yaml:1: not valid YAML: Nested mappings are not allowed in compact mappings`],
  ])('rejects %j naming file, line, key and value', (content, message) => {
    writeFileSync(join(dir, 'NL.yaml'), content);
    expect(() => loadReleasePolicy(dir, 'NL')).toThrow(ConfigError);
    expect(() => loadReleasePolicy(dir, 'NL')).toThrow(message);
  });

  it('refuses a policies folder that does not exist instead of releasing hits only', () => {
    expect(() => loadReleasePolicy(join(dir, 'missing'), 'NL')).toThrow(
      new ConfigError(`--policies ${join(dir, 'missing')}: no such folder; give the folder holding the release policies (<STATE>.yaml), e.g. config/policies`),
    );
  });

  it('gives a state without a file in an existing folder the built-in policy: hits only', () => {
    const empty = mkdtempSync(join(tmpdir(), 'hague-policy-empty-'));
    try {
      expect(loadReleasePolicy(empty, 'NL')).toEqual({
        memberState: 'NL',
        defaultTier: 'HIT',
        partners: {},
        fields: {},
        source: 'built-in default policy of NL',
      });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
