import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { graphqlClient } from '../../scripts/load/graphql-client.js';
import { newLedger } from '../../scripts/load/ledger.js';
import { OPERATIONS, runClient, type Operation, type ReadMismatches } from '../../scripts/load/mix.js';
import { buildReport, type LoadReport } from '../../scripts/load/report.js';
import { Recorder } from '../../scripts/load/stats.js';
import { verifyLedger } from '../../scripts/load/verify.js';
import { TEST_DATABASE_URL } from '../support/database.js';
import { runTs } from '../support/process.js';
import { seededRandom } from '../support/random.js';
import { createTestServer } from '../support/server.js';
import { createTenant } from '../support/tenant.js';
import { PROCESS_TEST_MS } from '../support/budget.js';

// The load script starts a database and the server as a child: slow on a loaded 2-core machine.

describe('npm run load', () => {
  it(
    'drives the server from a separate process and finds every acknowledged write in the database',
    async () => {
      const args = ['--clients', '4', '--duration', '3', '--seed', '7', '--json'];
      // On PostgreSQL the script creates (and drops) its own database on the TEST_DATABASE_URL server.
      const env = TEST_DATABASE_URL ? { LOAD_PG_ADMIN_URL: TEST_DATABASE_URL } : {};
      const run = await runTs('scripts/load.ts', TEST_DATABASE_URL ? args : [...args, '--embedded'], env);
      expect(run.code, run.stderr).toBe(0);

      const report = JSON.parse(run.stdout) as LoadReport;
      expect(report.database.mode).toBe(TEST_DATABASE_URL ? 'postgres' : 'embedded');
      expect(report.clients).toBe(4);
      expect(report.requests).toBeGreaterThan(0);
      // Every client starts with each operation once, so every operation ran at least 4 times.
      for (const op of OPERATIONS) expect(report.latencyMs.byOperation[op].count, op).toBeGreaterThanOrEqual(4);
      expect(report.errors).toEqual({ total: 0, serverFaults: 0, byCode: {} });
      expect(Object.keys(report.httpStatuses)).toEqual(['200']);
      expect(report.verification.sessionsChecked).toBeGreaterThanOrEqual(4);
      expect(report.verification.messagesChecked).toBeGreaterThanOrEqual(8);
      expect(report.verification.lostWrites).toBe(0);
      expect(report.verification.integrity).toEqual({
        seqGaps: 0,
        messageCountMismatches: 0,
        unexpectedMessages: 0,
        unexpectedSessions: 0,
      });
      expect(report.readMismatches.count).toBe(0);
      expect(report.server.exit).toEqual({ code: 0, signal: null, killed: false });
      expect(report.passed).toBe(true);
      expect(run.stderr).toMatch(/load: stopping the server \(SIGTERM\)/);
    },
    PROCESS_TEST_MS,
  );

  it(
    'refuses a database that is not on this machine, before touching anything',
    async () => {
      const run = await runTs('scripts/load.ts', ['--database-url', 'postgresql://postgres@db.example.com:5432/prod'], {});
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/--database-url must point at this machine/);
      expect(run.stdout).toBe('');
    },
    PROCESS_TEST_MS,
  );
});

describe('the load verification', () => {
  it('counts acknowledged writes that are missing or changed, and broken invariants, as failures', async () => {
    // The load mix itself, in-process through yoga.fetch, builds a real ledger.
    const server = await createTestServer();
    const { prisma } = server.db.database;
    const tenant = await createTenant(prisma, [{ role: 'CONTRIBUTOR' }, { role: 'CONTRIBUTOR' }]);
    const ledger = newLedger();
    const recorder = new Recorder<Operation>();
    const readMismatches: ReadMismatches = { count: 0, examples: [] };
    for (const [i, member] of tenant.members.entries()) {
      const client = graphqlClient('http://localhost/graphql', member.token, 30_000, async (url, init) => server.yoga.fetch(url, init));
      const ctx = {
        org: tenant.org,
        workspace: tenant.workspace,
        userId: member.userId,
        client,
        rng: seededRandom(i + 1),
        ledger,
        recorder,
        readMismatches,
      };
      // A stop time already past: each client runs its opening round of every operation once.
      await runClient(ctx, performance.now());
    }
    expect(recorder.requests).toBe(2 * OPERATIONS.length);
    expect(recorder.errorsByCode.size).toBe(0);
    expect(readMismatches.count).toBe(0);
    const verify = () =>
      server.db.database.withConnection((conn) => verifyLedger((sql, params) => conn.query(sql, params), tenant.workspaceId, ledger));

    const clean = await verify();
    expect(clean.sessionsChecked).toBe(2);
    expect(clean.messagesChecked).toBe(ledger.sessions.reduce((sum, session) => sum + session.messages.length, 0));
    expect(clean.messagesChecked).toBeGreaterThanOrEqual(4);
    expect(clean.lostWrites).toBe(0);
    expect(clean.integrity).toEqual({ seqGaps: 0, messageCountMismatches: 0, unexpectedMessages: 0, unexpectedSessions: 0 });

    // Now lose and change acknowledged writes behind the API's back.
    const [first, second] = ledger.sessions;
    await prisma.sessionMessage.delete({ where: { id: first!.messages[0]!.id } });
    await prisma.session.update({ where: { id: second!.id }, data: { title: 'not what was acknowledged' } });
    ledger.sessions.push({ ...second!, id: randomUUID(), messages: [] });
    await prisma.session.create({
      data: { id: randomUUID(), workspaceId: tenant.workspaceId, userId: tenant.members[0]!.userId, model: 'm' },
    });

    const broken = await verify();
    expect(broken.lost).toEqual({ missingSessions: 1, changedSessions: 1, missingMessages: 1, changedMessages: 0 });
    expect(broken.lostWrites).toBe(3);
    expect(broken.integrity).toEqual({ seqGaps: 1, messageCountMismatches: 1, unexpectedMessages: 0, unexpectedSessions: 1 });

    const report = buildReport({
      database: { mode: 'embedded', description: 'test' },
      clients: 2,
      durationSeconds: 1,
      elapsedSeconds: 1,
      seed: 1,
      recorder,
      readMismatches,
      resources: { serverCpuSeconds: null, driverCpuSeconds: 0, cpus: 2, loadAverage1m: { start: 0, end: 0 } },
      verification: broken,
      serverErrorLogLines: 0,
      serverExit: { code: 0, signal: null, killed: false },
    });
    expect(report.passed).toBe(false);
    expect(report.failures).toEqual(['3 acknowledged writes lost', 'integrity: seqGaps 1, messageCountMismatches 1, unexpectedSessions 1']);
  });
});
