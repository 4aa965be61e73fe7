import type { WorkspaceAccess } from '../auth/access.js';
import type { SessionFilter } from './filter.js';
import type { SessionFacets } from './facets.js';

/** Entries kept at most; the oldest goes first. Each is one caller's facets of one workspace under one filter. */
const MAX_ENTRIES = 1000;

interface Entry {
  expires: number;
  value: Promise<SessionFacets>;
}

/**
 * sessionFacets answers, per process, for FACETS_CACHE_SECONDS: the grouped statement reads every
 * visible session of the workspace (the slowest of the bench's scenarios), and a filter sidebar
 * asks for the same counts again and again. Concurrent identical requests share one statement.
 *
 * Freshness: every mutation this process executes empties the cache, when it starts and when it
 * ends (a count computed across a mutation is not kept: a generation number tells), so a caller
 * sees its own writes at once. Writes through another process (WEB_CONCURRENCY, other instances,
 * the admin CLI) show after FACETS_CACHE_SECONDS at most. The key is the caller's user, the
 * workspace and the filter, since visibility depends on the caller.
 */
export class FacetsCache {
  readonly #ttlMs: number;
  readonly #entries = new Map<string, Entry>();
  #generation = 0;

  constructor(ttlSeconds: number) {
    this.#ttlMs = ttlSeconds * 1000;
  }

  /** Empties the cache: a mutation is starting or has ended. */
  invalidate(): void {
    this.#generation += 1;
    this.#entries.clear();
  }

  async get(
    access: WorkspaceAccess,
    filter: SessionFilter | null | undefined,
    compute: () => Promise<SessionFacets>,
  ): Promise<SessionFacets> {
    if (this.#ttlMs === 0) return compute();
    const key = JSON.stringify([access.workspaceId, access.principal.userId, filter ?? null]);
    const now = performance.now();
    const cached = this.#entries.get(key);
    if (cached && cached.expires > now) return cached.value;
    this.#entries.delete(key);
    const generation = this.#generation;
    const value = compute();
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(key, { expires: now + this.#ttlMs, value });
    try {
      await value;
    } catch (error) {
      // Failures are not remembered.
      if (this.#entries.get(key)?.value === value) this.#entries.delete(key);
      throw error;
    }
    // Computed across a mutation: it may predate it.
    if (generation !== this.#generation && this.#entries.get(key)?.value === value) this.#entries.delete(key);
    return value;
  }
}
