import { Prisma, type PrismaClient } from '../generated/prisma/client.js';
import type { SessionOrigin } from '../generated/prisma/enums.js';
import { messageSearchCondition } from './message-search.js';
import { searchCondition } from './search.js';
import { allOf } from './sql.js';

export type ArchivedState = 'ACTIVE' | 'ARCHIVED' | 'ANY';

export interface SessionFilter {
  userIds?: string[] | null;
  projectIds?: string[] | null;
  agents?: string[] | null;
  models?: string[] | null;
  origins?: SessionOrigin[] | null;
  archived?: ArchivedState | null;
  labels?: { key: string; values: string[] }[] | null;
  search?: string | null;
  messageSearch?: string | null;
  includeWorkloadSessions?: boolean | null;
}

/** Values per filter list (ids, agents, models, origins, one key's label values). */
export const MAX_FILTER_VALUES = 100;
/** Label keys a filter may require (a session has at most MAX_LABEL_KEYS). */
export const MAX_FILTER_LABEL_KEYS = 64;

/** Origins that mark platform workloads, hidden unless asked for (SES-LST-009). */
export const WORKLOAD_ORIGINS: readonly SessionOrigin[] = ['EVAL', 'OPTIMIZATION', 'TRAINING', 'WORLD'];

const lower = (ids: string[]) => ids.map((id) => id.toLowerCase());

/**
 * The filter as conditions over `sessions s`. Values OR within a dimension, dimensions AND
 * (SES-LST-006); label values OR within a key, keys AND (SES-LBL-050/051/052); an explicit
 * workload origin without includeWorkloadSessions matches nothing (SES-LST-015). An empty list
 * matches nothing, as `IN ()` would. Filters only narrow: access is visibleSessionsSql's job.
 * The list, totalCount and facets all use these conditions, so they always agree.
 */
export function sessionFilterConditions(filter: SessionFilter | null | undefined): Prisma.Sql[] {
  const conditions: Prisma.Sql[] = [];
  const archived = filter?.archived ?? 'ACTIVE';
  if (archived === 'ACTIVE') conditions.push(Prisma.sql`s.archived_at IS NULL`);
  if (archived === 'ARCHIVED') conditions.push(Prisma.sql`s.archived_at IS NOT NULL`);
  if (!filter?.includeWorkloadSessions) {
    conditions.push(Prisma.sql`s.origin::text <> ALL(${[...WORKLOAD_ORIGINS]}::text[])`);
  }
  if (filter?.origins) conditions.push(Prisma.sql`s.origin::text = ANY(${filter.origins}::text[])`);
  if (filter?.userIds) conditions.push(Prisma.sql`s.user_id = ANY(${lower(filter.userIds)}::uuid[])`);
  if (filter?.projectIds) conditions.push(Prisma.sql`s.project_id = ANY(${lower(filter.projectIds)}::uuid[])`);
  if (filter?.agents) conditions.push(Prisma.sql`s.agent = ANY(${filter.agents}::text[])`);
  if (filter?.models) conditions.push(Prisma.sql`s.model = ANY(${filter.models}::text[])`);
  const labels = labelCondition(filter?.labels);
  if (labels) conditions.push(labels);
  const search = searchCondition(filter?.search);
  if (search) conditions.push(search);
  const messageSearch = messageSearchCondition(filter?.messageSearch);
  if (messageSearch) conditions.push(messageSearch);
  return conditions;
}

/**
 * Whether a filter narrows the list by nothing but its state (`archived`, `includeWorkloadSessions`):
 * the list a client opens before the user filters anything. Its statement text is one of a few, and
 * one plan suits every workspace, so it can be prepared (list.ts). The other dimensions draw their
 * plans from their values (how rare a label or a model is), which a prepared plan would not see.
 */
export function narrowsByStateOnly(filter: SessionFilter | null | undefined): boolean {
  // Named by what may be set rather than by what may not: a dimension added later is planned per request until listed here.
  return !filter || Object.entries(filter).every(([key, value]) => value == null || STATE_KEYS.has(key));
}

const STATE_KEYS: ReadonlySet<string> = new Set<keyof SessionFilter>(['archived', 'includeWorkloadSessions']);

/**
 * Filters of up to this many label keys are one semi-join per key; more keys, one correlated count.
 * A semi-join per key lets PostgreSQL estimate from the label index how many sessions match and
 * pick its plan: a rare label (50 of 10,000 sessions) is read off the index and its sessions sorted
 * (1 ms, where the correlated count walked the workspace until 50 matched: 180 ms); a common one
 * is hashed beside the page's index scan (10 ms). But the planning time of one semi-join per key
 * grows steeply with the keys (0.3 s at 64 keys, 7.6 s at 200), so larger filters take the count.
 */
const MAX_KEYS_AS_SEMI_JOINS = 4;

/**
 * The session has a wanted value for every wanted key. Beyond MAX_KEYS_AS_SEMI_JOINS keys: one
 * correlated count over the session's labels, whatever the number of keys, with pairs compared
 * as `<key length>:<key><value>`, which no other key and value spell, in one hashed `= ANY` per
 * label row.
 */
function labelCondition(labels: SessionFilter['labels']): Prisma.Sql | null {
  if (!labels) return null;
  const wanted = new Map<string, Set<string>>();
  for (const label of labels) {
    const values = wanted.get(label.key) ?? new Set<string>();
    for (const value of label.values) values.add(value);
    wanted.set(label.key, values);
  }
  if (wanted.size === 0) return null;
  if (wanted.size <= MAX_KEYS_AS_SEMI_JOINS) {
    return allOf(
      [...wanted].map(
        ([key, values]) =>
          Prisma.sql`s.id IN (SELECT l.session_id FROM session_labels l WHERE l.key = ${key} AND l.value = ANY(${[...values]}::text[]))`,
      ),
    );
  }
  const pairs = [...wanted].flatMap(([key, values]) => [...values].map((value) => `${Array.from(key).length}:${key}${value}`));
  return Prisma.sql`(SELECT count(DISTINCT l.key) FROM session_labels l
     WHERE l.session_id = s.id AND length(l.key)::text || ':' || l.key || l.value = ANY(${pairs}::text[])) = ${wanted.size}`;
}

/** The fields of a session row the in-memory match reads. */
export interface FilterableSession {
  id: string;
  userId: string | null;
  projectId: string | null;
  agent: string | null;
  model: string | null;
  origin: SessionOrigin;
  archivedAt: Date | null;
}

/**
 * sessionFilterConditions for one row at hand, without the database (live feeds match every event
 * with it): every dimension but labels and search, which `matchesTextFilters` checks in SQL.
 * `archived` is left out when `ignoreArchived` (an archive or unarchive event is news to a list of
 * either state).
 */
export function matchesFilter(session: FilterableSession, filter: SessionFilter | null | undefined, ignoreArchived = false): boolean {
  const archived = filter?.archived ?? 'ACTIVE';
  if (!ignoreArchived && archived === 'ACTIVE' && session.archivedAt !== null) return false;
  if (!ignoreArchived && archived === 'ARCHIVED' && session.archivedAt === null) return false;
  if (!filter?.includeWorkloadSessions && WORKLOAD_ORIGINS.includes(session.origin)) return false;
  const within = <T>(values: readonly T[] | null | undefined, value: T | null) => !values || (value !== null && values.includes(value));
  return (
    within(filter?.origins, session.origin) &&
    within(filter?.userIds && lower(filter.userIds), session.userId) &&
    within(filter?.projectIds && lower(filter.projectIds), session.projectId) &&
    within(filter?.agents, session.agent) &&
    within(filter?.models, session.model)
  );
}

/** Whether the filter has dimensions only the database can match (labels, search). */
export const hasTextFilters = (filter: SessionFilter | null | undefined) => Boolean(filter?.labels || filter?.search);

/** The labels and search dimensions of the filter for one session, in one statement. */
export async function matchesTextFilters(prisma: PrismaClient, sessionId: string, filter: SessionFilter): Promise<boolean> {
  const conditions = sessionFilterConditions({
    labels: filter.labels,
    search: filter.search,
    archived: 'ANY',
    includeWorkloadSessions: true,
  });
  if (conditions.length === 0) return true;
  const rows = await prisma.$queryRaw<unknown[]>`
    SELECT 1 FROM sessions s WHERE s.id = ${sessionId}::uuid AND ${Prisma.join(conditions, ' AND ')}`;
  return rows.length > 0;
}
