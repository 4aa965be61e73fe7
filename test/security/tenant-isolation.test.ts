import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KIND } from '../support/database.js';
import { createTestServer, type TestServer } from '../support/server.js';
import { GUIDED_SCENARIO } from './guided-scenario.js';
import { ScenarioRunner } from './scenario.js';
import { seedWorld } from './seed-world.js';
import { Tally } from './tally.js';
import { scenarioArb } from './world.js';

/**
 * Tenant isolation as a property: in random worlds (orgs, workspaces, members with roles, tokens
 * of every kind, some revoked or expired, sessions of every visibility, origin and lifecycle
 * state), every read path (session, sessions with any filter and totalCount, sessionFacets,
 * transcript, _entities, viewer, the trajectory export and its download, searchMessages) and every
 * write path (saveSession, updateSession, the lifecycle, appendTranscript, forkSession) answers exactly what the independent model of docs/api.md (access-model.ts) says,
 * a refused write leaves the database as it was, revoking or expiring a token that worked locks
 * it out on the next request, role changes and removals apply at once, and deleting a user
 * leaves their sessions ownerless (a PRIVATE one then visible to nobody). Tokens are stored as
 * SHA-256 only.
 *
 * ISOLATION_RUNS sets the number of worlds, ISOLATION_ACTIONS the most actions per world, and
 * ISOLATION_SEED replays a failing run (fast-check prints the seed and the shrunk scenario).
 */
const RUNS = Number(process.env.ISOLATION_RUNS ?? 16);
const MAX_ACTIONS = Number(process.env.ISOLATION_ACTIONS ?? 40);
const SEED = process.env.ISOLATION_SEED === undefined ? undefined : Number(process.env.ISOLATION_SEED);
// Room to shrink a failure to a small scenario; a passing run takes a fraction of it.
const TIME_LIMIT_MS = Math.max(240_000, RUNS * 5_000);

describe('tenant isolation: the API agrees with an independent access model', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await createTestServer();
  });

  it(
    `random worlds on ${DATABASE_KIND}: reads, writes and tokens`,
    async () => {
      const tally = new Tally();
      const started = Date.now();
      await fc.assert(
        fc.asyncProperty(scenarioArb(MAX_ACTIONS), async (scenario) => {
          const world = await seedWorld(server.db.database.prisma, scenario.world);
          tally.worlds += 1;
          const runner = new ScenarioRunner(server, world, tally);
          for (const action of scenario.actions) await runner.run(action);
          await runner.assertTokensStoredHashed();
        }),
        {
          numRuns: RUNS,
          examples: [[GUIDED_SCENARIO]],
          interruptAfterTimeLimit: TIME_LIMIT_MS,
          ...(SEED === undefined ? {} : { seed: SEED }),
        },
      );
      const outcomes = [...tally.outcomes].sort(([a], [b]) => (a < b ? -1 : 1));
      console.log(
        `tenant isolation (${DATABASE_KIND}): ${tally.worlds} worlds, ${tally.requests} requests, ${tally.checks} checks in ${((Date.now() - started) / 1000).toFixed(1)} s\n` +
          outcomes.map(([key, count]) => `  ${key}: ${count}`).join('\n'),
      );
      expect(tally.worlds).toBeGreaterThanOrEqual(RUNS);
      // The comparisons ran for every kind of answer (the guided scenario sees to it): a harness
      // that only ever met refusals, or only successes, would prove little.
      for (const outcome of [
        'session ok',
        'sessions ok',
        'sessionFacets ok',
        '_entities ok',
        'export ok',
        'export NOT_FOUND',
        'searchMessages ok',
        'UNAUTHENTICATED',
        'FORBIDDEN',
        'NOT_FOUND',
        'ALREADY_EXISTS',
        'CONFLICT',
      ]) {
        expect(
          tally.has((key) => key.includes(outcome)),
          `no "${outcome}" outcome`,
        ).toBe(true);
      }
      for (const write of [
        'saveSession new',
        'saveSession existing',
        'updateSession',
        'archiveSession',
        'unarchiveSession',
        'freezeSession',
        'deleteSession',
        'appendTranscript',
        'forkSession',
      ]) {
        expect(
          tally.has((key) => key.startsWith(write) && key.endsWith(' ok')),
          `no successful ${write}`,
        ).toBe(true);
      }
    },
    TIME_LIMIT_MS + 60_000,
  );
});
