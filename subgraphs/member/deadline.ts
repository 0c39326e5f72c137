import { defaultFieldResolver, getNullableType, isIntrospectionType, isListType, isObjectType, type GraphQLError, type GraphQLSchema } from 'graphql';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { hagueError } from '../../common/errors.ts';
import type { Store } from './store.ts';

/**
 * The gateway's deadline (epoch ms, in the context token): when it passes, the gateway has stopped
 * waiting for this state and answered without it. The member abandons the work then: no SQL
 * statement starts and no list is resolved after it, and an answer completed after it is not
 * sent (answer-bounds.ts). The error is the one the gateway reports for a state it stopped
 * waiting for: MEMBER_UNAVAILABLE, reason TIMEOUT.
 */
export function deadlineError(state?: string): GraphQLError {
  return hagueError(
    'MEMBER_UNAVAILABLE',
    `${state ?? 'This state'} stopped this request at its deadline: the gateway no longer waits for it, so nothing is released`,
    {
      reason: 'TIMEOUT',
      ...(state ? { memberState: state } : {}),
    },
  );
}

export function deadlinePassed(deadline: number, now = Date.now()): boolean {
  return now >= deadline;
}

/** Throws the deadline error when `deadline` has passed. */
export function checkDeadline(deadline: number | undefined): void {
  if (deadline !== undefined && deadlinePassed(deadline)) throw deadlineError();
}

/** A Kysely plugin that checks the deadline before every statement it compiles (search, loaders, anything else). */
class DeadlinePlugin implements KyselyPlugin {
  constructor(private readonly deadline: number) {}

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    checkDeadline(this.deadline);
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

/** The store as one request sees it: every SQL statement first checks the request's deadline. */
export function storeWithDeadline(store: Store, deadline: number): Store {
  return { ...store, db: store.db.withPlugin(new DeadlinePlugin(deadline)) };
}

/**
 * Every list field of the schema (persons, organisations, _entities, documents, travel, members, …)
 * checks the request's deadline (`context.deadline`) before it resolves: past it, the list is an
 * error and nothing below it runs. Resolvers are wrapped in place; returns the schema.
 */
export function withListDeadlines(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || isIntrospectionType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      if (!isListType(getNullableType(field.type))) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context: { deadline?: number } | undefined, info) => {
        checkDeadline(context?.deadline);
        return resolve(source, args, context, info);
      };
    }
  }
  return schema;
}
