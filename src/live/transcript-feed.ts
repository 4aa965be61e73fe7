import { canSee, type WorkspaceAccess } from '../auth/access.js';
import { AppError } from '../errors.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import { loadTranscripts, MAX_TRANSCRIPT_PAGE, type StoredMessage } from '../sessions/transcript-read.js';
import { sessionTopic, STORES_MESSAGES } from './events.js';
import { accessLost, deliver, openFeedSource, type FeedItem, type FeedSource } from './feed.js';
import { feedUnavailable } from './hub.js';
import type { Live } from './live.js';

/** Stored messages with afterSeq < seq <= upTo (all of them when upTo is left out), page by page. */
async function* storedAfter(prisma: PrismaClient, sessionId: string, afterSeq: number, upTo = Infinity): AsyncGenerator<StoredMessage> {
  let last = afterSeq;
  for (;;) {
    const { messages, hasMore } = (await loadTranscripts(prisma, [sessionId], last, MAX_TRANSCRIPT_PAGE)).get(sessionId)!;
    for (const message of messages) {
      if (message.seq > upTo) return;
      last = message.seq;
      yield message;
    }
    if (!hasMore) return;
  }
}

/**
 * The messages of one session after `afterSeq`, in seq order, with no gap and no duplicate: the
 * feed listens first, then reads what is stored, then delivers live appends, dropping any seq it
 * already delivered and reading any range it has not seen (a batch too large to ship, or one that
 * arrived while the stored part was read) from the database.
 */
async function* transcriptMessages(
  prisma: PrismaClient,
  access: WorkspaceAccess,
  sessionId: string,
  afterSeq: number,
  source: FeedSource,
): AsyncGenerator<FeedItem<StoredMessage>, void, undefined> {
  const { queue } = source;
  let last = afterSeq;
  try {
    await source.ready;
    for await (const message of storedAfter(prisma, sessionId, last)) {
      if (queue.error) throw queue.error;
      last = message.seq;
      yield { item: message };
    }
    for (;;) {
      const { value: event, done } = await queue.next();
      if (done) return;
      if (event.kind === 'DELETED') return;
      if (!canSee(access.principal, event.session)) throw accessLost();
      if (!STORES_MESSAGES.has(event.kind) || event.lastSeq === undefined || event.lastSeq <= last) continue;
      const shipped = event.messages && event.firstSeq !== undefined && event.firstSeq <= last + 1 ? event.messages : undefined;
      const messages = shipped ?? storedAfter(prisma, sessionId, last, event.lastSeq);
      for await (const message of messages) {
        if (message.seq <= last) continue;
        if (queue.error) throw queue.error;
        last = message.seq;
        yield { item: message };
      }
    }
  } catch (error) {
    if (error instanceof AppError) yield { error };
    else throw error;
  }
}

export function transcriptFeed(
  live: Live,
  prisma: PrismaClient,
  access: WorkspaceAccess,
  context: { requestId: string; sessionId: string; afterSeq: number },
): AsyncIterableIterator<FeedItem<StoredMessage>> {
  const { sessionId, afterSeq, requestId } = context;
  if (!live.hub.available()) throw feedUnavailable();
  const open = live.registry.open('transcript', access.principal, { requestId, workspaceId: access.workspaceId });
  // Listening starts before the stored messages are read: an append committed in between is in the queue.
  const source = openFeedSource(live, prisma, access, sessionTopic(sessionId), sessionId);
  return deliver(open, transcriptMessages(prisma, access, sessionId, afterSeq, source), source);
}
