import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { DocumentNode, ExecutionArgs, ExecutionResult, GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budget } from '../support/budget.js';
import { createTenant, type Tenant } from '../support/tenant.js';
import { fuzzParameters } from '../fuzz/settings.js';
import { createLiveTestServer, type LiveTestServer } from './harness.js';
import { APPEND, SAVE, SESSION_EVENTS, TRANSCRIPT, until } from './support.js';

interface Message {
  seq: number;
  content: string;
}
interface Event {
  kind: string;
  sessionId: string;
  lastSeq: number | null;
  messageCount: number;
  session: { id: string; visibility: string; labels: { key: string; values: string[] }[] } | null;
}

let server: LiveTestServer;
let tenant: Tenant;
beforeAll(async () => {
  server = await createLiveTestServer({ settings: { recheckMs: 200, maxSubscriptionsPerToken: 50, bufferEvents: 20 } });
  tenant = await createTenant(server.db.database.prisma, [{ role: 'CONTRIBUTOR' }, { role: 'CONTRIBUTOR' }, { role: 'READER' }]);
}, budget(5));
afterAll(() => server.close());

const slugs = () => ({ org: tenant.org, workspace: tenant.workspace });
const token = (i: number) => tenant.members[i]!.token;

async function save(owner: number, input: Record<string, unknown> = {}): Promise<string> {
  const id = randomUUID();
  const result = await server.run(token(owner), SAVE, { ...slugs(), input: { id, model: 'm', visibility: 'WORKSPACE', ...input } });
  expect(result.errors).toBeUndefined();
  return id;
}

async function append(owner: number, id: string, contents: string[]): Promise<void> {
  const result = await server.run(token(owner), APPEND, {
    ...slugs(),
    id,
    input: { messages: contents.map((content) => ({ role: 'USER', content })) },
  });
  expect(result.errors).toBeUndefined();
}

const messagesOf = (events: { data?: { transcript: Message | null } | null }[]) =>
  events.flatMap((e) => (e.data?.transcript ? [e.data.transcript] : []));
const codesOf = (events: { errors?: readonly { extensions?: Record<string, unknown> }[] }[]) =>
  events.flatMap((e) => (e.errors ?? []).map((error) => error.extensions?.code));

describe('transcript: resumable without gaps', () => {
  it(
    'concurrent appenders, a subscriber that drops at random points and resumes with afterSeq: it sees 1..n exactly once',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }), { minLength: 2, maxLength: 3 }),
          fc.array(fc.integer({ min: 0, max: 25 }), { minLength: 1, maxLength: 4 }),
          async (appenders, cuts) => {
            const id = await save(0);
            const n = appenders.flat().reduce((sum, size) => sum + size, 0);
            let counter = 0;
            const appending = Promise.all(
              appenders.map(async (batches) => {
                for (const size of batches)
                  await append(
                    0,
                    id,
                    Array.from({ length: size }, () => `m${(counter += 1)}`),
                  );
              }),
            );
            const seen: number[] = [];
            for (const cut of [...cuts, Infinity]) {
              const afterSeq = seen.at(-1) ?? 0;
              const subscription = server.subscribe<{ transcript: Message }>(token(1), TRANSCRIPT, { ...slugs(), id, afterSeq });
              if (cut === Infinity) {
                await appending;
                await until(() => (messagesOf(subscription.events).at(-1)?.seq ?? afterSeq) >= n, 20_000, `seq ${n}`);
              } else {
                await new Promise((resolve) => setTimeout(resolve, cut));
              }
              await subscription.cancel();
              const got = messagesOf(subscription.events).map((m) => m.seq);
              // Within one connection: consecutive from afterSeq + 1, no gap, no duplicate.
              expect(got).toEqual(got.map((_, i) => afterSeq + i + 1));
              seen.push(...got);
            }
            expect(seen).toEqual(Array.from({ length: n }, (_, i) => i + 1));
          },
        ),
        fuzzParameters('live transcript resume', 0.2),
      );
    },
    budget(300),
  );

  it(
    'a batch too large to ship with its event is read from the database, in order',
    async () => {
      const id = await save(0);
      const subscription = server.subscribe<{ transcript: Message }>(token(0), TRANSCRIPT, { ...slugs(), id });
      await append(0, id, ['small']);
      await until(() => subscription.events.length === 1, 10_000, 'the first message');
      const big = 'x'.repeat(100_000);
      await append(0, id, [big, big, big]);
      await until(() => subscription.events.length === 4, 10_000, 'the large batch');
      await subscription.cancel();
      expect(messagesOf(subscription.events).map((m) => [m.seq, m.content.length])).toEqual([
        [1, 5],
        [2, 100_000],
        [3, 100_000],
        [4, 100_000],
      ]);
    },
    budget(6),
  );
});

describe('sessionEvents', () => {
  it(
    'every kind of change, with the data a cache needs, honouring the filter',
    async () => {
      const subscription = server.subscribe<{ sessionEvents: Event }>(token(1), SESSION_EVENTS, {
        ...slugs(),
        filter: { agents: ['live-a'] },
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const other = await save(0, { agent: 'other' });
      const id = await save(0, { agent: 'live-a' });
      await append(0, other, ['not this one']);
      const transcript = server.subscribe<{ transcript: Message }>(token(1), TRANSCRIPT, { ...slugs(), id });
      await append(0, id, ['one', 'two']);
      const lifecycle = async (mutation: string, extra = '', vars: Record<string, unknown> = {}) => {
        const result = await server.run(
          token(0),
          `mutation($org: String!, $workspace: String!, $id: String!${extra ? `, ${extra}` : ''}) {
          ${mutation} { __typename } }`,
          { ...slugs(), id, ...vars },
        );
        expect(result.errors).toBeUndefined();
      };
      await lifecycle('updateSession(org: $org, workspace: $workspace, id: $id, input: $input)', '$input: UpdateSessionInput!', {
        input: { title: 't' },
      });
      await lifecycle('updateSession(org: $org, workspace: $workspace, id: $id, input: $input)', '$input: UpdateSessionInput!', {
        input: { labels: [{ key: 'team', values: ['x'] }] },
      });
      await lifecycle('archiveSession(org: $org, workspace: $workspace, id: $id)');
      await lifecycle('unarchiveSession(org: $org, workspace: $workspace, id: $id)');
      await lifecycle('compactTranscript(org: $org, workspace: $workspace, id: $id, input: $input)', '$input: CompactTranscriptInput!', {
        input: { upToSeq: 1, summary: { role: 'ASSISTANT', content: 'summary of one' } },
      });
      // A fork starts PRIVATE to its owner: this subscriber (another member) never hears of it.
      await lifecycle('forkSession(org: $org, workspace: $workspace, id: $id, input: $input)', '$input: ForkSessionInput!', {
        input: { atSeq: 2, newId: randomUUID() },
      });
      await lifecycle('freezeSession(org: $org, workspace: $workspace, id: $id)');
      const doomed = await save(0, { agent: 'live-a' });
      await server.run(
        token(0),
        `mutation($org: String!, $workspace: String!, $id: String!) { deleteSession(org: $org, workspace: $workspace, id: $id) { deletedSessionId } }`,
        {
          ...slugs(),
          id: doomed,
        },
      );
      await until(() => subscription.events.length === 10, 10_000, 'ten events');
      await subscription.cancel();
      const events = subscription.events.map((e) => e.data!.sessionEvents);
      expect(events.map((e) => [e.kind, e.sessionId === id ? 'id' : e.sessionId === doomed ? 'doomed' : 'other'])).toEqual([
        ['CREATED', 'id'],
        ['TRANSCRIPT_APPENDED', 'id'],
        ['UPDATED', 'id'],
        ['LABELS_CHANGED', 'id'],
        ['ARCHIVED', 'id'],
        ['UNARCHIVED', 'id'],
        ['TRANSCRIPT_COMPACTED', 'id'],
        ['FROZEN', 'id'],
        ['CREATED', 'doomed'],
        ['DELETED', 'doomed'],
      ]);
      expect(events[1]).toMatchObject({ lastSeq: 2, messageCount: 2 });
      // Labels are read for this event, not from an earlier event's cache.
      expect(events[3]!.session!.labels).toEqual([{ key: 'team', values: ['x'] }]);
      // The compaction's summary is the next message; the count keeps the compacted one.
      expect(events[6]).toMatchObject({ lastSeq: 3, messageCount: 3 });
      expect(events[9]!.session).toBeNull();
      // The transcript feed delivers the summary like any stored message, in seq order.
      await until(() => transcript.events.length === 3, 10_000, 'three messages');
      await transcript.cancel();
      expect(transcript.events.map((e) => [e.data!.transcript.seq, e.data!.transcript.content])).toEqual([
        [1, 'one'],
        [2, 'two'],
        [3, 'summary of one'],
      ]);
    },
    budget(20),
  );

  it(
    'a PRIVATE session’s events reach only its owner; making one PRIVATE stops others’ transcript feed',
    async () => {
      const ownerFeed = server.subscribe<{ sessionEvents: Event }>(token(0), SESSION_EVENTS, slugs());
      const otherFeed = server.subscribe<{ sessionEvents: Event }>(token(1), SESSION_EVENTS, slugs());
      await new Promise((resolve) => setTimeout(resolve, 100));
      const secret = await save(0, { visibility: 'PRIVATE' });
      await append(0, secret, ['secret']);
      const shared = await save(0);
      const transcript = server.subscribe<{ transcript: Message }>(token(1), TRANSCRIPT, { ...slugs(), id: shared });
      await append(0, shared, ['visible']);
      await until(() => transcript.events.length === 1, 10_000, 'the shared message');
      await server.run(
        token(0),
        `mutation($org: String!, $workspace: String!, $id: String!) {
        updateSession(org: $org, workspace: $workspace, id: $id, input: { visibility: PRIVATE }) { id } }`,
        { ...slugs(), id: shared },
      );
      await append(0, shared, ['now private']);
      await transcript.ended;
      await until(() => ownerFeed.events.length === 6, 10_000, 'the owner’s six events');
      await ownerFeed.cancel();
      await otherFeed.cancel();
      expect(messagesOf(transcript.events).map((m) => m.content)).toEqual(['visible']);
      expect(codesOf(transcript.events)).toEqual(['NOT_FOUND']);
      const otherIds = otherFeed.events.map((e) => e.data?.sessionEvents?.sessionId);
      expect(otherIds).not.toContain(secret);
      expect(otherIds.filter((sessionId) => sessionId === shared)).toHaveLength(2);
    },
    budget(12),
  );
});

describe('access and limits', () => {
  it(
    'a revoked token stops delivery within the re-check interval, with an error',
    async () => {
      const extra = await createTenant(server.db.database.prisma, [{ role: 'CONTRIBUTOR' }]);
      const member = extra.members[0]!;
      const id = randomUUID();
      await server.run(member.token, SAVE, { org: extra.org, workspace: extra.workspace, input: { id, model: 'm' } });
      const subscription = server.subscribe<{ transcript: Message }>(member.token, TRANSCRIPT, {
        org: extra.org,
        workspace: extra.workspace,
        id,
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      await server.db.database.prisma.apiToken.updateMany({ where: { userId: member.userId }, data: { revokedAt: new Date() } });
      await subscription.ended;
      expect(codesOf(subscription.events)).toEqual(['NOT_FOUND']);
    },
    budget(4),
  );

  it(
    'subscriptions per token are limited; ending one frees its place',
    async () => {
      const extra = await createTenant(server.db.database.prisma, [{ role: 'READER' }]);
      const reader = extra.members[0]!.token;
      const open = Array.from({ length: 50 }, () =>
        server.subscribe(reader, SESSION_EVENTS, { org: extra.org, workspace: extra.workspace }),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      const refused = server.subscribe(reader, SESSION_EVENTS, { org: extra.org, workspace: extra.workspace });
      await refused.ended;
      expect(codesOf(refused.events)).toEqual(['RATE_LIMITED']);
      await open[0]!.cancel();
      await until(
        () => server.logger.lines.filter((l) => l.msg === 'subscription ended' && l.fields.reason === 'client').length > 0,
        5_000,
        'the end',
      );
      const admitted = server.subscribe(reader, SESSION_EVENTS, { org: extra.org, workspace: extra.workspace });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(admitted.isEnded()).toBe(false);
      await Promise.all([...open.slice(1), admitted].map((s) => s.cancel()));
    },
    budget(10),
  );

  it(
    'a subscriber that does not pull is disconnected with a clear error once its buffer is full',
    async () => {
      const id = await save(0);
      // The feed as every transport holds it: yoga's envelop, an iterator nobody pulls (a consumer whose socket is full).
      const request = new Request('http://localhost/graphql', { headers: { authorization: `Bearer ${token(0)}` } });
      const { schema, subscribe, parse, contextFactory } = server.yoga.getEnveloped({
        request,
        params: { query: TRANSCRIPT },
      }) as unknown as {
        schema: GraphQLSchema;
        subscribe: (args: ExecutionArgs) => Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>;
        parse: (source: string) => DocumentNode;
        contextFactory: () => Promise<unknown>;
      };
      const stream = await subscribe({
        schema,
        document: parse(TRANSCRIPT),
        variableValues: { ...slugs(), id },
        contextValue: await contextFactory(),
      });
      if (!(Symbol.asyncIterator in stream)) throw new Error(JSON.stringify(stream));
      // One message per append is one event; the buffer holds 20.
      for (let i = 0; i < 22; i += 1) await append(0, id, [`m${i}`]);
      const results: ExecutionResult[] = [];
      for await (const result of stream) results.push(result);
      expect(results).toHaveLength(1);
      expect(codesOf(results)).toEqual(['RATE_LIMITED']);
      expect(results[0]!.errors![0]!.message).toContain('Subscriber too slow');
      expect(server.logger.lines.some((l) => l.msg === 'subscription ended' && l.fields.reason === 'slow')).toBe(true);
    },
    budget(25),
  );

  it(
    'a subscription document passes the operation limits, and a session you cannot see is NOT_FOUND at subscribe time',
    async () => {
      const deep = server.subscribe(
        token(0),
        `subscription($org: String!, $workspace: String!) { sessionEvents(org: $org, workspace: $workspace) {
        session { labels { key } labels2: labels { key } a1: labels { key } a2: labels { key } a3: labels { key } a4: labels { key } a5: labels { key }
        a6: labels { key } a7: labels { key } a8: labels { key } a9: labels { key } a10: labels { key } a11: labels { key } a12: labels { key } a13: labels { key } a14: labels { key } a15: labels { key } } } }`,
        slugs(),
      );
      await deep.ended;
      expect(codesOf(deep.events)).toEqual(['BAD_REQUEST']);
      const secret = await save(0, { visibility: 'PRIVATE' });
      const refused = server.subscribe(token(1), TRANSCRIPT, { ...slugs(), id: secret });
      await refused.ended;
      expect(codesOf(refused.events)).toEqual(['NOT_FOUND']);
    },
    budget(4),
  );
});
