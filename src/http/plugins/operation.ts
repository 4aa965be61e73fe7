import type { DocumentNode, GraphQLError, GraphQLSchema } from 'graphql';

/** The operation a request executes, as the limits read it before anything runs. */
export interface Operation {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName: string | null | undefined;
  /** The variables as sent (not yet coerced). */
  variables: Record<string, unknown>;
}

/**
 * Envelop hands its hooks the execution arguments and results loosely typed (`any`, to stay
 * independent of one graphql-js version); the plugins read them through these two, typed as
 * graphql-js 16 (the version this project pins) has them.
 */
export function operationOf(args: { schema: unknown; document: unknown; operationName?: unknown; variableValues?: unknown }): Operation {
  return {
    schema: args.schema as GraphQLSchema,
    document: args.document as DocumentNode,
    operationName: typeof args.operationName === 'string' ? args.operationName : undefined,
    variables: (args.variableValues ?? {}) as Record<string, unknown>,
  };
}

export function errorsOf(result: { errors?: readonly unknown[] | null }): readonly GraphQLError[] {
  return (result.errors ?? []) as readonly GraphQLError[];
}

/**
 * What envelop's onExecute and onSubscribe both hand a hook that may refuse the operation: a
 * limit written against it checks queries, mutations and subscriptions alike.
 */
export interface StoppableOperation {
  args: { schema: unknown; document: unknown; operationName?: unknown; variableValues?: unknown };
  setResultAndStopExecution(result: { errors: readonly GraphQLError[] }): void;
}
