import { randomUUID } from 'node:crypto';
import { Prisma, type PrismaClient, type Session } from '../generated/prisma/client.js';
import type { MessageRole } from '../generated/prisma/enums.js';
import { requireOriginAllowed, type WorkspaceAccess } from '../auth/access.js';
import { isUniqueViolation } from '../db/constraints.js';
import { AppError, badUserInput, type ValidationItem } from '../errors.js';
import { MAX_INT32, validateText } from './input-rules.js';
import { withLockedSession } from './session-lock.js';
import type { StoredMessage } from './transcript-read.js';

/** Bounds of the batch's lists, enforced by the schema (list-bounds.ts). */
export const MAX_BATCH_MESSAGES = 500;
export const MAX_CONTENT_LENGTH = 1_000_000;
export const MAX_TOOL_CALLS = 128;
export const MAX_METADATA_BYTES = 65_536;
export const PREVIEW_LENGTH = 200;

export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface MessageUsageInput {
  inputTokens?: number | null;
  outputTokens?: number | null;
  cacheReadInputTokens?: number | null;
  cacheCreationInputTokens?: number | null;
  costUsd?: number | null;
}

export interface MessageInput {
  id?: string | null;
  role: MessageRole;
  content?: string | null;
  parentId?: string | null;
  toolCallId?: string | null;
  toolCalls?: ToolCall[] | null;
  metadata?: Record<string, unknown> | null;
  usage?: MessageUsageInput | null;
}

/** Validation of a batch; `locOf` says where message i sits in the input (a batch's list by default). */
export function validateMessages(
  messages: readonly MessageInput[],
  locOf: (i: number) => (string | number)[] = (i) => ['input', 'messages', i],
): ValidationItem[] {
  const items: ValidationItem[] = [];
  if (messages.length === 0) items.push({ loc: ['input', 'messages'], msg: 'Send at least one message', type: 'batch_empty' });
  const seen = new Map<string, number>();
  messages.forEach((message, i) => {
    const loc = locOf(i);
    if (message.id) {
      const id = message.id.toLowerCase();
      const first = seen.get(id);
      if (first !== undefined) items.push({ loc: [...loc, 'id'], msg: `Same id as message ${first}`, type: 'duplicate_id' });
      else seen.set(id, i);
    }
    items.push(...validateText(message.content, [...loc, 'content'], { max: MAX_CONTENT_LENGTH }));
    items.push(...validateText(message.toolCallId, [...loc, 'toolCallId']));
    const calls = message.toolCalls ?? [];
    calls.forEach((call, j) => {
      items.push(...validateText(call.id, [...loc, 'toolCalls', j, 'id'], { required: true }));
      items.push(...validateText(call.name, [...loc, 'toolCalls', j, 'name'], { required: true }));
      items.push(...validateText(call.arguments, [...loc, 'toolCalls', j, 'arguments'], { max: MAX_CONTENT_LENGTH }));
    });
    if (message.metadata && Buffer.byteLength(JSON.stringify(message.metadata)) > MAX_METADATA_BYTES) {
      items.push({ loc: [...loc, 'metadata'], msg: `At most ${MAX_METADATA_BYTES} bytes of JSON`, type: 'metadata_too_large' });
    }
    const usage = message.usage;
    if (usage) {
      if (message.role !== 'ASSISTANT') {
        items.push({ loc: [...loc, 'usage'], msg: 'Only ASSISTANT messages (generations) carry usage', type: 'usage_not_allowed' });
      }
      const cost = usage.costUsd;
      if (cost != null && !(Number.isFinite(cost) && cost >= 0 && cost < 1e9)) {
        items.push({ loc: [...loc, 'usage', 'costUsd'], msg: 'Must be a non-negative amount below 1e9', type: 'cost_invalid' });
      }
    }
  });
  return items;
}

/** The first `PREVIEW_LENGTH` characters (code points, so no surrogate pair is cut in half). */
export function previewOf(content: string): string {
  return Array.from(content).slice(0, PREVIEW_LENGTH).join('');
}

export const messageElsewhere = (id?: string) =>
  new AppError('ALREADY_EXISTS', `Message id ${id ? `${id} ` : 'of this batch '}already belongs to another session`);

/** The row of a message to store (its id already chosen). */
export function messageRow(message: MessageInput & { id: string }, sessionId: string, seq: number, now: Date): MessageRow {
  return {
    id: message.id,
    sessionId,
    seq,
    role: message.role,
    content: message.content ?? '',
    parentId: message.parentId?.toLowerCase() ?? null,
    toolCallId: message.toolCallId ?? null,
    toolCalls: (message.toolCalls ?? []).map(({ id, name, arguments: args }) => ({ id, name, arguments: args })),
    metadata: message.metadata ? (message.metadata as Prisma.InputJsonObject) : Prisma.DbNull,
    ...(message.usage
      ? {
          inputTokens: message.usage.inputTokens ?? 0,
          outputTokens: message.usage.outputTokens ?? 0,
          cacheReadInputTokens: message.usage.cacheReadInputTokens ?? 0,
          cacheCreationInputTokens: message.usage.cacheCreationInputTokens ?? 0,
          costUsd: message.usage.costUsd ?? null,
        }
      : {}),
    createdAt: now,
  };
}

export interface AppendResult {
  session: Session;
  lastSeq: number;
  /** The messages this call stored (none when every one was stored before), as committed: live subscribers get them. */
  stored: StoredMessage[];
}

export type MessageRow = Prisma.SessionMessageCreateManyInput & { id: string; seq: number; createdAt: Date };

interface ExistingMessage {
  id: string;
  sessionId: string;
  seq: number;
}

/**
 * Session totals are GraphQL Ints, so a batch that would take one past MAX_INT32 is refused (the
 * transaction rolls back): otherwise the append would fail in the database (messageCount is an
 * integer column) or every later read of the session's usage would (found by test/fuzz).
 */
export const totalsTooLarge = (total: string) =>
  badUserInput('The batch would take a session total past the largest integer', [
    { loc: ['input', 'messages'], msg: `The session's ${total} would exceed ${MAX_INT32}`, type: 'total_too_large' },
  ]);

/** Reads the usage rollup the triggers have just updated (where the usage rules live). */
export async function checkUsageTotals(tx: Prisma.TransactionClient, sessionId: string): Promise<void> {
  const [totals] = await tx.$queryRaw<{ tokens: number; toolCalls: number }[]>`
    SELECT (input_tokens + output_tokens + cache_read_input_tokens + cache_creation_input_tokens)::float8 AS "tokens",
           tool_call_count::float8 AS "toolCalls"
      FROM session_usage_rollups WHERE session_id = ${sessionId}::uuid`;
  if (totals && totals.tokens > MAX_INT32) throw totalsTooLarge('totalTokens');
  if (totals && totals.toolCalls > MAX_INT32) throw totalsTooLarge('totalToolCallCount');
}

/**
 * appendTranscript: stores a batch in one transaction under the session's row lock, so seq numbers
 * are consecutive with no gap or duplicate whatever runs at the same time. Idempotent on message
 * id: messages already stored in this session are skipped, and `lastSeq` is the highest seq of the
 * batch's messages, new or not, so a resent batch returns what the first one did. Bumps
 * messageCount and lastMessageAt by what was stored and sets previewText from the first USER
 * message once (SES-LST-011). Frozen sessions are CONFLICT.
 */
export async function appendTranscript(
  prisma: PrismaClient,
  access: WorkspaceAccess,
  idOrPrefix: string,
  messages: readonly MessageInput[],
): Promise<AppendResult> {
  const items = validateMessages(messages);
  if (items.length > 0) throw badUserInput('Invalid transcript batch', items);
  const batch = messages.map((message) => ({ ...message, id: (message.id ?? randomUUID()).toLowerCase() }));

  return withLockedSession(prisma, access, idOrPrefix, 'append', async (tx, session) => {
    if (session.frozenAt) throw new AppError('CONFLICT', 'Session is frozen: no messages can be appended');
    requireOriginAllowed(access.principal, session.origin);
    const ids = batch.map((message) => message.id);
    const existing = await tx.$queryRaw<ExistingMessage[]>`
      SELECT id::text AS "id", session_id::text AS "sessionId", seq FROM session_messages WHERE id = ANY(${ids}::uuid[])`;
    const elsewhere = existing.find((message) => message.sessionId !== session.id);
    if (elsewhere) throw messageElsewhere(elsewhere.id);
    const stored = new Map(existing.map((message) => [message.id, message.seq]));
    const fresh = batch.filter((message) => !stored.has(message.id));

    const [{ maxSeq } = { maxSeq: 0 }] = await tx.$queryRaw<{ maxSeq: number }[]>`
      SELECT COALESCE(max(seq), 0)::int AS "maxSeq" FROM session_messages WHERE session_id = ${session.id}::uuid`;
    const now = new Date();
    const rows: MessageRow[] = fresh.map((message, i) => messageRow({ ...message, id: message.id }, session.id, maxSeq + i + 1, now));
    for (const row of rows) stored.set(row.id, row.seq);
    const lastSeq = Math.max(...batch.map((message) => stored.get(message.id)!));
    if (rows.length === 0) return { session, lastSeq, stored: [] };
    if (session.messageCount + rows.length > MAX_INT32) throw totalsTooLarge('messageCount');

    try {
      await tx.sessionMessage.createMany({ data: rows });
    } catch (error) {
      // Another session's append stored one of these ids after the check above (it holds another row lock).
      if (isUniqueViolation(error)) throw messageElsewhere();
      throw error;
    }
    await checkUsageTotals(tx, session.id);
    const firstUser = fresh.find((message) => message.role === 'USER');
    const updated = await tx.session.update({
      where: { id: session.id },
      data: {
        messageCount: { increment: rows.length },
        lastMessageAt: now,
        ...(session.previewText === null && firstUser ? { previewText: previewOf(firstUser.content ?? '') } : {}),
      },
    });
    return { session: updated, lastSeq, stored: rows.map(storedMessageOf) };
  });
}

/** A row as written, in the shape reads return (what a live subscriber receives without a read). */
function storedMessageOf(row: MessageRow): StoredMessage {
  return {
    id: row.id,
    sessionId: row.sessionId,
    seq: row.seq,
    role: row.role,
    content: row.content ?? '',
    parentId: row.parentId ?? null,
    toolCallId: row.toolCallId ?? null,
    toolCalls: (row.toolCalls ?? []) as Prisma.JsonValue,
    metadata: row.metadata === Prisma.DbNull ? null : ((row.metadata ?? null) as Prisma.JsonValue),
    inputTokens: row.inputTokens ?? null,
    outputTokens: row.outputTokens ?? null,
    cacheReadInputTokens: row.cacheReadInputTokens ?? null,
    cacheCreationInputTokens: row.cacheCreationInputTokens ?? null,
    costUsd: row.costUsd == null ? null : Number(row.costUsd),
    createdAt: row.createdAt,
    compactionUpToSeq: row.compactionUpToSeq ?? null,
    // Appends come after every message a compaction covers.
    compacted: false,
  };
}
