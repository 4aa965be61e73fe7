/**
 * A queue between a publisher that never waits and one consumer that may be slow: at most
 * `capacity` items wait; one more fails the queue (the consumer gets `overflow()` as its error),
 * so a subscriber that does not read costs bounded memory and is told why it was dropped.
 */
export class BoundedQueue<T> {
  private readonly items: T[] = [];
  private waiting: { resolve: (result: IteratorResult<T, undefined>) => void; reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;
  private ended = false;

  constructor(
    private readonly capacity: number,
    private readonly overflow: () => Error,
  ) {}

  push(item: T): void {
    if (this.ended || this.failure !== undefined) return;
    if (this.waiting) {
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting.resolve({ value: item, done: false });
      return;
    }
    if (this.items.length >= this.capacity) {
      this.fail(this.overflow());
      return;
    }
    this.items.push(item);
  }

  /** Ends the queue with an error: items already queued are dropped, the next read throws it. */
  fail(error: Error): void {
    if (this.ended || this.failure !== undefined) return;
    this.failure = error;
    this.items.length = 0;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(error);
  }

  /** Ends the queue cleanly once the queued items are read. */
  end(): void {
    this.ended = true;
    if (this.items.length === 0) this.wakeDone();
  }

  /** The next item; done when the queue ended; throws the failure. */
  next(): Promise<IteratorResult<T, undefined>> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  /** The error the queue failed with, if it did. */
  get error(): Error | undefined {
    return this.failure;
  }

  private wakeDone(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.resolve({ value: undefined, done: true });
  }
}
