import DataLoader from 'dataloader';
import type { YogaInitialContext } from 'graphql-yoga';
import { authenticate, type Principal } from './auth/principal.js';
import type { PrismaClient, User } from './generated/prisma/client.js';
import type { Logger } from './logger.js';
import { loadLabels, type Label } from './sessions/labels.js';
import { EMPTY_USAGE, loadUsage, type SessionUsage } from './sessions/usage.js';
import { requestIdOf } from './request-id.js';

/**
 * Per-request batch loaders: each turns the N parents of a page into one SQL statement. They are
 * created with the context, so nothing is cached across requests or callers.
 */
export interface Loaders {
  user: DataLoader<string, User | null>;
  labels: DataLoader<string, Label[]>;
  usage: DataLoader<string, SessionUsage>;
}

export function createLoaders(prisma: PrismaClient): Loaders {
  return {
    user: new DataLoader(async (ids) => {
      const users = await prisma.user.findMany({ where: { id: { in: [...ids] } } });
      const byId = new Map(users.map((user) => [user.id, user]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    labels: new DataLoader(async (ids) => {
      const labels = await loadLabels(prisma, ids);
      return ids.map((id) => labels.get(id) ?? []);
    }),
    usage: new DataLoader(async (ids) => {
      const usage = await loadUsage(prisma, ids);
      return ids.map((id) => usage.get(id) ?? EMPTY_USAGE);
    }),
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
}

export function createContextFactory({ prisma, logger }: ContextDeps) {
  return async ({ request }: YogaInitialContext): Promise<Context> => ({
    requestId: requestIdOf(request),
    prisma,
    principal: await authenticate(prisma, request.headers.get('authorization')),
    loaders: createLoaders(prisma),
    logger,
  });
}
