import type { Prisma } from '../generated/prisma/client.js';
import type { SessionOrigin } from '../generated/prisma/enums.js';

export type ArchivedState = 'ACTIVE' | 'ARCHIVED' | 'ANY';

export interface SessionFilter {
  userIds?: string[] | null;
  projectIds?: string[] | null;
  agents?: string[] | null;
  models?: string[] | null;
  origins?: SessionOrigin[] | null;
  archived?: ArchivedState | null;
  labels?: { key: string; values: string[] }[] | null;
  includeWorkloadSessions?: boolean | null;
}

/** Origins that mark platform workloads, hidden unless asked for (SES-LST-009). */
export const WORKLOAD_ORIGINS: readonly SessionOrigin[] = ['EVAL', 'OPTIMIZATION', 'TRAINING', 'WORLD'];

const lower = (ids: string[]) => ids.map((id) => id.toLowerCase());

/**
 * The filter as a Prisma condition. Values are OR-ed within a dimension and dimensions AND-ed
 * (SES-LST-006); label values OR within a key, keys AND-ed (SES-LBL-050/051/052). An explicit
 * workload origin without includeWorkloadSessions matches nothing (SES-LST-015). Filters only
 * narrow: access is applied separately (visibleSessionsWhere).
 */
export function sessionFilterWhere(filter: SessionFilter | null | undefined): Prisma.SessionWhereInput {
  const and: Prisma.SessionWhereInput[] = [];
  const archived = filter?.archived ?? 'ACTIVE';
  if (archived === 'ACTIVE') and.push({ archivedAt: null });
  if (archived === 'ARCHIVED') and.push({ archivedAt: { not: null } });
  if (!filter?.includeWorkloadSessions) and.push({ origin: { notIn: [...WORKLOAD_ORIGINS] } });
  if (filter?.origins) and.push({ origin: { in: filter.origins } });
  if (filter?.userIds) and.push({ userId: { in: lower(filter.userIds) } });
  if (filter?.projectIds) and.push({ projectId: { in: lower(filter.projectIds) } });
  if (filter?.agents) and.push({ agent: { in: filter.agents } });
  if (filter?.models) and.push({ model: { in: filter.models } });
  const labelsByKey = new Map<string, string[]>();
  for (const label of filter?.labels ?? []) {
    labelsByKey.set(label.key, [...(labelsByKey.get(label.key) ?? []), ...label.values]);
  }
  for (const [key, values] of labelsByKey) and.push({ labels: { some: { key, value: { in: values } } } });
  return { AND: and };
}
