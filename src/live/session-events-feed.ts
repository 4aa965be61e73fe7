import { canSee, type WorkspaceAccess } from '../auth/access.js';
import { AppError } from '../errors.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import { hasTextFilters, matchesFilter, matchesTextFilters, type SessionFilter } from '../sessions/filter.js';
import { workspaceTopic, type SessionEvent } from './events.js';
import { deliver, openFeedSource, type FeedItem, type FeedSource } from './feed.js';
import { feedUnavailable } from './hub.js';
import type { Live } from './live.js';

/**
 * Whether the event goes to this subscriber: only sessions it can see (checked on every event, so
 * a session made PRIVATE stops reaching others at once), and only those the filter matches, as
 * the `sessions` list would (archive and unarchive events whatever the archived state asked for).
 */
async function wanted(prisma: PrismaClient, access: WorkspaceAccess, filter: SessionFilter | null | undefined, event: SessionEvent) {
  if (!canSee(access.principal, event.session)) return false;
  if (!matchesFilter(event.session, filter, event.kind === 'ARCHIVED' || event.kind === 'UNARCHIVED')) return false;
  // A deleted session's labels are gone with it: only the other dimensions apply.
  if (filter && event.kind !== 'DELETED' && hasTextFilters(filter)) return matchesTextFilters(prisma, event.session.id, filter);
  return true;
}

async function* sessionEvents(
  prisma: PrismaClient,
  access: WorkspaceAccess,
  filter: SessionFilter | null | undefined,
  source: FeedSource,
): AsyncGenerator<FeedItem<SessionEvent>, void, undefined> {
  try {
    for (;;) {
      const { value: event, done } = await source.queue.next();
      if (done) return;
      if (await wanted(prisma, access, filter, event)) yield { item: event };
    }
  } catch (error) {
    if (error instanceof AppError) yield { error };
    else throw error;
  }
}

export function sessionEventsFeed(
  live: Live,
  prisma: PrismaClient,
  access: WorkspaceAccess,
  context: { requestId: string; filter: SessionFilter | null | undefined },
): AsyncIterableIterator<FeedItem<SessionEvent>> {
  if (!live.hub.available()) throw feedUnavailable();
  const open = live.registry.open('sessionEvents', access.principal, { requestId: context.requestId, workspaceId: access.workspaceId });
  const source = openFeedSource(live, prisma, access, workspaceTopic(access.workspaceId));
  return deliver(open, sessionEvents(prisma, access, context.filter, source), source);
}
