import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import {
  getNamedType,
  getOperationAST,
  getVariableValues,
  isInterfaceType,
  isObjectType,
  Kind,
  Lexer,
  Source,
  TokenKind,
  valueFromAST,
  type DocumentNode,
  type FieldNode,
  type ParseOptions,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type SelectionSetNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Limits } from '../../config.js';
import { AppError } from '../../errors.js';
import { operationOf, type Operation, type StoppableOperation } from './operation.js';

/**
 * The estimated cost of an operation: every field costs 1, and a paged field multiplies the cost
 * of what it selects by its page size, so `sessions(first: 100) { nodes { transcript(first: 1000)
 * { … } } }` costs what it would really load. The page size is the field's `first` or `last`
 * argument as execution will see it (variables coerced, their defaults filled in), else the
 * argument's default in the schema, else the field's `defaultPageSize` extension.
 *
 * Each fragment is costed once and remembered, so the time taken is linear in the size of the
 * document however often fragments are spread (a document of nested double spreads would
 * otherwise take time exponential in its depth).
 */
export function operationCost({ schema, document, operationName, variables: rawVariables }: Operation): number {
  const operation = getOperationAST(document, operationName);
  if (!operation) return 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables);
  // Variables that do not coerce fail the request before execution; nothing to cost.
  if (coerced.errors) return 0;
  const variables = coerced.coerced;

  const fragmentCosts = new Map<string, number>();
  const costOf = (selectionSet: SelectionSetNode | undefined, parent: GraphQLNamedType | undefined): number => {
    let total = 0;
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        total += costOf(selection.selectionSet, type ?? undefined);
      } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        total += fragmentCost(selection.name.value);
      } else {
        const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[selection.name.value] : undefined;
        const childType = field ? getNamedType(field.type) : undefined;
        total += 1 + ownCost(field) + pageSize(field, selection, variables) * costOf(selection.selectionSet, childType);
      }
    }
    return total;
  };
  const fragmentCost = (name: string): number => {
    const known = fragmentCosts.get(name);
    if (known !== undefined) return known;
    // Validation refuses fragment cycles before this runs; the zero guards against one all the same.
    fragmentCosts.set(name, 0);
    const fragment = fragments.get(name);
    const cost = fragment ? costOf(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value) ?? undefined) : 0;
    fragmentCosts.set(name, cost);
    return cost;
  };
  return costOf(operation.selectionSet, schema.getRootType(operation.operation) ?? undefined);
}

const PAGE_ARGUMENTS = ['first', 'last'] as const;

/** A field that does a page's worth of work without a selection (Session.trajectory) says so in its `cost` extension. */
function ownCost(field: GraphQLField<unknown, unknown> | undefined): number {
  const cost = field?.extensions.cost;
  return typeof cost === 'number' && Number.isFinite(cost) ? cost : 0;
}

function pageSize(field: GraphQLField<unknown, unknown> | undefined, node: FieldNode, variables: Record<string, unknown>): number {
  if (!field) return 1;
  let size: number | undefined;
  for (const name of PAGE_ARGUMENTS) {
    const definition = field.args.find((arg) => arg.name === name);
    if (!definition) continue;
    const argument = node.arguments?.find((arg) => arg.name.value === name);
    // An argument whose variable was not sent is left out at execution: the default applies.
    const sent = argument ? valueFromAST(argument.value, definition.type, variables) : undefined;
    const value = sent === undefined ? definition.defaultValue : sent;
    if (typeof value === 'number' && Number.isFinite(value)) size = Math.max(size ?? 1, value);
  }
  const fallback = field.extensions.defaultPageSize;
  return Math.max(1, size ?? (typeof fallback === 'number' ? fallback : 1));
}

function useCostLimit(maxCost: number): Plugin {
  // Subscriptions too: their documents pass the same limits before the feed opens.
  const check = ({ args, setResultAndStopExecution }: StoppableOperation) => {
    const cost = operationCost(operationOf(args));
    if (cost > maxCost) {
      setResultAndStopExecution({
        errors: [
          new AppError('BAD_REQUEST', `Operation cost ${cost} exceeds the limit of ${maxCost}; ask for smaller pages or fewer fields`, {
            http: { status: 400 },
          }),
        ],
      });
    }
  };
  return {
    onExecute: check,
    onSubscribe: check,
  };
}

const OPENING = new Set<TokenKind>([TokenKind.BRACE_L, TokenKind.BRACKET_L, TokenKind.PAREN_L]);
const CLOSING = new Set<TokenKind>([TokenKind.BRACE_R, TokenKind.BRACKET_R, TokenKind.PAREN_R]);

/**
 * The deepest nesting of braces, brackets and parentheses in a document, read with graphql-js's
 * own lexer (which loops) before its parser (which recurses, and overflows the stack at about
 * 1,500 levels: a 500 for 10 KB of `{ a: `). Stops at `maxTokens` tokens, where the token limit
 * takes over, and at a syntax error, which the parser reports.
 */
export function nestingDepth(text: string, maxTokens: number): number {
  const lexer = new Lexer(new Source(text));
  let depth = 0;
  let deepest = 0;
  try {
    for (let tokens = 0; tokens <= maxTokens; tokens += 1) {
      const token = lexer.advance();
      if (token.kind === TokenKind.EOF) break;
      if (OPENING.has(token.kind)) deepest = Math.max(deepest, (depth += 1));
      else if (CLOSING.has(token.kind)) depth -= 1;
    }
  } catch {
    // A syntax error: left to the parser.
  }
  return deepest;
}

/**
 * Nesting deeper than any valid operation needs (selections stop at maxDepth, values at the input
 * guard's depth) is refused before the document is parsed.
 */
function useNestingLimit(maxNesting: number, maxTokens: number): Plugin {
  return {
    onParse({ parseFn, setParseFn }) {
      setParseFn((source: string | Source, options?: ParseOptions) => {
        const text = typeof source === 'string' ? source : source.body;
        if (nestingDepth(text, maxTokens) > maxNesting) {
          throw new AppError('BAD_REQUEST', `Syntax Error: Nesting limit of ${maxNesting} exceeded.`, { http: { status: 400 } });
        }
        return parseFn(source, options) as DocumentNode;
      });
    },
  };
}

/** Limits on the shape of operations, enforced before anything is resolved. */
export function useOperationLimits(limits: Limits): Plugin[] {
  return [
    maxTokensPlugin({ n: limits.maxTokens }),
    // After the token limit's parser, which it wraps.
    useNestingLimit(limits.maxNesting, limits.maxTokens),
    maxDepthPlugin({ n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true }),
    maxAliasesPlugin({ n: limits.maxAliases }),
    maxDirectivesPlugin({ n: limits.maxDirectives }),
    useCostLimit(limits.maxCost),
  ];
}
