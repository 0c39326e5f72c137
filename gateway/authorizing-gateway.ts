import { createHash } from 'node:crypto';
import { GraphQLError, Kind, parse, print, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type {
  GatewayExecutionResult,
  GatewayExecutor,
  GatewayGraphQLRequestContext,
  GatewayInterface,
  GatewaySchemaLoadOrUpdateCallback,
} from '@apollo/server-gateway-interface';
import { SEARCH_ARGUMENT_CHECKS } from '../common/search-bounds.ts';
import type { GatewayContext } from './context.ts';
import { checkQueryLimits, readCostModel, type CostModel, type QueryLimits } from './query-limits.ts';
import { checkKey, rememberByDocument } from '../common/query-limits.ts';
import { PLACEHOLDER, authorizeOperation, nullRemovedFields, stripPlaceholders, type AuthorizationRules, type Removal } from './authorize.ts';

export interface AuthorizationOptions {
  rules: AuthorizationRules;
  /** Bounds on what one operation may ask (checked on the operation as asked, fragments expanded). false: none (bench only, GatewaySafeguards). */
  limits?: Partial<QueryLimits> | false;
  /** `@cost` / `@listSize` for the cost limit; default: read from the supergraph the gateway loads. */
  cost?: CostModel;
  /** Reject the whole request when any field is forbidden, instead of answering it null. */
  strict: boolean;
  /** Called with what was removed, for the gateway's log. */
  onRemoved?: (removals: Removal[], context: GatewayContext) => void;
}

/**
 * Wraps the Apollo gateway so that query limits and network-wide field permissions run after
 * validation and before planning. A rewritten operation gets its own queryHash: the gateway caches plans under it, and a
 * plan built for one caller's filtered operation must never be served to another caller.
 */
export class AuthorizingGateway implements GatewayInterface {
  /** The cost directives of the supergraph loaded last (the API schema has no directives left). */
  private cost: CostModel | undefined;
  /** Limit checks by document and variables (rememberByDocument); a new supergraph is a new schema, so nothing carries over. */
  private readonly remembered = rememberByDocument<GraphQLError | null>();

  constructor(
    private readonly inner: GatewayInterface,
    private readonly options: AuthorizationOptions,
  ) {
    this.cost = options.cost;
    if (!options.cost) inner.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => (this.cost = readCostModel(parse(coreSupergraphSdl))));
  }

  onSchemaLoadOrUpdate(callback: GatewaySchemaLoadOrUpdateCallback) {
    return this.inner.onSchemaLoadOrUpdate(callback);
  }

  stop() {
    return this.inner.stop();
  }

  async load(options: Parameters<GatewayInterface['load']>[0]) {
    const loaded = await this.inner.load(options);
    const executor = loaded.executor;
    return { executor: executor ? this.authorizing(executor) : null };
  }

  private authorizing(executor: GatewayExecutor): GatewayExecutor {
    return async (requestContext) => {
      const context = requestContext.context;
      if (!isGatewayContext(context)) throw new Error('AuthorizingGateway: the request context is not the GatewayContext server.ts builds');
      // Typed as always there, but Apollo calls the executor without an operation when it could not
      // pick one, and expects errors back as graphql-js's execute gives them; it answers those with
      // OPERATION_RESOLUTION_FAILURE (400). Planning such a document would throw: a 500.
      const executed: OperationDefinitionNode | undefined = requestContext.operation;
      if (!executed) return { errors: [unresolvedOperation(requestContext.document, requestContext.request.operationName)] };
      const noRootType = missingRootType(requestContext.schema, executed);
      if (noRootType) return { errors: [noRootType] };
      // Limits apply to the operation as asked, before removals: a forbidden field still counts.
      // Only the executed operation is measured (a document may hold several), with its variables.
      const { limits } = this.options;
      const { schema, document: asked } = requestContext;
      const variables = requestContext.request.variables;
      // A query asked again with the same variables is the same document (Apollo's document store): measured once.
      const tooComplex =
        limits !== false &&
        this.remembered(schema, asked, checkKey(executed.name?.value, variables), () =>
          checkQueryLimits(schema, asked, executed.name?.value, {
            limits,
            variables,
            cost: this.cost,
            // The members' input bounds, checked once here so a bad value never fans out to every state.
            checkArguments: (coordinate, args) => SEARCH_ARGUMENT_CHECKS[coordinate]?.(args),
          }),
        );
      if (tooComplex) return { errors: [tooComplex] };
      const { document, removals } = authorizeOperation(this.options.rules, requestContext.document, executed, context.caller ?? null);
      if (removals.length === 0) return executor(requestContext);
      this.options.onRemoved?.(removals, context);
      if (this.options.strict) {
        return {
          errors: removals.map(
            (removal) =>
              new GraphQLError(`${removal.reason}; the request was rejected whole (strict authorization)`, {
                extensions: { code: 'FORBIDDEN', field: removal.coordinate, fieldPath: removal.path.join('.') },
              }),
          ),
        };
      }
      const operation = document.definitions[0] as GatewayGraphQLRequestContext['operation'];
      const rewritten = Object.create(requestContext) as GatewayGraphQLRequestContext;
      const printed = print(document);
      Object.defineProperties(rewritten, {
        document: { value: document },
        operation: { value: operation },
        source: { value: printed },
        queryHash: { value: createHash('sha256').update(printed).digest('hex') },
      });
      const result: GatewayExecutionResult = await executor(rewritten);
      if (printed.includes(PLACEHOLDER)) stripPlaceholders(result.data);
      return withForbiddenFields(result, removals);
    };
  }
}

/** Why Apollo found no operation to run: several and no operationName, or no operation of that name. */
function unresolvedOperation(document: DocumentNode, operationName: string | undefined): GraphQLError {
  const names = document.definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION ? [d.name?.value ?? '(anonymous)'] : []));
  if (names.length === 0) return new GraphQLError('The document has no operation; send a query');
  if (operationName) return new GraphQLError(`Unknown operation named "${operationName}"; the document's operations: ${names.join(', ')}`);
  return new GraphQLError(`The document has ${names.length} operations (${names.join(', ')}); send operationName to choose one`);
}

/**
 * A mutation or subscription against a schema without that root type (the network has queries
 * only): a mistake in the request, answered 400 like any validation error instead of reaching the
 * planner, which throws on it. graphql-js 16 reports it only when executing, not when validating.
 */
function missingRootType(schema: GraphQLSchema, operation: OperationDefinitionNode): GraphQLError | null {
  if (schema.getRootType(operation.operation)) return null;
  return new GraphQLError(`The schema has no ${operation.operation} type: the network answers queries only`, {
    nodes: [operation],
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
  });
}

/** Apollo hands a gateway's executor the request context untyped; it is the one server.ts builds for every request. */
function isGatewayContext(context: GatewayGraphQLRequestContext['context']): context is GatewayContext {
  return typeof context.requestId === 'string' && typeof context.log === 'object' && context.log !== null;
}

/** Answers each removed field null where it was asked, with one FORBIDDEN error per place. */
function withForbiddenFields(result: GatewayExecutionResult, removals: Removal[]): GatewayExecutionResult {
  const errors = [...(result.errors ?? [])];
  for (const removal of removals) {
    for (const path of nullRemovedFields(result.data, removal)) {
      errors.push(new GraphQLError(removal.reason, { path, extensions: { code: 'FORBIDDEN', field: removal.coordinate } }));
    }
  }
  return { ...result, errors };
}
