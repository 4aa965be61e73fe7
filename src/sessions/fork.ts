import type { PrismaClient, Session } from '../generated/prisma/client.js';
import { requireWriter, type WorkspaceAccess } from '../auth/access.js';
import { AppError, badUserInput, notFound } from '../errors.js';
import { validateText } from './input-rules.js';
import { SESSION_COLUMNS } from './sql.js';
import { PREVIEW_LENGTH } from './transcript-append.js';
import { findVisibleSession } from './visible-session.js';

export interface ForkSessionInput {
  atSeq: number;
  newId: string;
  title?: string | null;
}

const alreadyExists = () => new AppError('ALREADY_EXISTS', 'A session with this id already exists');

/**
 * forkSession (docs/api.md, Forks): a new session owned by the caller, PRIVATE, with the source's
 * messages up to `atSeq` copied in one INSERT … SELECT (new message ids, parentIds that point
 * inside the copy remapped to the copies), its labels, model, agent, project and title (unless
 * given), and its lineage.
 * The copy's usage rollup is written by the same statement-level trigger as an append's. The
 * compaction state is the source's as it stood at `atSeq`: the boundary of the last summary copied.
 *
 * The source is only read: its messages up to `atSeq` never change, and `FOR KEY SHARE` keeps it
 * from being deleted meanwhile without waiting for (or holding up) its appends. Saving the same
 * fork again (same caller, source and seq) returns it; any other existing id is ALREADY_EXISTS.
 * `created` is false for such a repeat (live subscribers hear of a fork once).
 */
export async function forkSession(
  prisma: PrismaClient,
  access: WorkspaceAccess,
  idOrPrefix: string,
  input: ForkSessionInput,
): Promise<{ session: Session; created: boolean }> {
  requireWriter(access);
  const items = validateText(input.title, ['input', 'title'], { max: 1000 });
  if (items.length > 0) throw badUserInput('Invalid fork', items);
  const source = await findVisibleSession(prisma, access, idOrPrefix);
  const newId = input.newId.toLowerCase();
  const { atSeq } = input;

  return prisma.$transaction(async (tx) => {
    const [held] = await tx.$queryRaw<{ lastSeq: number }[]>`
      SELECT COALESCE((SELECT max(seq) FROM session_messages WHERE session_id = s.id), 0)::int AS "lastSeq"
        FROM sessions s WHERE s.id = ${source.id}::uuid FOR KEY SHARE`;
    if (!held) throw notFound('Session');
    if (atSeq > held.lastSeq) {
      throw badUserInput('Invalid fork', [
        { loc: ['input', 'atSeq'], msg: `The session's last seq is ${held.lastSeq}`, type: 'seq_out_of_range' },
      ]);
    }

    const inserted = await tx.$executeRaw`
      INSERT INTO sessions (id, workspace_id, user_id, project_id, agent, model, title, preview_text, message_count,
                            visibility, origin, last_message_at, forked_from_id, forked_from_seq, compacted_up_to_seq)
      SELECT ${newId}::uuid, s.workspace_id, ${access.principal.userId}::uuid, s.project_id, s.agent, s.model,
             ${input.title === undefined ? source.title : input.title}::text, NULL, c.count, 'PRIVATE', 'USER', c.last_at,
             s.id, ${atSeq}, c.compacted
        FROM sessions s,
             LATERAL (SELECT count(*)::int AS count, max(created_at) AS last_at,
                             COALESCE(max(compaction_up_to_seq), 0) AS compacted
                        FROM session_messages WHERE session_id = s.id AND seq <= ${atSeq}) c
       WHERE s.id = ${source.id}::uuid
      ON CONFLICT (id) DO NOTHING`;
    if (inserted === 0) {
      const [existing] = await tx.$queryRaw<Session[]>`SELECT ${SESSION_COLUMNS} FROM sessions s WHERE s.id = ${newId}::uuid`;
      const retry = existing?.userId === access.principal.userId && existing.forkedFromId === source.id && existing.forkedFromSeq === atSeq;
      if (!retry) throw alreadyExists();
      return { session: existing, created: false };
    }

    await tx.$executeRaw`
      INSERT INTO session_labels (session_id, key, value)
      SELECT ${newId}::uuid, key, value FROM session_labels WHERE session_id = ${source.id}::uuid`;
    // One statement whatever the length: new ids, parents inside the copy mapped to their copies,
    // and each copy naming the first-hand message it repeats, which the search index holds in its
    // stead (copies are not indexed again: that was most of a long fork's time).
    await tx.$executeRaw`
      WITH copy AS (
        SELECT m.*, gen_random_uuid() AS new_id FROM session_messages m
         WHERE m.session_id = ${source.id}::uuid AND m.seq <= ${atSeq}
      )
      INSERT INTO session_messages (id, session_id, seq, role, content, parent_id, tool_call_id, tool_calls, metadata,
                                    input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens,
                                    cost_usd, created_at, compaction_up_to_seq, copy_of_id)
      SELECT c.new_id, ${newId}::uuid, c.seq, c.role, c.content, COALESCE(p.new_id, c.parent_id), c.tool_call_id, c.tool_calls,
             c.metadata, c.input_tokens, c.output_tokens, c.cache_read_input_tokens, c.cache_creation_input_tokens,
             c.cost_usd, c.created_at, c.compaction_up_to_seq, COALESCE(c.copy_of_id, c.id)
        FROM copy c LEFT JOIN copy p ON p.id = c.parent_id`;
    // The preview is the first USER message's start (SES-LST-011), as an append would have set it.
    await tx.$executeRaw`
      UPDATE sessions SET preview_text = (
        SELECT left(content, ${PREVIEW_LENGTH}) FROM session_messages
         WHERE session_id = ${newId}::uuid AND role = 'USER' ORDER BY seq LIMIT 1)
       WHERE id = ${newId}::uuid`;
    const [created] = await tx.$queryRaw<Session[]>`SELECT ${SESSION_COLUMNS} FROM sessions s WHERE s.id = ${newId}::uuid`;
    return { session: created!, created: true };
  });
}
