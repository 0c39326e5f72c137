import { createHash } from 'node:crypto';
import { GraphQLError, print } from 'graphql';
import type {
  GatewayExecutionResult,
  GatewayExecutor,
  GatewayGraphQLRequestContext,
  GatewayInterface,
  GatewaySchemaLoadOrUpdateCallback,
} from '@apollo/server-gateway-interface';
import type { GatewayContext } from './context.ts';
import { checkQueryLimits, type QueryLimits } from './query-limits.ts';
import { PLACEHOLDER, authorizeOperation, nullRemovedFields, stripPlaceholders, type AuthorizationRules, type Removal } from './authorize.ts';

export interface AuthorizationOptions {
  rules: AuthorizationRules;
  /** Bounds on what one operation may ask (checked on the operation as asked, fragments expanded). */
  limits?: QueryLimits;
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
  constructor(
    private readonly inner: GatewayInterface,
    private readonly options: AuthorizationOptions,
  ) {}

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
      // Limits apply to the operation as asked, before removals: a forbidden field still counts.
      // Only the executed operation is measured (a document may hold several).
      const tooComplex = checkQueryLimits(requestContext.schema, requestContext.document, requestContext.operation.name?.value, this.options.limits);
      if (tooComplex) return { errors: [tooComplex] };
      const { document, removals } = authorizeOperation(this.options.rules, requestContext.document, requestContext.operation, context.caller ?? null);
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
