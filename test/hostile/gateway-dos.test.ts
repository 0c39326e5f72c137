import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNetwork, type TestNetwork } from '../support/network.ts';

/**
 * Documents built to exhaust the gateway: refused while parsing, before any validation, planning or
 * member state. (Cost, depth, aliases and introspection bombs: test/query-limits.test.ts; the
 * members' own bounds: test/member-limits.test.ts; memory and time under attack: npm run bench -- --hostile.)
 */

let net: TestNetwork;
beforeAll(async () => {
  net = await startNetwork({ states: ['NL', 'BE'], data: { NL: [{ id: 'NL-1', givenName: 'Abdelhamid', familyName: 'Abaaoud' }] } });
});
afterAll(async () => {
  await net?.close();
});

describe('oversized documents', () => {
  it('refuses a document of more than 10000 tokens while parsing, and asks no state', async () => {
    net.resetCounts();
    const query = `{ ${Array.from({ length: 4000 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const { status, body } = await net.query(query);
    expect(status).toBe(400);
    expect(body).toEqual({
      errors: [
        {
          message: 'Syntax Error: Document contains more that 10000 tokens. Parsing aborted.',
          locations: [{ line: 1, column: expect.any(Number) }],
          extensions: { code: 'GRAPHQL_PARSE_FAILED' },
        },
      ],
    });
    expect(net.requestCounts()).toEqual({ NL: 0, BE: 0 });
  });

  it('still answers a large but reasonable document', async () => {
    const fields = ['memberState', 'id', 'givenName', 'familyName', 'aliases', 'dateOfBirth', 'nationalities', 'status'];
    const query = `{ persons(filter: { name: "Abaaoud" }) { ${Array.from({ length: 25 }, (_, i) => `f${i}: ${fields[i % fields.length]}`).join(' ')} contact { agency unit email phone reference } } }`;
    const { status, body } = await net.query(query);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.persons).toHaveLength(1);
  });
});
