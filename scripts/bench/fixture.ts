import { bootstrap } from '../../src/admin/provision.js';
import { openDatabase } from '../../src/db/client.js';
import type { PrismaClient } from '../../src/generated/prisma/client.js';
import { applyMigrations, readMigrations } from '../../src/db/migrate.js';
import { SIZE_LABEL_KEY } from './data.js';
import {
  APPEND_TARGET_TITLE,
  BENCH_EMAIL,
  BENCH_ORG,
  BENCH_WORKSPACE,
  FORK_SOURCE_MESSAGES,
  FORK_SOURCE_TITLE,
  INSERT_MESSAGES,
  seedBenchData,
  WRITES_WORKSPACE,
  type SeedResult,
} from './seed.js';

/** Everything the scenarios need to know about the seeded data, read back from the database. */
export interface BenchFixture {
  org: string;
  workspace: string;
  /** The id of `workspace` (PostGraphile's list takes it as a condition). */
  workspaceId: string;
  writesWorkspace: string;
  /** A fresh token of the benchmark's user (ADMIN of `main`, CONTRIBUTOR of `writes`). */
  token: string;
  /** Scenario (b): visible sessions with at least 100 messages, requested in turn. */
  transcriptSessionIds: string[];
  /** Scenario (d): the user's own sessions in `writes`, appended to in turn. */
  appendSessionIds: string[];
  /** Scenario (i): a session of `writes` with FORK_SOURCE_MESSAGES messages, forked whole. */
  forkSourceId: string;
  /** Page size of the long/short pair: as many as there are designated sessions, 50 at most. */
  sizePageSize: number;
  size: { sessions: number; messages: number; labels: number; users: number; longSessions: number; maxMessages: number };
  /** Null when an already seeded database was reused. */
  seed: SeedResult | null;
}

type Progress = (message: string) => void;

/** The fork scenario's source: made once per bench database (seeded ones from before it lack it). */
async function createForkSource(prisma: PrismaClient, userId: string, progress: Progress): Promise<string> {
  progress(`creating the fork source (${FORK_SOURCE_MESSAGES} messages)`);
  const [row] = await prisma.$queryRaw<{ id: string }[]>`
    INSERT INTO sessions (id, workspace_id, user_id, model, title, visibility, origin, message_count)
    SELECT gen_random_uuid(), w.id, ${userId}::uuid, 'gpt-4o', ${FORK_SOURCE_TITLE}, 'PRIVATE', 'USER', ${FORK_SOURCE_MESSAGES}
      FROM workspaces w JOIN organizations o ON o.id = w.org_id AND o.slug = ${BENCH_ORG} WHERE w.slug = ${WRITES_WORKSPACE}
    RETURNING id::text AS id`;
  await prisma.$executeRawUnsafe(INSERT_MESSAGES, [row!.id]);
  return row!.id;
}

const MAX_SIZE_PAGE = 50;

interface CountRow {
  sessions: number;
}

/**
 * Brings the database to the current schema (src/db/migrate.ts), seeds it unless the bench tenant
 * already has sessions, mints a token and reads the fixture back.
 */
export async function prepareFixture(
  databaseUrl: string,
  options: { sessions: number; users: number; seed: number },
  progress: Progress,
): Promise<BenchFixture> {
  const database = await openDatabase({ databaseUrl, dataDir: '' });
  try {
    const migrations = await readMigrations();
    const migrated = await database.withConnection((conn) =>
      applyMigrations(conn, migrations, (message) => progress(`warning: ${message}`)),
    );
    if (migrated.applied.length > 0) progress(`applied ${migrated.applied.length} migrations`);
    const prisma = database.prisma;
    const [existing] = await prisma.$queryRaw<CountRow[]>`
      SELECT count(s.id)::int AS sessions FROM organizations o
        JOIN workspaces w ON w.org_id = o.id AND w.slug = ${BENCH_WORKSPACE}
        LEFT JOIN sessions s ON s.workspace_id = w.id
       WHERE o.slug = ${BENCH_ORG}`;
    let seed: SeedResult | null = null;
    if (!existing || existing.sessions === 0) {
      seed = await seedBenchData(prisma, databaseUrl, options, progress);
      progress(
        `seeded in ${seed.timings.totalSeconds.toFixed(1)} s (${Object.entries(seed.timings.phases)
          .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
          .join(', ')})`,
      );
    } else {
      progress(`reusing the seeded data set (${existing.sessions} sessions); --sessions, --users and --seed do not apply`);
    }
    const { token, workspaceId, userId } = await bootstrap(prisma, {
      org: BENCH_ORG,
      workspace: BENCH_WORKSPACE,
      email: BENCH_EMAIL,
      role: 'ADMIN',
      tokenKind: 'USER',
      tokenName: 'bench run',
    });
    const transcript = await prisma.$queryRaw<{ id: string }[]>`
      SELECT s.id::text AS id FROM sessions s
       WHERE s.workspace_id = ${workspaceId}::uuid AND s.visibility = 'WORKSPACE' AND s.message_count >= 100
         AND NOT EXISTS (SELECT 1 FROM session_labels l WHERE l.session_id = s.id AND l.key = ${SIZE_LABEL_KEY})
       ORDER BY s.id LIMIT 100`;
    const append = await prisma.$queryRaw<{ id: string }[]>`
      SELECT s.id::text AS id FROM sessions s JOIN workspaces w ON w.id = s.workspace_id AND w.slug = ${WRITES_WORKSPACE}
       WHERE s.user_id = ${userId}::uuid AND s.title = ${APPEND_TARGET_TITLE} ORDER BY s.id`;
    const [forkSource] = await prisma.$queryRaw<{ id: string }[]>`
      SELECT s.id::text AS id FROM sessions s JOIN workspaces w ON w.id = s.workspace_id AND w.slug = ${WRITES_WORKSPACE}
       WHERE s.user_id = ${userId}::uuid AND s.title = ${FORK_SOURCE_TITLE} LIMIT 1`;
    const forkSourceId = forkSource?.id ?? (await createForkSource(prisma, userId, progress));
    const [size] = await prisma.$queryRaw<BenchFixture['size'][]>`
      SELECT (SELECT count(*) FROM sessions WHERE workspace_id = ${workspaceId}::uuid)::int AS sessions,
             (SELECT count(*) FROM session_messages m JOIN sessions s ON s.id = m.session_id
               WHERE s.workspace_id = ${workspaceId}::uuid)::int AS messages,
             (SELECT count(*) FROM session_labels l JOIN sessions s ON s.id = l.session_id
               WHERE s.workspace_id = ${workspaceId}::uuid)::int AS labels,
             (SELECT count(*) FROM memberships WHERE workspace_id = ${workspaceId}::uuid)::int AS users,
             (SELECT count(*) FROM session_labels WHERE key = ${SIZE_LABEL_KEY} AND value = 'long')::int AS "longSessions",
             (SELECT COALESCE(max(message_count), 0) FROM sessions WHERE workspace_id = ${workspaceId}::uuid)::int AS "maxMessages"`;
    if (transcript.length === 0 || append.length === 0 || !size || size.longSessions === 0) {
      throw new Error('The bench database is not seeded as this version of the bench expects; use a fresh one');
    }
    return {
      org: BENCH_ORG,
      workspace: BENCH_WORKSPACE,
      workspaceId,
      writesWorkspace: WRITES_WORKSPACE,
      token,
      transcriptSessionIds: transcript.map((row) => row.id),
      appendSessionIds: append.map((row) => row.id),
      forkSourceId,
      sizePageSize: Math.min(MAX_SIZE_PAGE, size.longSessions),
      size,
      seed,
    };
  } finally {
    await database.close();
  }
}
