import { requirePrincipal } from '../auth/access.js';
import { publishSessionChange } from '../live/publish.js';
import { forkSession } from '../sessions/fork.js';
import { DEFAULT_FORKS_PAGE, listForks, MAX_FORKS_PAGE, type ForkPage } from '../sessions/forks.js';
import { builder } from './builder.js';
import { SessionRef } from './session.js';
import { inWorkspace, workspaceArgs } from './workspace.js';

interface ForkOrigin {
  sessionId: string | null;
  seq: number;
}

const ForkOriginRef = builder.objectRef<ForkOrigin>('ForkOrigin').implement({
  description: 'Where a fork was copied from. Not an entity: it belongs to the fork (no id).',
  fields: (t) => ({
    session: t.field({
      type: SessionRef,
      nullable: true,
      description: 'The source session; null when it was deleted or when you cannot see it. Batched per request.',
      resolve: (origin, _args, ctx) => (origin.sessionId ? ctx.loaders.visibleSession.load(origin.sessionId) : null),
    }),
    seq: t.exposeInt('seq', { description: 'The seq of the source’s last message copied (0: none).' }),
  }),
});

builder.objectFields(SessionRef, (t) => ({
  forkedFrom: t.field({
    type: ForkOriginRef,
    nullable: true,
    description: 'The session and seq this session was forked from; null when it is not a fork.',
    resolve: (session) => (session.forkedFromSeq === null ? null : { sessionId: session.forkedFromId, seq: session.forkedFromSeq }),
  }),
  forks: t.connection(
    {
      type: SessionRef,
      nullable: true,
      description: `The forks of this session that you can see, oldest first; forward pages only (first, after). Page size ${DEFAULT_FORKS_PAGE} by default, ${MAX_FORKS_PAGE} at most.`,
      extensions: { defaultPageSize: DEFAULT_FORKS_PAGE },
      resolve: (session, args, ctx): Promise<ForkPage> => listForks(ctx.prisma, requirePrincipal(ctx.principal), session.id, args),
    },
    { name: 'ForkConnection', description: 'A page of forks (Relay connection): nodes or edges with cursors, and pageInfo.' },
    { name: 'ForkEdge', description: 'A fork and the cursor of its place in the list.' },
  ),
}));

const ForkSessionInputRef = builder.inputType('ForkSessionInput', {
  description: 'What to copy, and the new session’s id and title.',
  fields: (t) => ({
    atSeq: t.field({
      type: 'NonNegativeInt',
      required: true,
      description: 'Copy the messages with seq up to this one (0: none); at most the last seq.',
    }),
    newId: t.field({ type: 'UUID', required: true, description: 'Made up by the client: the fork’s id.' }),
    title: t.string({ description: 'The fork’s title, at most 1000 characters; the source’s when left out.' }),
  }),
});

builder.mutationField('forkSession', (t) =>
  t.field({
    type: SessionRef,
    nullable: true,
    description:
      'Copies a session you can see, up to a seq, into a new PRIVATE session of yours (labels, usage and lineage included). Repeating the same fork returns it; another existing newId is ALREADY_EXISTS.',
    args: {
      ...workspaceArgs,
      id: t.arg.string({ required: true, description: 'The source: full UUID or unique prefix of at least 8 hex characters.' }),
      input: t.arg({ type: ForkSessionInputRef, required: true, description: 'The fork.' }),
    },
    resolve: inWorkspace(async (access, args, ctx) => {
      const { session, created } = await forkSession(ctx.prisma, access, args.id, args.input);
      if (created) publishSessionChange(ctx.live.hub, 'CREATED', session);
      return session;
    }),
  }),
);
