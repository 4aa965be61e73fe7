-- Forks without re-indexing (docs/performance.md, Transcripts). A fork copies up to thousands of
-- messages whose content is already in the message-search index; indexing each copy again was
-- most of a fork's time (a 20,000-message fork: 1.4 to 2.2 s, of which 0.7 to 1.4 s was the GIN
-- index). A copy now names the first-hand message whose content it repeats (copies of copies name
-- the first-hand one too), the index holds first-hand messages only, and the search reaches each
-- copy from its first-hand match. Message content is never rewritten, so a copy's content stays
-- its first-hand message's.

-- AlterTable
ALTER TABLE "session_messages" ADD COLUMN "copy_of_id" UUID;

-- The search index, of first-hand messages only (the query must repeat both the expression and
-- the predicate, src/sessions/message-search.ts).
DROP INDEX "session_messages_content_search_idx";
CREATE INDEX "session_messages_content_search_idx" ON "session_messages" USING GIN (to_tsvector('simple'::regconfig, left("content", 100000))) WHERE "copy_of_id" IS NULL;

-- From a first-hand match to its copies (and to the copies left behind when it is deleted).
CREATE INDEX "session_messages_copy_of_id_idx" ON "session_messages"("copy_of_id") WHERE "copy_of_id" IS NOT NULL;

-- Not a foreign key: a copy outlives the message it repeats (its source session may be deleted),
-- and a per-row check would cost a fork one lookup per copied message. When first-hand messages
-- are deleted, their copies become first-hand themselves and enter the index: the indexing a fork
-- skipped is paid then, by the deletion of a session that has forks, and only for those copies.
CREATE FUNCTION "session_messages_release_copies"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "session_messages" SET "copy_of_id" = NULL WHERE "copy_of_id" IN (SELECT "id" FROM gone);
  RETURN NULL;
END
$$;

CREATE TRIGGER "session_messages_release_copies" AFTER DELETE ON "session_messages"
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION "session_messages_release_copies"();
