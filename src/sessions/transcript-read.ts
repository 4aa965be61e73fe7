import { Prisma, type PrismaClient } from '../generated/prisma/client.js';
import type { MessageRole } from '../generated/prisma/enums.js';
import { badUserInput } from '../errors.js';

export const DEFAULT_TRANSCRIPT_PAGE = 100;
export const MAX_TRANSCRIPT_PAGE = 1000;

export interface StoredMessage {
  id: string;
  sessionId: string;
  seq: number;
  role: MessageRole;
  content: string;
  parentId: string | null;
  toolCallId: string | null;
  toolCalls: Prisma.JsonValue;
  metadata: Prisma.JsonValue | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cacheReadInputTokens: number | null;
  cacheCreationInputTokens: number | null;
  costUsd: number | null;
  createdAt: Date;
  /** On a compaction's summary: the seq it covers. */
  compactionUpToSeq: number | null;
  /** Whether a compaction covers it (seq <= the session's compactedUpToSeq). */
  compacted: boolean;
}

/**
 * The columns of a message row over `session_messages m` joined with its session `sessions s`
 * (compaction is a mark on the session), named and typed as StoredMessage.
 */
export const MESSAGE_COLUMNS = Prisma.sql`
  m.id::text AS "id", m.session_id::text AS "sessionId", m.seq, m.role::text AS "role", m.content,
  m.parent_id::text AS "parentId", m.tool_call_id AS "toolCallId", m.tool_calls AS "toolCalls",
  m.metadata, m.input_tokens AS "inputTokens", m.output_tokens AS "outputTokens",
  m.cache_read_input_tokens AS "cacheReadInputTokens", m.cache_creation_input_tokens AS "cacheCreationInputTokens",
  m.cost_usd::float8 AS "costUsd", m.created_at AS "createdAt", m.compaction_up_to_seq AS "compactionUpToSeq",
  m.seq <= s.compacted_up_to_seq AS "compacted"`;

export interface TranscriptPage {
  messages: StoredMessage[];
  hasMore: boolean;
}

export interface TranscriptRequest {
  sessionId: string;
  afterSeq: number;
  first: number;
  /** Compacted messages too (they are left out by default). */
  includeCompacted: boolean;
}

export function checkTranscriptArgs(
  afterSeq: number | null | undefined,
  first: number | null | undefined,
): { afterSeq: number; first: number } {
  const size = first ?? DEFAULT_TRANSCRIPT_PAGE;
  if (size < 0 || size > MAX_TRANSCRIPT_PAGE) {
    throw badUserInput('Invalid transcript page', [
      { loc: ['first'], msg: `Must be between 0 and ${MAX_TRANSCRIPT_PAGE}`, type: 'page_size' },
    ]);
  }
  return { afterSeq: afterSeq ?? 0, first: size };
}

/**
 * Transcript pages for many sessions that share (afterSeq, first), in one statement: each
 * session's messages after `afterSeq` in seq order, one more than asked to tell `hasMore`.
 */
export async function loadTranscripts(
  prisma: PrismaClient,
  sessionIds: readonly string[],
  afterSeq: number,
  first: number,
  includeCompacted = false,
): Promise<Map<string, TranscriptPage>> {
  // Compaction covers a prefix, so the current era starts after the session's compactedUpToSeq.
  const from = includeCompacted ? Prisma.sql`${afterSeq}` : Prisma.sql`GREATEST(${afterSeq}, s.compacted_up_to_seq)`;
  const rows = await prisma.$queryRaw<(StoredMessage & { rn: number })[]>`
          SELECT * FROM (
            SELECT ${MESSAGE_COLUMNS},
                   row_number() OVER (PARTITION BY m.session_id ORDER BY m.seq)::int AS rn
              FROM sessions s JOIN session_messages m ON m.session_id = s.id
             WHERE s.id = ANY(${sessionIds}::uuid[]) AND m.seq > ${from}
          ) page
          WHERE rn <= ${first + 1}
          ORDER BY "sessionId", seq`;
  const pages = new Map<string, TranscriptPage>(sessionIds.map((id) => [id, { messages: [], hasMore: false }]));
  for (const { rn, ...message } of rows) {
    const page = pages.get(message.sessionId)!;
    if (rn > first) page.hasMore = true;
    else page.messages.push(message);
  }
  return pages;
}

/** Transcript pages for many requests: one statement per distinct (afterSeq, first, includeCompacted) among them. */
export async function loadTranscriptPages(prisma: PrismaClient, requests: readonly TranscriptRequest[]): Promise<TranscriptPage[]> {
  const groups = new Map<string, TranscriptRequest[]>();
  for (const request of requests) {
    const key = `${request.afterSeq}:${request.first}:${request.includeCompacted}`;
    groups.set(key, [...(groups.get(key) ?? []), request]);
  }
  const pages = new Map<string, TranscriptPage>();
  await Promise.all(
    [...groups.values()].map(async (group) => {
      const { afterSeq, first, includeCompacted } = group[0]!;
      const loaded = await loadTranscripts(prisma, [...new Set(group.map((r) => r.sessionId))], afterSeq, first, includeCompacted);
      for (const request of group) pages.set(transcriptKey(request), loaded.get(request.sessionId)!);
    }),
  );
  return requests.map((request) => pages.get(transcriptKey(request))!);
}

/** What identifies a transcript page request (the loader's cache key). */
export const transcriptKey = (request: TranscriptRequest) =>
  `${request.sessionId}:${request.afterSeq}:${request.first}:${request.includeCompacted}`;

/**
 * The highest stored seq of each session (0 without messages), one index probe per session. Seqs
 * have no gap, so it is also the number of stored messages, compacted ones included.
 */
export async function loadLastSeqs(prisma: PrismaClient, sessionIds: readonly string[]): Promise<number[]> {
  const rows = await prisma.$queryRaw<{ id: string; lastSeq: number }[]>`
    SELECT id::text AS "id", COALESCE((SELECT max(seq) FROM session_messages m WHERE m.session_id = ids.id), 0)::int AS "lastSeq"
      FROM unnest(${sessionIds}::uuid[]) AS ids(id)`;
  const bySession = new Map(rows.map((row) => [row.id, row.lastSeq]));
  return sessionIds.map((id) => bySession.get(id) ?? 0);
}
