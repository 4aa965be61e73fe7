import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../src/http/server.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { SessionFacetsDocument } from '../../generated/graphql.js';
import { createTestServer } from '../../support/server.js';
import { createTenant } from '../../support/tenant.js';

const DEMO_TOKEN = 'cst_demo-token-for-the-metric-test';

/**
 * /metrics counts the SQL statements the server sends (`db_statements_total`): the benchmark
 * divides its growth by the requests served. It must count exactly what Prisma sends.
 */
describe('db_statements_total', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer(
      // No facets cache: each repeated sessionFacets below sends its statements.
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: 'memory://',
        LOG_LEVEL: 'silent',
        DEMO_TOKEN,
        RATE_LIMIT_PER_MINUTE: '0',
        FACETS_CACHE_SECONDS: '0',
      }),
      createLogger('silent'),
    );
  });
  afterAll(async () => {
    await server?.close();
  });

  async function statements(): Promise<number> {
    const text = await (await fetch(new URL('/metrics', server.url))).text();
    const value = /^db_statements_total (\d+)$/m.exec(text)?.[1];
    expect(value, 'db_statements_total on /metrics').toBeDefined();
    return Number(value);
  }

  async function graphql(query: string, variables: Record<string, unknown>, token?: string) {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { errors?: unknown };
    expect(body.errors).toBeUndefined();
  }

  it('counts the statements Prisma sends, and none for a request that reads nothing', async () => {
    const facets = print(SessionFacetsDocument);
    const start = await statements();
    await graphql('{ __typename }', {});
    expect(await statements()).toBe(start);

    await graphql(facets, { org: 'demo', workspace: 'main' }, DEMO_TOKEN);
    const one = (await statements()) - start;
    // The same operation on the test database, counted by Prisma's own query events.
    const reference = await createTestServer();
    const tenant = await createTenant(reference.db.database.prisma);
    const { statements: sent } = await reference.countStatements(() =>
      reference.execute(SessionFacetsDocument, { org: tenant.org, workspace: tenant.workspace }, tenant.members[0]!.token),
    );
    expect(one).toBe(sent.length);
    expect(one).toBeGreaterThan(0);

    await graphql(facets, { org: 'demo', workspace: 'main' }, DEMO_TOKEN);
    await graphql(facets, { org: 'demo', workspace: 'main' }, DEMO_TOKEN);
    expect((await statements()) - start).toBe(3 * one);
  });
});
