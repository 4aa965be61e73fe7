import type { PrismaClient } from '../generated/prisma/client.js';

/** Token usage of one session, derived from its messages (API.md, SessionUsage). */
export interface SessionUsage {
  totalInputTokens: number;
  totalOutputTokens: number;
  totalCacheReadInputTokens: number;
  totalCacheCreationInputTokens: number;
  totalTokens: number;
  totalToolCallCount: number;
  /** Null as soon as one generation has no cost: a partial sum is never reported as a total. */
  totalCostUsd: number | null;
  /** Input tokens of the most recent generation; null before the first one. */
  lastGenerationInputTokens: number | null;
}

/** A session with no generation: zeros, a zero cost and no last generation. */
export const EMPTY_USAGE: SessionUsage = Object.freeze({
  totalInputTokens: 0,
  totalOutputTokens: 0,
  totalCacheReadInputTokens: 0,
  totalCacheCreationInputTokens: 0,
  totalTokens: 0,
  totalToolCallCount: 0,
  totalCostUsd: 0,
  lastGenerationInputTokens: null,
});

interface UsageRow {
  sessionId: string;
  input: number;
  output: number;
  cacheRead: number;
  cacheCreation: number;
  toolCalls: number;
  cost: number | null;
  lastInput: number | null;
}

/**
 * Aggregates usage for many sessions in one statement. A generation is an ASSISTANT message that
 * carries usage (its token columns are set); totals, the cost rule and the last generation are all
 * taken over generations, tool calls over every message.
 */
export async function loadUsage(prisma: PrismaClient, sessionIds: readonly string[]): Promise<Map<string, SessionUsage>> {
  const rows = await prisma.$queryRaw<UsageRow[]>`
    WITH m AS (
      SELECT session_id, seq, input_tokens, output_tokens, cache_read_input_tokens,
             cache_creation_input_tokens, cost_usd, tool_calls,
             (role = 'ASSISTANT' AND input_tokens IS NOT NULL) AS generation
        FROM session_messages
       WHERE session_id = ANY(${sessionIds}::uuid[])
    )
    SELECT session_id::text AS "sessionId",
           COALESCE(SUM(input_tokens) FILTER (WHERE generation), 0)::float8 AS "input",
           COALESCE(SUM(COALESCE(output_tokens, 0)) FILTER (WHERE generation), 0)::float8 AS "output",
           COALESCE(SUM(COALESCE(cache_read_input_tokens, 0)) FILTER (WHERE generation), 0)::float8 AS "cacheRead",
           COALESCE(SUM(COALESCE(cache_creation_input_tokens, 0)) FILTER (WHERE generation), 0)::float8 AS "cacheCreation",
           COALESCE(SUM(CASE WHEN jsonb_typeof(tool_calls) = 'array' THEN jsonb_array_length(tool_calls) ELSE 0 END), 0)::float8 AS "toolCalls",
           CASE WHEN bool_or(generation AND cost_usd IS NULL) THEN NULL
                ELSE COALESCE(SUM(cost_usd) FILTER (WHERE generation), 0)::float8 END AS "cost",
           ((array_agg(input_tokens ORDER BY seq DESC) FILTER (WHERE generation))[1])::float8 AS "lastInput"
      FROM m
     GROUP BY session_id`;
  const usage = new Map<string, SessionUsage>();
  for (const row of rows) {
    usage.set(row.sessionId, {
      totalInputTokens: row.input,
      totalOutputTokens: row.output,
      totalCacheReadInputTokens: row.cacheRead,
      totalCacheCreationInputTokens: row.cacheCreation,
      totalTokens: row.input + row.output + row.cacheRead + row.cacheCreation,
      totalToolCallCount: row.toolCalls,
      totalCostUsd: row.cost,
      lastGenerationInputTokens: row.lastInput,
    });
  }
  return usage;
}
