import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { ViewerDocument } from '../generated/graphql.js';
import { withFreshDatabase } from '../support/database.js';
import { runTs } from '../support/process.js';
import { createTestServer } from '../support/server.js';
import { PROCESS_TEST_MS } from '../support/budget.js';

// Each child process opens its own embedded database: slow on a loaded 2-core machine.

describe('admin CLI (npm run admin)', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'cs-admin-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it(
    'bootstrap is idempotent, prints one JSON object, and revoke-token stops the token',
    async () => {
      await withFreshDatabase(async (url) => {
        // PostgreSQL mode needs `npm run db:migrate` first, as README says; embedded migrates itself.
        const env = url ? { DATABASE_URL: url, MIGRATE_ON_START: 'true' } : { DATABASE_URL: '', DATA_DIR: dataDir };
        const admin = (...args: string[]) => runTs('src/admin/cli.ts', args, { ...env, LOG_LEVEL: 'warn' });

        const args = [
          'bootstrap',
          '--org',
          'acme',
          '--workspace',
          'research',
          '--email',
          'Ada@Example.com',
          '--role',
          'contributor',
          '--token-kind',
          'WORKER',
        ];
        const first = await admin(...args);
        expect(first.code, first.stderr).toBe(0);
        expect(first.stdout.trim().split('\n')).toHaveLength(1);
        const created = JSON.parse(first.stdout) as Record<string, string>;
        expect(Object.keys(created).sort()).toEqual(['orgId', 'token', 'userId', 'workspaceId']);
        expect(created.token).toMatch(/^cst_[A-Za-z0-9_-]{43}$/);

        const second = await admin(...args);
        const again = JSON.parse(second.stdout) as Record<string, string>;
        expect({ ...again, token: '' }).toEqual({ ...created, token: '' });
        expect(again.token).not.toBe(created.token);

        const database = await openDatabase({ databaseUrl: url, dataDir });
        try {
          const server = await createTestServer({ database, statements: [], parameters: [] });
          const viewer = await server.execute(ViewerDocument, {}, created.token);
          expect(viewer.body.data!.viewer).toMatchObject({
            user: { email: 'ada@example.com' },
            tokenKind: 'WORKER',
            memberships: [{ org: 'acme', workspace: 'research', role: 'CONTRIBUTOR' }],
          });
          expect(JSON.stringify(await database.prisma.apiToken.findMany())).not.toContain(created.token);
        } finally {
          await database.close();
        }

        const revoked = await admin('revoke-token', '--token', created.token!);
        expect(revoked.code, revoked.stderr).toBe(0);
        expect(JSON.parse(revoked.stdout)).toEqual({ revoked: true });
        expect(JSON.parse((await admin('revoke-token', '--token', created.token!)).stdout)).toEqual({ revoked: false });

        const reopened = await openDatabase({ databaseUrl: url, dataDir });
        try {
          const server = await createTestServer({ database: reopened, statements: [], parameters: [] });
          expect((await server.execute(ViewerDocument, {}, created.token)).status).toBe(401);
          expect((await server.execute(ViewerDocument, {}, again.token)).status).toBe(200);
        } finally {
          await reopened.close();
        }
      });
    },
    PROCESS_TEST_MS,
  );

  it(
    'bad usage exits with code 2 and says what is wrong, without touching the database',
    { tags: ['embedded-only'], timeout: PROCESS_TEST_MS },
    async () => {
      const env = { DATABASE_URL: '', DATA_DIR: path.join(dataDir, 'never-created') };
      const missing = await runTs('src/admin/cli.ts', ['bootstrap', '--org', 'acme'], env);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/--workspace is required/);
      const unknown = await runTs('src/admin/cli.ts', ['frobnicate'], env);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/Unknown command "frobnicate"[\s\S]*Usage: npm run admin/);
      const badRole = await runTs(
        'src/admin/cli.ts',
        ['bootstrap', '--org', 'a', '--workspace', 'b', '--email', 'x@y.z', '--role', 'owner'],
        env,
      );
      expect(badRole.code).toBe(2);
      expect(badRole.stderr).toMatch(/--role must be one of READER, CONTRIBUTOR, ADMIN/);
      const badSlug = await runTs('src/admin/cli.ts', ['bootstrap', '--org', 'Not A Slug', '--workspace', 'b', '--email', 'x@y.z'], env);
      expect(badSlug.code).toBe(1);
      expect(badSlug.stderr).toMatch(/--org must match/);
    },
  );
});
