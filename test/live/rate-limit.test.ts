import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildYoga } from '../../src/http/yoga.js';
import { createRateLimiter } from '../../src/http/plugins/rate-limit.js';
import { budget } from '../support/budget.js';
import { sharedTestDatabase } from '../support/database.js';
import { memoryLogger } from '../support/server.js';
import { createTenant } from '../support/tenant.js';
import { SESSION_EVENTS } from './support.js';

describe('live subscriptions and the rate limit', () => {
  for (const path of ['/graphql', '/graphql/stream']) {
    it(
      `starting a subscription on ${path} spends the caller’s budget; over it is RATE_LIMITED with HTTP 429`,
      async () => {
        const db = await sharedTestDatabase();
        const logger = memoryLogger();
        const rateLimit = createRateLimiter({ perMinute: 3, redisUrl: undefined, logger, keyPrefix: `live-${randomUUID()}` });
        const yoga = buildYoga({
          config: { graphiql: false, introspection: true, demoToken: undefined },
          prisma: db.database.prisma,
          logger,
          rateLimit,
        });
        const tenant = await createTenant(db.database.prisma, [{ role: 'READER' }]);
        const statuses: number[] = [];
        let refusal = '';
        for (let i = 0; i < 6; i += 1) {
          const response = await yoga.fetch(`http://localhost${path}`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              accept: 'text/event-stream',
              authorization: `Bearer ${tenant.members[0]!.token}`,
            },
            body: JSON.stringify({ query: SESSION_EVENTS, variables: { org: tenant.org, workspace: tenant.workspace } }),
          });
          statuses.push(response.status);
          if (response.status === 429) refusal = await response.text();
          else {
            // The stream has started (its first bytes came): the subscription is open; leave.
            const reader = response.body!.getReader();
            await reader.read();
            await reader.cancel();
          }
        }
        expect(statuses.slice(0, 2)).toEqual([200, 200]);
        expect(statuses.at(-1)).toBe(429);
        expect(refusal).toContain('RATE_LIMITED');
      },
      budget(8),
    );
  }
});
