import {
  Kind,
  validate,
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { estimateCost, readCostModel, type ArgumentCheck, type CostModel } from './cost.ts';
import { hagueError } from './errors.ts';

/**
 * How much one request may ask. Every root field fans out to every state and every nested list
 * multiplies the work at each of them, so the gateway refuses operations past these bounds before
 * planning, and every member state refuses them again before executing (it does not trust the
 * gateway to have checked), with QUERY_TOO_COMPLEX, the measure and its bound in extensions.
 */
export interface QueryLimits {
  /** Deepest field nesting (persons { affiliations { organisation { members { person … } } } }). @default 12 */
  maxDepth: number;
  /** Root fields (aliases count: each one is a separate fan-out). @default 10 */
  maxRootFields: number;
  /** Fields selected in all, after fragments are expanded. @default 1000 */
  maxFields: number;
  /** Aliased fields, fragments expanded, introspection included. @default 30 */
  maxAliases: number;
  /** Directives used (@skip, @include, …), fragments expanded. @default 50 */
  maxDirectives: number;
  /** `__schema` fields: the whole schema at most once per request. @default 1 */
  maxSchemaFields: number;
  /** Nesting inside `__schema` / `__type`, the introspection field at 1 (GraphiQL's own query is 15 deep). @default 20 */
  maxIntrospectionDepth: number;
  /** Fields inside `__schema` / `__type`, fragments expanded (GraphiQL's own query has 230). @default 500 */
  maxIntrospectionFields: number;
  /** Estimated cost (common/cost.ts): records read, with list sizes from `first` or `@listSize`. @default 50000 */
  maxCost: number;
}

/**
 * Tokens (names, punctuation, values) of one document the gateway or a member parses, at most:
 * the largest operation the limits below allow (1000 fields) needs far fewer. graphql-js stops
 * parsing there, so a huge document costs no more than this to refuse.
 */
export const MAX_QUERY_TOKENS = 10_000;

export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  maxDepth: 12,
  maxRootFields: 10,
  maxFields: 1000,
  maxAliases: 30,
  maxDirectives: 50,
  maxSchemaFields: 1,
  maxIntrospectionDepth: 20,
  maxIntrospectionFields: 500,
  maxCost: 50_000,
};

/** Selections walked (fragments expanded) after which the walk stops: a fragment bomb is refused without being expanded. */
const WALK_BUDGET = 100_000;

export interface QueryLimitsRuleOptions {
  /**
   * Measure only the operation of this name (the one being executed). Absent: every operation of
   * the document (a document with an anonymous operation has no other).
   */
  operationName?: string | null;
  /** The request's variables: list sizes (`first: $n`) and @skip/@include read them. */
  variables?: Record<string, unknown> | null;
  /** `@cost` / `@listSize` of the schema; read from the schema's own AST when absent. */
  cost?: CostModel;
  /** Input bounds checked on every field's argument values before its cost (the member's). */
  checkArguments?: ArgumentCheck;
}

interface Totals {
  depth: number;
  fields: number;
  rootFields: number;
  aliases: number;
  directives: number;
  schemaFields: number;
  introspectionDepth: number;
  introspectionFields: number;
  visited: number;
}

/**
 * Walks the operation as asked, each fragment spread expanded where it is used. `introspection`
 * is the depth inside a root `__schema` / `__type` (0 outside): those are measured apart.
 */
function measure(
  context: ValidationContext,
  selectionSet: SelectionSetNode,
  depth: number,
  introspection: number,
  inFragments: readonly string[],
  totals: Totals,
): void {
  for (const selection of selectionSet.selections) {
    if (++totals.visited > WALK_BUDGET) return;
    totals.directives += selection.directives?.length ?? 0;
    if (selection.kind === Kind.FIELD) {
      if (selection.alias) totals.aliases++;
      const name = selection.name.value;
      if (depth === 1 && name === '__typename') continue;
      if (introspection > 0 || (depth === 1 && (name === '__schema' || name === '__type'))) {
        // Introspection is answered from the schema (by the gateway itself), never fanned out:
        // bounded apart, so that GraphiQL's own deep introspection query passes.
        if (depth === 1 && name === '__schema') totals.schemaFields++;
        totals.introspectionFields++;
        totals.introspectionDepth = Math.max(totals.introspectionDepth, introspection + 1);
        if (selection.selectionSet) measure(context, selection.selectionSet, depth + 1, introspection + 1, inFragments, totals);
        continue;
      }
      totals.fields++;
      if (depth === 1) totals.rootFields++;
      totals.depth = Math.max(totals.depth, depth);
      if (selection.selectionSet) measure(context, selection.selectionSet, depth + 1, 0, inFragments, totals);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      measure(context, selection.selectionSet, depth, introspection, inFragments, totals);
    } else {
      const name = selection.name.value;
      const fragment = context.getFragment(name);
      // Validation refuses fragment cycles; the guard only keeps this walk finite when run alone.
      if (!fragment || inFragments.includes(name)) continue;
      totals.directives += fragment.directives?.length ?? 0;
      measure(context, fragment.selectionSet, depth, introspection, [...inFragments, name], totals);
    }
  }
}

/** The first bound passed, in this order, as its message and extensions; null when none is. */
function firstProblem(totals: Totals, limits: QueryLimits): { problem: string; extensions: Record<string, number> } | null {
  const { rootFields, depth, fields, aliases, directives, schemaFields, introspectionDepth, introspectionFields, visited } = totals;
  if (rootFields > limits.maxRootFields) {
    return {
      problem: `${rootFields} root fields (at most ${limits.maxRootFields}; each fans out to every member state): split it into several requests`,
      extensions: { rootFields, maxRootFields: limits.maxRootFields },
    };
  }
  if (depth > limits.maxDepth) {
    return { problem: `fields nested ${depth} deep (at most ${limits.maxDepth}): ask for less nesting`, extensions: { depth, maxDepth: limits.maxDepth } };
  }
  if (fields > limits.maxFields || visited > WALK_BUDGET) {
    const counted = visited > WALK_BUDGET ? `more than ${fields}` : `${fields}`;
    return {
      problem: `${counted} fields (at most ${limits.maxFields}, fragments expanded): select fewer fields`,
      extensions: { fields, maxFields: limits.maxFields },
    };
  }
  if (schemaFields > limits.maxSchemaFields) {
    return {
      problem: `__schema asked ${schemaFields} times (at most ${limits.maxSchemaFields}, aliases and fragments included): introspect the schema once`,
      extensions: { schemaFields, maxSchemaFields: limits.maxSchemaFields },
    };
  }
  if (introspectionDepth > limits.maxIntrospectionDepth) {
    return {
      problem: `introspection nested ${introspectionDepth} deep (at most ${limits.maxIntrospectionDepth}): ask for less nesting`,
      extensions: { introspectionDepth, maxIntrospectionDepth: limits.maxIntrospectionDepth },
    };
  }
  if (introspectionFields > limits.maxIntrospectionFields) {
    return {
      problem: `${introspectionFields} introspection fields (at most ${limits.maxIntrospectionFields}, fragments expanded): select fewer fields`,
      extensions: { introspectionFields, maxIntrospectionFields: limits.maxIntrospectionFields },
    };
  }
  if (aliases > limits.maxAliases) {
    return {
      problem: `${aliases} aliases (at most ${limits.maxAliases}, fragments expanded): ask for each field once, or split the request`,
      extensions: { aliases, maxAliases: limits.maxAliases },
    };
  }
  if (directives > limits.maxDirectives) {
    return {
      problem: `${directives} directives (at most ${limits.maxDirectives}, fragments expanded): use fewer @skip/@include`,
      extensions: { directives, maxDirectives: limits.maxDirectives },
    };
  }
  return null;
}

/**
 * A graphql-js validation rule refusing operations past `limits` with QUERY_TOO_COMPLEX, measured
 * on the operation as asked: fragments expanded where they are used (a spread used twice counts
 * twice), introspection bounded apart. When the operation's shape is within its bounds, its cost
 * is estimated (common/cost.ts) with the request's variables; past `maxCost` it is refused with
 * extensions `{ cost, maxCost }`.
 */
export function queryLimitsRule(bounds: Partial<QueryLimits> = {}, options: QueryLimitsRuleOptions = {}): ValidationRule {
  const limits: QueryLimits = { ...DEFAULT_QUERY_LIMITS, ...bounds };
  return (context) => ({
    OperationDefinition(operation) {
      if (options.operationName && operation.name?.value !== options.operationName) return false;
      const totals: Totals = {
        depth: 0,
        fields: 0,
        rootFields: 0,
        aliases: 0,
        directives: operation.directives?.length ?? 0,
        schemaFields: 0,
        introspectionDepth: 0,
        introspectionFields: 0,
        visited: 0,
      };
      measure(context, operation.selectionSet, 1, 0, [], totals);
      const found = firstProblem(totals, limits);
      if (found) {
        context.reportError(hagueError('QUERY_TOO_COMPLEX', `The query is too complex: ${found.problem}`, found.extensions));
        return false;
      }
      const model = options.cost ?? readCostModel(context.getSchema());
      const cost = estimateCost(context.getSchema(), context.getDocument(), operation, {
        model,
        variables: options.variables,
        checkArguments: options.checkArguments,
      });
      if (typeof cost !== 'number') context.reportError(cost);
      else if (cost > limits.maxCost) {
        context.reportError(
          hagueError(
            'QUERY_TOO_COMPLEX',
            `The query is too complex: it would cost ${cost} (at most ${limits.maxCost}; each record read counts, times the lists around it): ask for fewer records (first) or less nesting`,
            { cost, maxCost: limits.maxCost },
          ),
        );
      }
      // Nothing inside the operation needs visiting: the measure walked it already.
      return false;
    },
  });
}

export interface CheckQueryLimitsOptions extends Omit<QueryLimitsRuleOptions, 'operationName'> {
  /** Bounds to use instead of the defaults (the others keep theirs). */
  limits?: Partial<QueryLimits>;
}

/**
 * Runs queryLimitsRule alone on an already validated document, measuring only the operation named
 * (the executed one); returns its error, or null when the operation is within the limits.
 */
export function checkQueryLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName?: string | null,
  options: CheckQueryLimitsOptions = {},
): GraphQLError | null {
  return validate(schema, document, [queryLimitsRule(options.limits, { ...options, operationName })])[0] ?? null;
}

/** Variable sets remembered per document; past it the document's results start afresh. */
const REMEMBERED_PER_DOCUMENT = 32;

/**
 * Remembers a check that depends only on the schema, the document and a key (operation name and
 * variables): the limits, the cost and the argument bounds. Servers cache parsed documents
 * (Apollo's document store, mercurius's LRU), so a query asked again is the same DocumentNode and
 * its check is looked up instead of walked again; a new document or other variables are checked in
 * full. Entries live as long as the document does, at most REMEMBERED_PER_DOCUMENT key each.
 */
export function rememberByDocument<R>(): (schema: GraphQLSchema, document: DocumentNode, key: string, check: () => R) => R {
  const bySchema = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, R>>>();
  return (schema, document, key, check) => {
    let byDocument = bySchema.get(schema);
    if (!byDocument) bySchema.set(schema, (byDocument = new WeakMap<DocumentNode, Map<string, R>>()));
    let results = byDocument.get(document);
    if (!results) byDocument.set(document, (results = new Map<string, R>()));
    if (results.has(key)) return results.get(key) as R;
    const result = check();
    if (results.size >= REMEMBERED_PER_DOCUMENT) results.clear();
    results.set(key, result);
    return result;
  };
}

/** The key rememberByDocument files a check under: operation name and variables, as sent. */
export function checkKey(operationName: string | null | undefined, variables: Record<string, unknown> | null | undefined): string {
  return `${operationName ?? ''}\u0000${JSON.stringify(variables ?? {})}`;
}
