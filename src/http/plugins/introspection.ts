import {
  BREAK,
  getOperationAST,
  GraphQLError,
  Kind,
  NoSchemaIntrospectionCustomRule,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type ASTNode,
  type FieldNode,
  type FragmentDefinitionNode,
} from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Context } from '../../context.js';
import { AppError } from '../../errors.js';
import { isRecord } from '../../schema/is-record.js';
import { errorsOf, operationOf, type Operation } from './operation.js';

/**
 * The `_service` field (federation: the whole subgraph SDL) if the operation that will run selects
 * it, under any alias, inline fragment or fragment spread. Linear in the document: the operation
 * and each fragment it reaches are walked once.
 */
export function selectedServiceField({ schema, document, operationName }: Operation): FieldNode | undefined {
  const operation = getOperationAST(document, operationName);
  const queryType = schema.getQueryType();
  // No operation to run (none or several without a name): execution reports that, runs nothing.
  if (!operation || !queryType) return undefined;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const typeInfo = new TypeInfo(schema);
  const pending: ASTNode[] = [operation];
  const reached = new Set<string>();
  let found: FieldNode | undefined;
  const visitor = visitWithTypeInfo(typeInfo, {
    Field(node) {
      // By its parent type, not its name alone: only Query._service serves the SDL.
      if (node.name.value !== '_service' || typeInfo.getParentType() !== queryType) return undefined;
      found = node;
      return BREAK;
    },
    FragmentSpread(node) {
      const fragment = fragments.get(node.name.value);
      if (fragment && !reached.has(fragment.name.value)) {
        reached.add(fragment.name.value);
        pending.push(fragment);
      }
    },
  });
  for (let next = pending.pop(); next && !found; next = pending.pop()) visit(next, visitor);
  return found;
}

/**
 * With introspection off, `_service { sdl }` would still hand out the schema: only the gateway
 * needs it, so only SERVICE tokens get it. Checked before execution, so the request fails whole.
 */
function useServiceSdlForServiceTokens(): Plugin<Context> {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      if (!selectedServiceField(operationOf(args))) return;
      const { principal } = args.contextValue;
      if (principal?.tokenKind === 'SERVICE') return;
      const error = principal
        ? new AppError('FORBIDDEN', `Introspection is off: _service needs a SERVICE token, not a ${principal.tokenKind} token`, {
            http: { status: 403 },
          })
        : new AppError('UNAUTHENTICATED', 'Introspection is off: _service needs a SERVICE token', { http: { status: 401 } });
      setResultAndStopExecution({ errors: [error] });
    },
  };
}

// graphql-js appends " Did you mean "a", "b", or "c"?" (fields, arguments, types, input fields) or
// " Did you mean the enum value "A"?" to its messages. Names cannot contain "?".
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

function withoutSuggestions(error: GraphQLError): GraphQLError {
  if (!error.message.includes('Did you mean')) return error;
  // The envelope's validation items repeat the reason (errors.ts, variables that do not coerce).
  const items = error.extensions.errors;
  const extensions = Array.isArray(items)
    ? {
        ...error.extensions,
        errors: items.map((item: unknown) =>
          isRecord(item) && typeof item.msg === 'string' ? { ...item, msg: item.msg.replace(SUGGESTION, '') } : item,
        ),
      }
    : error.extensions;
  return new GraphQLError(error.message.replace(SUGGESTION, ''), {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions,
  });
}

/**
 * "Did you mean …" names what the schema has: with introspection off it would be read out a guess
 * at a time. Validation errors, and variables that fail coercion (raised at execution), lose it.
 * graphql-armor's block-field-suggestions plugin covers validation only, and misses "Did you
 * mean the enum value".
 */
function useNoSuggestions(): Plugin<Context> {
  return {
    onValidate() {
      return ({ valid, result, setResult }) => {
        if (!valid)
          setResult(errorsOf({ errors: result }).map((error) => (error instanceof GraphQLError ? withoutSuggestions(error) : error)));
      };
    },
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          if (isAsyncIterable(result) || !result.errors?.length) return;
          setResult({ ...result, errors: result.errors.map(withoutSuggestions) });
        },
      };
    },
  };
}

/**
 * INTROSPECTION=false: no introspection queries (BAD_REQUEST), `_service` for SERVICE tokens only,
 * no suggestions in error messages. Registered after the error envelope, whose errors it rewrites.
 */
export function useIntrospectionOff(): Plugin<Context>[] {
  return [
    {
      onValidate({ addValidationRule }) {
        addValidationRule(NoSchemaIntrospectionCustomRule);
      },
    },
    useServiceSdlForServiceTokens(),
    useNoSuggestions(),
  ];
}
