import { buildASTSchema, getNamedType, isInterfaceType, isObjectType, parse, valueFromASTUntyped, type DirectiveNode, type GraphQLSchema } from 'graphql';
import { CLEARANCES, clearanceAtLeast, isClearance, isPurpose, type Caller } from './caller.ts';
import { isMemberState } from './member-states.ts';

/**
 * Network-wide field permissions: Federation's own @authenticated, @requiresScopes and @policy,
 * read from the schema that carries them (the supergraph at the gateway, the contract at each
 * member: both enforce them, the owner not trusting the gateway to have done so). Here: reading
 * the rules and judging one caller against one field; gateway/authorize.ts rewrites operations.
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
export function readAuthorizationRules(sdl: string): AuthorizationRules {
  const schema = buildASTSchema(parse(sdl), { assumeValid: true, assumeValidSDL: true });
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
