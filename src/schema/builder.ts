import SchemaBuilder from '@pothos/core';
import DirectivesPlugin from '@pothos/plugin-directives';
import FederationPlugin from '@pothos/plugin-federation';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import { JSONObjectResolver, UUIDResolver } from 'graphql-scalars';
import type { Context } from '../context.js';
import type PrismaTypes from '../generated/pothos-prisma-types.js';
import { getDatamodel } from '../generated/pothos-prisma-types.js';
import { DateTimeScalar } from './date-time.js';
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
    // Node ids are the UUIDs themselves (schema/node.ts), so the plugin's global ids are not used.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    nodesOnConnection: { description: 'The page’s sessions, as edges[].node without the cursors.' },
    cursorType: 'String',
    pageInfoTypeOptions: { description: 'Where a page sits in its list (Relay’s PageInfo).' },
    hasNextPageFieldOptions: { description: 'Whether sessions follow this page (known when paging forward).' },
    hasPreviousPageFieldOptions: { description: 'Whether sessions precede this page (known when paging backward).' },
    startCursorFieldOptions: { description: 'The cursor of the page’s first session; null when the page is empty.' },
    endCursorFieldOptions: { description: 'The cursor of the page’s last session; null when the page is empty.' },
    edgesFieldOptions: { description: 'The page’s sessions with their cursors.' },
    pageInfoFieldOptions: { description: 'Where this page sits in the list.' },
    cursorFieldOptions: { description: 'An opaque position in the list: pass it as after or before.' },
    nodeFieldOptions: { description: 'The session.' },
    firstArgOptions: { description: 'Page size, paging forward (0 to 100).' },
    afterArgOptions: { description: 'A cursor: the page starts after it.' },
    lastArgOptions: { description: 'Page size, paging backward (0 to 100).' },
    beforeArgOptions: { description: 'A cursor: the page ends before it.' },
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
builder.addScalarType('DateTime', DateTimeScalar);
builder.addScalarType('NonNegativeInt', NonNegativeIntScalar);
builder.addScalarType('JSONObject', JSONObjectResolver);

builder.queryType({ description: 'Sessions, their transcripts and facets, the caller, and any object by id.' });
builder.mutationType({ description: 'Changes to sessions and their transcripts.' });
