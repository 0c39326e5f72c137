import {
  Kind,
  SchemaMetaFieldDef,
  TypeInfo,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  getNullableType,
  isListType,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLType,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Caller } from '../common/caller.ts';
import { denialReason, type AuthorizationRules } from '../common/network-rules.ts';

import { fragmentMap, inlineFragmentSpreads } from './fragments.ts';

export { denialReason, emptyAuthorizationRules, readAuthorizationRules, type AuthorizationRules, type Requirement } from '../common/network-rules.ts';

/**
 * The gateway's side of the network-wide field permissions (common/network-rules.ts): fields the
 * caller may not see are removed from the operation before planning, answered null and reported
 * as FORBIDDEN with their path, as Apollo Router does; the rest of the query runs. Each member
 * enforces the same rules again in its own process (subgraphs/member/release-rules.ts).
 */

/** Where the caller was denied a field: the response path of every place it was asked. */
export interface Removal {
  /** Response keys from the root; '@' stands for every item of a list. */
  path: string[];
  coordinate: string;
  reason: string;
}

function listDepth(type: GraphQLType): number {
  let depth = 0;
  let current = getNullableType(type);
  while (isListType(current)) {
    depth++;
    current = getNullableType(current.ofType);
  }
  return depth;
}

/**
 * Response key of the `__typename` that keeps a selection set valid when every field the caller
 * asked in it was removed; stripped from the answer again (stripPlaceholders).
 */
export const PLACEHOLDER = 'hagueRemoved';
const PLACEHOLDER_FIELD: FieldNode = { kind: Kind.FIELD, alias: { kind: Kind.NAME, value: PLACEHOLDER }, name: { kind: Kind.NAME, value: '__typename' } };

/**
 * Rewrites the operation for one caller: fields it may not see are removed (fragments are inlined
 * so every place a field is asked is checked with its own path). Returns the removals for the
 * errors and the nulls of the answer. The rewritten document holds the operation alone, its
 * fragment spreads inlined. With no rules at all (a network without authorization directives, or
 * the benchmark's empty rule set) nothing can be removed: the document is returned as given.
 */
export function authorizeOperation(
  rules: AuthorizationRules,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  caller: Caller | null,
): { document: DocumentNode; removals: Removal[] } {
  if (rules.fields.size === 0) return { document, removals: [] };
  const removals: Removal[] = [];
  const inlined: OperationDefinitionNode = { ...operation, selectionSet: inlineFragmentSpreads(operation.selectionSet, fragmentMap(document)) };
  const typeInfo = new TypeInfo(rules.schema);
  // Response path of the selection set being visited: response keys from the root, '@' per list level.
  const paths: string[][] = [[]];

  const rewritten = visit(
    inlined,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter(node) {
          const field = typeInfo.getFieldDef();
          const parent = typeInfo.getParentType();
          // Fields outside the schema's object and interface fields (introspection, __typename, or
          // under a type the schema does not know) are kept as asked, and not looked into.
          if (!field || !parent || isMetaField(field)) return false;
          const path = paths[paths.length - 1];
          const responseKey = node.alias?.value ?? node.name.value;
          const coordinate = `${parent.name}.${field.name}`;
          const requirement = rules.fields.get(coordinate);
          const reason = requirement ? denialReason(requirement, caller, coordinate) : null;
          if (reason) {
            removals.push({ path: [...path, responseKey], coordinate, reason });
            return null;
          }
          paths.push([...path, responseKey, ...Array<string>(listDepth(field.type)).fill('@')]);
          return undefined;
        },
        leave() {
          paths.pop();
        },
      },
      // An inline fragment whose fields were all removed (left with the placeholder only) is dropped.
      InlineFragment: { leave: (node) => (isPlaceholderOnly(node.selectionSet) ? null : undefined) },
      // A selection set must stay non-empty: a placeholder keeps it valid.
      SelectionSet: { leave: (node) => (node.selections.length === 0 ? { ...node, selections: [PLACEHOLDER_FIELD] } : undefined) },
    }),
  );
  return { document: { kind: Kind.DOCUMENT, definitions: [rewritten] }, removals };
}

function isMetaField(field: GraphQLField<unknown, unknown>): boolean {
  return field === SchemaMetaFieldDef || field === TypeMetaFieldDef || field === TypeNameMetaFieldDef;
}

function isPlaceholderOnly(selectionSet: SelectionSetNode): boolean {
  return selectionSet.selections.length === 1 && selectionSet.selections[0] === PLACEHOLDER_FIELD;
}

/** Removes the placeholder keys authorizeOperation added, wherever they are in the answer. */
export function stripPlaceholders(value: unknown): void {
  if (Array.isArray(value)) {
    value.forEach(stripPlaceholders);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const object = value as Record<string, unknown>;
  delete object[PLACEHOLDER];
  for (const child of Object.values(object)) stripPlaceholders(child);
}

/**
 * Puts null where a removed field would have been, and returns one error path per place that
 * received a null (concrete list indices, like every other error path).
 */
export function nullRemovedFields(data: Record<string, unknown> | null | undefined, removal: Removal): Array<Array<string | number>> {
  const placed: Array<Array<string | number>> = [];
  const visit = (value: unknown, rest: string[], at: Array<string | number>) => {
    if (value === null || typeof value !== 'object') return;
    const [head, ...tail] = rest;
    if (head === '@') {
      if (Array.isArray(value)) value.forEach((item, i) => visit(item, tail, [...at, i]));
      return;
    }
    const object = value as Record<string, unknown>;
    if (tail.length === 0) {
      object[head] = null;
      placed.push([...at, head]);
      return;
    }
    visit(object[head], tail, [...at, head]);
  };
  visit(data, removal.path, []);
  return placed;
}
