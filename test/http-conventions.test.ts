import { createHash } from 'node:crypto';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNetwork, type TestNetwork, type TestPerson } from './support/network.ts';

/** What standard clients expect of the gateway over HTTP: compression, CSRF prevention, APQ, GET reads. */

const DATA: Record<string, TestPerson[]> = {
  NL: Array.from({ length: 40 }, (_, i) => ({ id: `NL-${i}`, givenName: `Karim${i}`, familyName: 'Belhaouari' })),
  BE: [{ id: 'BE-1', givenName: 'Abdelkarim', familyName: 'Belhawari' }],
};
const QUERY = '{ persons(filter: { name: "Belhaouari" }) { memberState id givenName familyName } }';

let net: TestNetwork;
let auth: Record<string, string>;
beforeAll(async () => {
  net = await startNetwork({ states: ['NL', 'BE'], data: DATA });
  auth = await net.as({ state: 'NL', roles: ['analyst'], clearance: 'SECRET' });
});
afterAll(async () => {
  await net?.close();
});

describe('HTTP conventions', () => {
  it('compresses large answers when the client accepts gzip', async () => {
    const res = await request(net.url, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', 'accept-encoding': 'gzip' },
      body: JSON.stringify({ query: QUERY }),
    });
    expect(res.headers['content-encoding']).toBe('gzip');
    const body = JSON.parse(gunzipSync(Buffer.from(await res.body.arrayBuffer())).toString('utf8'));
    expect(body.data.persons).toHaveLength(41);
    expect(body.data.persons.at(-1)).toEqual({ memberState: 'BE', id: 'BE-1', givenName: 'Abdelkarim', familyName: 'Belhawari' });
  });

  it('compresses with brotli when the client takes it, in one piece, and leaves small answers and refusals of both alone', async () => {
    const ask = async (acceptEncoding: string | undefined, query = QUERY) => {
      const res = await request(net.url, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json', ...(acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding }) },
        body: JSON.stringify({ query }),
      });
      return { headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) };
    };
    const br = await ask('gzip, deflate, br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    const persons = (JSON.parse(brotliDecompressSync(br.body).toString('utf8')) as { data: { persons: unknown[] } }).data.persons;
    expect(persons).toHaveLength(41);
    // q-values count: gzip preferred, br refused, identity only.
    expect((await ask('br;q=0.5, gzip')).headers['content-encoding']).toBe('gzip');
    expect((await ask('br;q=0, gzip;q=0')).headers['content-encoding']).toBeUndefined();
    const plain = await ask(undefined);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect((JSON.parse(plain.body.toString('utf8')) as { data: { persons: unknown[] } }).data.persons).toEqual(persons);
    // Below 1 KiB: sent as it is.
    const small = await ask('br', '{ persons(filter: { name: "Belhawari" }, first: 1) { id } }');
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(small.body.toString('utf8'))).toMatchObject({ data: { persons: expect.any(Array) } });
  });

  it('prevents CSRF: a GET query without a preflight-forcing header is refused, with one it is answered', async () => {
    const url = `${net.url}?query=${encodeURIComponent(QUERY)}`;
    const refused = await fetch(url, { headers: auth });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/CSRF/);
    const answered = await fetch(url, { headers: { ...auth, 'apollo-require-preflight': 'true' } });
    expect(answered.status).toBe(200);
    expect(((await answered.json()) as { data: { persons: unknown[] } }).data.persons).toHaveLength(41);
  });

  it('serves automatic persisted queries: unknown hash first, then the hash alone', async () => {
    const query = `${QUERY} # apq ${Date.now()}`;
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const extensions = { persistedQuery: { version: 1, sha256Hash } };
    const post = (body: object) =>
      fetch(net.url, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
    expect(await post({ extensions })).toMatchObject({ errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] });
    expect((await post({ query, extensions })).data.persons).toHaveLength(41);
    expect((await post({ extensions })).data.persons).toHaveLength(41);
  });

  it('authenticates a GET that carries an operation in any form, even one that asks for HTML (hash-only persisted query)', async () => {
    // Register the operation as a partner app would, with a valid token...
    const query = `${QUERY} # apq-get ${Date.now()}`;
    const extensions = JSON.stringify({ persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') } });
    const registered = await fetch(net.url, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ query, extensions: JSON.parse(extensions) }),
    });
    expect(((await registered.json()) as { data: { persons: unknown[] } }).data.persons).toHaveLength(41);
    // ...then ask for it by hash alone, as a browser would (HTML accepted), with the preflight header and no token.
    const browserish = { accept: 'text/html, application/json', 'apollo-require-preflight': 'true' };
    for (const search of [
      `extensions=${encodeURIComponent(extensions)}`,
      `operationName=x&extensions=${encodeURIComponent(extensions)}`,
      'variables=%7B%7D',
      'x',
    ]) {
      const res = await fetch(`${net.url}?${search}`, { headers: browserish });
      expect(res.status, search).toBe(401);
      expect(await res.json(), search).toEqual({
        errors: [
          {
            message:
              "Not authenticated: send Authorization: Bearer <token> issued by your state's identity provider (dev: npx hague token --state NL --roles analyst --clearance SECRET)",
            extensions: { code: 'UNAUTHENTICATED' },
          },
        ],
      });
    }
    // The plain visit (no query string at all) is the explorer page, which holds no data.
    const page = await fetch(net.url, { headers: browserish });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    // With the token, the hash-only GET is answered.
    const answered = await fetch(`${net.url}?extensions=${encodeURIComponent(extensions)}`, {
      headers: { ...auth, ...browserish, accept: 'application/json' },
    });
    expect(((await answered.json()) as { data: { persons: unknown[] } }).data.persons).toHaveLength(41);
  });
});
