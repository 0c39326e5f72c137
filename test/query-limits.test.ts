import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { startNetwork, type TestNetwork } from './support/network.ts';

/** Operations past the network's bounds are refused before planning: no member state is asked. */

let net: TestNetwork;
beforeAll(async () => {
  net = await startNetwork({ states: ['NL', 'BE'], data: { NL: [{ id: 'NL-1', givenName: 'Salah', familyName: 'Abdeslam' }] } });
});
afterAll(async () => {
  await net?.close();
});
beforeEach(() => net.resetCounts());

const tooComplex = (message: string) => ({ errors: [{ message: `The query is too complex: ${message}`, extensions: { code: 'QUERY_TOO_COMPLEX' } }] });

it('refuses more root fields than the limit: each alias is a fan-out to every state', async () => {
  const aliases = Array.from({ length: 11 }, (_, i) => `a${i}: persons(filter: { name: "Abdeslam" }) { id }`).join(' ');
  const { body } = await net.query(`{ ${aliases} }`);
  expect(body).toEqual(tooComplex('11 root fields (at most 10; each fans out to every member state): split it into several requests'));
  expect(net.requestCounts()).toEqual({ NL: 0, BE: 0 });
  const ten = await net.query(`{ ${aliases.split(' a10:')[0]} }`);
  expect(ten.body.data.a9).toEqual([{ id: 'NL-1' }]);
});

it('refuses deep nesting, counting fields inside fragments where they are used', async () => {
  const query = `{ persons(filter: { name: "Abdeslam" }) { ...A } }
    fragment A on Person { affiliations { organisation { members { person { affiliations { organisation { members { person { affiliations { organisation { members { person { id } } } } } } } } } } } } }`;
  const { body } = await net.query(query);
  expect(body).toEqual(tooComplex('fields nested 14 deep (at most 12): ask for less nesting'));
  expect(net.requestCounts()).toEqual({ NL: 0, BE: 0 });
});

it('leaves introspection alone: the gateway answers it itself', async () => {
  const typeRef =
    'kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }';
  const { body } = await net.query(`{ __schema { types { name fields { name type { ${typeRef} } } } } }`);
  expect(body.errors).toBeUndefined();
  expect(body.data.__schema.types.some((t: { name: string }) => t.name === 'Person')).toBe(true);
});
