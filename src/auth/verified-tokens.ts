/**
 * Hashes (hashToken) of the tokens that authenticated successfully in this process, recently.
 * The rate limiter gives a token its own budget only once it is in here, so a made-up token cannot
 * buy a fresh budget: until then its requests spend the client address's. Membership chooses a
 * budget and nothing else; every request is still authenticated against the database, so a
 * revoked token fails on its next request whatever this set holds.
 *
 * Bounded: at most `capacity` entries, the least recently authenticated dropped first, each kept
 * `ttlMs` after its last success. Only successes add entries, so failed authentications (any
 * number of bogus tokens) leave nothing behind.
 */
export class VerifiedTokens {
  readonly #capacity: number;
  readonly #ttlMs: number;
  readonly #now: () => number;
  // Insertion order is recency order: `add` moves a hash to the end, eviction takes the first.
  readonly #expiries = new Map<string, number>();

  constructor({ capacity = 10_000, ttlMs = 5 * 60_000, now = Date.now }: { capacity?: number; ttlMs?: number; now?: () => number } = {}) {
    this.#capacity = capacity;
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  /** The token with this hash just authenticated. */
  add(hash: string): void {
    this.#expiries.delete(hash);
    this.#expiries.set(hash, this.#now() + this.#ttlMs);
    if (this.#expiries.size > this.#capacity) {
      const oldest = this.#expiries.keys().next().value;
      if (oldest !== undefined) this.#expiries.delete(oldest);
    }
  }

  has(hash: string): boolean {
    const expiry = this.#expiries.get(hash);
    if (expiry === undefined) return false;
    if (expiry > this.#now()) return true;
    this.#expiries.delete(hash);
    return false;
  }

  /** The token with this hash failed to authenticate (revoked or expired since). */
  delete(hash: string): void {
    this.#expiries.delete(hash);
  }

  get size(): number {
    return this.#expiries.size;
  }
}
