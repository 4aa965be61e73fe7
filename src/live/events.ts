import type { Session } from '../generated/prisma/client.js';
import type { StoredMessage } from '../sessions/transcript-read.js';

/** What happened to a session (docs/api.md, Live subscriptions). */
export type SessionEventKind =
  | 'CREATED'
  | 'UPDATED'
  | 'LABELS_CHANGED'
  | 'ARCHIVED'
  | 'UNARCHIVED'
  | 'FROZEN'
  | 'DELETED'
  | 'TRANSCRIPT_APPENDED'
  | 'TRANSCRIPT_COMPACTED';

/** The kinds whose event stores messages: a transcript feed delivers the range they name. */
export const STORES_MESSAGES: ReadonlySet<SessionEventKind> = new Set(['TRANSCRIPT_APPENDED', 'TRANSCRIPT_COMPACTED']);

/**
 * One committed change, built from the data its transaction returned (never published for a write
 * that rolled back). `session` is the row after the change (before it, for DELETED).
 */
export interface SessionEvent {
  kind: SessionEventKind;
  session: Session;
  /** TRANSCRIPT_APPENDED and TRANSCRIPT_COMPACTED: the seq range stored (a compaction stores its summary). */
  firstSeq?: number;
  lastSeq?: number;
  /**
   * TRANSCRIPT_APPENDED on a session's topic: the stored messages, when the batch is small enough
   * to ship (MAX_SHIPPED_CONTENT); otherwise left out and each subscriber reads the range.
   */
  messages?: StoredMessage[];
  /** When the transaction committed (ms since the epoch): delivery latency is measured from here. */
  committedAt: number;
}

/** Messages travel with their event up to this much content; larger batches are read by subscribers. */
export const MAX_SHIPPED_CONTENT = 256 * 1024;

/** Topics: every event of a workspace, and every event of one session (its transcript feed listens there). */
export const workspaceTopic = (workspaceId: string) => `w:${workspaceId}`;
export const sessionTopic = (sessionId: string) => `s:${sessionId}`;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/**
 * Events cross Redis as JSON, where Dates become strings: the date columns (every one is named
 * …At) come back as Dates, so a subscriber on another instance sees what one on this one does.
 */
export const eventSerializer = {
  stringify: (event: unknown): string => JSON.stringify(event),
  parse: (text: string): unknown =>
    JSON.parse(text, (key, value: unknown) =>
      key.endsWith('At') && typeof value === 'string' && ISO_DATE.test(value) ? new Date(value) : value,
    ),
};
