import { createHash } from 'node:crypto';
import {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  defaultFieldResolver,
  getDirectiveValues,
  getNamedType,
  getOperationAST,
  isAbstractType,
  isIntrospectionType,
  isObjectType,
  print,
  responsePathAsArray,
  valueFromASTUntyped,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLError,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Caller } from '../../common/caller.ts';
import type { ReleasePolicy } from './release-policy.ts';
import { releaseTier } from './release-rules.ts';
import { fieldTiers, type Tier } from './tiers.ts';

/**
 * The owner's audit entry of one request it answered or refused, standing on its own: who asked,
 * why, by which criteria, which records (by id, whatever the query selected or aliased) and which
 * of their fields (by schema coordinate, never by response key) left or were kept back, and how
 * the request ended. Built by pure functions from the operation's AST, the result and the records
 * the resolvers returned (captured at resolution time by withRecordCapture).
 */

export type RecordType = 'Person' | 'Organisation';
const RECORD_TYPES = new Set<string>(['Person', 'Organisation']);
/** Root fields whose arguments are search criteria (or lookups) of the owner's records. */
export type CriterionField = 'persons' | 'organisations' | 'person' | '_entities';
const CRITERION_FIELDS = new Set<string>(['persons', 'organisations', 'person', '_entities']);
const WITHHOLDING_CODES = new Set(['NOT_RELEASED', 'FORBIDDEN']);

/**
 * answered: executed and sent (possibly with fields withheld); refused: nothing read (search
 * profile, budget, limits); abandoned: stopped at the gateway's deadline, nothing sent;
 * withheld: completed but larger than the answer cap, nothing sent.
 */
export type Outcome = 'answered' | 'refused' | 'abandoned' | 'withheld';

export interface Criterion {
  field: CriterionField;
  /** The arguments as given, variables applied (defaults not added). */
  args: Record<string, unknown>;
  /** Set when the owner refused this search before reading anything (search profile). */
  refused?: { code: string; reason: string };
}

export interface WithheldField {
  field: string;
  code: 'NOT_RELEASED' | 'FORBIDDEN';
  reason: string;
}

export interface ReleasedRecord {
  type: RecordType;
  id: string;
  /** The tier the owner grants this caller. */
  tier: Tier;
  /** Schema coordinates of the fields that left, sorted. */
  released: string[];
  withheld: WithheldField[];
  /** Nothing beyond HIT-tier fields of this record left: the caller learnt that the owner holds it, and whom to call. */
  hitOnly: boolean;
}

export interface AuditEntry {
  requestId: string;
  correlationId?: string;
  at: string;
  caller: Pick<Caller, 'state' | 'agency' | 'subject' | 'roles' | 'clearance'>;
  purpose: Caller['purpose'];
  caseReference: string | null;
  operation: { name: string | null; digest: string };
  criteria: Criterion[];
  records: ReleasedRecord[];
  outcome: Outcome;
  /** Why the request was refused, abandoned or withheld (the error code and message sent). */
  code?: string;
  reason?: string;
}

/** The records one request's resolvers returned, by response path (JSON of the path array). */
export interface AuditCollector {
  records: Map<string, { type: RecordType; id: string }>;
  /** The operation as executed (set in preExecution). */
  document?: DocumentNode;
  variables?: Record<string, unknown>;
}

export function newAuditCollector(): AuditCollector {
  return { records: new Map() };
}

const pathKey = (path: readonly (string | number)[]) => JSON.stringify(path);

function capture(
  collector: AuditCollector,
  path: (string | number)[],
  value: unknown,
  typeOf: (index: number | null) => string | undefined,
  index: number | null,
) {
  if (value === null || typeof value !== 'object') return;
  const type = typeOf(index);
  const id = (value as { id?: unknown }).id;
  if (type && RECORD_TYPES.has(type) && typeof id === 'string') collector.records.set(pathKey(path), { type: type as RecordType, id });
}

/**
 * Wraps, in place, every field returning a Person or an Organisation (or a list of them, or
 * `_entities`) so that the rows it returns are recorded into `context.audit` by response path:
 * the audit knows each record's id whatever the query selected, aliased or was refused.
 */
export function withRecordCapture(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || isIntrospectionType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      const entities = type === schema.getQueryType() && field.name === '_entities';
      if (!entities && !RECORD_TYPES.has(named.name)) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args: Record<string, unknown>, context: { audit?: AuditCollector } | undefined, info) => {
        const result: unknown = resolve(source, args, context, info);
        const collector = context?.audit;
        if (!collector) return result;
        const representations = Array.isArray(args.representations) ? (args.representations as { __typename?: string }[]) : [];
        const typeOf = (index: number | null) => (entities ? (index === null ? undefined : representations[index]?.__typename) : named.name);
        const record = (value: unknown) => {
          const path = responsePathAsArray(info.path);
          if (!Array.isArray(value)) {
            capture(collector, path, value, typeOf, null);
            return value;
          }
          // _entities answers a list of promises, one per representation.
          return value.map((item: unknown, index) => {
            const one = (row: unknown) => {
              capture(collector, [...path, index], row, typeOf, index);
              return row;
            };
            return item instanceof Promise ? item.then(one) : one(item);
          });
        };
        return result instanceof Promise ? result.then(record) : record(result);
      };
    }
  }
  return schema;
}

export function queryDigest(query: string): string {
  return createHash('sha256').update(query).digest('hex');
}

function included(node: FieldNode | { directives?: FieldNode['directives'] }, variables: Record<string, unknown>): boolean {
  const skip = getDirectiveValues(GraphQLSkipDirective, node, variables);
  if (skip?.if === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, node, variables);
  return include?.if !== false;
}

/** The fields of one selection set on `type`, fragments and inline fragments expanded, in order. */
function fieldsOf(
  schema: GraphQLSchema,
  set: SelectionSetNode,
  type: GraphQLObjectType,
  fragments: Map<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
) {
  const out: FieldNode[] = [];
  const applies = (condition: string | undefined) => {
    if (!condition || condition === type.name) return true;
    const conditionType = schema.getType(condition);
    return !!conditionType && isAbstractType(conditionType) && schema.isSubType(conditionType, type);
  };
  const walk = (selections: SelectionSetNode, seen: Set<string>) => {
    for (const selection of selections.selections) {
      if (!included(selection, variables)) continue;
      if (selection.kind === Kind.FIELD) out.push(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (applies(selection.typeCondition?.name.value)) walk(selection.selectionSet, seen);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (fragment && !seen.has(fragment.name.value) && applies(fragment.typeCondition.name.value)) {
          walk(fragment.selectionSet, new Set([...seen, fragment.name.value]));
        }
      }
    }
  };
  walk(set, new Set());
  return out;
}

function operationOf(document: DocumentNode | undefined, operationName: string | null | undefined): OperationDefinitionNode | null {
  if (!document) return null;
  try {
    return getOperationAST(document, operationName ?? undefined) ?? null;
  } catch {
    return null;
  }
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  return new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
}

/** The arguments as written in the query, variables applied; absent variables leave their argument out. */
function givenArgs(field: FieldNode, variables: Record<string, unknown>): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const argument of field.arguments ?? []) {
    const value: unknown = valueFromASTUntyped(argument.value, variables);
    if (value !== undefined) args[argument.name.value] = value;
  }
  return args;
}

/**
 * The search criteria of an operation: every root field reading the owner's records, with its
 * arguments. Needs no schema (so refusals before execution have it too).
 */
export function criteriaOf(document: DocumentNode | undefined, operationName: string | null | undefined, variables: Record<string, unknown> = {}) {
  const operation = operationOf(document, operationName);
  if (!document || !operation) return [];
  const fragments = fragmentsOf(document);
  const out: { responseKey: string; criterion: Criterion }[] = [];
  const walk = (set: SelectionSetNode, seen: Set<string>) => {
    for (const selection of set.selections) {
      if (!included(selection, variables)) continue;
      if (selection.kind === Kind.FIELD) {
        if (CRITERION_FIELDS.has(selection.name.value)) {
          out.push({
            responseKey: selection.alias?.value ?? selection.name.value,
            criterion: { field: selection.name.value as CriterionField, args: givenArgs(selection, variables) },
          });
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) walk(selection.selectionSet, seen);
      else {
        const fragment = fragments.get(selection.name.value);
        if (fragment && !seen.has(fragment.name.value)) walk(fragment.selectionSet, new Set([...seen, fragment.name.value]));
      }
    }
  };
  walk(operation.selectionSet, new Set());
  return out;
}

function header(caller: Caller, query: string, operationName: string | null | undefined, correlationId: string | undefined, at: string) {
  return {
    requestId: caller.requestId,
    ...(correlationId ? { correlationId } : {}),
    at,
    caller: { state: caller.state, agency: caller.agency, subject: caller.subject, roles: [...caller.roles], clearance: caller.clearance },
    purpose: caller.purpose,
    caseReference: caller.caseReference,
    operation: { name: operationName ?? null, digest: queryDigest(query) },
  };
}

export interface AnswerInput {
  caller: Caller;
  correlationId?: string;
  /** ISO time of the entry (default now). */
  at?: string;
  policy: ReleasePolicy;
  schema: GraphQLSchema;
  /** The query text as sent (its sha256 identifies the operation); the printed document when absent. */
  query?: string;
  document: DocumentNode;
  operationName?: string | null;
  variables?: Record<string, unknown>;
  /** The result as it leaves (after answer-bounds.ts). */
  result: ExecutionResult;
  /** The records the resolvers returned, by response path. */
  records: AuditCollector['records'];
  /** How the answer ended before it left: answer-bounds.ts's verdict. */
  bounded?: 'deadline' | 'size' | null;
}

/** The audit entry of an executed request. */
export function describeAnswer(input: AnswerInput): AuditEntry {
  const { caller, schema, document, result } = input;
  const variables = input.variables ?? {};
  const operationName = input.operationName ?? operationOf(document, input.operationName)?.name?.value ?? null;
  const base = header(caller, input.query ?? print(document), operationName, input.correlationId, input.at ?? new Date().toISOString());
  const errors = new Map<string, GraphQLError>();
  for (const error of result.errors ?? []) if (error.path) errors.set(pathKey(error.path), error);
  const codeOf = (error: GraphQLError | undefined) => (typeof error?.extensions?.code === 'string' ? error.extensions.code : undefined);

  const criteria = criteriaOf(document, operationName, variables).map(({ responseKey, criterion }) => {
    const error = errors.get(pathKey([responseKey]));
    const code = codeOf(error);
    return code && WITHHOLDING_CODES.has(code) ? { ...criterion, refused: { code, reason: error!.message } } : criterion;
  });

  if (input.bounded) {
    const error = result.errors?.[0];
    return {
      ...base,
      criteria,
      records: [],
      outcome: input.bounded === 'deadline' ? 'abandoned' : 'withheld',
      ...(error ? { code: codeOf(error) ?? 'INTERNAL_SERVER_ERROR', reason: error.message } : {}),
    };
  }

  const tier = releaseTier(input.policy, caller);
  const byRecord = new Map<string, { type: RecordType; id: string; released: Set<string>; withheld: Map<string, WithheldField> }>();
  const operation = operationOf(document, operationName);
  const queryType = schema.getQueryType();
  if (operation && queryType && result.data) {
    const fragments = fragmentsOf(document);
    // The fields of a selection set on a type are the same for every item of a list: collected once.
    const collected = new Map<SelectionSetNode, Map<GraphQLObjectType, FieldNode[]>>();
    const fieldsOn = (set: SelectionSetNode, type: GraphQLObjectType) => {
      let byType = collected.get(set);
      if (!byType) collected.set(set, (byType = new Map<GraphQLObjectType, FieldNode[]>()));
      let fields = byType.get(type);
      if (!fields) byType.set(type, (fields = fieldsOf(schema, set, type, fragments, variables)));
      return fields;
    };
    const visit = (set: SelectionSetNode, type: GraphQLObjectType, value: Record<string, unknown>, path: (string | number)[]) => {
      const captured = input.records.get(pathKey(path));
      const record = captured && type.name === captured.type ? captured : undefined;
      let entry = record && byRecord.get(`${record.type}:${record.id}`);
      if (record && !entry) {
        entry = { ...record, released: new Set(), withheld: new Map() };
        byRecord.set(`${record.type}:${record.id}`, entry);
      }
      for (const field of fieldsOn(set, type)) {
        const name = field.name.value;
        const definition = type.getFields()[name];
        if (!definition) continue; // __typename and other meta fields
        const key = field.alias?.value ?? name;
        const childPath = [...path, key];
        const error = errors.size > 0 ? errors.get(pathKey(childPath)) : undefined;
        const code = codeOf(error);
        if (entry) {
          const coordinate = `${type.name}.${name}`;
          if (code && WITHHOLDING_CODES.has(code)) {
            entry.withheld.set(coordinate, { field: coordinate, code: code as WithheldField['code'], reason: error!.message });
          } else if (!error && key in value) entry.released.add(coordinate);
        }
        const child = value[key];
        if (child === null || child === undefined || !field.selectionSet) continue;
        const named = getNamedType(definition.type);
        const descend = (item: unknown, itemPath: (string | number)[]) => {
          if (item === null || typeof item !== 'object') return;
          let objectType: GraphQLObjectType | undefined = isObjectType(named) ? named : undefined;
          if (!objectType && isAbstractType(named)) {
            const runtime = input.records.get(pathKey(itemPath))?.type ?? (item as { __typename?: unknown }).__typename;
            const candidate = typeof runtime === 'string' ? schema.getType(runtime) : undefined;
            objectType = isObjectType(candidate) ? candidate : undefined;
          }
          if (objectType) visit(field.selectionSet!, objectType, item as Record<string, unknown>, itemPath);
        };
        if (Array.isArray(child)) child.forEach((item, index) => descend(item, [...childPath, index]));
        else descend(child, childPath);
      }
    };
    visit(operation.selectionSet, queryType, result.data, []);
  }

  const tiers = fieldTiers();
  const records: ReleasedRecord[] = [...byRecord.values()].map((r) => {
    const released = [...r.released].sort();
    return {
      type: r.type,
      id: r.id,
      tier,
      released,
      withheld: [...r.withheld.values()].sort((a, b) => a.field.localeCompare(b.field)),
      hitOnly: released.every((coordinate) => tiers.get(coordinate) === 'HIT'),
    };
  });
  const refusal = criteria.find((c) => c.refused)?.refused;
  const refused = records.length === 0 && criteria.length > 0 && criteria.every((c) => c.refused);
  return { ...base, criteria, records, outcome: refused ? 'refused' : 'answered', ...(refused && refusal ? refusal : {}) };
}

export interface RefusalInput {
  caller: Caller;
  correlationId?: string;
  at?: string;
  query: string;
  /** The parsed operation, when it parsed (its criteria are recorded). */
  document?: DocumentNode;
  operationName?: string | null;
  variables?: Record<string, unknown>;
  code: string;
  reason: string;
}

/** The audit entry of a request the owner refused whole before reading anything (budget, limits). */
export function describeRefusal(input: RefusalInput): AuditEntry {
  const operationName = input.operationName ?? operationOf(input.document, input.operationName)?.name?.value ?? null;
  return {
    ...header(input.caller, input.query, operationName, input.correlationId, input.at ?? new Date().toISOString()),
    criteria: criteriaOf(input.document, operationName, input.variables ?? {}).map((c) => c.criterion),
    records: [],
    outcome: 'refused',
    code: input.code,
    reason: input.reason,
  };
}
