import {
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  type FieldNode,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';

/** Whether @skip or @include leave a selection out, with the request's variables. */
function isLeftOut(node: FieldNode | SelectionSetNode['selections'][number], info: GraphQLResolveInfo): boolean {
  const skip = getDirectiveValues(GraphQLSkipDirective, node, info.variableValues);
  if (skip?.if === true) return true;
  const include = getDirectiveValues(GraphQLIncludeDirective, node, info.variableValues);
  return include?.if === false;
}

/** The fields a selection set asks for, through fragment spreads and inline fragments (each fragment once). */
function fieldsOf(selectionSet: SelectionSetNode | undefined, info: GraphQLResolveInfo, seen = new Set<string>()): FieldNode[] {
  const fields: FieldNode[] = [];
  for (const selection of selectionSet?.selections ?? []) {
    if (isLeftOut(selection, info)) continue;
    if (selection.kind === Kind.FIELD) fields.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) fields.push(...fieldsOf(selection.selectionSet, info, seen));
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      fields.push(...fieldsOf(info.fragments[selection.name.value]?.selectionSet, info, seen));
    }
  }
  return fields;
}

/** The fields selected at `path` below the field being resolved, e.g. ['nodes'] or ['edges', 'node']. */
function fieldsAt(info: GraphQLResolveInfo, path: readonly string[]): FieldNode[] {
  let level: FieldNode[] = [...info.fieldNodes];
  for (const name of path) {
    level = level.flatMap((field) => fieldsOf(field.selectionSet, info)).filter((field) => field.name.value === name);
  }
  return level.flatMap((field) => fieldsOf(field.selectionSet, info));
}

/**
 * Whether a connection field's nodes (`nodes { … }` or `edges { node { … } }`, under any alias)
 * select one of `names`: the list resolver then reads what those fields need with the page. A
 * type condition is not checked (a connection's nodes are of one type), so the answer may be yes
 * where a fragment on another type would never apply: one statement early, never one missing.
 */
export function nodesSelectAny(info: GraphQLResolveInfo, names: readonly string[]): boolean {
  const nodeFields = [...fieldsAt(info, ['nodes']), ...fieldsAt(info, ['edges', 'node'])];
  return nodeFields.some((field) => names.includes(field.name.value));
}
