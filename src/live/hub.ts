import type { Redis } from 'ioredis';
import { commandClient, waitingClient, whenReady } from '../db/redis.js';
import { AppError } from '../errors.js';
import { errorFields, type Logger } from '../logger.js';
import { eventSerializer, sessionTopic, workspaceTopic, type SessionEvent } from './events.js';

type EventListener = (event: SessionEvent) => void;

/**
 * Where committed changes meet live subscribers. In process by default; with REDIS_URL every
 * instance publishes to Redis and listens there, so a subscriber on one instance sees a change
 * made on another. When the link to Redis breaks, every open feed is told (it ends with an error)
 * rather than left silent: resubscribing with `afterSeq` recovers what it missed.
 */
export interface LiveHub {
  /** After the change committed: to the workspace's topic and to the session's. Never throws. */
  publish(event: SessionEvent): void;
  /**
   * Starts delivering the topic's events to `listener`; `ready` settles once events published from
   * now on will arrive (with Redis, when SUBSCRIBE is acknowledged): a feed reads the database only
   * after it, so nothing committed in between is missed.
   */
  listen(topic: string, listener: EventListener): { ready: Promise<void>; stop: () => void };
  /** The feed between instances broke: listeners must end their streams with this error. */
  onInterruption(listener: (error: AppError) => void): () => void;
  /** The server is stopping: listeners end their streams cleanly. */
  onClose(listener: () => void): () => void;
  /** Whether new subscriptions can be served (with Redis: connected). */
  available(): boolean;
  ready(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface LiveHubOptions {
  logger: Logger;
  /** Redis for fan-out across instances; in process when left out. */
  redisUrl?: string;
  /** Prefix of the Redis channels (tests give each server set its own). */
  channelPrefix?: string;
}

const WARN_EVERY_MS = 10_000;

export const feedInterrupted = () =>
  new AppError('BAD_GATEWAY', 'The live feed was interrupted (event bus unavailable); subscribe again with afterSeq to continue');

export const feedUnavailable = () =>
  new AppError('BAD_GATEWAY', 'Live subscriptions are unavailable (event bus unreachable); retry shortly');

export function createLiveHub({ logger, redisUrl, channelPrefix = 'cs-live:' }: LiveHubOptions): LiveHub {
  const interruptions = new Set<(error: AppError) => void>();
  const closings = new Set<() => void>();
  let publishClient: Redis | undefined;
  let subscribeClient: Redis | undefined;
  // Listeners by channel. With Redis a channel is subscribed while it has listeners. (Written here
  // rather than with @graphql-yoga/redis-event-target, which leaves the promises of SUBSCRIBE and
  // UNSUBSCRIBE unhandled: a command cut short by a lost connection would crash the process.)
  const channels = new Map<string, Set<EventListener>>();
  /** With Redis: each subscribed channel's SUBSCRIBE, settled once Redis acknowledged it. */
  const subscribed = new Map<string, Promise<void>>();
  const dispatch = (channel: string, event: SessionEvent) => {
    for (const listener of channels.get(channel) ?? []) listener(event);
  };
  let lastWarning = 0;
  const warn = (message: string, error?: unknown) => {
    if (Date.now() - lastWarning < WARN_EVERY_MS) return;
    lastWarning = Date.now();
    logger.warn(message, error === undefined ? {} : errorFields(error));
  };

  if (redisUrl) {
    // Publishing never queues while Redis is away (the change is committed; subscribers were told
    // of the outage and resume from the database). Subscribing waits for the reconnect.
    publishClient = commandClient(redisUrl);
    subscribeClient = waitingClient(redisUrl);
    publishClient.on('error', (error) => warn('live event bus: publish connection failed', error));
    let wasReady = false;
    subscribeClient.on('ready', () => (wasReady = true));
    subscribeClient.on('error', (error) => warn('live event bus: subscribe connection failed', error));
    subscribeClient.on('close', () => {
      if (!wasReady) return;
      wasReady = false;
      logger.warn('live event bus lost: open subscriptions end with an error');
      const error = feedInterrupted();
      for (const listener of [...interruptions]) listener(error);
    });
    subscribeClient.on('message', (channel: string, text: string) => {
      if (channels.has(channel)) dispatch(channel, eventSerializer.parse(text) as SessionEvent);
    });
  }

  const send = (topic: string, detail: SessionEvent) => {
    if (!publishClient) {
      dispatch(topic, detail);
      return;
    }
    publishClient.publish(topic, eventSerializer.stringify(detail)).catch((error: unknown) => warn('live event not published', error));
  };

  return {
    publish(event) {
      try {
        const { messages, ...withoutMessages } = event;
        send(`${channelPrefix}${workspaceTopic(event.session.workspaceId)}`, withoutMessages);
        send(`${channelPrefix}${sessionTopic(event.session.id)}`, messages ? { ...withoutMessages, messages } : withoutMessages);
      } catch (error) {
        warn('live event not published', error);
      }
    },
    listen(topic, listener) {
      const channel = `${channelPrefix}${topic}`;
      let listeners = channels.get(channel);
      let ready = subscribed.get(channel) ?? Promise.resolve();
      if (!listeners) {
        channels.set(channel, (listeners = new Set()));
        if (subscribeClient) {
          ready = subscribeClient.subscribe(channel).then(
            () => {},
            (error: unknown) => warn('live event bus: subscribe failed', error),
          );
          subscribed.set(channel, ready);
        }
      }
      listeners.add(listener);
      const mine = listeners;
      return {
        ready,
        stop: () => {
          mine.delete(listener);
          if (mine.size > 0 || channels.get(channel) !== mine) return;
          channels.delete(channel);
          subscribed.delete(channel);
          subscribeClient?.unsubscribe(channel).catch(() => {});
        },
      };
    },
    onInterruption(listener) {
      interruptions.add(listener);
      return () => interruptions.delete(listener);
    },
    onClose(listener) {
      closings.add(listener);
      return () => closings.delete(listener);
    },
    available: () => !subscribeClient || subscribeClient.status === 'ready',
    ready: (timeoutMs = 3000) =>
      whenReady(subscribeClient, timeoutMs, () =>
        logger.warn('live event bus not reachable at start; subscriptions are refused until it is'),
      ),
    close: async () => {
      for (const listener of [...closings]) listener();
      interruptions.clear();
      publishClient?.disconnect();
      subscribeClient?.disconnect();
      await Promise.resolve();
    },
  };
}
