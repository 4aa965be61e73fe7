import { Prisma, type PrismaClient, type User } from '../generated/prisma/client.js';
import { readRows } from '../db/rows.js';
import type { Label } from './labels.js';
import { EMPTY_USAGE, usageFromTotals, type SessionUsage, type UsageTotals } from './usage.js';

/** What a list shows beside each session: its owner, its labels and its usage. */
export interface SessionDetails {
  /** Null when the session has no owner (the user was deleted). */
  creator: User | null;
  labels: Label[];
  usage: SessionUsage;
}

interface DetailsRow extends Omit<UsageTotals, 'input'> {
  sessionId: string;
  userId: string | null;
  email: string | null;
  username: string | null;
  fullName: string | null;
  userCreatedAt: Date | null;
  /** [key, value] pairs, one per label value, in code-point order of key then value (stored pairs are unique). */
  labels: [string, string][];
  /** Null when the session has no usage rollup yet (no messages). */
  input: number | null;
}

/** Labels from [key, value] pairs sorted by key then value: one pass, nothing to sort or merge. */
function groupSortedPairs(pairs: readonly [string, string][]): Label[] {
  const labels: Label[] = [];
  let current: Label | undefined;
  for (const [key, value] of pairs) {
    if (current?.key !== key) labels.push((current = { key, values: [] }));
    current.values.push(value);
  }
  return labels;
}

/** The row has usage totals (a copy of the row to narrow its type was 14 fields per session). */
const hasRollup = (row: DetailsRow): row is DetailsRow & UsageTotals => row.input !== null;

const NO_DETAILS: SessionDetails = Object.freeze({ creator: null, labels: [], usage: EMPTY_USAGE });

/**
 * Owner, labels and usage of many sessions in one statement (Session.creator, labels and usage
 * load through it): one round trip and one result set per page instead of three, however many
 * of the three fields the request asks for. Usage comes from the rollup (see usage.ts); labels
 * from the session's label_pairs, kept by a trigger as [key, value] pairs sorted as everywhere
 * else (keys, then each key's values, in code-point order: compareText), grouped by key here in
 * one pass. Aggregating them from session_labels for every page was most of the statement's cost,
 * and grouping them in SQL too cost PostgreSQL more than it saved here (docs/performance.md).
 */
export async function loadSessionDetails(prisma: PrismaClient, sessionIds: readonly string[]): Promise<Map<string, SessionDetails>> {
  const rows = await readRows<DetailsRow>(
    prisma,
    Prisma.sql`
    SELECT s.id::text AS "sessionId",
           u.id::text AS "userId", u.email, u.username, u.full_name AS "fullName", u.created_at AS "userCreatedAt",
           s.label_pairs AS labels,
           r.input_tokens::float8 AS "input",
           r.output_tokens::float8 AS "output",
           r.cache_read_input_tokens::float8 AS "cacheRead",
           r.cache_creation_input_tokens::float8 AS "cacheCreation",
           r.tool_call_count::float8 AS "toolCalls",
           CASE WHEN r.cost_unknown THEN NULL ELSE r.cost_usd::float8 END AS "cost",
           r.last_generation_input_tokens::float8 AS "lastInput"
      FROM sessions s
      LEFT JOIN users u ON u.id = s.user_id
      LEFT JOIN session_usage_rollups r ON r.session_id = s.id
     WHERE s.id = ANY(${sessionIds}::uuid[])`,
    // A fixed text: prepared once per connection (db/rows.ts).
    { prepared: true },
  );
  const details = new Map<string, SessionDetails>();
  for (const row of rows) {
    details.set(row.sessionId, {
      creator:
        row.userId === null
          ? null
          : { id: row.userId, email: row.email!, username: row.username, fullName: row.fullName, createdAt: row.userCreatedAt! },
      labels: groupSortedPairs(row.labels),
      usage: hasRollup(row) ? usageFromTotals(row) : EMPTY_USAGE,
    });
  }
  return details;
}

/** Details in the order of `sessionIds`; a session that is gone has none. */
export async function loadSessionDetailsInOrder(prisma: PrismaClient, sessionIds: readonly string[]): Promise<SessionDetails[]> {
  const details = await loadSessionDetails(prisma, sessionIds);
  return sessionIds.map((id) => details.get(id) ?? NO_DETAILS);
}
