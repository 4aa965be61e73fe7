import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AppendTranscriptDocument,
  CompactTranscriptDocument,
  ForkSessionDocument,
  SaveSessionDocument,
  SessionTrajectoryDocument,
  type TrajectoryFormat,
} from '../generated/graphql.js';
import { atifViolations } from '../support/atif.js';
import { createTestServer, type TestServer } from '../support/server.js';
import { createTenant, type Member, type Tenant } from '../support/tenant.js';

type Doc = Record<string, unknown>;
type Step = {
  step_id: number;
  source: string;
  message: string;
  is_copied_context?: boolean;
  tool_calls?: Doc[];
  observation?: { results: Doc[] };
  metrics?: Doc;
  extra: Doc;
};

describe('trajectory export: Session.trajectory and the download (issue 15)', () => {
  let server: TestServer;
  let tenant: Tenant;
  let owner: Member;
  let other: Member;
  const id = randomUUID();
  const hidden = randomUUID();

  const ws = () => ({ org: tenant.org, workspace: tenant.workspace });
  const trajectory = async (format: TrajectoryFormat, includeCompacted?: boolean) => {
    const response = await server.execute(SessionTrajectoryDocument, { ...ws(), id, format, includeCompacted }, owner.token);
    expect(response.body.errors).toBeUndefined();
    return response.body.data!.session!;
  };
  const download = (path: string, token?: string) =>
    server.yoga.fetch(`http://localhost/api/v1/org/${tenant.org}/ws/${tenant.workspace}/sessions/${path}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  beforeAll(async () => {
    server = await createTestServer();
    tenant = await createTenant(server.db.database.prisma, [{ role: 'CONTRIBUTOR' }, { role: 'CONTRIBUTOR' }]);
    [owner, other] = tenant.members as [Member, Member];
    await server.execute(
      SaveSessionDocument,
      { ...ws(), input: { id, model: 'gpt-4o', agent: 'coder', title: 'Export me', labels: [{ key: 'team', values: ['infra'] }] } },
      owner.token,
    );
    const messages = [
      { role: 'SYSTEM' as const, content: 'You are helpful.' },
      { role: 'USER' as const, content: 'Why is the build flaky?' },
      {
        role: 'ASSISTANT' as const,
        content: '',
        toolCalls: [
          { id: 'call_1', name: 'grep', arguments: '{"q":"flaky"}' },
          { id: 'call_2', name: 'echo', arguments: '"just text"' },
        ],
        usage: { inputTokens: 100, outputTokens: 10, cacheReadInputTokens: 40, cacheCreationInputTokens: 5, costUsd: 0.25 },
      },
      { role: 'TOOL' as const, content: 'a.test.ts', toolCallId: 'call_1' },
      { role: 'TOOL' as const, content: 'just text', toolCallId: 'call_2' },
      { role: 'TOOL' as const, content: 'late result', toolCallId: 'call_unknown' },
      { role: 'ASSISTANT' as const, content: 'The cache key has a timestamp.', usage: { inputTokens: 300, outputTokens: 20 } },
    ];
    expect((await server.execute(AppendTranscriptDocument, { ...ws(), id, input: { messages } }, owner.token)).body.errors).toBeUndefined();
    const summary = {
      role: 'ASSISTANT' as const,
      content: 'Summary: the cache key.',
      usage: { inputTokens: 50, outputTokens: 5, costUsd: 0.01 },
    };
    const compacted = await server.execute(CompactTranscriptDocument, { ...ws(), id, input: { upToSeq: 2, summary } }, owner.token);
    expect(compacted.body.errors).toBeUndefined();
    await server.execute(SaveSessionDocument, { ...ws(), input: { id: hidden, model: 'm' } }, owner.token);
  });

  it('ATIF: a valid ATIF-v1.7 document, steps from 1, tool calls with their observations, metrics from the usage', async () => {
    const { trajectory: doc, usage } = await trajectory('ATIF', true);
    expect(atifViolations(doc)).toEqual([]);
    expect(doc).toMatchObject({
      schema_version: 'ATIF-v1.7',
      session_id: id,
      agent: { name: 'coder', version: 'unknown', model_name: 'gpt-4o' },
    });
    const steps = (doc as { steps: Step[] }).steps;
    expect(steps.map((s) => [s.step_id, s.source, s.extra.seq])).toEqual([
      [1, 'system', 1],
      [2, 'user', 2],
      [3, 'agent', 3],
      [4, 'agent', 7],
      [5, 'agent', 8],
    ]);
    expect(steps[0]!.extra.compacted).toBe(true);
    expect(steps[4]!.extra.compaction_up_to_seq).toBe(2);
    expect(steps[2]!.tool_calls).toEqual([
      { tool_call_id: 'call_1', function_name: 'grep', arguments: { q: 'flaky' } },
      { tool_call_id: 'call_2', function_name: 'echo', arguments: { value: 'just text' } },
    ]);
    expect(steps[2]!.observation!.results).toEqual([
      { source_call_id: 'call_1', content: 'a.test.ts' },
      { source_call_id: 'call_2', content: 'just text' },
      { content: 'late result', extra: { tool_call_id: 'call_unknown', seq: 6 } },
    ]);
    expect(steps[2]!.metrics).toMatchObject({ prompt_tokens: 145, completion_tokens: 10, cached_tokens: 40, cost_usd: 0.25 });
    // Every generation exported: the totals are the session's usage; one generation has no cost.
    const final = (doc as { final_metrics: Doc }).final_metrics;
    expect(final).toEqual({
      total_prompt_tokens: usage!.totalInputTokens + usage!.totalCacheReadInputTokens + usage!.totalCacheCreationInputTokens,
      total_completion_tokens: usage!.totalOutputTokens,
      total_cached_tokens: usage!.totalCacheReadInputTokens,
      total_steps: 5,
    });
    expect(usage!.totalCostUsd).toBeNull();
  });

  it('the ATIF check can fail: it names what breaks the format', async () => {
    const doc = structuredClone((await trajectory('ATIF', true)).trajectory) as { steps: Step[] } & Doc;
    doc.steps[1]!.step_id = 7;
    (doc.steps[0] as Doc).model_name = 'x';
    doc.steps[2]!.observation!.results[0]!.source_call_id = 'nope';
    (doc.steps[3] as Doc).unknown_field = 1;
    delete (doc.agent as Doc).version;
    expect(atifViolations(doc)).toEqual([
      '$.agent.version: required',
      '$.steps[3].unknown_field: not an ATIF field',
      '$.steps[0].model_name: only on agent steps',
      '$.steps[1].step_id: 7, expected 2 (sequential from 1)',
      '$.steps[2].observation.results[0].source_call_id: names no tool call of its step',
    ]);
  });

  it('the ATIF check follows the reference models: at least one step, llm_call_count 0, content parts, subagent references', async () => {
    const base = (await trajectory('ATIF', true)).trajectory as { steps: Step[] } & Doc;
    const variant = (change: (doc: { steps: Step[] } & Doc) => void) => {
      const doc = structuredClone(base);
      change(doc);
      return atifViolations(doc);
    };
    expect(variant((doc) => (doc.steps = []))).toEqual(['$.steps: holds no item (at least one is required)']);
    expect(variant((doc) => Object.assign(doc.steps[2]!, { llm_call_count: 0 }))).toEqual([
      '$.steps[2].metrics: not on a step of llm_call_count 0',
    ]);
    expect(variant((doc) => (doc.steps[1]!.message = [{ type: 'image', text: 'x' }] as unknown as string))).toEqual([
      '$.steps[1].message[0]: an image part has a source and no text',
    ]);
    expect(variant((doc) => (doc.steps[2]!.observation!.results[0]!.subagent_trajectory_ref = [{ session_id: 's' }]))).toEqual([
      '$.steps[2].observation.results[0].subagent_trajectory_ref[0]: names neither a trajectory_id nor a trajectory_path',
    ]);
    const embedded = { agent: { name: 'sub', version: '1' }, steps: [{ step_id: 1, source: 'user', message: 'hi' }] };
    expect(
      variant((doc) => (doc.subagent_trajectories = [embedded, { ...embedded, trajectory_id: 't' }, { ...embedded, trajectory_id: 't' }])),
    ).toEqual([
      '$.subagent_trajectories[0].trajectory_id: required on an embedded trajectory',
      '$.subagent_trajectories[2].trajectory_id: not unique among the embedded trajectories',
    ]);
    expect(variant((doc) => (doc.schema_version = 'ATIF-v1.0'))).toEqual([]);
    expect(variant((doc) => (doc.schema_version = 'ATIF-v2.0'))).toHaveLength(1);
  });

  it('ATIF marks context the RFC’s way: a summary right after what it covers is a context boundary, a fork’s copies are copied context', async () => {
    const source = randomUUID();
    await server.execute(SaveSessionDocument, { ...ws(), input: { id: source, model: 'gpt-4o' } }, owner.token);
    const turns = [
      { role: 'USER' as const, content: 'Plan the migration' },
      { role: 'ASSISTANT' as const, content: 'Step one: back up.', usage: { inputTokens: 10, outputTokens: 4, costUsd: 0.1 } },
      { role: 'USER' as const, content: 'And then?' },
    ];
    await server.execute(AppendTranscriptDocument, { ...ws(), id: source, input: { messages: turns } }, owner.token);
    const summary = {
      role: 'ASSISTANT' as const,
      content: 'Summary: back up first.',
      usage: { inputTokens: 7, outputTokens: 3, costUsd: 0.2 },
    };
    await server.execute(CompactTranscriptDocument, { ...ws(), id: source, input: { upToSeq: 3, summary } }, owner.token);
    const export_ = async (sessionId: string) => {
      const response = await server.execute(
        SessionTrajectoryDocument,
        { ...ws(), id: sessionId, format: 'ATIF', includeCompacted: true },
        owner.token,
      );
      expect(response.body.errors).toBeUndefined();
      const doc = response.body.data!.session!.trajectory as { steps: Step[]; final_metrics: Doc } & Doc;
      expect(atifViolations(doc)).toEqual([]);
      return { doc, usage: response.body.data!.session!.usage! };
    };

    const { doc, usage } = await export_(source);
    expect(doc.steps.map((s) => s.source)).toEqual(['user', 'agent', 'user', 'system']);
    expect(doc.steps[3]).toMatchObject({
      source: 'system',
      observation: { results: [{ content: 'Summary: back up first.' }] },
      extra: {
        seq: 4,
        role: 'ASSISTANT',
        compaction_up_to_seq: 3,
        context_management: { type: 'compaction', boundary: 'replace' },
        metrics: { prompt_tokens: 7, completion_tokens: 3, cost_usd: 0.2 },
      },
    });
    expect(doc.steps[3]!.metrics).toBeUndefined();
    // The summary's generation still counts, as it does in the session's usage.
    expect(doc.final_metrics).toMatchObject({ total_completion_tokens: usage.totalOutputTokens, total_cost_usd: 0.3, total_steps: 4 });
    // The first compaction of the shared session left messages 3-7 between it and its summary: no boundary.
    const shared = (await trajectory('ATIF', true)).trajectory as { steps: Step[] };
    expect(shared.steps.find((s) => s.extra.seq === 8)).toMatchObject({ source: 'agent', extra: { compaction_up_to_seq: 2 } });
    expect(shared.steps.some((s) => 'context_management' in s.extra)).toBe(false);

    const forkId = randomUUID();
    const forked = await server.execute(ForkSessionDocument, { ...ws(), id: source, input: { atSeq: 4, newId: forkId } }, owner.token);
    expect(forked.body.errors).toBeUndefined();
    await server.execute(
      AppendTranscriptDocument,
      { ...ws(), id: forkId, input: { messages: [{ role: 'USER', content: 'Now in the fork' }] } },
      owner.token,
    );
    const fork = (await export_(forkId)).doc;
    expect(fork.steps.map((s) => [s.extra.seq, s.is_copied_context ?? false])).toEqual([
      [1, true],
      [2, true],
      [3, true],
      [4, true],
      [5, false],
    ]);
    expect(doc.steps.some((s) => s.is_copied_context !== undefined)).toBe(false);
  });

  it('a session with nothing to export has no ATIF document (CONFLICT, 409 on the download); OPENAI and NATIVE are empty lists', async () => {
    const atif = await server.execute(SessionTrajectoryDocument, { ...ws(), id: hidden, format: 'ATIF' }, owner.token);
    expect(atif.body.data!.session!.trajectory).toBeNull();
    expect(atif.body.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT' });
    expect(atif.body.errors![0]!.message).toMatch(/at least one step/);
    const openai = await server.execute(SessionTrajectoryDocument, { ...ws(), id: hidden, format: 'OPENAI' }, owner.token);
    expect(openai.body.data!.session!.trajectory).toEqual({ messages: [] });
    const downloaded = await download(`${hidden}/trajectory`, owner.token);
    expect(downloaded.status).toBe(409);
    expect(await downloaded.json()).toMatchObject({ code: 409, type: 'conflict_error' });
    expect((await download(`${hidden}/trajectory?format=native`, owner.token)).status).toBe(200);
  });

  it('leaves the compacted messages out unless asked; OPENAI and NATIVE formats', async () => {
    const current = (await trajectory('ATIF')).trajectory as { steps: Step[] };
    expect(atifViolations(current)).toEqual([]);
    expect(current.steps.map((s) => s.extra.seq)).toEqual([3, 7, 8]);

    const openai = (await trajectory('OPENAI', true)).trajectory as { messages: Doc[] };
    expect(openai.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'tool', 'tool', 'assistant', 'assistant']);
    expect(openai.messages[2]).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'grep', arguments: '{"q":"flaky"}' } },
        { id: 'call_2', type: 'function', function: { name: 'echo', arguments: '"just text"' } },
      ],
    });
    expect(openai.messages[3]).toEqual({ role: 'tool', content: 'a.test.ts', tool_call_id: 'call_1' });
    expect(((await trajectory('OPENAI')).trajectory as { messages: Doc[] }).messages).toHaveLength(6);

    const { trajectory: native, usage } = await trajectory('NATIVE');
    expect(native).toMatchObject({
      format: 'native',
      includeCompacted: false,
      session: { id, title: 'Export me', compactedUpToSeq: 2, messageCount: 8 },
      labels: [{ key: 'team', values: ['infra'] }],
      usage,
    });
    expect((native as { messages: Doc[] }).messages.map((m) => m.seq)).toEqual([3, 4, 5, 6, 7, 8]);
  });

  it('downloads the same document at the reference’s path, by prefix, with the same access rules and the REST error envelope', async () => {
    const response = await download(`${id.slice(0, 8)}/trajectory?format=atif&include_compacted=true`, owner.token);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(await response.text())).toEqual((await trajectory('ATIF', true)).trajectory);
    const openai = await download(`${id}/trajectory?format=openai`, owner.token);
    expect(JSON.parse(await openai.text())).toEqual((await trajectory('OPENAI')).trajectory);

    const failures: [string, string | undefined, number, string][] = [
      [`${id}/trajectory`, undefined, 401, 'authentication_error'],
      [`${id}/trajectory`, 'cst_not-a-token', 401, 'authentication_error'],
      [`${hidden}/trajectory`, other.token, 404, 'not_found_error'],
      [`${id}/trajectory?format=xml`, owner.token, 422, 'validation_error'],
      [`${id}/trajectory?include_compacted=yes`, owner.token, 422, 'validation_error'],
      [`not-an-id/trajectory`, owner.token, 422, 'validation_error'],
    ];
    for (const [path, token, status, type] of failures) {
      const failed = await download(path, token);
      expect(failed.status, path).toBe(status);
      expect(await failed.json()).toMatchObject({ code: status, type, detail: expect.any(String) as string });
    }
    const elsewhere = await server.yoga.fetch(`http://localhost/api/v1/org/${tenant.org}/ws/nope/sessions/${id}/trajectory`, {
      headers: { authorization: `Bearer ${owner.token}` },
    });
    expect(elsewhere.status).toBe(404);
  });

  it('costs a page of 2000 in the operation cost: twenty sessions’ trajectories pass, a hundred do not', async () => {
    const query = (first: number) =>
      JSON.stringify({
        query: `{ sessions(org: "${tenant.org}", workspace: "${tenant.workspace}", first: ${first}) { nodes { trajectory } } }`,
      });
    const headers = { authorization: `Bearer ${owner.token}` };
    const twenty = await server.post(query(20), headers);
    expect(twenty.status).toBe(200);
    const hundred = await server.post(query(100), headers);
    expect(hundred.status).toBe(400);
    expect(JSON.stringify(hundred.body)).toMatch(/Operation cost \d+ exceeds the limit/);
  });
});
