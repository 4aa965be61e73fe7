import type { ExecutionResult } from 'graphql';
import { DEFAULT_LIVE, type LiveSettings } from '../../src/config.js';
import { buildYoga, type Yoga } from '../../src/http/yoga.js';
import { createLive, type Live } from '../../src/live/live.js';
import { sharedTestDatabase, type TestDatabase } from '../support/database.js';
import { memoryLogger } from '../support/server.js';

export interface LiveTestServer {
  yoga: Yoga;
  live: Live;
  db: TestDatabase;
  logger: ReturnType<typeof memoryLogger>;
  /** One operation over HTTP (yoga.fetch): the result's data and errors. */
  run<T = Record<string, unknown>>(token: string, query: string, variables?: Record<string, unknown>): Promise<ExecutionResult<T>>;
  /** A subscription over yoga's SSE (yoga.fetch, no socket). */
  subscribe<T = Record<string, unknown>>(token: string, query: string, variables?: Record<string, unknown>): Subscription<T>;
  close(): Promise<void>;
}

export interface Subscription<T> {
  /** Every `next` event so far. */
  events: ExecutionResult<T>[];
  /** Resolves when the server completed the stream (or it broke). */
  ended: Promise<void>;
  isEnded(): boolean;
  /** The client goes away. */
  cancel(): Promise<void>;
}

/**
 * A server sharing the worker's database with its own live hub: in process, or on Redis with the
 * given channel prefix (two of these with one prefix are two instances on one bus).
 */
export async function createLiveTestServer(
  options: { redisUrl?: string; channelPrefix?: string; settings?: Partial<LiveSettings> } = {},
): Promise<LiveTestServer> {
  const db = await sharedTestDatabase();
  const logger = memoryLogger();
  const live = createLive({
    logger,
    settings: { ...DEFAULT_LIVE, ...options.settings },
    redisUrl: options.redisUrl,
    channelPrefix: options.channelPrefix,
  });
  await live.hub.ready();
  const yoga = buildYoga({
    config: { graphiql: false, introspection: true, demoToken: undefined },
    prisma: db.database.prisma,
    logger,
    live,
  });
  const request = (token: string, accept: string, query: string, variables: Record<string, unknown>, signal?: AbortSignal) =>
    yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
      signal,
    });
  return {
    yoga,
    live,
    db,
    logger,
    run: async <T>(token: string, query: string, variables: Record<string, unknown> = {}) =>
      (await (await request(token, 'application/json', query, variables)).json()) as ExecutionResult<T>,
    subscribe<T>(token: string, query: string, variables: Record<string, unknown> = {}): Subscription<T> {
      const events: ExecutionResult<T>[] = [];
      const abort = new AbortController();
      let ended = false;
      let cancelled = false;
      let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
      const done = (async () => {
        const response = await request(token, 'text/event-stream', query, variables, abort.signal);
        reader = response.body!.getReader();
        // Cancelled before the answer came: end the stream now (after its first bytes, once it has
        // started), or its feed would stay open and keep querying the shared database.
        if (cancelled) {
          await reader.read();
          await reader.cancel();
          return;
        }
        const decoder = new TextDecoder();
        let buffer = '';
        for (;;) {
          const { value, done: finished } = await reader.read();
          if (finished) return;
          buffer += decoder.decode(value, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = block
              .split('\n')
              .filter((line) => line.startsWith('data:'))
              .map((line) => line.slice(5).trim())
              .join('\n');
            if (block.includes('event: next') && data) events.push(JSON.parse(data) as ExecutionResult<T>);
            if (block.includes('event: complete')) return;
          }
        }
      })()
        .catch(() => {})
        .finally(() => (ended = true));
      return {
        events,
        ended: done,
        isEnded: () => ended,
        cancel: async () => {
          cancelled = true;
          await reader?.cancel().catch(() => {});
          abort.abort();
          await done;
        },
      };
    },
    close: () => live.hub.close(),
  };
}
