import { inWorkspace, workspaceArgs } from './workspace.js';
import { sessionFacets, type FacetValue, type SessionFacets } from '../sessions/facets.js';
import { builder } from './builder.js';
import { SessionFilterRef } from './session.js';

const FacetValueRef = builder.objectRef<FacetValue>('FacetValue').implement({
  description: 'One value and the number of matching sessions that have it.',
  fields: (t) => ({
    value: t.exposeString('value', { description: 'The value (a user id for `users`).' }),
    count: t.exposeInt('count', { description: 'Matching sessions that have it.' }),
  }),
});

const LabelFacetRef = builder.objectRef<SessionFacets['labels'][number]>('LabelFacet').implement({
  description: 'The values of one label key among the matching sessions (SES-LBL-060).',
  fields: (t) => ({
    key: t.exposeString('key', { description: 'The label key.' }),
    values: t.field({ type: [FacetValueRef], description: 'Its values with their counts.', resolve: (facet) => facet.values }),
  }),
});

const SessionFacetsRef = builder.objectRef<SessionFacets>('SessionFacets').implement({
  description:
    'Counts per dimension over the sessions you can see under the filter. Each list: count descending, then value ascending. Label keys with no matching session are left out (SES-LBL-061).',
  fields: (t) => ({
    labels: t.field({ type: [LabelFacetRef], description: 'Per label key, by key.', resolve: (facets) => facets.labels }),
    agents: t.field({ type: [FacetValueRef], description: 'Agent names.', resolve: (facets) => facets.agents }),
    models: t.field({ type: [FacetValueRef], description: 'Model names.', resolve: (facets) => facets.models }),
    origins: t.field({ type: [FacetValueRef], description: 'Origins (SES-LST-009 applies).', resolve: (facets) => facets.origins }),
    users: t.field({ type: [FacetValueRef], description: 'Owner user ids.', resolve: (facets) => facets.users }),
  }),
});

builder.queryField('sessionFacets', (t) =>
  t.field({
    type: SessionFacetsRef,
    nullable: true,
    description: 'Fills every filter drop-down in one request, under the same filter as sessions.',
    args: {
      ...workspaceArgs,
      filter: t.arg({ type: SessionFilterRef, description: 'The same filter as sessions takes.' }),
    },
    resolve: inWorkspace((access, args, ctx) =>
      ctx.facetsCache.get(access, args.filter, () => sessionFacets(ctx.prisma, access, args.filter)),
    ),
  }),
);
