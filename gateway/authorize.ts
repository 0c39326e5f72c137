import {
  Kind,
  SchemaMetaFieldDef,
  TypeInfo,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  buildASTSchema,
  getNamedType,
  getNullableType,
  isInterfaceType,
  isListType,
  isObjectType,
  parse,
  valueFromASTUntyped,
  visit,
  visitWithTypeInfo,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLSchema,
  type GraphQLType,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { CLEARANCES, clearanceAtLeast, isClearance, isPurpose, type Caller } from '../common/caller.ts';
import { isMemberState } from '../common/member-states.ts';
import { fragmentMap, inlineFragmentSpreads } from './fragments.ts';

/**
 * Network-wide field permissions: Federation's own @authenticated, @requiresScopes and @policy,
 * read from the supergraph and enforced before planning, as Apollo Router does. Fields the caller
 * may not see are removed from the operation, answered null and reported as FORBIDDEN with their
 * path; the rest of the query runs.
 */
export interface Requirement {
  authenticated: boolean;
  /** Any one inner list, all of its scopes. */
  scopes: string[][] | null;
  /** Any one inner list, all of its policies. */
  policies: string[][] | null;
}

export interface AuthorizationRules {
  schema: GraphQLSchema;
  /** 'Type.field' -> requirement, including requirements inherited from the field's type. */
  fields: Map<string, Requirement>;
}

/**
 * A rule set that requires nothing: every field is released and no operation is rewritten (the
 * benchmark's 'hague-noauthz' variant, measuring what the network rules cost).
 */
export function emptyAuthorizationRules(schema: GraphQLSchema): AuthorizationRules {
  return { schema, fields: new Map() };
}

/** Where the caller was denied a field: the response path of every place it was asked. */
export interface Removal {
  /** Response keys from the root; '@' stands for every item of a list. */
  path: string[];
  coordinate: string;
  reason: string;
}

const POLICY_KINDS = ['clearance', 'role', 'purpose', 'state', 'scope'] as const;

/** Checks a @policy name once at start, so a typo fails the gateway instead of denying silently. */
function checkPolicyName(name: string, coordinate: string): void {
  const [kind, value] = name.split(':');
  const valid =
    value !== undefined &&
    (kind === 'clearance'
      ? isClearance(value)
      : kind === 'purpose'
        ? isPurpose(value)
        : kind === 'state'
          ? isMemberState(value)
          : (POLICY_KINDS as readonly string[]).includes(kind) && value.length > 0);
  if (!valid) {
    throw new Error(
      `supergraph: @policy "${name}" on ${coordinate} is not understood; use clearance:<${CLEARANCES.join('|')}>, role:<name>, purpose:<purpose>, state:<code> or scope:<name>`,
    );
  }
}

function listOfLists(directive: DirectiveNode, argument: string): string[][] {
  const node = directive.arguments?.find((a) => a.name.value === argument)?.value;
  const value = node ? valueFromASTUntyped(node) : [];
  return Array.isArray(value) ? value.map((inner) => (Array.isArray(inner) ? inner.map(String) : [String(inner)])) : [];
}

function requirementOf(directives: readonly DirectiveNode[] | undefined, coordinate: string): Requirement | null {
  let requirement: Requirement | null = null;
  for (const directive of directives ?? []) {
    const name = directive.name.value;
    if (!['authenticated', 'requiresScopes', 'policy'].includes(name)) continue;
    requirement ??= { authenticated: false, scopes: null, policies: null };
    if (name === 'authenticated') requirement.authenticated = true;
    if (name === 'requiresScopes') requirement.scopes = listOfLists(directive, 'scopes');
    if (name === 'policy') {
      requirement.policies = listOfLists(directive, 'policies');
      requirement.policies.flat().forEach((p) => checkPolicyName(p, coordinate));
    }
  }
  return requirement;
}

function merge(a: Requirement | null, b: Requirement | null): Requirement | null {
  if (!a || !b) return a ?? b;
  return { authenticated: a.authenticated || b.authenticated, scopes: a.scopes ?? b.scopes, policies: a.policies ?? b.policies };
}

/** Reads every authorization directive of the supergraph, on fields and on the types they return. */
export function readAuthorizationRules(supergraphSdl: string): AuthorizationRules {
  const schema = buildASTSchema(parse(supergraphSdl), { assumeValid: true, assumeValidSDL: true });
  const typeRules = new Map<string, Requirement>();
  for (const type of Object.values(schema.getTypeMap())) {
    const rule = requirementOf(type.astNode?.directives, type.name);
    if (rule) typeRules.set(type.name, rule);
  }
  const fields = new Map<string, Requirement>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      const rule = merge(requirementOf(field.astNode?.directives, coordinate), typeRules.get(getNamedType(field.type).name) ?? null);
      if (rule) fields.set(coordinate, rule);
    }
  }
  return { schema, fields };
}

function policyHolds(policy: string, caller: Caller): boolean {
  const [kind, value] = policy.split(':');
  switch (kind) {
    case 'clearance':
      return isClearance(value) && clearanceAtLeast(caller.clearance, value);
    case 'role':
      return caller.roles.includes(value);
    case 'purpose':
      return caller.purpose === value;
    case 'state':
      return caller.state === value;
    case 'scope':
      return caller.scopes.includes(value);
    default:
      return false;
  }
}

/** Why the network withholds a field from the caller, or null when it may see it. */
export function denialReason(requirement: Requirement, caller: Caller | null, coordinate: string): string | null {
  if (!caller) return `${coordinate} needs an authenticated caller`;
  if (requirement.scopes && !requirement.scopes.some((all) => all.every((s) => caller.scopes.includes(s)))) {
    return `${coordinate} needs the scope ${requirement.scopes.map((all) => all.join(' + ')).join(' or ')} in your token`;
  }
  if (requirement.policies && !requirement.policies.some((all) => all.every((p) => policyHolds(p, caller)))) {
    return `${coordinate} is released by the network only to callers with ${requirement.policies.map((all) => all.join(' + ')).join(' or ')}`;
  }
  return null;
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
