import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap, seedDemoTenant } from '../../../src/admin/provision.js';
import { openTestDatabase, withFreshDatabase } from '../../support/database.js';
import { runTs, startNpmScript, startTs, whileRunning } from '../../support/process.js';
import { PROCESS_TEST_MS } from '../../support/budget.js';
import { serverNodeFlags } from '../../../scripts/support/server-process.js';

const DEMO_TOKEN = 'cst_demo-token-for-the-start-test';

async function graphql(url: string, query: string, token?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] } };
}

// Each child process opens its own embedded database: slow on a loaded 2-core machine.

describe('npm start on the embedded database (a newcomer\u2019s first run)', { tags: ['embedded-only'], timeout: PROCESS_TEST_MS }, () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'cs-start-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  const env = () => ({ DATABASE_URL: '', DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', DEMO_TOKEN, LOG_LEVEL: 'info' });

  it('migrates, seeds the demo tenant, serves /graphql, GraphiQL, /health and /ready, and stops on SIGTERM', async () => {
    // `npm start` itself (scripts/run.mjs compiles src/ first when it changed), stopped as a
    // process manager stops it: SIGTERM to npm, which must reach the server (the script execs it).
    const server = startNpmScript('start', env());
    let url: string | undefined;
    await whileRunning(server, async () => {
      [, url] = await server.waitFor(/GraphQL API and GraphiQL at (http:\/\/\S+)/);
      expect(server.output()).toContain(`Demo token (keep it; it is shown only now): ${DEMO_TOKEN}`);
      const base = new URL(url!);

      for (const probe of ['/health', '/ready']) {
        const response = await fetch(new URL(probe, base));
        expect(response.status, probe).toBe(200);
        await response.arrayBuffer();
      }

      const page = await fetch(url!, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toMatch(/<title>Chat sessions API<\/title>/);
      // What shows until GraphiQL has loaded names the API (yoga's page leaves a placeholder).
      expect(html).toContain('Loading Chat sessions API');
      expect(html).not.toContain('__TITLE__');
      expect(html).toContain('RecentSessions');
      // Served by us, not a CDN: the page names no external host and its assets load.
      expect(html).not.toMatch(/https?:\/\//);
      for (const asset of html.matchAll(/(?:href|src)=["']?(\/graphiql\/[^"' >]+)/g)) {
        const response = await fetch(new URL(asset[1]!, base));
        expect(response.status, asset[1]).toBe(200);
        expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(1000);
      }
      const outside = await fetch(new URL('/graphiql/../package.json', base));
      expect(outside.status).toBe(404);
      await outside.arrayBuffer();

      const viewer = await graphql(url!, '{ viewer { user { email } memberships { org workspace role } } }', DEMO_TOKEN);
      expect(viewer.body.data).toEqual({
        viewer: { user: { email: 'demo@example.com' }, memberships: [{ org: 'demo', workspace: 'main', role: 'ADMIN' }] },
      });
      const saved = await graphql(
        url!,
        'mutation { saveSession(org: "demo", workspace: "main", input: { id: "0b7e1f7c-8d1a-4c55-9a51-0e0b3f1d2c3a", model: "demo-model" }) { id } }',
        DEMO_TOKEN,
      );
      expect(saved.body.errors).toBeUndefined();
      const log = server
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'));
      expect(log.length).toBeGreaterThan(0);
      const entries = log.map((line) => JSON.parse(line) as { msg?: string; nodeFlags?: string[] });
      // The server runs with the Node flags package.json gives it (its young generation's size).
      expect(entries.find((entry) => entry.msg === 'server listening')?.nodeFlags).toEqual(expect.arrayContaining(serverNodeFlags()));
    });
    // Node 20 is past its end of life: a server on it says so once, at start (and on 22+ does not).
    const unmaintained = Number(process.versions.node.split('.')[0]) < 22;
    expect(server.output().includes('past its end of life'), server.output()).toBe(unmaintained);
    // npm exited 0 (whileRunning checked) because the server shut down, not because npm left it running.
    expect(server.output()).toContain('"msg":"shutting down","signal":"SIGTERM"');
    await expect(fetch(new URL('/health', url))).rejects.toThrow();
  });

  it(
    'a second start keeps the data and does not seed again',
    async () => {
      const server = startTs('src/main.ts', { ...env(), DEMO_TOKEN: '' });
      await whileRunning(server, async () => {
        const [, url] = await server.waitFor(/GraphQL API and GraphiQL at (http:\/\/\S+)/);
        expect(server.output()).not.toContain('Demo token');
        const got = await graphql(url!, '{ session(org: "demo", workspace: "main", id: "0b7e1f7c") { model } }', DEMO_TOKEN);
        expect(got.body.data).toEqual({ session: { model: 'demo-model' } });
      });
    },
    PROCESS_TEST_MS,
  );

  it(
    'a bad setting stops the start with a clear message',
    async () => {
      const server = startTs('src/main.ts', { ...env(), PORT: 'eighty' });
      expect(await server.exited).toBe(1);
      expect(server.output()).toMatch(/Configuration error: PORT must be a port number \(0-65535\), got "eighty"/);
    },
    PROCESS_TEST_MS,
  );
});

describe('DEMO_TOKEN on an embedded database that already has data', () => {
  const token = 'cst_demo-token-added-to-an-existing-database';
  const PLACEHOLDER = 'Bearer <paste a token from npm run admin>';
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'cs-demo-'));
    // Another tenant first, as `npm run admin -- bootstrap` before the first `npm start` makes it.
    const created = await runTs(
      'src/admin/cli.ts',
      ['bootstrap', '--org', 'acme', '--workspace', 'research', '--email', 'ada@example.com'],
      {
        DATABASE_URL: '',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
      },
    );
    expect(created.code, created.stderr).toBe(0);
  }, PROCESS_TEST_MS);
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  const env = () => ({ DATABASE_URL: '', DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', DEMO_TOKEN: token, LOG_LEVEL: 'info' });
  const graphiqlPage = async (url: string) => (await fetch(url, { headers: { accept: 'text/html' } })).text();
  const viewer = '{ viewer { user { email } memberships { org workspace role } } }';

  it(
    'adds the demo tenant and the token, shows it once and pre-fills GraphiQL with it',
    { tags: ['embedded-only'], timeout: PROCESS_TEST_MS },
    async () => {
      const server = startTs('src/main.ts', env());
      await whileRunning(server, async () => {
        const [, url] = await server.waitFor(/GraphQL API and GraphiQL at (http:\/\/\S+)/);
        expect(server.output()).toContain(`Demo token (keep it; it is shown only now): ${token}`);
        expect((await graphql(url!, viewer, token)).body.data).toEqual({
          viewer: { user: { email: 'demo@example.com' }, memberships: [{ org: 'demo', workspace: 'main', role: 'ADMIN' }] },
        });
        expect(await graphiqlPage(url!)).toContain(`Bearer ${token}`);
      });
    },
  );

  it(
    'a stored, working DEMO_TOKEN is left as it is: not shown again, still offered',
    { tags: ['embedded-only'], timeout: PROCESS_TEST_MS },
    async () => {
      const server = startTs('src/main.ts', env());
      await whileRunning(server, async () => {
        const [, url] = await server.waitFor(/GraphQL API and GraphiQL at (http:\/\/\S+)/);
        expect(server.output()).not.toContain('Demo token');
        expect((await graphql(url!, '{ viewer { user { email } } }', token)).body.data).toEqual({
          viewer: { user: { email: 'demo@example.com' } },
        });
        expect(await graphiqlPage(url!)).toContain(`Bearer ${token}`);
      });
    },
  );

  it(
    'a revoked DEMO_TOKEN stays revoked: a warning, and GraphiQL gets the placeholder',
    { tags: ['embedded-only'], timeout: PROCESS_TEST_MS },
    async () => {
      const revoked = await runTs('src/admin/cli.ts', ['revoke-token', '--token', token], {
        DATABASE_URL: '',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
      });
      expect(JSON.parse(revoked.stdout)).toEqual({ revoked: true });
      const server = startTs('src/main.ts', env());
      await whileRunning(server, async () => {
        const [, url] = await server.waitFor(/GraphQL API and GraphiQL at (http:\/\/\S+)/);
        const warnings = server
          .output()
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as { level: string; msg: string })
          .filter((line) => line.level === 'warn');
        expect(warnings.map((line) => line.msg)).toContainEqual(expect.stringMatching(/DEMO_TOKEN is revoked or expired/));
        expect(server.output()).not.toContain('Demo token');
        expect((await graphql(url!, '{ __typename }', token)).status).toBe(401);
        const page = await graphiqlPage(url!);
        expect(page).not.toContain(token);
        expect(page).toContain(PLACEHOLDER);
      });
    },
  );

  it('the states, on either database: missing pieces added once, an expired token unusable, no token and data = nothing', async () => {
    await withFreshDatabase(async (url) => {
      const { database } = await openTestDatabase(url);
      try {
        const { prisma } = database;
        expect(await seedDemoTenant(prisma, undefined)).toMatchObject({ state: 'minted', token: expect.stringMatching(/^cst_/) });
        expect(await seedDemoTenant(prisma, undefined)).toEqual({ state: 'none' });
        // The demo tenant exists already: only the token is new.
        expect(await seedDemoTenant(prisma, token)).toEqual({ state: 'minted', token });
        expect(await prisma.organization.count({ where: { slug: 'demo' } })).toBe(1);
        expect(await prisma.membership.count({ where: { user: { email: 'demo@example.com' } } })).toBe(1);
        expect(await seedDemoTenant(prisma, token)).toEqual({ state: 'usable', token });
        const expired = 'cst_demo-token-that-has-expired';
        await bootstrap(prisma, {
          org: 'demo',
          workspace: 'main',
          email: 'demo@example.com',
          role: 'ADMIN',
          tokenKind: 'USER',
          token: expired,
          expiresAt: new Date(Date.now() - 1000),
        });
        expect(await seedDemoTenant(prisma, expired)).toEqual({ state: 'unusable', token: expired });
        expect(await prisma.apiToken.count()).toBe(3);
      } finally {
        await database.close();
      }
    });
  });
});
