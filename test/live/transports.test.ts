import { ApolloClient, gql as apolloGql, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { budget } from '../support/budget.js';
import { startClientTestServer, type ClientTestServer } from '../clients/server.js';
import { append, saveSession, TRANSCRIPT, until, wsUrl } from './support.js';

interface Seen {
  seq: number;
  content: string;
}

let ctx: ClientTestServer;
beforeAll(async () => {
  ctx = await startClientTestServer();
}, budget(5));
let closed = false;
afterAll(async () => {
  if (!closed) await ctx.server.close();
});

const slugs = () => ({ org: ctx.tenant.org, workspace: ctx.tenant.workspace });

describe('transports: appends arrive live', () => {
  it(
    'graphql-sse (single-connection mode): stored messages first, then appends as they commit',
    async () => {
      const id = await saveSession(ctx.server.url, ctx.token, slugs());
      await append(ctx.server.url, ctx.token, slugs(), id, ['one', 'two']);
      const client = createSseClient({
        url: ctx.server.url.replace(/\/graphql$/, '/graphql/stream'),
        singleConnection: true,
        headers: { authorization: `Bearer ${ctx.token}` },
      });
      const seen: Seen[] = [];
      const stop = client.subscribe<{ transcript: Seen }>(
        { query: TRANSCRIPT, variables: { ...slugs(), id } },
        { next: ({ data }) => data?.transcript && seen.push(data.transcript), error: () => {}, complete: () => {} },
      );
      await until(() => seen.length === 2, 10_000, 'stored messages');
      await append(ctx.server.url, ctx.token, slugs(), id, ['three']);
      await until(() => seen.length === 3, 10_000, 'the live append');
      stop();
      client.dispose();
      expect(seen).toEqual([
        { seq: 1, content: 'one' },
        { seq: 2, content: 'two' },
        { seq: 3, content: 'three' },
      ]);
    },
    budget(6),
  );

  it(
    'yoga’s own SSE on /graphql (distinct connections mode)',
    async () => {
      const id = await saveSession(ctx.server.url, ctx.token, slugs());
      const client = createSseClient({ url: ctx.server.url, headers: { authorization: `Bearer ${ctx.token}` } });
      const seen: Seen[] = [];
      const stop = client.subscribe<{ transcript: Seen }>(
        { query: TRANSCRIPT, variables: { ...slugs(), id, afterSeq: 0 } },
        { next: ({ data }) => data?.transcript && seen.push(data.transcript), error: () => {}, complete: () => {} },
      );
      // The subscription is listening once the stream is open; an append before that is read from the database anyway.
      await append(ctx.server.url, ctx.token, slugs(), id, ['a']);
      await until(() => seen.length === 1, 10_000, 'the append');
      await append(ctx.server.url, ctx.token, slugs(), id, ['b', 'c']);
      await until(() => seen.length === 3, 10_000, 'the second append');
      stop();
      client.dispose();
      expect(seen.map((m) => m.seq)).toEqual([1, 2, 3]);
    },
    budget(6),
  );

  it(
    'graphql-ws over WebSocket on /graphql, the token in connectionParams',
    async () => {
      const id = await saveSession(ctx.server.url, ctx.token, slugs());
      const client = createWsClient({
        url: wsUrl(ctx.server),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${ctx.token}` },
      });
      const seen: Seen[] = [];
      const stop = client.subscribe<{ transcript: Seen }>(
        { query: TRANSCRIPT, variables: { ...slugs(), id } },
        { next: ({ data }) => data?.transcript && seen.push(data.transcript), error: () => {}, complete: () => {} },
      );
      await until(() => client !== undefined, 10, 'client');
      await append(ctx.server.url, ctx.token, slugs(), id, ['x']);
      await until(() => seen.length === 1, 10_000, 'the append');
      await append(ctx.server.url, ctx.token, slugs(), id, ['y']);
      await until(() => seen.length === 2, 10_000, 'the second append');
      stop();
      await client.dispose();
      expect(seen).toEqual([
        { seq: 1, content: 'x' },
        { seq: 2, content: 'y' },
      ]);
    },
    budget(6),
  );

  it(
    'Apollo Client’s GraphQLWsLink',
    async () => {
      const id = await saveSession(ctx.server.url, ctx.token, slugs());
      const wsClient = createWsClient({
        url: wsUrl(ctx.server),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${ctx.token}` },
      });
      const apollo = new ApolloClient({ link: new GraphQLWsLink(wsClient), cache: new InMemoryCache() });
      const seen: Seen[] = [];
      const subscription = apollo
        .subscribe<{ transcript: Seen & { __typename: string } }>({ query: apolloGql(TRANSCRIPT), variables: { ...slugs(), id } })
        .subscribe({ next: ({ data }) => data?.transcript && seen.push({ seq: data.transcript.seq, content: data.transcript.content }) });
      await append(ctx.server.url, ctx.token, slugs(), id, ['p', 'q']);
      await until(() => seen.length === 2, 10_000, 'the append');
      subscription.unsubscribe();
      await wsClient.dispose();
      expect(seen).toEqual([
        { seq: 1, content: 'p' },
        { seq: 2, content: 'q' },
      ]);
    },
    budget(6),
  );

  it(
    'a subscription without a token is refused with the envelope, over graphql-ws too',
    async () => {
      const client = createWsClient({ url: wsUrl(ctx.server), webSocketImpl: WebSocket });
      const errors: unknown[] = [];
      await new Promise<void>((resolve) => {
        client.subscribe(
          { query: TRANSCRIPT, variables: { ...slugs(), id: '00000000-0000-0000-0000-000000000000' } },
          { next: (result) => errors.push(...(result.errors ?? [])), error: (error) => (errors.push(error), resolve()), complete: resolve },
        );
      });
      await client.dispose();
      expect(JSON.stringify(errors)).toContain('UNAUTHENTICATED');
    },
    budget(2),
  );

  it(
    'metrics count open subscriptions and delivered events; shutdown ends SSE streams with complete and WebSockets with 1001',
    async () => {
      const id = await saveSession(ctx.server.url, ctx.token, slugs());
      const sse = createSseClient({ url: ctx.server.url, headers: { authorization: `Bearer ${ctx.token}` }, retryAttempts: 0 });
      const ws = createWsClient({
        url: wsUrl(ctx.server),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        connectionParams: { authorization: `Bearer ${ctx.token}` },
      });
      let sseCompleted = false;
      let wsCloseCode: number | undefined;
      ws.on('closed', (event) => (wsCloseCode = (event as { code: number }).code));
      const seen: number[] = [];
      const sink = (done: () => void) => ({
        next: ({ data }: { data?: { transcript: Seen } | null }) => data?.transcript && seen.push(data.transcript.seq),
        error: () => done(),
        complete: () => done(),
      });
      sse.subscribe(
        { query: TRANSCRIPT, variables: { ...slugs(), id } },
        sink(() => (sseCompleted = true)),
      );
      ws.subscribe(
        { query: TRANSCRIPT, variables: { ...slugs(), id } },
        sink(() => {}),
      );
      await append(ctx.server.url, ctx.token, slugs(), id, ['m']);
      await until(() => seen.length === 2, 10_000, 'both feeds');
      const metrics = await (await fetch(ctx.server.url.replace(/\/graphql$/, '/metrics'))).text();
      expect(metrics).toMatch(/live_subscriptions_open\{subscription="transcript"\} 2/);
      expect(metrics).toMatch(/live_events_delivered_total\{subscription="transcript"\} \d+/);
      closed = true;
      const started = Date.now();
      await ctx.server.close();
      // Well inside the 10 s grace period: the streams ended instead of being cut.
      expect(Date.now() - started).toBeLessThan(5_000);
      await until(() => sseCompleted && wsCloseCode !== undefined, 5_000, 'both ends');
      expect(wsCloseCode).toBe(1001);
      sse.dispose();
      await ws.dispose();
    },
    budget(6),
  );
});
