import { printSubgraphSchema } from '@apollo/subgraph';
import { printSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import { guardEntityRepresentations } from './representations.js';
import './enums.js';
import './creator.js';
import './labels.js';
import './usage.js';
import './session.js';
import './transcript.js';
import './facets.js';
import './viewer.js';

/** The executable schema: the API and, as an Apollo Federation v2 subgraph, `_service` and `_entities`. */
export const schema: GraphQLSchema = guardEntityRepresentations(
  builder.toSubGraphSchema({
    linkUrl: 'https://specs.apollo.dev/federation/v2.6',
    federationDirectives: ['@key'],
    sortSchema: false,
  }),
);

/** The subgraph SDL with its federation directives (what `_service { sdl }` returns). */
export function printSubgraphSdl(): string {
  return printSubgraphSchema(schema);
}

/** The SDL committed as schema.graphql, in definition order (arguments as in docs/api.md). */
export function printSchemaSdl(): string {
  return `${printSchema(schema)}\n`;
}
