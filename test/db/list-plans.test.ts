import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ListSessionsDocument, type SessionOrderField } from '../generated/graphql.js';
import { createTestServer, type TestServer } from '../support/server.js';
import { createTenant, type Tenant } from '../support/tenant.js';

/**
 * Every page of `sessions`, in every order, must be read off an index: the page statement walks
 * one of the (workspace_id, <order column>, id) indexes and stops after first+1 rows. If the
 * ORDER BY stops matching an index (a NULLS clause, a new order field without its index), the
 * plan needs a sort of the whole workspace, and this test fails. Sequential scans and sorts are
 * priced out (not forbidden), so a plan that still has one has no index it could use instead.
 */
const FIELDS: SessionOrderField[] = ['UPDATED_AT', 'LAST_MESSAGE_AT', 'CREATED_AT', 'MESSAGE_COUNT'];

describe('list pages are read off an index in every order', () => {
  let server: TestServer;
  let tenant: Tenant;

  beforeAll(async () => {
    server = await createTestServer();
    const prisma = server.db.database.prisma;
    tenant = await createTenant(prisma);
    const base = Date.parse('2026-01-01T00:00:00Z');
    await prisma.session.createMany({
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
    await prisma.$executeRawUnsafe('ANALYZE sessions');
  });

  /** The page statement the API sends for these variables, and its plan. */
  async function pagePlan(variables: Record<string, unknown>): Promise<{ plan: string; endCursor: string }> {
    const { db } = server;
    const from = db.statements.length;
    const response = await server.execute(
      ListSessionsDocument,
      { org: tenant.org, workspace: tenant.workspace, ...variables },
      tenant.members[0]!.token,
    );
    expect(response.body.errors).toBeUndefined();
    const pages = db.statements
      .slice(from)
      .map((sql, i) => ({ sql, params: db.parameters[from + i]! }))
      .filter(({ sql }) => /FROM sessions s\b[\s\S]*ORDER BY/.test(sql));
    expect(pages).toHaveLength(1);
    const { sql, params } = pages[0]!;
    const rows = await db.database.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe('SET LOCAL enable_seqscan = off');
      await tx.$executeRawUnsafe('SET LOCAL enable_sort = off');
      return tx.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(`EXPLAIN ${sql}`, ...(JSON.parse(params) as unknown[]));
    });
    return { plan: rows.map((row) => row['QUERY PLAN']).join('\n'), endCursor: response.body.data!.sessions!.pageInfo.endCursor! };
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
