import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.js';
import { applyMigrations, readMigrations } from '../../src/db/migrate.js';
import { buildYoga, type Yoga } from '../../src/yoga.js';
import { ListSessionsDocument, type SessionOrderField } from '../generated/graphql.js';
import { TEST_DATABASE_URL } from '../support/database.js';
import { memoryLogger } from '../support/server.js';
import { createTenant, type Tenant } from '../support/tenant.js';
import { print } from 'graphql';

/**
 * Every page of `sessions`, in every order, must be read off an index: the page statement walks
 * one of the (workspace_id, <order column>, id) indexes and stops after first+1 rows. If the
 * ORDER BY stops matching an index (a NULLS clause, a new order field without its index), the
 * plan needs a sort of the whole workspace, and this test fails. Sequential scans and sorts are
 * priced out (not forbidden), so a plan that still has one has no index it could use instead.
 */
const FIELDS: SessionOrderField[] = ['UPDATED_AT', 'LAST_MESSAGE_AT', 'CREATED_AT', 'MESSAGE_COUNT'];

describe('list pages are read off an index in every order', () => {
  const statements: { sql: string; params: string }[] = [];
  let database: Database;
  let yoga: Yoga;
  let tenant: Tenant;

  beforeAll(async () => {
    database = await openDatabase({
      databaseUrl: TEST_DATABASE_URL,
      dataDir: 'memory://',
      onQuery: (sql, params) => statements.push({ sql, params }),
    });
    await database.withConnection(async (conn) => applyMigrations(conn, await readMigrations()));
    tenant = await createTenant(database.prisma);
    const base = Date.parse('2026-01-01T00:00:00Z');
    await database.prisma.session.createMany({
      data: Array.from({ length: 300 }, (_, i) => ({
        id: randomUUID(),
        workspaceId: tenant.workspaceId,
        userId: tenant.members[0]!.userId,
        visibility: i % 2 === 0 ? ('WORKSPACE' as const) : ('PRIVATE' as const),
        messageCount: i % 17,
        createdAt: new Date(base + i * 1000),
        updatedAt: new Date(base + (i % 50) * 1000),
        lastMessageAt: i % 5 === 0 ? null : new Date(base + (i % 7) * 1000),
      })),
    });
    await database.prisma.$executeRawUnsafe('ANALYZE sessions');
    yoga = buildYoga({ config: { graphiql: false, introspection: true, demoToken: undefined }, prisma: database.prisma, logger: memoryLogger() });
  });

  afterAll(async () => {
    await database?.close();
  });

  /** The page statement the API sends for these variables, and its plan. */
  async function pagePlan(variables: Record<string, unknown>): Promise<{ plan: string; endCursor: string }> {
    const from = statements.length;
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tenant.members[0]!.token}` },
      body: JSON.stringify({ query: print(ListSessionsDocument), variables: { org: tenant.org, workspace: tenant.workspace, ...variables } }),
    });
    const body = (await response.json()) as { data?: { sessions: { pageInfo: { endCursor: string } } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    const pages = statements.slice(from).filter(({ sql }) => /FROM sessions s\b[\s\S]*ORDER BY/.test(sql));
    expect(pages).toHaveLength(1);
    const { sql, params } = pages[0]!;
    const rows = await database.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe('SET LOCAL enable_seqscan = off');
      await tx.$executeRawUnsafe('SET LOCAL enable_sort = off');
      return tx.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(`EXPLAIN ${sql}`, ...(JSON.parse(params) as unknown[]));
    });
    return { plan: rows.map((row) => row['QUERY PLAN']).join('\n'), endCursor: body.data!.sessions.pageInfo.endCursor };
  }

  for (const field of FIELDS) {
    for (const direction of ['ASC', 'DESC'] as const) {
      it(`${field} ${direction}: first page, next page and a backward page`, async () => {
        const orderBy = { field, direction };
        const first = await pagePlan({ orderBy, first: 20 });
        const next = await pagePlan({ orderBy, first: 20, after: first.endCursor });
        const backward = await pagePlan({ orderBy, last: 20, before: next.endCursor });
        for (const { plan } of [first, next, backward]) {
          expect(plan).toMatch(/Index (Only )?Scan( Backward)? using sessions_workspace_id_\w+_id_idx/);
          expect(plan).not.toMatch(/Seq Scan on sessions/);
          expect(plan).not.toMatch(/Sort/);
        }
      });
    }
  }
});
