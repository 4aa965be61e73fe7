import DataLoader from 'dataloader';
import type { PrismaClient } from '../generated/prisma/client.js';
import { loadSessionDetailsInOrder, type SessionDetails } from './details.js';

/**
 * Owner, labels and usage of sessions, per request: batched (one statement for all the sessions
 * whose fields ask in the same tick, through DataLoader), and known at once for a page that read
 * them ahead. A list that knows its nodes will show these fields reads them with the page
 * (readAhead), so its 50 sessions' `creator`, `labels` and `usage` resolve as plain values: on the
 * bench's list that is 150 promises fewer, and a tenth of the memory a request allocates
 * (docs/performance.md).
 */
export class SessionDetailsLoader {
  private readonly loader: DataLoader<string, SessionDetails>;
  private readonly known = new Map<string, SessionDetails>();

  /** `batch: false` (the benchmark's N+1 baseline, loaders.ts): every field loads on its own, nothing is read ahead. */
  constructor(
    private readonly prisma: PrismaClient,
    private readonly options: { batch: boolean },
  ) {
    this.loader = new DataLoader((ids) => loadSessionDetailsInOrder(prisma, ids), options.batch ? {} : { batch: false, cache: false });
  }

  /**
   * Reads the details of `ids` in one statement and keeps them (straight, not through DataLoader:
   * the page's ids are known, so there is nothing to batch). A failure is not thrown here but kept
   * for those ids, so each field that asks fails with it (null with its error, as a field loaded on
   * its own would) while the list itself is still answered.
   */
  async readAhead(ids: readonly string[]): Promise<void> {
    if (ids.length === 0 || !this.options.batch) return;
    try {
      const details = await loadSessionDetailsInOrder(this.prisma, ids);
      ids.forEach((id, i) => this.known.set(id, details[i]!));
    } catch (error) {
      for (const id of ids) this.loader.prime(id, error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** One session's details: the value itself when read ahead, else a load batched with the others of this tick. */
  get(id: string): SessionDetails | Promise<SessionDetails> {
    return this.known.get(id) ?? this.loader.load(id);
  }
}

/** `pick` of a value, or of the value a promise brings: a resolver stays synchronous when it can. */
export function pickFrom<T, R>(value: T | Promise<T>, pick: (value: T) => R): R | Promise<R> {
  return value instanceof Promise ? value.then(pick) : pick(value);
}
