import {
  getArgumentValues,
  getNamedType,
  getNullableType,
  getOperationAST,
  getVariableValues,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type FragmentDefinitionNode,
  type GraphQLInputType,
  type GraphQLNamedType,
  type SelectionSetNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { AppError, type ValidationItem } from '../../errors.js';
import { operationOf, type Operation, type StoppableOperation } from './operation.js';

/**
 * Every list the API takes as input is bounded in the schema: its argument or input field carries
 * `extensions: { maxItems }` (and says so in its description), and test/schema checks that none
 * is missing. This plugin enforces the bounds on the operation's arguments, coerced as execution
 * will see them (literals and variables alike), before anything is resolved: a longer list is
 * BAD_USER_INPUT with one `errors` item per list, `loc` from the argument down, and HTTP 400.
 * Unbounded lists let one request cost the database without limit (thousands of label keys in a
 * filter), and make every layer below them do unbounded work.
 */
export function listLimitItems({ schema, document, operationName, variables: rawVariables }: Operation): ValidationItem[] {
  const operation = getOperationAST(document, operationName);
  if (!operation) return [];
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables);
  // Variables that do not coerce fail the request before execution anyway.
  if (coerced.errors) return [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const items: ValidationItem[] = [];
  // Arguments do not depend on where a fragment is spread: each fragment is checked once.
  const checkedFragments = new Set<string>();
  const visit = (selectionSet: SelectionSetNode | undefined, parent: GraphQLNamedType | undefined): void => {
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet, selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent);
      } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || checkedFragments.has(fragment.name.value)) continue;
        checkedFragments.add(fragment.name.value);
        visit(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value) ?? undefined);
      } else {
        const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[selection.name.value] : undefined;
        if (!field) continue;
        if (selection.arguments?.length) {
          let values: Record<string, unknown>;
          try {
            values = getArgumentValues(field, selection, coerced.coerced);
          } catch {
            continue; // Execution reports arguments that do not coerce.
          }
          for (const arg of field.args) checkValue(values[arg.name], arg.type, maxItemsOf(arg.extensions), [arg.name], items);
        }
        visit(selection.selectionSet, getNamedType(field.type));
      }
    }
  };
  visit(operation.selectionSet, schema.getRootType(operation.operation) ?? undefined);
  return items;
}

function maxItemsOf(extensions: Readonly<Record<string, unknown>>): number | undefined {
  return typeof extensions.maxItems === 'number' ? extensions.maxItems : undefined;
}

function checkValue(
  value: unknown,
  type: GraphQLInputType,
  maxItems: number | undefined,
  loc: (string | number)[],
  items: ValidationItem[],
): void {
  if (value === null || value === undefined) return;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    if (!Array.isArray(value)) return;
    if (maxItems !== undefined && value.length > maxItems) {
      items.push({ loc, msg: `At most ${maxItems} items, got ${value.length}`, type: 'too_many_items' });
      return;
    }
    value.forEach((item, i) => checkValue(item, nullable.ofType, undefined, [...loc, i], items));
  } else if (isInputObjectType(nullable) && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const field of Object.values(nullable.getFields())) {
      checkValue(record[field.name], field.type, maxItemsOf(field.extensions), [...loc, field.name], items);
    }
  }
}

export function useListLimits(): Plugin {
  // Subscriptions too: their documents pass the same limits before the feed opens.
  const check = ({ args, setResultAndStopExecution }: StoppableOperation) => {
    const items = listLimitItems(operationOf(args));
    if (items.length > 0) {
      setResultAndStopExecution({
        errors: [
          new AppError('BAD_USER_INPUT', 'A list in the arguments is longer than allowed', { errors: items, http: { status: 400 } }),
        ],
      });
    }
  };
  return {
    onExecute: check,
    onSubscribe: check,
  };
}
