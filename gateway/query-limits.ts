import {
  GraphQLError,
  Kind,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

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

export interface QueryLimitsRuleOptions {
  /**
   * Measure only the operation of this name (the one being executed). Absent: every operation of
   * the document (a document with an anonymous operation has no other).
   */
  operationName?: string | null;
}

interface Totals {
  depth: number;
  fields: number;
  rootFields: number;
}

/** Walks the operation as asked, each fragment spread expanded where it is used. */
function measure(context: ValidationContext, selectionSet: SelectionSetNode, depth: number, inFragments: readonly string[], totals: Totals): void {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      // Introspection (__schema, __type) is answered by the gateway itself, never fanned out.
      if (depth === 1 && selection.name.value.startsWith('__')) continue;
      totals.fields++;
      if (depth === 1) totals.rootFields++;
      totals.depth = Math.max(totals.depth, depth);
      if (selection.selectionSet) measure(context, selection.selectionSet, depth + 1, inFragments, totals);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      measure(context, selection.selectionSet, depth, inFragments, totals);
    } else {
      const name = selection.name.value;
      const fragment = context.getFragment(name);
      // Validation refuses fragment cycles; the guard only keeps this walk finite when run alone.
      if (fragment && !inFragments.includes(name)) measure(context, fragment.selectionSet, depth, [...inFragments, name], totals);
    }
  }
}

/**
 * A graphql-js validation rule refusing operations past `limits` with QUERY_TOO_COMPLEX, measured
 * on the operation as asked: fragments expanded where they are used (a spread used twice counts
 * twice), root introspection fields not counted.
 */
export function queryLimitsRule(limits: QueryLimits = DEFAULT_QUERY_LIMITS, options: QueryLimitsRuleOptions = {}): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      if (options.operationName && operation.name?.value !== options.operationName) return false;
      const totals: Totals = { depth: 0, fields: 0, rootFields: 0 };
      measure(context, operation.selectionSet, 1, [], totals);
      const { rootFields, depth, fields } = totals;
      const problem =
        rootFields > limits.maxRootFields
          ? `${rootFields} root fields (at most ${limits.maxRootFields}; each fans out to every member state): split it into several requests`
          : depth > limits.maxDepth
            ? `fields nested ${depth} deep (at most ${limits.maxDepth}): ask for less nesting`
            : fields > limits.maxFields
              ? `${fields} fields (at most ${limits.maxFields}, fragments expanded): select fewer fields`
              : null;
      if (problem) context.reportError(new GraphQLError(`The query is too complex: ${problem}`, { extensions: { code: 'QUERY_TOO_COMPLEX' } }));
      // Nothing inside the operation needs visiting: the measure walked it already.
      return false;
    },
  });
}

/**
 * Runs queryLimitsRule alone on an already validated document, measuring only the operation named
 * (the executed one); returns its error, or null when the operation is within the limits.
 */
export function checkQueryLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName?: string | null,
  limits: QueryLimits = DEFAULT_QUERY_LIMITS,
): GraphQLError | null {
  return validate(schema, document, [queryLimitsRule(limits, { operationName })])[0] ?? null;
}
