import SchemaBuilder from '@pothos/core';
import DirectivesPlugin from '@pothos/plugin-directives';
import FederationPlugin from '@pothos/plugin-federation';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import { DateTimeResolver, JSONObjectResolver, UUIDResolver } from 'graphql-scalars';
import type { Context } from '../context.js';
import type PrismaTypes from '../generated/pothos-prisma-types.js';
import { getDatamodel } from '../generated/pothos-prisma-types.js';
import { NonNegativeIntScalar } from './non-negative-int.js';

/** The one SchemaBuilder. It defines no types: every type lives in its own file. */
export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  Scalars: {
    UUID: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date };
    NonNegativeInt: { Input: number; Output: number };
    JSONObject: { Input: Record<string, unknown>; Output: Record<string, unknown> };
  };
  // Non-null unless a field says otherwise, as in docs/api.md.
  DefaultFieldNullability: false;
}>({
  defaultFieldNullability: false,
  // Federation goes last (it wraps what the others build).
  plugins: [RelayPlugin, PrismaPlugin, DirectivesPlugin, FederationPlugin],
  relay: {
    // Sessions are addressed by their client UUID; no global Node ids.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    nodesOnConnection: true,
    cursorType: 'String',
  },
  prisma: {
    client: (ctx) => ctx.prisma,
    dmmf: getDatamodel(),
    exposeDescriptions: false,
    filterConnectionTotalCount: true,
    onUnusedQuery: null,
  },
});

builder.addScalarType('UUID', UUIDResolver);
builder.addScalarType('DateTime', DateTimeResolver);
builder.addScalarType('NonNegativeInt', NonNegativeIntScalar);
builder.addScalarType('JSONObject', JSONObjectResolver);

builder.queryType({});
builder.mutationType({});
