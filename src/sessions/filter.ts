import { Prisma } from '../generated/prisma/client.js';
import type { SessionOrigin } from '../generated/prisma/enums.js';
import { searchCondition } from './search.js';

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
  includeWorkloadSessions?: boolean | null;
}

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
  const labelsByKey = new Map<string, string[]>();
  for (const label of filter?.labels ?? []) {
    labelsByKey.set(label.key, [...(labelsByKey.get(label.key) ?? []), ...label.values]);
  }
  for (const [key, values] of labelsByKey) {
    conditions.push(
      Prisma.sql`EXISTS (SELECT 1 FROM session_labels l WHERE l.session_id = s.id AND l.key = ${key} AND l.value = ANY(${values}::text[]))`,
    );
  }
  const search = searchCondition(filter?.search);
  if (search) conditions.push(search);
  return conditions;
}
