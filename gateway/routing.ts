import {
  Kind,
  OperationTypeNode,
  parse,
  print,
  valueFromASTUntyped,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type ValueNode,
} from 'graphql';
import { fragmentMap } from './fragments.ts';

/**
 * Which member states a subgraph operation must reach. The query planner hands the `member` data
 * source one operation per plan step; its root fields decide the audience:
 *   - `memberState: X` (person) -> only X,
 *   - `memberStates: [..]`      -> only those (null or absent: all states),
 *   - anything else             -> every state,
 *   - `_entities`               -> partitioned by each representation's memberState (fanout.ts).
 * Arguments are read from the operation AST and resolved against the variables (and the
 * operation's variable defaults), so aliases, variables and a single-value list all work.
 * A state receives only the root fields meant for it, and only the variables those fields use:
 * a partner never learns what was asked of another state.
 */

export interface RootField {
  /** Response key: the alias if any, else the field name. */
  key: string;
  name: string;
  node: FieldNode;
}

/** A top-level selection sent or withheld as a whole (a field, or a fragment carrying directives). */
export interface Unit {
  selection: SelectionNode;
  fields: RootField[];
}

export interface Analysis {
  operation: OperationDefinitionNode;
  fragments: Map<string, FragmentDefinitionNode>;
  units: Unit[];
  fields: RootField[];
  isEntities: boolean;
  rootTypeName: string;
  defaults: Record<string, unknown>;
  /** Printed sub-operations, by the set of units they keep. */
  printed: Map<string, { query: string; variables: string[] }>;
}

const analyses = new WeakMap<DocumentNode, Map<string | undefined, Analysis>>();
const parsed = new Map<string, DocumentNode>();
const PARSE_CACHE = 1000;

/** Parses a subgraph operation, remembering the last thousand (query plans repeat them). */
export function parseOperation(query: string): DocumentNode {
  let doc = parsed.get(query);
  if (!doc) {
    doc = parse(query);
    if (parsed.size >= PARSE_CACHE) parsed.delete(parsed.keys().next().value as string);
    parsed.set(query, doc);
  }
  return doc;
}

export function analyse(doc: DocumentNode, operationName?: string | null): Analysis {
  let byName = analyses.get(doc);
  if (!byName) analyses.set(doc, (byName = new Map<string | undefined, Analysis>()));
  const cached = byName.get(operationName ?? undefined);
  if (cached) return cached;

  const operations = doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (!operation) throw new Error(`subgraph operation ${operationName ?? '(anonymous)'} not found`);
  const fragments = fragmentMap(doc);

  const units: Unit[] = [];
  const flatten = (selections: readonly SelectionNode[]) => {
    for (const selection of selections) {
      if (selection.kind === Kind.FIELD) {
        units.push({ selection, fields: [rootField(selection)] });
      } else if (!selection.directives?.length) {
        // A root fragment without directives is just a bag of root fields: route them one by one.
        const inner = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : fragments.get(selection.name.value)?.selectionSet;
        if (inner) flatten(inner.selections);
      } else {
        units.push({ selection, fields: collectFields([selection], fragments) });
      }
    }
  };
  flatten(operation.selectionSet.selections);
  const fields = units.flatMap((u) => u.fields);

  const defaults: Record<string, unknown> = {};
  for (const v of operation.variableDefinitions ?? []) {
    if (v.defaultValue) defaults[v.variable.name.value] = valueFromASTUntyped(v.defaultValue);
  }
  const rootTypeName =
    operation.operation === OperationTypeNode.MUTATION ? 'Mutation' : operation.operation === OperationTypeNode.SUBSCRIPTION ? 'Subscription' : 'Query';
  const analysis: Analysis = {
    operation,
    fragments,
    units,
    fields,
    rootTypeName,
    defaults,
    isEntities: fields.some((f) => f.name === '_entities'),
    printed: new Map(),
  };
  byName.set(operationName ?? undefined, analysis);
  return analysis;
}

function rootField(node: FieldNode): RootField {
  return { key: node.alias?.value ?? node.name.value, name: node.name.value, node };
}

function collectFields(selections: readonly SelectionNode[], fragments: Map<string, FragmentDefinitionNode>): RootField[] {
  return selections.flatMap((s) => {
    if (s.kind === Kind.FIELD) return [rootField(s)];
    const inner = s.kind === Kind.INLINE_FRAGMENT ? s.selectionSet : fragments.get(s.name.value)?.selectionSet;
    return inner ? collectFields(inner.selections, fragments) : [];
  });
}

export interface Targets {
  /** Network states to ask, in network order. */
  states: string[];
  /** States asked for that are not part of this network. */
  outside: string[];
}

/** The states one root field must reach; `network` is the configured states in order. */
export function targetsOf(field: RootField, variables: Record<string, unknown>, defaults: Record<string, unknown>, network: readonly string[]): Targets {
  if (field.name === '__typename') return { states: [], outside: [] };
  const arg = (name: string) => {
    const node = field.node.arguments?.find((a) => a.name.value === name);
    return node ? resolveValue(node.value, variables, defaults) : undefined;
  };
  const one = arg('memberState');
  let wanted: unknown[] | undefined;
  if (typeof one === 'string') wanted = [one];
  else {
    const many = arg('memberStates');
    if (typeof many === 'string') wanted = [many];
    else if (Array.isArray(many)) wanted = many;
  }
  if (!wanted) return { states: [...network], outside: [] };
  const asked = new Set(wanted.filter((s): s is string => typeof s === 'string'));
  return {
    states: network.filter((s) => asked.has(s)),
    outside: [...asked].filter((s) => !network.includes(s)),
  };
}

function resolveValue(node: ValueNode, variables: Record<string, unknown>, defaults: Record<string, unknown>): unknown {
  switch (node.kind) {
    case Kind.VARIABLE: {
      const name = node.name.value;
      return Object.hasOwn(variables, name) && variables[name] !== undefined ? variables[name] : defaults[name];
    }
    case Kind.LIST:
      return node.values.map((v) => resolveValue(v, variables, defaults));
    case Kind.ENUM:
    case Kind.STRING:
      return node.value;
    case Kind.NULL:
      return null;
    default:
      return valueFromASTUntyped(node);
  }
}

/**
 * The operation restricted to some of its top-level units, with only the variables and fragments
 * those units use (GraphQL validation rejects unused ones). Printed once per unit set.
 */
export function subOperation(analysis: Analysis, keep: number[], extra: readonly FieldNode[] = []): { query: string; variables: string[] } {
  // `extra`: root fields the gateway adds (subjects.ts: the persons searches it links), sent in the same request.
  const cacheKey = extra.length ? undefined : keep.join(',');
  const hit = cacheKey === undefined ? undefined : analysis.printed.get(cacheKey);
  if (hit) return hit;
  const selections = [...keep.map((i) => analysis.units[i].selection), ...extra];
  const usedVariables = new Set<string>();
  const usedFragments = new Set<string>();
  const pending: Array<readonly SelectionNode[]> = [selections];
  while (pending.length) {
    const list = pending.pop()!;
    for (const selection of list) {
      visit(selection, {
        Variable: (v) => {
          usedVariables.add(v.name.value);
        },
        FragmentSpread: (s) => {
          const name = s.name.value;
          const fragment = analysis.fragments.get(name);
          if (!usedFragments.has(name) && fragment) {
            usedFragments.add(name);
            pending.push(fragment.selectionSet.selections);
          }
        },
      });
    }
  }
  const operation: OperationDefinitionNode = {
    ...analysis.operation,
    variableDefinitions: analysis.operation.variableDefinitions?.filter((v) => usedVariables.has(v.variable.name.value)),
    selectionSet: { ...analysis.operation.selectionSet, selections },
  };
  const fragments = [...analysis.fragments.values()].filter((f) => usedFragments.has(f.name.value));
  const result = { query: print({ kind: Kind.DOCUMENT, definitions: [operation, ...fragments] }), variables: [...usedVariables] };
  if (cacheKey !== undefined) analysis.printed.set(cacheKey, result);
  return result;
}

/** All variable names an operation uses, for forwarding nothing but those. */
export function pickVariables(variables: Record<string, unknown> | undefined, names: string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const name of names) if (variables && Object.hasOwn(variables, name)) picked[name] = variables[name];
  return picked;
}
