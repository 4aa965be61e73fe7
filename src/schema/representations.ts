import { isUnionType, type GraphQLSchema } from 'graphql';
import { badUserInput, type ValidationItem } from '../errors.js';
import { isRecord } from './is-record.js';

function representationItems(representations: unknown, entityTypes: ReadonlySet<string>): ValidationItem[] {
  if (!Array.isArray(representations)) return [];
  const expected = [...entityTypes].join(', ');
  const items: ValidationItem[] = [];
  representations.forEach((representation, i) => {
    if (!isRecord(representation)) {
      items.push({ loc: ['representations', i], msg: 'Must be an object with __typename', type: 'representation_invalid' });
    } else if (typeof representation.__typename !== 'string' || !entityTypes.has(representation.__typename)) {
      items.push({ loc: ['representations', i, '__typename'], msg: `Must name an entity type: ${expected}`, type: 'entity_type_invalid' });
    }
  });
  return items;
}

/** Representations a gateway may send in one `_entities` call (it batches per response). */
export const MAX_REPRESENTATIONS = 1000;

/**
 * `_Any` takes any value, and @apollo/subgraph's `_entities` resolver throws a plain Error for a
 * representation that is not an object or whose `__typename` names no entity; the envelope would
 * mask that as INTERNAL_SERVER_ERROR. It is the client's mistake: every representation is checked
 * first, and a bad one is BAD_USER_INPUT with one item each (found by test/fuzz).
 */
export function guardEntityRepresentations(schema: GraphQLSchema): GraphQLSchema {
  const field = schema.getQueryType()?.getFields()._entities;
  const entity = schema.getType('_Entity');
  const resolve = field?.resolve;
  if (!field || !resolve || !isUnionType(entity)) return schema;
  const entityTypes = new Set(entity.getTypes().map((type) => type.name));
  // @apollo/subgraph builds this argument; it gets the bound every list input has (list-bounds.ts).
  const representations = field.args.find((arg) => arg.name === 'representations');
  if (representations) (representations.extensions as Record<string, unknown>).maxItems = MAX_REPRESENTATIONS;
  field.resolve = (source, args, context, info) => {
    const items = representationItems((args as { representations?: unknown }).representations, entityTypes);
    if (items.length > 0) throw badUserInput('Invalid entity representations', items);
    return resolve(source, args, context, info);
  };
  return schema;
}
