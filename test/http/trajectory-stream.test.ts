import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { SaveSessionDocument, SessionTrajectoryDocument } from '../generated/graphql.js';
import { budget } from '../support/budget.js';
import { createTestServer, type TestServer } from '../support/server.js';
import { createTenant, type Tenant } from '../support/tenant.js';

const MESSAGES = 20_000;
// Storing 40 MB of messages is the setup's work: in-process PGlite on a loaded 2-core machine took
// over 100 s for it, so allow 10 ms per message on top of the usual setup.
const STORE_BUDGET_MS = budget(20) + MESSAGES * 10;

// A collection on demand, so that what is measured is what the server holds, not garbage not yet
// collected (the documented way to reach V8's gc() without starting node with --expose-gc).
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** The heap in use after a full collection. */
function retainedHeap(): number {
  collect();
  return process.memoryUsage().heapUsed;
}

/**
 * The download streams: the server reads a page of messages only when the client has taken the
 * previous one. A 20,000-message session (about 45 MB of JSON) is read chunk by chunk while the
 * heap the server retains is sampled after full collections; had the server built the document in
 * memory, it would have held about twice its size (JavaScript strings are UTF-16) at the end.
 */
describe('the trajectory download streams a large session with flat memory (issue 15)', () => {
  let server: TestServer;
  let tenant: Tenant;
  const id = randomUUID();

  beforeAll(async () => {
    server = await createTestServer();
    tenant = await createTenant(server.db.database.prisma);
    const saved = await server.execute(
      SaveSessionDocument,
      { org: tenant.org, workspace: tenant.workspace, input: { id, model: 'm' } },
      tenant.members[0]!.token,
    );
    expect(saved.body.errors).toBeUndefined();
    // About 2 KB per message: a sentence and 60 words of 32 characters. In statements of 2,000 rows,
    // each well within the statement timeout on a busy machine.
    for (let from = 1; from <= MESSAGES; from += 2000) {
      await server.db.database.prisma.$executeRaw`
        INSERT INTO session_messages (id, session_id, seq, role, content, input_tokens, output_tokens, cost_usd)
        SELECT gen_random_uuid(), ${id}::uuid, g, (CASE WHEN g % 2 = 1 THEN 'USER' ELSE 'ASSISTANT' END)::"MessageRole",
               'Message ' || g || ': ' || repeat(md5(g::text) || ' ', 60),
               CASE WHEN g % 2 = 0 THEN 100 END, CASE WHEN g % 2 = 0 THEN 10 END, CASE WHEN g % 2 = 0 THEN 0.001 END
          FROM generate_series(${from}::int, ${Math.min(from + 1999, MESSAGES)}::int) AS g`;
    }
  }, STORE_BUDGET_MS);

  it(
    'ATIF of 20,000 messages: every step arrives, and the retained heap stays under 10 MB above where it started',
    async () => {
      const baseline = retainedHeap();
      let peak = baseline;
      let chunks = 0;
      const response = await server.yoga.fetch(
        `http://localhost/api/v1/org/${tenant.org}/ws/${tenant.workspace}/sessions/${id}/trajectory?format=atif`,
        { headers: { authorization: `Bearer ${tenant.members[0]!.token}` } },
      );
      expect(response.status).toBe(200);
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let bytes = 0;
      let steps = 0;
      let carry = '';
      let head = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.byteLength;
        const text = carry + decoder.decode(value, { stream: true });
        if (head.length < 200) head += text.slice(0, 200);
        steps += text.split('"step_id":').length - 1;
        // Keep the end in case a marker is cut between chunks (and never count it twice).
        const cut = text.lastIndexOf('"step_id":');
        carry = text.slice(Math.max(cut + 1, text.length - 12));
        chunks += 1;
        if (chunks % 20 === 0) peak = Math.max(peak, retainedHeap());
      }
      const tail = carry;
      expect(head.startsWith('{"schema_version":"ATIF-v1.7"')).toBe(true);
      expect(tail.endsWith('}}')).toBe(true);
      expect(steps).toBe(MESSAGES);
      expect(bytes).toBeGreaterThan(40_000_000);
      const growth = peak - baseline;
      console.info(
        `trajectory download: ${(bytes / 1e6).toFixed(1)} MB in ${chunks} chunks, peak retained heap growth ${(growth / 1e6).toFixed(1)} MB`,
      );
      // A page of 200 messages is about 0.5 MB of text; the document is 45.
      expect(growth).toBeLessThan(10_000_000);
    },
    budget(40),
  );

  it('Session.trajectory refuses it (BAD_REQUEST naming the download): the field is for small sessions', async () => {
    const response = await server.execute(
      SessionTrajectoryDocument,
      { org: tenant.org, workspace: tenant.workspace, id, format: 'OPENAI' },
      tenant.members[0]!.token,
    );
    expect(response.body.errors?.[0]?.extensions.code).toBe('BAD_REQUEST');
    expect(response.body.errors?.[0]?.message).toContain('/trajectory');
    expect(response.body.data?.session).toMatchObject({ id, trajectory: null });
  });
});
