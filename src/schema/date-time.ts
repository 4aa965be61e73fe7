import { GraphQLScalarType } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';

/**
 * graphql-scalars' DateTime, serialised to its RFC 3339 text at execution. graphql-scalars returns
 * the Date itself and leaves the text to Date's toJSON; JSON.stringify then leaves its fast path
 * at every Date, which made a 50-session page 1.6 times slower to write (docs/performance.md). The
 * text is the same either way (toJSON is toISOString), and so is everything else of the scalar.
 */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  ...DateTimeResolver.toConfig(),
  serialize: (value) => DateTimeResolver.serialize(value).toISOString(),
});
