import type { Context } from '../context.js';
import type { SessionEvent } from '../live/events.js';
import type { FeedItem } from '../live/feed.js';
import { sessionEventsFeed } from '../live/session-events-feed.js';
import { transcriptFeed } from '../live/transcript-feed.js';
import { createLoaders } from '../sessions/loaders.js';
import type { StoredMessage } from '../sessions/transcript-read.js';
import { findVisibleSession } from '../sessions/visible-session.js';
import { builder } from './builder.js';
import { SessionFilterRef, SessionRef } from './session.js';
import { MessageRef } from './transcript.js';
import { inWorkspace, workspaceArgs } from './workspace.js';

builder.subscriptionType({
  description: 'Live feeds over SSE (/graphql, or graphql-sse at /graphql/stream) and graphql-ws (WebSocket on /graphql).',
});

export const SessionEventKindEnum = builder.enumType('SessionEventKind', {
  description: 'What happened to a session.',
  values: {
    CREATED: { description: 'saveSession created it.' },
    UPDATED: { description: 'Its fields changed (updateSession, or a saveSession retry).' },
    LABELS_CHANGED: { description: 'updateSession replaced its labels (and maybe other fields).' },
    ARCHIVED: { description: 'archiveSession.' },
    UNARCHIVED: { description: 'unarchiveSession.' },
    FROZEN: { description: 'freezeSession.' },
    DELETED: { description: 'deleteSession: session is null, sessionId says which.' },
    TRANSCRIPT_APPENDED: { description: 'appendTranscript stored messages: lastSeq and messageCount say how far it goes.' },
    TRANSCRIPT_COMPACTED: {
      description: 'compactTranscript stored its summary (lastSeq) and moved the compaction mark (session.compactedUpToSeq).',
    },
  } as const,
});

const SessionEventRef = builder.objectRef<SessionEvent>('SessionEvent').implement({
  description: 'A committed change to a session you can see, with what a cache needs to update without a refetch.',
  fields: (t) => ({
    kind: t.field({ type: SessionEventKindEnum, description: 'What happened.', resolve: (event) => event.kind }),
    sessionId: t.id({ description: 'The session’s id.', resolve: (event) => event.session.id }),
    session: t.field({
      type: SessionRef,
      nullable: true,
      description: 'The session as the change left it; null when DELETED.',
      resolve: (event) => (event.kind === 'DELETED' ? null : event.session),
    }),
    lastSeq: t.int({
      nullable: true,
      description: 'TRANSCRIPT_APPENDED and TRANSCRIPT_COMPACTED: the seq of the last message stored; null for other kinds.',
      resolve: (event) => event.lastSeq ?? null,
    }),
    messageCount: t.int({ description: 'The session’s messageCount after the change.', resolve: (event) => event.session.messageCount }),
    committedAt: t.field({
      type: 'DateTime',
      description: 'When the change committed.',
      resolve: (event) => new Date(event.committedAt),
    }),
  }),
});

/**
 * Each event is resolved with the subscription's one context: its loaders are replaced first, so
 * lazy fields (labels, usage, creator) read the state after this event, not a cached earlier one.
 */
function delivered<T>(item: FeedItem<T>, ctx: Context): T {
  if ('error' in item) throw item.error;
  ctx.loaders = createLoaders(ctx.prisma, ctx.principal);
  return item.item;
}

builder.subscriptionFields((t) => ({
  transcript: t.field({
    type: MessageRef,
    nullable: true,
    description:
      'The messages of one session in seq order: those stored after afterSeq, then each one as it is committed, with no gap and no duplicate. Reconnect with the last seq you saw to continue exactly there. Ends with an error when access ends, the subscriber is too slow or the feed is interrupted; completes when the session is deleted.',
    args: {
      ...workspaceArgs,
      id: t.arg.string({ required: true, description: 'Full UUID or unique prefix of at least 8 hex characters, with or without dashes.' }),
      afterSeq: t.arg.int({ description: 'Start after this seq (the last one you saw); from the first message when left out.' }),
    },
    subscribe: inWorkspace(async (access, args, ctx) => {
      const session = await findVisibleSession(ctx.prisma, access, args.id);
      return transcriptFeed(ctx.live, ctx.prisma, access, {
        requestId: ctx.requestId,
        sessionId: session.id,
        afterSeq: Math.max(0, args.afterSeq ?? 0),
      });
    }),
    // Pothos types a subscription's parent from its resolve, not from subscribe: the feed's item it is.
    resolve: (item, _args, ctx) => delivered(item as FeedItem<StoredMessage>, ctx),
  }),
  sessionEvents: t.field({
    type: SessionEventRef,
    nullable: true,
    description:
      'Changes to the sessions of a workspace that you can see, as they commit, narrowed by the same filter as sessions (archive and unarchive events whatever the archived state asked for). Ends with an error when access ends, the subscriber is too slow or the feed is interrupted.',
    args: {
      ...workspaceArgs,
      filter: t.arg({ type: SessionFilterRef, description: 'Narrows the events; see SessionFilter.' }),
    },
    subscribe: inWorkspace((access, args, ctx) =>
      sessionEventsFeed(ctx.live, ctx.prisma, access, { requestId: ctx.requestId, filter: args.filter }),
    ),
    resolve: (item, _args, ctx) => delivered(item as FeedItem<SessionEvent>, ctx),
  }),
}));
