import DataLoader from 'dataloader';
import type { YogaInitialContext } from 'graphql-yoga';
import { authenticate, type Principal } from './auth/principal.js';
import type { VerifiedTokens } from './auth/verified-tokens.js';
import type { PrismaClient, Session, User } from './generated/prisma/client.js';
import { requirePrincipal } from './auth/access.js';
import { loadVisibleSessions } from './sessions/entities.js';
import type { Logger } from './logger.js';
import { loadLabels, type Label } from './sessions/labels.js';
import { loadTranscripts, type TranscriptPage, type TranscriptRequest } from './sessions/transcript.js';
import { EMPTY_USAGE, loadUsage, type SessionUsage } from './sessions/usage.js';
import { requestIdOf } from './http/plugins/request-id.js';

/**
 * Per-request batch loaders: each turns the N parents of a page into one SQL statement. They are
 * created with the context, so nothing is cached across requests or callers.
 */
export interface Loaders {
  user: DataLoader<string, User | null>;
  labels: DataLoader<string, Label[]>;
  usage: DataLoader<string, SessionUsage>;
  transcript: DataLoader<TranscriptRequest, TranscriptPage, string>;
  /** Federation: sessions by bare id, visible to the caller (needs a principal). */
  entity: DataLoader<string, Session | null>;
}

/** Transcript pages: one statement per distinct (afterSeq, first) among the requested pages. */
async function batchTranscripts(prisma: PrismaClient, requests: readonly TranscriptRequest[]): Promise<TranscriptPage[]> {
  const groups = new Map<string, TranscriptRequest[]>();
  for (const request of requests) {
    const key = `${request.afterSeq}:${request.first}`;
    groups.set(key, [...(groups.get(key) ?? []), request]);
  }
  const pages = new Map<string, TranscriptPage>();
  await Promise.all(
    [...groups.values()].map(async (group) => {
      const { afterSeq, first } = group[0]!;
      const loaded = await loadTranscripts(prisma, [...new Set(group.map((r) => r.sessionId))], afterSeq, first);
      for (const request of group) pages.set(transcriptKey(request), loaded.get(request.sessionId)!);
    }),
  );
  return requests.map((request) => pages.get(transcriptKey(request))!);
}

const transcriptKey = (request: TranscriptRequest) => `${request.sessionId}:${request.afterSeq}:${request.first}`;

export interface LoaderOptions {
  /**
   * false: every key gets its own call of the batch function, uncached, so each parent costs one
   * statement (the N+1 of a server without DataLoader). Only for benchmark baselines (DATALOADERS).
   */
  batch?: boolean;
}

export function createLoaders(prisma: PrismaClient, principal: Principal | null, { batch = true }: LoaderOptions = {}): Loaders {
  const options = batch ? {} : { batch: false, cache: false };
  return {
    user: new DataLoader(async (ids) => {
      const users = await prisma.user.findMany({ where: { id: { in: [...ids] } } });
      const byId = new Map(users.map((user) => [user.id, user]));
      return ids.map((id) => byId.get(id) ?? null);
    }, options),
    labels: new DataLoader(async (ids) => {
      const labels = await loadLabels(prisma, ids);
      return ids.map((id) => labels.get(id) ?? []);
    }, options),
    usage: new DataLoader(async (ids) => {
      const usage = await loadUsage(prisma, ids);
      return ids.map((id) => usage.get(id) ?? EMPTY_USAGE);
    }, options),
    transcript: new DataLoader((requests) => batchTranscripts(prisma, requests), { ...options, cacheKeyFn: transcriptKey }),
    entity: new DataLoader(async (ids) => loadVisibleSessions(prisma, requirePrincipal(principal), ids), options),
  };
}

export interface Context {
  requestId: string;
  prisma: PrismaClient;
  /** The caller; null for anonymous requests. */
  principal: Principal | null;
  loaders: Loaders;
  logger: Logger;
}

export interface ContextDeps {
  prisma: PrismaClient;
  logger: Logger;
  loaders?: LoaderOptions;
  /** The rate limiter's record of tokens that authenticated (rate-limit.ts); none without limiting. */
  verifiedTokens?: VerifiedTokens;
}

export function createContextFactory({ prisma, logger, loaders, verifiedTokens }: ContextDeps) {
  return async ({ request }: YogaInitialContext): Promise<Context> => {
    const principal = await authenticate(prisma, request.headers.get('authorization'), verifiedTokens);
    return { requestId: requestIdOf(request), prisma, principal, loaders: createLoaders(prisma, principal, loaders), logger };
  };
}
