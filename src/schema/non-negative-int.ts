import { GraphQLError, GraphQLInt, GraphQLScalarType, type ValueNode } from 'graphql';

function nonNegative(value: number, shown: unknown): number {
  if (value < 0) throw new GraphQLError(`NonNegativeInt cannot represent a negative value: ${String(shown)}`);
  return value;
}

/**
 * GraphQL's Int (32 bits, coerced as the spec says: no strings, no fractions, nothing past
 * 2147483647) that is also 0 or more. graphql-scalars' NonNegativeInt reads `"5"` as 5 and
 * `1e21` as 1 (it parses the number's text), so a count could be stored silently wrong; this
 * one refuses both, like Int.
 */
export const NonNegativeIntScalar = new GraphQLScalarType<number, number>({
  name: 'NonNegativeInt',
  description: 'An Int (32-bit, as GraphQL coerces it) that is 0 or more.',
  specifiedByURL: 'https://spec.graphql.org/October2021/#sec-Int',
  serialize: (value) => nonNegative(GraphQLInt.serialize(value), value),
  parseValue: (value) => nonNegative(GraphQLInt.parseValue(value), value),
  parseLiteral: (node: ValueNode) => nonNegative(GraphQLInt.parseLiteral(node), 'value' in node ? node.value : node.kind),
});
