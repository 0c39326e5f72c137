import {
  GraphQLError,
  GraphQLSchema,
  Kind,
  getNamedType,
  getNullableType,
  isCompositeType,
  isIntrospectionType,
  isListType,
  type DirectiveNode,
  type DefinitionNode,
  type DocumentNode,
  type OperationDefinitionNode,
} from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { hagueError } from './errors.ts';

/**
 * The cost of an operation before it runs, in the spirit of Apollo's demand control, from the
 * contract's own Federation directives (`@cost(weight:)`, `@listSize(assumedSize:,
 * slicingArguments:, requireOneSlicingArgument:)`, federation v2.9 / cost spec v0.1). The gateway
 * (before planning) and every member state (before executing) use this same estimate, so a member
 * bounds its work whatever the gateway sends.
 *
 * cost = Σ over the fields asked (fragments expanded where used) of
 *        weight × the product of the list sizes that enclose it, its own included.
 *
 * - weight: the field's `@cost`, else its type's `@cost`, else 1 for an object (a record or row
 *   to read) and 0 for a scalar or enum (a column of a row already read);
 * - list size: the value of the slicing argument (`first: 200` gives 200; a list-valued argument,
 *   such as `_entities(representations:)`, gives its length), else `assumedSize`, else
 *   DEFAULT_LIST_SIZE; argument defaults of the schema count as given;
 * - introspection (`__schema`, `__type`) costs 0 here: the query limits bound it instead.
 *
 * The walk is graphql-query-complexity's (fragments, inline fragments, @skip/@include, variables),
 * with the estimator below reading the directives.
 */

/** `@listSize` of one field. `sizedFields` (cursor connections) is not modelled: the contract has none. */
export interface ListSize {
  assumedSize?: number;
  slicingArguments?: string[];
  requireOneSlicingArgument: boolean;
}

export interface CostModel {
  /** `@cost(weight:)` by field coordinate (`Person.documents`) and by type name (`Place`). */
  weights: Map<string, number>;
  /** `@listSize` by field coordinate. */
  listSizes: Map<string, ListSize>;
}

/** Items assumed in a list field that has no `@listSize`. */
export const DEFAULT_LIST_SIZE = 10;

/** Visited selections after which the estimate gives up (a fragment bomb); the query limits refuse such documents first. */
export const COST_WALK_BUDGET = 100_000;

type Definitions = ReadonlyArray<DefinitionNode>;

/**
 * Reads `@cost` and `@listSize` from a subgraph's SDL (the contract, where the federation link
 * imports them), a supergraph's SDL (where composition links the cost spec), or a schema built
 * from SDL (its AST nodes). The directives' local names follow the `@link` that brings them in.
 */
export function readCostModel(source: DocumentNode | GraphQLSchema): CostModel {
  const definitions: Definitions =
    source instanceof GraphQLSchema
      ? [
          ...(source.astNode ? [source.astNode] : []),
          ...source.extensionASTNodes,
          ...Object.values(source.getTypeMap()).flatMap((type) => [...(type.astNode ? [type.astNode] : []), ...(type.extensionASTNodes ?? [])]),
        ]
      : source.definitions;
  const names = directiveNames(definitions);
  const model: CostModel = { weights: new Map(), listSizes: new Map() };
  const weightOf = (directives: readonly DirectiveNode[] | undefined) => {
    const cost = directives?.find((d) => names.cost.has(d.name.value));
    const weight = cost && argument(cost, 'weight');
    return weight?.kind === Kind.INT ? Number(weight.value) : undefined;
  };
  for (const definition of definitions) {
    if (!('name' in definition) || !definition.name || !('directives' in definition)) continue;
    const typeName = definition.name.value;
    const typeWeight = weightOf(definition.directives);
    if (typeWeight !== undefined) model.weights.set(typeName, typeWeight);
    if (!('fields' in definition) || !definition.fields) continue;
    for (const field of definition.fields) {
      if (field.kind !== Kind.FIELD_DEFINITION) continue;
      const coordinate = `${typeName}.${field.name.value}`;
      const weight = weightOf(field.directives);
      if (weight !== undefined) model.weights.set(coordinate, weight);
      const listSize = field.directives?.find((d) => names.listSize.has(d.name.value));
      if (listSize) model.listSizes.set(coordinate, readListSize(listSize));
    }
  }
  return model;
}

function readListSize(directive: DirectiveNode): ListSize {
  const assumed = argument(directive, 'assumedSize');
  const slicing = argument(directive, 'slicingArguments');
  const requireOne = argument(directive, 'requireOneSlicingArgument');
  return {
    ...(assumed?.kind === Kind.INT ? { assumedSize: Number(assumed.value) } : {}),
    ...(slicing?.kind === Kind.LIST ? { slicingArguments: slicing.values.flatMap((v) => (v.kind === Kind.STRING ? [v.value] : [])) } : {}),
    // The spec's default is true.
    requireOneSlicingArgument: requireOne?.kind === Kind.BOOLEAN ? requireOne.value : true,
  };
}

function argument(directive: DirectiveNode, name: string) {
  return directive.arguments?.find((a) => a.name.value === name)?.value;
}

/**
 * The local names of `@cost` and `@listSize`: imported by a federation (v2.9+) or cost-spec
 * `@link`, possibly renamed (`{ name: "@cost", as: "@weight" }`), else namespaced
 * (`@federation__cost`, `@cost__listSize`). Without any such link (a plain schema), `@cost` and
 * `@listSize`.
 */
function directiveNames(definitions: Definitions): { cost: Set<string>; listSize: Set<string> } {
  const names = { cost: new Set<string>(), listSize: new Set<string>() };
  for (const definition of definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of definition.directives ?? []) {
      const url = argument(link, 'url');
      const spec = url?.kind === Kind.STRING ? /^https:\/\/specs\.apollo\.dev\/(cost|federation)\/v\d/.exec(url.value)?.[1] : undefined;
      if (link.name.value !== 'link' || !spec) continue;
      const as = argument(link, 'as');
      const prefix = as?.kind === Kind.STRING ? as.value : spec;
      const imported = new Map<string, string>();
      const imports = argument(link, 'import');
      for (const entry of imports?.kind === Kind.LIST ? imports.values : []) {
        if (entry.kind === Kind.STRING) imported.set(entry.value, entry.value);
        if (entry.kind !== Kind.OBJECT) continue;
        const field = (name: string) => entry.fields.find((f) => f.name.value === name)?.value;
        const name = field('name');
        const alias = field('as');
        if (name?.kind === Kind.STRING) imported.set(name.value, alias?.kind === Kind.STRING ? alias.value : name.value);
      }
      for (const directive of ['cost', 'listSize'] as const) {
        // The directive named like its spec (@cost of the cost spec) is named by the prefix itself.
        const local = imported.get(`@${directive}`)?.slice(1) ?? (spec === directive ? prefix : `${prefix}__${directive}`);
        names[directive].add(local);
      }
    }
  }
  if (names.cost.size === 0) names.cost.add('cost');
  if (names.listSize.size === 0) names.listSize.add('listSize');
  return names;
}

/** The size of one occurrence of a list field: the slicing argument's value, else the assumed size. */
function listSizeOf(model: CostModel, coordinate: string, args: Record<string, unknown>): number {
  const spec = model.listSizes.get(coordinate);
  if (!spec) return DEFAULT_LIST_SIZE;
  const slicing = spec.slicingArguments ?? [];
  const given = slicing.flatMap((name) => {
    const value = args[name];
    if (typeof value === 'number') return [Math.max(0, value)];
    if (Array.isArray(value)) return [value.length];
    return [];
  });
  if (spec.requireOneSlicingArgument && slicing.length > 0 && given.length !== 1) {
    throw hagueError('BAD_USER_INPUT', `${coordinate} needs exactly one of ${slicing.join(', ')} (got ${given.length})`, { argumentName: slicing.join(', ') });
  }
  return given.length > 0 ? Math.max(...given) : (spec.assumedSize ?? DEFAULT_LIST_SIZE);
}

/** graphql-query-complexity's estimator for this model: size × (weight + the cost of what is selected inside). */
export function costEstimator(model: CostModel): ComplexityEstimator {
  return ({ type, field, args, childComplexity }) => {
    if (field.name.startsWith('__') || isIntrospectionType(type)) return 0;
    const coordinate = `${type.name}.${field.name}`;
    const named = getNamedType(field.type);
    const weight = model.weights.get(coordinate) ?? model.weights.get(named.name) ?? (isCompositeType(named) ? 1 : 0);
    const size = isListType(getNullableType(field.type)) ? listSizeOf(model, coordinate, args) : 1;
    return size * (weight + childComplexity);
  };
}

/** Called with every field asked and its argument values (variables applied), before its cost: throw to refuse the operation. */
export type ArgumentCheck = (coordinate: string, args: Record<string, unknown>) => void;

export interface CostOptions {
  model: CostModel;
  variables?: Record<string, unknown> | null;
  /** Runs before the estimate of each field, e.g. the member's input bounds. */
  checkArguments?: ArgumentCheck;
}

/**
 * The estimated cost of `operation` (with the document's fragments), or the error that refuses
 * it: a variable that does not coerce, an argument check that failed, or a document too large to
 * walk (QUERY_TOO_COMPLEX).
 */
export function estimateCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, options: CostOptions): number | GraphQLError {
  const { checkArguments } = options;
  const estimators: ComplexityEstimator[] = [
    ...(checkArguments
      ? [
          ({ type, field, args }: Parameters<ComplexityEstimator>[0]): void => {
            checkArguments(`${type.name}.${field.name}`, args);
          },
        ]
      : []),
    costEstimator(options.model),
  ];
  // Only this operation, with every fragment: graphql-query-complexity then needs no operationName.
  const query: DocumentNode = { kind: Kind.DOCUMENT, definitions: [operation, ...document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)] };
  try {
    return getComplexity({ schema, query, variables: options.variables ?? {}, estimators, maxQueryNodes: COST_WALK_BUDGET });
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    if (error.extensions.code !== undefined || error.message !== 'Query exceeds the maximum allowed number of nodes.') return error;
    return hagueError('QUERY_TOO_COMPLEX', `The query is too complex: more than ${COST_WALK_BUDGET} selections to estimate, fragments expanded: ask for less`, {
      maxSelections: COST_WALK_BUDGET,
    });
  }
}
