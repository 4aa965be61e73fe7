import type { PrismaClient, Session } from '../generated/prisma/client.js';
import { AppError } from '../errors.js';
import { loadLabels } from './labels.js';
import { trajectoryWriter, type TrajectoryFormat } from './trajectory-formats.js';
import { loadLastSeqs, loadTranscripts } from './transcript-read.js';
import { EMPTY_USAGE, loadUsage } from './usage.js';

/** Messages read from the database per statement while a trajectory is written. */
export const TRAJECTORY_PAGE = 200;
/** The most messages `Session.trajectory` returns in one JSON value; the download has no limit. */
export const MAX_TRAJECTORY_FIELD_MESSAGES = 2000;

export interface TrajectoryRequest {
  format: TrajectoryFormat;
  includeCompacted: boolean;
}

/**
 * A session's trajectory as JSON text in pieces, read from the database a page at a time: memory
 * holds one page of messages and the piece being written, whatever the session's length. The
 * current era is the one at the start (a compaction meanwhile does not move it), so a download is
 * one consistent range of seqs. Access is the caller's business (the session is one they can see).
 */
export async function* trajectoryText(prisma: PrismaClient, session: Session, request: TrajectoryRequest): AsyncGenerator<string> {
  const [labels, usage] = await Promise.all([loadLabels(prisma, [session.id]), loadUsage(prisma, [session.id])]);
  const writer = trajectoryWriter(request.format, {
    session,
    labels: labels.get(session.id) ?? [],
    usage: usage.get(session.id) ?? EMPTY_USAGE,
    includeCompacted: request.includeCompacted,
  });
  yield writer.head();
  let afterSeq = request.includeCompacted ? 0 : session.compactedUpToSeq;
  for (;;) {
    const page = (await loadTranscripts(prisma, [session.id], afterSeq, TRAJECTORY_PAGE, true)).get(session.id)!;
    let text = '';
    for (const message of page.messages) text += writer.message(message);
    if (text !== '') yield text;
    if (!page.hasMore || page.messages.length === 0) break;
    afterSeq = page.messages.at(-1)!.seq;
  }
  yield writer.tail();
}

/**
 * How many messages the trajectory holds, checked before anything is written (a download cannot
 * answer an error once its first byte is sent). Seqs have no gaps, so this is one index lookup.
 * ATIF requires at least one step: a session with nothing to export has no ATIF document
 * (CONFLICT); the other formats write an empty list.
 */
export async function exportedMessageCount(prisma: PrismaClient, session: Session, request: TrajectoryRequest): Promise<number> {
  const [lastSeq = 0] = await loadLastSeqs(prisma, [session.id]);
  const count = lastSeq - (request.includeCompacted ? 0 : session.compactedUpToSeq);
  if (count === 0 && request.format === 'ATIF') {
    throw new AppError('CONFLICT', 'The session has no messages to export, and an ATIF trajectory needs at least one step');
  }
  return count;
}

/** Session.trajectory: the document as one JSON value, for sessions small enough to answer in a field. */
export async function trajectoryObject(
  prisma: PrismaClient,
  session: Session,
  request: TrajectoryRequest,
): Promise<Record<string, unknown>> {
  const count = await exportedMessageCount(prisma, session, request);
  if (count > MAX_TRAJECTORY_FIELD_MESSAGES) {
    throw new AppError(
      'BAD_REQUEST',
      `The trajectory has ${count} messages, more than ${MAX_TRAJECTORY_FIELD_MESSAGES}: download it from GET /api/v1/org/{org}/ws/{workspace}/sessions/{id}/trajectory`,
    );
  }
  let text = '';
  for await (const piece of trajectoryText(prisma, session, request)) text += piece;
  return JSON.parse(text) as Record<string, unknown>;
}
