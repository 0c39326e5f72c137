import { describe, expect, it } from 'vitest';
import { GraphQLError, parse } from 'graphql';
import { buildMemberSchema } from '../../subgraphs/member/server.ts';
import { defaultPolicy } from '../../subgraphs/member/release-policy.ts';
import { criteriaOf, describeAnswer, describeRefusal, queryDigest, type AuditCollector } from '../../subgraphs/member/audit-entry.ts';
import { caller } from '../support/tokens.ts';

/** describeAnswer is pure: the operation, the result and the records the resolvers returned make the entry. */

const schema = buildMemberSchema();
const FR = caller({ state: 'FR', subject: 'fr-1', requestId: 'r-1' });
const withheld = (path: (string | number)[], field: string) =>
  new GraphQLError(`NL releases HIT-tier fields to FR; ${field.split('.')[1]} is SUMMARY-tier. Ask NL's contact point for more`, {
    path,
    extensions: { code: 'NOT_RELEASED', field },
  });

describe('describeAnswer', () => {
  it('maps response keys to coordinates and paths to records, under @skip/@include and aliases', () => {
    const query = `query Q($n: String, $all: Boolean!) { hits: persons(filter: { name: $n }, first: 5) { ref: id g: givenName f: familyName @include(if: $all) } }`;
    const records: AuditCollector['records'] = new Map([
      [JSON.stringify(['hits', 0]), { type: 'Person', id: 'P-1' }],
      [JSON.stringify(['hits', 1]), { type: 'Person', id: 'P-2' }],
    ]);
    const entry = describeAnswer({
      caller: FR,
      at: '2026-01-01T00:00:00.000Z',
      policy: defaultPolicy('NL'),
      schema,
      query,
      document: parse(query),
      variables: { n: 'Doe', all: false },
      result: {
        data: {
          hits: [
            { ref: 'P-1', g: null },
            { ref: 'x', g: null },
          ],
        },
        errors: [withheld(['hits', 0, 'g'], 'Person.givenName'), withheld(['hits', 1, 'g'], 'Person.givenName')],
      },
      records,
    });
    const record = (id: string) => ({
      type: 'Person',
      id,
      tier: 'HIT',
      released: ['Person.id'],
      withheld: [
        {
          field: 'Person.givenName',
          code: 'NOT_RELEASED',
          reason: "NL releases HIT-tier fields to FR; givenName is SUMMARY-tier. Ask NL's contact point for more",
        },
      ],
      hitOnly: true,
    });
    expect(entry).toEqual({
      requestId: 'r-1',
      at: '2026-01-01T00:00:00.000Z',
      caller: { state: 'FR', agency: 'Test agency', subject: 'fr-1', roles: ['analyst'], clearance: 'SECRET' },
      purpose: 'counter-terrorism',
      caseReference: null,
      operation: { name: 'Q', digest: queryDigest(query) },
      criteria: [{ field: 'persons', args: { filter: { name: 'Doe' }, first: 5 } }],
      records: [record('P-1'), record('P-2')],
      outcome: 'answered',
    });
  });

  it('leaves out arguments whose variables were not given', () => {
    expect(criteriaOf(parse('query($n: String) { organisations(filter: { name: $n }) { id } }'), null, {})).toEqual([
      { responseKey: 'organisations', criterion: { field: 'organisations', args: { filter: {} } } },
    ]);
  });

  it('records a refusal with no document (a budget refusal of an unparsed body has none)', () => {
    expect(describeRefusal({ caller: FR, at: 't', query: '{ x }', code: 'RATE_LIMITED', reason: 'over' })).toEqual({
      requestId: 'r-1',
      at: 't',
      caller: { state: 'FR', agency: 'Test agency', subject: 'fr-1', roles: ['analyst'], clearance: 'SECRET' },
      purpose: 'counter-terrorism',
      caseReference: null,
      operation: { name: null, digest: queryDigest('{ x }') },
      criteria: [],
      records: [],
      outcome: 'refused',
      code: 'RATE_LIMITED',
      reason: 'over',
    });
  });
});
