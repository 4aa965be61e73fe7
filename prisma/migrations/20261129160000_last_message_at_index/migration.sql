-- Sessions ordered by lastMessageAt list those without messages as the smallest values:
-- ASC NULLS FIRST, and DESC NULLS LAST. PostgreSQL's default index order is the opposite (nulls
-- largest), so the plain index could not serve that order and every such page sorted the whole
-- workspace. Rebuilt in the list's order; read backwards it gives DESC NULLS LAST.
-- (schema.prisma keeps declaring the index on the same columns: its language has no NULLS FIRST.)

-- DropIndex
DROP INDEX "sessions_workspace_id_last_message_at_id_idx";

-- CreateIndex
CREATE INDEX "sessions_workspace_id_last_message_at_id_idx" ON "sessions"("workspace_id", "last_message_at" ASC NULLS FIRST, "id");
