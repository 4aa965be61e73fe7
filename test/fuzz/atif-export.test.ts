import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AppendTranscriptDocument,
  CompactTranscriptDocument,
  ForkSessionDocument,
  SaveSessionDocument,
  SessionTrajectoryDocument,
  type MessageInput,
} from '../generated/graphql.js';
import { atifViolations } from '../support/atif.js';
import { budget } from '../support/budget.js';
import { createTestServer, type TestServer } from '../support/server.js';
import { createTenant, type Tenant } from '../support/tenant.js';
import { FUZZ_RUNS, fuzzParameters } from './settings.js';

/**
 * Every ATIF export is a valid ATIF document, whatever the transcript: random roles, tool calls
 * and the TOOL messages that answer them (or answer nothing, or come before any call), usage with
 * and without cost, a compaction at any point, a fork at any point with turns of its own, the
 * current era or everything. An export with nothing in it is the documented CONFLICT, never an
 * invalid document (the empty `steps` list was the first thing this property found). With every
 * message included, final_metrics equal the session's usage.
 */

const callIds = ['call_a', 'call_b', 'call_c'];
const usage = fc.record({
  inputTokens: fc.integer({ min: 0, max: 5000 }),
  outputTokens: fc.integer({ min: 0, max: 500 }),
  cacheReadInputTokens: fc.integer({ min: 0, max: 1000 }),
  cacheCreationInputTokens: fc.integer({ min: 0, max: 1000 }),
  costUsd: fc.option(
    fc.integer({ min: 0, max: 1_000_000 }).map((micro) => micro / 1_000_000),
    { nil: null, freq: 4 },
  ),
});
const message: fc.Arbitrary<MessageInput> = fc.oneof(
  fc.record({ role: fc.constantFrom('SYSTEM' as const, 'USER' as const), content: fc.string({ maxLength: 20 }) }),
  fc.record({
    role: fc.constant('ASSISTANT' as const),
    content: fc.string({ maxLength: 20 }),
    usage: fc.option(usage, { nil: undefined }),
    toolCalls: fc
      .subarray(callIds)
      .chain((ids) =>
        fc.tuple(...ids.map((id) => fc.constantFrom('{"q":1}', '[1]', 'not json').map((args) => ({ id, name: 'grep', arguments: args })))),
      ),
  }),
  fc.record({
    role: fc.constant('TOOL' as const),
    content: fc.string({ maxLength: 20 }),
    toolCallId: fc.option(fc.constantFrom(...callIds, 'call_unknown'), { nil: undefined }),
  }),
);

interface Plan {
  messages: MessageInput[];
  /** Compact up to this fraction of the transcript (none when null). */
  compactAt: number | null;
  /** Export a fork cut at this fraction, with turns of its own, instead of the session (none when null). */
  forkAt: number | null;
  forkTurns: MessageInput[];
  includeCompacted: boolean;
}

const plan: fc.Arbitrary<Plan> = fc.record({
  messages: fc.array(message, { maxLength: 12 }),
  compactAt: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
  forkAt: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
  forkTurns: fc.array(message, { maxLength: 3 }),
  includeCompacted: fc.boolean(),
});

/** Each run sends up to six requests; half of FUZZ_RUNS keeps the property near ten seconds. */
const RUN_SCALE = 0.5;
const fuzzRuns = Math.max(1, Math.round(FUZZ_RUNS * RUN_SCALE));

type Steps = { step_id: number; metrics?: Record<string, number> }[];

describe('fuzz: ATIF exports of random transcripts (issue 15)', () => {
  let server: TestServer;
  let tenant: Tenant;

  beforeAll(async () => {
    server = await createTestServer();
    tenant = await createTenant(server.db.database.prisma);
  });

  const ws = () => ({ org: tenant.org, workspace: tenant.workspace });
  const token = () => tenant.members[0]!.token;
  const ok = async <T extends { body: { errors?: unknown } }>(response: Promise<T>) => {
    const done = await response;
    expect(done.body.errors).toBeUndefined();
    return done;
  };
  const append = async (id: string, messages: MessageInput[]) => {
    if (messages.length > 0) await ok(server.execute(AppendTranscriptDocument, { ...ws(), id, input: { messages } }, token()));
  };

  it(
    'is a valid ATIF document, or CONFLICT when there is nothing to export',
    async () => {
      await fc.assert(
        fc.asyncProperty(plan, async (p) => {
          let id = randomUUID();
          await ok(server.execute(SaveSessionDocument, { ...ws(), input: { id, model: 'm', agent: 'a' } }, token()));
          await append(id, p.messages);
          const last = p.messages.length;
          if (p.compactAt !== null && last > 0) {
            const upToSeq = Math.max(1, Math.ceil(p.compactAt * last));
            const summary = { role: 'ASSISTANT' as const, content: 'summary', usage: { inputTokens: 3, outputTokens: 1, costUsd: 0.5 } };
            await ok(server.execute(CompactTranscriptDocument, { ...ws(), id, input: { upToSeq, summary } }, token()));
          }
          if (p.forkAt !== null) {
            const lastSeq = last + (p.compactAt !== null && last > 0 ? 1 : 0);
            const forkId = randomUUID();
            const input = { atSeq: Math.floor(p.forkAt * lastSeq), newId: forkId };
            await ok(server.execute(ForkSessionDocument, { ...ws(), id, input }, token()));
            await append(forkId, p.forkTurns);
            id = forkId;
          }

          const response = await server.execute(
            SessionTrajectoryDocument,
            { ...ws(), id, format: 'ATIF', includeCompacted: p.includeCompacted },
            token(),
          );
          const session = response.body.data!.session!;
          if (session.trajectory == null) {
            expect(response.body.errors?.map((e) => e.extensions.code)).toEqual(['CONFLICT']);
            const native = await ok(
              server.execute(SessionTrajectoryDocument, { ...ws(), id, format: 'NATIVE', includeCompacted: p.includeCompacted }, token()),
            );
            expect((native.body.data!.session!.trajectory as { messages: unknown[] }).messages).toEqual([]);
            return;
          }
          expect(response.body.errors).toBeUndefined();
          const doc = session.trajectory as { steps: Steps; final_metrics: Record<string, number> };
          expect(atifViolations(doc)).toEqual([]);
          expect(doc.final_metrics.total_steps).toBe(doc.steps.length);
          if (p.includeCompacted) {
            const used = session.usage!;
            expect(doc.final_metrics.total_completion_tokens).toBe(used.totalOutputTokens);
            expect(doc.final_metrics.total_cached_tokens).toBe(used.totalCacheReadInputTokens);
            expect(doc.final_metrics.total_prompt_tokens).toBe(
              used.totalInputTokens + used.totalCacheReadInputTokens + used.totalCacheCreationInputTokens,
            );
            expect(doc.final_metrics.total_cost_usd ?? null).toBe(used.totalCostUsd);
          }
        }),
        fuzzParameters('ATIF exports of random transcripts', RUN_SCALE),
      );
    },
    budget(fuzzRuns * 6),
  );
});
