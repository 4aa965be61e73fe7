import { Prisma } from '../../src/generated/prisma/client.js';
import { describe, expect, it } from 'vitest';
import { workspaceAccess } from '../../src/auth/access.js';
import { authenticate } from '../../src/auth/principal.js';
import { DEFAULT_POOL } from '../../src/config.js';
import { openDatabase } from '../../src/db/client.js';
import { applyMigrations, readMigrations } from '../../src/db/migrate.js';
import { readRows } from '../../src/db/rows.js';
import { listSessions } from '../../src/sessions/list.js';
import { DATABASE_KIND, withFreshDatabase } from '../support/database.js';
import { createTenant } from '../support/tenant.js';

interface PreparedRow {
  name: string;
  statement: string;
}

/**
 * The fixed texts of every request (authentication, the workspace, an unfiltered page, a page's details) are prepared
 * once per PostgreSQL connection, which halved PostgreSQL's CPU per list request
 * (docs/performance.md). One connection here, so what it prepared can be read back.
 */
describe(`prepared statements (${DATABASE_KIND})`, () => {
  it('prepares the fixed texts once per connection, at most 32 of them; the embedded database runs them unnamed', async () => {
    await withFreshDatabase(async (url) => {
      const database = await openDatabase({ databaseUrl: url, dataDir: 'memory://', pool: { ...DEFAULT_POOL, size: 1 } });
      try {
        await database.withConnection(async (conn) => applyMigrations(conn, await readMigrations()));
        const prisma = database.prisma;
        const prepared = () => readRows<PreparedRow>(prisma, Prisma.sql`SELECT name, statement FROM pg_prepared_statements ORDER BY name`);

        const tenant = await createTenant(prisma);
        for (let i = 0; i < 3; i += 1) {
          const principal = await authenticate(prisma, `Bearer ${tenant.members[0]!.token}`);
          await workspaceAccess(prisma, principal, tenant.org, tenant.workspace);
        }
        const access = await workspaceAccess(
          prisma,
          await authenticate(prisma, `Bearer ${tenant.members[0]!.token}`),
          tenant.org,
          tenant.workspace,
        );
        const order = { field: 'UPDATED_AT', direction: 'DESC' } as const;
        for (const first of [1, 5]) await listSessions(prisma, access, { archived: 'ANY' }, order, { first });
        await listSessions(prisma, access, { labels: [{ key: 'team', values: ['a'] }] }, order, { first: 5 });
        await listSessions(prisma, access, { models: ['m'] }, order, { first: 5 });
        const sum = (n: number) => readRows<{ n: number }>(prisma, Prisma.sql`SELECT ${n}::int + 1 AS n`, { prepared: true });
        expect(await sum(1)).toEqual([{ n: 2 }]);
        expect(await sum(41)).toEqual([{ n: 42 }]);

        if (database.mode === 'embedded') {
          expect(await prepared()).toEqual([]);
          return;
        }
        const names = await prepared();
        expect(names.map((row) => row.name).every((name) => name.startsWith('cs_'))).toBe(true);
        expect(names.filter((row) => row.statement.includes('api_tokens'))).toHaveLength(1);
        expect(names.filter((row) => row.statement.includes('memberships'))).toHaveLength(1);
        expect(names.filter((row) => row.statement.includes('::int + 1'))).toHaveLength(1);
        // The unfiltered list once, whatever its page size; the filtered ones run unnamed (their plans depend on the values).
        const pages = names.filter((row) => row.statement.includes('FROM sessions s') && row.statement.includes('LIMIT'));
        expect(pages).toHaveLength(1);
        expect(pages[0]!.statement).not.toMatch(/session_labels|s\.model = ANY/);

        // Distinct texts past the cap run unnamed, and still answer.
        for (let i = 0; i < 40; i += 1) {
          expect(
            await readRows<{ n: number }>(prisma, Prisma.sql`SELECT ${i}::int + ${Prisma.raw(String(i))} AS n`, { prepared: true }),
          ).toEqual([{ n: 2 * i }]);
        }
        expect((await prepared()).length).toBe(32);
      } finally {
        await database.close();
      }
    });
  });
});
