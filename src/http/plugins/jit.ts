import { useGraphQlJit } from '@envelop/graphql-jit';
import {
  BREAK,
  getNamedType,
  getNullableType,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  isInputObjectType,
  isInputType,
  isListType,
  isScalarType,
  Kind,
  typeFromAST,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLSchema,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLInputType,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../../logger.js';

/**
 * GRAPHQL_JIT (on by default): executes operations with graphql-jit, which compiles each document
 * once (cached per parsed document, and yoga caches parsing) into a function; on the bench's
 * 50-session list it costs about 30 % less CPU per request than graphql-js (docs/performance.md). It only swaps the execute function,
 * so the other plugins' hooks (the error envelope's onExecuteDone among them) still run. Two
 * differences of graphql-jit are kept off the wire, so the contract is the same with it on:
 * - its variable coercion reports another variable name, no path and throws on some inputs, so a
 *   request whose variables do not coerce is left to graphql-js, which reports them as docs/api.md says;
 * - it does not fill in the default values of input object fields in variables (SessionOrder's
 *   `direction`, SessionFilter's `archived`): a variable that leaves one out would be refused, or
 *   read as "no filter" (found by running test/fuzz with GRAPHQL_JIT=true), so such a request is
 *   left to graphql-js too;
 * - its errors may lack `extensions` (graphql-js always sets it), so they are rebuilt as
 *   graphql-js errors before the envelope reads them. They carry no `locations` (graphql-jit does
 *   not track them).
 * Results keep JSON.stringify: a schema-compiled serializer would not know the envelope's fields.
 */
export function useJitExecution(logger: Logger): Plugin {
  const jit = useGraphQlJit(
    {},
    {
      enableIf: jitCanRun,
      // A document that does not compile comes back as an error result, which the envelope maps;
      // graphql-jit would otherwise print it to the console.
      onError: (result) => logger.debug('graphql-jit could not compile an operation', { errors: result.errors?.length ?? 0 }),
    },
  );
  return {
    onExecute(payload) {
      return jit.onExecute?.({
        ...payload,
        setExecuteFn: (execute) => payload.setExecuteFn(async (args) => withGraphQLJsErrors((await execute(args)) as ExecutionResult)),
      });
    },
  };
}

/** Whether `value` leaves out an input object field that has a default, at any depth. */
function omitsDefaultedField(type: GraphQLInputType, value: unknown): boolean {
  const nullable = getNullableType(type);
  if (value === null || value === undefined) return false;
  if (isListType(nullable)) {
    return Array.isArray(value)
      ? value.some((item) => omitsDefaultedField(nullable.ofType, item))
      : omitsDefaultedField(nullable.ofType, value);
  }
  if (!isInputObjectType(nullable) || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  return Object.values(nullable.getFields()).some(
    (field) => (field.defaultValue !== undefined && !(field.name in record)) || omitsDefaultedField(field.type, record[field.name]),
  );
}

/**
 * graphql-jit runs only where it answers as graphql-js would: documents of one operation (the
 * plugin caches the compiled query per document, whatever operationName picked: a document of
 * several operations would run the first one compiled for every other name; found by
 * test/http/plugins/server-options.test.ts), nothing in the document it answers otherwise
 * (needsGraphQLJs), variables that coerce, no input defaults to fill.
 *
 * `_entities` is the one list of the schema whose items can be errors (a hidden reference is null
 * with NOT_FOUND at its place). graphql-jit answers such a list, when another item resolves to a
 * session with lazy fields, with one element too many (found by test/security's isolation model).
 */
function jitCanRun(args: ExecutionArgs): boolean {
  const operations = args.document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1) return false;
  if (graphQLJsOnly(args.schema, args.document)) return false;
  const operation = getOperationAST(args.document, args.operationName);
  if (!operation) return false;
  const definitions = operation.variableDefinitions ?? [];
  const values = (args.variableValues ?? {}) as Record<string, unknown>;
  if (getVariableValues(args.schema, definitions, values, { maxErrors: 1 }).errors) return false;
  return !definitions.some((definition) => {
    const type = typeFromAST(args.schema, definition.type);
    return type !== undefined && isInputType(type) && omitsDefaultedField(type, values[definition.variable.name.value]);
  });
}

/**
 * Whether graphql-jit would answer the document differently from graphql-js, for what it holds
 * rather than for its variables: an `_entities` selection (see jitCanRun), or a literal of a scalar
 * whose parseLiteral reads variables (JSONObject, as in a message's `metadata: { k: $v }`):
 * graphql-jit parses those without the variables (storing `{}` where graphql-js stores the value)
 * and prints a console line for each such document.
 */
function graphQLJsOnly(schema: GraphQLSchema, document: DocumentNode): boolean {
  // yoga caches parsed documents, so one walk per document (not per request) is enough.
  let known = graphQLJsOnlyByDocument.get(document);
  if (known === undefined) graphQLJsOnlyByDocument.set(document, (known = needsGraphQLJs(schema, document)));
  return known;
}

const graphQLJsOnlyByDocument = new WeakMap<DocumentNode, boolean>();

function needsGraphQLJs(schema: GraphQLSchema, document: DocumentNode): boolean {
  const typeInfo = new TypeInfo(schema);
  let found = false;
  const stop = () => {
    found = true;
    return BREAK;
  };
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field: (node) => (node.name.value === '_entities' ? stop() : undefined),
      ObjectValue: () => (readsVariables(typeInfo.getInputType()) ? stop() : undefined),
      ListValue: () => (readsVariables(typeInfo.getInputType()) ? stop() : undefined),
    }),
  );
  return found;
}

function readsVariables(type: GraphQLInputType | null | undefined): boolean {
  const named = type ? getNamedType(type) : undefined;
  return named !== undefined && isScalarType(named) && named.parseLiteral.length > 1;
}

function withGraphQLJsErrors(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.length) return result;
  const errors = result.errors.map(
    (error) =>
      new GraphQLError(error.message, {
        path: error.path,
        originalError: error.originalError ?? undefined,
        extensions: error.extensions ?? {},
      }),
  );
  return { ...result, errors };
}
