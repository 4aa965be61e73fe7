import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { bootstrap } from '../../src/admin/provision.js';
import type { PrismaClient } from '../../src/generated/prisma/client.js';
import { MESSAGE_SPACING_SECONDS, planSessions, type PlannedSession } from './data.js';

/**
 * Writes the planned data set with plain multi-row INSERT … SELECT statements over arrays
 * (unnest) and generate_series, so the schema's triggers (search document, usage rollup, whatever
 * comes next) run as they do for the API's own writes. Only the bench's own tenant is touched.
 */

export const BENCH_ORG = 'bench';
export const BENCH_WORKSPACE = 'main';
/** Writes (saveSession, appendTranscript) go here, so the read scenarios see the same data each time. */
export const WRITES_WORKSPACE = 'writes';
export const BENCH_EMAIL = 'bench-01@bench.example';
export const APPEND_TARGET_TITLE = 'bench append target';
export const APPEND_TARGETS = 50;
/** Scenario (i) forks this session of `writes` (FORK_SOURCE_MESSAGES messages) at its last message. */
export const FORK_SOURCE_TITLE = 'bench fork source';
export const FORK_SOURCE_MESSAGES = 20_000;

const SESSION_CHUNK = 2000;
const LABEL_CHUNK = 5000;
/** Messages per INSERT statement: big enough to be fast, small enough to report progress. */
const MESSAGE_CHUNK = 60_000;
const PARALLEL_WRITERS = 2;

export interface SeedTimings {
  totalSeconds: number;
  phases: Record<string, number>;
}

type Progress = (message: string) => void;

async function timed<T>(phases: Record<string, number>, name: string, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await fn();
  } finally {
    phases[name] = Math.round(performance.now() - start) / 1000;
  }
}

const emailOf = (index: number) => `bench-${String(index + 1).padStart(2, '0')}@bench.example`;

async function insertUsers(pool: pg.Pool, workspaceId: string, firstUserId: string, users: number): Promise<string[]> {
  const emails = Array.from({ length: users - 1 }, (_, i) => emailOf(i + 1));
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO users (id, email, username, full_name)
     SELECT gen_random_uuid(), e, split_part(e, '@', 1), 'Bench User ' || split_part(split_part(e, '@', 1), '-', 2)
       FROM unnest($1::text[]) WITH ORDINALITY AS t(e, n) ORDER BY n
     RETURNING id::text AS id`,
    [emails],
  );
  const ids = [firstUserId, ...rows.map((row) => row.id)];
  await pool.query(`INSERT INTO memberships (workspace_id, user_id, role) SELECT $1::uuid, u, 'CONTRIBUTOR' FROM unnest($2::uuid[]) AS u`, [
    workspaceId,
    ids.slice(1),
  ]);
  return ids;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function insertSessions(pool: pg.Pool, workspaceId: string, userIds: string[], sessions: PlannedSession[]): Promise<void> {
  for (const chunk of chunks(sessions, SESSION_CHUNK)) {
    const lastMessageAt = (s: PlannedSession) =>
      s.messageCount === 0 ? null : new Date(s.createdAt.getTime() + s.messageCount * MESSAGE_SPACING_SECONDS * 1000);
    await pool.query(
      `INSERT INTO sessions (id, workspace_id, user_id, agent, model, title, message_count, visibility, origin,
                             archived_at, created_at, updated_at, last_message_at)
       SELECT id, $1::uuid, user_id, agent, model, title, message_count, visibility::"SessionVisibility",
              origin::"SessionOrigin", CASE WHEN archived THEN COALESCE(last_message_at, created_at) END,
              created_at, COALESCE(last_message_at, created_at), last_message_at
         FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::int[], $8::text[], $9::text[],
                     $10::boolean[], $11::timestamptz[], $12::timestamptz[])
           AS t(id, user_id, agent, model, title, message_count, visibility, origin, archived, created_at, last_message_at)`,
      [
        workspaceId,
        chunk.map((s) => s.id),
        chunk.map((s) => userIds[s.userIndex]!),
        chunk.map((s) => s.agent),
        chunk.map((s) => s.model),
        chunk.map((s) => s.title),
        chunk.map((s) => s.messageCount),
        chunk.map((s) => s.visibility),
        chunk.map((s) => s.origin),
        chunk.map((s) => s.archived),
        chunk.map((s) => s.createdAt),
        chunk.map(lastMessageAt),
      ],
    );
  }
}

async function insertLabels(pool: pg.Pool, sessions: PlannedSession[]): Promise<number> {
  const rows = sessions.flatMap((s) => s.labels.map((label) => ({ sessionId: s.id, ...label })));
  for (const chunk of chunks(rows, LABEL_CHUNK)) {
    await pool.query(`INSERT INTO session_labels (session_id, key, value) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])`, [
      chunk.map((r) => r.sessionId),
      chunk.map((r) => r.key),
      chunk.map((r) => r.value),
    ]);
  }
  return rows.length;
}

/**
 * Every session's transcript, generated in SQL from (session, seq): seq 1, 5, 9… are USER
 * questions, 3, 7… TOOL results, the even ones ASSISTANT generations with usage (every other one
 * with a tool call). Contents are 60 to 300 characters. Generations of local-llama sessions have
 * no cost.
 */
export const INSERT_MESSAGES = `
INSERT INTO session_messages (id, session_id, seq, role, content, tool_call_id, tool_calls, input_tokens, output_tokens,
                              cache_read_input_tokens, cache_creation_input_tokens, cost_usd, created_at)
SELECT gen_random_uuid(), s.id, g.seq,
       (CASE g.seq % 4 WHEN 1 THEN 'USER' WHEN 3 THEN 'TOOL' ELSE 'ASSISTANT' END)::"MessageRole",
       (CASE g.seq % 4 WHEN 1 THEN 'Question ' WHEN 3 THEN 'Result ' ELSE 'Answer ' END) || g.seq || ': '
         || left(repeat(md5(s.id::text || g.seq::text), 10), 50 + (g.seq * 37) % 250),
       CASE WHEN g.seq % 4 = 3 THEN 'call_' || (g.seq - 1) END,
       CASE WHEN g.seq % 4 = 2
            THEN jsonb_build_array(jsonb_build_object('id', 'call_' || g.seq, 'name', 'search', 'arguments', '{"query":"' || g.seq || '"}'))
            ELSE '[]'::jsonb END,
       CASE WHEN g.seq % 2 = 0 THEN 400 + (g.seq * 131) % 4000 END,
       CASE WHEN g.seq % 2 = 0 THEN 20 + (g.seq * 17) % 800 END,
       CASE WHEN g.seq % 2 = 0 THEN (g.seq * 53) % 3000 END,
       CASE WHEN g.seq % 2 = 0 THEN (g.seq * 7) % 200 END,
       CASE WHEN g.seq % 2 = 0 AND s.model <> 'local-llama'
            THEN round((400 + (g.seq * 131) % 4000) * 0.000003 + (20 + (g.seq * 17) % 800) * 0.000015, 10) END,
       s.created_at + g.seq * interval '${MESSAGE_SPACING_SECONDS} seconds'
  FROM sessions s CROSS JOIN LATERAL generate_series(1, s.message_count) AS g(seq)
 WHERE s.id = ANY($1::uuid[])`;

/** Groups sessions into statements of about MESSAGE_CHUNK messages (a long session alone if need be). */
function messageBatches(sessions: PlannedSession[]): string[][] {
  const batches: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const session of sessions) {
    if (session.messageCount === 0) continue;
    current.push(session.id);
    size += session.messageCount;
    if (size >= MESSAGE_CHUNK) {
      batches.push(current);
      current = [];
      size = 0;
    }
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

async function insertMessages(pool: pg.Pool, sessions: PlannedSession[], total: number, progress: Progress): Promise<void> {
  const queue = messageBatches(sessions);
  const countOf = new Map(sessions.map((s) => [s.id, s.messageCount]));
  let done = 0;
  let lastReport = performance.now();
  const writer = async () => {
    for (let batch = queue.shift(); batch; batch = queue.shift()) {
      await pool.query(INSERT_MESSAGES, [batch]);
      done += batch.reduce((sum, id) => sum + countOf.get(id)!, 0);
      if (performance.now() - lastReport > 5000) {
        lastReport = performance.now();
        progress(`messages ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')}`);
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_WRITERS }, writer));
}

export interface SeedResult {
  timings: SeedTimings;
  sessions: number;
  messages: number;
  labels: number;
}

/**
 * Seeds an empty bench tenant: org `bench` with workspaces `main` (the data set) and `writes`
 * (append targets, and where saveSession scenarios create sessions), `users` members of `main`.
 */
export async function seedBenchData(
  prisma: PrismaClient,
  databaseUrl: string,
  options: { sessions: number; users: number; seed: number },
  progress: Progress,
): Promise<SeedResult> {
  const phases: Record<string, number> = {};
  const start = performance.now();
  const pool = new pg.Pool({ connectionString: databaseUrl, max: PARALLEL_WRITERS });
  // An idle connection ends with an error event when the run is interrupted and its database
  // dropped; the statement in flight, if any, rejects on its own.
  pool.on('error', () => {});
  try {
    const tenant = await timed(phases, 'tenant', async () => {
      const main = await bootstrap(prisma, {
        org: BENCH_ORG,
        workspace: BENCH_WORKSPACE,
        email: BENCH_EMAIL,
        role: 'ADMIN',
        tokenKind: 'USER',
        tokenName: 'bench seed',
      });
      const writes = await bootstrap(prisma, {
        org: BENCH_ORG,
        workspace: WRITES_WORKSPACE,
        email: BENCH_EMAIL,
        role: 'CONTRIBUTOR',
        tokenKind: 'USER',
        tokenName: 'bench seed',
      });
      return { main, writes };
    });
    const planned = planSessions(options);
    const messages = planned.reduce((sum, s) => sum + s.messageCount, 0);
    progress(
      `seeding ${planned.length.toLocaleString('en-US')} sessions, ${messages.toLocaleString('en-US')} messages, ${options.users} users`,
    );
    const userIds = await timed(phases, 'users', () => insertUsers(pool, tenant.main.workspaceId, tenant.main.userId, options.users));
    await timed(phases, 'sessions', () => insertSessions(pool, tenant.main.workspaceId, userIds, planned));
    const labels = await timed(phases, 'labels', () => insertLabels(pool, planned));
    await timed(phases, 'messages', () => insertMessages(pool, planned, messages, progress));
    await timed(phases, 'previews', () =>
      // SES-LST-011: the first USER message (seq 1), its first 200 characters.
      pool.query(
        `UPDATE sessions s SET preview_text = left(m.content, 200)
           FROM session_messages m WHERE m.session_id = s.id AND m.seq = 1 AND s.workspace_id = $1::uuid`,
        [tenant.main.workspaceId],
      ),
    );
    await timed(phases, 'append targets', () =>
      pool.query(
        `INSERT INTO sessions (id, workspace_id, user_id, model, title, visibility, origin)
         SELECT gen_random_uuid(), $1::uuid, $2::uuid, 'gpt-4o', $3, 'PRIVATE', 'USER' FROM generate_series(1, $4::int)`,
        [tenant.writes.workspaceId, tenant.main.userId, APPEND_TARGET_TITLE, APPEND_TARGETS],
      ),
    );
    await timed(phases, 'vacuum analyze', () => pool.query('VACUUM ANALYZE'));
    // Flush the seed's dirty pages now, not in a checkpoint during the first measurements. Needs
    // superuser or pg_checkpoint; without, PostgreSQL checkpoints when it will.
    await timed(phases, 'checkpoint', () =>
      pool.query('CHECKPOINT').catch((error: unknown) => progress(`no CHECKPOINT: ${String(error)}`)),
    );
    return { timings: { totalSeconds: Math.round(performance.now() - start) / 1000, phases }, sessions: planned.length, messages, labels };
  } finally {
    await pool.end();
  }
}
