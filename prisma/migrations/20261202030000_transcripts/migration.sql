-- Transcripts that scale with agent runs (docs/api.md, Transcript): forks with their lineage,
-- non-destructive compaction, and full-text search inside messages.

-- Fork lineage: the session and the seq a fork was copied from. A deleted source leaves its forks
-- with no lineage (SET NULL) rather than deleting them: a fork is a session of its own.
-- Compaction is a prefix of the transcript (every message with seq <= compacted_up_to_seq), so the
-- mark is one column of the session: compacting never rewrites message rows, whatever their number.
-- AlterTable
ALTER TABLE "sessions" ADD COLUMN "forked_from_id" UUID,
ADD COLUMN "forked_from_seq" INTEGER,
ADD COLUMN "compacted_up_to_seq" INTEGER NOT NULL DEFAULT 0;

-- A compaction's summary message names the seq its compaction covers (null on other messages).
-- AlterTable
ALTER TABLE "session_messages" ADD COLUMN "compaction_up_to_seq" INTEGER;

-- AddForeignKey
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_forked_from_id_fkey" FOREIGN KEY ("forked_from_id") REFERENCES "sessions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- The forks of a session, in creation order (Session.forks pages through this index).
-- CreateIndex
CREATE INDEX "sessions_forked_from_id_created_at_id_idx" ON "sessions"("forked_from_id", "created_at", "id");

-- Search inside messages: the 'simple' configuration, as the session search uses. The document is
-- the content's first 100,000 characters: a tsvector holds at most 1 MB, and a longer message of
-- distinct words would otherwise fail to be stored. The query must repeat this expression exactly
-- (src/sessions/message-search.ts) for the planner to use the index. Prisma's schema language
-- cannot declare an expression index, so schema.prisma does not list it.
CREATE INDEX "session_messages_content_search_idx" ON "session_messages" USING GIN (to_tsvector('simple'::regconfig, left("content", 100000)));
