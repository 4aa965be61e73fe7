import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../logger.js';

/** What a worker tells the primary once it listens. */
interface ReadyMessage {
  type: 'listening';
  url: string;
}

const isReady = (message: unknown): message is ReadyMessage =>
  typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'listening';

/** In a worker: tells the primary that this worker serves `url`. */
export function reportListening(url: string): void {
  process.send?.({ type: 'listening', url } satisfies ReadyMessage);
}

export const isWorker = () => cluster.isWorker;

/**
 * WEB_CONCURRENCY > 1: this process forks that many workers, each a whole server (its own
 * database pool, loaders and caches; no state is shared but the database and Redis), and node's
 * cluster module spreads the connections of the one port over them. The primary serves nothing: it
 * prints the ready line once every worker listens, replaces a worker that dies while serving, and
 * on SIGTERM or SIGINT stops them all (each drains its requests) before it exits. A worker that
 * dies before it listens stops the whole server (exit 1): the cause (configuration, database) would
 * kill its replacement too.
 */
export function runPrimary(workers: number, logger: Logger, onReady: (url: string) => void): void {
  const ready = new Set<number>();
  let stopping = false;
  let announced = false;

  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.on('message', (message: unknown) => {
      if (!isReady(message)) return;
      ready.add(worker.id);
      if (!announced && ready.size === workers) {
        announced = true;
        logger.info('workers listening', { workers, url: message.url });
        onReady(message.url);
      }
    });
    return worker;
  };

  cluster.on('exit', (worker, code, signal) => {
    const wasReady = ready.delete(worker.id);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    if (!wasReady) {
      logger.error('a worker exited before it listened; stopping', { code, signal });
      stop(1);
      return;
    }
    logger.warn('a worker exited; starting another', { code, signal });
    fork();
  });

  const stop = (exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    if (alive.length === 0) process.exit(exitCode);
    for (const worker of alive) worker.process.kill('SIGTERM');
    if (exitCode !== 0) cluster.on('exit', () => Object.keys(cluster.workers ?? {}).length === 0 && process.exit(exitCode));
  };
  process.on('SIGTERM', () => stop());
  process.on('SIGINT', () => stop());

  for (let i = 0; i < workers; i += 1) fork();
}
