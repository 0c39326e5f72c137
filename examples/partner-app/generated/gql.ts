/* eslint-disable */
import * as types from './graphql.ts';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query CheckTraveller($documentNumber: String!, $travelSince: Date) {\n    persons(filter: { documentNumber: $documentNumber }) {\n      memberState\n      id\n      contact { agency unit email phone reference }\n      givenName\n      familyName\n      aliases\n      dateOfBirth\n      nationalities\n      status\n      documents { number kind issuingState validUntil }\n      travel(since: $travelSince, first: 20) {\n        at\n        from { city country }\n        to { city country }\n        mode\n        carrier\n        reference\n        source\n        planned\n      }\n      listings { list listedSince reason action }\n      financialMeasures { kind since institution amount currency legalBasis }\n      background\n    }\n  }\n": typeof types.CheckTravellerDocument,
};
const documents: Documents = {
    "\n  query CheckTraveller($documentNumber: String!, $travelSince: Date) {\n    persons(filter: { documentNumber: $documentNumber }) {\n      memberState\n      id\n      contact { agency unit email phone reference }\n      givenName\n      familyName\n      aliases\n      dateOfBirth\n      nationalities\n      status\n      documents { number kind issuingState validUntil }\n      travel(since: $travelSince, first: 20) {\n        at\n        from { city country }\n        to { city country }\n        mode\n        carrier\n        reference\n        source\n        planned\n      }\n      listings { list listedSince reason action }\n      financialMeasures { kind since institution amount currency legalBasis }\n      background\n    }\n  }\n": types.CheckTravellerDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CheckTraveller($documentNumber: String!, $travelSince: Date) {\n    persons(filter: { documentNumber: $documentNumber }) {\n      memberState\n      id\n      contact { agency unit email phone reference }\n      givenName\n      familyName\n      aliases\n      dateOfBirth\n      nationalities\n      status\n      documents { number kind issuingState validUntil }\n      travel(since: $travelSince, first: 20) {\n        at\n        from { city country }\n        to { city country }\n        mode\n        carrier\n        reference\n        source\n        planned\n      }\n      listings { list listedSince reason action }\n      financialMeasures { kind since institution amount currency legalBasis }\n      background\n    }\n  }\n"): (typeof documents)["\n  query CheckTraveller($documentNumber: String!, $travelSince: Date) {\n    persons(filter: { documentNumber: $documentNumber }) {\n      memberState\n      id\n      contact { agency unit email phone reference }\n      givenName\n      familyName\n      aliases\n      dateOfBirth\n      nationalities\n      status\n      documents { number kind issuingState validUntil }\n      travel(since: $travelSince, first: 20) {\n        at\n        from { city country }\n        to { city country }\n        mode\n        carrier\n        reference\n        source\n        planned\n      }\n      listings { list listedSince reason action }\n      financialMeasures { kind since institution amount currency legalBasis }\n      background\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;