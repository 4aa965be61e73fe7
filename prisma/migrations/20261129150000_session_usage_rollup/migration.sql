-- Per-session usage rollup. The contract derives usage from the messages, and they stay the
-- source of truth; but summing thousands of message rows for every session of every list page
-- is too slow. Statement-level triggers keep one row per session in step with its messages, in
-- the same transaction as the write, whoever writes them. Appends add the batch's sums; the
-- rarer updates and deletes recompute the sessions they touched from their messages.
--
-- The rules are API.md's: a generation is an ASSISTANT message that carries usage (input_tokens
-- set); token and cost totals are over generations, tool calls over every message; the total
-- cost is unknown (NULL for clients) as soon as one generation has no cost; the last generation
-- is the one with the highest seq.

-- CreateTable
CREATE TABLE "session_usage_rollups" (
    "session_id" UUID NOT NULL,
    "input_tokens" BIGINT NOT NULL DEFAULT 0,
    "output_tokens" BIGINT NOT NULL DEFAULT 0,
    "cache_read_input_tokens" BIGINT NOT NULL DEFAULT 0,
    "cache_creation_input_tokens" BIGINT NOT NULL DEFAULT 0,
    "tool_call_count" BIGINT NOT NULL DEFAULT 0,
    "cost_usd" DECIMAL(30,10) NOT NULL DEFAULT 0,
    "cost_unknown" BOOLEAN NOT NULL DEFAULT false,
    "last_generation_seq" INTEGER,
    "last_generation_input_tokens" INTEGER,

    CONSTRAINT "session_usage_rollups_pkey" PRIMARY KEY ("session_id")
);

-- AddForeignKey
ALTER TABLE "session_usage_rollups" ADD CONSTRAINT "session_usage_rollups_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The rule, in one place: the rollup of some message rows, one row per session. The triggers
-- pass the rows they see (transition tables) as an array of the table's row type.
CREATE FUNCTION "session_usage_of"(messages "session_messages"[]) RETURNS SETOF "session_usage_rollups"
LANGUAGE sql IMMUTABLE AS $$
  SELECT session_id,
         COALESCE(SUM(input_tokens) FILTER (WHERE generation), 0)::bigint,
         COALESCE(SUM(COALESCE(output_tokens, 0)) FILTER (WHERE generation), 0)::bigint,
         COALESCE(SUM(COALESCE(cache_read_input_tokens, 0)) FILTER (WHERE generation), 0)::bigint,
         COALESCE(SUM(COALESCE(cache_creation_input_tokens, 0)) FILTER (WHERE generation), 0)::bigint,
         COALESCE(SUM(CASE WHEN jsonb_typeof(tool_calls) = 'array' THEN jsonb_array_length(tool_calls) ELSE 0 END), 0)::bigint,
         COALESCE(SUM(cost_usd) FILTER (WHERE generation), 0)::decimal(30,10),
         COALESCE(bool_or(generation AND cost_usd IS NULL), false),
         MAX(seq) FILTER (WHERE generation),
         (array_agg(input_tokens ORDER BY seq DESC) FILTER (WHERE generation))[1]
    FROM (SELECT m.*, (m.role = 'ASSISTANT' AND m.input_tokens IS NOT NULL) AS generation FROM unnest(messages) AS m) AS m
   GROUP BY session_id
$$;

-- Appends add the batch's rollup to the session's: no transcript is read again.
CREATE FUNCTION "session_usage_add"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "session_usage_rollups" AS u
  SELECT * FROM "session_usage_of"(ARRAY(SELECT a::"session_messages" FROM added a))
  ON CONFLICT (session_id) DO UPDATE SET
    input_tokens = u.input_tokens + EXCLUDED.input_tokens,
    output_tokens = u.output_tokens + EXCLUDED.output_tokens,
    cache_read_input_tokens = u.cache_read_input_tokens + EXCLUDED.cache_read_input_tokens,
    cache_creation_input_tokens = u.cache_creation_input_tokens + EXCLUDED.cache_creation_input_tokens,
    tool_call_count = u.tool_call_count + EXCLUDED.tool_call_count,
    cost_usd = u.cost_usd + EXCLUDED.cost_usd,
    cost_unknown = u.cost_unknown OR EXCLUDED.cost_unknown,
    -- GREATEST ignores NULLs: a batch without a generation keeps the session's last one.
    last_generation_seq = GREATEST(u.last_generation_seq, EXCLUDED.last_generation_seq),
    last_generation_input_tokens = CASE
      WHEN EXCLUDED.last_generation_seq IS NOT NULL AND (u.last_generation_seq IS NULL OR EXCLUDED.last_generation_seq > u.last_generation_seq)
      THEN EXCLUDED.last_generation_input_tokens ELSE u.last_generation_input_tokens END;
  RETURN NULL;
END
$$;

-- Updates and deletes of messages (rare) recompute the sessions they touched from what is
-- stored. A session whose messages are all gone, or that is gone itself, keeps no rollup row.
CREATE FUNCTION "session_usage_recompute"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  touched UUID[];
BEGIN
  IF TG_OP = 'UPDATE' THEN
    touched := ARRAY(SELECT session_id FROM old_rows UNION SELECT session_id FROM new_rows);
  ELSE
    touched := ARRAY(SELECT DISTINCT session_id FROM old_rows);
  END IF;
  DELETE FROM "session_usage_rollups" WHERE session_id = ANY(touched);
  INSERT INTO "session_usage_rollups"
  SELECT * FROM "session_usage_of"(ARRAY(SELECT m FROM "session_messages" m WHERE m.session_id = ANY(touched)));
  RETURN NULL;
END
$$;

CREATE TRIGGER "session_usage_add"
  AFTER INSERT ON "session_messages" REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION "session_usage_add"();

CREATE TRIGGER "session_usage_recompute_update"
  AFTER UPDATE ON "session_messages" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "session_usage_recompute"();

CREATE TRIGGER "session_usage_recompute_delete"
  AFTER DELETE ON "session_messages" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "session_usage_recompute"();

-- Back-fill sessions that have messages from before this migration, one session at a time.
INSERT INTO "session_usage_rollups"
SELECT u.* FROM "sessions" s
 CROSS JOIN LATERAL "session_usage_of"(ARRAY(SELECT m FROM "session_messages" m WHERE m.session_id = s.id)) AS u;
