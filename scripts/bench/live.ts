import { randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { BenchFixture } from './fixture.js';
import type { ServerProcess } from './server.js';

export interface LiveMeasurement {
  subscribers: number;
  appends: number;
  /** Events every subscriber should have received (subscribers × appends). */
  expected: number;
  delivered: number;
  /** From the message's createdAt (stamped in the append's transaction, just before commit) to receipt by a subscriber. */
  latencyMs: { p50: number; p99: number; max: number };
  rssBeforeBytes: number;
  rssAfterBytes: number;
  rssPerSubscriberBytes: number;
  subscribeSeconds: number;
}

const TRANSCRIPT = `subscription($org: String!, $workspace: String!, $id: String!, $afterSeq: Int) {
  transcript(org: $org, workspace: $workspace, id: $id, afterSeq: $afterSeq) { seq createdAt } }`;
const SAVE = `mutation($org: String!, $workspace: String!, $input: SaveSessionInput!) { saveSession(org: $org, workspace: $workspace, input: $input) { id } }`;
const APPEND = `mutation($org: String!, $workspace: String!, $id: String!, $input: AppendTranscriptInput!) {
  appendTranscript(org: $org, workspace: $workspace, id: $id, input: $input) { lastSeq } }`;
const OPEN_METRIC = /^live_subscriptions_open\{subscription="transcript"\} (\d+)$/m;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function gql(server: ServerProcess, token: string, query: string, variables: Record<string, unknown>): Promise<void> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { errors?: unknown[] };
  if (body.errors) throw new Error(`live bench: ${JSON.stringify(body.errors)}`);
}

async function openSubscriptions(server: ServerProcess): Promise<number> {
  const text = await (await fetch(new URL('/metrics', server.url))).text();
  return Number(OPEN_METRIC.exec(text)?.[1] ?? 0);
}

/**
 * The live scenario: S graphql-ws clients (one socket each) subscribe to the transcript of one
 * session of the workspace while appends run one after another, each a message; every subscriber
 * should receive every message. Reports delivery latency and the server's RSS per subscriber.
 */
export async function measureLive(
  server: ServerProcess,
  fixture: BenchFixture,
  options: { subscribers: number; appends: number },
  progress: (message: string) => void,
): Promise<LiveMeasurement> {
  const slugs = { org: fixture.org, workspace: fixture.writesWorkspace };
  const id = randomUUID();
  await gql(server, fixture.token, SAVE, { ...slugs, input: { id, model: 'bench-live' } });
  // Warm-up, so the baseline RSS already holds the code and buffers any subscriber needs.
  await subscribeAndAppend(server, fixture, id, 10);
  await pause(1000);
  const rssBeforeBytes = await server.rss();
  const latencies: number[] = [];
  const clients: Client[] = [];
  const started = Date.now();
  for (let i = 0; i < options.subscribers; i += 1) {
    const client = createClient({
      url: server.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${fixture.token}` },
    });
    clients.push(client);
    client.subscribe<{ transcript: { seq: number; createdAt: string } }>(
      // After the warm-up's message: only the messages appended while they listen.
      { query: TRANSCRIPT, variables: { ...slugs, id, afterSeq: 1 } },
      {
        next: ({ data }) => {
          if (data?.transcript) latencies.push(Date.now() - Date.parse(data.transcript.createdAt));
        },
        error: (error) => progress(`live subscriber error: ${JSON.stringify(error)}`),
        complete: () => {},
      },
    );
  }
  while ((await openSubscriptions(server)) < options.subscribers) {
    if (Date.now() - started > 120_000) throw new Error('live bench: the subscriptions did not all open within 120 s');
    await pause(200);
  }
  const subscribeSeconds = (Date.now() - started) / 1000;
  await pause(1000);
  const rssAfterBytes = await server.rss();
  progress(`live: ${options.subscribers} subscribers open in ${subscribeSeconds.toFixed(1)} s; appending ${options.appends} messages`);
  for (let i = 0; i < options.appends; i += 1) {
    await gql(server, fixture.token, APPEND, { ...slugs, id, input: { messages: [{ role: 'ASSISTANT', content: `live ${i}` }] } });
    await pause(50);
  }
  const expected = options.subscribers * options.appends;
  const waitUntil = Date.now() + 30_000;
  while (latencies.length < expected && Date.now() < waitUntil) await pause(100);
  for (const client of clients) void client.dispose();
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    subscribers: options.subscribers,
    appends: options.appends,
    expected,
    delivered: latencies.length,
    latencyMs: { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN },
    rssBeforeBytes,
    rssAfterBytes,
    rssPerSubscriberBytes: Math.round((rssAfterBytes - rssBeforeBytes) / Math.max(1, options.subscribers)),
    subscribeSeconds,
  };
}

/** A few subscribers that see one append, then leave. */
async function subscribeAndAppend(server: ServerProcess, fixture: BenchFixture, id: string, subscribers: number): Promise<void> {
  const slugs = { org: fixture.org, workspace: fixture.writesWorkspace };
  let received = 0;
  const clients = Array.from({ length: subscribers }, () => {
    const client = createClient({
      url: server.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${fixture.token}` },
    });
    client.subscribe(
      { query: TRANSCRIPT, variables: { ...slugs, id } },
      { next: () => (received += 1), error: () => {}, complete: () => {} },
    );
    return client;
  });
  while ((await openSubscriptions(server)) < subscribers) await pause(100);
  await gql(server, fixture.token, APPEND, { ...slugs, id, input: { messages: [{ role: 'USER', content: 'warm-up' }] } });
  const until = Date.now() + 10_000;
  while (received < subscribers && Date.now() < until) await pause(50);
  for (const client of clients) void client.dispose();
  while ((await openSubscriptions(server)) > 0) await pause(100);
}

export function formatLive(m: LiveMeasurement): string {
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return [
    `Live: ${m.subscribers} transcript subscribers (graphql-ws, one socket each) on one session while ${m.appends} appends ran`,
    `  delivered ${m.delivered} of ${m.expected} events; latency createdAt → receipt p50 ${m.latencyMs.p50} ms, p99 ${m.latencyMs.p99} ms, max ${m.latencyMs.max} ms`,
    `  server RSS ${mb(m.rssBeforeBytes)} → ${mb(m.rssAfterBytes)} with the subscribers open: ${(m.rssPerSubscriberBytes / 1024).toFixed(1)} KiB per subscriber; all open in ${m.subscribeSeconds.toFixed(1)} s`,
  ].join('\n');
}
