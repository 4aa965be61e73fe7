import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { applyMigrations, readMigrations } from '../../src/db/migrate.js';
import type { PrismaClient } from '../../src/generated/prisma/client.js';
import { loadUsage, usageFromTotals, type SessionUsage, type UsageTotals } from '../../src/sessions/usage.js';
import { AppendTranscriptDocument, SaveSessionDocument, type MessageInput } from '../generated/graphql.js';
import { withFreshDatabase } from '../support/database.js';
import { createTestServer, type TestServer } from '../support/server.js';
import { budget } from '../support/budget.js';
import { createTenant, type Tenant } from '../support/tenant.js';

/**
 * The read-time aggregate the rollup replaces, kept here as the oracle: docs/api.md's usage rules
 * written once more, directly over the messages.
 */
async function aggregateFromMessages(prisma: PrismaClient, sessionId: string): Promise<SessionUsage | undefined> {
  const [row] = await prisma.$queryRaw<UsageTotals[]>`
    WITH m AS (
      SELECT seq, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, cost_usd, tool_calls,
             (role = 'ASSISTANT' AND input_tokens IS NOT NULL) AS generation
        FROM session_messages WHERE session_id = ${sessionId}::uuid)
    SELECT COALESCE(SUM(input_tokens) FILTER (WHERE generation), 0)::float8 AS "input",
           COALESCE(SUM(COALESCE(output_tokens, 0)) FILTER (WHERE generation), 0)::float8 AS "output",
           COALESCE(SUM(COALESCE(cache_read_input_tokens, 0)) FILTER (WHERE generation), 0)::float8 AS "cacheRead",
           COALESCE(SUM(COALESCE(cache_creation_input_tokens, 0)) FILTER (WHERE generation), 0)::float8 AS "cacheCreation",
           COALESCE(SUM(CASE WHEN jsonb_typeof(tool_calls) = 'array' THEN jsonb_array_length(tool_calls) ELSE 0 END), 0)::float8 AS "toolCalls",
           CASE WHEN bool_or(generation AND cost_usd IS NULL) THEN NULL
                ELSE COALESCE(SUM(cost_usd) FILTER (WHERE generation), 0)::float8 END AS "cost",
           ((array_agg(input_tokens ORDER BY seq DESC) FILTER (WHERE generation))[1])::float8 AS "lastInput",
           count(*)::int AS "messages"
      FROM m HAVING count(*) > 0`;
  return row ? usageFromTotals(row) : undefined;
}

const RUNS = Number(process.env.ROLLUP_RUNS ?? 20);

// Costs as exact decimals (the column is DECIMAL(20,10)); null is "no cost known".
const cost = fc.option(
  fc.integer({ min: 0, max: 5_000_000 }).map((micro) => micro / 1_000_000),
  { nil: null, freq: 4 },
);
const usage = fc.record({
  inputTokens: fc.integer({ min: 0, max: 200_000 }),
  outputTokens: fc.integer({ min: 0, max: 50_000 }),
  cacheReadInputTokens: fc.integer({ min: 0, max: 100_000 }),
  cacheCreationInputTokens: fc.integer({ min: 0, max: 100_000 }),
  costUsd: cost,
});
const toolCalls = fc
  .integer({ min: 0, max: 3 })
  .map((n) => Array.from({ length: n }, (_, i) => ({ id: `call_${i}`, name: 'grep', arguments: '{}' })));
const message: fc.Arbitrary<MessageInput> = fc.oneof(
  fc.record({ role: fc.constant('ASSISTANT' as const), usage: fc.option(usage, { nil: undefined }), toolCalls }),
  fc.record({ role: fc.constantFrom('USER' as const, 'TOOL' as const, 'SYSTEM' as const), toolCalls }),
);
/** A transcript cut into the batches it is appended in. */
const batches = fc.array(fc.array(message, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 6 });

describe('the usage rollup equals the read-time aggregate of the messages', () => {
  let server: TestServer;
  let tenant: Tenant;
  let prisma: PrismaClient;

  beforeAll(async () => {
    server = await createTestServer();
    prisma = server.db.database.prisma;
    tenant = await createTenant(prisma);
  });

  const ws = () => ({ org: tenant.org, workspace: tenant.workspace });
  const token = () => tenant.members[0]!.token;

  async function newSession(): Promise<string> {
    const id = randomUUID();
    const saved = await server.execute(SaveSessionDocument, { ...ws(), input: { id, model: 'm' } }, token());
    expect(saved.body.errors).toBeUndefined();
    return id;
  }

  async function expectRollupMatches(id: string) {
    const [rollup, oracle] = await Promise.all([loadUsage(prisma, [id]), aggregateFromMessages(prisma, id)]);
    expect(rollup.get(id)).toEqual(oracle);
  }

  it(
    `after every appendTranscript batch, for random transcripts (${RUNS} runs)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(batches, async (transcript) => {
          const id = await newSession();
          for (const batch of transcript) {
            const appended = await server.execute(AppendTranscriptDocument, { ...ws(), id, input: { messages: batch } }, token());
            expect(appended.body.errors).toBeUndefined();
            await expectRollupMatches(id);
          }
        }),
        { numRuns: RUNS },
      );
      console.log(`usage rollup: ${RUNS} random transcripts appended batch by batch, rollup checked after each batch`);
      // Up to 6 batches per transcript, each an append and a check.
    },
    budget(RUNS * 12),
  );

  it(
    `after direct inserts (usage on any role), updates and deletes of messages (${RUNS} runs)`,
    async () => {
      const row = fc.record({
        role: fc.constantFrom('USER' as const, 'ASSISTANT' as const, 'TOOL' as const, 'SYSTEM' as const),
        usage: fc.option(usage, { nil: undefined }),
        tools: fc.integer({ min: 0, max: 2 }),
      });
      const change = fc.oneof(
        fc.record({ kind: fc.constant('insert' as const), rows: fc.array(row, { minLength: 1, maxLength: 5 }) }),
        fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
        fc.record({ kind: fc.constant('update' as const), pick: fc.nat(), usage: fc.option(usage, { nil: null }) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(change, { minLength: 1, maxLength: 8 }), async (changes) => {
          const id = await newSession();
          let seq = 0;
          for (const step of changes) {
            const stored = await prisma.sessionMessage.findMany({
              where: { sessionId: id },
              select: { id: true },
              orderBy: { seq: 'asc' },
            });
            if (step.kind === 'insert') {
              await prisma.sessionMessage.createMany({
                data: step.rows.map((r) => ({
                  id: randomUUID(),
                  sessionId: id,
                  seq: (seq += 1),
                  role: r.role,
                  toolCalls: Array.from({ length: r.tools }, (_, i) => ({ id: `c${i}`, name: 'x', arguments: '{}' })),
                  ...(r.usage ? { ...r.usage, costUsd: r.usage.costUsd } : {}),
                })),
              });
            } else if (stored.length > 0) {
              const target = stored[step.pick % stored.length]!.id;
              if (step.kind === 'delete') await prisma.sessionMessage.delete({ where: { id: target } });
              else {
                const u = step.usage;
                await prisma.sessionMessage.update({
                  where: { id: target },
                  data: {
                    inputTokens: u?.inputTokens ?? null,
                    outputTokens: u?.outputTokens ?? null,
                    cacheReadInputTokens: u?.cacheReadInputTokens ?? null,
                    cacheCreationInputTokens: u?.cacheCreationInputTokens ?? null,
                    costUsd: u?.costUsd ?? null,
                  },
                });
              }
            }
            await expectRollupMatches(id);
          }
        }),
        { numRuns: RUNS },
      );
    },
    budget(RUNS * 12),
  );

  it('is gone with its session', async () => {
    const id = await newSession();
    await server.execute(AppendTranscriptDocument, { ...ws(), id, input: { messages: [{ role: 'USER', content: 'hi' }] } }, token());
    expect(await prisma.sessionUsageRollup.count({ where: { sessionId: id } })).toBe(1);
    await prisma.session.delete({ where: { id } });
    expect(await prisma.sessionUsageRollup.count({ where: { sessionId: id } })).toBe(0);
  });
});

describe('the rollup migration', () => {
  it('back-fills sessions whose messages were stored before it', async () => {
    await withFreshDatabase(async (url) => {
      const database = await openDatabase({ databaseUrl: url, dataDir: 'memory://' });
      try {
        const migrations = await readMigrations();
        const rollupIndex = migrations.findIndex((m) => m.name.endsWith('_session_usage_rollup'));
        expect(rollupIndex).toBeGreaterThan(0);
        await database.withConnection((conn) => applyMigrations(conn, migrations.slice(0, rollupIndex)));

        const prisma = database.prisma;
        const tenant = await prisma.organization.create({
          data: { id: randomUUID(), slug: 'bf', name: 'bf', workspaces: { create: { id: randomUUID(), slug: 'w', name: 'w' } } },
          include: { workspaces: true },
        });
        const sessions = fc.sample(batches, { numRuns: 12, seed: 7 });
        const ids: string[] = [];
        for (const transcript of sessions) {
          const id = randomUUID();
          ids.push(id);
          // Raw SQL: the generated client knows the columns of later migrations, which do not exist yet.
          await prisma.$executeRaw`INSERT INTO sessions (id, workspace_id) VALUES (${id}::uuid, ${tenant.workspaces[0]!.id}::uuid)`;
          for (const [i, m] of transcript.flat().entries()) {
            await prisma.$executeRaw`
              INSERT INTO session_messages (id, session_id, seq, role, tool_calls, input_tokens, output_tokens,
                                            cache_read_input_tokens, cache_creation_input_tokens, cost_usd)
              VALUES (${randomUUID()}::uuid, ${id}::uuid, ${i + 1}, ${m.role}::"MessageRole", ${JSON.stringify(m.toolCalls ?? [])}::jsonb,
                      ${m.usage?.inputTokens ?? null}::int, ${m.usage?.outputTokens ?? null}::int, ${m.usage?.cacheReadInputTokens ?? null}::int,
                      ${m.usage?.cacheCreationInputTokens ?? null}::int, ${m.usage?.costUsd ?? null}::numeric)`;
          }
        }
        // A session without messages gets no rollup row: its usage is the empty one.
        const empty = randomUUID();
        await prisma.$executeRaw`INSERT INTO sessions (id, workspace_id) VALUES (${empty}::uuid, ${tenant.workspaces[0]!.id}::uuid)`;

        await database.withConnection((conn) => applyMigrations(conn, migrations));
        const rollups = await loadUsage(prisma, [...ids, empty]);
        for (const id of ids) expect(rollups.get(id)).toEqual(await aggregateFromMessages(prisma, id));
        expect(rollups.has(empty)).toBe(false);
      } finally {
        await database.close();
      }
    });
  });
});
