import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import {
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { AppError } from './errors.js';

/** Operation limits (README, "Limits"). */
export interface Limits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
  maxCost: number;
}

export const DEFAULT_LIMITS: Limits = { maxDepth: 12, maxAliases: 15, maxTokens: 5000, maxDirectives: 20, maxCost: 50_000 };

// Page sizes a list field uses when the client does not say: sessions 20, transcript 100.
const DEFAULT_PAGE: Record<string, number> = { sessions: 20, transcript: 100 };

/**
 * The estimated cost of an operation: every field costs 1, and a paged field (`first`/`last`)
 * multiplies the cost of what it selects by its page size, so `sessions(first: 100) { nodes {
 * transcript(first: 1000) { … } } }` costs what it would really load. Variables are known, so the
 * real page sizes count.
 */
export function operationCost(document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown>): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation: OperationDefinitionNode | undefined;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    if (definition.kind === Kind.OPERATION_DEFINITION && (!operationName || definition.name?.value === operationName)) {
      operation ??= definition;
    }
  }
  const visiting = new Set<string>();
  const costOf = (selectionSet: SelectionSetNode | undefined): number => {
    let total = 0;
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        total += costOf(selection.selectionSet);
      } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        if (visiting.has(name)) continue;
        visiting.add(name);
        total += costOf(fragments.get(name)?.selectionSet);
        visiting.delete(name);
      } else {
        let pageSize = DEFAULT_PAGE[selection.name.value] ?? 1;
        for (const arg of selection.arguments ?? []) {
          if (arg.name.value !== 'first' && arg.name.value !== 'last') continue;
          const value = valueFromASTUntyped(arg.value, variables);
          if (typeof value === 'number' && Number.isFinite(value)) pageSize = Math.max(1, value);
        }
        total += 1 + pageSize * costOf(selection.selectionSet);
      }
    }
    return total;
  };
  return operation ? costOf(operation.selectionSet) : 0;
}

function useCostLimit(maxCost: number): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const cost = operationCost(args.document, args.operationName, (args.variableValues ?? {}) as Record<string, unknown>);
      if (cost > maxCost) {
        setResultAndStopExecution({
          errors: [
            new AppError('BAD_REQUEST', `Operation cost ${cost} exceeds the limit of ${maxCost}; ask for smaller pages or fewer fields`, {
              http: { status: 400 },
            }),
          ],
        });
      }
    },
  };
}

/** Limits on the shape of operations, enforced before anything is resolved. */
export function useOperationLimits(limits: Limits): Plugin[] {
  return [
    maxTokensPlugin({ n: limits.maxTokens }) as Plugin,
    maxDepthPlugin({ n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true }) as Plugin,
    maxAliasesPlugin({ n: limits.maxAliases }) as Plugin,
    maxDirectivesPlugin({ n: limits.maxDirectives }) as Plugin,
    useCostLimit(limits.maxCost),
  ];
}
