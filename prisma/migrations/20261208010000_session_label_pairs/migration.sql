-- A session's labels as the API shows them, kept on its row (docs/performance.md, Against
-- PostGraphile). A list reads its page's labels with every request; aggregating them from
-- session_labels was most of PostgreSQL's work for a page's details (830 against 305 µs per
-- statement with them read from here, one connection). session_labels stays the source of truth
-- (filters, facets and search read it); the trigger that already keeps the search document in
-- step with it keeps this column too, in the same update of the session's row.
--
-- The value is a JSON array of [key, value] pairs sorted by key, then value, in code-point order
-- (COLLATE "C"), as src/sessions/details.ts reads it. `json`, not `jsonb`: it is only ever read
-- whole, and json is sent as the text it was stored as.

-- AlterTable
ALTER TABLE "sessions" ADD COLUMN "label_pairs" JSON NOT NULL DEFAULT '[]'::json;

CREATE FUNCTION "session_label_pairs"(sid UUID) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT COALESCE(json_agg(json_build_array(l.key, l.value) ORDER BY l.key COLLATE "C", l.value COLLATE "C"), '[]'::json)
    FROM "session_labels" l
   WHERE l.session_id = sid
$$;

CREATE OR REPLACE FUNCTION "session_labels_refresh_search"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  sid UUID := CASE WHEN TG_OP = 'DELETE' THEN OLD.session_id ELSE NEW.session_id END;
BEGIN
  UPDATE "sessions" s
     SET search_vector = "session_search_vector"(s.id, s.title, s.model, s.agent),
         search_text = "session_search_text"(s.id, s.title, s.model, s.agent),
         label_pairs = "session_label_pairs"(s.id)
   WHERE s.id = sid;
  IF TG_OP = 'UPDATE' AND OLD.session_id <> NEW.session_id THEN
    UPDATE "sessions" s
       SET search_vector = "session_search_vector"(s.id, s.title, s.model, s.agent),
           search_text = "session_search_text"(s.id, s.title, s.model, s.agent),
           label_pairs = "session_label_pairs"(s.id)
     WHERE s.id = OLD.session_id;
  END IF;
  RETURN NULL;
END
$$;

-- Back-fill the sessions that have labels.
UPDATE "sessions" s
   SET label_pairs = "session_label_pairs"(s.id)
 WHERE EXISTS (SELECT 1 FROM "session_labels" l WHERE l.session_id = s.id);
