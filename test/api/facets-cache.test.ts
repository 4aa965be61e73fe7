import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { SaveSessionDocument, SessionFacetsDocument } from '../generated/graphql.js';
import { createTestServer, type TestServer } from '../support/server.js';
import { createTenant, type Tenant } from '../support/tenant.js';

/**
 * sessionFacets answers are reused for FACETS_CACHE_SECONDS (an hour here, so that no timing is
 * involved): a write that bypasses this server (another process) is not seen until then, while a
 * mutation through this server empties the cache at once.
 */
describe('the sessionFacets cache', () => {
  let server: TestServer;
  let tenant: Tenant;
  const model = `cache-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    server = await createTestServer(undefined, { facetsCacheSeconds: 3600 });
    tenant = await createTenant(server.db.database.prisma, [{ role: 'CONTRIBUTOR' }]);
  });

  const token = () => tenant.members[0]!.token;
  const facets = () =>
    server.countStatements(() => server.execute(SessionFacetsDocument, { org: tenant.org, workspace: tenant.workspace }, token()));
  const modelCount = (result: Awaited<ReturnType<typeof facets>>['result']) => {
    expect(result.body.errors).toBeUndefined();
    return result.body.data!.sessionFacets!.models.find((m) => m.value === model)?.count ?? 0;
  };
  const save = async () => {
    const saved = await server.execute(
      SaveSessionDocument,
      { org: tenant.org, workspace: tenant.workspace, input: { id: randomUUID(), model, visibility: 'WORKSPACE' } },
      token(),
    );
    expect(saved.body.errors).toBeUndefined();
  };

  it('serves a repeated question without its statement, and sees a mutation of this server at once', async () => {
    await save();
    const first = await facets();
    expect(modelCount(first.result)).toBe(1);
    // Authentication (the workspace comes with the token) and the grouped statement.
    expect(first.statements).toHaveLength(2);

    // Another process's write: the cached answer stands, and no grouped statement runs.
    await server.db.database.prisma.session.create({
      data: { id: randomUUID(), workspaceId: tenant.workspaceId, userId: tenant.members[0]!.userId, model, visibility: 'WORKSPACE' },
    });
    const cached = await facets();
    expect(modelCount(cached.result)).toBe(1);
    expect(cached.statements).toHaveLength(1);

    // A mutation through this server: the next answer counts everything.
    await save();
    const fresh = await facets();
    expect(modelCount(fresh.result)).toBe(3);
    expect(fresh.statements).toHaveLength(2);
  });
});
