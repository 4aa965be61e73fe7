import { randomUUID } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/db/client.js';
import { AppendTranscriptDocument, GetSessionDocument, SaveSessionDocument, ViewerDocument } from '../../generated/graphql.js';
import { TEST_DATABASE_URL, openTestDatabase, type TestDatabase } from '../../support/database.js';
import { createTestServer, type EnvelopeError, type TestServer } from '../../support/server.js';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.js';
import { createTenant, type Tenant } from '../../support/tenant.js';

const STATEMENT_TIMEOUT_MS = 500;

/** A port on 127.0.0.1 that nothing listens on (connections are refused). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * No PostgreSQL needed: a server in PostgreSQL mode whose database is not there at all, or is a
 * black hole that accepts connections and never answers.
 */
describe('database faults with no database behind the server', () => {
  const sockets = new Set<net.Socket>();
  const blackHole = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => blackHole.close(() => resolve()));
  });

  async function serverOn(port: number) {
    const database = await openDatabase({
      databaseUrl: `postgresql://postgres@127.0.0.1:${port}/nothing`,
      dataDir: 'memory://',
      pool: { statementTimeoutMs: STATEMENT_TIMEOUT_MS, connectTimeoutMs: 300, size: 2 },
    });
    return { database, server: await createTestServer({ database, statements: [], parameters: [] }) };
  }

  for (const [what, port, code, status, type] of [
    ['refused (nothing listens)', closedPort, 'BAD_GATEWAY', 502, 'database_error'],
    [
      'a black hole (never answers)',
      () => Promise.resolve((blackHole.address() as AddressInfo).port),
      'GATEWAY_TIMEOUT',
      504,
      'timeout_error',
    ],
  ] as const) {
    it(`${what}: ${code} (${status}) for the whole request, /ready 503, /health 200`, async () => {
      const { database, server } = await serverOn(await port());
      try {
        const response = await server.execute(ViewerDocument, {}, 'cst_anything');
        expect(response.status).toBe(status);
        expect(response.body.data ?? null).toBeNull();
        expect(response.body.errors?.[0]?.extensions).toMatchObject({ code, status, type });
        expect(response.body.errors?.[0]?.message).not.toMatch(/prisma|127\.0\.0\.1|connect/i);
        expect((await server.yoga.fetch('http://localhost/ready')).status).toBe(503);
        expect((await server.yoga.fetch('http://localhost/health')).status).toBe(200);
      } finally {
        await database.close();
      }
    });
  }
});

/**
 * The server talks to PostgreSQL through a TCP proxy of our own that the test cuts and slows down,
 * and the database comes back. This part needs PostgreSQL (TEST_DATABASE_URL; CI sets it): the
 * embedded database is in-process and has no network to lose.
 */

describe.skipIf(!TEST_DATABASE_URL)('database faults (PostgreSQL behind a TCP proxy)', () => {
  let direct: TestDatabase;
  let proxy: TcpProxy;
  let proxied: Database;
  let server: TestServer;
  let tenant: Tenant;

  beforeAll(async () => {
    direct = await openTestDatabase(TEST_DATABASE_URL);
    tenant = await createTenant(direct.database.prisma);
    const target = new URL(TEST_DATABASE_URL!);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const through = new URL(TEST_DATABASE_URL!);
    through.hostname = '127.0.0.1';
    through.port = String(proxy.port);
    proxied = await openDatabase({
      databaseUrl: through.toString(),
      dataDir: 'memory://',
      pool: { statementTimeoutMs: STATEMENT_TIMEOUT_MS, connectTimeoutMs: 1_000, size: 4 },
    });
    server = await createTestServer({ database: proxied, statements: [], parameters: [] });
  });

  afterAll(async () => {
    await proxied?.close();
    await proxy?.close();
    await direct?.database.close();
  });

  const ws = () => ({ org: tenant.org, workspace: tenant.workspace });
  const token = () => tenant.members[0]!.token;

  const execute: TestServer['execute'] = (document, variables) => server.execute(document, variables, token());
  const ready = async () => (await server.yoga.fetch('http://localhost/ready')).status;
  const health = async () => (await server.yoga.fetch('http://localhost/health')).status;

  const storedMessages = async (id: string) =>
    direct.database.prisma.sessionMessage.findMany({
      where: { sessionId: id },
      orderBy: { seq: 'asc' },
      select: { seq: true, content: true },
    });

  async function newSession() {
    const id = randomUUID();
    const saved = await execute(SaveSessionDocument, { ...ws(), input: { id, model: 'm' } });
    expect(saved.body.errors).toBeUndefined();
    return id;
  }

  function expectEnvelope(error: EnvelopeError | undefined, code: 'BAD_GATEWAY' | 'GATEWAY_TIMEOUT') {
    const [status, type] = code === 'BAD_GATEWAY' ? [502, 'database_error'] : [504, 'timeout_error'];
    expect(error?.extensions).toMatchObject({ code, status, type });
    // No driver, SQL or connection detail leaks to the client.
    expect(error?.message).not.toMatch(/prisma|select|pg_|connection|127\.0\.0\.1|\n/i);
  }

  it('answers normally through the proxy, and /ready is 200', async () => {
    const viewer = await execute(ViewerDocument, {});
    expect(viewer.status).toBe(200);
    expect(viewer.body.errors).toBeUndefined();
    expect(await ready()).toBe(200);
  });

  it('database unreachable: 502 BAD_GATEWAY envelope and /ready 503; recovers by itself when it returns', async () => {
    const id = await newSession();
    await proxy.cut();
    try {
      for (const response of [await execute(ViewerDocument, {}), await execute(GetSessionDocument, { ...ws(), id })]) {
        expect(response.status).toBe(502);
        expect(response.body.data ?? null).toBeNull();
        expectEnvelope(response.body.errors?.[0], 'BAD_GATEWAY');
      }
      expect(await ready()).toBe(503);
      // Liveness is not readiness: the process itself is fine and must not be restarted.
      expect(await health()).toBe(200);
    } finally {
      await proxy.restore();
    }
    // Same server, same Prisma client, no restart: the pool reconnects on its own.
    const after = await execute(GetSessionDocument, { ...ws(), id });
    expect(after.status).toBe(200);
    expect(after.body.errors).toBeUndefined();
    expect(after.body.data?.session!.id).toBe(id);
    expect(await ready()).toBe(200);
    expect(server.logger.lines.some((line) => line.level === 'error' && line.msg === 'unexpected error')).toBe(false);
  });

  it('database too slow to answer: 504 GATEWAY_TIMEOUT envelope and /ready 503; recovers when it is fast again', async () => {
    await execute(ViewerDocument, {});
    proxy.setLatency(STATEMENT_TIMEOUT_MS * 4);
    try {
      const slow = await execute(ViewerDocument, {});
      expect(slow.status).toBe(504);
      expectEnvelope(slow.body.errors?.[0], 'GATEWAY_TIMEOUT');
      expect(await ready()).toBe(503);
    } finally {
      proxy.setLatency(0);
    }
    // Late answers to the abandoned statements may still be in flight; the pool must not hand
    // them to new requests. Several rounds exercise every pooled connection.
    for (let i = 0; i < 6; i += 1) {
      const after = await execute(ViewerDocument, {});
      expect(after.body.errors).toBeUndefined();
      expect(after.body.data?.viewer).toBeTruthy();
    }
    expect(await ready()).toBe(200);
  });

  it('a statement over the timeout inside a mutation: GATEWAY_TIMEOUT field error, nothing half-written', async () => {
    const id = await newSession();
    // Another connection holds the session's row lock, so the append's FOR UPDATE waits past
    // statement_timeout and PostgreSQL cancels it.
    const blocker = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE', [id]);
      const blocked = await execute(AppendTranscriptDocument, { ...ws(), id, input: { messages: [{ role: 'USER', content: 'first' }] } });
      // Authentication succeeded, so this is a field error: HTTP 200, and only the nullable
      // mutation field is null.
      expect(blocked.status).toBe(200);
      expect(blocked.body.data).toEqual({ appendTranscript: null });
      expectEnvelope(blocked.body.errors?.[0], 'GATEWAY_TIMEOUT');
      expect(blocked.body.errors?.[0]?.path).toEqual(['appendTranscript']);
      await blocker.query('ROLLBACK');
    } finally {
      await blocker.end();
    }
    expect(await storedMessages(id)).toEqual([]);
    const retried = await execute(AppendTranscriptDocument, { ...ws(), id, input: { messages: [{ role: 'USER', content: 'first' }] } });
    expect(retried.body.errors).toBeUndefined();
    expect(await storedMessages(id)).toEqual([{ seq: 1, content: 'first' }]);
    expect(server.logger.lines.some((line) => line.level === 'warn' && line.msg === 'database fault')).toBe(true);
  });

  it('a connection cut in the middle of appends loses or corrupts nothing: each batch is stored whole or not at all', async () => {
    const id = await newSession();
    const batch = (n: number) => ({ messages: [1, 2, 3].map((k) => ({ role: 'USER' as const, content: `batch ${n} message ${k}` })) });
    const first = await execute(AppendTranscriptDocument, { ...ws(), id, input: batch(1) });
    expect(first.body.errors).toBeUndefined();

    // Slow the link so the next appends are in flight when it is cut.
    proxy.setLatency(100);
    const inFlight = [2, 3, 4].map((n) => execute(AppendTranscriptDocument, { ...ws(), id, input: batch(n) }));
    await new Promise((resolve) => setTimeout(resolve, 150));
    await proxy.cut();
    const outcomes = await Promise.all(inFlight);
    proxy.setLatency(0);
    await proxy.restore();

    for (const outcome of outcomes) {
      if (outcome.body.errors) expect(outcome.body.errors[0]?.extensions.code).toMatch(/^(BAD_GATEWAY|GATEWAY_TIMEOUT)$/);
    }
    const stored = await storedMessages(id);
    // Consecutive seq from 1, whole batches of 3 only, and each acknowledged batch is there.
    expect(stored.map((m) => m.seq)).toEqual(stored.map((_, i) => i + 1));
    expect(stored.length % 3).toBe(0);
    const storedBatches = new Set(stored.map((m) => m.content.split(' message ')[0]));
    outcomes.forEach((outcome, i) => {
      if (!outcome.body.errors) expect(storedBatches.has(`batch ${i + 2}`)).toBe(true);
    });
    const row = await direct.database.prisma.session.findUniqueOrThrow({ where: { id } });
    expect(row.messageCount).toBe(stored.length);
  });
});
