import { authenticate, type Principal } from './auth/principal.js';
import type { VerifiedTokens } from './auth/verified-tokens.js';
import type { PrismaClient } from './generated/prisma/client.js';
import type { FacetsCache } from './sessions/facets-cache.js';
import type { Live } from './live/live.js';
import type { Logger } from './logger.js';
import { createLoaders, type LoaderOptions, type Loaders } from './sessions/loaders.js';

/** What every resolver gets: the caller, the database, per-request loaders and the logger. */
export interface Context {
  requestId: string;
  prisma: PrismaClient;
  /** The caller; null for anonymous requests. */
  principal: Principal | null;
  loaders: Loaders;
  logger: Logger;
  /** sessionFacets answers of this server (shared across requests; keyed by caller). */
  facetsCache: FacetsCache;
  /** Live subscriptions: mutations publish their committed changes here, subscriptions listen. */
  live: Live;
}

export interface ContextDeps {
  prisma: PrismaClient;
  logger: Logger;
  live: Live;
  loaders?: LoaderOptions;
  facetsCache: FacetsCache;
  /** The rate limiter's record of tokens that authenticated; none without limiting. */
  verifiedTokens?: VerifiedTokens;
}

/** What the context needs of the HTTP request. */
export interface RequestFacts {
  requestId: string;
  authorization: string | null;
}

/**
 * The context of one request: the caller is authenticated here, once (a bad token fails the whole
 * request), and the loaders are new, so nothing is shared across requests or callers.
 */
export async function createContext(
  { prisma, logger, live, loaders, verifiedTokens, facetsCache }: ContextDeps,
  request: RequestFacts,
): Promise<Context> {
  const principal = await authenticate(prisma, request.authorization, verifiedTokens);
  return { requestId: request.requestId, prisma, principal, loaders: createLoaders(prisma, principal, loaders), logger, live, facetsCache };
}
