import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { revokeToken } from '../../../src/admin/provision.js';
import { startServer } from '../../../src/http/server.js';
import { hashToken } from '../../../src/auth/tokens.js';
import { VerifiedTokens } from '../../../src/auth/verified-tokens.js';
import { loadConfig } from '../../../src/config.js';
import { memoryLogger } from '../../support/server.js';
import { startTs, whileRunning } from '../../support/process.js';
import { PROCESS_TEST_MS } from '../../support/budget.js';
import { TEST_REDIS_URL } from '../../support/redis.js';

const REDIS_URL = TEST_REDIS_URL;
const newToken = () => `cst_rate-${randomBytes(8).toString('hex')}`;

/**
 * A client address of its own: every 127.x.y.z is this machine, so a test gets an address budget
 * no other test (nor an earlier run, on the shared Redis) has spent.
 */
const newAddress = () => `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: { errors?: { message: string; extensions: Record<string, unknown> }[] };
}

/** `{ __typename }` from `from`, with `token` as the bearer token if given. */
function ask(url: string, from: string, token?: string): Promise<Answer> {
  const body = JSON.stringify({ query: '{ __typename }' });
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        localAddress: from,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => {
          const retryAfter = res.headers['retry-after'];
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
            body: JSON.parse(text) as Answer['body'],
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function statuses(count: number, send: (i: number) => Promise<Answer>): Promise<number[]> {
  const result: number[] = [];
  for (let i = 0; i < count; i += 1) result.push((await send(i)).status);
  return result;
}

describe('rate limiting', () => {
  it('in memory: a token that authenticated has a budget of its own, anonymous requests spend the address\u2019s; over it is 429 with Retry-After', async () => {
    const token = newToken();
    const from = newAddress();
    const server = await startServer(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: 'memory://',
        LOG_LEVEL: 'silent',
        DEMO_TOKEN: token,
        RATE_LIMIT_PER_MINUTE: '5',
      }),
      memoryLogger(),
    );
    try {
      // The first request is not verified yet and spends the address's budget; five of its own follow.
      expect(await statuses(7, () => ask(server.url, from, token))).toEqual([200, 200, 200, 200, 200, 200, 429]);
      const limited = await ask(server.url, from, token);
      expect(limited.status).toBe(429);
      expect(Number(limited.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(limited.body.errors?.[0]).toMatchObject({
        message: expect.stringContaining('5 requests per minute'),
        extensions: { code: 'RATE_LIMITED', status: 429, type: 'rate_limit_error' },
      });
      // Anonymous requests from that address have the four requests the token left.
      expect(await statuses(5, () => ask(server.url, from))).toEqual([200, 200, 200, 200, 429]);
      // Another address has a budget of its own.
      expect((await ask(server.url, newAddress())).status).toBe(200);
      // Probes are not limited.
      expect((await fetch(new URL('/health', server.url))).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('made-up tokens spend the address\u2019s budget (no fresh budget each); a revoked token is back on it at once', async () => {
    const token = newToken();
    const from = newAddress();
    const server = await startServer(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: 'memory://',
        LOG_LEVEL: 'silent',
        DEMO_TOKEN: token,
        RATE_LIMIT_PER_MINUTE: '5',
      }),
      memoryLogger(),
    );
    try {
      expect((await ask(server.url, from, token)).status).toBe(200);
      // Ten different bogus tokens: each used to get a budget of its own (ten 401s).
      const bogus = await Promise.all(Array.from({ length: 10 }, () => newToken()).map(async (t) => ask(server.url, from, t)));
      expect(bogus.map((answer) => answer.status).sort()).toEqual([401, 401, 401, 401, 429, 429, 429, 429, 429, 429]);
      expect(bogus.find((answer) => answer.status === 429)?.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED' });
      expect((await ask(server.url, from)).status).toBe(429);
      // The token authenticated once: it keeps its own budget while the address's is spent.
      expect(await statuses(3, () => ask(server.url, from, token))).toEqual([200, 200, 200]);
      // Revocation is immediate; after the failure the token spends the address's budget again.
      expect(await revokeToken(server.database.prisma, token)).toBe(true);
      const revoked = await ask(server.url, from, token);
      expect(revoked.status).toBe(401);
      expect(revoked.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
      expect((await ask(server.url, from, token)).status).toBe(429);
    } finally {
      await server.close();
    }
  });

  it(
    'with REDIS_URL two server processes draw from one budget per token and one per address; bogus tokens get no Redis key',
    { tags: ['embedded-only'], timeout: PROCESS_TEST_MS },
    async () => {
      const token = newToken();
      const from = newAddress();
      const dirs = await Promise.all([0, 1].map(() => mkdtemp(path.join(tmpdir(), 'cs-rate-'))));
      const servers = dirs.map((dir) =>
        startTs('src/main.ts', {
          DATABASE_URL: '',
          DATA_DIR: dir,
          PORT: '0',
          HOST: '127.0.0.1',
          DEMO_TOKEN: token,
          RATE_LIMIT_PER_MINUTE: '10',
          REDIS_URL,
        }),
      );
      const redis = new Redis(REDIS_URL);
      try {
        await whileRunning(servers, async () => {
          const urls = await Promise.all(
            servers.map(async (s) => ((await s.waitFor(/GraphQL API and GraphiQL at (http:\/\/\S+)/)) as unknown as [string, string])[1]),
          );
          // On each instance the token's first request spends the (shared) address budget, then the
          // (shared) token budget: 7 on the first instance, 3 more on the second.
          expect(await statuses(8, () => ask(urls[0]!, from, token))).toEqual(Array(8).fill(200));
          expect(await statuses(8, () => ask(urls[1]!, from, token))).toEqual([200, 200, 200, 200, ...Array(4).fill(429)]);
          // Bogus tokens, to both instances: the 8 requests left of the address budget, then 429.
          const bogus = Array.from({ length: 12 }, () => newToken());
          expect(await statuses(12, (i) => ask(urls[i % 2]!, from, bogus[i]))).toEqual([...Array(8).fill(401), ...Array(4).fill(429)]);
          for (const t of bogus) expect(await redis.exists(`cs-rate:t:${hashToken(t).slice(0, 32)}`)).toBe(0);
          expect(await redis.exists(`cs-rate:t:${hashToken(token).slice(0, 32)}`)).toBe(1);
        });
      } finally {
        redis.disconnect();
        await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
      }
    },
  );

  it(
    'when Redis goes away it serves without limits, and limits again once Redis is back',
    async () => {
      const port = 20000 + Math.floor(Math.random() * 20000);
      const startRedis = () => {
        const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
        return new Promise<ChildProcess>((resolve, reject) => {
          child.stdout.on('data', (chunk: Buffer) => {
            if (/Ready to accept connections/i.test(chunk.toString())) resolve(child);
          });
          child.on('error', reject);
        });
      };
      const stopRedis = (child: ChildProcess) =>
        new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.on('exit', () => resolve()), child.kill('SIGKILL'))));
      let redis = await startRedis();
      const token = newToken();
      const from = newAddress();
      const logger = memoryLogger();
      const server = await startServer(
        loadConfig({
          PORT: '0',
          HOST: '127.0.0.1',
          DATA_DIR: 'memory://',
          DEMO_TOKEN: token,
          RATE_LIMIT_PER_MINUTE: '3',
          REDIS_URL: `redis://127.0.0.1:${port}`,
        }),
        logger,
      );
      try {
        // One request on the address's budget (the token is not verified yet), three on its own.
        expect(await statuses(5, () => ask(server.url, from, token))).toEqual([200, 200, 200, 200, 429]);
        await stopRedis(redis);
        expect(await statuses(3, () => ask(server.url, from, token))).toEqual([200, 200, 200]);
        expect(logger.lines.some((line) => /rate limit store unavailable/.test(line.msg))).toBe(true);
        // A new, empty Redis on the same port: ioredis reconnects and the budget counts again.
        redis = await startRedis();
        const after: number[] = [];
        for (let attempt = 0; attempt < 50 && !after.includes(429); attempt += 1) {
          after.push((await ask(server.url, from, token)).status);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(after).toContain(429);
      } finally {
        await server.close();
        await stopRedis(redis);
      }
    },
    PROCESS_TEST_MS,
  );

  it('if Redis is unreachable, requests are served (fail open) and the outage is logged', async () => {
    const token = newToken();
    const logger = memoryLogger();
    const server = await startServer(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: 'memory://',
        DEMO_TOKEN: token,
        RATE_LIMIT_PER_MINUTE: '2',
        // Nothing listens on port 1.
        REDIS_URL: 'redis://127.0.0.1:1',
      }),
      logger,
    );
    try {
      expect(await statuses(4, () => ask(server.url, newAddress(), token))).toEqual([200, 200, 200, 200]);
      expect(logger.lines.some((line) => line.level === 'warn' && /rate limit store unavailable/.test(line.msg))).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('the record of verified tokens is bounded: least recently verified out first, entries expire', () => {
    let now = 0;
    const verified = new VerifiedTokens({ capacity: 3, ttlMs: 1000, now: () => now });
    for (const hash of ['a', 'b', 'c']) verified.add(hash);
    verified.add('a');
    verified.add('d');
    expect(['a', 'b', 'c', 'd'].filter((hash) => verified.has(hash))).toEqual(['a', 'c', 'd']);
    expect(verified.size).toBe(3);
    now = 999;
    expect(verified.has('a')).toBe(true);
    verified.add('c');
    now = 1000;
    expect(['a', 'c', 'd'].filter((hash) => verified.has(hash))).toEqual(['c']);
    expect(verified.size).toBe(1);
    verified.delete('c');
    expect(verified.has('c')).toBe(false);
  });
});
