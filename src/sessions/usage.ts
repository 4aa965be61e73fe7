import type { PrismaClient } from '../generated/prisma/client.js';

/** Token usage of one session, derived from its messages (docs/api.md, SessionUsage). */
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

/** Sums of one session's generations and messages, as SQL returns them. */
export interface UsageTotals {
  input: number;
  output: number;
  cacheRead: number;
  cacheCreation: number;
  toolCalls: number;
  cost: number | null;
  lastInput: number | null;
}

/** The API's SessionUsage from the sums (totalTokens is the four token buckets). */
export function usageFromTotals(row: UsageTotals): SessionUsage {
  return {
    totalInputTokens: row.input,
    totalOutputTokens: row.output,
    totalCacheReadInputTokens: row.cacheRead,
    totalCacheCreationInputTokens: row.cacheCreation,
    totalTokens: row.input + row.output + row.cacheRead + row.cacheCreation,
    totalToolCallCount: row.toolCalls,
    totalCostUsd: row.cost,
    lastGenerationInputTokens: row.lastInput,
  };
}

/**
 * Usage of many sessions in one statement, read from the rollup that database triggers keep in
 * step with the messages (migration 20261129150000_session_usage_rollup, where the rules live):
 * one primary-key look-up per session, however long its transcript. No rollup row means no
 * messages yet.
 */
export async function loadUsage(prisma: PrismaClient, sessionIds: readonly string[]): Promise<Map<string, SessionUsage>> {
  const rows = await prisma.$queryRaw<(UsageTotals & { sessionId: string })[]>`
    SELECT session_id::text AS "sessionId",
           input_tokens::float8 AS "input",
           output_tokens::float8 AS "output",
           cache_read_input_tokens::float8 AS "cacheRead",
           cache_creation_input_tokens::float8 AS "cacheCreation",
           tool_call_count::float8 AS "toolCalls",
           CASE WHEN cost_unknown THEN NULL ELSE cost_usd::float8 END AS "cost",
           last_generation_input_tokens::float8 AS "lastInput"
      FROM session_usage_rollups
     WHERE session_id = ANY(${sessionIds}::uuid[])`;
  const usage = new Map<string, SessionUsage>();
  for (const row of rows) usage.set(row.sessionId, usageFromTotals(row));
  return usage;
}
