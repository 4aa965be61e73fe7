import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { memoryLogger } from '../support/server.js';
import { startTs } from '../support/process.js';

const PROCESS_TEST_TIMEOUT = 180_000;
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const newToken = () => `cst_rate-${randomBytes(8).toString('hex')}`;

async function ask(url: string, token?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  const body = (await response.json()) as { errors?: { message: string; extensions: Record<string, unknown> }[] };
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
}

describe('rate limiting', () => {
  it('in memory: the budget is per token (and per address when anonymous); over it is 429 with Retry-After', async () => {
    const token = newToken();
    const logger = memoryLogger();
    const server = await startServer(
      loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: 'memory://', LOG_LEVEL: 'silent', DEMO_TOKEN: token, RATE_LIMIT_PER_MINUTE: '5' }),
      logger,
    );
    try {
      const statuses = [];
      for (let i = 0; i < 6; i += 1) statuses.push((await ask(server.url, token)).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      const limited = await ask(server.url, token);
      expect(limited.status).toBe(429);
      expect(Number(limited.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(limited.body.errors?.[0]).toMatchObject({
        message: expect.stringContaining('5 requests per minute'),
        extensions: { code: 'RATE_LIMITED', status: 429, type: 'rate_limit_error' },
      });
      // Another caller has a budget of its own.
      expect((await ask(server.url, newToken())).status).not.toBe(429);
      const anonymous = [];
      for (let i = 0; i < 6; i += 1) anonymous.push((await ask(server.url)).status);
      expect(anonymous).toEqual([200, 200, 200, 200, 200, 429]);
      // Probes are not limited.
      expect((await fetch(new URL('/health', server.url))).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('with REDIS_URL two server processes draw from one budget', async () => {
    const token = newToken();
    const dirs = await Promise.all([0, 1].map(() => mkdtemp(path.join(tmpdir(), 'cs-rate-'))));
    const servers = dirs.map((dir) =>
      startTs('src/main.ts', { DATABASE_URL: '', DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1', DEMO_TOKEN: token, RATE_LIMIT_PER_MINUTE: '10', REDIS_URL }),
    );
    try {
      const urls = await Promise.all(servers.map(async (s) => ((await s.waitFor(/GraphQL API and GraphiQL at (http:\/\/\S+)/)) as unknown as [string, string])[1]));
      const first: number[] = [];
      for (let i = 0; i < 8; i += 1) first.push((await ask(urls[0]!, token)).status);
      const second: number[] = [];
      for (let i = 0; i < 8; i += 1) second.push((await ask(urls[1]!, token)).status);
      expect(first).toEqual(Array(8).fill(200));
      expect(second).toEqual([200, 200, ...Array(6).fill(429)]);
    } finally {
      for (const server of servers) expect(await server.stop()).toBe(0);
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    }
  }, PROCESS_TEST_TIMEOUT);

  it('when Redis goes away it serves without limits, and limits again once Redis is back', async () => {
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
    const stopRedis = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.on('exit', () => resolve()), child.kill('SIGKILL'))));
    let redis = await startRedis();
    const token = newToken();
    const logger = memoryLogger();
    const server = await startServer(
      loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: 'memory://', DEMO_TOKEN: token, RATE_LIMIT_PER_MINUTE: '3', REDIS_URL: `redis://127.0.0.1:${port}` }),
      logger,
    );
    try {
      const before = [];
      for (let i = 0; i < 4; i += 1) before.push((await ask(server.url, token)).status);
      expect(before).toEqual([200, 200, 200, 429]);
      await stopRedis(redis);
      const during = [];
      for (let i = 0; i < 3; i += 1) during.push((await ask(server.url, token)).status);
      expect(during).toEqual([200, 200, 200]);
      expect(logger.lines.some((line) => /rate limit store unavailable/.test(line.msg))).toBe(true);
      // A new, empty Redis on the same port: ioredis reconnects and the budget counts again.
      redis = await startRedis();
      const after: number[] = [];
      for (let attempt = 0; attempt < 50 && !after.includes(429); attempt += 1) {
        after.push((await ask(server.url, token)).status);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(after).toContain(429);
    } finally {
      await server.close();
      await stopRedis(redis);
    }
  }, PROCESS_TEST_TIMEOUT);

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
      const statuses = [];
      for (let i = 0; i < 4; i += 1) statuses.push((await ask(server.url, token)).status);
      expect(statuses).toEqual([200, 200, 200, 200]);
      expect(logger.lines.some((line) => line.level === 'warn' && /rate limit store unavailable/.test(line.msg))).toBe(true);
    } finally {
      await server.close();
    }
  });
});
