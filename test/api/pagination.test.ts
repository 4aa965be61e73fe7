import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ListSessionsDocument, SaveSessionDocument, type OrderDirection, type SessionOrderField } from '../generated/graphql.js';
import { createTestServer, type TestServer } from '../support/server.js';
import { createTenant, type Tenant } from '../support/tenant.js';

const FIELDS: SessionOrderField[] = ['UPDATED_AT', 'LAST_MESSAGE_AT', 'CREATED_AT', 'MESSAGE_COUNT'];
const DIRECTIONS: OrderDirection[] = ['ASC', 'DESC'];

describe('sessions: ordering and cursors', () => {
  let server: TestServer;
  let tenant: Tenant;
  const ids: string[] = [];

  beforeAll(async () => {
    server = await createTestServer();
    tenant = await createTenant(server.db.database.prisma);
    const prisma = server.db.database.prisma;
    const base = Date.UTC(2026, 0, 1);
    // 23 sessions with many ties: 3 distinct message counts, 4 distinct timestamps, some nulls.
    for (let i = 0; i < 23; i += 1) {
      const id = randomUUID();
      ids.push(id);
      const saved = await server.execute(
        SaveSessionDocument,
        { org: tenant.org, workspace: tenant.workspace, input: { id, model: 'm', messageCount: i % 3 } },
        tenant.members[0]!.token,
      );
      expect(saved.body.errors).toBeUndefined();
      await prisma.session.update({
        where: { id },
        data: {
          createdAt: new Date(base + (i % 4) * 1000),
          lastMessageAt: i % 5 === 0 ? null : new Date(base + (i % 4) * 60_000),
          updatedAt: new Date(base + (i % 4) * 3_600_000),
        },
      });
    }
  });

  const page = (vars: {
    field: SessionOrderField;
    direction: OrderDirection;
    first?: number;
    after?: string | null;
    last?: number;
    before?: string | null;
  }) =>
    server.execute(
      ListSessionsDocument,
      {
        org: tenant.org,
        workspace: tenant.workspace,
        orderBy: { field: vars.field, direction: vars.direction },
        first: vars.first,
        after: vars.after,
        last: vars.last,
        before: vars.before,
      },
      tenant.members[0]!.token,
    );

  for (const field of FIELDS) {
    for (const direction of DIRECTIONS) {
      it(`${field} ${direction}: a forward walk and a backward walk each return every session once, in order`, async () => {
        const forward: string[] = [];
        let after: string | null = null;
        for (let guard = 0; guard < 20; guard += 1) {
          const response = await page({ field, direction, first: 5, after });
          expect(response.body.errors).toBeUndefined();
          const connection = response.body.data!.sessions;
          expect(connection!.totalCount).toBe(23);
          forward.push(...connection!.edges.map((e) => e.node.id));
          if (!connection!.pageInfo.hasNextPage) break;
          after = connection!.pageInfo.endCursor;
        }
        expect(forward).toHaveLength(23);
        expect(new Set(forward).size).toBe(23);

        const backward: string[] = [];
        let before: string | null = null;
        for (let guard = 0; guard < 20; guard += 1) {
          const response = await page({ field, direction, last: 4, before });
          const connection = response.body.data!.sessions;
          backward.unshift(...connection!.edges.map((e) => e.node.id));
          if (!connection!.pageInfo.hasPreviousPage) break;
          before = connection!.pageInfo.startCursor;
        }
        expect(backward).toEqual(forward);

        // The order is the one asked for (ties broken by id, nulls smallest).
        const all = await page({ field, direction, first: 100 });
        const nodes = all.body.data!.sessions!.edges.map((e) => e.node);
        const key = (n: (typeof nodes)[number]): number | null => {
          if (field === 'MESSAGE_COUNT') return n.messageCount;
          const value = field === 'UPDATED_AT' ? n.updatedAt : field === 'CREATED_AT' ? n.createdAt : n.lastMessageAt;
          return value === null ? null : Date.parse(value);
        };
        const sorted = [...nodes].sort((a, b) => {
          const ka = key(a) ?? -Infinity;
          const kb = key(b) ?? -Infinity;
          const byKey = ka === kb ? 0 : ka < kb ? -1 : 1;
          const byId = a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
          const cmp = byKey !== 0 ? byKey : byId;
          return direction === 'ASC' ? cmp : -cmp;
        });
        expect(nodes.map((n) => n.id)).toEqual(sorted.map((n) => n.id));
        expect(nodes.map((n) => n.id)).toEqual(forward);
      });
    }
  }

  it('default page size is 20; more than 100 or a negative size is BAD_USER_INPUT', async () => {
    const first = await server.execute(ListSessionsDocument, { org: tenant.org, workspace: tenant.workspace }, tenant.members[0]!.token);
    expect(first.body.data!.sessions!.edges).toHaveLength(20);
    expect(first.body.data!.sessions!.pageInfo.hasNextPage).toBe(true);
    for (const size of [101, -1]) {
      const response = await page({ field: 'UPDATED_AT', direction: 'DESC', first: size });
      expect(response.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', errors: [{ loc: ['first'] }] });
    }
  });

  it('a cursor from another ordering or a forged cursor is BAD_USER_INPUT', async () => {
    const byUpdated = await page({ field: 'UPDATED_AT', direction: 'DESC', first: 2 });
    const cursor = byUpdated.body.data!.sessions!.pageInfo.endCursor!;
    const wrongOrder = await page({ field: 'CREATED_AT', direction: 'DESC', first: 2, after: cursor });
    expect(wrongOrder.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', errors: [{ loc: ['after'] }] });
    const forge = (position: Record<string, unknown>) => Buffer.from(JSON.stringify(position)).toString('base64url');
    const id = randomUUID();
    const forgeries = [
      'garbage',
      Buffer.from('{"id": 1}').toString('base64url'),
      Buffer.from('[]').toString('base64url'),
      forge({ field: 'UPDATED_AT', direction: 'DESC', value: '2026-01-01T00:00:00.000Z', id: 'not-a-uuid' }),
      forge({ field: 'UPDATED_AT', direction: 'DESC', value: '1', id }),
      forge({ field: 'UPDATED_AT', direction: 'DESC', value: '+275760-09-13T00:00:00.000Z', id }),
      forge({ field: 'UPDATED_AT', direction: 'DESC', value: null, id }),
      // Canonical ISO text, but a year PostgreSQL has no date for (there is no year 0).
      forge({ field: 'UPDATED_AT', direction: 'DESC', value: '0000-01-01T00:00:00.000Z', id }),
      forge({ field: 'UPDATED_AT', direction: 'DESC', value: '0000-12-31T23:59:59.999Z', id }),
    ];
    for (const forged of forgeries) {
      const response = await page({ field: 'UPDATED_AT', direction: 'DESC', first: 2, after: forged });
      expect(response.body.errors?.[0]?.extensions.code, forged).toBe('BAD_USER_INPUT');
    }
    const count = (value: unknown) => forge({ field: 'MESSAGE_COUNT', direction: 'ASC', value, id });
    for (const forged of [count(2 ** 31), count(-1), count(1.5), count('3')]) {
      const response = await page({ field: 'MESSAGE_COUNT', direction: 'ASC', first: 2, after: forged });
      expect(response.body.errors?.[0]?.extensions.code, forged).toBe('BAD_USER_INPUT');
    }
    const fine = await page({ field: 'MESSAGE_COUNT', direction: 'ASC', first: 2, after: count(1) });
    expect(fine.body.errors).toBeUndefined();
    const earliest = await page({
      field: 'UPDATED_AT',
      direction: 'DESC',
      first: 2,
      after: forge({ field: 'UPDATED_AT', direction: 'DESC', value: '0001-01-01T00:00:00.000Z', id }),
    });
    expect(earliest.body.errors).toBeUndefined();
    expect(earliest.body.data!.sessions!.edges).toEqual([]);
  });

  it('a cursor stays valid when sessions are added in front of it', async () => {
    const head = await page({ field: 'CREATED_AT', direction: 'ASC', first: 10 });
    const cursor = head.body.data!.sessions!.pageInfo.endCursor!;
    const rest = await page({ field: 'CREATED_AT', direction: 'ASC', first: 100, after: cursor });
    const t = tenant;
    // A new session sorts before the cursor (created long ago)...
    const early = randomUUID();
    await server.execute(
      SaveSessionDocument,
      { org: t.org, workspace: t.workspace, input: { id: early, model: 'm' } },
      t.members[0]!.token,
    );
    await server.db.database.prisma.session.update({ where: { id: early }, data: { createdAt: new Date(0) } });
    const again = await page({ field: 'CREATED_AT', direction: 'ASC', first: 100, after: cursor });
    expect(again.body.data!.sessions!.edges.map((e) => e.node.id)).toEqual(rest.body.data!.sessions!.edges.map((e) => e.node.id));
    await server.db.database.prisma.session.delete({ where: { id: early } });
  });
});
