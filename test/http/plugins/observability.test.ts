import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_LOGGED_NAME_LENGTH, MAX_OPERATION_LABELS } from '../../../src/http/plugins/observability.js';
import { buildYoga } from '../../../src/http/yoga.js';
import { AppendTranscriptDocument, GetSessionDocument, SaveSessionDocument } from '../../generated/graphql.js';
import pg from 'pg';
import { openTestDatabase, TEST_DATABASE_URL, withFreshDatabase } from '../../support/database.js';
import { createTestServer, memoryLogger } from '../../support/server.js';
import { budget } from '../../support/budget.js';
import { createTenant } from '../../support/tenant.js';

describe('logs, metrics and probes', () => {
  it('logs one line per GraphQL request with its id, operation, status, duration and outcome; never tokens or content', async () => {
    const server = await createTestServer();
    const tenant = await createTenant(server.db.database.prisma);
    const token = tenant.members[0]!.token;
    const id = randomUUID();
    const secret = `secret message ${randomUUID()}`;
    await server.execute(SaveSessionDocument, { org: tenant.org, workspace: tenant.workspace, input: { id, model: 'm' } }, token);
    const appended = await server.execute(
      AppendTranscriptDocument,
      { org: tenant.org, workspace: tenant.workspace, id, input: { messages: [{ role: 'USER', content: secret }] } },
      token,
    );
    const missing = await server.execute(GetSessionDocument, { org: tenant.org, workspace: tenant.workspace, id: randomUUID() }, token);

    const lines = server.logger.lines.filter((line) => line.msg === 'graphql request');
    const appendLine = lines.find((line) => line.fields.requestId === appended.headers.get('x-request-id'));
    expect(appendLine?.fields).toMatchObject({ operation: 'AppendTranscript', type: 'mutation', status: 200, outcome: 'ok' });
    expect(appendLine?.fields.durationMs).toEqual(expect.any(Number));
    const missingLine = lines.find((line) => line.fields.requestId === missing.headers.get('x-request-id'));
    expect(missingLine?.fields).toMatchObject({ operation: 'GetSession', type: 'query', outcome: 'errors', errorCodes: ['NOT_FOUND'] });
    const everything = JSON.stringify(server.logger.lines);
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(secret);
  });

  it('serves Prometheus metrics: requests, durations and errors by code', async () => {
    const server = await createTestServer();
    const tenant = await createTenant(server.db.database.prisma);
    await server.execute(GetSessionDocument, { org: tenant.org, workspace: tenant.workspace, id: randomUUID() }, tenant.members[0]!.token);
    await server.post('{"query": "{ nope"}');
    const response = await server.yoga.fetch('http://localhost/metrics');
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/graphql_errors_total\{code="NOT_FOUND"\} 1/);
    expect(text).toMatch(/graphql_errors_total\{code="BAD_REQUEST"\} 1/);
    expect(text).toMatch(/graphql_yoga_http_duration_count\{[^}]*statusCode="200"[^}]*\} \d+/);
    expect(text).toMatch(/graphql_operation_duration_seconds_count\{operation="GetSession",type="query"\} 1/);
    expect(text).toMatch(/process_resident_memory_bytes \d+/);
  });

  it(
    'keeps /metrics bounded: names from bogus or anonymous requests add no series, and names are capped',
    async () => {
      const server = await createTestServer();
      const tenant = await createTenant(server.db.database.prisma);
      const metricLines = async () =>
        (await (await server.yoga.fetch('http://localhost/metrics')).text()).split('\n').filter((line) => !line.startsWith('#'));
      const send = (name: string, token: string | undefined, body = `query ${name} { __typename }`) =>
        server.post(JSON.stringify({ query: body, operationName: name }), token ? { authorization: `Bearer ${token}` } : {});
      // Warm up every kind of request once, so each metric has its series.
      await send('Warm', 'cst_bogus');
      await send('Warm', undefined);
      await send('Warm', undefined, '{ nope');
      await send('Warm', undefined, 'query Warm { nope }');
      const before = await metricLines();
      const names = Array.from({ length: 300 }, (_, i) => `Op${i}_${randomUUID().replaceAll('-', '')}`);
      for (const [i, name] of names.entries()) {
        if (i % 3 === 0) expect((await send(name, 'cst_bogus')).status).toBe(401);
        else if (i % 3 === 1) await send(name, undefined);
        else await send(name, undefined, `query ${name} { nope }`);
      }
      const after = await metricLines();
      const mentioned = after.filter((line) => names.some((name) => line.includes(name.slice(0, 12))));
      expect(mentioned).toEqual([]);
      // The same GraphQL series (only their values move; process metrics have bounded labels of their own).
      const series = (lines: string[]) =>
        new Set(lines.filter((line) => line.startsWith('graphql_')).map((line) => line.replace(/ [^ ]+$/, '')));
      expect([...series(after)].filter((line) => !series(before).has(line))).toEqual([]);

      // Authenticated callers name at most MAX_OPERATION_LABELS operations; the rest are "other".
      const token = tenant.members[0]!.token;
      for (let i = 0; i < MAX_OPERATION_LABELS + 20; i += 1) expect((await send(`Named${i}`, token)).status).toBe(200);
      const labelled = new Set(
        (await metricLines()).flatMap((line) => /graphql_operation_duration_seconds_count\{operation="([^"]+)"/.exec(line)?.[1] ?? []),
      );
      expect(labelled.size).toBeLessThanOrEqual(MAX_OPERATION_LABELS + 1);
      expect(labelled.has('other')).toBe(true);
    },
    budget(300 + MAX_OPERATION_LABELS + 20),
  );

  it('truncates long operation names in the log line', async () => {
    const server = await createTestServer();
    const name = `N${'x'.repeat(5000)}`;
    await server.post(JSON.stringify({ query: `query ${name} { __typename }` }));
    const line = server.logger.lines.find((entry) => entry.msg === 'graphql request' && String(entry.fields.operation).startsWith('Nxx'));
    expect(String(line?.fields.operation).length).toBeLessThanOrEqual(MAX_LOGGED_NAME_LENGTH + 1);
  });

  it('/health answers while the process runs; /ready follows the database', async () => {
    await withFreshDatabase(async (url) => {
      const db = await openTestDatabase(url);
      const yoga = buildYoga({
        config: { graphiql: false, introspection: true, demoToken: undefined },
        prisma: db.database.prisma,
        logger: memoryLogger(),
      });
      expect((await yoga.fetch('http://localhost/health')).status).toBe(200);
      expect((await yoga.fetch('http://localhost/ready')).status).toBe(200);
      // Take the database away: close PGlite, or drop the PostgreSQL database under the pool.
      if (url) {
        const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await admin.connect();
        await admin.query(`DROP DATABASE "${new URL(url).pathname.slice(1)}" WITH (FORCE)`);
        await admin.end();
      } else {
        await db.database.close();
      }
      expect((await yoga.fetch('http://localhost/health')).status).toBe(200);
      expect((await yoga.fetch('http://localhost/ready')).status).toBe(503);
      if (url) await db.database.close();
    });
  });
});
