import { Redis } from 'ioredis';

/** How long a client waits to connect before a command fails. */
const CONNECT_TIMEOUT_MS = 2000;

/**
 * A Redis client whose commands fail at once while Redis is away (no offline queue, one retry)
 * instead of piling up behind the reconnect: a request never waits on an unreachable Redis, and
 * ioredis keeps reconnecting in the background. Errors are the caller's to report.
 */
export function commandClient(url: string): Redis {
  return new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: CONNECT_TIMEOUT_MS });
}

/** A Redis client whose commands wait for the reconnect (subscriptions resume on it). */
export function waitingClient(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, connectTimeout: CONNECT_TIMEOUT_MS });
}

/**
 * Resolves once `client` is connected, or after `timeoutMs` with `onTimeout` called (the server
 * starts anyway; what needs Redis degrades until it connects). No client: at once.
 */
export function whenReady(client: Redis | undefined, timeoutMs: number, onTimeout: () => void): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!client || client.status === 'ready') return resolve();
    const timer = setTimeout(() => {
      onTimeout();
      resolve();
    }, timeoutMs);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
