import {
  DEFAULT_MESSAGE_SEARCH_PAGE,
  MAX_MESSAGE_SEARCH_PAGE,
  searchMessages,
  type MessageHit,
  type MessageHitPage,
} from '../sessions/message-search.js';
import { builder } from './builder.js';
import { SessionRef } from './session.js';
import { MessageRef } from './transcript.js';
import { inWorkspace, workspaceArgs } from './workspace.js';

const MessageHitRef = builder.objectRef<MessageHit>('MessageSearchHit').implement({
  description: 'A message that matches a search, with its session. Not an entity (no id): the message and the session are.',
  fields: (t) => ({
    message: t.field({ type: MessageRef, description: 'The matching message.', resolve: (hit) => hit.message }),
    session: t.field({
      type: SessionRef,
      nullable: true,
      description:
        'The session it belongs to (one you can see). Null (with an error) only when it could not be loaded. Batched per request.',
      resolve: (hit, _args, ctx) => ctx.loaders.visibleSession.load(hit.sessionId),
    }),
    snippet: t.exposeString('snippet', {
      description:
        'Up to two fragments of the content around the matched words, which are wrapped in <mark>…</mark>; fragments are joined by " … ". The content is not HTML-escaped.',
    }),
    rank: t.exposeFloat('rank', { description: 'PostgreSQL’s ts_rank of the message for the query: higher is better.' }),
  }),
});

builder.queryField('searchMessages', (t) =>
  t.connection(
    {
      type: MessageHitRef,
      nullable: true,
      description: `Messages of the sessions you can see whose content matches the query, best first (rank, then session and seq). Forward pages only; page size ${DEFAULT_MESSAGE_SEARCH_PAGE} by default, ${MAX_MESSAGE_SEARCH_PAGE} at most.`,
      extensions: { defaultPageSize: DEFAULT_MESSAGE_SEARCH_PAGE },
      args: {
        ...workspaceArgs,
        query: t.arg.string({
          required: true,
          description:
            'Words, "quoted phrases", or, -exclusion, as in SessionFilter.search; at least one word of 3 or more characters in each alternative; at most 256 characters and 32 terms.',
        }),
      },
      resolve: inWorkspace((access, args, ctx): Promise<MessageHitPage> => searchMessages(ctx.prisma, access, args.query, args)),
    },
    {
      name: 'MessageSearchConnection',
      description: 'A page of matching messages (Relay connection).',
      fields: (tc) => ({
        rankedCount: tc.exposeInt('rankedCount', {
          description: 'How many matching messages were ranked: all of them, or 1000 when more match (the list ends there).',
        }),
      }),
    },
    { name: 'MessageSearchEdge', description: 'A matching message and the cursor of its place in the results.' },
  ),
);
