import type { Plugin } from 'graphql-yoga';
import type { PrismaClient } from '../../generated/prisma/client.js';

/**
 * GET /ready: 200 when the database answers, 503 when it does not (docs/operations.md). Yoga's
 * useReadinessCheck does the same, but matches every other request against a URLPattern too,
 * which on Node 20 is a polyfill: a cost on every GraphQL request for a path it is not.
 */
export function useReadiness(prisma: PrismaClient, endpoint = '/ready'): Plugin {
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname !== endpoint) return;
      return prisma.$queryRaw`SELECT 1`.then(
        () => endResponse(new fetchAPI.Response(null, { status: 200 })),
        () => endResponse(new fetchAPI.Response(null, { status: 503 })),
      );
    },
  };
}
