import { GraphQLError, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { AppError, envelope, type ValidationItem } from './errors.js';

/**
 * Strings the database cannot store as sent are refused at the edge, for every operation:
 * - the NUL character: PostgreSQL text cannot hold it, so it would fail deep in the database as an
 *   unexpected error;
 * - an unpaired UTF-16 surrogate (\uD800-\uDFFF alone; JSON can carry one as an escape): it is
 *   not Unicode, has no UTF-8 form, and drivers either fail on it (PGlite: "invalid byte sequence",
 *   jsonb: "Unicode low surrogate must follow a high surrogate") or silently store U+FFFD instead
 *   (found by test/fuzz).
 * Literals in the document are checked while it is validated, variables before execution. Either
 * is BAD_USER_INPUT, and (like a variable that fails coercion) the request fails with HTTP 400.
 */
const NUL = '\u0000';
const MESSAGE = 'Strings must not contain the NUL character (\\u0000)';
const UNPAIRED_SURROGATE = /\p{Surrogate}/u;
const SURROGATE_MESSAGE = 'Strings must be valid Unicode: an unpaired surrogate (\\uD800-\\uDFFF) is not';

function check(text: string, loc: (string | number)[], items: ValidationItem[]): void {
  if (text.includes(NUL)) items.push({ loc, msg: MESSAGE, type: 'nul_character' });
  if (UNPAIRED_SURROGATE.test(text)) items.push({ loc, msg: SURROGATE_MESSAGE, type: 'unpaired_surrogate' });
}

function collect(value: unknown, loc: (string | number)[], items: ValidationItem[]): void {
  if (typeof value === 'string') {
    check(value, loc, items);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => collect(item, [...loc, i], items));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      check(key, [...loc, key], items);
      collect(item, [...loc, key], items);
    }
  }
}

/** Items for every string in `value` that contains NUL or an unpaired surrogate, located under `loc`. */
export function nulCharacterItems(value: unknown, loc: (string | number)[] = []): ValidationItem[] {
  const items: ValidationItem[] = [];
  collect(value, loc, items);
  return items;
}

// graphql-js's lexer already refuses unpaired surrogates in literals; checked here all the same.
const NoNulInStringLiterals: ValidationRule = (context) => ({
  StringValue(node) {
    const items: ValidationItem[] = [];
    check(node.value, ['query'], items);
    for (const item of items) {
      context.reportError(
        new GraphQLError(item.msg, { nodes: node, extensions: { ...envelope('BAD_USER_INPUT', [item]), http: { status: 400 } } }),
      );
    }
  },
});

export function useNulCharacterGuard(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(NoNulInStringLiterals);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const items = nulCharacterItems(args.variableValues ?? {});
      if (items.length > 0) {
        const message = items[0]!.type === 'nul_character' ? MESSAGE : SURROGATE_MESSAGE;
        setResultAndStopExecution({
          errors: [new AppError('BAD_USER_INPUT', message, { errors: items, http: { status: 400 } })],
        });
      }
    },
  };
}
