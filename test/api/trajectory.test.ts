import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AppendTranscriptDocument,
  CompactTranscriptDocument,
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
