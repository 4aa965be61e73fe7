import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../../src/http/plugins/rate-limit.js';
import { buildYoga } from '../../../src/http/yoga.js';
import { sharedTestDatabase } from '../../support/database.js';
import { memoryLogger } from '../../support/server.js';

/** A JSON array body is a batch (Apollo's BatchHttpLink sends one): each operation is limited and counted. */
describe('batched requests', () => {
  const yogaWith = async (perMinute?: number) => {
    const { database } = await sharedTestDatabase();
    const logger = memoryLogger();
    const rateLimit = perMinute ? createRateLimiter({ perMinute, redisUrl: undefined, logger }) : undefined;
    return buildYoga({
      config: { graphiql: false, introspection: true, demoToken: undefined, maxBatchOperations: 3 },
      prisma: database.prisma,
      logger,
      rateLimit,
    });
  };
  const post = async (yoga: Awaited<ReturnType<typeof yogaWith>>, body: unknown) => {
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  };

  it('answers each operation in order, each with its own limits and errors', async () => {
    const yoga = await yogaWith();
    const tooDeep = `{ ${'viewer { memberships { '.repeat(7)}org${' } }'.repeat(7)} }`;
    const answer = await post(yoga, [{ query: '{ __typename }' }, { query: tooDeep }, { query: '{ viewer { tokenKind } }' }]);
    expect(answer.status).toBe(200);
    const [first, second, third] = answer.body as { data?: unknown; errors?: { extensions: { code: string } }[] }[];
    expect(first).toEqual({ data: { __typename: 'Query' } });
    expect(second!.errors?.[0]?.extensions.code).toBe('BAD_REQUEST');
    expect(third!.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
  });

  it('refuses more operations than MAX_BATCH_OPERATIONS with HTTP 413 and BAD_REQUEST', async () => {
    const answer = await post(
      await yogaWith(),
      Array.from({ length: 4 }, () => ({ query: '{ __typename }' })),
    );
    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST', status: 400 } }] });
  });

  it('counts every operation of a batch against the rate limit', async () => {
    const yoga = await yogaWith(5);
    const three = Array.from({ length: 3 }, () => ({ query: '{ __typename }' }));
    expect((await post(yoga, three)).status).toBe(200);
    const over = await post(yoga, three);
    expect(over.status).toBe(429);
    expect(over.body).toMatchObject({ errors: [{ extensions: { code: 'RATE_LIMITED' } }] });
  });
});
