import DataLoader from 'dataloader';
import { requirePrincipal } from '../auth/access.js';
import type { Principal } from '../auth/principal.js';
import type { PrismaClient, Session, User } from '../generated/prisma/client.js';
import { SessionDetailsLoader } from './details-loader.js';
import { loadVisibleMessages, loadVisibleUsers } from './nodes.js';
import {
  loadLastSeqs,
  loadTranscriptPages,
  transcriptKey,
  type StoredMessage,
  type TranscriptPage,
  type TranscriptRequest,
} from './transcript-read.js';
import { loadVisibleSessions } from './visible-session.js';

/**
 * Per-request batch loaders: each turns the N parents of a page into one SQL statement. They are
 * created with the context, so nothing is cached across requests or callers.
 */
export interface Loaders {
  /** Owner, labels and usage by session id, all three in one statement per page. */
  details: SessionDetailsLoader;
  transcript: DataLoader<TranscriptRequest, TranscriptPage, string>;
  /** The highest stored seq of a session (0 without messages). */
  lastSeq: DataLoader<string, number>;
  /** Sessions, messages and users by bare id, visible to the caller (needs a principal): federation and `node`. */
  visibleSession: DataLoader<string, Session | null>;
  visibleMessage: DataLoader<string, StoredMessage | null>;
  visibleUser: DataLoader<string, User | null>;
}

export interface LoaderOptions {
  /**
   * false: every key gets its own call of the batch function, uncached, so each parent costs one
   * statement (the N+1 of a server without DataLoader). Only for the benchmark's baseline.
   */
  batch?: boolean;
}

// Batch functions are async so that a refusal (no principal) rejects the loads instead of throwing
// inside DataLoader, which would report it as its own misuse.
export function createLoaders(prisma: PrismaClient, principal: Principal | null, { batch = true }: LoaderOptions = {}): Loaders {
  const options = batch ? {} : { batch: false, cache: false };
  return {
    details: new SessionDetailsLoader(prisma, { batch }),
    transcript: new DataLoader((requests) => loadTranscriptPages(prisma, requests), { ...options, cacheKeyFn: transcriptKey }),
    lastSeq: new DataLoader((ids) => loadLastSeqs(prisma, ids), options),
    visibleSession: new DataLoader(async (ids) => loadVisibleSessions(prisma, requirePrincipal(principal), ids), options),
    visibleMessage: new DataLoader(async (ids) => loadVisibleMessages(prisma, requirePrincipal(principal), ids), options),
    visibleUser: new DataLoader(async (ids) => loadVisibleUsers(prisma, requirePrincipal(principal), ids), options),
  };
}
