import { GraphQLError, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { AppError, envelope, type ValidationItem } from './errors.js';

/**
 * PostgreSQL text cannot hold the NUL character, so a string containing one would fail deep in
 * the database as an unexpected error. Strings are checked once, at the edge, for every operation:
 * literals in the document while it is validated, variables before execution. Either is
 * BAD_USER_INPUT, and (like a variable that fails coercion) the request fails with HTTP 400.
 */
const NUL = '\u0000';
const MESSAGE = 'Strings must not contain the NUL character (\\u0000)';

function collect(value: unknown, loc: (string | number)[], items: ValidationItem[]): void {
  if (typeof value === 'string') {
    if (value.includes(NUL)) items.push({ loc, msg: MESSAGE, type: 'nul_character' });
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => collect(item, [...loc, i], items));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes(NUL)) items.push({ loc: [...loc, key], msg: MESSAGE, type: 'nul_character' });
      collect(item, [...loc, key], items);
    }
  }
}

/** Items for every string in `value` that contains NUL, located under `loc`. */
export function nulCharacterItems(value: unknown, loc: (string | number)[] = []): ValidationItem[] {
  const items: ValidationItem[] = [];
  collect(value, loc, items);
  return items;
}

const NoNulInStringLiterals: ValidationRule = (context) => ({
  StringValue(node) {
    if (!node.value.includes(NUL)) return;
    context.reportError(
      new GraphQLError(MESSAGE, {
        nodes: node,
        extensions: { ...envelope('BAD_USER_INPUT', [{ loc: ['query'], msg: MESSAGE, type: 'nul_character' }]), http: { status: 400 } },
      }),
    );
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
        setResultAndStopExecution({
          errors: [new AppError('BAD_USER_INPUT', MESSAGE, { errors: items, http: { status: 400 } })],
        });
      }
    },
  };
}
