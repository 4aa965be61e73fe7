import { describe, expect, it } from 'vitest';
import { buildYoga } from '../../../src/http/yoga.js';
import { sharedTestDatabase } from '../../support/database.js';
import { memoryLogger } from '../../support/server.js';

describe('MIN_CLIENT_VERSION: the X-Client-Version gate', () => {
  const ask = async (minClientVersion: string | undefined, version?: string) => {
    const { database } = await sharedTestDatabase();
    const yoga = buildYoga({
      config: { graphiql: false, introspection: true, demoToken: undefined, minClientVersion },
      prisma: database.prisma,
      logger: memoryLogger(),
    });
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(version ? { 'x-client-version': version } : {}) },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    return {
      status: response.status,
      body: (await response.json()) as { data?: unknown; errors?: { message: string; extensions: Record<string, unknown> }[] },
    };
  };

  it('an older client is UPGRADE_REQUIRED with HTTP 426 and the envelope', async () => {
    const old = await ask('2.1.0', '2.0.9');
    expect(old.status).toBe(426);
    expect(old.body.data).toBeUndefined();
    expect(old.body.errors?.[0]).toMatchObject({
      message: expect.stringContaining('upgrade to 2.1.0'),
      extensions: { code: 'UPGRADE_REQUIRED', status: 426, type: 'upgrade_required_error' },
    });
    expect((await ask('2.1.0', '2.1.0-beta.1')).status).toBe(426);
  });

  it('the minimum, newer versions and requests without the header pass', async () => {
    for (const version of ['2.1.0', 'v2.1.0', '2.10.0', '3.0.0-rc.1', undefined]) {
      const response = await ask('2.1.0', version);
      expect(response.status, version).toBe(200);
      expect(response.body.data).toEqual({ __typename: 'Query' });
    }
  });

  it('a header that is not a semantic version is BAD_REQUEST; without a minimum nothing is checked', async () => {
    const bad = await ask('2.1.0', 'latest');
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_REQUEST', status: 400 });
    expect((await ask(undefined, '0.0.1')).status).toBe(200);
  });
});
