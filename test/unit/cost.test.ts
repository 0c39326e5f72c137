import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIST_SIZE, readCostModel } from '../../common/cost.ts';
import { composeFile } from '../../gateway/compose.ts';
import { memberTypeDefs } from '../../schema/contract.ts';
import { MEMBER_COST_MODEL } from '../../subgraphs/member/query-bounds.ts';
import { jsonBytesUpTo } from '../../subgraphs/member/answer-bounds.ts';

/** The cost directives as the member reads them from the contract and the gateway from the supergraph; the answer-size walk. */

describe('readCostModel', () => {
  it("reads the contract's @cost and @listSize, imported through the federation v2.9 link", () => {
    const model = readCostModel(memberTypeDefs);
    expect(Object.fromEntries(model.weights)).toEqual({
      ContactPoint: 0,
      Place: 0,
      'Person.aliases': 1,
      'Person.nationalities': 1,
      'Organisation.aliases': 1,
      'HitNotification.released': 0,
      // Handling codes, evaluations and match keys are embedded values, read with their record.
      Handling: 0,
      Evaluation: 0,
      MatchKey: 0,
      'Person.matchKeys': 1,
      // A subject's fact sources and contacts are embedded values too; its facts count as objects.
      FactSource: 0,
      SubjectContact: 0,
    });
    expect(Object.fromEntries(model.listSizes)).toEqual({
      'Query.persons': { slicingArguments: ['first'], assumedSize: 50, requireOneSlicingArgument: false },
      'Query.organisations': { slicingArguments: ['first'], assumedSize: 50, requireOneSlicingArgument: false },
      'Query.hitNotifications': { slicingArguments: ['first'], assumedSize: 50, requireOneSlicingArgument: false },
      'Person.aliases': { assumedSize: 5, requireOneSlicingArgument: true },
      'Person.nationalities': { assumedSize: 3, requireOneSlicingArgument: true },
      'Person.documents': { assumedSize: 5, requireOneSlicingArgument: true },
      'Person.travel': { slicingArguments: ['first'], assumedSize: 20, requireOneSlicingArgument: false },
      'Person.financialMeasures': { assumedSize: 10, requireOneSlicingArgument: true },
      'Person.listings': { assumedSize: 5, requireOneSlicingArgument: true },
      'Person.affiliations': { assumedSize: 5, requireOneSlicingArgument: true },
      'Person.matchKeys': { assumedSize: 4, requireOneSlicingArgument: true },
      'Organisation.aliases': { assumedSize: 5, requireOneSlicingArgument: true },
      'Organisation.members': { assumedSize: 50, requireOneSlicingArgument: true },
      'Query.subjects': { slicingArguments: ['first'], assumedSize: 20, requireOneSlicingArgument: false },
      'Subject.records': { assumedSize: 3, requireOneSlicingArgument: true },
      'Subject.contacts': { assumedSize: 3, requireOneSlicingArgument: true },
      'Subject.names': { assumedSize: 6, requireOneSlicingArgument: true },
      'Subject.travel': { assumedSize: 20, requireOneSlicingArgument: true },
      'Subject.financialMeasures': { assumedSize: 10, requireOneSlicingArgument: true },
      'Subject.organisations': { assumedSize: 5, requireOneSlicingArgument: true },
      'Subject.listings': { assumedSize: 5, requireOneSlicingArgument: true },
      'Subject.alerts': { assumedSize: 3, requireOneSlicingArgument: true },
      'Subject.withheld': { assumedSize: 3, requireOneSlicingArgument: true },
    });
    // The member adds _entities, which @apollo/subgraph defines: one entity per representation.
    expect(MEMBER_COST_MODEL.listSizes.get('Query._entities')).toEqual({ slicingArguments: ['representations'], requireOneSlicingArgument: true });
  });

  it('reads the same model from the composed supergraph (the cost spec link), as the gateway does', () => {
    const supergraph = composeFile('rover.yaml').supergraphSdl;
    expect(supergraph).toContain('@link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"])');
    const fromSupergraph = readCostModel(parse(supergraph));
    const fromContract = readCostModel(memberTypeDefs);
    expect(Object.fromEntries(fromSupergraph.weights)).toEqual(Object.fromEntries(fromContract.weights));
    expect(Object.fromEntries(fromSupergraph.listSizes)).toEqual(Object.fromEntries(fromContract.listSizes));
  });

  it('follows renamed and namespaced imports, and ignores directives of the same name from elsewhere', () => {
    const model = readCostModel(
      parse(`
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: [{ name: "@cost", as: "@weight" }])
        type Query {
          a: [Int] @weight(weight: 3) @federation__listSize(assumedSize: 7)
          b: Int @cost(weight: 9)
        }
      `),
    );
    expect(Object.fromEntries(model.weights)).toEqual({ 'Query.a': 3 });
    expect(Object.fromEntries(model.listSizes)).toEqual({ 'Query.a': { assumedSize: 7, requireOneSlicingArgument: true } });
    expect(DEFAULT_LIST_SIZE).toBe(10);
  });
});

describe('jsonBytesUpTo', () => {
  it('is the UTF-8 size of JSON.stringify, and stops counting past the limit', () => {
    const answers = [
      null,
      { data: null, errors: [{ message: 'x', path: ['a', 0], extensions: { code: 'X' } }] },
      { data: { persons: [{ id: 'NL-1', name: 'Bělhaouari "Abû"\n', score: 0.925, ok: true, none: null, skip: undefined }] } },
      [1, -2.5, 'ß', [], {}, [null]],
    ];
    for (const answer of answers) expect(jsonBytesUpTo(answer, 1_000_000)).toBe(Buffer.byteLength(JSON.stringify(answer)));
    const big = { data: { rows: Array.from({ length: 100_000 }, (_, i) => ({ id: `row-${i}` })) } };
    const counted = jsonBytesUpTo(big, 1000);
    expect(counted).toBeGreaterThan(1000);
    expect(counted).toBeLessThan(2000);
  });
});
