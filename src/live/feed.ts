import { liveAccessHolds, type WorkspaceAccess } from '../auth/access.js';
import { AppError, notFound } from '../errors.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import { BoundedQueue } from './bounded-queue.js';
import type { SessionEvent } from './events.js';
import type { Live } from './live.js';
import type { EndReason, OpenSubscription } from './registry.js';

/** What a feed yields: an item to deliver, or the error that ends it (delivered as a field error, then the stream completes). */
export type FeedItem<T> = { item: T } | { error: AppError };

const slowConsumer = (capacity: number) =>
  new AppError(
    'RATE_LIMITED',
    `Subscriber too slow: more than ${capacity} events waited to be sent; subscribe again (with afterSeq) to continue`,
  );
export const accessLost = () => notFound('Session or workspace (access ended)');

/** Where one feed gets its events: a bounded queue fed by the hub, failed by an outage or lost access, ended at shutdown. */
export interface FeedSource {
  queue: BoundedQueue<SessionEvent>;
  /** Settles once events committed from now on reach the queue: read the database only after it. */
  ready: Promise<void>;
  /** Why the queue ended or failed, for the log line and the metric. */
  reason(): EndReason;
  stop(): void;
}

export function openFeedSource(live: Live, prisma: PrismaClient, access: WorkspaceAccess, topic: string, sessionId?: string): FeedSource {
  const { capacity, recheckMs } = { capacity: live.settings.bufferEvents, recheckMs: live.settings.recheckMs };
  let reason: EndReason = 'complete';
  const queue = new BoundedQueue<SessionEvent>(capacity, () => {
    reason = 'slow';
    return slowConsumer(capacity);
  });
  const listening = live.hub.listen(topic, (event) => queue.push(event));
  const stops = [
    listening.stop,
    live.hub.onInterruption((error) => {
      reason = 'interrupted';
      queue.fail(error);
    }),
    live.hub.onClose(() => {
      reason = 'shutdown';
      queue.end();
      // Whether or not the consumer reads on, a stopped hub checks nothing more.
      clearInterval(timer);
    }),
  ];
  // Access is re-checked on a bounded interval, so a revoked token, a removed member or a session
  // made PRIVATE stops delivery within recheckMs. A database fault does not end the feed: the next check decides.
  const timer = setInterval(() => {
    liveAccessHolds(prisma, access, sessionId).then(
      (holds) => {
        if (holds) return;
        reason = 'access';
        queue.fail(accessLost());
        clearInterval(timer);
      },
      () => {},
    );
  }, recheckMs);
  timer.unref();
  return {
    queue,
    ready: listening.ready,
    reason: () => reason,
    stop: () => {
      clearInterval(timer);
      for (const stop of stops) stop();
    },
  };
}

/**
 * The async iterable a subscription field returns: it counts each delivered item, and ends its
 * registration however the stream ends (completed, failed, or the client left, even before the
 * first event), which a bare async generator does not promise.
 */
export function deliver<T>(
  open: OpenSubscription,
  feed: AsyncGenerator<FeedItem<T>, void, undefined>,
  source: FeedSource,
): AsyncIterableIterator<FeedItem<T>> {
  const finish = (reason: EndReason) => {
    source.stop();
    open.end(reason);
  };
  const iterator: AsyncIterableIterator<FeedItem<T>> = {
    async next() {
      try {
        const result = await feed.next();
        if (result.done) finish(source.reason());
        else {
          open.delivered();
          if ('error' in result.value) finish(source.reason() === 'complete' ? 'access' : source.reason());
        }
        return result.done ? { value: undefined, done: true } : result;
      } catch (error) {
        finish('error');
        throw error;
      }
    },
    async return() {
      finish('client');
      await feed.return(undefined);
      return { value: undefined, done: true };
    },
    async throw(error: unknown) {
      finish('error');
      await feed.return(undefined);
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
