import { allow, deny, rule, shield } from 'graphql-shield';
import type { IRules } from 'graphql-shield';
import type { IMiddleware } from 'graphql-middleware';
import { isObjectType, print, type GraphQLSchema } from 'graphql';
import { memberTypeDefs } from '../../schema/contract.ts';
import { denialReason, readAuthorizationRules, type AuthorizationRules } from '../../common/network-rules.ts';
import { clearanceAtLeast, type Caller } from '../../common/caller.ts';
import { hagueError } from '../../common/errors.ts';
import type { ReleasePolicy } from './release-policy.ts';
import { fieldTiers, tierAtLeast, type Tier } from './tiers.ts';
import { underReview } from './review.ts';

/** Why a partner does not get a field of an overdue record under the owner's `review.overdue: hits-only` (review.ts). */
export function underReviewReason(policy: ReleasePolicy, coordinate: string, needed: Tier): string {
  const field = coordinate.split('.')[1];
  return `${policy.memberState} holds this record under review (its review date has passed): until it is reviewed, it releases only HIT-tier fields of it to partners; ${field} is ${needed}-tier. Ask ${policy.memberState}'s contact point`;
}

/** The tier the owner grants a caller's state: FULL to its own callers, else the policy's. */
export function releaseTier(policy: ReleasePolicy, caller: Caller): Tier {
  if (caller.state === policy.memberState) return 'FULL';
  return policy.partners[caller.state] ?? policy.defaultTier;
}

/**
 * Why the owner withholds `Type.field` from the caller, in words the caller can act on;
 * null when it releases it.
 */
export function withholdingReason(policy: ReleasePolicy, coordinate: string, needed: Tier, caller: Caller): string | null {
  const owner = policy.memberState;
  const field = coordinate.split('.')[1];
  const granted = releaseTier(policy, caller);
  if (!tierAtLeast(granted, needed)) {
    return `${owner} releases ${granted}-tier fields to ${caller.state}; ${field} is ${needed}-tier. Ask ${owner}'s contact point for more`;
  }
  const rule = policy.fields[coordinate];
  if (!rule) return null;
  if (rule.minClearance && !clearanceAtLeast(caller.clearance, rule.minClearance)) {
    return `${owner} releases ${field} to callers with ${rule.minClearance} clearance or higher (yours: ${caller.clearance})`;
  }
  if (rule.roles && !rule.roles.some((role) => caller.roles.includes(role))) {
    return `${owner} releases ${field} only to the role${rule.roles.length > 1 ? 's' : ''} ${rule.roles.join(' or ')} (yours: ${caller.roles.join(', ') || 'none'})`;
  }
  if (rule.purposes && !rule.purposes.includes(caller.purpose)) {
    return `${owner} releases ${field} only for the purpose${rule.purposes.length > 1 ? 's' : ''} ${rule.purposes.join(' or ')} (this request: ${caller.purpose})`;
  }
  return null;
}

let networkRules: AuthorizationRules | undefined;
/** The contract's @authenticated / @requiresScopes / @policy rules, read once. */
export function contractNetworkRules(): AuthorizationRules {
  networkRules ??= readAuthorizationRules(print(memberTypeDefs));
  return networkRules;
}

/**
 * Whether the owner releases `Type.field` to the caller, the contract's network rule included (as
 * the shield below decides it): for values derived from fields, e.g. match keys (match-keys.ts).
 */
export function releasedTo(policy: ReleasePolicy, coordinate: string, caller: Caller): boolean {
  const needed = fieldTiers().get(coordinate);
  if (!needed) return false;
  const requirement = contractNetworkRules().fields.get(coordinate);
  if (requirement && denialReason(requirement, caller, coordinate)) return false;
  return withholdingReason(policy, coordinate, needed, caller) === null;
}

/**
 * The owner's release rules as graphql-shield middleware, derived from the contract's @tier
 * declarations plus the policy file: no rule is written by hand per field. Anything not covered
 * (a field added without a tier) is denied.
 */
export function releaseShield(schema: GraphQLSchema, policy: ReleasePolicy): IMiddleware {
  const tiers = fieldTiers();
  const network = contractNetworkRules();
  const released = new Set<string>();
  // Under `review.overdue: hits-only` a Person field's release depends on the record (its review
  // date), so those rules are decided per record, not once per request.
  const perRecord = policy.review?.overdue === 'hits-only';
  const tree: Record<string, Record<string, unknown>> = {
    // hitNotifications decides in its resolver: the owner's own duty officers only.
    Query: { persons: allow, person: allow, organisations: allow, hitNotifications: allow, _entities: allow, _service: allow },
    _Service: { sdl: allow },
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__') || tree[type.name]) continue;
    const rules: Record<string, unknown> = {};
    const tiered = Object.keys(type.getFields()).filter((name) => tiers.has(`${type.name}.${name}`));
    if (tiered.length === 0) {
      // Value types (documents, travel legs...) are reachable only through a tiered field of their owner.
      rules['*'] = allow;
      released.add(type.name);
    }
    for (const name of tiered) {
      const coordinate = `${type.name}.${name}`;
      const needed = tiers.get(coordinate)!;
      const requirement = network.fields.get(coordinate);
      const checksRecord = perRecord && type.name === 'Person' && needed !== 'HIT';
      rules[name] = rule(`release:${coordinate}`, { cache: checksRecord ? 'no_cache' : 'contextual' })((parent, _args, context: { caller: Caller }) => {
        // The network's rule first, as the gateway applies it: the owner does not trust that it did.
        const forbidden = requirement ? denialReason(requirement, context.caller, coordinate) : null;
        if (forbidden) return hagueError('FORBIDDEN', forbidden, { field: coordinate, memberState: policy.memberState });
        const reason = withholdingReason(policy, coordinate, needed, context.caller);
        if (reason !== null) return hagueError('NOT_RELEASED', reason, { memberState: policy.memberState, field: coordinate, tier: needed });
        if (checksRecord && underReview(policy, context.caller, parent as { review_due?: string | null }, 'hits-only')) {
          return hagueError('NOT_RELEASED', underReviewReason(policy, coordinate, needed), {
            memberState: policy.memberState,
            field: coordinate,
            tier: needed,
          });
        }
        return true;
      });
    }
    tree[type.name] = rules;
  }
  const middleware = shield(tree as IRules, { fallbackRule: deny, allowExternalErrors: true, debug: false }).generate(schema) as Record<string, unknown>;
  // A field every caller may see needs no middleware: graphql-shield makes every field it wraps
  // asynchronous, and the value types' fields (each document, travel leg...) are most of a
  // dossier's. Unwrapped, they resolve as without the shield (bench/README.md).
  for (const name of released) delete middleware[name];
  return middleware as IMiddleware;
}
