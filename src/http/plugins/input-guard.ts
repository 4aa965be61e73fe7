import type { StoppableOperation } from './operation.js';
import { GraphQLError, type ASTNode, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { AppError, envelope, type ValidationItem } from '../../errors.js';

/**
 * Values the database cannot store as sent, or that would take unbounded work to handle, are
 * refused at the edge, for every operation:
 * - the NUL character: PostgreSQL text cannot hold it, so it would fail deep in the database as an
 *   unexpected error;
 * - an unpaired UTF-16 surrogate (\uD800-\uDFFF alone; JSON can carry one as an escape): it is
 *   not Unicode, has no UTF-8 form, and drivers either fail on it (PGlite: "invalid byte sequence",
 *   jsonb: "Unicode low surrogate must follow a high surrogate") or silently store U+FFFD instead
 *   (found by test/fuzz);
 * - JSON nested deeper than MAX_INPUT_DEPTH (variables, metadata): 20,000 levels fit in 40 KB, and
 *   every recursive step after this one (serialising, storing as jsonb) would overflow the stack.
 * Literals in the document are checked while it is validated, variables before execution. Either
 * is BAD_USER_INPUT, and (like a variable that fails coercion) the request fails with HTTP 400.
 * The walk is iterative, and at most MAX_ITEMS problems are reported.
 */
const NUL = '\u0000';
const MESSAGE = 'Strings must not contain the NUL character (\\u0000)';
const UNPAIRED_SURROGATE = /\p{Surrogate}/u;
const SURROGATE_MESSAGE = 'Strings must be valid Unicode: an unpaired surrogate (\\uD800-\\uDFFF) is not';
export const MAX_INPUT_DEPTH = 64;
const DEPTH_MESSAGE = `Values must not be nested deeper than ${MAX_INPUT_DEPTH} levels`;
const MAX_ITEMS = 20;

function check(text: string, loc: (string | number)[], items: ValidationItem[]): void {
  if (text.includes(NUL)) items.push({ loc, msg: MESSAGE, type: 'nul_character' });
  if (UNPAIRED_SURROGATE.test(text)) items.push({ loc, msg: SURROGATE_MESSAGE, type: 'unpaired_surrogate' });
}

/** Items for every string in `value` that the database cannot store, and for nesting too deep, located under `loc`. */
export function unstorableItems(value: unknown, loc: (string | number)[] = []): ValidationItem[] {
  const items: ValidationItem[] = [];
  const stack: { value: unknown; loc: (string | number)[] }[] = [{ value, loc }];
  while (stack.length > 0 && items.length < MAX_ITEMS) {
    const next = stack.pop()!;
    if (typeof next.value === 'string') {
      check(next.value, next.loc, items);
    } else if (next.value !== null && typeof next.value === 'object') {
      if (next.loc.length - loc.length >= MAX_INPUT_DEPTH) {
        items.push({ loc: next.loc, msg: DEPTH_MESSAGE, type: 'too_deep' });
        continue;
      }
      const entries: [string | number, unknown][] = Array.isArray(next.value) ? [...next.value.entries()] : Object.entries(next.value);
      // Pushed last to first, so problems are reported in document order.
      for (const [key, item] of entries.reverse()) {
        if (typeof key === 'string') check(key, [...next.loc, key], items);
        stack.push({ value: item, loc: [...next.loc, key] });
      }
    }
  }
  return items.slice(0, MAX_ITEMS);
}

// graphql-js's lexer already refuses unpaired surrogates in literals; checked here all the same.
const StorableLiterals: ValidationRule = (context) => {
  let depth = 0;
  const report = (item: ValidationItem, node: ASTNode) =>
    context.reportError(
      new GraphQLError(item.msg, { nodes: node, extensions: { ...envelope('BAD_USER_INPUT', [item]), http: { status: 400 } } }),
    );
  const nested = {
    enter(node: ASTNode) {
      depth += 1;
      if (depth === MAX_INPUT_DEPTH + 1) report({ loc: ['query'], msg: DEPTH_MESSAGE, type: 'too_deep' }, node);
    },
    leave() {
      depth -= 1;
    },
  };
  return {
    StringValue(node) {
      const items: ValidationItem[] = [];
      check(node.value, ['query'], items);
      for (const item of items) report(item, node);
    },
    ObjectValue: nested,
    ListValue: nested,
  };
};

export function useInputGuard(): Plugin {
  // Subscriptions too: their documents pass the same limits before the feed opens.
  const check = ({ args, setResultAndStopExecution }: StoppableOperation) => {
    const items = unstorableItems(args.variableValues ?? {});
    if (items.length > 0) {
      const message = { nul_character: MESSAGE, unpaired_surrogate: SURROGATE_MESSAGE }[items[0]!.type] ?? DEPTH_MESSAGE;
      setResultAndStopExecution({
        errors: [new AppError('BAD_USER_INPUT', message, { errors: items, http: { status: 400 } })],
      });
    }
  };
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(StorableLiterals);
    },
    onExecute: check,
    onSubscribe: check,
  };
}
