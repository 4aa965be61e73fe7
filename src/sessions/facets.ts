import type { PrismaClient } from '../generated/prisma/client.js';
import { visibleSessionsSql, type WorkspaceAccess } from '../auth/access.js';
import { sessionFilterConditions, type SessionFilter } from './filter.js';
import { allOf } from './sql.js';

export interface FacetValue {
  value: string;
  count: number;
}

export interface SessionFacets {
  labels: { key: string; values: FacetValue[] }[];
  agents: FacetValue[];
  models: FacetValue[];
  origins: FacetValue[];
  users: FacetValue[];
}

interface FacetRow {
  dimension: 'label' | 'agent' | 'model' | 'origin' | 'user';
  key: string | null;
  value: string;
  count: number;
}

/**
 * Value counts per dimension over the sessions the caller can see under the filter, in one
 * statement: the same visibility and filter conditions as the list, grouped in SQL. Null agents,
 * models and owners are not values; label keys without a matching session do not appear
 * (SES-LBL-061). Order: count descending, then value in code-point order (COLLATE "C").
 */
export async function sessionFacets(
  prisma: PrismaClient,
  access: WorkspaceAccess,
  filter: SessionFilter | null | undefined,
): Promise<SessionFacets> {
  const where = allOf([visibleSessionsSql(access), ...sessionFilterConditions(filter)]);
  const rows = await prisma.$queryRaw<FacetRow[]>`
    WITH f AS MATERIALIZED (SELECT s.id, s.agent, s.model, s.origin, s.user_id FROM sessions s WHERE ${where})
    SELECT * FROM (
      SELECT 'agent' AS dimension, NULL AS key, agent AS value, count(*)::int AS count FROM f WHERE agent IS NOT NULL GROUP BY agent
      UNION ALL
      SELECT 'model', NULL, model, count(*)::int FROM f WHERE model IS NOT NULL GROUP BY model
      UNION ALL
      SELECT 'origin', NULL, origin::text, count(*)::int FROM f GROUP BY origin
      UNION ALL
      SELECT 'user', NULL, user_id::text, count(*)::int FROM f WHERE user_id IS NOT NULL GROUP BY user_id
      UNION ALL
      SELECT 'label', l.key, l.value, count(*)::int FROM f JOIN session_labels l ON l.session_id = f.id GROUP BY l.key, l.value
    ) facets
    ORDER BY dimension, key COLLATE "C", count DESC, value COLLATE "C"`;
  const facets: SessionFacets = { labels: [], agents: [], models: [], origins: [], users: [] };
  const plain = { agent: facets.agents, model: facets.models, origin: facets.origins, user: facets.users };
  for (const row of rows) {
    const entry = { value: row.value, count: row.count };
    if (row.dimension !== 'label') {
      plain[row.dimension].push(entry);
      continue;
    }
    const last = facets.labels.at(-1);
    if (last?.key === row.key) last.values.push(entry);
    else facets.labels.push({ key: row.key!, values: [entry] });
  }
  return facets;
}
