import { randomUUID } from 'node:crypto';
import type { PrismaClient, Session } from '../generated/prisma/client.js';
import { requireOriginAllowed, type WorkspaceAccess } from '../auth/access.js';
import { isUniqueViolation } from '../db/constraints.js';
import { AppError, badUserInput } from '../errors.js';
import { MAX_INT32 } from './input-rules.js';
import { withLockedSession } from './session-lock.js';
import { checkUsageTotals, messageRow, previewOf, totalsTooLarge, validateMessages, type MessageInput } from './transcript-append.js';

export interface CompactTranscriptInput {
  upToSeq: number;
  summary: MessageInput;
}

export interface CompactResult {
  session: Session;
  summarySeq: number;
}

const outOfRange = (msg: string) => badUserInput('Invalid compaction', [{ loc: ['input', 'upToSeq'], msg, type: 'seq_out_of_range' }]);

/**
 * compactTranscript (docs/api.md, Compaction; the reference's compact_transcript): non-destructive.
 * The summary is appended as the next message (it carries `compactionUpToSeq`), and the session's
 * compaction mark moves to `upToSeq`: every message with seq <= upToSeq is compacted from then on.
 * Nothing is deleted or rewritten, so usage (summed by the triggers over every stored message)
 * keeps every generation ever made, the summary's own included, and messageCount keeps counting
 * the compacted messages.
 *
 * Under the session's row lock, like an append (and only for whoever may append: the owner, with a
 * token that may write the session's origin). Frozen: CONFLICT. A mark can only move forward:
 * `upToSeq` at or below the current mark is ALREADY_EXISTS (the reference's 409), which also makes
 * a resent compaction harmless. A publish call for live subscriptions belongs after the transaction.
 */
export async function compactTranscript(
  prisma: PrismaClient,
  access: WorkspaceAccess,
  idOrPrefix: string,
  input: CompactTranscriptInput,
): Promise<CompactResult> {
  const items = validateMessages([input.summary], () => ['input', 'summary']);
  if (items.length > 0) throw badUserInput('Invalid compaction summary', items);
  const summary = { ...input.summary, id: (input.summary.id ?? randomUUID()).toLowerCase() };

  return withLockedSession(prisma, access, idOrPrefix, 'append', async (tx, session) => {
    if (session.frozenAt) throw new AppError('CONFLICT', 'Session is frozen: its transcript cannot be compacted');
    requireOriginAllowed(access.principal, session.origin);
    const [{ lastSeq } = { lastSeq: 0 }] = await tx.$queryRaw<{ lastSeq: number }[]>`
      SELECT COALESCE(max(seq), 0)::int AS "lastSeq" FROM session_messages WHERE session_id = ${session.id}::uuid`;
    if (input.upToSeq < 1 || input.upToSeq > lastSeq) throw outOfRange(`Must be between 1 and the last seq (${lastSeq})`);
    if (input.upToSeq <= session.compactedUpToSeq) {
      throw new AppError('ALREADY_EXISTS', `Messages up to seq ${session.compactedUpToSeq} are already compacted`);
    }
    if (session.messageCount + 1 > MAX_INT32) throw totalsTooLarge('messageCount');

    const now = new Date();
    const row = { ...messageRow(summary, session.id, lastSeq + 1, now), compactionUpToSeq: input.upToSeq };
    try {
      await tx.sessionMessage.createMany({ data: [row] });
    } catch (error) {
      // The summary's id is stored already (in this session or another): ids are never reused.
      if (isUniqueViolation(error)) throw new AppError('ALREADY_EXISTS', `Message id ${summary.id} is already stored`);
      throw error;
    }
    await checkUsageTotals(tx, session.id);
    const updated = await tx.session.update({
      where: { id: session.id },
      data: {
        compactedUpToSeq: input.upToSeq,
        messageCount: { increment: 1 },
        lastMessageAt: now,
        updatedAt: now,
        ...(session.previewText === null && summary.role === 'USER' ? { previewText: previewOf(summary.content ?? '') } : {}),
      },
    });
    return { session: updated, summarySeq: row.seq };
  });
}
