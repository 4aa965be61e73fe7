import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import './enums.js';
import './creator.js';
import './labels.js';
import './usage.js';
import './session.js';
import './viewer.js';

export const schema: GraphQLSchema = builder.toSchema();

/** The SDL committed as schema.graphql (sorted, so the file diffs cleanly). */
export function printSchemaSdl(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
