import { Prisma } from '../generated/prisma/client.js';

/**
 * The columns of a session row for raw queries over `sessions s`, named and typed exactly as
 * Prisma's `Session` model, so rows from raw SQL and from the client are interchangeable.
 */
export const SESSION_COLUMNS = Prisma.sql`
  s.id::text AS "id", s.workspace_id::text AS "workspaceId", s.user_id::text AS "userId",
  s.project_id::text AS "projectId", s.runtime_id::text AS "runtimeId", s.group_id::text AS "groupId",
  s.agent, s.model, s.title, s.preview_text AS "previewText", s.message_count AS "messageCount",
  s.visibility::text AS "visibility", s.origin::text AS "origin", s.archived_at AS "archivedAt",
  s.frozen_at AS "frozenAt", s.frozen_by AS "frozenBy", s.created_at AS "createdAt",
  s.updated_at AS "updatedAt", s.last_message_at AS "lastMessageAt", s.forked_from_id::text AS "forkedFromId",
  s.forked_from_seq AS "forkedFromSeq", s.compacted_up_to_seq AS "compactedUpToSeq"`;

/** AND of conditions; TRUE when there are none. */
export function allOf(conditions: Prisma.Sql[]): Prisma.Sql {
  return conditions.length === 0 ? Prisma.sql`TRUE` : Prisma.join(conditions, ' AND ', '(', ')');
}
