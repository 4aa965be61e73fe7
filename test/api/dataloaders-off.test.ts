import { randomUUID } from 'node:crypto';
import { print } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildYoga, type Yoga } from '../../src/http/yoga.js';
import { ListSessionsWithLazyFieldsDocument, SaveSessionDocument } from '../generated/graphql.js';
import { sharedTestDatabase, type TestDatabase } from '../support/database.js';
import { memoryLogger } from '../support/server.js';
import { createTenant, type Tenant } from '../support/tenant.js';

/**
 * DATALOADERS=false is the benchmark's N+1 baseline: the same answers, but every lazy field loads
 * per parent, so a page's statements grow with its size (with batching they do not; see
 * statement-count.test.ts).
 */
describe('DATALOADERS=false (benchmark baseline)', () => {
  let db: TestDatabase;
  let tenant: Tenant;
  const yogas: Record<'batched' | 'perParent', Yoga> = {} as Record<'batched' | 'perParent', Yoga>;

  beforeAll(async () => {
    db = await sharedTestDatabase();
    const make = (batch: boolean) =>
      buildYoga({
        config: { graphiql: false, introspection: true, demoToken: undefined },
        loaders: { batch },
        prisma: db.database.prisma,
        logger: memoryLogger(),
      });
    yogas.batched = make(true);
    yogas.perParent = make(false);
    // Two owners, so creators repeat across the page (a cache would hide per-parent loading).
    tenant = await createTenant(db.database.prisma, [{ role: 'CONTRIBUTOR' }, { role: 'CONTRIBUTOR' }]);
    for (let i = 0; i < 12; i += 1) {
      const input = { id: randomUUID(), model: 'm', visibility: 'WORKSPACE' as const, labels: [{ key: 'n', values: [String(i)] }] };
      const response = await request(
        yogas.batched,
        print(SaveSessionDocument),
        { org: tenant.org, workspace: tenant.workspace, input },
        tenant.members[i % 2]!.token,
      );
      expect(response.body).not.toHaveProperty('errors');
    }
  });

  async function request(yoga: Yoga, query: string, variables: Record<string, unknown>, token: string) {
    const start = db.statements.length;
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: unknown; errors?: unknown };
    return { body, statements: db.statements.length - start };
  }

  const page = (yoga: Yoga, first: number) =>
    request(
      yoga,
      print(ListSessionsWithLazyFieldsDocument),
      { org: tenant.org, workspace: tenant.workspace, first },
      tenant.members[0]!.token,
    );

  it('returns the same page as the batched server', async () => {
    const batched = await page(yogas.batched, 10);
    expect(batched.body).not.toHaveProperty('errors');
    expect((await page(yogas.perParent, 10)).body).toEqual(batched.body);
  });

  it('costs one statement per session and lazy field (creator, labels, usage): the N+1', async () => {
    const [five, ten] = [await page(yogas.perParent, 5), await page(yogas.perParent, 10)];
    expect(ten.statements - five.statements).toBe(5 * 3);
    const [batchedFive, batchedTen] = [await page(yogas.batched, 5), await page(yogas.batched, 10)];
    expect(batchedTen.statements).toBe(batchedFive.statements);
    // Batched, the three fields of the whole page are one statement (the session-details loader).
    expect(ten.statements - batchedTen.statements).toBe(10 * 3 - 1);
  });
});
