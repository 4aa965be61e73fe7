-- Full-text search over sessions (SES-LST-007): title, model, agent, label values and key:value
-- pairs. Triggers keep the document current whoever writes the rows, so the application never
-- computes it and a direct write cannot leave it stale.

-- AlterTable
ALTER TABLE "sessions" ADD COLUMN "search_vector" tsvector,
ADD COLUMN "search_text" TEXT;

-- The searchable text of a session: its fields and label values (parsed by the 'simple'
-- configuration: lower-cased words, no stemming, no stop words, as model and agent names need),
-- plus one verbatim lexeme per label pair, "key:value" lower-cased, which the parser would
-- otherwise split in two.
CREATE FUNCTION "session_search_vector"(sid UUID, title TEXT, model TEXT, agent TEXT) RETURNS tsvector
LANGUAGE sql STABLE AS $$
  SELECT to_tsvector('simple', concat_ws(' ', title, model, agent, string_agg(l.value, ' ')))
         || array_to_tsvector(COALESCE(array_agg(DISTINCT lower(l.key || ':' || l.value)) FILTER (WHERE l.key IS NOT NULL), '{}'))
    FROM (SELECT 1) AS one
    LEFT JOIN "session_labels" l ON l.session_id = sid
$$;

CREATE FUNCTION "session_search_text"(sid UUID, title TEXT, model TEXT, agent TEXT) RETURNS TEXT
LANGUAGE sql STABLE AS $$
  SELECT lower(concat_ws(' ', title, model, agent, string_agg(l.value || ' ' || l.key || ':' || l.value, ' ')))
    FROM (SELECT 1) AS one
    LEFT JOIN "session_labels" l ON l.session_id = sid
$$;

CREATE FUNCTION "sessions_search_fields"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_vector := "session_search_vector"(NEW.id, NEW.title, NEW.model, NEW.agent);
  NEW.search_text := "session_search_text"(NEW.id, NEW.title, NEW.model, NEW.agent);
  RETURN NEW;
END
$$;

CREATE FUNCTION "session_labels_refresh_search"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  sid UUID := CASE WHEN TG_OP = 'DELETE' THEN OLD.session_id ELSE NEW.session_id END;
BEGIN
  UPDATE "sessions" s
     SET search_vector = "session_search_vector"(s.id, s.title, s.model, s.agent),
         search_text = "session_search_text"(s.id, s.title, s.model, s.agent)
   WHERE s.id = sid;
  IF TG_OP = 'UPDATE' AND OLD.session_id <> NEW.session_id THEN
    UPDATE "sessions" s
       SET search_vector = "session_search_vector"(s.id, s.title, s.model, s.agent),
           search_text = "session_search_text"(s.id, s.title, s.model, s.agent)
     WHERE s.id = OLD.session_id;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "sessions_search_fields"
  BEFORE INSERT OR UPDATE OF "title", "model", "agent" ON "sessions"
  FOR EACH ROW EXECUTE FUNCTION "sessions_search_fields"();

CREATE TRIGGER "session_labels_refresh_search"
  AFTER INSERT OR UPDATE OR DELETE ON "session_labels"
  FOR EACH ROW EXECUTE FUNCTION "session_labels_refresh_search"();

-- Back-fill sessions that existed before this migration.
UPDATE "sessions" s
   SET search_vector = "session_search_vector"(s.id, s.title, s.model, s.agent),
       search_text = "session_search_text"(s.id, s.title, s.model, s.agent);

-- CreateIndex
CREATE INDEX "sessions_search_vector_idx" ON "sessions" USING GIN ("search_vector");
