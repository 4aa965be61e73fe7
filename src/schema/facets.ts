import { inWorkspace, workspaceArgs } from './workspace.js';
import { sessionFacets, type FacetValue, type SessionFacets } from '../sessions/facets.js';
import { builder } from './builder.js';
import { SessionFilterRef } from './session.js';

const FacetValueRef = builder.objectRef<FacetValue>('FacetValue').implement({
  description: 'One value and the number of matching sessions that have it.',
  fields: (t) => ({
    value: t.exposeString('value'),
    count: t.exposeInt('count'),
  }),
});

const LabelFacetRef = builder.objectRef<SessionFacets['labels'][number]>('LabelFacet').implement({
  fields: (t) => ({
    key: t.exposeString('key'),
    values: t.field({ type: [FacetValueRef], resolve: (facet) => facet.values }),
  }),
});

const SessionFacetsRef = builder.objectRef<SessionFacets>('SessionFacets').implement({
  description:
    'Counts per dimension over the sessions you can see under the filter. Each list: count descending, then value ascending. Label keys with no matching session are left out (SES-LBL-061).',
  fields: (t) => ({
    labels: t.field({ type: [LabelFacetRef], resolve: (facets) => facets.labels }),
    agents: t.field({ type: [FacetValueRef], resolve: (facets) => facets.agents }),
    models: t.field({ type: [FacetValueRef], resolve: (facets) => facets.models }),
    origins: t.field({ type: [FacetValueRef], resolve: (facets) => facets.origins }),
    users: t.field({ type: [FacetValueRef], description: 'Owner user ids.', resolve: (facets) => facets.users }),
  }),
});

builder.queryField('sessionFacets', (t) =>
  t.field({
    type: SessionFacetsRef,
    description: 'Fills every filter drop-down in one request, under the same filter as sessions.',
    args: {
      ...workspaceArgs,
      filter: t.arg({ type: SessionFilterRef }),
    },
    resolve: inWorkspace((access, args, ctx) => sessionFacets(ctx.prisma, access, args.filter)),
  }),
);
