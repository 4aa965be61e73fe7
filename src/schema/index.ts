import { printSubgraphSchema } from '@apollo/subgraph';
import { GraphQLObjectType, GraphQLSchema, printSchema } from 'graphql';
import { builder } from './builder.js';
import { guardEntityRepresentations } from './representations.js';
import './enums.js';
import './node.js';
import './user.js';
import './labels.js';
import './usage.js';
import './session.js';
import './transcript.js';
import './fork.js';
import './message-search.js';
import './trajectory.js';
import './facets.js';
import './viewer.js';
import './live.js';

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

/** Federation's own fields and types: the gateway's business, not a client's. */
const FEDERATION_FIELDS = new Set(['_entities', '_service']);
const FEDERATION_TYPES = new Set(['_Any', '_Entity', '_Service']);

/** The schema as a client sees it: the API without federation's `_entities`, `_service` and their types. */
function clientSchema(): GraphQLSchema {
  const config = schema.toConfig();
  const queryConfig = schema.getQueryType()!.toConfig();
  const query = new GraphQLObjectType({
    ...queryConfig,
    fields: Object.fromEntries(Object.entries(queryConfig.fields).filter(([name]) => !FEDERATION_FIELDS.has(name))),
  });
  const types = config.types.filter((type) => !FEDERATION_TYPES.has(type.name) && type.name !== query.name && !type.name.startsWith('__'));
  return new GraphQLSchema({ ...config, query, types: [query, ...types] });
}

/** The SDL committed as schema.graphql: what clients code against (the subgraph SDL is schema.subgraph.graphql). */
export function printSchemaSdl(): string {
  return `${printSchema(clientSchema())}\n`;
}
