import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budget } from '../support/budget.js';
import { TEST_REDIS_URL } from '../support/redis.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { createTenant, uniqueSuffix, type Tenant } from '../support/tenant.js';
import { createLiveTestServer, type LiveTestServer } from './harness.js';
import { APPEND, SAVE, TRANSCRIPT, until } from './support.js';

const redisUrl = new URL(TEST_REDIS_URL);
const REDIS = { host: redisUrl.hostname, port: Number(redisUrl.port || 6379) };

interface Message {
  seq: number;
  content: string;
}

// Two instances on one database and one Redis (their own channel prefix, so no other test or
// developer hears them); B reaches Redis through a proxy the test can cut.
let a: LiveTestServer;
let b: LiveTestServer;
let proxy: TcpProxy;
let tenant: Tenant;
beforeAll(async () => {
  proxy = await startTcpProxy(REDIS);
  const channelPrefix = `cs-live-test-${uniqueSuffix()}:`;
  a = await createLiveTestServer({ redisUrl: TEST_REDIS_URL, channelPrefix });
  b = await createLiveTestServer({ redisUrl: `redis://127.0.0.1:${proxy.port}`, channelPrefix });
  tenant = await createTenant(a.db.database.prisma, [{ role: 'CONTRIBUTOR' }]);
}, budget(5));
afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
  await proxy.close();
});

const slugs = () => ({ org: tenant.org, workspace: tenant.workspace });
const token = () => tenant.members[0]!.token;

async function append(id: string, content: string): Promise<void> {
  const result = await a.run(token(), APPEND, { ...slugs(), id, input: { messages: [{ role: 'USER', content }] } });
  expect(result.errors).toBeUndefined();
}

describe('fan-out across instances through Redis', () => {
  it(
    'an append on A is delivered to a subscriber on B; when B loses Redis the subscriber gets an error, and afterSeq recovers what it missed',
    async () => {
      const id = randomUUID();
      await a.run(token(), SAVE, { ...slugs(), input: { id, model: 'm' } });
      const onB = b.subscribe<{ transcript: Message }>(token(), TRANSCRIPT, { ...slugs(), id });
      await new Promise((resolve) => setTimeout(resolve, 200));
      await append(id, 'from A');
      await until(() => onB.events.length === 1, 10_000, 'delivery on B');
      expect(onB.events[0]!.data!.transcript).toEqual({ seq: 1, content: 'from A' });

      await proxy.cut();
      await onB.ended;
      expect(onB.events.at(-1)!.errors![0]!.extensions.code).toBe('BAD_GATEWAY');
      await append(id, 'missed');
      await proxy.restore();
      await until(() => b.live.hub.available(), 10_000, 'B back on Redis');
      // No pause: whether the append commits before the feed reads what is stored, or after it
      // listens on Redis, it arrives once (the feed reads only after Redis acknowledged its SUBSCRIBE).
      const resumed = b.subscribe<{ transcript: Message }>(token(), TRANSCRIPT, { ...slugs(), id, afterSeq: 1 });
      await append(id, 'live again');
      await until(() => resumed.events.length === 2, 10_000, 'the resumed feed');
      await resumed.cancel();
      expect(resumed.events.map((e) => e.data!.transcript)).toEqual([
        { seq: 2, content: 'missed' },
        { seq: 3, content: 'live again' },
      ]);
    },
    budget(10),
  );
});
