import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { Prisma } from '../../src/generated/prisma/client.js';
import { getDatamodel } from '../../src/generated/pothos-prisma-types.js';
import { hashToken } from '../../src/auth/tokens.js';
import { openTestDatabase, withFreshDatabase } from '../support/database.js';

// Our naming convention in schema.prisma: columns are the snake_case of the field names, tables
// the snake_case plural of the model names. The test holds the migration SQL to it.
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/^_/, '');
const PG_TYPES: Record<string, string[]> = {
  String: ['text', 'uuid', 'character'],
  Int: ['integer'],
  BigInt: ['bigint'],
  DateTime: ['timestamp with time zone'],
  Json: ['jsonb'],
  Decimal: ['numeric'],
  Boolean: ['boolean'],
};

/** Columns schema.prisma declares as Unsupported("…"): in the database, not in the client. */
async function unsupportedColumns(): Promise<Map<string, { column: string; type: string; nullable: boolean }[]>> {
  const text = await readFile(new URL('../../prisma/schema.prisma', import.meta.url), 'utf8');
  const byModel = new Map<string, { column: string; type: string; nullable: boolean }[]>();
  for (const model of text.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    for (const field of model[2]!.matchAll(/^\s+\w+\s+Unsupported\("(\w+)"\)(\??)\s+@map\("(\w+)"\)/gm)) {
      const list = byModel.get(model[1]!) ?? [];
      list.push({ type: field[1]!, nullable: field[2] === '?', column: field[3]! });
      byModel.set(model[1]!, list);
    }
  }
  return byModel;
}

interface ColumnRow {
  table_name: string;
  column_name: string;
  is_nullable: 'YES' | 'NO';
  data_type: string;
  udt_name: string;
}

describe('the migrated database matches schema.prisma', () => {
  it('every model is a table whose columns are exactly its fields, with matching types and nullability', async () => {
    await withFreshDatabase(async (url) => {
      const { database } = await openTestDatabase(url);
      try {
        const columns = await database.withConnection((conn) =>
          conn.query<ColumnRow>(
            "SELECT table_name, column_name, is_nullable, data_type, udt_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'",
          ),
        );
        const models = getDatamodel().datamodel.models;
        const unsupported = await unsupportedColumns();
        expect([...unsupported.values()].flat().length).toBeGreaterThan(0);
        const tables = new Set(columns.map((c) => c.table_name));
        expect([...tables].sort()).toEqual(
          Object.keys(models)
            .map((m) => `${snake(m)}s`)
            .sort(),
        );
        for (const [model, { fields }] of Object.entries(models)) {
          const table = `${snake(model)}s`;
          const stored = columns.filter((c) => c.table_name === table);
          const scalarFields = fields.filter((f) => f.kind === 'scalar' || f.kind === 'enum');
          const extra = unsupported.get(model) ?? [];
          expect(stored.map((c) => c.column_name).sort(), table).toEqual(
            [...scalarFields.map((f) => snake(f.name)), ...extra.map((e) => e.column)].sort(),
          );
          for (const column of extra) {
            const row = stored.find((c) => c.column_name === column.column)!;
            expect(row.udt_name, `${table}.${column.column} type`).toBe(column.type);
            expect(row.is_nullable).toBe(column.nullable ? 'YES' : 'NO');
          }
          for (const field of scalarFields) {
            const column = stored.find((c) => c.column_name === snake(field.name))!;
            expect(column.is_nullable, `${table}.${column.column_name} nullability`).toBe(field.isRequired ? 'NO' : 'YES');
            if (field.kind === 'enum') {
              expect(column.udt_name, `${table}.${column.column_name} type`).toBe(field.type);
            } else {
              expect(PG_TYPES[field.type], `${table}.${column.column_name} type`).toContain(column.data_type);
            }
          }
        }
      } finally {
        await database.close();
      }
    });
  });

  it('every model and every field round-trips through the generated client', async () => {
    await withFreshDatabase(async (url) => {
      const { database } = await openTestDatabase(url);
      const prisma = database.prisma;
      try {
        const at = (iso: string) => new Date(iso);
        const org = { id: randomUUID(), slug: 'rt-org', name: 'Round Trip Org', createdAt: at('2026-01-02T03:04:05.678Z') };
        expect(await prisma.organization.create({ data: org })).toEqual(org);

        const workspace = { id: randomUUID(), orgId: org.id, slug: 'rt-ws', name: 'WS', createdAt: at('2026-01-03T00:00:00.001Z') };
        expect(await prisma.workspace.create({ data: workspace })).toEqual(workspace);

        const user = {
          id: randomUUID(),
          email: 'rt@example.com',
          username: 'rt',
          fullName: 'Round Trip',
          createdAt: at('2026-01-04T00:00:00.000Z'),
        };
        expect(await prisma.user.create({ data: user })).toEqual(user);

        const membership = {
          workspaceId: workspace.id,
          userId: user.id,
          role: 'CONTRIBUTOR' as const,
          createdAt: at('2026-01-05T00:00:00.000Z'),
        };
        expect(await prisma.membership.create({ data: membership })).toEqual(membership);

        const token = {
          id: randomUUID(),
          userId: user.id,
          tokenHash: hashToken('secret'),
          kind: 'WORKER' as const,
          name: 'rt token',
          expiresAt: at('2027-01-01T00:00:00.000Z'),
          revokedAt: at('2026-06-01T00:00:00.000Z'),
          lastUsedAt: at('2026-05-01T00:00:00.000Z'),
          createdAt: at('2026-01-06T00:00:00.000Z'),
        };
        expect(await prisma.apiToken.create({ data: token })).toEqual(token);

        const session = {
          id: randomUUID(),
          workspaceId: workspace.id,
          userId: user.id,
          projectId: randomUUID(),
          runtimeId: randomUUID(),
          groupId: randomUUID(),
          agent: 'agent',
          model: 'model',
          title: 'title',
          previewText: 'preview',
          messageCount: 2_147_483_647,
          visibility: 'WORKSPACE' as const,
          origin: 'OPTIMIZATION' as const,
          archivedAt: at('2026-02-01T00:00:00.000Z'),
          frozenAt: at('2026-02-02T00:00:00.000Z'),
          frozenBy: 'evaluation',
          createdAt: at('2026-01-07T00:00:00.000Z'),
          updatedAt: at('2026-01-08T00:00:00.000Z'),
          lastMessageAt: at('2026-01-09T00:00:00.000Z'),
          forkedFromId: null,
          forkedFromSeq: 7,
          compactedUpToSeq: 5,
        };
        const storedSession = await prisma.session.create({ data: session });
        expect({ ...storedSession, updatedAt: session.updatedAt }).toEqual(session);

        const label = { sessionId: session.id, key: 'k:v/x', value: 'ünïcødé value' };
        expect(await prisma.sessionLabel.create({ data: label })).toEqual(label);

        const message = {
          id: randomUUID(),
          sessionId: session.id,
          seq: 1,
          role: 'ASSISTANT' as const,
          content: 'multi-line\ntext with emoji 🚀 and "quotes"',
          parentId: randomUUID(),
          toolCallId: 'call_1',
          toolCalls: [{ id: 'call_1', name: 'search', arguments: '{"q":"x"}' }],
          metadata: { nested: { a: [1, 2, 3] }, flag: true },
          inputTokens: 1,
          outputTokens: 2,
          cacheReadInputTokens: 3,
          cacheCreationInputTokens: 4,
          costUsd: new Prisma.Decimal('0.0000012345'),
          createdAt: at('2026-01-10T00:00:00.000Z'),
          compactionUpToSeq: 3,
          copyOfId: randomUUID(),
        };
        const storedMessage = await prisma.sessionMessage.create({ data: message });
        expect({ ...storedMessage, costUsd: storedMessage.costUsd?.toString() }).toEqual({ ...message, costUsd: '0.0000012345' });

        // The usage rollup is written by the database's triggers, read back through the client.
        const rollup = await prisma.sessionUsageRollup.findUniqueOrThrow({ where: { sessionId: session.id } });
        expect({ ...rollup, costUsd: rollup.costUsd.toString() }).toEqual({
          sessionId: session.id,
          inputTokens: 1n,
          outputTokens: 2n,
          cacheReadInputTokens: 3n,
          cacheCreationInputTokens: 4n,
          toolCallCount: 1n,
          costUsd: '0.0000012345',
          costUnknown: false,
          lastGenerationSeq: 1,
          lastGenerationInputTokens: 1,
        });

        // Relations and referential actions: deleting the user keeps the session with no owner.
        await prisma.user.delete({ where: { id: user.id } });
        expect((await prisma.session.findUniqueOrThrow({ where: { id: session.id } })).userId).toBeNull();
        await prisma.session.delete({ where: { id: session.id } });
        expect(await prisma.sessionLabel.count({ where: { sessionId: session.id } })).toBe(0);
        expect(await prisma.sessionMessage.count({ where: { sessionId: session.id } })).toBe(0);
        expect(await prisma.sessionUsageRollup.count({ where: { sessionId: session.id } })).toBe(0);
      } finally {
        await database.close();
      }
    });
  });
});
