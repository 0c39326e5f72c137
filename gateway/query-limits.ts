import { GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

/**
 * How much one request may ask of the network. Every root field fans out to every state and every
 * nested list multiplies the work at each of them, so the gateway refuses operations past these
 * bounds before planning, with QUERY_TOO_COMPLEX and what to reduce.
 */
export interface QueryLimits {
  /** Deepest field nesting (persons { affiliations { organisation { members { person … } } } }). @default 12 */
  maxDepth: number;
  /** Root fields (aliases count: each one is a separate fan-out). @default 10 */
  maxRootFields: number;
  /** Fields selected in all, after fragments are expanded. @default 1000 */
  maxFields: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 12, maxRootFields: 10, maxFields: 1000 };

interface Totals { depth: number; fields: number; rootFields: number }

/** Walks the operation as asked, each fragment spread expanded where it is used. */
function measure(selectionSet: SelectionSetNode, depth: number, fragments: Map<string, FragmentDefinitionNode>, inFragments: string[], totals: Totals): void {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      // Introspection (__schema, __type) is answered by the gateway itself, never fanned out.
      if (depth === 1 && selection.name.value.startsWith('__')) continue;
      totals.fields++;
      if (depth === 1) totals.rootFields++;
      totals.depth = Math.max(totals.depth, depth);
      if (selection.selectionSet) measure(selection.selectionSet, depth + 1, fragments, inFragments, totals);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      measure(selection.selectionSet, depth, fragments, inFragments, totals);
    } else {
      const fragment = fragments.get(selection.name.value);
      // Validation has refused fragment cycles already; the guard only keeps this walk finite.
      if (fragment && !inFragments.includes(fragment.name.value)) measure(fragment.selectionSet, depth, fragments, [...inFragments, fragment.name.value], totals);
    }
  }
}

export function checkQueryLimits(document: DocumentNode, operation: OperationDefinitionNode, limits: QueryLimits = DEFAULT_QUERY_LIMITS): GraphQLError | null {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const totals: Totals = { depth: 0, fields: 0, rootFields: 0 };
  measure(operation.selectionSet, 1, fragments, [], totals);
  const { rootFields } = totals;
  const problem = rootFields > limits.maxRootFields ? `${rootFields} root fields (at most ${limits.maxRootFields}; each fans out to every member state): split it into several requests`
    : totals.depth > limits.maxDepth ? `fields nested ${totals.depth} deep (at most ${limits.maxDepth}): ask for less nesting`
      : totals.fields > limits.maxFields ? `${totals.fields} fields (at most ${limits.maxFields}, fragments expanded): select fewer fields`
        : null;
  return problem ? new GraphQLError(`The query is too complex: ${problem}`, { extensions: { code: 'QUERY_TOO_COMPLEX' } }) : null;
}
