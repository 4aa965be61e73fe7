import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildYoga } from '../../src/yoga.js';
import { AppendTranscriptDocument, GetSessionDocument, SaveSessionDocument } from '../generated/graphql.js';
import pg from 'pg';
import { openTestDatabase, TEST_DATABASE_URL, withFreshDatabase } from '../support/database.js';
import { createTestServer, memoryLogger } from '../support/server.js';
import { createTenant } from '../support/tenant.js';

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
    expect(text).toMatch(/graphql_envelop_request_duration_count\{[^}]*operationName="GetSession"[^}]*\} 1/);
    expect(text).toMatch(/process_resident_memory_bytes \d+/);
  });

  it('/health answers while the process runs; /ready follows the database', async () => {
    await withFreshDatabase(async (url) => {
      const db = await openTestDatabase(url);
      const yoga = buildYoga({ config: { graphiql: false, introspection: true, demoToken: undefined }, prisma: db.database.prisma, logger: memoryLogger() });
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
