import { Prisma, type PrismaClient } from '../../src/generated/prisma/client.js';

/** The rows a snapshot covers: the fuzz tenants' workspaces and whatever their users own. */
export interface DigestScope {
  workspaceIds: string[];
  userIds: string[];
}

export const digestScope = (workspaceIds: string[], userIds: string[]): DigestScope => ({ workspaceIds, userIds });

/**
 * A fingerprint of every row in scope: one MD5 per row over all its columns (`row_to_json`, so a
 * column added later is covered without touching this file), keyed by id where rows have one.
 * Two equal digests mean no row was added, removed or changed; a difference names the row.
 * Tokens leave out `last_used_at`, which authentication refreshes on its own (once a minute).
 */
export interface TenantDigest {
  sessions: Record<string, string>;
  labels: string[];
  messages: Record<string, string>;
  usageRollups: Record<string, string>;
  organizations: string[];
  workspaces: string[];
  memberships: string[];
  users: string[];
  tokens: string[];
}

export async function tenantDigest(prisma: PrismaClient, scope: DigestScope): Promise<TenantDigest> {
  const workspaces = Prisma.sql`${scope.workspaceIds}::uuid[]`;
  const users = Prisma.sql`${scope.userIds}::uuid[]`;
  const [row] = await prisma.$queryRaw<TenantDigest[]>`
    WITH s AS (SELECT * FROM sessions WHERE workspace_id = ANY(${workspaces}) OR user_id = ANY(${users})),
         w AS (SELECT * FROM workspaces WHERE id = ANY(${workspaces}))
    SELECT
      (SELECT coalesce(json_object_agg(s.id, md5(row_to_json(s)::text)), '{}'::json) FROM s) AS sessions,
      (SELECT coalesce(json_agg(h ORDER BY h), '[]'::json) FROM
         (SELECT md5(row_to_json(l)::text) AS h FROM session_labels l WHERE l.session_id IN (SELECT id FROM s)) x) AS labels,
      (SELECT coalesce(json_object_agg(m.id, md5(row_to_json(m)::text)), '{}'::json)
         FROM session_messages m WHERE m.session_id IN (SELECT id FROM s)) AS messages,
      (SELECT coalesce(json_object_agg(r.session_id, md5(row_to_json(r)::text)), '{}'::json)
         FROM session_usage_rollups r WHERE r.session_id IN (SELECT id FROM s)) AS "usageRollups",
      (SELECT coalesce(json_agg(h ORDER BY h), '[]'::json) FROM
         (SELECT md5(row_to_json(o)::text) AS h FROM organizations o WHERE o.id IN (SELECT org_id FROM w)) x) AS organizations,
      (SELECT coalesce(json_agg(md5(row_to_json(w)::text) ORDER BY w.id), '[]'::json) FROM w) AS workspaces,
      (SELECT coalesce(json_agg(h ORDER BY h), '[]'::json) FROM
         (SELECT md5(row_to_json(m)::text) AS h FROM memberships m
           WHERE m.workspace_id = ANY(${workspaces}) OR m.user_id = ANY(${users})) x) AS memberships,
      (SELECT coalesce(json_agg(md5(row_to_json(u)::text) ORDER BY u.id), '[]'::json) FROM users u WHERE u.id = ANY(${users})) AS users,
      (SELECT coalesce(json_agg(h ORDER BY h), '[]'::json) FROM
         (SELECT md5(json_build_array(t.id, t.user_id, t.token_hash, t.kind, t.name, t.expires_at, t.revoked_at, t.created_at)::text) AS h
            FROM api_tokens t WHERE t.user_id = ANY(${users})) x) AS tokens`;
  if (!row) throw new Error('tenantDigest: no row');
  return row;
}

/** The ids of the sessions in a digest, in a stable order (fuzzed ids pick from them). */
export const sessionIdsOf = (digest: TenantDigest): string[] => Object.keys(digest.sessions).sort();
