import type { Session } from '../generated/prisma/client.js';
import type { CompactResult } from '../sessions/compaction.js';
import type { AppendResult } from '../sessions/transcript-append.js';
import { MAX_SHIPPED_CONTENT, type SessionEventKind } from './events.js';
import type { LiveHub } from './hub.js';

/**
 * What the write paths publish once their transaction has committed, from the data it returned.
 * The mutation resolvers call these after the domain function resolved, so a write that rolled
 * back (it threw) publishes nothing.
 */
export function publishSessionChange(hub: LiveHub, kind: SessionEventKind, session: Session): void {
  hub.publish({ kind, session, committedAt: Date.now() });
}

export function publishAppend(hub: LiveHub, { session, stored }: AppendResult): void {
  if (stored.length === 0) return;
  const size = stored.reduce(
    (sum, { content, toolCalls, metadata }) => sum + content.length + JSON.stringify([toolCalls, metadata]).length,
    0,
  );
  hub.publish({
    kind: 'TRANSCRIPT_APPENDED',
    session,
    firstSeq: stored[0]!.seq,
    lastSeq: stored.at(-1)!.seq,
    ...(size <= MAX_SHIPPED_CONTENT ? { messages: stored } : {}),
    committedAt: Date.now(),
  });
}

/** A compaction stored its summary as the next message; feeds read it, caches learn the new mark from the session. */
export function publishCompaction(hub: LiveHub, { session, summarySeq }: CompactResult): void {
  hub.publish({ kind: 'TRANSCRIPT_COMPACTED', session, firstSeq: summarySeq, lastSeq: summarySeq, committedAt: Date.now() });
}
