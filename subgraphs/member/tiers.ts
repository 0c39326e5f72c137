import { getDirectiveValues, isObjectType } from 'graphql';
import { memberTypeDefs } from '../../schema/contract.ts';
import { buildASTSchema } from 'graphql';

/** Disclosure tiers, lowest first (the contract's DisclosureTier enum). */
export const TIERS = ['HIT', 'SUMMARY', 'FULL'] as const;
export type Tier = (typeof TIERS)[number];

export function isTier(value: unknown): value is Tier {
  return typeof value === 'string' && (TIERS as readonly string[]).includes(value);
}

export function tierAtLeast(granted: Tier, needed: Tier): boolean {
  return TIERS.indexOf(granted) >= TIERS.indexOf(needed);
}

/**
 * The tier of every field that declares one with @tier in the contract, as 'Type.field' -> tier.
 * Read from the contract's SDL: the one place tiers are declared.
 */
export function fieldTiers(): Map<string, Tier> {
  return CONTRACT_TIERS;
}

function readTiers(): Map<string, Tier> {
  // The directive definitions live in the contract itself, so a plain AST schema reads them.
  const schema = buildASTSchema(memberTypeDefs, { assumeValid: true, assumeValidSDL: true });
  const directive = schema.getDirective('tier');
  const tiers = new Map<string, Tier>();
  if (!directive) return tiers;
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (!field.astNode) continue;
      const values = getDirectiveValues(directive, field.astNode);
      if (values && isTier(values.level)) tiers.set(`${type.name}.${field.name}`, values.level);
    }
  }
  return tiers;
}

const CONTRACT_TIERS = readTiers();
