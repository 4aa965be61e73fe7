import { printSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import './enums.js';
import './creator.js';
import './labels.js';
import './usage.js';
import './session.js';
import './transcript.js';
import './facets.js';
import './viewer.js';

export const schema: GraphQLSchema = builder.toSchema({ sortSchema: false });

/** The SDL committed as schema.graphql, in definition order (arguments as in API.md). */
export function printSchemaSdl(): string {
  return `${printSchema(schema)}\n`;
}
